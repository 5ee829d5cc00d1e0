"""The member-side client of the exchange gateway: sign, send, check the answer, keep evidence.

A member system (or one of tongban's own systems, e.g. form prefill, issue 14) asks the
gateway (``/exchange/v1/``) through an ``ExchangeClient``:

- ``query(resource, fields, purpose, key)`` asks for fields of one record and returns a
  ``QueryResult``; ``catalogue()`` returns the full catalogue (DCAT JSON-LD).
- Every request is signed with the member's ``signing.SigningKey`` for an ``Originator``
  (the department and official it calls for, P9: ``signing.sign_request``).
- Every answer must carry the gateway's signature over its status and body **and over the
  very request it answers** (``signing.verify_response``, RFC 9421 ``req`` components). An
  answer that does not verify against its own request — another request's answer, an
  altered body, an unsigned error page of a proxy — is refused with ``SignatureRefused``
  and its content is never returned (P5). Only keys the ``gateway_keys`` resolver knows
  count: a member key cannot sign an answer.
- A verified refusal of the gateway (problem+json, RFC 9457) is raised as ``ExchangeRefused``,
  a ``ServiceError`` whose ``code`` is the problem's code and whose field is the problem's
  field (``retry_after`` set for 429).
- With ``keep_evidence=True`` (tongban's own systems, on the node's database) the client
  stores the signed request and response as requester-side evidence (P11:
  ``ExchangeEvidence(side="requester")``, the bundle of ``bundle_verify.make_bundle``,
  encrypted at rest) with an audit record of the exchange, in one transaction.

Transports (``Transport``: ``send(method, url, headers, body) -> (status, headers, body)``):

- ``UrllibTransport``: real HTTP(S) with a timeout, no redirects (a redirect would move the
  signed ``@path``), and a cap on the answer's size.
- ``DjangoTransport``: the gateway of this very process, through ``django.test.Client`` or a
  WSGI handler (a ``WSGIHandler``, as a WSGI server calls it): tests, the bench and
  in-process callers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongban.core.crypto import keys as keystore
from tongban.core.crypto.providers import KeyStoreError
from tongban.core.errors import ServiceError
from tongban.core.models import KeyKind, KeyPurpose, KeyStatus

from . import auditguard, bundle_verify, signing
from .models import DataResource, EvidenceSide, ExchangeEvidence, MemberKey

EXCHANGE_ID_HEADER: Final = "X-Tongban-Exchange-Id"
#: What the client reads of an answer at most (a record is small; a catalogue is larger).
DEFAULT_MAX_RESPONSE: Final = 4 * 1024 * 1024
DEFAULT_TIMEOUT: Final = 10.0
_EXCHANGE_ID_RE: Final = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_CODE_RE: Final = re.compile(r"[a-z0-9_]{1,40}")


# --- errors ---------------------------------------------------------------------------------


class ExchangeRefused(ServiceError):
    """The gateway refused a request, in a signed answer: ``code`` is the problem's code
    (``unknown_resource``, ``grant_revoked``, ``rate_limited``, …), ``status`` its HTTP
    status, ``exchange_id`` the gateway's id of the exchange (for evidence and support) and
    ``retry_after`` the seconds to wait after a 429."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int,
        field: str = "__all__",
        exchange_id: str = "",
        retry_after: int | None = None,
    ) -> None:
        super().__init__({field or "__all__": [ValidationError(message, code=code)]})
        self.code = code
        self.detail = message
        self.status = status
        self.field = field or "__all__"
        self.exchange_id = exchange_id
        self.retry_after = retry_after


