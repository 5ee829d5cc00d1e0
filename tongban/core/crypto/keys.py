"""The key store: one key per purpose (and optionally per department), with rotation.

Callers never handle private or secret key material: they ask the key provider to sign,
verify, encrypt or decrypt *for a purpose*, and get back signatures and ciphertexts that
name the key that made them. That is what lets a hardware security module (HSM) or a
certified signature server (签名验签服务器, GM/T 0018 SDF) replace the database provider
later without changing a caller (see ``KeyProvider`` and ADR 0003).

``DatabaseKeyProvider`` keeps keys in ``CryptoKey`` rows. Private and secret material is
encrypted under the key-encryption key (KEK), with the row's key id, purpose, department,
kind and algorithm as associated data, so a wrapped key copied into another row does not
unwrap. The KEK comes from ``settings.TONGBAN_KEK`` (64 hex digits or base64 of 32 bytes) or
the file named by ``settings.TONGBAN_KEK_FILE``; without either, a development KEK is
derived from ``SECRET_KEY`` and a ``RuntimeWarning`` is raised unless DEBUG or testing.

Keys are made with the configured suite (``TONGBAN_CRYPTO_SUITE``). ``active_key`` makes the
first key of a purpose on first use, and a new one when the configured suite changed;
``rotate`` retires the active key and makes a new one. Retired keys are kept: what they
signed still verifies and what they encrypted still decrypts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac as std_hmac
import re
import secrets
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core.audit import record_audit
from tongban.core.crypto.providers import DecryptionError, KeyStoreError
from tongban.core.crypto.suites import (
    CryptoSuite,
    Signature,
    SignatureFormatError,
    b64url_decode,
    b64url_encode,
    get_suite,
)
from tongban.core.models import CryptoKey, KeyKind, KeyPurpose, KeyStatus

KEK_SIZE = 32

#: The purpose of the key that makes keyed digests of personal data (``mac``): exact-match
#: look-ups and unique constraints on encrypted columns (``core/crypto/fields.py``).
#: Not (yet) a ``KeyPurpose`` choice: the column accepts it; see docs/adr/0005.
PII_DIGEST = "pii-digest"

#: The kind of key each purpose uses. A purpose never switches kind.
PURPOSE_KINDS: dict[str, str] = {
    KeyPurpose.LICENCE: KeyKind.SIGNING,
    KeyPurpose.AUDIT_SEAL: KeyKind.SIGNING,
    KeyPurpose.EXCHANGE: KeyKind.SIGNING,
    KeyPurpose.EXCHANGE_CONFIG: KeyKind.SIGNING,
    KeyPurpose.FIELD_ENCRYPTION: KeyKind.SECRET,
    PII_DIGEST: KeyKind.SECRET,
}

#: Secret-key purposes used only for MACs, never to encrypt. Their key is pinned: a change
#: of the configured suite does not replace it (digests already stored must keep matching);
#: only an explicit ``rotate`` does, followed by re-digesting every row (ADR 0005).
MAC_PURPOSES = frozenset({PII_DIGEST})

# Unwrapped secret keys of this process, by (key id, wrapped bytes, KEK): a key row never
# changes its material, so an entry stays right; another KEK or altered wrapped bytes miss.
_UNWRAPPED: dict[tuple[str, bytes, bytes], bytes] = {}
# For decryption by key id without a query: key id -> (KEK, purpose, kind, suite, key).
_DECRYPTING: dict[str, tuple[bytes, str, str, str, bytes]] = {}
_CACHE_LIMIT = 1024


def clear_key_cache() -> None:
    """Forget every unwrapped key of this process (tests; after re-wrapping keys)."""
    _UNWRAPPED.clear()
    _DECRYPTING.clear()


# --- the key-encryption key ---------------------------------------------------------------


def _parse_kek(text: str, source: str) -> bytes:
    text = text.strip()
    raw: bytes | None = None
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raw = bytes.fromhex(text)
    else:
        try:
            raw = base64.b64decode(text.replace("-", "+").replace("_", "/") + "==")
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != KEK_SIZE:
        raise ImproperlyConfigured(
            f"{source} must hold a {KEK_SIZE}-byte key as 64 hex digits or base64; "
            "make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return raw


def load_kek() -> bytes:
    """The KEK from ``TONGBAN_KEK`` or ``TONGBAN_KEK_FILE``, else the development KEK.

    Raises ``ImproperlyConfigured`` if both are set, the file cannot be read, or the value
    is not 32 bytes.
    """
    value = str(getattr(settings, "TONGBAN_KEK", "") or "")
    path = str(getattr(settings, "TONGBAN_KEK_FILE", "") or "")
    if value and path:
        raise ImproperlyConfigured("set TONGBAN_KEK or TONGBAN_KEK_FILE, not both")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ImproperlyConfigured(f"TONGBAN_KEK_FILE {path!r} cannot be read: {exc}") from exc
        return _parse_kek(value, f"TONGBAN_KEK_FILE {path!r}")
    if value:
        return _parse_kek(value, "TONGBAN_KEK")
    if not (settings.DEBUG or getattr(settings, "TESTING", False)):
        warnings.warn(
            "TONGBAN_KEK / TONGBAN_KEK_FILE is not set: private keys are wrapped with a "
            "development key derived from SECRET_KEY. Set a real key-encryption key (or use "
            "an HSM) before this installation holds real keys.",
            RuntimeWarning,
            stacklevel=2,
        )
    return std_hmac.new(
        settings.SECRET_KEY.encode(), b"tongban/development-kek", hashlib.sha256
    ).digest()


def _wrapping_key(suite: CryptoSuite, kek: bytes) -> bytes:
    return suite.hmac(kek, b"tongban/kek/wrap")[: suite.secret_key_size]


def kek_fingerprint(suite: CryptoSuite, kek: bytes) -> str:
    """An id of the KEK (not a secret): tells which KEK wrapped a key."""
    return suite.hmac(kek, b"tongban/kek/fingerprint").hex()[:16]


def _binding(row: CryptoKey) -> bytes:
    fields = (row.key_id, row.purpose, row.department_code, row.kind, row.alg)
    return ("tongban/key|" + "|".join(fields)).encode()


# --- what callers see ---------------------------------------------------------------------


@dataclass(frozen=True)
class KeyInfo:
    """A key's public facts: never private or secret material."""

    key_id: str
    purpose: str
    department_code: str
    kind: str
    suite: str
    alg: str
    status: str
    public_key: bytes
    created_at: datetime
    retired_at: datetime | None

    @property
    def public_key_b64(self) -> str:
        """The public key (SubjectPublicKeyInfo DER) in base64, for publishing."""
        return base64.b64encode(self.public_key).decode("ascii")

    @classmethod
    def of(cls, row: CryptoKey) -> KeyInfo:
        return cls(
            key_id=row.key_id,
            purpose=row.purpose,
            department_code=row.department_code,
            kind=row.kind,
            suite=row.suite,
            alg=row.alg,
            status=row.status,
            public_key=bytes(row.public_key or b""),
            created_at=row.created_at,
            retired_at=row.retired_at,
        )


