"""One outbox for every effect after commit (docs/adr/0007-one-outbox.md).

An effect that must follow a change (issue a licence, send an e-mail, reindex the
catalogue, seal the audit chain) is written as an ``OutboxEntry`` row in the transaction of
the change: ``enqueue(kind, payload, key=…)``. The row commits or rolls back with the
change, so no effect is ever lost or done for a change that did not happen. After commit
the row is handed to the background worker (django-tasks); the periodic sweep
``core.outbox`` (every minute) runs every row that is due, whatever happened to the hand-off.

Running a row:

- it is claimed with one conditional UPDATE (``status`` and due time in the WHERE clause),
  so of several workers exactly one runs it, on PostgreSQL and on SQLite alike; the claim
  holds a lease (``TONGBAN_OUTBOX_LEASE_SECONDS``, 600): a row still "running" after it (the
  worker was killed mid-run) is due again and taken over by the sweep;
- the handler registered for the kind (``@outbox.handler("licences.issue")``, in the app's
  ``AppConfig.ready``) gets the payload; it must be idempotent, because a row can run twice
  (a worker killed after the handler committed but before the row was marked done);
- on an exception the row records the attempt, the error (ID and mobile numbers masked) and
  its next attempt, after 1, 2, 4, 8 … times ``TONGBAN_OUTBOX_RETRY_SECONDS`` (60); after
  ``TONGBAN_OUTBOX_MAX_ATTEMPTS`` (5) failed attempts it is marked failed and the system
  administrators get one ``outbox.failed`` alert (one per kind until the failed rows of that
  kind are retried), never one per retry. The admin's "retry now" puts it back.

A ``key`` deduplicates while a row waits: a second ``enqueue`` with the key of a pending row
returns that row. Rows of one key must stand for the same work (same kind and payload).

The kernel knows no app: apps register their handlers, the kernel runs them. Only this
module writes the status of an outbox row.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import record_audit
from tongban.core.models import OutboxEntry, OutboxStatus
from tongban.core.observability.logs import redact
from tongban.core.scheduling import setting_int

logger = logging.getLogger(__name__)

GAVE_UP = _(
    "Background work of the kind %(kind)s failed %(attempts)s times and was given up "
    "(%(count)s such item(s) failed). See the outbox in the administration and retry it "
    "once the cause is fixed."
)


@dataclass(frozen=True)
class Failure:
    """A failed attempt, as told to the kind's ``on_failure`` hook (in the transaction
    that records it). ``retry_at`` is ``None`` when the row was given up."""

    entry_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    error: str
    retry_at: datetime | None

    @property
    def gave_up(self) -> bool:
        return self.retry_at is None


Handler = Callable[[dict[str, Any]], Any]
FailureHook = Callable[[Failure], Any]


@dataclass(frozen=True)
class Registration:
    kind: str
    func: Handler
    on_failure: FailureHook | None = None


_handlers: dict[str, Registration] = {}


def _origin(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


def handler(kind: str, *, on_failure: FailureHook | None = None) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``kind`` (it gets the payload).

    ``on_failure`` is called with a ``Failure`` in the transaction that records a failed
    attempt (for example to mirror it on the app's own record). Raises
    ``ImproperlyConfigured`` when another function already handles ``kind``.
    """

    def decorator(func: Handler) -> Handler:
        known = _handlers.get(kind)
        if known is not None and _origin(known.func) != _origin(func):
            raise ImproperlyConfigured(f"two outbox handlers for {kind!r}")
        _handlers[kind] = Registration(kind, func, on_failure)
        return func

    return decorator


def kinds() -> list[str]:
    """The kinds that have a handler, sorted."""
    return sorted(_handlers)


@contextmanager
def handlers_override(**replacement: Handler) -> Iterator[None]:
    """Inside the block, ``kind=function`` replaces the handler of each kind given (tests).
    Kinds with dots are passed as ``**{"licences.issue": func}``."""
    saved = dict(_handlers)
    for kind, func in replacement.items():
        known = _handlers.get(kind)
        _handlers[kind] = Registration(kind, func, known.on_failure if known else None)
    try:
        yield
    finally:
        _handlers.clear()
        _handlers.update(saved)


# --- settings --------------------------------------------------------------------------------


def max_attempts() -> int:
    return setting_int("TONGBAN_OUTBOX_MAX_ATTEMPTS", 5)


