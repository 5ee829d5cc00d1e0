"""The signed licence payload: canonical bytes, the QR code's text, offline verification.

Nothing here touches the database: a third party with the published keys
(``/licences/keys.json``) verifies a payload with ``verify_payload(text, resolver)``.

A payload is ``base64url(JSON)`` without padding, the JSON being compact, with sorted keys
and ASCII only (every value is a code, a date or base64url)::

    {"a": alg, "d": issued_on, "f": valid_from, "g": face digest, "h": holder hash,
     "i": issuer department code, "k": key id, "n": licence number, "s": signature,
     "t": licence type code, "u": valid_until or "", "v": 1}

The signature ``s`` is over the same JSON without ``s`` (the canonical bytes), made with
the issuing department's ``licence`` key named by ``k``. ``h`` and ``g`` are digests made
with the hash of the signing key's suite (SHA-256 for ``ed25519``, SM3 for ``sm2-sm3``): no
ID number, credit code, name or other face value is in the payload. docs/licences.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.core.crypto.providers import CryptoError
from tongban.core.crypto.suites import (
    CryptoSuite,
    Signature,
    SignatureFormatError,
    suite_for_signature_alg,
)

VERSION = 1
MAX_PAYLOAD_CHARS = 2048
FIELDS = ("a", "d", "f", "g", "h", "i", "k", "n", "s", "t", "u", "v")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_FORMATS: dict[str, re.Pattern[str]] = {
    "a": re.compile(r"^[a-z0-9-]{1,32}$"),
    "d": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "f": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "u": re.compile(r"^(\d{4}-\d{2}-\d{2})?$"),
    "g": re.compile(r"^[A-Za-z0-9_-]{16,128}$"),
    "h": re.compile(r"^[A-Za-z0-9_-]{16,128}$"),
    "i": re.compile(r"^[A-Za-z0-9_-]{1,40}$"),
    "k": re.compile(r"^[A-Za-z0-9_-]{1,64}$"),
    "n": re.compile(r"^[0-9A-Z-]{10,64}$"),
    "s": re.compile(r"^[A-Za-z0-9_-]{16,400}$"),
    "t": re.compile(r"^[0-9A-Z]{6,20}$"),
}


class PayloadError(ValueError):
    """A payload that does not verify; ``str()`` (translated) says why, ``code`` is stable."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class PublicKey:
    """What a verifier needs to know about a key (from the key store or keys.json)."""

    key_id: str
    alg: str
    department: str
    public_key: bytes
    purpose: str = "licence"
    status: str = "active"


KeyResolver = Callable[[str], PublicKey | None]


@dataclass(frozen=True)
class Claims:
    """A payload whose signature verified."""

    number: str
    type_code: str
    issuer: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    holder_hash: str
    face_digest: str
    key_id: str
    alg: str
    signature: str

    def expired(self, today: dt.date) -> bool:
        return self.valid_until is not None and today > self.valid_until


# --- making ------------------------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the one byte form of ``data``."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def face_digest(suite: CryptoSuite, face: Mapping[str, Any]) -> str:
    """The digest of the face values (all of them, public and private)."""
    clean = {str(k): "" if v is None else str(v) for k, v in face.items()}
    return b64url(suite.hash(b"tongban/licence/face|" + canonical_json(clean)))


def holder_hash(suite: CryptoSuite, number: str, holder_digest: str) -> str:
    """The holder's keyed ID digest, hashed with the licence number so that two licences
    of one holder do not carry the same value (no linking across payloads)."""
    return b64url(suite.hash(f"tongban/licence/holder|{number}|{holder_digest}".encode()))


def unsigned_fields(
    *,
    number: str,
    type_code: str,
    issuer: str,
    issued_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date | None,
    holder_hash: str,
    face_digest: str,
    key_id: str,
    alg: str,
) -> dict[str, Any]:
    return {
        "a": alg,
        "d": issued_on.isoformat(),
        "f": valid_from.isoformat(),
        "g": face_digest,
        "h": holder_hash,
        "i": issuer,
        "k": key_id,
        "n": number,
        "t": type_code,
        "u": valid_until.isoformat() if valid_until else "",
        "v": VERSION,
    }


def signed_bytes(fields: Mapping[str, Any]) -> bytes:
    """The canonical bytes the signature covers: every field but ``s``."""
    return canonical_json({k: v for k, v in fields.items() if k != "s"})


def encode(fields: Mapping[str, Any]) -> str:
    """The payload text (for the QR code and ``/verify/?p=``)."""
    return b64url(canonical_json(fields))


# --- reading and verifying -------------------------------------------------------------