class KeyProvider(ABC):
    """Where keys live and where key operations run.

    Every operation takes a purpose; no method returns private or secret material, so an
    implementation may keep keys inside an HSM or a signature server.
    """

    @abstractmethod
    def active_key(self, purpose: str, department: Any = None) -> KeyInfo:
        """The key used for new signatures or ciphertexts of ``purpose``."""

    @abstractmethod
    def rotate(self, purpose: str, department: Any = None, *, actor: Any) -> KeyInfo:
        """Retire the active key of ``purpose`` and make a new one."""

    @abstractmethod
    def public_keys(
        self, purpose: str | None = None, department: Any = None, *, include_retired: bool = True
    ) -> list[KeyInfo]:
        """Signing keys' public halves, for publishing to verifiers."""

    @abstractmethod
    def get_key(self, key_id: str) -> KeyInfo:
        """The key called ``key_id`` (active or retired)."""

    @abstractmethod
    def sign(self, purpose: str, data: bytes, department: Any = None) -> Signature:
        """Sign ``data`` with the active key of ``purpose``."""

    @abstractmethod
    def verify(self, purpose: str, data: bytes, signature: Signature | str) -> bool:
        """Check ``signature`` with the key it names, which must be a ``purpose`` key."""

    @abstractmethod
    def encrypt(
        self, purpose: str, plaintext: bytes, aad: bytes = b"", department: Any = None
    ) -> str:
        """Encrypt with the active secret key of ``purpose``: ``key_id.base64url``."""

    @abstractmethod
    def decrypt(self, purpose: str, token: str, aad: bytes = b"") -> bytes:
        """Inverse of ``encrypt``, with whichever key the token names."""

    @abstractmethod
    def mac(self, purpose: str, data: bytes) -> tuple[str, bytes]:
        """MAC ``data`` with the pinned key of a MAC purpose: ``(key_id, tag)``."""


