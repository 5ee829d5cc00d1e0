"""The cryptography kernel: crypto suites (``intl`` and 国密 ``gm``) and the key store.

Public API::

    from tongban.core import crypto

    suite = crypto.get_suite()                 # the configured suite (TONGBAN_CRYPTO_SUITE)
    digest = suite.hash(b"...")                # SHA-256 or SM3
    sig = crypto.sign("licence", data)         # with the active licence key
    crypto.verify("licence", data, str(sig))   # by the key id the signature names
    token = crypto.encrypt("field-encryption", b"secret", aad=b"accounts.user:17:id_number")
    crypto.decrypt("field-encryption", token, aad=b"accounts.user:17:id_number")
    crypto.rotate("licence", actor=user)       # old key retired, still verifies
    key_id, tag = crypto.mac("pii-digest", b"...")  # keyed digest (pinned key)

Encrypted model fields with searchable digests: ``tongban.core.crypto.fields`` (ADR 0005).

Library choices, the 密评 position and key management: docs/adr/0003-crypto-suites.md.
"""

from tongban.core.crypto.keys import (
    DatabaseKeyProvider,
    KeyInfo,
    KeyProvider,
    SignatureServerKeyProvider,
    active_key,
    decrypt,
    encrypt,
    get_key,
    get_key_provider,
    load_kek,
    mac,
    public_keys,
    rotate,
    sign,
    verify,
)
from tongban.core.crypto.providers import (
    CryptoError,
    DecryptionError,
    KeyFormatError,
    KeyStoreError,
)
from tongban.core.crypto.suites import (
    SUITES,
    CryptoSuite,
    GmSuite,
    IntlSuite,
    KeyPair,
    Signature,
    SignatureFormatError,
    configured_suite_name,
    get_suite,
    suite_for_signature_alg,
)

__all__ = [
    "SUITES",
    "CryptoError",
    "CryptoSuite",
    "DatabaseKeyProvider",
    "DecryptionError",
    "GmSuite",
    "IntlSuite",
    "KeyFormatError",
    "KeyInfo",
    "KeyPair",
    "KeyProvider",
    "KeyStoreError",
    "Signature",
    "SignatureFormatError",
    "SignatureServerKeyProvider",
    "active_key",
    "configured_suite_name",
    "decrypt",
    "encrypt",
    "get_key",
    "get_key_provider",
    "get_suite",
    "load_kek",
    "mac",
    "public_keys",
    "rotate",
    "sign",
    "suite_for_signature_alg",
    "verify",
]
