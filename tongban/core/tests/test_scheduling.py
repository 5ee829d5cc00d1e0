"""The periodic-job scheduler: slots, claims, missed slots, failures, inspection, the jobs.

Claims between processes are tested in ``test_scheduling_processes.py`` (real transactions,
threads and subprocesses).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tongban.core import outbox, scheduling
from tongban.core.audit import record_audit
from tongban.core.models import (
    AuditRecord,
    AuditSeal,
    OutboxEntry,
    PeriodicJob,
    RunStatus,
    ScheduledRun,
)
from tongban.core.scheduling import Job, registry_override
from tongban.core.tests.test_audit import guard_lifted

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 7, 30, tzinfo=UTC)  # 17:07:30 in Shanghai


class Calls:
    """A job function that counts its calls (and fails when told to)."""

    def __init__(self, fail: bool = False) -> None:
        self.count = 0
        self.fail = fail
        self.__qualname__ = f"Calls{id(self)}"

    def __call__(self) -> None:
        self.count += 1
        if self.fail:
            raise RuntimeError("the job broke\nsecond line")


def _runs(job: str) -> list[ScheduledRun]:
    return list(ScheduledRun.objects.filter(job=job).order_by("slot_start"))


# --- slots -------------------------------------------------------------------------------------


def test_interval_slots_are_multiples_of_the_interval_from_the_epoch():
    job = Job("t.five", Calls(), every=timedelta(minutes=5))
    assert job.slot_at(T0) == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert job.slot_at(datetime(2026, 3, 2, 9, 10, tzinfo=UTC)) == datetime(
        2026, 3, 2, 9, 10, tzinfo=UTC
    )
    assert job.next_slot(job.slot_at(T0)) == datetime(2026, 3, 2, 9, 10, tzinfo=UTC)
    assert job.schedule == "every 0:05:00"


def test_daily_slots_start_at_the_local_time_of_day(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    job = Job("t.daily", Calls(), every=timedelta(days=1), at=time(2, 30))
    before = datetime(2026, 3, 2, 2, 29, tzinfo=SHANGHAI)
    at = datetime(2026, 3, 2, 2, 30, tzinfo=SHANGHAI)
    assert job.slot_at(before) == datetime(2026, 3, 1, 2, 30, tzinfo=SHANGHAI)
    assert job.slot_at(at) == at
    assert job.slot_at(T0) == at  # 17:07 local: today's 02:30 slot
    assert job.next_slot(at) == datetime(2026, 3, 3, 2, 30, tzinfo=SHANGHAI)
    assert job.schedule == "every 1 day at 02:30"


def test_every_few_days_keeps_one_fixed_rhythm(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    job = Job("t.weekly", Calls(), every=timedelta(days=7), at=time(3, 0))
    slots = sorted({job.slot_at(T0 + timedelta(hours=h)) for h in range(0, 21 * 24, 5)})
    assert len(slots) in (3, 4)
    assert all(b - a == timedelta(days=7) for a, b in pairwise(slots))
    assert all(slot.astimezone(SHANGHAI).time() == time(3, 0) for slot in slots)
    assert all(job.next_slot(a) == b for a, b in pairwise(slots))


def test_bad_schedules_and_duplicate_names_are_refused():
    with pytest.raises(ImproperlyConfigured):
        Job("t.zero", Calls(), every=timedelta(0))
    with pytest.raises(ImproperlyConfigured):
        Job("t.half", Calls(), every=timedelta(hours=12), at=time(1, 0))
    with registry_override():
        scheduling.periodic("t.same", every=timedelta(minutes=1))(Calls())
        with pytest.raises(ImproperlyConfigured, match=r"t\.same"):
            scheduling.periodic("t.same", every=timedelta(minutes=1))(Calls())


def test_the_apps_jobs_are_discovered():
    names = {job.name for job in scheduling.jobs()}
    assert {"audit.seal", "accounts.stale", "core.prune_scheduled_runs"} <= names
    assert scheduling.get_job("audit.seal").every == timedelta(minutes=5)  # type: ignore[union-attr]
    stale = scheduling.get_job("accounts.stale")
    assert stale is not None and stale.every == timedelta(days=1) and stale.at is not None


# --- claiming and running ----------------------------------------------------------------------


def test_a_slot_runs_once_and_the_next_slot_runs_again():
    calls = Calls()
    with registry_override(Job("t.five", calls, every=timedelta(minutes=5), inline=True)):
        first = scheduling.tick(T0, owner="a")
        again = scheduling.tick(T0 + timedelta(minutes=1), owner="b")  # same slot
        later = scheduling.tick(T0 + timedelta(minutes=3), owner="b")  # next slot
    assert [r.job for r in first.claimed] == ["t.five"] and again.claimed == []
    assert len(later.claimed) == 1 and calls.count == 2
    runs = _runs("t.five")
    assert [r.slot_start.minute for r in runs] == [5, 10]
    assert [r.claimed_by for r in runs] == ["a", "b"]
    assert all(r.status == RunStatus.SUCCEEDED and r.duration_ms is not None for r in runs)


def test_missed_slots_after_downtime_run_once_not_once_each():
    calls = Calls()
    with registry_override(Job("t.five", calls, every=timedelta(minutes=5), inline=True)):
        scheduling.tick(T0)
        # Down for three hours (36 slots): the first tick afterwards runs the job once.
        after = scheduling.tick(T0 + timedelta(hours=3))
        scheduling.tick(T0 + timedelta(hours=3, seconds=30))
    assert len(after.claimed) == 1 and calls.count == 2
    assert len(_runs("t.five")) == 2


def test_a_failing_job_is_recorded_and_the_others_still_run():
    broken, fine, queued = Calls(fail=True), Calls(), Calls()
    jobs = (
        Job("t.a_broken", broken, every=timedelta(minutes=5), inline=True),
        Job("t.b_fine", fine, every=timedelta(minutes=5), inline=True),
        Job("t.c_queued", queued, every=timedelta(minutes=5)),  # through django-tasks
    )
    with registry_override(*jobs):
        result = scheduling.tick(T0)
        scheduling.tick(T0 + timedelta(minutes=5))
    assert result.failed == ["t.a_broken"]
    assert (broken.count, fine.count, queued.count) == (2, 2, 2)
    [failed, _] = _runs("t.a_broken")
    assert failed.status == RunStatus.FAILED
    assert failed.error == "RuntimeError: the job broke"
    assert failed.finished_at is not None
    row = PeriodicJob.objects.get(name="t.a_broken")
    assert (row.last_status, row.consecutive_failures) == (RunStatus.FAILED, 2)
    assert row.last_failure_at is not None and row.last_success_at is None
    ok = PeriodicJob.objects.get(name="t.b_fine")
    assert (ok.last_status, ok.consecutive_failures, ok.last_error) == ("succeeded", 0, "")
    queued_run = _runs("t.c_queued")[0]
    assert queued_run.status == RunStatus.SUCCEEDED and queued_run.task_id  # ran as a task


def test_a_failing_queued_job_is_recorded_too():
    broken = Calls(fail=True)
    with registry_override(Job("t.queued", broken, every=timedelta(minutes=5))):
        scheduling.tick(T0)
    [run] = _runs("t.queued")
    assert broken.count == 1 and run.status == RunStatus.FAILED and "the job broke" in run.error


def test_success_after_failures_resets_the_count():
    job = Calls(fail=True)
    with registry_override(Job("t.flaky", job, every=timedelta(minutes=5), inline=True)):
        scheduling.tick(T0)
        job.fail = False
        scheduling.tick(T0 + timedelta(minutes=5))
    row = PeriodicJob.objects.get(name="t.flaky")
    assert (row.last_status, row.consecutive_failures) == (RunStatus.SUCCEEDED, 0)
    assert row.last_failure_at is not None and row.last_success_at is not None


def test_a_run_is_never_executed_twice():
    calls = Calls()
    job = Job("t.once", calls, every=timedelta(minutes=5))
    with registry_override(job):
        run = scheduling.claim(job, job.slot_at(T0), now=T0)
        assert run is not None
        assert scheduling.claim(job, job.slot_at(T0), now=T0) is None  # the slot is taken
        assert scheduling.execute(run.pk) is True
        assert scheduling.execute(run.pk) is False  # a task delivered twice
    assert calls.count == 1


def test_an_older_slot_finishing_late_does_not_hide_a_newer_outcome():
    calls = Calls()
    job = Job("t.late", calls, every=timedelta(minutes=5))
    with registry_override(job):
        old = scheduling.claim(job, job.slot_at(T0), now=T0)
        new = scheduling.claim(job, job.slot_at(T0 + timedelta(minutes=5)), now=T0)
        assert old is not None and new is not None
        calls.fail = True
        scheduling.execute(new.pk)
        calls.fail = False
        scheduling.execute(old.pk)
    row = PeriodicJob.objects.get(name="t.late")
    assert row.last_status == RunStatus.FAILED and row.last_run_slot == new.slot_start


def test_a_run_of_an_unregistered_job_fails_cleanly():
    job = Job("t.gone", Calls(), every=timedelta(minutes=5))
    with registry_override(job):
        run = scheduling.claim(job, job.slot_at(T0), now=T0)
    assert run is not None
    with registry_override():
        assert scheduling.execute(run.pk) is False
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error == "no such job is registered"


def test_a_job_that_cannot_be_enqueued_is_failed(monkeypatch):
    from tongban.core import tasks

    class Refusing:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("queue away")

    monkeypatch.setattr(tasks, "run_scheduled_job", Refusing())
    calls = Calls()
    with registry_override(
        Job("t.queued", calls, every=timedelta(minutes=5)),
        Job("t.inline", Calls(), every=timedelta(minutes=5), inline=True),
    ):
        result = scheduling.tick(T0)
    assert result.failed == ["t.queued"] and calls.count == 0
    [run] = _runs("t.queued")
    assert run.status == RunStatus.FAILED and run.error.startswith("could not enqueue")
    assert _runs("t.inline")[0].status == RunStatus.SUCCEEDED


# --- inspection and pruning ------------------------------------------------------------------


def test_states_show_next_due_overdue_and_failures():
    ok, broken = Calls(), Calls(fail=True)
    jobs = (
        Job("t.ok", ok, every=timedelta(minutes=5), inline=True),
        Job("t.broken", broken, every=timedelta(minutes=5), inline=True),
    )
    with registry_override(*jobs):
        healthy, report = scheduling.scheduler_report(T0)
        assert not healthy and report["jobs"]["t.ok"]["overdue"] is True  # never ran
        scheduling.tick(T0)
        states = {s.name: s for s in scheduling.job_states(T0 + timedelta(seconds=10))}
        assert states["t.ok"].next_due == datetime(2026, 3, 2, 9, 10, tzinfo=UTC)
        assert not states["t.ok"].overdue and states["t.ok"].last_status == "succeeded"
        assert states["t.broken"].consecutive_failures == 1
        healthy, report = scheduling.scheduler_report(T0 + timedelta(seconds=10))
        assert not healthy and report["jobs"]["t.broken"]["last_status"] == "failed"
        # Ten minutes without a scheduler: the slots that started since are unclaimed.
        late = {s.name: s for s in scheduling.job_states(T0 + timedelta(minutes=10))}
        assert late["t.ok"].overdue
    with registry_override(jobs[0]):
        scheduling.tick(T0 + timedelta(minutes=10))
        healthy, report = scheduling.scheduler_report(T0 + timedelta(minutes=10, seconds=5))
    assert healthy, report
    assert report["jobs"]["t.broken"]["registered"] is False  # recorded, no longer in code


def test_pruning_keeps_recent_runs_and_every_current_slot(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.TONGBAN_SCHEDULER_KEEP_DAYS = 30
    five = Job("t.five", Calls(), every=timedelta(minutes=5), inline=True)
    rare = Job("t.rare", Calls(), every=timedelta(days=60), at=time(1, 0), inline=True)
    current = rare.slot_at(T0)
    now = current + timedelta(days=45)  # the rare job's current slot is 45 days old
    with registry_override(rare):
        scheduling.tick(current - timedelta(seconds=1))  # its previous slot
        scheduling.tick(now)
    with registry_override(five):
        for ago in (timedelta(days=40), timedelta(days=1), timedelta(0)):
            scheduling.tick(now - ago)
    ScheduledRun.objects.create(
        job="t.removed", slot_start=now - timedelta(days=31), claimed_at=now
    )
    with registry_override(five, rare):
        deleted = scheduling.prune_runs(now)
        assert deleted == 3  # t.five 40 days ago, t.rare's previous slot, t.removed
        assert len(_runs("t.five")) == 2
        assert [r.slot_start for r in _runs("t.rare")] == [current]
        assert scheduling.tick(now).claimed == []  # the current slots stay claimed


def test_scheduler_command_once_and_list(settings):
    calls = Calls()
    with registry_override(Job("t.cmd", calls, every=timedelta(minutes=5), inline=True)):
        out = StringIO()
        call_command("scheduler", "--once", stdout=out)
        call_command("scheduler", "--once", stdout=out)
        assert calls.count == 1
        assert out.getvalue().count("t.cmd ") == 1 and "started" in out.getvalue()
        listing = StringIO()
        call_command("scheduler", "--list", stdout=listing)
    assert "t.cmd" in listing.getvalue() and "every 0:05:00" in listing.getvalue()
    assert "last succeeded" in listing.getvalue()


def test_admin_lists_jobs_with_next_due_and_runs(admin_client):
    with registry_override(Job("t.admin", Calls(fail=True), every=timedelta(minutes=5),
                               inline=True)):  # fmt: skip
        scheduling.sync_jobs()
        scheduling.tick()
        page = admin_client.get("/admin/core/periodicjob/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        text = page.content.decode()
        assert "t.admin" in text and "every 5 minutes" in text
        run = ScheduledRun.objects.get(job="t.admin")
        detail = admin_client.get(f"/admin/core/scheduledrun/{run.pk}/change/")
        assert detail.status_code == 200 and "the job broke" in detail.content.decode()
        assert admin_client.post("/admin/core/periodicjob/add/").status_code == 403


# --- the kernel's jobs --------------------------------------------------------------------------


def _alerts(code: str) -> int:
    return AuditRecord.objects.filter(action=f"alert.{code}").count()


def test_audit_seal_job_seals_through_the_outbox(django_capture_on_commit_callbacks):
    record_audit(None, "demo.thing.touched")
    job = scheduling.get_job("audit.seal")
    assert job is not None and not job.inline
    with registry_override(job), django_capture_on_commit_callbacks(execute=True):
        scheduling.tick(T0)
    assert AuditSeal.objects.filter(stream="demo").exists()
    assert _runs("audit.seal")[0].status == RunStatus.SUCCEEDED
    assert list(OutboxEntry.objects.values_list("kind", "status")) == [("audit.seal", "done")]
    assert _alerts("audit.seal_problem") == 0


def test_audit_seal_problem_fails_the_outbox_row_and_alerts_the_audit_admins_once(settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 3
    records = [record_audit(None, "demo.thing.touched", meta={"n": i}) for i in range(2)]
    record_audit(None, "fine.thing.touched")
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET action = %s WHERE id = %s",  # noqa: S608
            ["demo.thing.forged", records[0].pk],
        )
    job = scheduling.get_job("audit.seal")
    assert job is not None
    with registry_override(job):
        for minutes in (0, 5, 10):
            scheduling.tick(T0 + timedelta(minutes=minutes))  # one waiting row, not three
            # Each back-off (at most a day) has passed by the next sweep.
            outbox.sweep(timezone.now() + timedelta(days=1 + minutes))
    entry = OutboxEntry.objects.get(kind="audit.seal")
    assert (entry.status, entry.attempts) == ("failed", 3)
    assert entry.last_error == "SealProblemsError: 1 stream(s) not sealed: demo"
    assert AuditSeal.objects.filter(stream="fine").exists()
    assert not AuditSeal.objects.filter(stream="demo").exists()
    # Alerted once for the same broken stream, not at every attempt; the give-up is one
    # more alert, for the system administrators.
    alerts = AuditRecord.objects.filter(action="alert.audit.seal_problem")
    assert alerts.count() == 1
    assert alerts.get().meta == {"audience": "audit_admin", "severity": "critical",
                                 "department": None}  # fmt: skip
    assert _alerts("outbox.failed") == 1
    # The next tick starts a new row; the same broken stream is not alerted again.
    with registry_override(job):
        scheduling.tick(T0 + timedelta(minutes=15))
    outbox.sweep()
    assert AuditRecord.objects.filter(action="alert.audit.seal_problem").count() == 1


def test_the_seal_problem_alert_names_streams_not_people(django_capture_on_commit_callbacks):
    from tongban.core import tasks
    from tongban.core.alerts import Alert, alert_raised
    from tongban.core.audit import AuditProblem

    seen: list[Alert] = []

    def receiver(sender, alert, **kwargs):
        seen.append(alert)

    alert_raised.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            tasks.alert_seal_problems([
                AuditProblem("cases", 4, 9, "altered", "x"),
                AuditProblem("accounts", 2, None, "truncated", "y"),
                AuditProblem("cases", 5, 10, "altered", "z"),
            ])  # fmt: skip
    finally:
        alert_raised.disconnect(receiver)
    [alert] = seen
    assert (alert.code, alert.audience) == ("audit.seal_problem", "audit_admin")
    assert alert.params == {"count": 2, "streams": "accounts, cases"}
    assert "accounts, cases" in alert.render()


def test_every_registered_name_is_unique_and_dotted():
    names = Counter(job.name for job in scheduling.jobs())
    assert all(count == 1 and "." in name for name, count in names.items())
