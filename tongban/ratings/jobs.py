"""Periodic jobs of ratings (found by ``tongban.core.scheduling.autodiscover``).

- ``ratings.escalate`` every 15 minutes: rectification tickets past their due day without a
  reply are escalated to the department leader, once (a conditional update, safe in
  several workers).
"""

from __future__ import annotations

from datetime import timedelta

from tongban.core.scheduling import periodic

from .services import escalate_overdue


@periodic("ratings.escalate", every=timedelta(minutes=15))
def escalate() -> None:
    escalate_overdue()
