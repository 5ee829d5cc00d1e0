"""The registry of running clocks: providers by name, listed across apps."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tongban.workdays import clocks
from tongban.workdays.calc import Clock, ClockUnit, WorkCalendar
from tongban.workdays.clocks import RunningClock

START = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _orders():
    yield RunningClock("demo.order:1", "urgent", "12345-1", Clock(START, 2, unit=ClockUnit.HOUR))
    yield RunningClock("demo.order:2", "general", "12345-2", Clock(START, 7), owner_id=3)


def _petitions():
    return [
        RunningClock("demo.petition:9", "handling", "XF-9", Clock(START, 60, unit="natural_day"))
    ]


@pytest.fixture
def demo_providers():
    clocks.register("demo.orders", _orders)
    clocks.register("demo.petitions", _petitions)
    yield
    clocks.unregister("demo.orders")
    clocks.unregister("demo.petitions")


def test_running_clocks_come_from_every_named_provider_in_order(demo_providers):
    listed = clocks.running_clocks(["demo.petitions", "demo.orders"])
    assert [c.key for c in listed] == ["demo.petition:9", "demo.order:1", "demo.order:2"]
    plain = WorkCalendar({}, official_years=[2026])
    readings = [c.read(START, calendar=plain).due_date for c in listed]
    # 60 natural days from Mon 2 Mar: Fri 1 May, a working day in this plain calendar;
    # 2 hours: the same day; 7 working days: Wed 11 Mar.
    assert readings == [date(2026, 5, 1), date(2026, 3, 2), date(2026, 3, 11)]


def test_every_provider_is_listed_when_none_is_named(demo_providers):
    names = clocks.providers()
    assert {"demo.orders", "demo.petitions"} <= set(names)
    # The platform's own: the sub-cases (cases) and the rectification tickets (ratings).
    assert {"cases.subcases", "ratings.rectifications"} <= set(names)


def test_a_name_is_held_by_one_provider(demo_providers):
    clocks.register("demo.orders", _orders)  # the same provider again: nothing happens
    with pytest.raises(ValueError):
        clocks.register("demo.orders", _petitions)
    with pytest.raises(KeyError):
        clocks.running_clocks(["demo.unknown"])
