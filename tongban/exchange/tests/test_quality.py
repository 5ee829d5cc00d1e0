"""Quality figures per resource: records held, the last sync, corrections received and how
they were answered (on time, median working days), in a fixed number of queries; the
quality page for providers and the city-wide table for the data authority."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.core import nav
from tongban.exchange import corrections, quality
from tongban.exchange.models import (
    DataRecord,
    DataResource,
    DataSource,
    ResourceStatus,
    SourceKind,
    SyncRun,
    SyncStatus,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> dt.datetime:
    """A moment in March 2026 (Mon 2 … Fri 27: no public holiday in the month)."""
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


def _report(world, now: dt.datetime):
    return corrections.report(
        world.resource,
        corrections.ReportInput(item=world.address, record_key="K1", description="地址有误"),
        actor=world.requester_official,
        now=now,
    )


def _answer(world, row, outcome: str, now: dt.datetime) -> None:
    corrections.answer(
        row,
        corrections.AnswerInput(outcome=outcome, answer="已核实"),
        actor=world.provider_official,
        now=now,
    )


@pytest.fixture
def held(world):
    source = DataSource.objects.create(
        resource=world.resource, code="ga.csv", kind=SourceKind.CSV, location="p.csv",
        key_column="sfzh", mapping={"sfzh": "person.id_number"},
    )  # fmt: skip
    for n in range(3):
        DataRecord.objects.create(
            resource=world.resource, source=source, key=f"K{n}",
            values=json.dumps({"household.address": f"地址{n}"}), fingerprint="x",
            removed_at=timezone.now() if n == 2 else None,
        )  # fmt: skip
    SyncRun.objects.create(source=source, started_at=at(1), status=SyncStatus.FAILED, refused=9)
    SyncRun.objects.create(source=source, started_at=at(2), status=SyncStatus.PARTIAL, refused=4)
    return source


def test_figures_of_one_resource(world, held, settings):
    settings.TONGBAN_EXCHANGE_CORRECTION_DAYS = 5
    # Reported Mon 2 March (due Mon 9): answered Wed 4 (2 working days, on time).
    _answer(world, _report(world, at(2)), "corrected", at(4))
    # Reported Mon 2 (due Mon 9): answered Fri 13 (9 working days, late).
    _answer(world, _report(world, at(2)), "rejected", at(13))
    # Reported Tue 3 (due Tue 10): answered Tue 10 (5 working days, on time: the due day).
    _answer(world, _report(world, at(3)), "corrected", at(10, 18))
    _report(world, at(16))  # open, due Mon 23: overdue on the 24th
    _report(world, at(20))  # open, due Fri 27
    withdrawn = _report(world, at(20))
    corrections.withdraw(withdrawn, actor=world.requester_official, reason="重复")

    f = quality.resource_figures(world.resource, today=dt.date(2026, 3, 24))
    assert f.records_held == 2  # the removed record is not held
    assert f.has_source
    assert f.last_sync is not None
    assert (f.last_sync.status, f.last_sync.refused) == (SyncStatus.PARTIAL, 4)
    assert f.refused_last_sync == 4
    assert (f.received, f.corrected, f.rejected, f.withdrawn) == (6, 2, 1, 1)
    assert (f.open, f.overdue) == (2, 1)
    assert (f.answered, f.answered_on_time) == (3, 2)
    assert f.on_time_percent == 67
    assert sorted(f.answer_days) == [2, 5, 9]
    assert f.median_answer_days == 5


def test_a_resource_without_anything(world):
    f = quality.resource_figures(world.resource)
    assert (f.records_held, f.has_source, f.last_sync, f.received) == (0, False, None, 0)
    assert f.on_time_share is None and f.median_answer_days is None


def test_the_figures_of_many_resources_cost_the_same_queries(world, held):
    _report(world, at(2))
    others = [
        DataResource.objects.create(
            department=world.provider,
            code=f"zs.ga.r{n}",
            name=f"资源{n}",
            status=ResourceStatus.PUBLISHED,
        )
        for n in range(5)
    ]
    with CaptureQueriesContext(connection) as one:
        quality.figures_for([world.resource])
    with CaptureQueriesContext(connection) as six:
        rows = quality.figures_for([world.resource, *others])
    assert len(six) == len(one) <= 6
    assert [r.resource for r in rows] == [world.resource, *others]
    assert rows[0].received == 1 and rows[1].received == 0


def test_totals_add_up(world, held):
    _answer(world, _report(world, at(2)), "corrected", at(4))
    other = DataResource.objects.create(
        department=world.requester_dept,
        code="zs.sc.x",
        name="法人",
        status=ResourceStatus.PUBLISHED,
    )
    rows = quality.figures_for([world.resource, other])
    total = quality.totals(rows)
    assert (total.records_held, total.received, total.corrected) == (2, 1, 1)
    assert total.median_answer_days == 2


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_data_authority_sees_the_city_wide_table(world, held):
    other = DataResource.objects.create(
        department=world.requester_dept, code="zs.sc.legal", name="法人库",
        status=ResourceStatus.PUBLISHED,
    )  # fmt: skip
    page = _client(world.authority_official).get(reverse("exchange:quality"))
    body = page.content.decode()
    assert page.status_code == 200
    assert world.resource.display_name in body and other.display_name in body
    keys = [link.key for link in nav.links(nav.WORKBENCH, world.authority_official)]
    assert "exchange.quality" in keys


def test_a_provider_sees_its_own_resources_only(world, held):
    other = DataResource.objects.create(
        department=world.requester_dept, code="zs.sc.legal", name="法人库",
        status=ResourceStatus.PUBLISHED,
    )  # fmt: skip
    page = _client(world.provider_official).get(reverse("exchange:quality"))
    body = page.content.decode()
    assert page.status_code == 200
    assert world.resource.display_name in body and other.display_name not in body


def test_officials_without_resources_are_refused(world):
    clerk = User.objects.create_user(username="clerk-x", password="x", kind=UserKind.OFFICIAL)
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, department=world.provider)
    assert not quality.sees_quality(clerk)
    assert _client(clerk).get(reverse("exchange:quality")).status_code == 403
    keys = [link.key for link in nav.links(nav.WORKBENCH, clerk)]
    assert "exchange.quality" not in keys


def test_the_partial_renders_the_figures(world, held):
    from django.template.loader import render_to_string

    _answer(world, _report(world, at(2)), "corrected", at(4))
    html = render_to_string(
        "exchange/_quality.html", {"figures": quality.resource_figures(world.resource)}
    )
    assert "100%" in html and "2026-03-02" in html