def lease() -> timedelta:
    """How long a claimed row may run before another worker may take it over."""
    return timedelta(seconds=setting_int("TONGBAN_OUTBOX_LEASE_SECONDS", 600))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: base, 2 x base, 4 x base … (max 1 day)."""
    base = setting_int("TONGBAN_OUTBOX_RETRY_SECONDS", 60)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86400))


def _process_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


# --- enqueueing ------------------------------------------------------------------------------


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    run_after: datetime | None = None,
) -> OutboxEntry:
    """Record ``kind`` with ``payload`` (ids and plain values) in the caller's transaction;
    after commit hand it to the worker (not before ``run_after``).

    With ``key``, a row of that key still waiting to run is returned instead of a new one.
    Raises ``TransactionManagementError`` outside ``transaction.atomic`` (the row must
    commit with the change it follows), ``ImproperlyConfigured`` for a kind nobody
    handles, and ``TypeError`` for a payload that is not plain JSON.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "outbox.enqueue must run inside the transaction of the change it follows"
        )
    if kind not in _handlers:
        raise ImproperlyConfigured(f"no outbox handler is registered for {kind!r}")
    data = dict(payload or {})
    json.dumps(data)  # plain values only: a model or a date raises TypeError here
    key = (key or "")[:200]
    if key:
        waiting = OutboxEntry.objects.filter(key=key, status=OutboxStatus.PENDING).first()
        if waiting is not None:
            return waiting
    try:
        with transaction.atomic():  # a savepoint: a twin inserted meanwhile fails only this
            entry = OutboxEntry.objects.create(
                kind=kind, payload=data, key=key, next_attempt_at=run_after
            )
    except IntegrityError:
        waiting = OutboxEntry.objects.filter(key=key, status=OutboxStatus.PENDING).first()
        if not key or waiting is None:
            raise
        return waiting
    transaction.on_commit(lambda: _hand_over(entry.pk, run_after), robust=True)
    return entry


def _hand_over(entry_id: int, when: datetime | None) -> None:
    """After commit: enqueue the row on the worker. Where the backend cannot defer a task
    to a later time, or the queue is down, the sweep runs the row when it is due."""
    try:
        if when is not None and when > timezone.now():
            if run_outbox_entry.get_backend().supports_defer:
                run_outbox_entry.using(run_after=when).enqueue(entry_id)
            return
        run_outbox_entry.enqueue(entry_id)
    except Exception:
        logger.exception("outbox: could not hand row %s to the worker; the sweep will", entry_id)


# --- running ---------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    waiting = Q(status=OutboxStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=OutboxStatus.RUNNING, next_attempt_at__lte=now)
    return waiting | abandoned


def run(entry_id: int, *, now: datetime | None = None) -> str:
    """Run the outbox row ``entry_id`` if it is due and nobody else holds it.

    Returns what happened: "done", "retry" (failed, will try again), "failed" (given up),
    or the row's status when it was not claimed ("running", "done" …, "missing"). Never
    raises: a handler's exception is recorded on the row.
    """
    now = now or timezone.now()
    claimed = OutboxEntry.objects.filter(_due(now), pk=entry_id).update(
        status=OutboxStatus.RUNNING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + lease(),
        claimed_by=_process_label(),
    )
    if not claimed:
        status = OutboxEntry.objects.filter(pk=entry_id).values_list("status", flat=True)
        return str(status.first() or "missing")
    entry = OutboxEntry.objects.get(pk=entry_id)
    registration = _handlers.get(entry.kind)
    if registration is None:
        return _failed(entry, f"no handler is registered for {entry.kind!r}", None, now)
    if entry.attempts > max_attempts():
        # Every earlier attempt ended with its worker gone (killed, out of memory): the
        # row is not run again by a sweep that may die the same way.
        error = entry.last_error or "the worker stopped while running it"
        return _failed(entry, error, registration, now, give_up=True)
    try:
        # No transaction is opened around the handler: it opens its own where it writes.
        # One held here would keep SQLite's write lock (IMMEDIATE mode) for as long as an
        # e-mail server takes to answer; and what the handler committed before failing
        # stays committed, which is why handlers are idempotent.
        registration.func(dict(entry.payload))
    except Exception as exc:
        error = redact(f"{type(exc).__name__}: {exc}")[:500]
        logger.warning(
            "outbox: %s row %s failed (attempt %s): %s", entry.kind, entry.pk, entry.attempts,
            error,
        )  # fmt: skip
        return _failed(entry, error, registration, now)
    OutboxEntry.objects.filter(
        pk=entry.pk, status=OutboxStatus.RUNNING, attempts=entry.attempts
    ).update(
        status=OutboxStatus.DONE, next_attempt_at=None, finished_at=timezone.now(), last_error=""
    )
    return "done"


def _failed(
    entry: OutboxEntry,
    error: str,
    registration: Registration | None,
    now: datetime,
    *,
    give_up: bool = False,
) -> str:
    give_up = give_up or entry.attempts >= max_attempts()
    retry_at = None if give_up else now + backoff(entry.attempts)
    mine = Q(pk=entry.pk, status=OutboxStatus.RUNNING, attempts=entry.attempts)
    for _try in range(3):
        try:
            with transaction.atomic():
                if give_up:
                    updated = OutboxEntry.objects.filter(mine).update(
                        status=OutboxStatus.FAILED, last_error=error, next_attempt_at=None,
                        finished_at=timezone.now(),
                    )  # fmt: skip
                else:
                    if entry.key:
                        # A twin of the same key enqueued while this ran is the same work:
                        # this row, with its attempts, carries it.
                        OutboxEntry.objects.filter(
                            key=entry.key, status=OutboxStatus.PENDING
                        ).exclude(pk=entry.pk).delete()
                    updated = OutboxEntry.objects.filter(mine).update(
                        status=OutboxStatus.PENDING, last_error=error, next_attempt_at=retry_at
                    )
                if not updated:
                    return "stale"  # another worker took the row over meanwhile
                _tell(registration, entry, error, retry_at)
                if give_up:
                    _alert_gave_up(entry)
            break
        except IntegrityError:
            continue  # a new twin appeared between the delete and the update
    else:
        logger.error("outbox: could not record the failure of row %s", entry.pk)
        return "stale"
    if retry_at is not None:
        _hand_over(entry.pk, retry_at)
    return "failed" if give_up else "retry"


