"""Crypto suites: one set of algorithms chosen for the whole platform.

``settings.TONGBAN_CRYPTO_SUITE`` picks the suite for new keys and new hashes:

========  ==============  ==========  ============  ============
suite     signatures      hash        MAC           encryption
========  ==============  ==========  ============  ============
``intl``  Ed25519         SHA-256     HMAC-SHA256   AES-256-GCM
``gm``    SM2 with SM3    SM3         HMAC-SM3      SM4-GCM
========  ==============  ==========  ============  ============

Everything a suite produces says which algorithm made it (a ``Signature`` carries ``alg``,
a stored key its suite), so data made under one suite stays verifiable after a city
switches to the other: use ``suite_for_signature_alg`` / ``get_suite(name)`` for old data.

Encryption output is ``nonce (12 bytes, os.urandom) || ciphertext || tag (16 bytes)``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Final

from django.conf import settings

from tongban.core.crypto import providers
from tongban.core.crypto.providers import CryptoError, DecryptionError, KeyFormatError

NONCE_SIZE: Final = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ALG = re.compile(r"^[a-z0-9-]{1,32}$")


class SignatureFormatError(CryptoError):
    """A serialised signature that is not ``alg.key_id.base64url``."""


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise SignatureFormatError("signature value is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SignatureFormatError("signature value is not base64url") from exc


@dataclass(frozen=True)
class Signature:
    """A signature with the algorithm that made it and the id of the signing key.

    Serialised compactly as ``alg.key_id.base64url(value)`` (no padding), e.g.
    ``ed25519.k7f3a9c2e1b04d5a6.Zm9v...``; ``parse`` is its inverse.
    """

    alg: str
    key_id: str
    value: bytes

    def __post_init__(self) -> None:
        if not _ALG.match(self.alg):
            raise SignatureFormatError(f"invalid signature algorithm {self.alg!r}")
        if not _KEY_ID.match(self.key_id):
            raise SignatureFormatError(f"invalid key id {self.key_id!r}")
        if not self.value:
            raise SignatureFormatError("empty signature value")

    def serialise(self) -> str:
        return f"{self.alg}.{self.key_id}.{b64url_encode(self.value)}"

    def __str__(self) -> str:
        return self.serialise()

    @classmethod
    def parse(cls, text: str) -> Signature:
        """Read ``alg.key_id.base64url``; raises ``SignatureFormatError``."""
        parts = text.strip().split(".")
        if len(parts) != 3 or not all(parts):
            raise SignatureFormatError("a signature has the form alg.key_id.value")
        alg, key_id, value = parts
        return cls(alg=alg, key_id=key_id, value=b64url_decode(value))


@dataclass(frozen=True)
class KeyPair:
    """A signing key pair: PKCS#8 DER private key, SubjectPublicKeyInfo DER public key."""

    private: bytes
    public: bytes


