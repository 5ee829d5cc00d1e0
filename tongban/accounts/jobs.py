"""Periodic jobs of accounts (found by ``tongban.core.scheduling.autodiscover``).

- ``accounts.stale``, daily at 02:30: disable staff accounts nobody has signed in to for
  ``TONGBAN_STALE_STAFF_DAYS`` days, and warn about those 14 days short of it (see
  ``tongban.accounts.stale``).
- ``accounts.sms_codes``, daily at 03:20: delete SMS-code rows older than a day
  (``tongban.accounts.smscodes.purge_codes``).
"""

from __future__ import annotations

from datetime import time, timedelta

from tongban.accounts.smscodes import purge_codes
from tongban.accounts.stale import handle_stale_accounts
from tongban.core.scheduling import periodic


@periodic("accounts.stale", every=timedelta(days=1), at=time(2, 30))
def stale_accounts() -> None:
    handle_stale_accounts()


@periodic("accounts.sms_codes", every=timedelta(days=1), at=time(3, 20), inline=True)
def purge_sms_codes() -> None:
    purge_codes()
