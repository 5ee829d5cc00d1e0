"""Library bindings: the only module that imports a cryptography library.

Which library does what (see ADR 0003 and shared/standards/exchange-and-security.md §4):

- ``cryptography`` (pyca, Rust/OpenSSL): SHA-256, SM3, HMAC-SHA256, HMAC-SM3, AES-256-GCM,
  SM4-GCM and Ed25519.
- ``tongsuopy`` (Tongsuo, C): SM2 signatures with SM3 (GB/T 32918.2 / GM/T 0003.2) with the
  default user ID ``1234567812345678``. ``cryptography`` has no SM2.
- Never ``gmssl`` (duanhongyi): its SM2 nonce comes from ``random.choice``.
  ``tests/test_dependency_safety.py`` fails if it is installed.

Keys cross this boundary as bytes: private keys as PKCS#8 DER, public keys as
SubjectPublicKeyInfo DER, secret keys raw. Every failure of an authenticated decryption
becomes a ``DecryptionError``; a failed or malformed signature is ``False``, never an
exception from a library.
"""

from __future__ import annotations

from typing import Final, Literal

from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DigestName = Literal["sha256", "sm3"]
GcmCipherName = Literal["aes", "sm4"]

TAG_SIZE: Final = 16
SM2_DEFAULT_USER_ID: Final = b"1234567812345678"


class CryptoError(Exception):
    """Base class of every error raised by ``tongban.core.crypto``."""


class DecryptionError(CryptoError):
    """A ciphertext, its nonce, its tag or its associated data was altered, or the key is
    wrong: nothing is returned."""


class KeyFormatError(CryptoError):
    """Key bytes that are not a key of the expected algorithm."""


class KeyStoreError(CryptoError):
    """The key store cannot do what was asked (unknown key, wrong purpose, wrong KEK ...)."""


# --- hashes and MACs ----------------------------------------------------------------------


def _hash_algorithm(name: DigestName) -> hashes.HashAlgorithm:
    if name == "sha256":
        return hashes.SHA256()
    if name == "sm3":
        return hashes.SM3()
    raise ValueError(f"unknown digest {name!r}")


def digest(name: DigestName, data: bytes) -> bytes:
    """SHA-256 or SM3 of ``data``."""
    h = hashes.Hash(_hash_algorithm(name))
    h.update(data)
    return h.finalize()


def mac(name: DigestName, key: bytes, data: bytes) -> bytes:
    """HMAC-SHA256 or HMAC-SM3 of ``data`` under ``key``."""
    h = crypto_hmac.HMAC(key, _hash_algorithm(name))
    h.update(data)
    return h.finalize()


def mac_verify(name: DigestName, key: bytes, data: bytes, tag: bytes) -> bool:
    """Constant-time check of an HMAC tag."""
    h = crypto_hmac.HMAC(key, _hash_algorithm(name))
    h.update(data)
    try:
        h.verify(tag)
    except InvalidSignature:
        return False
    return True


# --- authenticated encryption -------------------------------------------------------------


def gcm_encrypt(
    cipher: GcmCipherName, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
) -> bytes:
    """AES-GCM or SM4-GCM encryption; returns ``ciphertext || tag`` (16-byte tag)."""
    if cipher == "aes":
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    if cipher == "sm4":
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plaintext) + encryptor.finalize()
        return body + encryptor.tag
    raise ValueError(f"unknown cipher {cipher!r}")


def gcm_decrypt(
    cipher: GcmCipherName, key: bytes, nonce: bytes, sealed: bytes, aad: bytes
) -> bytes:
    """Inverse of ``gcm_encrypt``; raises ``DecryptionError`` on any tampering."""
    if len(sealed) < TAG_SIZE:
        raise DecryptionError("ciphertext shorter than its authentication tag")
    try:
        if cipher == "aes":
            return AESGCM(key).decrypt(nonce, sealed, aad)
        if cipher == "sm4":
            body, tag = sealed[:-TAG_SIZE], sealed[-TAG_SIZE:]
            decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
            decryptor.authenticate_additional_data(aad)
            return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("authentication failed: the ciphertext was altered") from exc
    raise ValueError(f"unknown cipher {cipher!r}")


# --- signatures ---------------------------------------------------------------------------

_DER = serialization.Encoding.DER
_PKCS8 = serialization.PrivateFormat.PKCS8
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo


