"""Roles grant permissions through one group per role, kept in step with assignments."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tongban.accounts.models import Role, RoleAssignment, User
from tongban.accounts.roles import GROUP_PREFIX, sync_role_groups

pytestmark = pytest.mark.django_db


def test_a_catalogue_administrator_may_import_and_use_the_admin(citizen, client):
    assert not citizen.has_perm("catalog.add_serviceitem")
    client.force_login(citizen)
    assert client.get("/manage/catalog/import/").status_code == 403
    RoleAssignment.objects.create(user=citizen, role=Role.CATALOG_ADMIN)
    user = User.objects.get(pk=citizen.pk)  # permissions are cached per instance
    assert user.is_staff
    assert user.has_perm("catalog.add_serviceitem") and user.has_perm("org.view_department")
    assert not user.has_perm("accounts.change_user")
    assert client.get("/manage/catalog/import/").status_code == 200


def test_losing_the_role_takes_the_rights_away(citizen):
    assignment = RoleAssignment.objects.create(user=citizen, role=Role.SECURITY_ADMIN)
    assert User.objects.get(pk=citizen.pk).has_perm("accounts.change_user")
    assignment.delete()
    user = User.objects.get(pk=citizen.pk)
    assert not user.is_staff
    assert not user.has_perm("accounts.change_user")
    assert not user.groups.filter(name__startswith=GROUP_PREFIX).exists()


def test_working_roles_give_no_admin_rights_yet(official_a):
    user = User.objects.get(pk=official_a.pk)  # a reviewer
    assert not user.is_staff
    assert not user.get_all_permissions()


def test_other_groups_of_a_user_are_left_alone(citizen):

    own = Group.objects.create(name="newsletter editors")
    citizen.groups.add(own)
    assignment = RoleAssignment.objects.create(user=citizen, role=Role.CATALOG_ADMIN)
    assignment.delete()
    assert list(citizen.groups.all()) == [own]


def test_group_permissions_follow_the_table(citizen):

    RoleAssignment.objects.create(user=citizen, role=Role.CATALOG_ADMIN)
    group = Group.objects.get(name=f"{GROUP_PREFIX}{Role.CATALOG_ADMIN}")
    group.permissions.clear()
    sync_role_groups()
    assert group.permissions.filter(codename="add_serviceitem").exists()


def test_deleting_a_user_with_roles_works(citizen):
    RoleAssignment.objects.create(user=citizen, role=Role.CATALOG_ADMIN)
    citizen.delete()
    assert not User.objects.filter(pk=citizen.pk).exists()