class TransportError(ServiceError):
    """The gateway could not be reached, or its answer could not be read: ``code`` is
    ``unreachable``, ``timeout`` or ``response_too_large``. Nothing was proven either way."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__({"gateway": [ValidationError(message, code=code)]})
        self.code = code
        self.detail = message


def _answer_malformed(message: str) -> signing.SignatureRefused:
    return signing.refused("malformed", message)


# --- transports -----------------------------------------------------------------------------


class Transport(Protocol):
    """Carries one signed request and brings back the answer as received (status, headers
    with one value per name, body bytes). It never changes what it carries."""

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]: ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx comes back as it is, and fails verification


class UrllibTransport:
    """HTTP(S) with the standard library: ``timeout`` seconds per call (connect and each
    read), at most ``max_response`` bytes of answer, no redirects, no proxies from the
    environment unless ``use_env_proxies``; ``context`` for a private CA (政务外网)."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_response: int = DEFAULT_MAX_RESPONSE,
        context: ssl.SSLContext | None = None,
        use_env_proxies: bool = False,
    ) -> None:
        handlers: list[urllib.request.BaseHandler] = [
            _NoRedirects(),
            urllib.request.HTTPSHandler(context=context),
        ]
        if not use_env_proxies:
            handlers.append(urllib.request.ProxyHandler({}))
        self.opener = urllib.request.build_opener(*handlers)
        self.timeout = timeout
        self.max_response = max_response

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url!r}")
        request = urllib.request.Request(  # noqa: S310 (http and https only, checked above)
            url, data=body if method != "GET" else None, headers=dict(headers), method=method
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                return answer.status, _joined(answer.headers.items()), self._read(answer)
        except urllib.error.HTTPError as answer:  # 4xx and 5xx are answers too
            with answer:
                return answer.code, _joined(answer.headers.items()), self._read(answer)
        except TimeoutError as exc:
            raise TransportError(
                "timeout",
                _("The exchange gateway did not answer within %(seconds)s seconds.")
                % {"seconds": f"{self.timeout:g}"},
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(
                "unreachable", _("The exchange gateway cannot be reached.")
            ) from exc

    def _read(self, answer: Any) -> bytes:
        try:
            data: bytes = answer.read(self.max_response + 1)
        except TimeoutError as exc:
            raise TransportError(
                "timeout",
                _("The exchange gateway did not answer within %(seconds)s seconds.")
                % {"seconds": f"{self.timeout:g}"},
            ) from exc
        if len(data) > self.max_response:
            raise TransportError(
                "response_too_large",
                _("The exchange gateway's answer is larger than %(size)d bytes.")
                % {"size": self.max_response},
            )
        return data


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with one value per name: repeated ones joined by ", " (RFC 9110 §5.3)."""
    out: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in pairs:
        first = names.setdefault(name.lower(), name)
        out[first] = f"{out[first]}, {value}" if first in out else value
    return out


class DjangoTransport:
    """The gateway of this process, without a socket: through a ``django.test.Client``
    (tests), or a WSGI handler (``django.core.handlers.wsgi.WSGIHandler()``) called exactly
    as a WSGI server calls it, with a request built by ``RequestFactory`` (the bench,
    in-process callers). ``Host`` and the scheme come from the URL, so the signed
    ``@authority`` is what the gateway sees (the host must be in ``ALLOWED_HOSTS``)."""

    def __init__(self, client: Client | None = None, *, handler: Any = None) -> None:
        if (client is None) == (handler is None):
            raise ValueError("give a test client or a WSGI handler")
        self.client = client
        self.handler = handler
        self.factory = RequestFactory()

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "host")}
        content_type = signing.header(headers, "Content-Type") or "application/octet-stream"
        kwargs: dict[str, Any] = {
            "data": body,
            "content_type": content_type,
            "secure": parts.scheme == "https",
            "headers": extra,
            "HTTP_HOST": parts.netloc,
        }
        # The gateway's request activates its own language: the caller's is kept.
        with translation.override(translation.get_language()):
            if self.client is not None:
                response = self.client.generic(method, path, **kwargs)
                answer = response.content
                return response.status_code, dict(response.items()), answer
            return self._through_handler(method, path, kwargs)

    def _through_handler(
        self, method: str, path: str, kwargs: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        environ = self.factory.generic(method, path, **kwargs).environ
        started: list[Any] = []

        def start_response(status: str, pairs: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started.append((status, pairs))
            return lambda data: None

        result = self.handler(environ, start_response)
        try:
            answer = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # request_finished, as a WSGI server does
        status, pairs = started[0]
        return int(status.split(" ", 1)[0]), _joined(pairs), answer


# --- the gateway's keys ---------------------------------------------------------------------


def node_code() -> str:
    """This node's code (``TONGBAN_SITE_CODE``, else ``local``)."""
    return str(getattr(settings, "TONGBAN_SITE_CODE", "") or "local")


def gateway_label() -> str:
    """How key files and reports name this node's gateway as a signer."""
    return f"gateway:{node_code()}"


class NodeGatewayKeys:
    """A ``KeyResolver`` of this node's gateway keys (purpose ``exchange`` in the key store):
    how tongban's own systems check the answers of their own gateway. The active key, and a
    key retired less than the signature window ago (an answer signed just before a
    rotation); every other key id is unknown, member keys included. ``for_evidence=True``
    resolves retired keys of any age (old exchanges)."""

    #: How long an instance trusts what it read of a key (a retirement shows after that).
    CACHE_SECONDS: Final = 30.0

    def __init__(self, *, for_evidence: bool = False) -> None:
        self.for_evidence = for_evidence
        self._seen: dict[str, tuple[float, signing.PublicKey | None]] = {}

    def resolve(self, key_id: str) -> signing.PublicKey | None:
        now = time.monotonic()
        seen = self._seen.get(key_id)
        if seen is not None and now - seen[0] < self.CACHE_SECONDS:
            return seen[1]
        key = self._read(key_id)
        self._seen = {
            **{k: v for k, v in self._seen.items() if now - v[0] < self.CACHE_SECONDS},
            key_id: (now, key),
        }
        return key

    def _read(self, key_id: str) -> signing.PublicKey | None:
        try:
            info = keystore.get_key(key_id)
        except KeyStoreError:
            return None
        if info.purpose != KeyPurpose.EXCHANGE or info.kind != KeyKind.SIGNING:
            return None
        if not info.public_key:
            return None
        if info.status != KeyStatus.ACTIVE and not self.for_evidence:
            window = signing.window_seconds()
            age = (timezone.now() - info.retired_at).total_seconds() if info.retired_at else None
            if age is None or age > window:
                return None
        return signing.PublicKey(info.public_key, info.alg, gateway_label())


# --- the client -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryResult:
    """A verified answer to a query: the released fields of the record (``found`` False and
    an empty ``record`` when the provider holds no record for the key), the fields whose
    values came masked, and the evidence row kept for it (``keep_evidence``)."""

    exchange_id: str
    resource: str
    found: bool
    record: dict[str, str]
    masked: tuple[str, ...]
    evidence: ExchangeEvidence | None = None


@dataclass
class Exchanged:
    """One signed request and its verified answer (what ``send`` returns)."""

    request: signing.ExchangeRequest
    response: signing.ExchangeResponse
    verified: signing.Verified
    document: Any
    exchange_id: str
    evidence: ExchangeEvidence | None = field(default=None)


class ExchangeClient:
    """Calls the gateway at ``base_url`` (``https://host/exchange/v1/``) as the member whose
    ``signing_key`` it holds, for ``originator``. ``gateway_keys`` are the public keys the
    answers must be signed with (default: this node's own gateway keys, for in-process
    callers; a member system elsewhere loads the gateway's published key file with
    ``bundle_verify.keys_from_json``)."""

    def __init__(
        self,
        base_url: str,
        signing_key: signing.Signer,
        originator: signing.Originator,
        transport: Transport,
        *,
        gateway_keys: signing.KeyResolver | None = None,
        keep_evidence: bool = False,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError(f"not a gateway base URL: {base_url!r}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.signing_key = signing_key
        self.originator = originator
        self.transport = transport
        self.gateway_keys: signing.KeyResolver = gateway_keys or NodeGatewayKeys()
        self.keep_evidence = keep_evidence

    # -- the two calls -------------------------------------------------------------------

    def query(
        self, resource: str, fields: Iterable[str], purpose: str, key: str, *, case: str = ""
    ) -> QueryResult:
        """Ask for ``fields`` of the record of ``resource`` identified by ``key`` (an ID
        number, a credit code…) for ``purpose``; ``case``: the case number the read is for
        (shown to the person in their data-access log). Raises ``ExchangeRefused`` for a refusal
        of the gateway, ``SignatureRefused`` for an answer that is not the gateway's signed
        answer to this request, ``TransportError`` when nothing came back."""
        wanted = list(fields)
        asked: dict[str, Any] = {"resource": resource, "fields": wanted, "purpose": purpose}
        asked["key"] = key
        if case:
            asked["case"] = case
        body = json.dumps(
            asked,
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        request = self.prepare("POST", "query", body)
        done = self.finish(request, *self.transport.send(*self._wire(request)))
        result = _query_result(done.document, resource, wanted, done.exchange_id)
        return dataclasses.replace(result, evidence=done.evidence)

    def catalogue(self) -> dict[str, Any]:
        """The full catalogue (DCAT JSON-LD) as the gateway signed it."""
        request = self.prepare("GET", "catalogue", b"")
        done = self.finish(request, *self.transport.send(*self._wire(request)))
        if not isinstance(done.document, dict):
            raise _answer_malformed(_("The gateway's catalogue is not a JSON object."))
        return done.document

    # -- the steps (public so that callers and tests can hold requests in flight) ----------

    def prepare(self, method: str, path: str, body: bytes) -> signing.ExchangeRequest:
        """A signed request to ``path`` under the base URL (not sent)."""
        headers = {"Accept": "application/json"}
        if body or method != "GET":
            headers["Content-Type"] = "application/json"
        request = signing.ExchangeRequest(method, self.base_url + path, headers, body)
        return signing.sign_request(request, self.signing_key, self.originator)

    @staticmethod
    def _wire(request: signing.ExchangeRequest) -> tuple[str, str, dict[str, str], bytes]:
        return request.method, request.url, dict(request.headers), request.body

    def finish(
        self,
        request: signing.ExchangeRequest,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Exchanged:
        """Check the answer to ``request`` (P5: it must verify beside this request and no
        other), keep the evidence if asked, and return it; raise ``ExchangeRefused`` for a
        verified refusal."""
        response = signing.ExchangeResponse(status, request, dict(headers), body)
        verified = signing.verify_response(response, keys=self.gateway_keys)
        document = _json(body)
        exchange_id = _exchange_id(document, headers)
        evidence = None
        if self.keep_evidence:
            evidence = keep_requester_evidence(
                request,
                response,
                document,
                exchange_id,
                key_id=self.signing_key.key_id,
                originator=self.originator,
            )
        if not 200 <= status < 300:
            raise _refusal(status, document, headers, exchange_id)
        return Exchanged(request, response, verified, document, exchange_id, evidence)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _answer_malformed(_("The gateway's answer is not JSON.")) from exc


def _exchange_id(document: Any, headers: Mapping[str, str]) -> str:
    """The exchange id from the signed body (the header is not signed: it must agree)."""
    value = document.get("exchange_id") if isinstance(document, dict) else None
    in_header = signing.header(headers, EXCHANGE_ID_HEADER)
    if value is None or value == "":
        value = None
    if value is not None and (not isinstance(value, str) or not _EXCHANGE_ID_RE.fullmatch(value)):
        raise _answer_malformed(_("The gateway's answer has an invalid exchange id."))
    if in_header is not None and value is not None and in_header != value:
        raise _answer_malformed(_("The exchange id header does not match the signed answer."))
    if value is None and in_header is not None and _EXCHANGE_ID_RE.fullmatch(in_header):
        return in_header  # e.g. a catalogue: bound by the signature only through the body
    return value or ""


def _refusal(
    status: int, document: Any, headers: Mapping[str, str], exchange_id: str
) -> ExchangeRefused:
    problem = document if isinstance(document, dict) else {}
    code = problem.get("code")
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        code = f"http_{status}"
    detail = problem.get("detail") or problem.get("title")
    if not isinstance(detail, str) or not detail:
        detail = _("The exchange gateway refused the request (HTTP %(status)d).") % {
            "status": status
        }
    field_name = problem.get("field")
    retry = signing.header(headers, "Retry-After")
    return ExchangeRefused(
        code,
        detail,
        status=status,
        field=field_name if isinstance(field_name, str) and field_name else "__all__",
        exchange_id=exchange_id,
        retry_after=int(retry) if retry and retry.strip().isdigit() else None,
    )


def _query_result(document: Any, resource: str, wanted: list[str], exchange_id: str) -> QueryResult:
    """A ``QueryResult`` of a verified 200 answer, after checking that it answers what was
    asked: this resource, only asked fields, text values."""
    if not isinstance(document, dict):
        raise _answer_malformed(_("The gateway's answer is not a JSON object."))
    record, masked, found = (
        document.get("record"),
        document.get("masked", []),
        document.get("found"),
    )
    if document.get("resource") != resource:
        raise _answer_malformed(_("The gateway answered for another resource."))
    if not isinstance(found, bool) or not isinstance(record, dict) or not isinstance(masked, list):
        raise _answer_malformed(_("The gateway's answer lacks found, record or masked."))
    if not exchange_id:
        raise _answer_malformed(_("The gateway's answer has no exchange id."))
    asked = set(wanted)
    if any(not isinstance(k, str) or k not in asked for k in [*record, *masked]):
        raise _answer_malformed(_("The gateway released fields that were not asked for."))
    if any(v is not None and not isinstance(v, str | int | float | bool) for v in record.values()):
        raise _answer_malformed(_("The gateway's record holds a value that is not text."))
    return QueryResult(
        exchange_id=exchange_id,
        resource=resource,
        found=found,
        record={k: "" if v is None else str(v) for k, v in record.items()},
        masked=tuple(masked),
    )


# --- requester-side evidence (P11) ----------------------------------------------------------


@transaction.atomic
def keep_requester_evidence(
    request: signing.ExchangeRequest,
    response: signing.ExchangeResponse,
    document: Any,
    exchange_id: str,
    *,
    key_id: str,
    originator: signing.Originator,
) -> ExchangeEvidence:
    """Store what this node's system sent and received (the evidence bundle, encrypted at
    rest) and log it on the ``exchange`` audit stream (P12 fields, no values). The
    response must have been verified against ``request`` already."""
    key_row = MemberKey.objects.select_related("member").filter(key_id=key_id).first()
    member = key_row.member if key_row is not None else None
    asked = _json(request.body) if request.body else {}
    asked = asked if isinstance(asked, dict) else {}
    resource_code = asked.get("resource") if isinstance(asked.get("resource"), str) else ""
    resource = DataResource.objects.filter(code=resource_code).first() if resource_code else None
    problem = document if isinstance(document, dict) else {}
    ok = 200 <= response.status_code < 300
    reason = "allow" if ok else str(problem.get("code") or f"http_{response.status_code}")[:40]
    if not exchange_id:  # the signature still identifies the exchange
        signature = (signing.header(request.headers, "Signature") or "").encode()
        exchange_id = "sig-" + hashlib.sha256(signature).hexdigest()[:40]
    meta = {
        "node": node_code(),
        "member": member.code if member is not None else "",
        "key_id": key_id,
        "department": originator.department,
        "official": originator.official,
        "subject": "",
        "items": sorted(str(f) for f in asked.get("fields", []) if isinstance(f, str)),
        "share_classes": [],
        "grant": None,
        "purpose": str(asked.get("purpose", ""))[:200],
        "legal_basis": "",
        "event": "requested",
        "outcome": "allow" if ok else "deny",
        "reason": reason,
        "exchange_id": exchange_id,
        "status": response.status_code,
        "resource": resource_code,
    }
    audit = auditguard.write_exchange_audit(
        None, "exchange.requested", meta=meta, object_id=exchange_id
    )
    return ExchangeEvidence.objects.create(
        exchange_id=exchange_id,
        side=EvidenceSide.REQUESTER,
        member=member,
        resource=resource,
        allowed=ok,
        reason=reason,
        status_code=response.status_code,
        audit_stream=audit.stream,
        audit_seq=audit.seq,
        bundle=json.dumps(bundle_verify.make_bundle(request, response), ensure_ascii=False),
    )
