"""The workbench panel counts what ``clocks.promise`` says: a 即办件 is due the day it is
accepted (until then, the day it was received), so one due today is "due within 3
working days" and one from an earlier day is overdue — not due when its acceptance step's
own five days run out. The inbox's views count the same."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.cases import clocks
from tongban.cases.models import SubCase
from tongban.cases.nav import inbox_panel
from tongban.catalog.models import HandlingType, ServiceItem

pytestmark = pytest.mark.django_db


def _counts(user) -> dict[str, int]:
    panel = inbox_panel(user)
    assert panel is not None
    return {str(c.label): c.value for c in panel.counts}


def _inbox_count(user, view: str) -> int:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("cases:inbox"), {"view": view}).content.decode()
    return len(re.findall(r'<tr role="row">', page)) - 1  # the header row


def test_immediate_items_due_today_are_due_soon_and_earlier_ones_overdue(world, settings):
    settings.LANGUAGE_CODE = "en"
    ServiceItem.objects.filter(pk=world.item_a.pk).update(
        handling_type=HandlingType.IMMEDIATE, promised_limit=0
    )
    world.item_a.refresh_from_db()
    today = world.submit(world.item_a, key="today").subcases.get()
    earlier = world.submit(world.item_a, key="earlier").subcases.get()
    SubCase.objects.filter(pk=earlier.pk).update(received_at=timezone.now() - dt.timedelta(days=3))
    for sub in (today, earlier):
        sub.refresh_from_db()
    assert clocks.promise(today).date == timezone.localdate()
    assert clocks.promise(earlier).date < timezone.localdate()
    counts = _counts(world.clerk_a)
    assert counts["Open work items"] == 2
    assert counts["Due within 3 working days"] == 1
    assert counts["Overdue"] == 1
    panel = inbox_panel(world.clerk_a)
    assert {item.due_on for item in panel.items} == {
        clocks.promise(today).date,
        clocks.promise(earlier).date,
    }
    assert _inbox_count(world.clerk_a, "due_soon") == 1
    assert _inbox_count(world.clerk_a, "overdue") == 1


def test_ordinary_items_keep_their_steps_due_dates(world):
    sub = world.submit().subcases.get()  # acceptance due in five working days
    counts = {str(c.label): c.value for c in inbox_panel(world.clerk_a).counts}
    assert sub.acceptance_due > clocks.calc.Clock(timezone.now(), 3).due().date
    assert list(counts.values())[1:] == [0, 0]
