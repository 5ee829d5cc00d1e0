"""Periodic jobs: a registry, and a scheduler that is safe to run in several processes.

Register a job with the ``periodic`` decorator in a module ``tongban/<app>/jobs.py`` (found
automatically, like ``admin.py``)::

    @periodic("audit.seal", every=timedelta(minutes=5))
    def seal() -> None: ...

    @periodic("accounts.stale", every=timedelta(days=1), at=time(2, 30))
    def stale_accounts() -> None: ...

A job's time is cut into *slots*. Without ``at`` the slots are multiples of ``every``
counted from the Unix epoch (every 5 minutes: :00, :05, :10 … UTC). With ``at`` (local time,
``TIME_ZONE``) ``every`` must be whole days and the slot starts at that time of day. A job is
due when its current slot — the latest slot that has started — has not been claimed.

Each tick of ``tongban scheduler`` claims every due slot by inserting a ``ScheduledRun``
row in its own transaction: the (job, slot) pair is unique, so when several schedulers tick
at once exactly one insert succeeds and only that process runs the slot. The job is then
enqueued on django-tasks (``run_scheduled_job``, executed by ``db_worker``), or run in the
scheduler's own process if it is registered ``inline=True`` (short bookkeeping only). Only
the current slot is ever claimed, so after downtime a job runs once, not once per missed
slot. Jobs must be idempotent, and a run may overlap the next slot's run if it takes longer
than ``every``.

Every run records status, duration and a short error on its row and on ``PeriodicJob``
(the admin's "Periodic jobs" page; ``check_scheduler`` for health checks). A failing job
is recorded and logged with its traceback; it never stops the other jobs. The scheduler's
bookkeeping is not written to the audit chain (the jobs audit what they change).
"""

from __future__ import annotations

import logging
import os
import socket
import time as _time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from tongban.core.models import PeriodicJob, RunStatus, ScheduledRun

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DATE = date(1970, 1, 1)
#: How often ``tongban scheduler`` looks for due jobs by default (seconds).
DEFAULT_TICK_SECONDS = 30