class CryptoSuite(ABC):
    """The operations every suite offers. Stateless: keys are passed in as bytes."""

    name: ClassVar[str]
    signature_alg: ClassVar[str]
    hash_alg: ClassVar[str]
    hmac_alg: ClassVar[str]
    cipher_alg: ClassVar[str]
    secret_key_size: ClassVar[int]

    @abstractmethod
    def hash(self, data: bytes) -> bytes:
        """The suite's digest of ``data``."""

    @abstractmethod
    def hmac(self, key: bytes, data: bytes) -> bytes:
        """The suite's MAC of ``data`` under ``key``."""

    @abstractmethod
    def hmac_verify(self, key: bytes, data: bytes, tag: bytes) -> bool:
        """Constant-time check of a MAC tag."""

    @abstractmethod
    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes: ...

    @abstractmethod
    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes: ...

    @abstractmethod
    def _sign_raw(self, private_key: bytes, data: bytes) -> bytes: ...

    @abstractmethod
    def _verify_raw(self, public_key: bytes, data: bytes, value: bytes) -> bool: ...

    @abstractmethod
    def generate_signing_key(self) -> KeyPair:
        """A fresh signing key pair from the OS CSPRNG."""

    @abstractmethod
    def public_key_of(self, private_key: bytes) -> bytes:
        """The public key (SPKI DER) that belongs to ``private_key`` (PKCS#8 DER)."""

    def generate_secret_key(self) -> bytes:
        """A fresh symmetric key of the suite's cipher (``os.urandom``)."""
        return os.urandom(self.secret_key_size)

    def _check_secret_key(self, key: bytes) -> None:
        if len(key) != self.secret_key_size:
            raise KeyFormatError(
                f"{self.cipher_alg} needs a {self.secret_key_size}-byte key, got {len(key)}"
            )

    def encrypt(self, key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
        """Authenticated encryption: ``nonce || ciphertext || tag``. ``aad`` is bound to
        the ciphertext but not stored in it: pass the same ``aad`` to ``decrypt``."""
        self._check_secret_key(key)
        nonce = os.urandom(NONCE_SIZE)
        return nonce + self._seal(key, nonce, plaintext, aad)

    def decrypt(self, key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
        """Inverse of ``encrypt``; raises ``DecryptionError`` if anything was altered."""
        self._check_secret_key(key)
        if len(blob) < NONCE_SIZE + providers.TAG_SIZE:
            raise DecryptionError("ciphertext too short")
        return self._open(key, blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)

    def sign(self, private_key: bytes, data: bytes, *, key_id: str = "local") -> Signature:
        """Sign ``data``; ``key_id`` names the key so that a verifier can find it."""
        value = self._sign_raw(private_key, data)
        return Signature(alg=self.signature_alg, key_id=key_id, value=value)

    def verify(self, public_key: bytes, data: bytes, signature: Signature) -> bool:
        """True only if ``signature`` is this suite's and valid for ``data``. A malformed
        signature is ``False``; a public key of the wrong kind raises ``KeyFormatError``."""
        if signature.alg != self.signature_alg:
            return False
        return self._verify_raw(public_key, data, signature.value)

    def fingerprint(self, data: bytes) -> str:
        """A short, stable id for a public key or other bytes: 16 hex digits of the hash."""
        return self.hash(data).hex()[:16]


class IntlSuite(CryptoSuite):
    name = "intl"
    signature_alg = "ed25519"
    hash_alg = "sha256"
    hmac_alg = "hmac-sha256"
    cipher_alg = "aes-256-gcm"
    secret_key_size = 32

    def hash(self, data: bytes) -> bytes:
        return providers.digest("sha256", data)

    def hmac(self, key: bytes, data: bytes) -> bytes:
        return providers.mac("sha256", key, data)

    def hmac_verify(self, key: bytes, data: bytes, tag: bytes) -> bool:
        return providers.mac_verify("sha256", key, data, tag)

    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return providers.gcm_encrypt("aes", key, nonce, plaintext, aad)

    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        return providers.gcm_decrypt("aes", key, nonce, sealed, aad)

    def generate_signing_key(self) -> KeyPair:
        return KeyPair(*providers.Ed25519Provider.generate())

    def public_key_of(self, private_key: bytes) -> bytes:
        return providers.Ed25519Provider.public_from_private(private_key)

    def _sign_raw(self, private_key: bytes, data: bytes) -> bytes:
        return providers.Ed25519Provider.sign(private_key, data)

    def _verify_raw(self, public_key: bytes, data: bytes, value: bytes) -> bool:
        return providers.Ed25519Provider.verify(public_key, data, value)


class GmSuite(CryptoSuite):
    """The 国密 suite: SM2 (GB/T 32918), SM3 (GB/T 32905), SM4 (GB/T 32907) in GCM mode."""

    name = "gm"
    signature_alg = "sm2-sm3"
    hash_alg = "sm3"
    hmac_alg = "hmac-sm3"
    cipher_alg = "sm4-gcm"
    secret_key_size = 16

    def hash(self, data: bytes) -> bytes:
        return providers.digest("sm3", data)

    def hmac(self, key: bytes, data: bytes) -> bytes:
        return providers.mac("sm3", key, data)

    def hmac_verify(self, key: bytes, data: bytes, tag: bytes) -> bool:
        return providers.mac_verify("sm3", key, data, tag)

    def _seal(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return providers.gcm_encrypt("sm4", key, nonce, plaintext, aad)

    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        return providers.gcm_decrypt("sm4", key, nonce, sealed, aad)

    def generate_signing_key(self) -> KeyPair:
        return KeyPair(*providers.Sm2Provider.generate())

    def public_key_of(self, private_key: bytes) -> bytes:
        return providers.Sm2Provider.public_from_private(private_key)

    def _sign_raw(self, private_key: bytes, data: bytes) -> bytes:
        return providers.Sm2Provider.sign(private_key, data)

    def _verify_raw(self, public_key: bytes, data: bytes, value: bytes) -> bool:
        return providers.Sm2Provider.verify(public_key, data, value)


SUITES: Final[dict[str, CryptoSuite]] = {"intl": IntlSuite(), "gm": GmSuite()}
_BY_SIGNATURE_ALG: Final = {suite.signature_alg: suite for suite in SUITES.values()}


def configured_suite_name() -> str:
    """``settings.TONGBAN_CRYPTO_SUITE`` (default ``intl``); raises ``CryptoError`` if it
    names no suite."""
    name = getattr(settings, "TONGBAN_CRYPTO_SUITE", "intl") or "intl"
    if name not in SUITES:
        raise CryptoError(
            f"TONGBAN_CRYPTO_SUITE={name!r} is not a crypto suite; use one of {sorted(SUITES)}"
        )
    return str(name)


def get_suite(name: str | None = None) -> CryptoSuite:
    """The suite called ``name``, or the configured one."""
    name = name or configured_suite_name()
    try:
        return SUITES[name]
    except KeyError:
        raise CryptoError(f"unknown crypto suite {name!r}") from None


def suite_for_signature_alg(alg: str) -> CryptoSuite:
    """The suite whose signatures are ``alg`` (to verify data signed under either suite)."""
    try:
        return _BY_SIGNATURE_ALG[alg]
    except KeyError:
        raise CryptoError(f"unknown signature algorithm {alg!r}") from None
