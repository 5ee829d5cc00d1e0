"""Periodic jobs of notifications (found by ``tongban.core.scheduling.autodiscover``).

- ``notify.retry_deliveries``, every minute: send every e-mail and SMS delivery that is due
  (a failed one whose backoff has passed, one never enqueued, or one abandoned by a worker
  that died while sending). See ``tongban.notify.tasks``.
"""

from __future__ import annotations

from datetime import timedelta

from tongban.core.scheduling import periodic
from tongban.notify.tasks import retry_due_deliveries


@periodic("notify.retry_deliveries", every=timedelta(minutes=1))
def retry_deliveries() -> None:
    retry_due_deliveries.call()