@dataclass(frozen=True)
class Job:
    """A registered periodic job."""

    name: str
    func: Callable[[], Any]
    every: timedelta
    at: time | None = None
    inline: bool = False

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise ImproperlyConfigured(f"periodic job {self.name!r}: every must be positive")
        if self.at is not None and (self.every.days < 1 or self.every % timedelta(days=1)):
            raise ImproperlyConfigured(
                f"periodic job {self.name!r}: with at=, every must be a whole number of days"
            )

    @property
    def schedule(self) -> str:
        """The schedule in words, for the admin (e.g. "every 0:05:00", "every 1 day at 02:30")."""
        if self.at is None:
            return f"every {self.every}"
        days = self.every.days
        return f"every {days} day{'s' if days > 1 else ''} at {self.at:%H:%M}"

    def slot_at(self, now: datetime) -> datetime:
        """The start of the slot that ``now`` falls in (the latest slot started by then)."""
        if self.at is None:
            return EPOCH + ((now - EPOCH) // self.every) * self.every
        tz = timezone.get_default_timezone()
        local = now.astimezone(tz)
        day = local.date()
        if datetime.combine(day, self.at, tzinfo=tz) > local:
            day -= timedelta(days=1)
        day -= timedelta(days=(day - EPOCH_DATE).days % self.every.days)
        return datetime.combine(day, self.at, tzinfo=tz).astimezone(UTC)

    def next_slot(self, slot: datetime) -> datetime:
        """The slot after ``slot`` (slot must be one of this job's slot starts)."""
        if self.at is None:
            return slot + self.every
        tz = timezone.get_default_timezone()
        day = slot.astimezone(tz).date() + self.every
        return datetime.combine(day, self.at, tzinfo=tz).astimezone(UTC)


_registry: dict[str, Job] = {}
_discovered = False


def register(job: Job) -> Job:
    """Add ``job`` to the registry; a second, different job under one name is an error."""
    known = _registry.get(job.name)
    if known is not None and _origin(known.func) != _origin(job.func):
        raise ImproperlyConfigured(f"two periodic jobs are named {job.name!r}")
    _registry[job.name] = job
    return job


def _origin(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


def periodic(
    name: str, *, every: timedelta, at: time | None = None, inline: bool = False
) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated function (no arguments) as the periodic job ``name``.

    ``every``: the interval; ``at``: a local time of day (then ``every`` is whole days);
    ``inline``: run in the scheduler process instead of enqueueing on the task worker.
    """

    def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
        register(Job(name=name, func=func, every=every, at=at, inline=inline))
        return func

    return decorator


def autodiscover() -> None:
    """Import ``jobs`` of every tongban app (their ``@periodic`` jobs register)."""
    global _discovered
    if _discovered:
        return
    from importlib import import_module

    for config in apps.get_app_configs():
        if config.name.startswith("tongban.") and module_has_submodule(config.module, "jobs"):
            import_module(f"{config.name}.jobs")
    _discovered = True


def jobs() -> list[Job]:
    """Every registered job, by name."""
    autodiscover()
    return [_registry[name] for name in sorted(_registry)]


def get_job(name: str) -> Job | None:
    autodiscover()
    return _registry.get(name)


@contextmanager
def registry_override(*replacement: Job) -> Iterator[None]:
    """Use only ``replacement`` as the registry inside the block (tests)."""
    global _registry, _discovered
    saved, saved_discovered = _registry, _discovered
    _registry, _discovered = {job.name: job for job in replacement}, True
    try:
        yield
    finally:
        _registry, _discovered = saved, saved_discovered


# --- claiming and running --------------------------------------------------------------------


def process_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def sync_jobs() -> None:
    """Make a ``PeriodicJob`` row for every registered job, with its schedule in words."""
    for job in jobs():
        with transaction.atomic():
            row, created = PeriodicJob.objects.get_or_create(
                name=job.name, defaults={"schedule": job.schedule}
            )
            if not created and row.schedule != job.schedule:
                PeriodicJob.objects.filter(pk=job.name).update(schedule=job.schedule)


def claim(job: Job, slot: datetime, *, now: datetime, owner: str = "") -> ScheduledRun | None:
    """Claim ``slot`` of ``job``: the new run, or ``None`` when another process has it."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(
                job=job.name, slot_start=slot, claimed_at=now, claimed_by=owner or process_label()
            )
    except IntegrityError:
        return None
    with transaction.atomic():
        PeriodicJob.objects.get_or_create(name=job.name, defaults={"schedule": job.schedule})
        PeriodicJob.objects.filter(
            Q(last_claimed_slot__isnull=True) | Q(last_claimed_slot__lt=slot), name=job.name
        ).update(last_claimed_slot=slot)
    return run


@dataclass(frozen=True)
class TickResult:
    """What one tick did: the runs this process claimed (others were due elsewhere)."""

    claimed: list[ScheduledRun]
    failed: list[str]


def tick(now: datetime | None = None, *, owner: str = "") -> TickResult:
    """Claim every due slot; run the inline jobs and enqueue the others."""
    now = now or timezone.now()
    claimed: list[ScheduledRun] = []
    failed: list[str] = []
    for job in jobs():
        slot = job.slot_at(now)
        if ScheduledRun.objects.filter(job=job.name, slot_start=slot).exists():
            continue  # cheap check first; the insert in claim() is what decides
        run = claim(job, slot, now=now, owner=owner)
        if run is None:
            continue
        claimed.append(run)
        ok = execute(run.pk) if job.inline else dispatch(run)
        if not ok:
            failed.append(job.name)
    return TickResult(claimed, failed)


def dispatch(run: ScheduledRun) -> bool:
    """Enqueue ``run`` on the task worker; a run that cannot be enqueued is failed."""
    from tongban.core.tasks import run_scheduled_job

    try:
        result = run_scheduled_job.enqueue(run.pk)
    except Exception as exc:  # a broken queue fails this run, not the scheduler
        logger.exception("periodic job %s: could not enqueue", run.job)
        _finish(run, RunStatus.FAILED, None, f"could not enqueue: {_describe(exc)}")
        return False
    ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    return True


def execute(run_id: int, *, reraise: bool = False) -> bool:
    """Run the job of a claimed run once and record the outcome; True when it succeeded.

    A run that is no longer queued (already started elsewhere) is left alone, so a task
    delivered twice still runs its slot once. With ``reraise`` the job's exception is raised
    again after it is recorded (the task worker then marks its task failed too).
    """
    started = timezone.now()
    if not ScheduledRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=started
    ):
        logger.warning("scheduled run %s is not queued; not run again", run_id)
        return False
    run = ScheduledRun.objects.get(pk=run_id)
    job = get_job(run.job)
    if job is None:
        _finish(run, RunStatus.FAILED, started, "no such job is registered")
        return False
    clock = _time.perf_counter()
    try:
        job.func()
    except Exception as exc:
        logger.exception("periodic job %s failed", job.name)
        _finish(run, RunStatus.FAILED, started, _describe(exc), clock)
        if reraise:
            raise
        return False
    _finish(run, RunStatus.SUCCEEDED, started, "", clock)
    logger.info("periodic job %s succeeded", job.name)
    return True


def _describe(exc: BaseException) -> str:
    first_line = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:500]


