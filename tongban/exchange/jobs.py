"""Periodic jobs of the exchange (``tongban.core.scheduling``)."""

from __future__ import annotations

# --- exchange.sync (provider adapters) ----------------------------------------------------
from datetime import timedelta

from tongban.core.scheduling import periodic
from tongban.exchange import sync as _sync


@periodic("exchange.sync", every=timedelta(minutes=5))
def sync_sources() -> None:
    """Every 5 minutes: sync the enabled data sources whose interval has passed."""
    _sync.sync_due()


# --- the upstream platform (helper "up"; tongban.exchange.upstream_sync) ------------------
# exchange.upstream_push hourly: queue a push of the city's published catalogue (the outbox
# retries it and alerts when it gives up); exchange.upstream_poll every 5 minutes: record
# the upstream's answers to forwarded requests (fails, and so shows, when some could not be
# read or recorded); exchange.upstream_pull daily: refresh the copies of upstream resources.
from datetime import time as _up_time  # noqa: E402
from datetime import timedelta as _up_timedelta  # noqa: E402

from django.db import transaction as _up_transaction  # noqa: E402

from tongban.core.scheduling import periodic as _up_periodic  # noqa: E402
from tongban.exchange import upstream_sync as _upstream_sync  # noqa: E402


@_up_periodic("exchange.upstream_push", every=_up_timedelta(hours=1))
def upstream_push() -> None:
    with _up_transaction.atomic():
        _upstream_sync.enqueue_push()


@_up_periodic("exchange.upstream_poll", every=_up_timedelta(minutes=5))
def upstream_poll() -> None:
    _upstream_sync.poll_job()


@_up_periodic("exchange.upstream_pull", every=_up_timedelta(days=1), at=_up_time(3, 10))
def upstream_pull() -> None:
    _upstream_sync.pull_catalogue()


# --- evidence retention (P14; helper "cfg"; tongban.exchange.retention) -------------------
# exchange.purge_evidence daily at 03:40: delete exchange evidence older than
# TONGBAN_EXCHANGE_RETENTION_DAYS (at least 180), audited with the counts.
from datetime import time as _cfg_time  # noqa: E402
from datetime import timedelta as _cfg_timedelta  # noqa: E402

from tongban.core.scheduling import periodic as _cfg_periodic  # noqa: E402
from tongban.exchange import retention as _retention  # noqa: E402


@_cfg_periodic("exchange.purge_evidence", every=_cfg_timedelta(days=1), at=_cfg_time(3, 40))
def purge_evidence() -> None:
    _retention.purge_evidence()


# --- the gateway's bookkeeping (helper "gw"; nonces, ratelimit) ---------------------------
# exchange.purge_gateway every 10 minutes: delete the seen nonces whose time has passed
# (a replay of them is refused by the clock anyway) and the rate windows that ended more
# than a day ago.
from datetime import timedelta as _gw_timedelta  # noqa: E402

from tongban.core.scheduling import periodic as _gw_periodic  # noqa: E402
from tongban.exchange import nonces as _gw_nonces  # noqa: E402
from tongban.exchange import ratelimit as _gw_ratelimit  # noqa: E402


@_gw_periodic("exchange.purge_gateway", every=_gw_timedelta(minutes=10))
def purge_gateway() -> None:
    _gw_nonces.purge_expired_nonces()
    _gw_ratelimit.purge_windows()
