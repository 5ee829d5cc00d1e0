"""Personal data at rest: encrypted columns, digest look-ups, and audited unmasking
(``core/crypto/fields.py``, ``accounts/pii.py``, ADR 0005)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import FieldError, PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory, override_settings
from django.urls import reverse

from conftest import PASSWORD, make_resident_id, make_uscc
from tongban.accounts import pii, services
from tongban.accounts.models import (
    Organisation,
    OrganisationMember,
    PendingRegistration,
    Role,
    RoleAssignment,
    User,
    UserKind,
)
from tongban.core import crypto
from tongban.core.crypto import DecryptionError
from tongban.core.crypto.fields import digest, rewrite_all
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db

FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def _raw(table: str, columns: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _business(citizen: User) -> Organisation:
    return services.register_organisation(
        user=citizen, name="中山市示例科技有限公司", uscc=make_uscc("91442000MA5X1234"),
        org_type="2", legal_representative=citizen.real_name, address="中山市石岐街道孙文中路1号",
    )  # fmt: skip


# --- at rest ------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["intl", "gm"])
def test_the_database_holds_ciphertext_and_digests_only(citizen_factory, suite):
    with override_settings(TONGBAN_CRYPTO_SUITE=suite):
        user = citizen_factory()
        id_token, phone_token, id_digest, phone_digest = _raw(
            "accounts_user", "id_number, phone, id_number_digest, phone_digest", user.pk
        )
        for token, clear in ((id_token, user.id_number), (phone_token, user.phone)):
            assert clear not in token and clear[-8:] not in token
            key = crypto.get_key(token.split(".")[0])
            assert key.alg == {"intl": "aes-256-gcm", "gm": "sm4-gcm"}[suite]
        assert id_digest == digest("resident_id", user.id_number)
        assert user.id_number not in id_digest and user.phone not in phone_digest
        again = _fresh(user)
        assert (again.id_number, again.phone) == (user.id_number, user.phone)
        assert User.objects.by_id_number(user.id_number.lower()).get() == user
        assert User.objects.by_phone("+86 " + user.phone).get() == user


def test_pending_registrations_and_addresses_are_encrypted_too(citizen):
    pending = PendingRegistration.objects.create(
        token="t" * 20, real_name="王五", id_number=make_resident_id(seq=611),
        phone="13912340011", password_hash="x",
    )  # fmt: skip
    row = _raw("accounts_pendingregistration", "id_number, phone, id_number_digest", pending.pk)
    assert pending.id_number not in row[0] and pending.phone not in row[1]
    assert row[2] == digest("resident_id", pending.id_number)
    assert PendingRegistration.objects.get(pk=pending.pk).id_number == pending.id_number
    org = _business(citizen)
    (address,) = _raw("accounts_organisation", "address", org.pk)
    assert "孙文" not in address
    assert Organisation.objects.get(pk=org.pk).address == "中山市石岐街道孙文中路1号"


def test_the_encrypted_column_cannot_be_filtered_or_bulk_updated(citizen):
    with pytest.raises(FieldError, match="digest"):
        User.objects.filter(id_number=citizen.id_number).exists()
    with pytest.raises(FieldError, match="encrypted"), transaction.atomic():
        User.objects.filter(pk=citizen.pk).update(phone="13900000000")
    assert User.objects.filter(id_number__isnull=False).count() == 1


# --- look-ups -----------------------------------------------------------------------------


def test_sign_in_by_id_number_and_phone_through_the_digest(citizen):
    request = RequestFactory().post("/accounts/login/")
    for identifier in (
        citizen.id_number,
        citizen.id_number.lower(),
        citizen.id_number.translate(FULLWIDTH),
        citizen.phone,
        citizen.phone.translate(FULLWIDTH),
    ):
        assert authenticate(request, username=identifier, password=PASSWORD) == citizen
    fullwidth = citizen.id_number.translate(FULLWIDTH)
    assert digest("resident_id", fullwidth) == _fresh(citizen).id_number_digest


def test_changing_a_number_changes_its_digest(citizen):
    citizen.phone = "13911112222"
    citizen.save(update_fields=["phone"])
    assert _fresh(citizen).phone_digest == digest("mobile", "13911112222")
    assert not User.objects.by_phone("13800000001").exists()
    assert User.objects.by_phone("139 1111 2222").get() == citizen


def test_the_digest_refuses_a_second_account_with_the_same_number(citizen):
    with pytest.raises(services.ServiceError) as caught:
        services.register_citizen(
            real_name="张三", id_number=citizen.id_number.translate(FULLWIDTH),
            phone="13912349999", password=PASSWORD,
        )  # fmt: skip
    assert "id_number" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("copy", id_number=citizen.id_number, password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("copy2", phone=citizen.phone, password=PASSWORD)


# --- binding ------------------------------------------------------------------------------


def test_a_ciphertext_moved_to_another_row_or_column_does_not_decrypt(citizen, other_citizen):
    (token,) = _raw("accounts_user", "id_number", citizen.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET id_number = %s WHERE id = %s",
                       [token, other_citizen.pk])  # fmt: skip
        cursor.execute("UPDATE accounts_user SET phone = %s WHERE id = %s", [token, citizen.pk])
    with pytest.raises(DecryptionError):
        _ = _fresh(other_citizen).id_number  # another row
    with pytest.raises(DecryptionError):
        _ = _fresh(citizen).phone  # another column
    assert _fresh(citizen).id_number == citizen.id_number  # the original still decrypts


def test_renaming_an_account_keeps_its_numbers_readable(citizen):
    citizen.username = "citizen-renamed"
    citizen.save(update_fields=["username"])  # the ciphertexts are re-bound with it
    again = _fresh(citizen)
    assert (again.id_number, again.phone) == (citizen.id_number, citizen.phone)


# --- keys ---------------------------------------------------------------------------------


def test_rotation_keeps_old_rows_readable_and_new_rows_use_the_new_key(citizen, citizen_factory):
    (old_token,) = _raw("accounts_user", "id_number", citizen.pk)
    crypto.rotate("field-encryption", actor=None)
    new_key = crypto.active_key("field-encryption").key_id
    newer = citizen_factory()
    (new_token,) = _raw("accounts_user", "id_number", newer.pk)
    assert new_token.startswith(new_key + ".") and not old_token.startswith(new_key + ".")
    assert _fresh(citizen).id_number == citizen.id_number
    # Rewriting moves old rows to the active key; rotating the digest key re-digests them.
    counts = rewrite_all(rotate_digest_key=True)
    assert counts["accounts.User"] == 2
    (moved,) = _raw("accounts_user", "id_number", citizen.pk)
    assert moved.startswith(new_key + ".")
    assert User.objects.by_id_number(citizen.id_number).get() == citizen
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=citizen.phone, password=PASSWORD) == citizen
    record = AuditRecord.objects.get(action="crypto.pii.rewrite")
    assert record.meta["digest_key_rotated"] is True and citizen.id_number not in str(record.meta)


def test_switching_suite_keeps_rows_readable_and_look_ups_working(citizen):
    with override_settings(TONGBAN_CRYPTO_SUITE="gm"):
        assert _fresh(citizen).id_number == citizen.id_number
        assert User.objects.by_id_number(citizen.id_number).get() == citizen
        user = _fresh(citizen)
        user.phone = "13911113333"
        user.save()
        (token,) = _raw("accounts_user", "phone", citizen.pk)
        assert crypto.get_key(token.split(".")[0]).alg == "sm4-gcm"
    assert User.objects.by_phone("13911113333").get() == citizen
    assert _fresh(citizen).phone == "13911113333"


# --- reveal -------------------------------------------------------------------------------


def _reveals() -> list[Any]:
    return list(
        AuditRecord.objects.filter(action__startswith="pii.")
        .order_by("id")
        .values("action", "meta", "actor_id")
    )


def test_the_subject_sees_their_own_number_and_it_is_audited(citizen):
    assert pii.reveal(citizen, citizen, "id_number", pii.SELF_SERVICE) == citizen.id_number
    (record,) = _reveals()
    assert record["action"] == "pii.reveal" and record["actor_id"] == citizen.pk
    assert record["meta"] == {
        "field": "id_number", "purpose": "self-service",
        "subject_type": "accounts.user", "subject_id": citizen.pk,
    }  # fmt: skip


def test_a_clerk_of_the_handling_department_may_reveal_for_case_handling(
    citizen, department_a, department_b, official_a, official_b
):
    clerk = User.objects.create_user("clerk-a", kind=UserKind.OFFICIAL, department=department_a)
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, department=department_a)
    assert pii.reveal(clerk, citizen, "phone", pii.CASE_HANDLING, department=department_a) == (
        citizen.phone
    )
    # The reviewer of department A too; department B's reviewer is refused for A's case.
    assert pii.reveal(official_a, citizen, "id_number", pii.CASE_HANDLING, department=department_a)
    with pytest.raises(PermissionDenied):
        pii.reveal(official_b, citizen, "id_number", pii.CASE_HANDLING, department=department_a)
    with pytest.raises(PermissionDenied):  # no department named: no department rule applies
        pii.reveal(clerk, citizen, "id_number", pii.CASE_HANDLING)
    with pytest.raises(PermissionDenied):  # the right role, the wrong purpose
        pii.reveal(clerk, citizen, "id_number", pii.SELF_SERVICE, department=department_a)
    actions = [r["action"] for r in _reveals()]
    assert actions == ["pii.reveal", "pii.reveal"] + ["pii.reveal_refused"] * 3
    assert all(citizen.id_number not in str(r["meta"]) for r in _reveals())


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.CATALOG_ADMIN])
def test_security_and_audit_administrators_never_see_clear_numbers(citizen, role):
    admin = User.objects.create_user("admin-x", kind=UserKind.ADMIN)
    RoleAssignment.objects.create(user=admin, role=role)
    for purpose in pii.PURPOSES:
        with pytest.raises(PermissionDenied):
            pii.reveal(admin, citizen, "id_number", purpose)
    assert {r["action"] for r in _reveals()} == {"pii.reveal_refused"}


def test_unknown_fields_and_purposes_are_refused(citizen, other_citizen):
    for field, purpose in (("password", pii.SELF_SERVICE), ("id_number", "curiosity")):
        with pytest.raises(PermissionDenied):
            pii.reveal(citizen, citizen, field, purpose)
    with pytest.raises(PermissionDenied):
        pii.reveal(other_citizen, citizen, "phone", pii.SELF_SERVICE)


def test_members_see_their_business_address(citizen, other_citizen):
    org = _business(citizen)
    assert pii.reveal(citizen, org, "address", pii.SELF_SERVICE) == "中山市石岐街道孙文中路1号"
    with pytest.raises(PermissionDenied):
        pii.reveal(other_citizen, org, "address", pii.SELF_SERVICE)
    OrganisationMember.objects.create(organisation=org, user=other_citizen, role="agent")
    assert pii.reveal(other_citizen, org, "address", pii.SELF_SERVICE)


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_change_page_masks_and_reveals_through_the_policy(client, citizen, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:accounts_user_change", args=[citizen.pk])).content.decode()
    assert citizen.id_number not in page and citizen.phone not in page
    assert citizen.masked_id_number in page
    url = reverse("admin:accounts_user_reveal_id_number", args=[citizen.pk])
    assert url in page
    ask = client.get(url)
    assert ask.status_code == 200 and citizen.id_number not in ask.content.decode()
    # A superuser without the system administrator role is refused, and that is recorded.
    assert client.post(url, {"purpose": pii.ACCOUNT_ADMINISTRATION}).status_code == 403
    RoleAssignment.objects.create(user=admin_user, role=Role.SYSTEM_ADMIN)
    shown = client.post(url, {"purpose": pii.ACCOUNT_ADMINISTRATION})
    assert shown.status_code == 200 and citizen.id_number in shown.content.decode()
    assert [r["action"] for r in _reveals()] == ["pii.reveal_refused", "pii.reveal"]
    assert client.get(url.replace("id_number", "password")).status_code != 200  # no such page


def test_the_admin_finds_an_account_by_its_full_number(client, citizen, other_citizen, admin_user):
    client.force_login(admin_user)
    changelist = reverse("admin:accounts_user_changelist")
    html = client.get(changelist, {"q": citizen.phone}).content.decode()
    assert "citizen-a" in html and "citizen-b" not in html
    html = client.get(changelist, {"q": other_citizen.id_number.lower()}).content.decode()
    assert "citizen-b" in html and "citizen-a" not in html


# --- upgrading an installation ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_rows_of_an_existing_installation():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0003_pending_registration")])
    number = make_resident_id(seq=733)
    with connection.cursor() as cursor:
        columns = {
            "password": "!", "is_superuser": False, "username": "legacy", "first_name": "",
            "last_name": "", "email": "", "is_staff": False, "is_active": True,
            "date_joined": "2026-01-01", "kind": "citizen", "real_name": "旧用户",
            "id_number": number, "phone": "13955556666", "clearance": 1, "assurance_level": 1,
        }  # fmt: skip
        cursor.execute(
            f"INSERT INTO accounts_user ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            list(columns.values()),
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    user = User.objects.get(username="legacy")
    assert (user.id_number, user.phone) == (number, "13955556666")
    (token,) = _raw("accounts_user", "id_number", user.pk)
    assert number not in token
    assert User.objects.by_id_number(number).get() == user


@pytest.fixture
def citizen_factory(db):
    made = iter(range(500, 600))

    def make() -> User:
        seq = next(made)
        return User.objects.create_user(
            f"c{seq}", password=PASSWORD, id_number=make_resident_id(seq=seq),
            phone=f"139{seq:08d}", real_name="测试",
        )  # fmt: skip

    return make
