"""Session rules: idle and absolute timeouts (clock moved, no sleeping), and disabling an
account ends all its sessions at once."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tongban.accounts import middleware
from tongban.accounts import services_security as security
from tongban.accounts.models import AccountSession, Role, RoleAssignment, User
from tongban.accounts.testing import verified_login
from tongban.core.models import AuditRecord

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fast_hashing"),
    pytest.mark.real_second_factor,
]
ME = reverse("accounts:me")


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        offset = 0.0

        def advance(self, seconds: float) -> None:
            self.offset += seconds

    c = Clock()
    real = middleware.now
    monkeypatch.setattr(middleware, "now", lambda: real() + c.offset)
    return c


def _still_in(client) -> bool:
    return client.get(ME).status_code == 200


@pytest.mark.parametrize(("persona", "idle"), [("official_a", 30 * 60), ("citizen", 2 * 3600)])
def test_idle_timeout_depends_on_who(request, session_rules, client, clock, persona, idle):
    user = request.getfixturevalue(persona)
    verified_login(client, user)
    clock.advance(idle - 60)
    assert _still_in(client)  # activity: the idle clock starts again
    clock.advance(idle - 60)
    assert _still_in(client)
    clock.advance(idle + 1)
    response = client.get(ME)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert "_auth_user_id" not in client.session


def test_absolute_timeout_ends_even_an_active_session(session_rules, client, clock, citizen):
    verified_login(client, citizen)
    for _ in range(8):
        clock.advance(3600 - 120)
        assert _still_in(client)
    clock.advance(8 * 120 + 1)  # 8 h since signing in
    assert client.get(ME).status_code == 302


def test_idle_limit_setting(session_rules, client, clock, citizen):
    session_rules.TONGBAN_SESSION_IDLE_SECONDS = 300
    verified_login(client, citizen)
    clock.advance(301)
    assert client.get(ME).status_code == 302


def _sessions_of(user: User) -> list[str]:
    return list(AccountSession.objects.filter(user=user).values_list("session_key", flat=True))


def test_disabling_an_account_ends_every_session(session_rules, citizen, official_a):
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(citizen)
        assert _still_in(browser)
    keys = _sessions_of(citizen)
    assert len(keys) == 2 and Session.objects.filter(session_key__in=keys).count() == 2
    RoleAssignment.objects.create(user=official_a, role=Role.SECURITY_ADMIN)
    ended = security.disable_account(citizen, actor=User.objects.get(pk=official_a.pk))
    assert ended == 2
    assert not Session.objects.filter(session_key__in=keys).exists()
    for browser in browsers:
        assert browser.get(ME).status_code == 302
    citizen.refresh_from_db()
    assert not citizen.is_active
    assert AuditRecord.objects.get(action="accounts.user.disable").meta == {"sessions": 2}


def test_only_a_security_administrator_disables_and_never_oneself(citizen, official_a):
    with pytest.raises(security.PermissionDenied):
        security.disable_account(citizen, actor=official_a)
    RoleAssignment.objects.create(user=official_a, role=Role.SECURITY_ADMIN)
    admin = User.objects.get(pk=official_a.pk)
    with pytest.raises(security.PermissionDenied):
        security.disable_account(admin, actor=admin)


def test_unticking_active_in_the_admin_ends_the_sessions(session_rules, citizen, official_b):
    browser = Client()
    browser.force_login(citizen)
    assert _sessions_of(citizen)
    RoleAssignment.objects.create(user=official_b, role=Role.SECURITY_ADMIN)
    admin = Client()
    verified_login(admin, User.objects.get(pk=official_b.pk))
    url = reverse("admin:accounts_user_change", args=[citizen.pk])
    page = admin.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {"username": citizen.username, "kind": "citizen", "clearance": 1, "assurance_level": 1,
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    )  # fmt: skip
    data.pop("is_active", None)  # unticked
    for prefix in ("role_assignments", "memberships"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=citizen.pk).is_active
    assert not _sessions_of(citizen)
    assert browser.get(ME).status_code == 302


def test_sign_out_everywhere(session_rules, citizen):
    first, second = Client(), Client()
    first.force_login(citizen)
    second.force_login(citizen)
    response = first.post(reverse("accounts:end_sessions"))
    assert response.status_code == 302
    assert second.get(ME).status_code == 302 and first.get(ME).status_code == 302
    assert not _sessions_of(citizen)


def test_signing_out_forgets_the_session(client, citizen):
    client.force_login(citizen)
    assert len(_sessions_of(citizen)) == 1
    client.post(reverse("accounts:logout"))
    assert _sessions_of(citizen) == []
