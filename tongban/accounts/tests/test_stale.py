"""Stale staff accounts are disabled after 90 days without a sign-in (等保: 及时删除或停用多余
的、过期的账户), with a warning 14 days before; citizens are never touched."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from tongban.accounts import stale
from tongban.accounts.models import AccountSession, Role, RoleAssignment, User, UserKind
from tongban.core import scheduling
from tongban.core.alerts import Alert
from tongban.core.models import AuditRecord, RunStatus, ScheduledRun

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]

NOW = timezone.now().replace(microsecond=0)


def _quiet(user: User, days: float, *, never: bool = False) -> User:
    """Make ``user`` last seen ``days`` ago (signed in then, or created then and never since)."""
    moment = NOW - timedelta(days=days)
    if never:
        User.objects.filter(pk=user.pk).update(last_login=None, date_joined=moment)
    else:
        User.objects.filter(pk=user.pk).update(
            last_login=moment, date_joined=moment - timedelta(days=365)
        )
    user.refresh_from_db()
    return user


def _staff(username: str, role: str | None = None, **fields) -> User:
    user = User.objects.create_user(username=username, kind=fields.pop("kind", UserKind.OFFICIAL),
                                    **fields)  # fmt: skip
    if role:
        RoleAssignment.objects.create(user=user, role=role)
    return user


def _active(user: User) -> bool:
    user.refresh_from_db()
    return user.is_active


def _actions(action: str, user: User | None = None) -> int:
    records = AuditRecord.objects.filter(action=action)
    if user is not None:
        records = records.filter(object_type="accounts.user", object_id=str(user.pk))
    return records.count()


@pytest.fixture
def alerts(monkeypatch):
    """The alerts raised (each also recorded in the audit chain by the real raise_alert)."""
    seen: list[Alert] = []
    real = stale.raise_alert

    def recording(*args, **kwargs):
        alert = real(*args, **kwargs)
        seen.append(alert)
        return alert

    monkeypatch.setattr(stale, "raise_alert", recording)
    return seen


def test_ninety_days_without_sign_in_disables_eighty_nine_does_not(official_a, official_b, alerts):
    _quiet(official_a, 90)
    _quiet(official_b, 89.9)
    session = SessionStore()
    session.create()
    AccountSession.objects.create(user=official_a, session_key=session.session_key)

    plan = stale.handle_stale_accounts(NOW)

    assert [e.username for e in plan.disable] == ["official-a"]
    assert not _active(official_a) and _active(official_b)
    assert not AccountSession.objects.filter(user=official_a).exists()
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert _actions("accounts.user.disable", official_a) == 1
    record = AuditRecord.objects.get(action=stale.DISABLE_ACTION)
    assert record.object_id == str(official_a.pk) and record.actor_id is None
    assert record.meta == {"days_inactive": 90, "threshold_days": 90, "never_signed_in": False,
                           "sessions": 1}  # fmt: skip
    disabled = [a for a in alerts if a.code == "accounts.stale_disabled"]
    assert len(disabled) == 1
    assert (disabled[0].audience, disabled[0].params) == (
        "security_admin",
        {"count": 1, "days": 90, "usernames": "official-a"},
    )
    assert "王审批" not in disabled[0].render()  # usernames only, never real names
    assert _actions("alert.accounts.stale_disabled") == 1
    assert [e.username for e in plan.warn] == ["official-b"]  # 89 days: warned instead


def test_accounts_that_never_signed_in_count_from_their_creation(department_a):
    old = _quiet(_staff("never-old", department=department_a), 91, never=True)
    new = _quiet(_staff("never-new", department=department_a), 10, never=True)
    plan = stale.handle_stale_accounts(NOW)
    assert [(e.username, e.never_signed_in) for e in plan.disable] == [("never-old", True)]
    assert not _active(old) and _active(new)
    assert AuditRecord.objects.get(action=stale.DISABLE_ACTION).meta["never_signed_in"] is True


def test_citizens_are_never_disabled(citizen, other_citizen, official_a):
    _quiet(citizen, 400)
    _quiet(other_citizen, 1000, never=True)
    _quiet(official_a, 400)
    plan = stale.handle_stale_accounts(NOW)
    assert [e.username for e in plan.disable] == ["official-a"]
    assert _active(citizen) and _active(other_citizen)
    assert _actions("accounts.user.disable", citizen) == 0


def test_every_kind_of_staff_account_counts(admin_user, department_a):
    # A superuser, an administrator, a holder of one of the three duties, and a
    # citizen-kind account that holds a role (its role makes it a staff account).
    duty = _staff("sec-admin", Role.SECURITY_ADMIN, kind=UserKind.ADMIN)
    auditor = _staff("auditor", Role.AUDIT_ADMIN, kind=UserKind.ADMIN)
    role_holder = _staff("clerk-citizen", Role.CLERK, kind=UserKind.CITIZEN)
    for user in (admin_user, duty, auditor, role_holder):
        _quiet(user, 120)
    plan = stale.find_stale_accounts(NOW)
    assert sorted(e.username for e in plan.disable) == [
        "admin", "auditor", "clerk-citizen", "sec-admin"
    ]  # fmt: skip


def test_already_disabled_accounts_are_left_alone(official_a):
    _quiet(official_a, 200)
    User.objects.filter(pk=official_a.pk).update(is_active=False)
    plan = stale.handle_stale_accounts(NOW)
    assert plan.disable == [] and plan.warn == []
    assert _actions("accounts.user.disable") == 0 and _actions(stale.DISABLE_ACTION) == 0


def test_warning_is_raised_once_per_quiet_spell(official_a, alerts):
    _quiet(official_a, 76)  # 90 - 14
    first = stale.handle_stale_accounts(NOW)
    again = stale.handle_stale_accounts(NOW + timedelta(days=1))
    assert [e.username for e in first.warn] == ["official-a"] and again.warn == []
    assert _active(official_a)
    assert _actions(stale.WARNING_ACTION, official_a) == 1
    warnings = [a for a in alerts if a.code == "accounts.stale_warning"]
    assert len(warnings) == 1 and warnings[0].audience == "security_admin"
    assert warnings[0].params == {"count": 1, "warn_days": 76, "days": 90,
                                  "usernames": "official-a"}  # fmt: skip

    # Signs in, then goes quiet again: a new warning is due after another 76 days.
    User.objects.filter(pk=official_a.pk).update(last_login=NOW + timedelta(days=2))
    assert stale.find_stale_accounts(NOW + timedelta(days=70)).warn == []
    later = stale.handle_stale_accounts(NOW + timedelta(days=80))
    assert [e.username for e in later.warn] == ["official-a"]
    assert _actions(stale.WARNING_ACTION, official_a) == 2


def test_an_account_enabled_again_gets_a_new_period(official_a):
    _quiet(official_a, 200)
    stale.handle_stale_accounts(NOW)
    assert not _active(official_a)
    User.objects.filter(pk=official_a.pk).update(is_active=True)  # an administrator's choice
    # The period starts again when the job disabled it (its audit record).
    disabled_at = AuditRecord.objects.get(action=stale.DISABLE_ACTION).occurred_at
    assert stale.find_stale_accounts(disabled_at + timedelta(days=75)).disable == []
    plan = stale.handle_stale_accounts(disabled_at + timedelta(days=80))
    assert [e.username for e in plan.warn] == ["official-a"] and _active(official_a)
    plan = stale.handle_stale_accounts(disabled_at + timedelta(days=90))
    assert [e.username for e in plan.disable] == ["official-a"] and not _active(official_a)


def test_seventy_five_days_is_not_yet_warned(official_a):
    _quiet(official_a, 75.9)
    plan = stale.find_stale_accounts(NOW)
    assert plan.warn == [] and plan.disable == []


def test_the_limit_comes_from_the_setting(settings, official_a, official_b, monkeypatch):
    settings.TONGBAN_STALE_STAFF_DAYS = 30
    _quiet(official_a, 31)
    _quiet(official_b, 17)
    plan = stale.find_stale_accounts(NOW)
    assert (plan.days, plan.warn_days) == (30, 16)
    assert [e.username for e in plan.disable] == ["official-a"]
    assert [e.username for e in plan.warn] == ["official-b"]
    del settings.TONGBAN_STALE_STAFF_DAYS
    monkeypatch.setenv("TONGBAN_STALE_STAFF_DAYS", "10")
    assert stale.stale_days() == 10
    assert stale.warning_days(10) is None  # too short a limit for a warning
    monkeypatch.setenv("TONGBAN_STALE_STAFF_DAYS", "0")
    with pytest.raises(ValueError, match="at least 1"):
        stale.stale_days()


def test_an_account_that_cannot_be_disabled_does_not_stop_the_others(
    official_a, official_b, monkeypatch
):
    _quiet(official_a, 100)
    _quiet(official_b, 95)
    real = stale.disable_account

    def flaky(user, *, actor):
        if user.pk == official_a.pk:
            raise RuntimeError("database hiccup")
        return real(user, actor=actor)

    monkeypatch.setattr(stale, "disable_account", flaky)
    with pytest.raises(stale.StaleAccountsError, match="1 stale account"):
        stale.handle_stale_accounts(NOW)
    assert _active(official_a) and not _active(official_b)
    assert _actions(stale.DISABLE_ACTION) == 1


def test_dry_run_lists_and_changes_nothing(official_a, official_b, citizen):
    _quiet(official_a, 120)
    _quiet(official_b, 80)
    _quiet(citizen, 500)
    out = StringIO()
    call_command("stale_accounts", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "would disable" in text and "official-a" in text and "(120 days)" in text
    assert "would warn" in text and "official-b" in text
    assert "citizen-a" not in text
    assert "1 would disable, 1 would warn (limit 90 days, warning after 76 days)" in text
    assert _active(official_a) and AuditRecord.objects.filter(action__contains="stale").count() == 0

    out = StringIO()
    call_command("stale_accounts", stdout=out)
    assert "1 disabled, 1 warned" in out.getvalue() and not _active(official_a)


def test_the_daily_job_runs_through_the_scheduler(official_a):
    _quiet(official_a, 95)
    job = scheduling.get_job("accounts.stale")
    assert job is not None and job.schedule == "every 1 day at 02:30"
    with scheduling.registry_override(job):
        scheduling.tick()
    [run] = ScheduledRun.objects.filter(job="accounts.stale")
    assert run.status == RunStatus.SUCCEEDED
    assert not _active(official_a)
