"""The key store: keys per purpose and department, rotation, wrapping under the KEK,
suite changes, the ``tongban keys`` command and the read-only admin."""

from __future__ import annotations

import base64
import warnings
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from tongban.core import crypto
from tongban.core.crypto import (
    CryptoError,
    DatabaseKeyProvider,
    DecryptionError,
    KeyStoreError,
    Signature,
    SignatureServerKeyProvider,
)
from tongban.core.models import AuditRecord, CryptoKey, KeyStatus

pytestmark = pytest.mark.django_db

KEK_HEX = "8f" * 32


def _row(key_id: str) -> CryptoKey:
    return CryptoKey.objects.get(key_id=key_id)


def test_first_use_makes_one_key_and_audits_it():
    key = crypto.active_key("licence")
    assert key.status == KeyStatus.ACTIVE and key.alg == "ed25519" and key.suite == "intl"
    assert crypto.active_key("licence") == key
    assert CryptoKey.objects.count() == 1
    audit = AuditRecord.objects.get(action="crypto.key.created")
    assert audit.meta["key_id"] == key.key_id and audit.meta["purpose"] == "licence"


def test_sign_and_verify_through_the_store():
    signature = crypto.sign("licence", b"licence 2026-0001")
    assert isinstance(signature, Signature)
    assert signature.key_id == crypto.active_key("licence").key_id
    assert crypto.verify("licence", b"licence 2026-0001", signature)
    assert crypto.verify("licence", b"licence 2026-0001", signature.serialise())
    assert not crypto.verify("licence", b"licence 2026-0002", signature)
    assert not crypto.verify("licence", b"licence 2026-0001", "ed25519.nosuchkey.AAAA")
    assert not crypto.verify("licence", b"licence 2026-0001", "not a signature")


def test_a_signature_of_one_purpose_is_not_accepted_for_another():
    signature = crypto.sign("exchange", b"message")
    assert crypto.verify("exchange", b"message", signature)
    assert not crypto.verify("licence", b"message", signature)
    with pytest.raises(KeyStoreError, match="secret"):
        crypto.sign("field-encryption", b"message")
    with pytest.raises(KeyStoreError, match="unknown key purpose"):
        crypto.sign("payroll", b"message")


def test_rotation_retires_the_old_key_which_still_verifies(admin_user):
    old_signature = crypto.sign("audit-seal", b"seal 1")
    old = crypto.active_key("audit-seal")
    new = crypto.rotate("audit-seal", actor=admin_user)
    assert new.key_id != old.key_id and new.status == KeyStatus.ACTIVE
    retired = crypto.get_key(old.key_id)
    assert retired.status == KeyStatus.RETIRED and retired.retired_at is not None
    assert crypto.verify("audit-seal", b"seal 1", old_signature)
    assert crypto.sign("audit-seal", b"seal 2").key_id == new.key_id
    audit = AuditRecord.objects.get(action="crypto.key.rotated")
    assert audit.actor_id == admin_user.pk
    assert audit.meta["retired_key_id"] == old.key_id and audit.meta["key_id"] == new.key_id
    published = crypto.public_keys("audit-seal")
    assert {k.key_id for k in published} == {old.key_id, new.key_id}
    assert [k.key_id for k in crypto.public_keys("audit-seal", include_retired=False)] == [
        new.key_id
    ]
    assert all(base64.b64decode(k.public_key_b64) == k.public_key for k in published)


def test_department_keys_are_separate(department_a, department_b):
    platform = crypto.active_key("licence")
    dept_a = crypto.active_key("licence", department_a)
    assert dept_a.department_code == department_a.code != platform.department_code
    assert crypto.active_key("licence", department_a.code) == dept_a
    signature = crypto.sign("licence", b"permit", department_b)
    assert crypto.get_key(signature.key_id).department_code == department_b.code
    rotated = crypto.rotate("licence", department_a, actor=None)
    assert crypto.active_key("licence") == platform
    assert crypto.active_key("licence", department_a) == rotated
    with pytest.raises(KeyStoreError, match="unknown department"):
        crypto.rotate("licence", "no-such-dept", actor=None)
    assert not CryptoKey.objects.filter(department_code="no-such-dept").exists()


def test_field_encryption_round_trip_and_rotation():
    aad = b"accounts.user:17:id_number"
    token = crypto.encrypt("field-encryption", b"442000199001011234", aad)
    assert b"442000199001011234" not in token.encode()
    assert crypto.decrypt("field-encryption", token, aad) == b"442000199001011234"
    crypto.rotate("field-encryption", actor=None)
    newer = crypto.encrypt("field-encryption", b"x", aad)
    assert newer.split(".")[0] != token.split(".")[0]
    assert crypto.decrypt("field-encryption", token, aad) == b"442000199001011234"
    with pytest.raises(DecryptionError):
        crypto.decrypt("field-encryption", token, b"accounts.user:18:id_number")
    with pytest.raises(DecryptionError):
        crypto.decrypt("field-encryption", "garbage", aad)
    with pytest.raises(KeyStoreError):
        crypto.decrypt("licence", token, aad)


def test_key_material_is_stored_only_wrapped():
    crypto.sign("licence", b"x")
    crypto.encrypt("field-encryption", b"x")
    for row in CryptoKey.objects.all():
        material = DatabaseKeyProvider._unwrap(row)
        assert material not in bytes(row.wrapped_key)
        assert material not in bytes(row.public_key)
        assert material.hex() not in str(row.__dict__)