class SignatureServerKeyProvider(KeyProvider):
    """Extension point, not implemented and not used: a certified 密码机 / 签名验签服务器.

    A 密评 level-3 deployment keeps keys inside a crypto product certified at GB/T 37092
    level 2 or above. Such a provider would talk GM/T 0018 (SDF) or the vendor's signature
    server protocol and implement every ``KeyProvider`` method without exporting a key.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "No HSM or signature-server key provider is implemented yet: implement "
            "KeyProvider against the device's GM/T 0018 (SDF) interface; see ADR 0003."
        )

    # The abstract methods are declared so the class documents the whole interface.
    def active_key(self, purpose: str, department: Any = None) -> KeyInfo:
        raise NotImplementedError

    def rotate(self, purpose: str, department: Any = None, *, actor: Any) -> KeyInfo:
        raise NotImplementedError

    def public_keys(
        self, purpose: str | None = None, department: Any = None, *, include_retired: bool = True
    ) -> list[KeyInfo]:
        raise NotImplementedError

    def get_key(self, key_id: str) -> KeyInfo:
        raise NotImplementedError

    def sign(self, purpose: str, data: bytes, department: Any = None) -> Signature:
        raise NotImplementedError

    def verify(self, purpose: str, data: bytes, signature: Signature | str) -> bool:
        raise NotImplementedError

    def encrypt(
        self, purpose: str, plaintext: bytes, aad: bytes = b"", department: Any = None
    ) -> str:
        raise NotImplementedError

    def decrypt(self, purpose: str, token: str, aad: bytes = b"") -> bytes:
        raise NotImplementedError

    def mac(self, purpose: str, data: bytes) -> tuple[str, bytes]:
        raise NotImplementedError


# --- the database provider ----------------------------------------------------------------


def _purpose(purpose: str) -> str:
    if purpose in MAC_PURPOSES:
        return purpose
    try:
        return str(KeyPurpose(purpose))
    except ValueError:
        choices = ", ".join([*KeyPurpose.values, *sorted(MAC_PURPOSES)])
        raise KeyStoreError(f"unknown key purpose {purpose!r}; use one of: {choices}") from None


def _department_code(department: Any) -> str:
    if department is None or department == "":
        return ""
    if isinstance(department, str):
        return department
    code = getattr(department, "code", None)
    if not isinstance(code, str) or not code:
        raise KeyStoreError("department must be a department code or a Department")
    return code


def _check_department_exists(code: str) -> None:
    if code and not apps.get_model("org", "Department").objects.filter(code=code).exists():
        raise KeyStoreError(f"unknown department {code!r}")


def _data_aad(purpose: str, key_id: str, aad: bytes) -> bytes:
    return f"tongban/data|{purpose}|{key_id}|".encode() + aad


class DatabaseKeyProvider(KeyProvider):
    """Keys in ``CryptoKey`` rows, wrapped under the KEK. For development, CI and
    deployments that are not assessed at 密评 level 3."""

    # -- reading ---------------------------------------------------------------------------

    @staticmethod
    def _active_row(purpose: str, code: str) -> CryptoKey | None:
        return CryptoKey.objects.filter(
            purpose=purpose, department_code=code, status=KeyStatus.ACTIVE
        ).first()

    def active_key(self, purpose: str, department: Any = None) -> KeyInfo:
        return KeyInfo.of(self._active(purpose, department))

    def _active(self, purpose: str, department: Any) -> CryptoKey:
        purpose, code = _purpose(purpose), _department_code(department)
        row = self._active_row(purpose, code)
        if row is not None and purpose in MAC_PURPOSES:
            return row  # pinned: a suite change does not replace it (see MAC_PURPOSES)
        suite = get_suite()
        if row is not None and row.suite == suite.name:
            return row
        return self._replace(purpose, code, actor=None, reason="suite" if row else "first-use")

    def get_key(self, key_id: str) -> KeyInfo:
        return KeyInfo.of(self._row(key_id))

    @staticmethod
    def _row(key_id: str) -> CryptoKey:
        row = CryptoKey.objects.filter(key_id=key_id).first()
        if row is None:
            raise KeyStoreError(f"no key with id {key_id!r}")
        return row

    def public_keys(
        self, purpose: str | None = None, department: Any = None, *, include_retired: bool = True
    ) -> list[KeyInfo]:
        rows = CryptoKey.objects.filter(kind=KeyKind.SIGNING)
        if purpose is not None:
            rows = rows.filter(purpose=_purpose(purpose))
        if department is not None:
            rows = rows.filter(department_code=_department_code(department))
        if not include_retired:
            rows = rows.filter(status=KeyStatus.ACTIVE)
        return [KeyInfo.of(row) for row in rows.order_by("purpose", "department_code", "-id")]

    # -- writing ---------------------------------------------------------------------------

    def rotate(self, purpose: str, department: Any = None, *, actor: Any) -> KeyInfo:
        """Retire the active key of ``purpose`` (and department) and make a new one with
        the configured suite; writes a ``crypto.key.rotated`` audit record.

        Raises ``KeyStoreError`` for an unknown purpose or department.
        """
        return KeyInfo.of(
            self._replace(_purpose(purpose), _department_code(department), actor, "rotate")
        )

    def _replace(self, purpose: str, code: str, actor: Any, reason: str) -> CryptoKey:
        _check_department_exists(code)
        try:
            with transaction.atomic():
                return self._replace_locked(purpose, code, actor, reason)
        except IntegrityError:
            # Another process made the active key between our read and our insert.
            row = self._active_row(purpose, code)
            if row is None or reason == "rotate":
                raise
            return row

    def _replace_locked(self, purpose: str, code: str, actor: Any, reason: str) -> CryptoKey:
        suite = get_suite()
        current = (
            CryptoKey.objects.select_for_update()
            .filter(purpose=purpose, department_code=code, status=KeyStatus.ACTIVE)
            .first()
        )
        pinned = purpose in MAC_PURPOSES
        if current is not None and reason != "rotate" and (pinned or current.suite == suite.name):
            return current  # made meanwhile by another caller
        now = timezone.now()
        if current is not None:
            current.status, current.retired_at = KeyStatus.RETIRED, now
            current.save(update_fields=["status", "retired_at"])
        row = self._new_row(suite, purpose, code, now)
        action = "crypto.key.rotated" if current is not None else "crypto.key.created"
        record_audit(
            actor,
            action,
            row,
            meta={
                "purpose": purpose,
                "department": code,
                "key_id": row.key_id,
                "alg": row.alg,
                "retired_key_id": current.key_id if current is not None else "",
                "reason": reason,
            },
        )
        return row

    @staticmethod
    def _new_row(suite: CryptoSuite, purpose: str, code: str, now: datetime) -> CryptoKey:
        kind = PURPOSE_KINDS[purpose]
        if kind == KeyKind.SIGNING:
            pair = suite.generate_signing_key()
            material, public = pair.private, pair.public
            key_id, alg = suite.fingerprint(public), suite.signature_alg
        else:
            material, public = suite.generate_secret_key(), b""
            key_id, alg = secrets.token_hex(8), suite.cipher_alg
        kek = load_kek()
        row = CryptoKey(
            key_id=key_id,
            purpose=purpose,
            department_code=code,
            kind=kind,
            suite=suite.name,
            alg=alg,
            status=KeyStatus.ACTIVE,
            public_key=public,
            kek_fingerprint=kek_fingerprint(suite, kek),
            created_at=now,
        )
        row.wrapped_key = suite.encrypt(_wrapping_key(suite, kek), material, _binding(row))
        row.save()
        return row

    # -- using keys ------------------------------------------------------------------------

    @staticmethod
    def _unwrap(row: CryptoKey) -> bytes:
        """The row's key material; cached per process (by key id, wrapped bytes and KEK)."""
        kek = load_kek()
        wrapped = bytes(row.wrapped_key)
        cache_key = (row.key_id, wrapped, kek)
        material = _UNWRAPPED.get(cache_key)
        if material is None:
            material = DatabaseKeyProvider._unwrap_uncached(row, kek, wrapped)
            if len(_UNWRAPPED) >= _CACHE_LIMIT:
                _UNWRAPPED.clear()
            _UNWRAPPED[cache_key] = material
        return material

    @staticmethod
    def _unwrap_uncached(row: CryptoKey, kek: bytes, wrapped: bytes) -> bytes:
        suite = get_suite(row.suite)
        if kek_fingerprint(suite, kek) != row.kek_fingerprint:
            raise KeyStoreError(
                f"key {row.key_id} was wrapped under another KEK "
                f"(fingerprint {row.kek_fingerprint}); check TONGBAN_KEK"
            )
        try:
            return suite.decrypt(_wrapping_key(suite, kek), wrapped, _binding(row))
        except DecryptionError as exc:
            raise KeyStoreError(f"key {row.key_id} does not unwrap: it was altered") from exc

    @staticmethod
    def _require_kind(purpose: str, kind: str) -> None:
        if PURPOSE_KINDS[purpose] != kind:
            raise KeyStoreError(f"{purpose} keys are {PURPOSE_KINDS[purpose]} keys, not {kind}")

    def sign(self, purpose: str, data: bytes, department: Any = None) -> Signature:
        self._require_kind(_purpose(purpose), KeyKind.SIGNING)
        row = self._active(purpose, department)
        return get_suite(row.suite).sign(self._unwrap(row), data, key_id=row.key_id)

    def verify(self, purpose: str, data: bytes, signature: Signature | str) -> bool:
        purpose = _purpose(purpose)
        self._require_kind(purpose, KeyKind.SIGNING)
        if isinstance(signature, str):
            try:
                signature = Signature.parse(signature)
            except SignatureFormatError:
                return False
        row = CryptoKey.objects.filter(key_id=signature.key_id).first()
        if row is None or row.purpose != purpose or row.kind != KeyKind.SIGNING:
            return False
        if signature.alg != row.alg:
            return False
        return get_suite(row.suite).verify(bytes(row.public_key), data, signature)

    @staticmethod
    def _refuse_mac_purpose(purpose: str) -> None:
        if purpose in MAC_PURPOSES:
            raise KeyStoreError(f"{purpose} keys only make MACs; they never encrypt")

    def encrypt(
        self, purpose: str, plaintext: bytes, aad: bytes = b"", department: Any = None
    ) -> str:
        self._require_kind(_purpose(purpose), KeyKind.SECRET)
        self._refuse_mac_purpose(purpose)
        row = self._active(purpose, department)
        suite = get_suite(row.suite)
        blob = suite.encrypt(self._unwrap(row), plaintext, _data_aad(row.purpose, row.key_id, aad))
        return f"{row.key_id}.{b64url_encode(blob)}"

    def decrypt(self, purpose: str, token: str, aad: bytes = b"") -> bytes:
        purpose = _purpose(purpose)
        self._require_kind(purpose, KeyKind.SECRET)
        self._refuse_mac_purpose(purpose)
        key_id, dot, body = token.partition(".")
        if not dot or not key_id:
            raise DecryptionError("not a ciphertext token (key_id.base64url)")
        try:
            blob = b64url_decode(body)
        except SignatureFormatError as exc:
            raise DecryptionError("not a ciphertext token (key_id.base64url)") from exc
        kek = load_kek()
        entry = _DECRYPTING.get(key_id)
        if entry is None or entry[0] != kek:
            row = self._row(key_id)
            entry = (kek, row.purpose, row.kind, row.suite, self._unwrap(row))
            if len(_DECRYPTING) >= _CACHE_LIMIT:
                _DECRYPTING.clear()
            _DECRYPTING[key_id] = entry
        _kek, row_purpose, kind, suite_name, material = entry
        if row_purpose != purpose or kind != KeyKind.SECRET:
            raise KeyStoreError(f"key {key_id} is not a {purpose} key")
        return get_suite(suite_name).decrypt(material, blob, _data_aad(purpose, key_id, aad))

    def mac(self, purpose: str, data: bytes) -> tuple[str, bytes]:
        """MAC ``data`` (the suite's HMAC) with the pinned key of ``purpose``, made on first
        use. Returns the key id with the tag, so stored tags say which key made them."""
        purpose = _purpose(purpose)
        if purpose not in MAC_PURPOSES:
            raise KeyStoreError(f"{purpose} keys do not make MACs")
        row = self._active(purpose, None)
        return row.key_id, get_suite(row.suite).hmac(self._unwrap(row), data)


