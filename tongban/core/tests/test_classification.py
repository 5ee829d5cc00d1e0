"""Data classification (core.classification): personas x levels, ownership, fail-closed."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models
from django.test.utils import isolate_apps

from tongban.core.classification import (
    ADMIN_DUTY_ROLES,
    Classified,
    can_see,
    clearance_of,
)
from tongban.core.models import ClassificationLevel

P, I, S, C = (  # noqa: E741 - the four levels' initials
    ClassificationLevel.PUBLIC,
    ClassificationLevel.INTERNAL,
    ClassificationLevel.SENSITIVE,
    ClassificationLevel.CONFIDENTIAL,
)
LEVELS = (P, I, S, C)


def _user(username: str, **fields: Any) -> Any:
    return get_user_model().objects.create_user(username=username, password="x-Pass-42", **fields)


def _duty(username: str, role: str, clearance: int) -> Any:
    user = _user(username, kind="admin", clearance=clearance)
    user.role_assignments.create(role=role)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def personas(citizen, official_a, admin_user, department_a) -> dict[str, Any]:
    cleared = _user("official-internal", kind="official", department=department_a, clearance=I)
    sensitive = _user("official-sensitive", kind="official", department=department_a,
                      clearance=S)  # fmt: skip
    top = _user("official-top", kind="official", department=department_a, clearance=C)
    gone = _user("official-gone", kind="official", department=department_a, clearance=C,
                 is_active=False)  # fmt: skip
    # A citizen whose clearance field was set by mistake gains nothing from it.
    lucky = _user("citizen-lucky", clearance=C)
    return {
        "none": None,
        "anonymous": AnonymousUser(),
        "citizen": citizen,
        "citizen with a stray clearance": lucky,
        "official (default clearance)": official_a,
        "official, internal": cleared,
        "official, sensitive": sensitive,
        "official, confidential": top,
        "inactive official": gone,
        "system admin (confidential clearance)": _duty("sys", "system_admin", C),
        "security admin (sensitive clearance)": _duty("sec", "security_admin", S),
        "audit admin (public clearance)": _duty("aud", "audit_admin", P),
        "superuser outside development": admin_user,
    }


# The highest level each persona sees (records they do not own).
EXPECTED = {
    "none": P,
    "anonymous": P,
    "citizen": P,
    "citizen with a stray clearance": P,
    "official (default clearance)": P,
    "official, internal": I,
    "official, sensitive": S,
    "official, confidential": C,
    "inactive official": P,
    "system admin (confidential clearance)": I,  # capped: 三员 do not read case data
    "security admin (sensitive clearance)": I,
    "audit admin (public clearance)": P,
    "superuser outside development": P,
}


def test_each_persona_sees_exactly_the_levels_of_the_rule(personas) -> None:
    actual = {
        name: [level for level in LEVELS if can_see(user, level)] for name, user in personas.items()
    }
    expected = {name: [lv for lv in LEVELS if lv <= EXPECTED[name]] for name in personas}
    assert actual == expected
    assert {name: clearance_of(user) for name, user in personas.items()} == EXPECTED


def test_a_superuser_sees_everything_in_development_only(admin_user, settings) -> None:
    settings.DEBUG = True
    fresh = get_user_model().objects.get(pk=admin_user.pk)
    assert all(can_see(fresh, level) for level in LEVELS)
    settings.DEBUG = False
    again = get_user_model().objects.get(pk=admin_user.pk)
    assert not can_see(again, I)


def test_unknown_levels_fail_closed(personas) -> None:
    top = personas["official, confidential"]
    assert can_see(top, C)
    assert not can_see(personas["official, sensitive"], 99)
    assert not can_see(personas["citizen"], "internal")  # type: ignore[arg-type]
    assert can_see(top, 99)  # the highest clearance sees what is treated as highest


def test_owners_see_their_own_records_at_any_level(personas) -> None:
    citizen = personas["citizen"]
    assert not can_see(citizen, C)
    assert can_see(citizen, C, owner=True)
    # Ownership needs a signed-in, active account.
    assert not can_see(personas["anonymous"], I, owner=True)
    assert not can_see(personas["inactive official"], I, owner=True)


def test_the_duty_codes_mirror_the_accounts_module() -> None:
    accounts_models = apps.get_app_config("accounts").models_module
    assert set(accounts_models.ADMIN_DUTIES) == ADMIN_DUTY_ROLES
    field = get_user_model()._meta.get_field("clearance")
    assert [c[0] for c in field.choices] == list(ClassificationLevel.values)


@pytest.mark.django_db(transaction=True)
def test_visible_to_filters_by_clearance_and_ownership(personas) -> None:
    """A concrete model built on the mixin, as the approval module's cases will be."""
    with isolate_apps("tongban.core"):

        class Record(Classified):
            OWNER_LOOKUPS = ("owner_id",)
            owner_id = models.IntegerField(null=True)
            label = models.CharField(max_length=20)

            class Meta:
                app_label = "core"

        with connection.schema_editor() as editor:
            editor.create_model(Record)
        try:
            citizen = personas["citizen"]
            for level in LEVELS:
                Record.objects.create(label=f"L{level}", classification=level)
            Record.objects.create(label="mine", classification=C, owner_id=citizen.pk)

            def seen(user: Any) -> set[str]:
                return set(Record.objects.visible_to(user).values_list("label", flat=True))

            assert seen(personas["anonymous"]) == {"L1"}
            assert seen(citizen) == {"L1", "mine"}
            assert seen(personas["official, internal"]) == {"L1", "L2"}
            assert seen(personas["official, confidential"]) == {"L1", "L2", "L3", "L4", "mine"}
            assert seen(personas["system admin (confidential clearance)"]) == {"L1", "L2"}
            mine = Record.objects.get(label="mine")
            assert mine.is_visible_to(citizen)
            assert not mine.is_visible_to(personas["citizen with a stray clearance"])
            assert not mine.is_visible_to(personas["official, sensitive"])
            assert Record.objects.all().highest_level() == C
            assert Record.objects.filter(classification=P).highest_level() == P
            assert Record.objects.none().highest_level() == P
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Record)