def decode(text: str) -> dict[str, Any]:
    """The fields of a payload, checked for form only (no signature check)."""
    text = (text or "").strip()
    if not text:
        raise PayloadError("empty", _("No payload was given."))
    if len(text) > MAX_PAYLOAD_CHARS or not _B64URL.match(text):
        raise PayloadError("format", _("This is not a licence payload (wrong characters)."))
    try:
        raw = _unb64url(text)
    except (binascii.Error, ValueError):
        raise PayloadError("format", _("This is not a licence payload (not base64url).")) from None
    if b64url(raw) != text:
        raise PayloadError("format", _("This is not a licence payload (not base64url)."))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PayloadError("format", _("This is not a licence payload (not JSON).")) from None
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        raise PayloadError("fields", _("The payload does not have the fields of a licence."))
    if data.get("v") != VERSION or type(data.get("v")) is not int:
        raise PayloadError("version", _("Unknown payload version."))
    for key, pattern in _FORMATS.items():
        value = data.get(key)
        if not isinstance(value, str) or not pattern.match(value):
            raise PayloadError(
                "fields", _("The payload field %(field)s is malformed.") % {"field": key}
            )
    if canonical_json(data) != raw:
        raise PayloadError("format", _("The payload is not in its canonical form."))
    # ``s`` is outside the signed bytes: its base64url must be the one encoding of its value
    # (unused trailing bits set would give a second payload text with the same signature).
    try:
        canonical_signature = b64url(_unb64url(data["s"])) == data["s"]
    except (binascii.Error, ValueError):
        canonical_signature = False
    if not canonical_signature:
        raise PayloadError("format", _("The payload is not in its canonical form."))
    return data


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PayloadError("fields", _("The payload holds an impossible date.")) from None


def verify_payload(text: str, resolve: KeyResolver) -> Claims:
    """Check ``text`` against the key it names; raises ``PayloadError`` saying why not."""
    data = decode(text)
    key = resolve(data["k"])
    if key is None:
        raise PayloadError(
            "unknown-key",
            _("Unknown key id %(key)s: this payload was not signed by a published key.")
            % {"key": data["k"]},
        )
    if key.purpose != "licence":
        raise PayloadError("wrong-key", _("The key that signed this payload is not a licence key."))
    if key.alg != data["a"]:
        raise PayloadError(
            "wrong-algorithm",
            _("The payload names the algorithm %(alg)s but key %(key)s is %(key_alg)s.")
            % {"alg": data["a"], "key": key.key_id, "key_alg": key.alg},
        )
    if key.department != data["i"]:
        raise PayloadError(
            "wrong-issuer",
            _("Key %(key)s belongs to another department than the issuer %(issuer)s.")
            % {"key": key.key_id, "issuer": data["i"]},
        )
    try:
        suite = suite_for_signature_alg(key.alg)
        signature = Signature(alg=data["a"], key_id=data["k"], value=_unb64url(data["s"]))
        good = suite.verify(key.public_key, signed_bytes(data), signature)
    except (CryptoError, SignatureFormatError, ValueError, binascii.Error):
        good = False
    if not good:
        raise PayloadError(
            "bad-signature",
            _("The signature does not match: the payload was altered or forged."),
        )
    issued, start = _date(data["d"]), _date(data["f"])
    until = _date(data["u"]) if data["u"] else None
    return Claims(
        number=data["n"],
        type_code=data["t"],
        issuer=data["i"],
        issued_on=issued,
        valid_from=start,
        valid_until=until,
        holder_hash=data["h"],
        face_digest=data["g"],
        key_id=data["k"],
        alg=data["a"],
        signature=data["s"],
    )


# --- published keys (keys.json) ---------------------------------------------------------

KEYS_FORMAT = "tongban-licence-keys"


def keys_document(infos: list[Any]) -> dict[str, Any]:
    """The published licence keys, by key id (``KeyInfo`` rows of purpose licence)."""
    return {
        "format": KEYS_FORMAT,
        "version": 1,
        "keys": {
            info.key_id: {
                "alg": info.alg,
                "suite": info.suite,
                "department": info.department_code,
                "status": info.status,
                "public_key": info.public_key_b64,
                "created_at": info.created_at.isoformat(timespec="seconds"),
                "retired_at": info.retired_at.isoformat(timespec="seconds")
                if info.retired_at
                else None,
            }
            for info in infos
        },
    }


def resolver_from_document(document: Mapping[str, Any]) -> KeyResolver:
    """A key resolver over a keys.json document (for offline verification)."""
    if document.get("format") != KEYS_FORMAT or not isinstance(document.get("keys"), dict):
        raise ValueError(f"not a {KEYS_FORMAT} document")
    table: dict[str, PublicKey] = {}
    for key_id, row in document["keys"].items():
        table[key_id] = PublicKey(
            key_id=key_id,
            alg=str(row["alg"]),
            department=str(row.get("department") or ""),
            public_key=base64.b64decode(row["public_key"]),
            status=str(row.get("status") or ""),
        )
    return table.get
