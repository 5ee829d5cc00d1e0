"""Periodic jobs of cases (found by ``tongban.core.scheduling.autodiscover``).

- ``cases.deadlines`` every 5 minutes: read every open matter's working-day clock, warn
  at 75 %, escalate overdue work to the department leader, fire due BPMN timers
  (``tongban.cases.deadlines``; safe in several workers).
"""

from __future__ import annotations

from datetime import timedelta

from tongban.core.scheduling import periodic

from .deadlines import sweep


@periodic("cases.deadlines", every=timedelta(minutes=5))
def deadlines() -> None:
    sweep()