def _finish(
    run: ScheduledRun,
    status: RunStatus,
    started: datetime | None,
    error: str,
    clock: float | None = None,
) -> None:
    finished = timezone.now()
    duration = None if clock is None else int((_time.perf_counter() - clock) * 1000)
    ScheduledRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=finished, duration_ms=duration, error=error
    )
    failed = status == RunStatus.FAILED
    summary: dict[str, Any] = {
        "last_run_slot": run.slot_start,
        "last_status": status,
        "last_finished_at": finished,
        "last_duration_ms": duration,
        "last_error": error,
        "consecutive_failures": F("consecutive_failures") + 1 if failed else 0,
        ("last_failure_at" if failed else "last_success_at"): finished,
    }
    with transaction.atomic():
        PeriodicJob.objects.get_or_create(name=run.job)
        # A late finisher of an older slot does not overwrite a newer slot's outcome.
        PeriodicJob.objects.filter(
            Q(last_run_slot__isnull=True) | Q(last_run_slot__lte=run.slot_start), name=run.job
        ).update(**summary)


# --- inspection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobState:
    name: str
    schedule: str
    registered: bool
    next_due: datetime | None
    last_status: str
    last_success_at: datetime | None
    consecutive_failures: int
    overdue: bool

    def as_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "schedule": self.schedule,
            "registered": self.registered,
            "next_due": iso(self.next_due),
            "last_status": self.last_status or None,
            "last_success_at": iso(self.last_success_at),
            "consecutive_failures": self.consecutive_failures,
            "overdue": self.overdue,
        }


def setting_int(name: str, default: int) -> int:
    """An integer setting: from the settings module if it defines ``name``, else from the
    environment variable of that name, else ``default``."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "") or default
    return int(value)


def grace() -> timedelta:
    """How long after a slot starts it may stay unclaimed before the job counts as overdue
    (``TONGBAN_SCHEDULER_GRACE_SECONDS``, default 120)."""
    return timedelta(
        seconds=setting_int("TONGBAN_SCHEDULER_GRACE_SECONDS", 4 * DEFAULT_TICK_SECONDS)
    )


def next_due(job: Job, row: PeriodicJob | None, now: datetime) -> datetime:
    """When ``job`` runs next: its current slot if unclaimed, else the slot after it."""
    slot = job.slot_at(now)
    if row is not None and row.last_claimed_slot is not None and row.last_claimed_slot >= slot:
        return job.next_slot(slot)
    return slot


def job_states(now: datetime | None = None) -> list[JobState]:
    """Every registered job (and any recorded job no longer registered), with its state."""
    now = now or timezone.now()
    rows = {row.name: row for row in PeriodicJob.objects.all()}
    states = []
    for job in jobs():
        row = rows.pop(job.name, None)
        # Overdue: the slot that started more than ``grace`` ago has not been claimed
        # (no scheduler is running).
        settled = job.slot_at(now - grace())
        claimed = row.last_claimed_slot if row else None
        states.append(JobState(
            name=job.name,
            schedule=job.schedule,
            registered=True,
            next_due=next_due(job, row, now),
            last_status=row.last_status if row else "",
            last_success_at=row.last_success_at if row else None,
            consecutive_failures=row.consecutive_failures if row else 0,
            overdue=claimed is None or claimed < settled,
        ))  # fmt: skip
    for row in rows.values():
        states.append(JobState(
            row.name, row.schedule, False, None, row.last_status, row.last_success_at,
            row.consecutive_failures, False,
        ))  # fmt: skip
    return states


def scheduler_report(now: datetime | None = None) -> tuple[bool, dict[str, Any]]:
    """For a health check: fine when no registered job is overdue or failed its last run."""
    states = job_states(now)
    ok = all(not s.overdue and s.last_status != RunStatus.FAILED for s in states if s.registered)
    return ok, {"status": "ok" if ok else "fail", "jobs": {s.name: s.as_dict() for s in states}}


def prune_runs(now: datetime | None = None) -> int:
    """Delete runs older than ``TONGBAN_SCHEDULER_KEEP_DAYS`` (default 30), never the run of
    a job's current slot (which is what stops that slot from running again)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=setting_int("TONGBAN_SCHEDULER_KEEP_DAYS", 30))
    deleted = 0
    names = []
    for job in jobs():
        names.append(job.name)
        keep_from = min(cutoff, job.slot_at(now))
        deleted += ScheduledRun.objects.filter(job=job.name, slot_start__lt=keep_from).delete()[0]
    stray = ScheduledRun.objects.exclude(job__in=names).filter(slot_start__lt=cutoff)
    deleted += stray.delete()[0]
    return deleted
