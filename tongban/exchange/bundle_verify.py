"""Evidence bundles: prove to a third party, with public keys only, that a response answered
a request (P11; ``tongban exchange verify BUNDLE``).

Both sides of an exchange keep the signed request and the signed response as they went
over the wire. ``make_bundle`` writes them as one JSON object; ``verify_bundle`` checks it
with nothing but a ``KeyResolver`` of public keys (``keys_from_json`` reads the key file),
no database and no network.

The bundle format, ``tongban-exchange-evidence/1``::

    {
      "format": "tongban-exchange-evidence/1",
      "request": {
        "method": "POST",
        "url": "https://gateway.example.gov.cn/exchange/v1/resources/population/query",
        "headers": [["Content-Type", "application/json"],
                    ["X-Tongban-Originator", "dept=\\"gaj\\", official=\\"wang.li\\""],
                    ["Content-Digest", "sha-256=:…:"],
                    ["Signature-Input", "tongban=(…);created=…;keyid=…;alg=…;nonce=…;tag=…"],
                    ["Signature", "tongban=:…:"]],
        "body": "<base64, optional>"
      },
      "response": {
        "status": 200,
        "headers": [["Content-Type", "application/json"], ["Content-Digest", "…"],
                    ["Signature-Input", "…"], ["Signature", "…"]],
        "body": "<base64, optional>"
      }
    }

Headers are ``[name, value]`` pairs exactly as sent; a name may appear once (letter case
aside). A body may be left out: the signatures still prove the digest (``Content-Digest``)
of each body, so a body produced later can be matched against it, and evidence need not
keep payload values (P12). The report says which bodies were checked.

The key file (``keys_from_json``)::

    {"keys": [{"key_id": "gaj-rk-2026", "alg": "sm2-sm3", "member": "gaj-rk",
               "public_key": "<base64 of the SubjectPublicKeyInfo DER>"}]}

What a good report proves: the request was signed by ``request.member``'s key, for the
originator it names, over that method, address, query and body digest; the response was
signed by ``response.member``'s key over its status and body digest *and* over that very
request's signature, method, address and digest (RFC 9421 ``req``), so it answers that
request and no other. Time and nonces are not checked: evidence is read long after the
exchange, and the gateway checked them when it took the request.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.utils.translation import gettext as _

from .signing import (
    ALGORITHMS,
    KEY_ID_RE,
    ExchangeRequest,
    ExchangeResponse,
    InMemoryKeyResolver,
    KeyResolver,
    PublicKey,
    SignatureRefused,
    Verified,
    refused,
    verify_request_evidence,
    verify_response,
)

FORMAT: Final = "tongban-exchange-evidence/1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise refused("malformed", _("%(what)s is not base64 text.") % {"what": what})
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise refused("malformed", _("%(what)s is not base64 text.") % {"what": what}) from exc


def make_bundle(
    request: ExchangeRequest, response: ExchangeResponse, *, bodies: bool = True
) -> dict[str, Any]:
    """The evidence of one exchange as a JSON-ready dict (bodies left out if not ``bodies``)."""
    req: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "headers": [[k, v] for k, v in request.headers.items()],
    }
    resp: dict[str, Any] = {
        "status": response.status_code,
        "headers": [[k, v] for k, v in response.headers.items()],
    }
    if bodies:
        req["body"] = _b64(request.body)
        resp["body"] = _b64(response.body)
    return {"format": FORMAT, "request": req, "response": resp}


def _headers(value: Any, side: str) -> dict[str, str]:
    request = side == "request"
    if not isinstance(value, list):
        raise refused(
            "malformed",
            _("The request headers must be a list.")
            if request
            else _("The response headers must be a list."),
        )
    headers: dict[str, str] = {}
    seen: set[str] = set()
    for pair in value:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
        ):
            raise refused(
                "malformed",
                _("Each request header must be a [name, value] pair of strings.")
                if request
                else _("Each response header must be a [name, value] pair of strings."),
            )
        name, text = pair
        if name.lower() in seen:
            message = (
                _("The request header %(name)s appears twice.")
                if request
                else _("The response header %(name)s appears twice.")
            )
            raise refused("malformed", message % {"name": name})
        seen.add(name.lower())
        headers[name] = text
    return headers


def _part(bundle: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    part = bundle.get(name)
    if not isinstance(part, Mapping):
        raise refused(
            "malformed",
            _("The bundle has no request object.")
            if name == "request"
            else _("The bundle has no response object."),
        )
    return part


def read_bundle(bundle: Any) -> tuple[ExchangeRequest, ExchangeResponse, bool, bool]:
    """The request and response of a bundle, and whether each body was kept."""
    if not isinstance(bundle, Mapping) or bundle.get("format") != FORMAT:
        raise refused("malformed", _("This is not a %(format)s bundle.") % {"format": FORMAT})
    req, resp = _part(bundle, "request"), _part(bundle, "response")
    method, url, status = req.get("method"), req.get("url"), resp.get("status")
    if not isinstance(method, str) or not isinstance(url, str):
        raise refused("malformed", _("The request needs a method and a URL."))
    if type(status) is not int or not 100 <= status <= 599:
        raise refused("malformed", _("The response needs an HTTP status code."))
    request = ExchangeRequest(
        method=method,
        url=url,
        headers=_headers(req.get("headers"), "request"),
        body=_unb64(req["body"], _("The request body")) if "body" in req else b"",
    )
    response = ExchangeResponse(
        status_code=status,
        request=request,
        headers=_headers(resp.get("headers"), "response"),
        body=_unb64(resp["body"], _("The response body")) if "body" in resp else b"",
    )
    return request, response, "body" in req, "body" in resp


@dataclass(frozen=True)
class BundleReport:
    """What ``verify_bundle`` found. ``ok`` only if both signatures hold and the response
    is bound to the request; otherwise ``code`` and ``message`` name the first problem
    and ``failed`` says on which side (``bundle``, ``request`` or ``response``)."""

    ok: bool
    request: Verified | None = None
    response: Verified | None = None
    request_body_checked: bool = False
    response_body_checked: bool = False
    failed: str = ""
    code: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        def side(v: Verified | None) -> dict[str, Any] | None:
            if v is None:
                return None
            out: dict[str, Any] = {
                "key_id": v.key_id,
                "member": v.member,
                "alg": v.alg,
                "created": v.created,
                "nonce": v.nonce,
                "content_digest": v.content_digest,
                "signature": _b64(v.signature),
            }
            if v.originator is not None:
                out["originator"] = {
                    "department": v.originator.department,
                    "official": v.originator.official,
                }
            if v.status is not None:
                out["status"] = v.status
            return out

        return {
            "ok": self.ok,
            "failed": self.failed,
            "code": self.code,
            "message": self.message,
            "request": side(self.request),
            "response": side(self.response),
            "request_body_checked": self.request_body_checked,
            "response_body_checked": self.response_body_checked,
        }


def verify_bundle(bundle: Any, public_keys: KeyResolver) -> BundleReport:
    """Check an evidence bundle with public keys only; never raises for bad input."""
    try:
        request, response, req_body, resp_body = read_bundle(bundle)
    except SignatureRefused as exc:
        return BundleReport(ok=False, failed="bundle", code=exc.code, message=exc.detail)
    try:
        verified_request = verify_request_evidence(request, keys=public_keys, body_known=req_body)
    except SignatureRefused as exc:
        return BundleReport(ok=False, failed="request", code=exc.code, message=exc.detail)
    try:
        verified_response = verify_response(
            response, keys=public_keys, check_time=False, body_known=resp_body
        )
    except SignatureRefused as exc:
        return BundleReport(
            ok=False,
            request=verified_request,
            request_body_checked=req_body,
            failed="response",
            code=exc.code,
            message=exc.detail,
        )
    return BundleReport(
        ok=True,
        request=verified_request,
        response=verified_response,
        request_body_checked=req_body,
        response_body_checked=resp_body,
    )


def keys_from_json(document: Any) -> InMemoryKeyResolver:
    """A resolver of the public keys in a key file (format in the module doc); raises
    ``SignatureRefused`` (``malformed``) for a file that is not one."""
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise refused("malformed", _('The key file must hold a list "keys".'))
    resolver = InMemoryKeyResolver()
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise refused("malformed", _("Each key must be an object."))
        key_id, alg, member = entry.get("key_id"), entry.get("alg"), entry.get("member")
        if not isinstance(key_id, str) or not KEY_ID_RE.fullmatch(key_id):
            raise refused("malformed", _("A key has no valid key_id."))
        if alg not in ALGORITHMS or not isinstance(member, str) or not member:
            raise refused(
                "malformed",
                _("The key %(key)s needs an alg (ed25519 or sm2-sm3) and a member.")
                % {"key": key_id},
            )
        public = _unb64(entry.get("public_key"), _("The public key"))
        resolver.add(key_id, PublicKey(public_key=public, alg=str(alg), member=member))
    return resolver


def public_key_entry(key_id: str, key: PublicKey) -> dict[str, str]:
    """One entry of a key file (the inverse of ``keys_from_json`` for one key)."""
    return {
        "key_id": key_id,
        "alg": key.alg,
        "member": key.member,
        "public_key": _b64(key.public_key),
    }


def verify_files(bundle_path: str, keys_path: str) -> BundleReport:
    """``verify_bundle`` over two JSON files: the bundle and the key file. A file that
    cannot be read, or is not JSON, gives a failed report (``failed="bundle"``)."""
    try:
        bundle = json.loads(Path(bundle_path).read_text(encoding="utf-8"))
        keys = keys_from_json(json.loads(Path(keys_path).read_text(encoding="utf-8")))
    except SignatureRefused as exc:
        return BundleReport(ok=False, failed="bundle", code=exc.code, message=exc.detail)
    except (OSError, ValueError) as exc:
        return BundleReport(ok=False, failed="bundle", code="malformed", message=str(exc))
    return verify_bundle(bundle, keys)