class Ed25519Provider:
    """Ed25519 (RFC 8032) through ``cryptography``."""

    @staticmethod
    def generate() -> tuple[bytes, bytes]:
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(_DER, _PKCS8, serialization.NoEncryption())
        return private, key.public_key().public_bytes(_DER, _SPKI)

    @staticmethod
    def _private(private_der: bytes) -> Ed25519PrivateKey:
        try:
            key = serialization.load_der_private_key(private_der, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError("not a PKCS#8 private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFormatError("not an Ed25519 private key")
        return key

    @staticmethod
    def _public(public_der: bytes) -> Ed25519PublicKey:
        try:
            key = serialization.load_der_public_key(public_der)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError("not a SubjectPublicKeyInfo public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFormatError("not an Ed25519 public key")
        return key

    @classmethod
    def public_from_private(cls, private_der: bytes) -> bytes:
        return cls._private(private_der).public_key().public_bytes(_DER, _SPKI)

    @classmethod
    def sign(cls, private_der: bytes, data: bytes) -> bytes:
        return cls._private(private_der).sign(data)

    @classmethod
    def verify(cls, public_der: bytes, data: bytes, signature: bytes) -> bool:
        key = cls._public(public_der)
        try:
            key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


class Sm2Provider:
    """SM2 signatures with SM3 (user ID ``1234567812345678``) through ``tongsuopy``.

    Signatures are DER ``SEQUENCE { r INTEGER, s INTEGER }`` (GM/T 0009). tongsuopy is
    imported on first use, so the international suite runs without it.
    """

    @staticmethod
    def _lib():  # type: ignore[no-untyped-def]
        from tongsuopy.crypto import hashes as t_hashes
        from tongsuopy.crypto import serialization as t_ser
        from tongsuopy.crypto.asymciphers import ec as t_ec
        from tongsuopy.crypto.exceptions import InvalidSignature as TInvalidSignature

        return t_ec, t_hashes, t_ser, TInvalidSignature

    @classmethod
    def generate(cls) -> tuple[bytes, bytes]:
        t_ec, _, t_ser, _ = cls._lib()
        key = t_ec.generate_private_key(t_ec.SM2())
        private = key.private_bytes(
            t_ser.Encoding.DER, t_ser.PrivateFormat.PKCS8, t_ser.NoEncryption()
        )
        public = key.public_key().public_bytes(
            t_ser.Encoding.DER, t_ser.PublicFormat.SubjectPublicKeyInfo
        )
        return private, public

    @classmethod
    def private_from_scalar(cls, d: int) -> bytes:
        """PKCS#8 DER of the SM2 private key with scalar ``d`` (for known-answer tests and
        for importing a key made elsewhere)."""
        t_ec, _, t_ser, _ = cls._lib()
        key = t_ec.derive_private_key(d, t_ec.SM2())
        return key.private_bytes(
            t_ser.Encoding.DER, t_ser.PrivateFormat.PKCS8, t_ser.NoEncryption()
        )

    @classmethod
    def public_from_point(cls, x: int, y: int) -> bytes:
        """SubjectPublicKeyInfo DER of the SM2 public key (x, y); raises ``KeyFormatError``
        if the point is not on the curve."""
        t_ec, _, t_ser, _ = cls._lib()
        try:
            key = t_ec.EllipticCurvePublicNumbers(x, y, t_ec.SM2()).public_key()
        except ValueError as exc:
            raise KeyFormatError("not a point on the SM2 curve") from exc
        return key.public_bytes(t_ser.Encoding.DER, t_ser.PublicFormat.SubjectPublicKeyInfo)

    @classmethod
    def _private(cls, private_der: bytes):  # type: ignore[no-untyped-def]
        t_ec, _, t_ser, _ = cls._lib()
        try:
            key = t_ser.load_der_private_key(private_der, None)
        except Exception as exc:  # tongsuopy's own UnsupportedAlgorithm, ValueError ...
            raise KeyFormatError("not a PKCS#8 private key") from exc
        if not isinstance(key, t_ec.EllipticCurvePrivateKey) or key.curve.name != "SM2":
            raise KeyFormatError("not an SM2 private key")
        return key

    @classmethod
    def _public(cls, public_der: bytes):  # type: ignore[no-untyped-def]
        t_ec, _, t_ser, _ = cls._lib()
        try:
            key = t_ser.load_der_public_key(public_der)
        except Exception as exc:  # tongsuopy's own UnsupportedAlgorithm, ValueError ...
            raise KeyFormatError("not a SubjectPublicKeyInfo public key") from exc
        if not isinstance(key, t_ec.EllipticCurvePublicKey) or key.curve.name != "SM2":
            raise KeyFormatError("not an SM2 public key")
        return key

    @classmethod
    def public_from_private(cls, private_der: bytes) -> bytes:
        _, _, t_ser, _ = cls._lib()
        return (
            cls._private(private_der)
            .public_key()
            .public_bytes(t_ser.Encoding.DER, t_ser.PublicFormat.SubjectPublicKeyInfo)
        )

    @classmethod
    def public_point(cls, public_der: bytes) -> tuple[int, int]:
        numbers = cls._public(public_der).public_numbers()
        return numbers.x, numbers.y

    @classmethod
    def sign(cls, private_der: bytes, data: bytes) -> bytes:
        t_ec, t_hashes, _, _ = cls._lib()
        return bytes(cls._private(private_der).sign(data, t_ec.ECDSA(t_hashes.SM3())))

    @classmethod
    def verify(cls, public_der: bytes, data: bytes, signature: bytes) -> bool:
        t_ec, t_hashes, _, t_invalid = cls._lib()
        key = cls._public(public_der)
        try:
            key.verify(signature, data, t_ec.ECDSA(t_hashes.SM3()))
        except t_invalid:
            return False
        except Exception:  # malformed DER surfaces as an internal library error
            return False
        return True
