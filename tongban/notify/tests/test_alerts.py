"""Alerts reach the holders of the audience role, in their language; security events raise
them (lock-outs through the real sign-in form, second-factor locks, administrative roles,
a failed audit check), and a burst of lock-outs raises one alert, not hundreds."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from conftest import make_resident_id
from tongban.accounts import services_security as security
from tongban.accounts.models import Role, RoleAssignment, SecondFactorKind
from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import AuditProblem
from tongban.notify.models import Message
from tongban.notify.tests.conftest import make_holder

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
TEST_ALERT = _("The role %(role)s was granted to %(account)s.")  # any translated text


def alerts_for(user, code=None):
    messages = Message.objects.filter(recipient=user, code__startswith="alert.")
    if code:
        messages = messages.filter(code=f"alert.{code}")
    return list(messages.order_by("id"))


def fail_sign_in(client, identifier, times):
    for _attempt in range(times):
        client.post(LOGIN, {"username": identifier, "password": "not-the-password"})


# --- delivery ------------------------------------------------------------------------------


def test_an_alert_reaches_active_holders_of_the_audience_role_only(
    security_admin, security_admin_en, audit_admin, official_a, admin_user,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    gone = make_holder("sec-gone", "security_admin", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        raise_alert(
            "test.thing", audience=Role.SECURITY_ADMIN, message=TEST_ALERT,
            params={"role": "X", "account": "y"}, severity=Severity.CRITICAL,
        )  # fmt: skip
    assert len(alerts_for(security_admin)) == 1
    assert len(alerts_for(security_admin_en)) == 1
    for outsider in (audit_admin, official_a, admin_user, gone):
        assert alerts_for(outsider) == []
    assert sorted(m.to[0] for m in mail.outbox) == [
        "sec-admin-en@example.gov.cn", "sec-admin@example.gov.cn",
    ]  # fmt: skip
    message = alerts_for(security_admin)[0]
    assert message.severity == "critical"
    assert message.deliveries.get().channel == "email"  # in-app and e-mail, never SMS


def test_each_recipient_reads_the_alert_in_their_own_language(
    security_admin, security_admin_en, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        raise_alert(
            "security.admin_role_granted", audience=Role.SECURITY_ADMIN, message=TEST_ALERT,
            params={"role": Role.AUDIT_ADMIN.label, "account": "li"},
        )  # fmt: skip
    zh, en = alerts_for(security_admin)[0], alerts_for(security_admin_en)[0]
    assert zh.subject == "已授予管理员角色"
    assert zh.body == "已向 li 授予“审计管理员”角色。"
    assert en.subject == "Administrative role granted"
    assert en.body == "The role Audit administrator was granted to li."
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["sec-admin-en@example.gov.cn"].subject == "Administrative role granted"
    assert by_address["sec-admin@example.gov.cn"].subject == "已授予管理员角色"


def test_a_departmental_alert_reaches_that_departments_leader_only(
    department_a, department_b, django_capture_on_commit_callbacks
):
    leader_a = make_holder("leader-a", "department_leader", department=department_a)
    leader_b = make_holder("leader-b", "department_leader", department=department_b)
    with django_capture_on_commit_callbacks(execute=True):
        raise_alert(
            "cases.overdue", audience=Role.DEPARTMENT_LEADER, message=TEST_ALERT,
            params={"role": "r", "account": "a"}, department_id=department_a.pk,
        )  # fmt: skip
    assert len(alerts_for(leader_a)) == 1
    assert alerts_for(leader_b) == []


def test_an_alert_raised_in_a_rolled_back_transaction_is_never_delivered(
    security_admin, django_capture_on_commit_callbacks
):
    from django.db import transaction

    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        raise_alert("test.thing", audience=Role.SECURITY_ADMIN, message="x")
        raise RuntimeError
    assert alerts_for(security_admin) == []


# --- lock-outs through the sign-in form -------------------------------------------------------


def test_locking_out_a_staff_account_names_it(
    client, official_a, security_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fail_sign_in(client, official_a.username, 5)
    assert client.post(LOGIN, {"username": official_a.username, "password": "x"}).status_code == 429
    [alert] = alerts_for(security_admin, "security.lockout")
    assert alert.subject == "账号因多次登录失败被锁定"
    assert "official-a" in alert.body and "5" in alert.body
    assert alert.link == reverse("admin:axes_accessattempt_changelist")


def test_locking_out_a_citizen_or_an_unknown_identifier_never_echoes_it(
    client, citizen, security_admin, django_capture_on_commit_callbacks
):
    stranger = make_resident_id(seq=555)  # a valid ID number naming no account
    with django_capture_on_commit_callbacks(execute=True):
        fail_sign_in(client, citizen.phone, 5)
        fail_sign_in(client, stranger, 5)
    citizen_alert, stranger_alert = alerts_for(security_admin, "security.lockout")
    assert "群众账号" in citizen_alert.body
    assert "未知的登录标识" in stranger_alert.body
    for alert in (citizen_alert, stranger_alert):
        text = alert.subject + alert.body
        for secret in (citizen.phone, citizen.username, citizen.id_number, stranger, "unknown:"):
            assert secret not in text
    for email in mail.outbox:
        assert stranger not in email.body and citizen.phone not in email.body


def test_further_attempts_on_a_locked_account_raise_no_further_alert(
    client, official_a, security_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fail_sign_in(client, official_a.username, 12)
    assert len(alerts_for(security_admin, "security.lockout")) == 1


def test_a_burst_of_lock_outs_raises_one_summary_alert(
    client, settings, security_admin, django_capture_on_commit_callbacks
):
    settings.TONGBAN_ALERT_BURST_THRESHOLD = 2
    identifiers = [make_resident_id(seq=600 + i) for i in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        for identifier in identifiers:
            fail_sign_in(client, identifier, 5)
    codes = [m.code for m in alerts_for(security_admin)]
    assert codes == ["alert.security.lockout"] * 2 + ["alert.security.lockout_burst"]
    [burst] = alerts_for(security_admin, "security.lockout_burst")
    assert burst.severity == "critical"
    assert "3" in burst.body  # the third lock-out in the window passed the threshold


# --- second factor, roles, audit ---------------------------------------------------------


def test_locking_a_second_factor_alerts_the_security_administrators(
    official_a, security_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(4):
            security.verify_second_factor(official_a, SecondFactorKind.RECOVERY_CODE, {"code": "x"})
        assert alerts_for(security_admin) == []  # four wrong codes: not locked yet
        security.verify_second_factor(official_a, SecondFactorKind.RECOVERY_CODE, {"code": "x"})
    [alert] = alerts_for(security_admin, "security.second_factor_locked")
    assert "official-a" in alert.body and "15" in alert.body
    locked = pytest.raises(security.SecondFactorLocked)
    with django_capture_on_commit_callbacks(execute=True), locked:
        security.verify_second_factor(official_a, SecondFactorKind.RECOVERY_CODE, {"code": "x"})
    assert len(alerts_for(security_admin)) == 1  # trying while locked: no new alert


def test_granting_and_revoking_an_administrative_duty_alerts(
    official_b, security_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant = RoleAssignment.objects.create(user=official_b, role=Role.SYSTEM_ADMIN)
    [granted] = alerts_for(security_admin, "security.admin_role_granted")
    assert granted.body == "已向 official-b 授予“系统管理员”角色。"
    with django_capture_on_commit_callbacks(execute=True):
        grant.delete()
    [revoked] = alerts_for(security_admin, "security.admin_role_revoked")
    assert revoked.body == "已撤销 official-b 的“系统管理员”角色。"


def test_other_roles_raise_no_alert(official_b, security_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        RoleAssignment.objects.create(user=official_b, role=Role.CLERK)
    assert alerts_for(security_admin) == []


def test_a_failed_audit_check_alerts_the_audit_administrators(
    monkeypatch, audit_admin, security_admin, django_capture_on_commit_callbacks
):
    from tongban.core.management.commands import audit as command

    problems = [
        AuditProblem("accounts", 3, 17, "altered", "stored hash does not match"),
        AuditProblem("catalog", 9, None, "truncated", "head is ahead"),
    ]
    monkeypatch.setattr(command, "verify", lambda: problems)
    err = StringIO()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "FAIL: stream 'accounts' seq 3" in err.getvalue()  # the verdict is still printed
    [alert] = alerts_for(audit_admin, "audit.verify_failed")
    assert alert.severity == "critical"
    assert alert.subject == "审计日志校验未通过"
    assert "accounts, catalog" in alert.body and "tongban audit verify" in alert.body
    assert "发现 2 " in alert.body and "found problems" not in alert.body  # in Chinese
    assert alerts_for(security_admin) == []


def test_an_intact_audit_trail_raises_no_alert(audit_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("audit", "verify", stdout=StringIO())
    assert alerts_for(audit_admin) == []
