"""P13: no exchange while the audit trail cannot be trusted.

Two conditions stop the gateway with 503 until they are repaired, and it resumes by itself
once they are:

- **The audit record cannot be written** (``audit_unavailable``). The gateway writes a
  call's audit record in the call's one transaction, before any data is read for the
  answer; ``write_exchange_audit`` turns any failure of that write into
  ``AuditUnavailable``, the transaction rolls back and no data leaves.
- **Sealing has been failing** for longer than ``TONGBAN_EXCHANGE_SEAL_FAILURE_PERIOD``
  seconds (default 14400) (``seal_stale``). A stream counts as failing when it holds
  records that no ``AuditSeal`` covers and the oldest of them is older than the period:
  the seal job (``audit.seal``, every five minutes) has not sealed it in all that time,
  whether the job stopped, the seal key is unusable or the chain does not verify. The
  check reads the stream heads, the last seal of each stream and the first unsealed
  record of each (three small queries); a healthy verdict is remembered in the cache for
  ``HEALTHY_CACHE_SECONDS``, a failing one never, so the gateway resumes on the first call
  after a successful seal run.

When sealing is stale the audit administrators get the critical alert
``exchange.seal_stale`` (``tongban.core.alerts``), once per failure: no second alert is
raised while an alert newer than the oldest unsealed record exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import audit
from tongban.core.alerts import Severity, raise_alert
from tongban.core.models import AuditRecord, AuditSeal, AuditStreamHead

STREAM = "exchange"
ALERT_CODE = "exchange.seal_stale"
HEALTHY_CACHE_KEY = "tongban:exchange:seal-healthy"
HEALTHY_CACHE_SECONDS = 10
DEFAULT_PERIOD = 14400

SEAL_STALE_MESSAGE = _(
    "The exchange gateway has stopped answering: the audit trail has not been sealed for "
    "more than %(hours)s hours (streams: %(streams)s). Make the audit seal job run again "
    "(tongban audit seal); the gateway resumes by itself once the streams are sealed."
)


class AuditUnavailable(Exception):
    """The exchange's audit record could not be written; nothing may be answered."""


def clock() -> datetime:
    """The time the seal check compares against (a function, so tests can move it)."""
    return timezone.now()


def period_seconds() -> int:
    return int(getattr(settings, "TONGBAN_EXCHANGE_SEAL_FAILURE_PERIOD", DEFAULT_PERIOD))


@dataclass(frozen=True)
class SealHealth:
    """``stale`` when some stream's oldest unsealed record is older than the period;
    ``streams`` names those streams, ``oldest_unsealed`` the oldest such record's time."""

    stale: bool
    streams: tuple[str, ...] = ()
    oldest_unsealed: datetime | None = None


def seal_health(now: datetime | None = None) -> SealHealth:
    """Read the seal bookkeeping (stream heads, seals, first unsealed records)."""
    now = now or clock()
    heads = dict(AuditStreamHead.objects.values_list("stream", "seq"))
    sealed = dict(
        AuditSeal.objects.values("stream").annotate(last=Max("seq")).values_list("stream", "last")
    )
    behind = {
        stream: sealed.get(stream, 0) + 1
        for stream, seq in heads.items()
        if seq > sealed.get(stream, 0)
    }
    if not behind:
        return SealHealth(False)
    condition = Q()
    for stream, seq in behind.items():
        condition |= Q(stream=stream, seq=seq)
    cutoff = now - timedelta(seconds=period_seconds())
    firsts = AuditRecord.objects.filter(condition).values_list("stream", "occurred_at")
    late = sorted((when, stream) for stream, when in firsts if when < cutoff)
    if not late:
        return SealHealth(False)
    return SealHealth(True, tuple(sorted({s for _w, s in late})), late[0][0])


def sealing_is_stale() -> SealHealth:
    """``seal_health`` with the healthy verdict cached briefly (see the module doc)."""
    if cache.get(HEALTHY_CACHE_KEY):
        return SealHealth(False)
    health = seal_health()
    if not health.stale:
        cache.set(HEALTHY_CACHE_KEY, True, HEALTHY_CACHE_SECONDS)
    return health


def alert_seal_stale(health: SealHealth) -> bool:
    """Raise the ``exchange.seal_stale`` alert unless this failure was alerted already;
    True if an alert was raised. Runs in the caller's transaction."""
    action = f"alert.{ALERT_CODE}"
    already = AuditRecord.objects.filter(stream="alert", action=action)
    if health.oldest_unsealed is not None:
        already = already.filter(occurred_at__gte=health.oldest_unsealed)
    if already.exists():
        return False
    raise_alert(
        ALERT_CODE,
        audience="audit_admin",
        message=SEAL_STALE_MESSAGE,
        params={
            "hours": round(period_seconds() / 3600, 1),
            "streams": ", ".join(health.streams),
        },
        severity=Severity.CRITICAL,
    )
    return True


def write_exchange_audit(
    actor: Any, action: str, *, meta: dict[str, Any], object_id: str
) -> AuditRecord:
    """Append an exchange record to the ``exchange`` stream; any failure to write it
    becomes ``AuditUnavailable`` (the caller's transaction must then roll back)."""
    try:
        return audit.record_audit(
            actor, action, object_type="exchange", object_id=object_id, meta=meta, stream=STREAM
        )
    except Exception as exc:  # whatever broke the write, the answer must not leave
        raise AuditUnavailable(str(exc)) from exc
