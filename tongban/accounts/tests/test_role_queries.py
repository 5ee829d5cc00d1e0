"""Role questions, answered in one place (``tongban.accounts.queries``), one query each.

Personas: a window clerk of department A (scjg), the leader of A (who also reviews there),
a reviewer of department B (ga), a city leader (no department), a system administrator
(no department), and a citizen without any role.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.accounts.queries import (
    OFFICE_ROLES,
    departments_where,
    holds_role,
    role_holder_exists,
    role_holders,
    roles_by_department,
    roles_in,
    roles_of,
)
from tongban.org.models import Department

pytestmark = pytest.mark.django_db


def _official(username: str, *grants: tuple[str, Department | None]) -> User:
    user = User.objects.create_user(username=username, kind=UserKind.OFFICIAL)
    for role, department in grants:
        RoleAssignment.objects.create(user=user, role=role, department=department)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def people(department_a, department_b):
    return {
        "clerk_a": _official("clerk-a", (Role.CLERK, department_a)),
        "leader_a": _official(
            "leader-a", (Role.DEPARTMENT_LEADER, department_a), (Role.REVIEWER, department_a)
        ),
        "reviewer_b": _official("reviewer-b", (Role.REVIEWER, department_b)),
        "city_leader": _official("city-leader", (Role.CITY_LEADER, None)),
        "sysadmin": _official("sysadmin", (Role.SYSTEM_ADMIN, None)),
        "citizen": User.objects.create_user(username="no-role"),
    }


# --- does this user hold this role (in this department) ----------------------------------


def test_holds_role_in_a_department(people, department_a, department_b):
    clerk = people["clerk_a"]
    assert holds_role(clerk, Role.CLERK) is True
    assert holds_role(clerk, Role.CLERK, department_a) is True
    assert holds_role(clerk, Role.CLERK, department_b) is False
    assert holds_role(clerk, [Role.REVIEWER, Role.DEPARTMENT_LEADER], department_a) is False
    assert holds_role(people["leader_a"], OFFICE_ROLES, department_a) is True
    assert holds_role(people["reviewer_b"], OFFICE_ROLES, department_a) is False
    assert holds_role(people["reviewer_b"], "reviewer", department_b.pk) is True


def test_holds_role_without_a_department(people, department_a):
    assert holds_role(people["sysadmin"], Role.SYSTEM_ADMIN) is True
    assert holds_role(people["sysadmin"], Role.SYSTEM_ADMIN, department_a) is False
    assert holds_role(people["city_leader"], Role.CITY_LEADER) is True
    assert holds_role(people["city_leader"], Role.SYSTEM_ADMIN) is False
    assert holds_role(people["clerk_a"], Role.CITY_LEADER) is False


def test_a_missing_department_matches_nothing_rather_than_everywhere(people, department_a):
    # A nullable foreign key that happens to be empty must not widen a permission check
    # to every department.
    assert holds_role(people["clerk_a"], Role.CLERK, None) is False
    assert holds_role(people["leader_a"], OFFICE_ROLES, None) is False
    assert not role_holders(Role.CLERK, None).exists()
    assert role_holders(Role.CLERK).filter(pk=people["clerk_a"].pk).exists()


def test_any_role_at_all(people):
    assert holds_role(people["clerk_a"]) is True
    assert holds_role(people["sysadmin"]) is True
    assert holds_role(people["citizen"]) is False


def test_holds_role_in_any_of_several_departments(people, department_a, department_b):
    both = [department_a.pk, department_b.pk]
    assert holds_role(people["reviewer_b"], Role.REVIEWER, both) is True
    assert holds_role(people["reviewer_b"], Role.REVIEWER, [department_a.pk]) is False
    only_a = Department.objects.filter(code="scjg").values("pk")
    assert holds_role(people["clerk_a"], Role.CLERK, only_a) is True
    assert holds_role(people["reviewer_b"], Role.REVIEWER, only_a) is False


def test_an_anonymous_user_holds_nothing_and_costs_no_query(
    people, department_a, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert holds_role(AnonymousUser(), Role.CLERK) is False
        assert holds_role(None) is False
        assert roles_in(AnonymousUser(), department_a) == set()
        assert roles_of(AnonymousUser()) == set()
        assert roles_by_department(AnonymousUser()) == {}
        assert list(departments_where(AnonymousUser(), OFFICE_ROLES)) == []


# --- the roles of this user (in this department) ------------------------------------------


def test_roles_in_a_department(people, department_a, department_b):
    assert roles_in(people["leader_a"], department_a) == {"department_leader", "reviewer"}
    assert roles_in(people["clerk_a"], department_a) == {"clerk"}
    assert roles_in(people["clerk_a"], department_b) == set()
    assert roles_in(people["reviewer_b"], department_b.pk) == {"reviewer"}
    assert roles_in(people["city_leader"], department_a) == set()


def test_roles_in_no_department_asks_nothing(people, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert roles_in(people["clerk_a"], None) == set()


def test_roles_of_a_user_anywhere(people):
    assert roles_of(people["leader_a"]) == {"department_leader", "reviewer"}
    assert roles_of(people["city_leader"]) == {"city_leader"}
    assert roles_of(people["citizen"]) == set()


def test_roles_by_department(people, department_a, department_b):
    user = _official(
        "two-hats",
        (Role.CLERK, department_a),
        (Role.REVIEWER, department_b),
        (Role.CATALOG_ADMIN, None),
    )
    assert roles_by_department(user) == {department_a.pk: {"clerk"}, department_b.pk: {"reviewer"}}
    assert roles_by_department(user, [Role.REVIEWER]) == {department_b.pk: {"reviewer"}}
    assert roles_by_department(people["leader_a"], OFFICE_ROLES) == {
        department_a.pk: {"department_leader", "reviewer"}
    }
    assert roles_by_department(people["city_leader"]) == {}


# --- which departments does this user hold these roles in ---------------------------------


def test_departments_where(people, department_a, department_b):
    assert list(departments_where(people["clerk_a"], OFFICE_ROLES)) == [department_a]
    assert list(departments_where(people["reviewer_b"], [Role.CLERK])) == []
    assert list(departments_where(people["city_leader"], OFFICE_ROLES)) == []
    assert list(departments_where(people["sysadmin"])) == []
    user = _official("two-hats", (Role.CLERK, department_a), (Role.REVIEWER, department_b))
    # Ordered by code: ga before scjg.
    assert [d.code for d in departments_where(user, OFFICE_ROLES)] == ["ga", "scjg"]
    assert [d.code for d in departments_where(user, Role.CLERK)] == ["scjg"]


def test_a_department_is_listed_once_for_several_roles(people, department_a):
    assert list(departments_where(people["leader_a"])) == [department_a]


# --- holders of a role --------------------------------------------------------------------


def test_role_holders(people, department_a, department_b):
    assert list(role_holders(Role.CLERK)) == [people["clerk_a"]]
    in_a = role_holders(OFFICE_ROLES, department_a).order_by("username")
    assert [u.username for u in in_a] == ["clerk-a", "leader-a"]
    assert [u.username for u in role_holders(Role.REVIEWER, department_b.pk)] == ["reviewer-b"]
    assert list(role_holders(Role.AUDIT_ADMIN)) == []


def test_role_holders_leaves_out_inactive_accounts_unless_asked(people):
    User.objects.filter(pk=people["sysadmin"].pk).update(is_active=False)
    assert list(role_holders(Role.SYSTEM_ADMIN)) == []
    assert [u.username for u in role_holders(Role.SYSTEM_ADMIN, active_only=False)] == ["sysadmin"]


def test_role_holder_exists_in_one_query_over_users(people, django_assert_num_queries):
    with django_assert_num_queries(1):
        holders = set(User.objects.filter(role_holder_exists()).values_list("username", flat=True))
    assert holders == {"clerk-a", "leader-a", "reviewer-b", "city-leader", "sysadmin"}
    with django_assert_num_queries(1):
        rows = dict(
            User.objects.annotate(admin=role_holder_exists(Role.SYSTEM_ADMIN)).values_list(
                "username", "admin"
            )
        )
    assert rows["sysadmin"] is True
    assert rows["city-leader"] is False
    assert rows["no-role"] is False


# --- one query each -----------------------------------------------------------------------


def test_each_question_costs_one_query(
    people, department_a, department_b, django_assert_num_queries
):
    leader = people["leader_a"]
    subquery = Department.objects.filter(code__in=["scjg", "ga"]).values("pk")
    with django_assert_num_queries(1):
        holds_role(leader, OFFICE_ROLES, department_a)
    with django_assert_num_queries(1):
        holds_role(leader, OFFICE_ROLES, subquery)
    with django_assert_num_queries(1):
        roles_in(leader, department_a)
    with django_assert_num_queries(1):
        roles_of(leader)
    with django_assert_num_queries(1):
        roles_by_department(leader, OFFICE_ROLES)
    with django_assert_num_queries(1):
        list(departments_where(leader, OFFICE_ROLES))
    with django_assert_num_queries(1):
        list(role_holders(OFFICE_ROLES, [department_a.pk, department_b.pk]))


# --- nobody asks elsewhere ----------------------------------------------------------------

# Modules allowed to read RoleAssignment rows directly: this module's subject, and the
# separation-of-duties check that guards the write creating an assignment.
ALLOWED = {"tongban/accounts/queries.py", "tongban/accounts/services_security.py"}


def test_role_questions_are_asked_only_through_accounts_queries():
    root = Path(__file__).resolve().parents[3]
    pattern = re.compile(r"RoleAssignment\.objects\.(filter|exclude|get|values)\b|Exists\(Role")
    offenders = []
    for path in sorted((root / "tongban").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative in ALLOWED:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == []
