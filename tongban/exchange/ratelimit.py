"""The grants' rate limits (calls per minute and per day), counted in the database.

Each grant has one ``RateWindow`` row per scope (``minute``, ``day``) and window; a call
raises the counts with a conditional ``UPDATE … SET count = count + 1 WHERE count < limit``,
which the database applies atomically, so every web process and node counts the same calls
(no per-process counter, no cache that could forget). A window whose row does not exist
yet is created with a count of one in a savepoint; a concurrent creator loses on the
unique constraint and retries the update. On SQLite and PostgreSQL both windows are counted
in one ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < limit RETURNING``
statement instead (no savepoint), the database's unique constraint serialising creators.

Minute windows start on the UTC minute; day windows at local midnight (``TIME_ZONE``),
the day an official means by "calls per day". Both counts are raised together or not at
all (one savepoint; on SQLite/PostgreSQL the one statement, and a decrement of the window
counted when the other was full): a call refused for the day limit does not use up a
minute slot, and the other way round. Old rows are purged by ``exchange.purge_rate_windows``
(``tongban.exchange.jobs``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.utils import timezone

from .models import Grant, RateWindow
from .nonces import UPSERT_VENDORS


class Scope(StrEnum):
    MINUTE = "minute"
    DAY = "day"


@dataclass(frozen=True)
class RateVerdict:
    """``allowed``; when not, which ``scope`` is full and how many seconds until its window
    ends (``retry_after``, at least 1)."""

    allowed: bool
    scope: str = ""
    retry_after: int = 0


def window_of(scope: Scope, now: datetime) -> tuple[datetime, datetime]:
    """The window of ``scope`` that contains ``now``: its start and its end."""
    if scope == Scope.MINUTE:
        start = now.replace(second=0, microsecond=0)
        return start, start + timedelta(minutes=1)
    local = timezone.localtime(now)
    start_local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end_local = start_local + timedelta(days=1)
    # Normalise through the zone again (a day is not always 24 hours everywhere).
    tz = local.tzinfo
    start = timezone.make_aware(start_local.replace(tzinfo=None), tz)
    end = timezone.make_aware(end_local.replace(tzinfo=None), tz)
    return start, end


def _count_one(grant_id: int, scope: Scope, start: datetime, limit: int) -> bool:
    """Raise the count of one window if it is below ``limit``; False when it is full."""
    rows = RateWindow.objects.filter(grant_id=grant_id, scope=scope, window_start=start)
    if rows.filter(count__lt=limit).update(count=F("count") + 1):
        return True
    if limit < 1:
        return False
    try:
        with transaction.atomic():
            RateWindow.objects.create(grant_id=grant_id, scope=scope, window_start=start, count=1)
        return True
    except IntegrityError:  # the row exists (perhaps just created by another process)
        return bool(rows.filter(count__lt=limit).update(count=F("count") + 1))


def count_call(grant: Grant, *, now: datetime | None = None) -> RateVerdict:
    """Count one call against ``grant``'s limits, or refuse it without counting.

    Must run inside the caller's transaction (the gateway's one transaction per call)."""
    now = now or timezone.now()
    limits = ((Scope.MINUTE, int(grant.rate_per_minute)), (Scope.DAY, int(grant.rate_per_day)))
    windows = [(scope, limit, *window_of(scope, now)) for scope, limit in limits]
    for scope, limit, _start, end in windows:
        if limit < 1:  # never a call: refuse before counting anything
            return RateVerdict(False, str(scope), _retry(end, now))
    connection = connections[router.db_for_write(RateWindow)]
    if connection.vendor in UPSERT_VENDORS:
        full = _count_upsert(connection, grant.pk, windows)
        if full is None:
            return RateVerdict(True)
        end = next(w_end for scope, _limit, _start, w_end in windows if scope == full)
        return RateVerdict(False, str(full), _retry(end, now))
    try:
        with transaction.atomic():
            for scope, limit, start, end in windows:
                if not _count_one(grant.pk, scope, start, limit):
                    raise _Full(scope, _retry(end, now))
    except _Full as full_window:
        return RateVerdict(False, str(full_window.scope), full_window.retry_after)
    return RateVerdict(True)


def _retry(end: datetime, now: datetime) -> int:
    return max(1, math.ceil((end - now).total_seconds()))


def _count_upsert(
    connection: BaseDatabaseWrapper,
    grant_id: int,
    windows: list[tuple[Scope, int, datetime, datetime]],
) -> Scope | None:
    """Both windows in one ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 WHERE
    count < limit RETURNING scope``: a window comes back when it was counted. When one is
    full (the minute checked first), the count just made in the other is taken back in the
    same transaction, which holds the rows' locks: both are counted or neither. Returns the
    full scope, or None when both were counted."""
    q = connection.ops.quote_name
    table = q(RateWindow._meta.db_table)
    count = q("count")
    adapt = connection.ops.adapt_datetimefield_value
    values = ", ".join("(%s, %s, %s, 1)" for _w in windows)
    cases = " ".join("WHEN %s THEN %s" for _w in windows)
    sql = (  # identifiers from the model, quoted; every value a parameter
        f"INSERT INTO {table} ({q('grant_id')}, {q('scope')}, {q('window_start')}, {count}) "  # noqa: S608
        f"VALUES {values} "
        f"ON CONFLICT ({q('grant_id')}, {q('scope')}, {q('window_start')}) DO UPDATE "
        f"SET {count} = {table}.{count} + 1 "
        f"WHERE {table}.{count} < (CASE {table}.{q('scope')} {cases} ELSE 0 END) "
        f"RETURNING {q('scope')}"
    )
    params: list[Any] = []
    for scope, _limit, start, _end in windows:
        params += [grant_id, str(scope), adapt(start)]
    for scope, limit, _start, _end in windows:
        params += [str(scope), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counted = {str(row[0]) for row in cursor.fetchall()}
    full = next((scope for scope, *_rest in windows if str(scope) not in counted), None)
    if full is None:
        return None
    for scope, _limit, start, _end in windows:
        if str(scope) in counted:
            RateWindow.objects.filter(grant_id=grant_id, scope=scope, window_start=start).update(
                count=F("count") - 1
            )
    return full


class _Full(Exception):
    def __init__(self, scope: Scope, retry_after: int) -> None:
        super().__init__(scope)
        self.scope, self.retry_after = scope, retry_after


def purge_windows(*, now: datetime | None = None) -> int:
    """Delete the windows that ended more than a day ago; return how many."""
    now = now or timezone.now()
    return RateWindow.objects.filter(window_start__lt=now - timedelta(days=2)).delete()[0]
