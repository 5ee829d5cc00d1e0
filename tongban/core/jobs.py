"""Periodic jobs of the kernel (found by ``tongban.core.scheduling.autodiscover``).

- ``audit.seal``, every 5 minutes: seal the audit streams whose head moved. A stream whose
  new records do not verify is not sealed; the run then fails and the audit administrators
  get the ``audit.seal_problem`` alert (once per set of broken streams, not every 5 minutes).
- ``core.prune_scheduled_runs``, daily at 04:10, in the scheduler itself: forget scheduled
  runs older than ``TONGBAN_SCHEDULER_KEEP_DAYS`` (default 30).
"""

from __future__ import annotations

from datetime import time, timedelta

from tongban.core.audit import seal_streams
from tongban.core.models import PeriodicJob
from tongban.core.scheduling import periodic, prune_runs
from tongban.core.tasks import alert_seal_problems, seal_problem_summary

AUDIT_SEAL = "audit.seal"


class SealProblemsError(RuntimeError):
    """Some streams could not be sealed (the run is recorded as failed)."""


@periodic(AUDIT_SEAL, every=timedelta(minutes=5))
def seal_audit() -> None:
    run = seal_streams()
    if not run.problems:
        return
    summary = seal_problem_summary(run.problems)
    previous = PeriodicJob.objects.filter(name=AUDIT_SEAL).values_list("last_error", flat=True)
    if not any(summary in error for error in previous):
        alert_seal_problems(run.problems)
    raise SealProblemsError(summary)


@periodic("core.prune_scheduled_runs", every=timedelta(days=1), at=time(4, 10), inline=True)
def prune_scheduled_runs() -> None:
    prune_runs()
