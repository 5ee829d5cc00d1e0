"""Periodic jobs of the kernel (found by ``tongban.core.scheduling.autodiscover``).

- ``core.outbox``, every minute: run every outbox row that is due — waiting, retrying after
  its back-off, or abandoned by a worker that died while running it (``tongban.core.outbox``).
- ``audit.seal``, every 5 minutes: enqueue the outbox kind ``audit.seal`` (one waiting row at
  a time), which seals the audit streams whose head moved. A stream whose new records do not
  verify is not sealed; the row then fails and is retried with back-off, and the audit
  administrators get the ``audit.seal_problem`` alert (once per set of broken streams, not at
  every attempt). See ``tongban.core.tasks``.
- ``core.prune_scheduled_runs``, daily at 04:10, in the scheduler itself: forget scheduled
  runs older than ``TONGBAN_SCHEDULER_KEEP_DAYS`` (default 30).
"""

from __future__ import annotations

from datetime import time, timedelta

from django.db import transaction

from tongban.core import outbox
from tongban.core.scheduling import periodic, prune_runs
from tongban.core.tasks import AUDIT_SEAL, SealProblemsError

__all__ = ["AUDIT_SEAL", "SealProblemsError", "prune_scheduled_runs", "run_outbox", "seal_audit"]

OUTBOX = "core.outbox"


@periodic(OUTBOX, every=timedelta(minutes=1))
def run_outbox() -> None:
    outbox.sweep()


@periodic(AUDIT_SEAL, every=timedelta(minutes=5))
def seal_audit() -> None:
    with transaction.atomic():
        outbox.enqueue(AUDIT_SEAL, key=AUDIT_SEAL)


@periodic("core.prune_scheduled_runs", every=timedelta(days=1), at=time(4, 10), inline=True)
def prune_scheduled_runs() -> None:
    prune_runs()
