"""Periodic jobs of accounts (found by ``tongban.core.scheduling.autodiscover``).

- ``accounts.stale``, daily at 02:30: disable staff accounts nobody has signed in to for
  ``TONGBAN_STALE_STAFF_DAYS`` days, and warn about those 14 days short of it (see
  ``tongban.accounts.stale``).
"""

from __future__ import annotations

from datetime import time, timedelta

from tongban.accounts.stale import handle_stale_accounts
from tongban.core.scheduling import periodic


@periodic("accounts.stale", every=timedelta(days=1), at=time(2, 30))
def stale_accounts() -> None:
    handle_stale_accounts()
