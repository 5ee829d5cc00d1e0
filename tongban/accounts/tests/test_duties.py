"""Separation of duties (三员, promise P15): system, security and audit administrators are
different people; the audit administrator reads and changes nothing; no superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from tongban.accounts import services_security as security
from tongban.accounts.checks import no_superuser_outside_development
from tongban.accounts.models import ADMIN_DUTIES, Role, RoleAssignment, User, UserKind
from tongban.accounts.testing import verified_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]


def _person(username: str, *roles: str) -> User:
    user = User.objects.create_user(username=username, password="x", kind=UserKind.ADMIN)
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def trio(db):
    return {
        "sys": _person("sysadmin", Role.SYSTEM_ADMIN),
        "sec": _person("secadmin", Role.SECURITY_ADMIN),
        "audit": _person("auditor", Role.AUDIT_ADMIN),
    }


@pytest.mark.parametrize("first", ADMIN_DUTIES)
@pytest.mark.parametrize("second", ADMIN_DUTIES)
def test_the_database_refuses_two_duties(first, second, citizen):
    RoleAssignment.objects.create(user=citizen, role=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=citizen, role=second, department=None)


def test_the_service_refuses_a_second_duty_with_a_message(trio, english):
    with pytest.raises(security.ServiceError) as caught:
        security.assign_role(trio["audit"], Role.SYSTEM_ADMIN, actor=trio["sec"])
    assert "nobody may hold two" in str(caught.value.message_dict["role"][0])
    assert set(trio["audit"].role_assignments.values_list("role", flat=True)) == {Role.AUDIT_ADMIN}
    # Other roles combine freely with a duty.
    security.assign_role(trio["sys"], Role.CATALOG_ADMIN, actor=trio["sec"])


def test_nobody_grants_roles_to_themselves(trio):
    with pytest.raises(security.PermissionDenied):
        security.assign_role(trio["sec"], Role.CATALOG_ADMIN, actor=trio["sec"])
    with pytest.raises(security.PermissionDenied):
        security.assign_role(trio["sys"], Role.CATALOG_ADMIN, actor=trio["audit"])


def _admin(user: User) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def test_the_admin_form_refuses_two_duties(trio):
    client = _admin(trio["sec"])
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": trio["audit"].pk, "role": Role.SECURITY_ADMIN},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "nobody may hold two of them" in response.content.decode()
    assert trio["audit"].role_assignments.count() == 1


def test_the_user_page_refuses_two_duties_added_at_once(trio, citizen):
    from django.forms import inlineformset_factory

    from tongban.accounts.admin import RoleAssignmentFormSet

    FormSet = inlineformset_factory(
        User, RoleAssignment, formset=RoleAssignmentFormSet, fields=("role",), extra=0
    )
    data = {
        "role_assignments-TOTAL_FORMS": "2",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-0-role": Role.SYSTEM_ADMIN,
        "role_assignments-1-role": Role.AUDIT_ADMIN,
    }
    formset = FormSet(data, instance=citizen, prefix="role_assignments")
    assert not formset.is_valid()
    assert "nobody may hold two" in str(formset.non_form_errors())


def test_an_administrator_cannot_change_their_own_roles_in_the_admin(trio):
    client = _admin(trio["sec"])
    own = trio["sec"].role_assignments.get()
    url = reverse("admin:accounts_roleassignment_delete", args=[own.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_only_a_superuser_grants_superuser_status(trio, citizen):
    client = _admin(trio["sec"])
    page = client.get(reverse("admin:accounts_user_change", args=[citizen.pk]))
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "groups" not in form.fields


# --- the role x operation matrix of the three ------------------------------------------------

MATRIX = {
    # permission: (system, security, audit)
    "org.change_department": (True, False, False),
    "catalog.view_serviceitem": (True, False, False),
    "catalog.change_serviceitem": (False, False, False),
    "catalog.change_qualityrulesetting": (False, False, False),
    "accounts.add_user": (False, True, False),
    "accounts.change_user": (False, True, False),
    "accounts.add_roleassignment": (False, True, False),
    "accounts.view_roleassignment": (False, True, True),
    "accounts.delete_totpdevice": (False, True, False),
    "accounts.change_secondfactorlock": (False, True, False),
    "axes.view_accessattempt": (False, True, True),
    "axes.delete_accessattempt": (False, True, False),
    "core.view_auditrecord": (False, False, True),
    "core.change_auditrecord": (False, False, False),
    "core.delete_auditrecord": (False, False, False),
}


@pytest.mark.parametrize("permission", sorted(MATRIX))
def test_role_permission_matrix(trio, permission):
    expected = dict(zip(("sys", "sec", "audit"), MATRIX[permission], strict=True))
    actual = {who: trio[who].has_perm(permission) for who in expected}
    assert actual == expected


def test_the_audit_administrator_holds_view_permissions_only(trio):
    perms = trio["audit"].get_all_permissions()
    assert perms and all(p.split(".", 1)[1].startswith("view_") for p in perms)


def test_the_audit_administrator_reads_the_trail_and_changes_nothing(trio):
    client = _admin(trio["audit"])
    assert client.get(reverse("admin:core_auditrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_roleassignment_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_qualityrulesetting_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": trio["sys"].pk, "role": Role.CATALOG_ADMIN},
    )
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(role=Role.CATALOG_ADMIN).exists()


def test_the_security_administrator_stays_out_of_catalogue_and_audit(trio):
    client = _admin(trio["sec"])
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_serviceitem_changelist")).status_code == 403
    assert client.get(reverse("admin:core_auditrecord_changelist")).status_code == 403


def test_no_role_grants_a_change_to_the_audit_trail():
    from tongban.accounts.roles import _permissions_of

    for role in Role:
        codenames = {p.codename for p in _permissions_of(role)}
        assert not codenames & {"change_auditrecord", "delete_auditrecord", "add_auditrecord"}


def test_the_check_warns_about_superusers_outside_development(settings, admin_user):
    settings.DEBUG = False
    [warning] = no_superuser_outside_development()
    assert warning.id == "accounts.W001" and "admin" in warning.msg
    settings.DEBUG = True
    assert no_superuser_outside_development() == []
    settings.DEBUG = False
    User.objects.filter(pk=admin_user.pk).update(is_superuser=False)
    assert no_superuser_outside_development() == []


def test_tongban_check_reports_it(settings, admin_user, capsys):
    from django.core.management.base import SystemCheckError

    settings.DEBUG = False
    with pytest.raises(SystemCheckError):
        call_command("check", "--fail-level", "WARNING")
    assert Permission.objects.exists()