def _tell(
    registration: Registration | None, entry: OutboxEntry, error: str, retry_at: datetime | None
) -> None:
    if registration is None or registration.on_failure is None:
        return
    failure = Failure(entry.pk, entry.kind, dict(entry.payload), entry.attempts, error, retry_at)
    try:
        with transaction.atomic():
            registration.on_failure(failure)
    except Exception:
        logger.exception("outbox: the failure hook of %s failed for row %s", entry.kind, entry.pk)


def _alert_gave_up(entry: OutboxEntry) -> None:
    """One alert per kind: none while an earlier failed row of the kind still waits for an
    administrator (a mail server that is down fails every e-mail, and an alert that is
    itself e-mailed must not feed a storm)."""
    failed = OutboxEntry.objects.filter(kind=entry.kind, status=OutboxStatus.FAILED)
    if failed.exclude(pk=entry.pk).exists():
        return
    try:
        with transaction.atomic():
            _raise_gave_up(entry, failed.count())
    except Exception:  # the failure is recorded on the row even if alerting breaks
        logger.exception("outbox: could not alert that row %s was given up", entry.pk)


def _raise_gave_up(entry: OutboxEntry, count: int) -> None:
    raise_alert(
        "outbox.failed",
        audience="system_admin",
        message=GAVE_UP,
        params={"kind": entry.kind, "attempts": entry.attempts, "count": count},
        severity=Severity.CRITICAL,
        link=reverse("admin:core_outboxentry_changelist") + "?status__exact=failed",
    )


def due_ids(now: datetime | None = None, *, limit: int | None = None) -> list[int]:
    """The rows due now (waiting, or abandoned by a worker), oldest due first."""
    now = now or timezone.now()
    limit = limit or setting_int("TONGBAN_OUTBOX_BATCH", 200)
    rows = OutboxEntry.objects.filter(_due(now)).order_by(
        F("next_attempt_at").asc(nulls_first=True), "pk"
    )
    return list(rows.values_list("pk", flat=True)[:limit])


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Run every row that is due (the periodic job ``core.outbox``); forget rows done more
    than ``TONGBAN_OUTBOX_KEEP_DAYS`` (14) ago. Returns a count per outcome."""
    outcome: dict[str, int] = {}
    for entry_id in due_ids(now):
        result = run(entry_id, now=now)
        outcome[result] = outcome.get(result, 0) + 1
    cutoff = timezone.now() - timedelta(days=setting_int("TONGBAN_OUTBOX_KEEP_DAYS", 14))
    OutboxEntry.objects.filter(status=OutboxStatus.DONE, finished_at__lt=cutoff).delete()
    return outcome


def retry(entry_ids: list[int], *, actor: Any) -> int:
    """Run these rows again as soon as possible (the admin's "retry now"): a failed row
    waits again with a fresh count of attempts, a waiting row is due at once; audited.
    Returns how many rows were put back or brought forward."""
    retried: list[tuple[int, str]] = []
    with transaction.atomic():
        rows = OutboxEntry.objects.filter(
            pk__in=entry_ids, status__in=(OutboxStatus.FAILED, OutboxStatus.PENDING)
        ).values_list("pk", "status", "kind")
        for entry_id, status, kind in rows:
            now_due: dict[str, Any] = {"status": OutboxStatus.PENDING, "next_attempt_at": None}
            if status == OutboxStatus.FAILED:
                now_due.update(attempts=0, finished_at=None)
            try:
                with transaction.atomic():
                    moved = OutboxEntry.objects.filter(pk=entry_id, status=status).update(**now_due)
            except IntegrityError:
                continue  # a row of the same key already waits: that one does the work
            if moved:
                retried.append((entry_id, kind))
        for entry_id, kind in retried:
            record_audit(
                actor, "outbox.retry", object_type="core.outboxentry", object_id=str(entry_id),
                meta={"kind": kind},
            )  # fmt: skip
            transaction.on_commit(partial(_hand_over, entry_id, None), robust=True)
    return len(retried)


def recent_errors(kind: str, *, limit: int = 1) -> list[str]:
    """The errors of the newest ``limit`` rows of ``kind`` that have run, newest first ("" for
    a row whose last attempt succeeded or that has not failed yet): for handlers that alert
    once per distinct problem, not at every attempt."""
    rows = OutboxEntry.objects.filter(kind=kind, attempts__gt=0).order_by("-pk")
    return list(rows.values_list("last_error", flat=True)[:limit])


@task()
def run_outbox_entry(entry_id: int) -> str:
    """The worker's side of the hand-off: run one outbox row (see ``run``)."""
    return run(entry_id)
