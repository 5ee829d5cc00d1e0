"""Shared pytest fixtures: personas and a small organisation tree.

Personas (as in healthchecks' alice/bob/charlie): two citizens, a business with its legal
representative, an official of department A, an official of department B (the outsider),
a city leader and an administrator.
"""

from __future__ import annotations

import os
import random
from types import SimpleNamespace

import pytest
from hypothesis import settings as hypothesis_settings

from tongban.core.identifiers import (
    organisation_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

pytest_plugins = ["tests.pii_scanner"]

# CI runs the same examples every time (a red build must be reproducible); developers get
# fresh random examples, and a failure prints the blob to replay it (@reproduce_failure).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

PASSWORD = "Correct-Horse-42"


def make_resident_id(region: str = "442000", birth: str = "19900101", seq: int = 123) -> str:
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def make_uscc(body: str = "91442000MA4X0000") -> str:
    body = (body + "0" * 16)[:16]  # the organisation code's check character is computed
    first17 = body + organisation_code_check_char(body[8:])
    return first17 + uscc_check_char(first17)


def random_mobile(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    return "13" + "".join(str(rng.randrange(10)) for _ in range(9))


@pytest.fixture
def city(db):
    from tongban.org.models import Region, RegionLevel

    gd = Region.objects.create(code="440000", name="广东省", level=RegionLevel.PROVINCE)
    zs = Region.objects.create(
        code="442000", name="中山市", name_en="Zhongshan", level=RegionLevel.PREFECTURE, parent=gd
    )
    town = Region.objects.create(
        code="442000111000", name="小榄镇", name_en="Xiaolan", level=RegionLevel.TOWN, parent=zs
    )
    return {"province": gd, "city": zs, "town": town}


@pytest.fixture
def department_a(city):
    from tongban.org.models import Department

    return Department.objects.create(
        code="scjg",
        name="中山市市场监督管理局",
        name_en="Market Regulation Bureau",
        uscc=make_uscc("11442000MB2C1111"),
        region=city["city"],
    )


@pytest.fixture
def department_b(city):
    from tongban.org.models import Department

    return Department.objects.create(
        code="ga",
        name="中山市公安局",
        name_en="Public Security Bureau",
        uscc=make_uscc("11442000MB2C2222"),
        region=city["city"],
    )


def _user(username: str, **fields):
    from tongban.accounts.models import User

    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    return user


@pytest.fixture
def citizen(db):
    return _user(
        "citizen-a", real_name="陈小明", id_number=make_resident_id(seq=121), phone="13800000001"
    )


@pytest.fixture
def other_citizen(db):
    return _user(
        "citizen-b", real_name="李华", id_number=make_resident_id(seq=142), phone="13800000002"
    )


@pytest.fixture
def official_a(department_a):
    from tongban.accounts.models import Role, RoleAssignment, UserKind

    user = _user("official-a", real_name="王审批", kind=UserKind.OFFICIAL, department=department_a)
    RoleAssignment.objects.create(user=user, role=Role.REVIEWER, department=department_a)
    return user


@pytest.fixture
def official_b(department_b):
    from tongban.accounts.models import Role, RoleAssignment, UserKind

    user = _user("official-b", real_name="赵民警", kind=UserKind.OFFICIAL, department=department_b)
    RoleAssignment.objects.create(user=user, role=Role.REVIEWER, department=department_b)
    return user


@pytest.fixture
def admin_user(db):
    from django.contrib.auth import get_user_model

    from tongban.accounts.models import UserKind

    return get_user_model().objects.create_superuser(
        username="admin", password=PASSWORD, kind=UserKind.ADMIN, real_name="管理员"
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test's database starts over, so must the cache (page cache keys, axes)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_clock_mid_window(monkeypatch):
    """Rate limits count in fixed one-minute windows: pin the limiter's clock 30 s into one,
    so no test's requests straddle a window's end (a run once crossed a minute boundary
    between two requests, and the request that should have been refused went through)."""
    from tongban.core import security

    monkeypatch.setattr(security, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))


@pytest.fixture(autouse=True)
def _second_factor_given(request, monkeypatch):
    """``client.force_login`` signs in past the second factor, as ``verified_login`` does.

    Only tests about authentication itself see the second-factor step; they are marked
    ``real_second_factor``.
    """
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test import Client

    from tongban.accounts.testing import verified_login

    plain = Client.force_login

    def force_login(self, user, backend=None):
        monkeypatch.setattr(Client, "force_login", plain)
        try:
            verified_login(self, user)
        finally:
            monkeypatch.setattr(Client, "force_login", force_login)

    monkeypatch.setattr(Client, "force_login", force_login)


def subprocess_database_url() -> str:
    """The URL of the test database the running test uses, for a subprocess (a real
    server or scheduler) that must see the same rows: a SQLite file or PostgreSQL."""
    from pathlib import Path

    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
