"""Fixtures of the notification tests: role holders, the SMS outbox, fast hashing."""

from __future__ import annotations

import json

import pytest

from conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Argon2 would dominate tests that sign in many times; hashing is not tested here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sms_outbox(settings, tmp_path):
    """The fake SMS gateway's outbox (``<VAR_DIR>/outbox/sms``), read back as dicts."""
    settings.VAR_DIR = tmp_path
    settings.TONGBAN_SMS_GATEWAY = "tongban.accounts.sms.FakeSmsGateway"

    def read() -> list[dict]:
        folder = tmp_path / "outbox" / "sms"
        if not folder.exists():
            return []
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.iterdir())]

    return read


def make_holder(username, role, *, department=None, email=None, language=None, active=True):
    """An administrator holding ``role`` (created outside any capture of on-commit
    callbacks: the alert its own role raises is never delivered in a test transaction)."""
    from tongban.accounts.models import RoleAssignment, User, UserKind
    from tongban.notify.models import Preference

    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        kind=UserKind.ADMIN if department is None else UserKind.OFFICIAL,
        department=department,
        email=email if email is not None else f"{username}@example.gov.cn",
        is_active=active,
    )
    RoleAssignment.objects.create(user=user, role=role, department=department)
    if language:
        Preference.objects.create(user=user, language=language)
    return user


@pytest.fixture
def security_admin(db):
    return make_holder("sec-admin", "security_admin")


@pytest.fixture
def security_admin_en(db):
    return make_holder("sec-admin-en", "security_admin", language="en")


@pytest.fixture
def audit_admin(db):
    return make_holder("audit-admin", "audit_admin")
