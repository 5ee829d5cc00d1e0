"""Keyed digests and the key store's MAC purpose (``core/crypto/fields.py``, ADR 0005).

The encrypted field itself is tested on real models in ``accounts/tests/test_pii.py``."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tongban.core import crypto
from tongban.core.crypto import KeyStoreError, fields
from tongban.core.crypto.keys import PII_DIGEST
from tongban.core.models import CryptoKey, KeyStatus

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def test_every_spelling_of_a_number_has_one_digest():
    one = fields.digest("resident_id", ID)
    assert one == fields.digest("resident_id", ID.lower())
    assert one == fields.digest("resident_id", f"  {ID.translate(FULLWIDTH)} ")
    mobile = fields.digest("mobile", "13907601001")
    for spelling in ("139 0760 1001", "+86 139-0760-1001", "１３９０７６０１００１"):
        assert fields.digest("mobile", spelling) == mobile
    assert fields.digest("mobile", "13907601002") != mobile


def test_a_digest_names_its_key_and_hides_the_value():
    value = fields.digest("resident_id", ID)
    assert value is not None
    key_id, _, tag = value.partition(".")
    assert key_id == crypto.active_key(PII_DIGEST).key_id and len(tag) == 64
    assert ID not in value and ID[6:14] not in value


def test_the_kind_separates_digests_and_empty_is_none():
    assert fields.digest("text", "13907601001") != fields.digest("mobile", "13907601001")
    assert fields.digest("resident_id", None) is None
    assert fields.digest("resident_id", "  ") is None
    with pytest.raises(ValueError, match="digest kind"):
        fields.digest("email", "x")


def test_the_digest_key_is_pinned_across_a_suite_switch():
    before = fields.digest("resident_id", ID)
    with override_settings(TONGBAN_CRYPTO_SUITE="gm"):
        assert fields.digest("resident_id", ID) == before  # look-ups keep working
        token = crypto.encrypt("field-encryption", b"x")  # encryption does move to SM4
        assert crypto.get_key(token.split(".")[0]).alg == "sm4-gcm"
    assert CryptoKey.objects.filter(purpose=PII_DIGEST).count() == 1


def test_under_gm_the_digest_is_hmac_sm3_with_a_gm_key():
    with override_settings(TONGBAN_CRYPTO_SUITE="gm"):
        value = fields.digest("resident_id", ID)
        key = crypto.active_key(PII_DIGEST)
    assert key.suite == "gm" and value is not None and value.startswith(key.key_id + ".")
    with override_settings(TONGBAN_CRYPTO_SUITE="gm"):
        assert fields.digest("resident_id", ID) == value


def test_rotating_the_digest_key_is_explicit_and_changes_digests():
    before = fields.digest("resident_id", ID)
    crypto.rotate(PII_DIGEST, actor=None)
    after = fields.digest("resident_id", ID)
    assert after != before
    assert CryptoKey.objects.filter(purpose=PII_DIGEST, status=KeyStatus.RETIRED).count() == 1


def test_mac_and_encryption_purposes_do_not_mix():
    with pytest.raises(KeyStoreError, match="only make MACs"):
        crypto.encrypt(PII_DIGEST, b"x")
    with pytest.raises(KeyStoreError, match="do not make MACs"):
        crypto.mac("field-encryption", b"x")
    with pytest.raises(KeyStoreError, match="unknown key purpose"):
        crypto.mac("nonsense", b"x")


def test_cached_keys_still_refuse_another_kek():
    token = crypto.encrypt("field-encryption", b"secret", b"aad")
    assert crypto.decrypt("field-encryption", token, b"aad") == b"secret"  # now cached
    with override_settings(TONGBAN_KEK="8f" * 32), pytest.raises(KeyStoreError, match="KEK"):
        crypto.decrypt("field-encryption", token, b"aad")
    assert crypto.decrypt("field-encryption", token, b"aad") == b"secret"


def test_decryption_after_the_first_needs_no_query(django_assert_num_queries):
    token = crypto.encrypt("field-encryption", b"secret", b"aad")
    crypto.decrypt("field-encryption", token, b"aad")
    with django_assert_num_queries(0):
        for _ in range(50):
            assert crypto.decrypt("field-encryption", token, b"aad") == b"secret"