def test_a_wrapped_key_copied_to_another_row_does_not_unwrap():
    first = crypto.active_key("licence")
    second = crypto.active_key("exchange")
    CryptoKey.objects.filter(key_id=second.key_id).update(
        wrapped_key=_row(first.key_id).wrapped_key
    )
    with pytest.raises(KeyStoreError, match="altered"):
        crypto.sign("exchange", b"x")


def test_another_kek_cannot_use_the_keys():
    with override_settings(TONGBAN_KEK=KEK_HEX):
        signature = crypto.sign("licence", b"x")
        assert crypto.verify("licence", b"x", signature)  # verifying needs no KEK
    with pytest.raises(KeyStoreError, match="another KEK"):
        crypto.sign("licence", b"y")
    assert crypto.verify("licence", b"x", signature)


def test_kek_from_setting_or_file(tmp_path):
    with override_settings(TONGBAN_KEK=KEK_HEX):
        assert crypto.load_kek() == bytes.fromhex(KEK_HEX)
    b64 = base64.b64encode(bytes(range(32))).decode()
    with override_settings(TONGBAN_KEK=b64):
        assert crypto.load_kek() == bytes(range(32))
    path = tmp_path / "kek"
    path.write_text(KEK_HEX + "\n", encoding="utf-8")
    with override_settings(TONGBAN_KEK_FILE=str(path)):
        assert crypto.load_kek() == bytes.fromhex(KEK_HEX)


@pytest.mark.parametrize(
    "overrides",
    [
        {"TONGBAN_KEK": "abcd"},
        {"TONGBAN_KEK": "zz" * 32},
        {"TONGBAN_KEK": base64.b64encode(bytes(16)).decode()},
        {"TONGBAN_KEK": KEK_HEX, "TONGBAN_KEK_FILE": "/etc/kek"},
        {"TONGBAN_KEK_FILE": "/nonexistent/tongban-kek"},
    ],
)
def test_a_bad_kek_is_a_configuration_error(overrides):
    with override_settings(**overrides), pytest.raises(ImproperlyConfigured):
        crypto.load_kek()


def test_development_kek_warns_outside_debug_and_tests():
    with (
        override_settings(DEBUG=False, TESTING=False),
        pytest.warns(RuntimeWarning, match="TONGBAN_KEK"),
    ):
        crypto.load_kek()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crypto.load_kek()  # under tests: silent


def test_switching_suite_makes_a_new_key_and_old_signatures_still_verify():
    intl_signature = crypto.sign("licence", b"licence 9")
    with override_settings(TONGBAN_CRYPTO_SUITE="gm"):
        key = crypto.active_key("licence")
        assert key.alg == "sm2-sm3" and key.suite == "gm"
        gm_signature = crypto.sign("licence", b"licence 10")
        assert gm_signature.alg == "sm2-sm3"
        assert crypto.verify("licence", b"licence 9", intl_signature)
        assert crypto.verify("licence", b"licence 10", gm_signature)
        token = crypto.encrypt("field-encryption", b"sm4 secret")
        assert crypto.get_key(token.split(".")[0]).alg == "sm4-gcm"
    assert crypto.get_key(intl_signature.key_id).status == KeyStatus.RETIRED
    assert crypto.verify("licence", b"licence 10", gm_signature)
    assert crypto.decrypt("field-encryption", token) == b"sm4 secret"
    reasons = list(
        AuditRecord.objects.filter(action="crypto.key.rotated").values_list("meta", flat=True)
    )
    assert {"suite"} == {meta["reason"] for meta in reasons}


def test_an_unknown_suite_is_refused():
    with override_settings(TONGBAN_CRYPTO_SUITE="rot13"), pytest.raises(CryptoError):
        crypto.active_key("licence")
    assert not CryptoKey.objects.exists()


def test_the_signature_server_provider_is_only_an_extension_point():
    with pytest.raises(NotImplementedError, match="GM/T 0018"):
        SignatureServerKeyProvider()


def test_keys_command_rotates_and_lists():
    out = StringIO()
    call_command("keys", "rotate", "--purpose", "licence", stdout=out)
    key = crypto.active_key("licence")
    assert key.key_id in out.getvalue()
    call_command("keys", "rotate", "--purpose", "licence", stdout=out)
    listing = StringIO()
    call_command("keys", "list", "--public", stdout=listing)
    text = listing.getvalue()
    assert key.key_id in text and "retired" in text and "active" in text
    assert key.public_key_b64 in text  # retired, and still published for verifiers
    for row in CryptoKey.objects.all():
        assert base64.b64encode(bytes(row.wrapped_key)).decode() not in text
    assert AuditRecord.objects.filter(action__startswith="crypto.key.").count() == 2


def test_keys_command_errors():
    with pytest.raises(CommandError, match="unknown department"):
        call_command("keys", "rotate", "--purpose", "licence", "--department", "nope")
    with pytest.raises(CommandError):
        call_command("keys", "rotate", "--purpose", "payroll")
    out = StringIO()
    call_command("keys", "list", stdout=out)
    assert "No keys yet" in out.getvalue()


def test_admin_shows_no_key_material(admin_user):
    crypto.sign("licence", b"x")
    row = CryptoKey.objects.get()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    change = client.get(reverse("admin:core_cryptokey_change", args=[row.pk]))
    assert change.status_code == 200
    page = change.content.decode()
    assert row.key_id in page and "密钥" in page
    for secret in (bytes(row.wrapped_key), bytes(row.public_key)):
        assert base64.b64encode(secret).decode() not in page
        assert secret.hex() not in page
    assert client.get(reverse("admin:core_cryptokey_add")).status_code == 403
    delete = client.post(reverse("admin:core_cryptokey_delete", args=[row.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert CryptoKey.objects.filter(pk=row.pk).exists()
