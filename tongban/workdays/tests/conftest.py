"""Fixtures of the working-day calendar tests."""

from __future__ import annotations

import pytest

from tongban.workdays import calc


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test starts with no cached calendar and no year alerted in this process."""
    calc.reset_for_tests()
    yield
    calc.reset_for_tests()


@pytest.fixture
def seeded(db):
    """The calendar seeded from the chinese-calendar package (2004–2026)."""
    from tongban.workdays.services import seed_from_package

    return seed_from_package()
