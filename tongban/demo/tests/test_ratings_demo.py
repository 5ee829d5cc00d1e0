"""The demo ratings (tongban/demo/ratings.py): made on the completed demo cases through the
rating services, idempotent, and enough for the statistics and the department page."""

from __future__ import annotations

import pytest

from tongban.demo.loader import load_demo
from tongban.demo.ratings import load_demo_ratings
from tongban.ratings.models import Level, Rating, Rectification, TicketStatus
from tongban.ratings.queries import statistics

pytestmark = pytest.mark.django_db


def test_demo_ratings_fill_the_statistics_and_the_department_page():
    load_demo()  # loads the demo ratings after the demo cases
    levels = dict(Rating.objects.values_list("case__idempotency_key", "level"))
    assert levels == {
        "demo-driving-licence": Level.VERY_SATISFIED,
        "demo-no-crime": Level.DISSATISFIED,
        "demo-employment": Level.BASICALLY_SATISFIED,
    }
    ticket = Rectification.objects.get()
    assert ticket.status == TicketStatus.CALLED_BACK and ticket.department.code == "ga"
    assert ticket.rating.reason and ticket.rating.tags
    overall = statistics().overall
    assert (overall.total, overall.bad) == (3, 1)
    assert load_demo_ratings() == 0 and Rating.objects.count() == 3
