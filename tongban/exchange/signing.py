"""Signed messages of the exchange gateway: HTTP Message Signatures (RFC 9421), P2–P5, P9.

Every request to the gateway and every answer from it carries one RFC 9421 signature,
made and checked with the ``http-message-signatures`` package
(docs/adr/0014-exchange-signatures.md). This module has no models: keys come from a
``KeyResolver`` (``MemberKey`` rows in the gateway, ``InMemoryKeyResolver`` in tests), nonces
go to a ``tongban.exchange.nonces.NonceStore``. A member system signs with a ``SigningKey``;
the gateway signs its answers with ``KeyStoreSigner`` (its ``exchange`` key in the key store).

The profile (what is signed, and what is refused when it is not):

- **Algorithms.** ``ed25519`` (RFC 9421 §3.3.6) under the ``intl`` crypto suite, and
  ``sm2-sm3`` under the ``gm`` suite: SM2 signatures with SM3 and the default user ID
  (GB/T 32918.2, GM/T 0003.2), registered with the package as an ``HTTPSignatureAlgorithm``.
  Its signature value is ``r || s``, each a 32-byte big-endian integer, as RFC 9421 does
  for ECDSA. Both go through ``tongban.core.crypto.suites``: keys are DER bytes
  (PKCS#8 private, SubjectPublicKeyInfo public), as everywhere else in tongban.
- **A request** has one signature labelled ``tongban`` with ``tag="tongban-request"``, which
  covers ``@method``, ``@authority``, ``@path``, ``@query``, ``content-digest`` (RFC 9530,
  exactly one ``sha-256`` member, also over an empty body) and ``x-tongban-originator``,
  the originating department and official (P9): ``dept="<code>", official="<username>"``.
  Its parameters ``created``, ``nonce``, ``keyid`` and ``alg`` are all required.
- **A response** has one signature labelled ``tongban`` with ``tag="tongban-response"``,
  which covers its own ``@status`` and ``content-digest`` and, with the ``req`` flag
  (RFC 9421 §2.4), the request's ``@method``, ``@authority``, ``@path``, ``@query``,
  ``content-digest`` and its signature (``"signature";req;key="tongban"``). So a response
  verifies only beside the very request it answers (P5), the way X-Road's
  ``X-Road-Request-Hash`` binds an answer to its question.
- **Freshness and replay (P4).** ``created`` may be at most ``TONGBAN_EXCHANGE_SIGNATURE_WINDOW``
  seconds (default 300) in the past (``expired``) or in the future (``skewed``) of the
  verifier's clock; a nonce is remembered per key for twice the window and refused when it
  comes again (``replayed``).

Every refusal is a ``SignatureRefused`` (a ``ServiceError``) whose ``code`` is one of
``REFUSAL_CODES``, on the field ``signature``; ``verify_request`` and ``verify_response``
raise nothing else, whatever the headers hold. Checks run in a fixed order, so each
refusal names the first problem: presence (``unsigned``), structure (``malformed``),
coverage (``missing_component``), the key (``unknown_key``), the signature
(``bad_signature``), the body (``digest_mismatch``), the originator's form (``malformed``),
the clock (``expired``, ``skewed``), the nonce (``replayed``). A nonce is remembered only
once everything else holds, so a refused request spends none.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Final, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from http_message_signatures import (
    ContentDigest,
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureAlgorithm,
    HTTPSignatureKeyResolver,
    InvalidSignature,
)
from http_message_signatures.signatures import HTTPSignatureHandler

from tongban.core.crypto.providers import CryptoError
from tongban.core.crypto.suites import CryptoSuite, Signature, get_suite
from tongban.core.errors import ServiceError

from .nonces import NonceStore

LABEL: Final = "tongban"
REQUEST_TAG: Final = "tongban-request"
RESPONSE_TAG: Final = "tongban-response"
ORIGINATOR_HEADER: Final = "X-Tongban-Originator"
DEFAULT_WINDOW: Final = 300

REQUEST_COMPONENTS: Final = (
    "@method",
    "@authority",
    "@path",
    "@query",
    "content-digest",
    "x-tongban-originator",
)
RESPONSE_COMPONENTS: Final = (
    "@status",
    "content-digest",
    '"@method";req',
    '"@authority";req',
    '"@path";req',
    '"@query";req',
    '"content-digest";req',
    f'"signature";req;key="{LABEL}"',
)
REQUIRED_PARAMETERS: Final = ("created", "nonce", "keyid", "alg")
ALLOWED_PARAMETERS: Final = frozenset({*REQUIRED_PARAMETERS, "tag", "expires"})

REFUSAL_CODES: Final = (
    "unsigned",
    "bad_signature",
    "replayed",
    "expired",
    "skewed",
    "unknown_key",
    "digest_mismatch",
    "missing_component",
    "malformed",
)

KEY_ID_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
# 16 to 96 random bytes, base64url without padding (``new_nonce`` makes 24 bytes).
NONCE_RE: Final = re.compile(r"[A-Za-z0-9_-]{22,128}")
_DIGEST_RE: Final = re.compile(r"sha-256=:[A-Za-z0-9+/]{43}=:")
_DEPT = r"[A-Za-z0-9_-]{1,40}"  # org.Department.code (a slug)
_OFFICIAL = r"[A-Za-z0-9_.@+-]{1,150}"  # a Django username
_ORIGINATOR_RE: Final = re.compile(rf'dept="({_DEPT})", official="({_OFFICIAL})"')


class SignatureRefused(ServiceError):
    """A message the gateway refuses; ``code`` says why (one of ``REFUSAL_CODES``)."""

    code: str

    def __init__(self, code: str, message: str) -> None:
        assert code in REFUSAL_CODES, code
        super().__init__({"signature": [ValidationError(message, code=code)]})
        self.code = code
        self.detail = message


def refused(code: str, message: str) -> SignatureRefused:
    return SignatureRefused(code, message)


# --- messages -------------------------------------------------------------------------------


@dataclass
class ExchangeRequest:
    """A request as the package sees it: an encoded absolute URL (``https://host/path?q``),
    an upper-case method, headers (one value per name) and the body's bytes."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class ExchangeResponse:
    """A response and the signed request it answers (needed for the ``req`` components)."""

    status_code: int
    request: ExchangeRequest
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` in any letter case, or None."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def request_from_django(request: Any) -> ExchangeRequest:
    """An ``ExchangeRequest`` from a Django ``HttpRequest``: its method, the URL it was
    sent to (scheme, ``Host``, path and query string), its headers and its body.

    The path is the raw one when the server passes it (``RAW_URI``), else Django's
    re-encoding of the decoded path, which can differ from the client's spelling for
    characters outside the unreserved set: gateway paths use only those. Behind nginx,
    ``Host`` must be passed through unchanged (it is the signed ``@authority``)."""
    raw_path = request.META.get("RAW_URI") or request.get_full_path()
    return ExchangeRequest(
        method=request.method,
        url=f"{request.scheme}://{request.get_host()}{raw_path}",
        headers=dict(request.headers.items()),
        body=request.body,
    )


@dataclass(frozen=True)
class Originator:
    """The department and official a member system calls for (P9). It travels in
    ``X-Tongban-Originator``, covered by the request's signature, and is what the gateway
    authorises; never the calling system's own identity."""

    department: str
    official: str

    def __post_init__(self) -> None:
        if not re.fullmatch(_DEPT, self.department) or not re.fullmatch(_OFFICIAL, self.official):
            raise refused(
                "malformed",
                _("The originator must name a department code and an official's username."),
            )

    def header_value(self) -> str:
        return f'dept="{self.department}", official="{self.official}"'

    @classmethod
    def parse(cls, value: str) -> Originator:
        match = _ORIGINATOR_RE.fullmatch(value.strip())
        if match is None:
            raise refused(
                "malformed",
                _('The originator header must read dept="<code>", official="<username>".'),
            )
        return cls(department=match.group(1), official=match.group(2))


# --- algorithms -----------------------------------------------------------------------------


class _SuiteAlgorithm(HTTPSignatureAlgorithm):
    """An RFC 9421 algorithm backed by a tongban crypto suite (DER keys as bytes)."""

    suite_name: ClassVar[str]

    def __init__(self, public_key: bytes | None = None, private_key: bytes | None = None):
        self.public_key = public_key
        self.private_key = private_key
        self.suite: CryptoSuite = get_suite(self.suite_name)

    @classmethod
    def to_wire(cls, value: bytes) -> bytes:
        """The RFC 9421 signature value of the suite's signature ``value``."""
        return value

    @classmethod
    def from_wire(cls, value: bytes) -> bytes:
        """The suite's signature value of an RFC 9421 signature value."""
        return value

    def sign(self, message: bytes) -> bytes:
        if self.private_key is None:
            raise HTTPMessageSignaturesException("no private key to sign with")
        return self.to_wire(self.suite.sign(self.private_key, message).value)

    def verify(self, signature: bytes, message: bytes) -> None:
        if self.public_key is None:
            raise InvalidSignature("no public key to verify with")
        try:
            value = self.from_wire(signature)
            ok = self.suite.verify(self.public_key, message, _suite_signature(self.suite, value))
        except (CryptoError, ValueError) as exc:
            raise InvalidSignature(str(exc)) from exc
        if not ok:
            raise InvalidSignature("the signature does not verify")


def _suite_signature(suite: CryptoSuite, value: bytes) -> Signature:
    return Signature(alg=suite.signature_alg, key_id="rfc9421", value=value)


class Ed25519(_SuiteAlgorithm):
    """``ed25519`` (RFC 9421 §3.3.6): the 64-byte Ed25519 signature of the signature base."""

    algorithm_id = "ed25519"
    suite_name = "intl"


class Sm2Sm3(_SuiteAlgorithm):
    """``sm2-sm3``: SM2 with SM3 and user ID ``1234567812345678`` over the signature base.

    Not in the IANA registry of RFC 9421 (§6.2); RFC 9421 §3.3.7 lets the parties agree on
    an algorithm by ``alg``/``keyid``. The value is ``r || s`` (32 bytes each, big-endian),
    the form RFC 9421 gives ECDSA; Tongsuo's DER signature is converted both ways.
    """

    algorithm_id = "sm2-sm3"
    suite_name = "gm"

    @classmethod
    def to_wire(cls, value: bytes) -> bytes:
        r, s = der_to_rs(value)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    @classmethod
    def from_wire(cls, value: bytes) -> bytes:
        if len(value) != 64:
            raise ValueError("an sm2-sm3 signature is 64 bytes (r || s)")
        return rs_to_der(int.from_bytes(value[:32], "big"), int.from_bytes(value[32:], "big"))


ALGORITHMS: Final[dict[str, type[_SuiteAlgorithm]]] = {
    Ed25519.algorithm_id: Ed25519,
    Sm2Sm3.algorithm_id: Sm2Sm3,
}


_SUITE_OF_ALG: Final = {alg.algorithm_id: alg.suite_name for alg in ALGORITHMS.values()}


def _der_int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")  # a leading 0 keeps it positive
    return b"\x02" + bytes([len(raw)]) + raw


def rs_to_der(r: int, s: int) -> bytes:
    """DER ``SEQUENCE { r INTEGER, s INTEGER }`` of two non-negative integers < 2**256."""
    if not (0 <= r < 2**256 and 0 <= s < 2**256):
        raise ValueError("r and s must be 256-bit integers")
    body = _der_int(r) + _der_int(s)
    return b"\x30" + bytes([len(body)]) + body


def der_to_rs(der: bytes) -> tuple[int, int]:
    """The two integers of a DER ``SEQUENCE { r INTEGER, s INTEGER }`` (strict: short
    lengths, minimal positive integers of at most 256 bits, nothing after)."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("not a DER sequence of two integers")
    values, pos = [], 2
    for _i in range(2):
        if pos + 2 > len(der) or der[pos] != 0x02:
            raise ValueError("not a DER integer")
        size = der[pos + 1]
        raw = der[pos + 2 : pos + 2 + size]
        if size == 0 or len(raw) != size or size > 33:
            raise ValueError("bad DER integer length")
        if raw[0] & 0x80 or (size > 1 and raw[0] == 0 and not raw[1] & 0x80):
            raise ValueError("not a minimal positive DER integer")
        values.append(int.from_bytes(raw, "big"))
        pos += 2 + size
    if pos != len(der):
        raise ValueError("bytes after the DER sequence")
    return values[0], values[1]


# --- keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    """What a verifier needs of a key id: the public key (SubjectPublicKeyInfo DER), its
    algorithm (``ed25519`` or ``sm2-sm3``) and the code of the member system it belongs to."""

    public_key: bytes
    alg: str
    member: str


class KeyResolver(Protocol):
    """Finds the public key of a ``keyid``; None for a key that is unknown, revoked,
    retired or of a suspended member (``MemberKey`` rows back it in the gateway; evidence
    checks need retired keys too, to read old exchanges)."""

    def resolve(self, key_id: str) -> PublicKey | None: ...


class InMemoryKeyResolver:
    """A ``KeyResolver`` over a dict (tests, the bench, ``verify_bundle``)."""

    def __init__(self, keys: Mapping[str, PublicKey] | None = None) -> None:
        self.keys: dict[str, PublicKey] = dict(keys or {})

    def add(self, key_id: str, key: PublicKey) -> None:
        self.keys[key_id] = key

    def resolve(self, key_id: str) -> PublicKey | None:
        return self.keys.get(key_id)


@dataclass(frozen=True)
class SigningKey:
    """A member's (or the gateway's) private key: PKCS#8 DER, its algorithm and key id."""

    key_id: str
    private_key: bytes
    alg: str

    def __post_init__(self) -> None:
        if not KEY_ID_RE.fullmatch(self.key_id):
            raise ValueError(f"invalid key id {self.key_id!r}")
        if self.alg not in ALGORITHMS:
            raise ValueError(f"unknown signature algorithm {self.alg!r}")

    @classmethod
    def from_pem(cls, key_id: str, pem: str, alg: str) -> SigningKey:
        """A signing key from the PKCS#8 PEM that ``tongban exchange member-key`` prints."""
        if alg not in _SUITE_OF_ALG:
            raise ValueError(f"unknown signature algorithm {alg!r}")
        if not pem.strip().startswith("-----BEGIN PRIVATE KEY-----"):
            raise ValueError("not a PKCS#8 PEM private key")
        body = "".join(line.strip() for line in pem.strip().splitlines()[1:-1])
        private = base64.b64decode(body, validate=True)
        get_suite(_SUITE_OF_ALG[alg]).public_key_of(private)  # KeyFormatError if another kind
        return cls(key_id=key_id, private_key=private, alg=alg)

    def __repr__(self) -> str:  # never print the private key
        return f"SigningKey(key_id={self.key_id!r}, alg={self.alg!r})"

    def sign_raw(self, data: bytes) -> bytes:
        return get_suite(_SUITE_OF_ALG[self.alg]).sign(self.private_key, data).value


class Signer(Protocol):
    """Who signs a message: a key id, its algorithm, and the suite's signature of bytes
    (Ed25519: 64 bytes; SM2: DER). ``SigningKey`` holds a private key (a member system,
    tests); ``KeyStoreSigner`` signs with the node's own key store and never sees one."""

    @property
    def key_id(self) -> str: ...

    @property
    def alg(self) -> str: ...

    def sign_raw(self, data: bytes) -> bytes: ...


#: How long (seconds) a process trusts the key id it read for ``KeyStoreSigner``
#: (``TONGBAN_EXCHANGE_SIGNER_CACHE_SECONDS``, default 60, and 0 under ``TESTING``, whose
#: rolled-back databases remake keys; 0 reads the key store every time).
DEFAULT_SIGNER_CACHE_SECONDS = 60

# (purpose, department code, suite) -> (read at, monotonic seconds; key id; alg): public
# facts only, never key material.
_SIGNER_IDS: dict[tuple[str, str, str], tuple[float, str, str]] = {}


def forget_signer_keys() -> None:
    """Forget the key ids ``KeyStoreSigner`` remembers (tests; after a rotation)."""
    _SIGNER_IDS.clear()


def _department_key(department: Any) -> str:
    if department is None or isinstance(department, str):
        return department or ""
    return str(getattr(department, "code", department))


class KeyStoreSigner:
    """Signs with this node's active key of a purpose in ``tongban.core.crypto.keys``
    (``exchange`` by default): how the gateway signs its responses. The key id is read
    first, because the signature covers it; a rotation in between is refused, not hidden.

    The key id (and algorithm) of the active key is remembered per process for
    ``TONGBAN_EXCHANGE_SIGNER_CACHE_SECONDS`` (default 60), per purpose, department and
    configured suite; the signing itself always goes to the key store, which signs with
    the key active *now*. So a rotation takes effect on the next signature: if the store
    signed with another key than the remembered one, ``sign_raw`` forgets the id and
    refuses (``CryptoError``), and the caller signs again with a fresh ``KeyStoreSigner``
    (the gateway does, once). No signature ever names a key that did not make it."""

    def __init__(self, purpose: str = "exchange", department: Any = None) -> None:
        from tongban.core.crypto import keys

        self._keys, self.purpose, self.department = keys, purpose, department
        self._cache_key = (purpose, _department_key(department), get_suite().name)
        default = 0 if getattr(settings, "TESTING", False) else DEFAULT_SIGNER_CACHE_SECONDS
        ttl = float(getattr(settings, "TONGBAN_EXCHANGE_SIGNER_CACHE_SECONDS", default))
        now = time.monotonic()
        cached = _SIGNER_IDS.get(self._cache_key)
        if cached is not None and now - cached[0] < ttl:
            self.key_id, self.alg = cached[1], cached[2]
            return
        info = keys.active_key(purpose, department)
        self.key_id, self.alg = info.key_id, info.alg
        if ttl > 0:
            _SIGNER_IDS[self._cache_key] = (now, self.key_id, self.alg)

    def sign_raw(self, data: bytes) -> bytes:
        signature = self._keys.sign(self.purpose, data, self.department)
        if signature.key_id != self.key_id or signature.alg != self.alg:
            _SIGNER_IDS.pop(self._cache_key, None)
            raise KeyRotated("the exchange key was rotated while signing; sign again")
        return signature.value


class KeyRotated(CryptoError):
    """The key store signed with another key than the one the signature names: the key
    was rotated meanwhile. Sign again with a new ``KeyStoreSigner``."""


def generate_signing_key(key_id: str, suite_name: str | None = None) -> tuple[SigningKey, bytes]:
    """A fresh key pair of a suite: the ``SigningKey`` and its public key (SPKI DER)."""
    suite = get_suite(suite_name)
    pair = suite.generate_signing_key()
    return SigningKey(key_id, pair.private, suite.signature_alg), pair.public


class _OneKey(HTTPSignatureKeyResolver):
    """The package's key resolver for one verification: the key the resolver found."""

    def __init__(self, key_id: str, public: bytes) -> None:
        self.key_id, self.public = key_id, public

    def resolve_public_key(self, key_id: str) -> bytes | None:
        return self.public if key_id == self.key_id else None

    def resolve_private_key(self, key_id: str) -> bytes:
        raise KeyError(key_id)  # verification only


class _Verifier(HTTPMessageVerifier):
    """The package's verifier without its own clock checks: ``created`` is checked here
    against an injectable clock and the configured window (``_check_fresh``)."""

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


# --- signing --------------------------------------------------------------------------------


def new_nonce() -> str:
    """24 random bytes from the OS CSPRNG, base64url without padding."""
    return secrets.token_urlsafe(24)


def content_digest(body: bytes) -> str:
    """``Content-Digest`` of ``body`` (RFC 9530): ``sha-256=:<base64>:``."""
    return str(ContentDigest.create(body))


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    for key in [k for k in headers if k.lower() == name.lower()]:
        del headers[key]
    headers[name] = value


def _sign(
    message: ExchangeRequest | ExchangeResponse,
    signer: Signer,
    components: tuple[str, ...],
    tag: str,
    now: float | None,
    nonce: str | None,
) -> None:
    # The package computes Content-Digest (sha-256) from the body and covers it.
    for name in [k for k in message.headers if k.lower() == "content-digest"]:
        del message.headers[name]
    algorithm = ALGORITHMS[signer.alg]
    handler = HTTPMessageSigner(signature_algorithm=algorithm)
    prepared = handler.prepare(
        message,
        key_id=signer.key_id,
        created=datetime.fromtimestamp(int(time.time() if now is None else now), tz=UTC),
        nonce=nonce or new_nonce(),
        label=LABEL,
        tag=tag,
        include_alg=True,
        covered_component_ids=components,
        body=message.body,
    )
    wire = algorithm.to_wire(signer.sign_raw(prepared.signature_base))
    handler.apply(message, prepared, wire)


def sign_request(
    request: ExchangeRequest,
    key: Signer,
    originator: Originator,
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> ExchangeRequest:
    """Sign ``request`` in place (and return it): sets ``Content-Digest``,
    ``X-Tongban-Originator``, ``Signature-Input`` and ``Signature``."""
    _set_header(request.headers, ORIGINATOR_HEADER, originator.header_value())
    _sign(request, key, REQUEST_COMPONENTS, REQUEST_TAG, now, nonce)
    return request


def sign_response(
    response: ExchangeResponse,
    key: Signer,
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> ExchangeResponse:
    """Sign ``response`` in place, bound to ``response.request`` (which must be the signed
    request as received): sets ``Content-Digest``, ``Signature-Input`` and ``Signature``."""
    _sign(response, key, RESPONSE_COMPONENTS, RESPONSE_TAG, now, nonce)
    return response


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """A signature that holds: who signed, when, with which nonce, over which digest.
    ``originator`` is set for a request and None for a response."""

    key_id: str
    member: str
    alg: str
    created: int
    nonce: str
    content_digest: str
    signature: bytes
    originator: Originator | None = None
    status: int | None = None


@dataclass(frozen=True)
class _Parsed:
    params: dict[str, Any]
    components: list[str]
    signature: bytes


def window_seconds() -> int:
    """``TONGBAN_EXCHANGE_SIGNATURE_WINDOW`` (default 300): allowed skew of ``created``."""
    return int(getattr(settings, "TONGBAN_EXCHANGE_SIGNATURE_WINDOW", DEFAULT_WINDOW))


def _parse_dictionary(value: str) -> Any:
    # The package's own strict Structured Fields parser (RFC 8941 Dictionary, duplicate
    # labels refused); http-message-signatures is pinned to 3.0.* for it.
    return HTTPSignatureHandler._parse_signature_dictionary(value)


def _parse(headers: Mapping[str, str], tag: str, required: tuple[str, ...]) -> _Parsed:
    sig_input_value = header(headers, "Signature-Input")
    signature_value = header(headers, "Signature")
    if not sig_input_value or not signature_value:
        raise refused("unsigned", _("The message carries no signature (RFC 9421)."))
    try:
        inputs = _parse_dictionary(sig_input_value)
        signatures = _parse_dictionary(signature_value)
    except (HTTPMessageSignaturesException, ValueError, TypeError, UnicodeError) as exc:
        raise refused(
            "malformed", _("The Signature-Input or Signature header cannot be read.")
        ) from exc
    if list(inputs) != [LABEL] or list(signatures) != [LABEL]:
        raise refused(
            "malformed", _("The message must carry exactly one signature, labelled tongban.")
        )
    sig_input, signature = inputs[LABEL], signatures[LABEL]
    value = getattr(signature, "value", None)
    if not isinstance(sig_input, Sequence) or not isinstance(value, bytes) or not value:
        raise refused("malformed", _("The signature or its input is not in RFC 9421 form."))
    params = dict(getattr(sig_input, "params", {}))
    unknown = set(params) - ALLOWED_PARAMETERS
    if unknown:
        raise refused(
            "malformed",
            _("The signature has parameters that are not allowed: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
        )
    for name in REQUIRED_PARAMETERS:
        if name not in params:
            raise refused(
                "missing_component",
                _("The signature has no %(name)s parameter.") % {"name": name},
            )
    if type(params["created"]) is not int or (
        "expires" in params and type(params["expires"]) is not int
    ):
        raise refused("malformed", _("The signature's created time is not an integer."))
    for name in ("nonce", "keyid", "alg"):
        if not isinstance(params[name], str):
            raise refused(
                "malformed", _("The signature's %(name)s is not a string.") % {"name": name}
            )
    if params.get("tag") != tag:
        raise refused("malformed", _("The signature is not tagged %(tag)s.") % {"tag": tag})
    if not NONCE_RE.fullmatch(params["nonce"]):
        raise refused("malformed", _("The nonce must be 22 to 128 base64url characters."))
    if not KEY_ID_RE.fullmatch(params["keyid"]):
        raise refused("malformed", _("The key id is not a valid key id."))
    components = [str(item) for item in sig_input]
    for component in required:
        wanted = component if component.startswith('"') else f'"{component}"'
        if wanted not in components:
            raise refused(
                "missing_component",
                _("The signature does not cover %(component)s.") % {"component": component},
            )
    return _Parsed(params=params, components=components, signature=value)


def _resolve(parsed: _Parsed, keys: KeyResolver) -> tuple[PublicKey, type[_SuiteAlgorithm]]:
    key = keys.resolve(parsed.params["keyid"])
    if key is None:
        raise refused(
            "unknown_key",
            _("The key %(key)s is not a registered, valid key of a member system.")
            % {"key": parsed.params["keyid"]},
        )
    algorithm = ALGORITHMS.get(parsed.params["alg"])
    if algorithm is None:
        raise refused(
            "malformed",
            _("The signature algorithm %(alg)s is not one the exchange accepts.")
            % {"alg": parsed.params["alg"]},
        )
    if key.alg != algorithm.algorithm_id:
        raise refused(
            "bad_signature", _("The signature algorithm is not the algorithm of its key.")
        )
    return key, algorithm


def _check_crypto(
    message: ExchangeRequest | ExchangeResponse,
    parsed: _Parsed,
    key: PublicKey,
    algorithm: type[_SuiteAlgorithm],
    tag: str,
    required: tuple[str, ...],
) -> None:
    verifier = _Verifier(
        signature_algorithm=algorithm,
        key_resolver=_OneKey(parsed.params["keyid"], key.public_key),
    )
    try:
        verifier.verify(message, max_age=None, expect_tag=tag, require_components=required)
    except HTTPMessageSignaturesException as exc:
        raise refused(
            "bad_signature", _("The signature does not match the message or its key.")
        ) from exc


def _digest_form(headers: Mapping[str, str]) -> str:
    value = (header(headers, "Content-Digest") or "").strip()
    if not _DIGEST_RE.fullmatch(value):
        raise refused("malformed", _("Content-Digest must hold one sha-256 digest (RFC 9530)."))
    return value


def _check_digest(headers: Mapping[str, str], body: bytes) -> str:
    value = _digest_form(headers)
    if not hmac.compare_digest(value, content_digest(body)):
        raise refused("digest_mismatch", _("The body does not match its Content-Digest."))
    return value


def _check_fresh(params: Mapping[str, Any], now: float, window: int) -> None:
    created = params["created"]
    if created > now + window:
        raise refused(
            "skewed",
            _("The signature was made %(seconds)d seconds ahead of this node's clock.")
            % {"seconds": int(created - now)},
        )
    if created < now - window:
        raise refused(
            "expired",
            _("The signature was made %(seconds)d seconds ago, more than %(window)d.")
            % {"seconds": int(now - created), "window": window},
        )
    if "expires" in params and params["expires"] < now:
        raise refused("expired", _("The signature has expired."))


@contextmanager
def _only_refusals() -> Iterator[None]:
    """Whatever goes wrong reading a message becomes a ``malformed`` refusal."""
    try:
        yield
    except SignatureRefused:
        raise
    except (
        HTTPMessageSignaturesException,
        ValueError,
        TypeError,
        KeyError,
        UnicodeError,
        OverflowError,
        AttributeError,
        binascii.Error,
    ) as exc:
        raise refused("malformed", _("The message cannot be read as a signed message.")) from exc


def _verify(
    message: ExchangeRequest | ExchangeResponse,
    keys: KeyResolver,
    tag: str,
    required: tuple[str, ...],
    check_digest_of: Callable[[], str],
) -> tuple[_Parsed, PublicKey, str]:
    parsed = _parse(message.headers, tag, required)
    for component in required:
        name = component.strip('"')
        plain_field = not name.startswith("@") and ";" not in component
        if plain_field and header(message.headers, name) is None:
            raise refused(
                "missing_component",
                _("The header %(name)s is covered but missing.") % {"name": name},
            )
    key, algorithm = _resolve(parsed, keys)
    _check_crypto(message, parsed, key, algorithm, tag, required)
    digest = check_digest_of()
    return parsed, key, digest


def _verify_request(
    request: ExchangeRequest,
    keys: KeyResolver,
    *,
    nonces: NonceStore | None,
    now: float | None,
    window: int,
    body_known: bool = True,
) -> Verified:
    with _only_refusals():
        digest_check: Callable[[], str] = (
            (lambda: _check_digest(request.headers, request.body))
            if body_known
            else (lambda: _digest_form(request.headers))
        )
        parsed, key, digest = _verify(request, keys, REQUEST_TAG, REQUEST_COMPONENTS, digest_check)
        originator = Originator.parse(header(request.headers, ORIGINATOR_HEADER) or "")
        if nonces is not None:
            _check_fresh(parsed.params, time.time() if now is None else now, window)
            ttl = 2 * window + 1
            if not nonces.remember(parsed.params["keyid"], parsed.params["nonce"], ttl):
                raise refused(
                    "replayed", _("This request was received before (its nonce was seen).")
                )
        return Verified(
            key_id=parsed.params["keyid"],
            member=key.member,
            alg=key.alg,
            created=parsed.params["created"],
            nonce=parsed.params["nonce"],
            content_digest=digest,
            signature=parsed.signature,
            originator=originator,
        )


def verify_request(
    request: ExchangeRequest,
    *,
    keys: KeyResolver,
    nonces: NonceStore,
    now: float | None = None,
    window: int | None = None,
) -> Verified:
    """Check a request as the gateway receives it: its signature over every required
    component (P3), its body against its digest, its ``created`` against the clock and its
    nonce against ``nonces`` (P4), and read its signed originator (P9). Return what was
    proven, or raise ``SignatureRefused``. ``now`` (epoch seconds) defaults to the clock
    and ``window`` to the setting."""
    window = window_seconds() if window is None else window
    return _verify_request(request, keys, nonces=nonces, now=now, window=window)


def verify_request_evidence(
    request: ExchangeRequest, *, keys: KeyResolver, body_known: bool = True
) -> Verified:
    """Check a request kept as evidence, long after it was sent: the signature and the
    originator, and the body against its digest when ``body_known``; neither the clock nor
    the nonce (it was accepted once already). Never for a request the gateway receives."""
    return _verify_request(
        request, keys, nonces=None, now=None, window=window_seconds(), body_known=body_known
    )


def verify_response(
    response: ExchangeResponse,
    *,
    keys: KeyResolver,
    now: float | None = None,
    window: int | None = None,
    check_time: bool = True,
    body_known: bool = True,
) -> Verified:
    """Check a response's signature and that it answers ``response.request`` (P5): the
    request's signature, method, authority, path, query and digest are covered, so it
    verifies beside no other request. ``check_time=False`` (and ``body_known=False`` when
    the body was not kept) for evidence checked after the fact."""
    window = window_seconds() if window is None else window
    with _only_refusals():
        if not header(response.request.headers, "Signature"):
            raise refused(
                "missing_component", _("The request this response answers is not signed.")
            )
        digest_check: Callable[[], str] = (
            (lambda: _check_digest(response.headers, response.body))
            if body_known
            else (lambda: _digest_form(response.headers))
        )
        parsed, key, digest = _verify(
            response, keys, RESPONSE_TAG, RESPONSE_COMPONENTS, digest_check
        )
        if check_time:
            _check_fresh(parsed.params, time.time() if now is None else now, window)
        return Verified(
            key_id=parsed.params["keyid"],
            member=key.member,
            alg=key.alg,
            created=parsed.params["created"],
            nonce=parsed.params["nonce"],
            content_digest=digest,
            signature=parsed.signature,
            status=response.status_code,
        )