def get_key_provider() -> KeyProvider:
    """The key provider in use: the database provider (the only one implemented)."""
    return DatabaseKeyProvider()


# --- module-level API ---------------------------------------------------------------------


def active_key(purpose: str, department: Any = None) -> KeyInfo:
    return get_key_provider().active_key(purpose, department)


def rotate(purpose: str, department: Any = None, *, actor: Any) -> KeyInfo:
    return get_key_provider().rotate(purpose, department, actor=actor)


def public_keys(
    purpose: str | None = None, department: Any = None, *, include_retired: bool = True
) -> list[KeyInfo]:
    return get_key_provider().public_keys(purpose, department, include_retired=include_retired)


def get_key(key_id: str) -> KeyInfo:
    return get_key_provider().get_key(key_id)


def sign(purpose: str, data: bytes, department: Any = None) -> Signature:
    return get_key_provider().sign(purpose, data, department)


def verify(purpose: str, data: bytes, signature: Signature | str) -> bool:
    return get_key_provider().verify(purpose, data, signature)


def encrypt(purpose: str, plaintext: bytes, aad: bytes = b"", department: Any = None) -> str:
    return get_key_provider().encrypt(purpose, plaintext, aad, department)


def decrypt(purpose: str, token: str, aad: bytes = b"") -> bytes:
    return get_key_provider().decrypt(purpose, token, aad)


def mac(purpose: str, data: bytes) -> tuple[str, bytes]:
    return get_key_provider().mac(purpose, data)
