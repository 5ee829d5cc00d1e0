"""Several schedulers at once claim each slot exactly once; the scheduler process starts,
ticks and stops cleanly; ``tongban serve`` starts and stops it with the worker.

Real transactions: threads with their own database connections, and ``tongban scheduler``
subprocesses on the test database file (SQLite only for the subprocesses).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time as _time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django_tasks_db.models import DBTaskResult

from conftest import subprocess_database_url
from tongban.core import scheduling
from tongban.core.management.commands import serve
from tongban.core.models import PeriodicJob, RunStatus, ScheduledRun
from tongban.core.scheduling import Job, registry_override

T0 = datetime(2026, 3, 2, 9, 7, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]


class Counting:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            self.count += 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_claim_each_slot_exactly_once():
    five, daily, queued = Counting(), Counting(), Counting()
    jobs = (
        Job("t.five", five, every=timedelta(minutes=5), inline=True),
        Job("t.daily", daily, every=timedelta(days=1), inline=True),
        Job("t.queued", queued, every=timedelta(minutes=1)),
    )
    barrier = threading.Barrier(2, timeout=20)
    claimed: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def scheduler(owner: str) -> None:
        try:
            barrier.wait()
            for step in range(3):  # three ticks each, 5 seconds apart: all in one slot
                result = scheduling.tick(T0 + timedelta(seconds=5 * step), owner=owner)
                claimed.setdefault(owner, []).extend(run.job for run in result.claimed)
        except BaseException as error:  # the test reports it
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    with registry_override(*jobs):
        threads = [threading.Thread(target=scheduler, args=(o,)) for o in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert (five.count, daily.count, queued.count) == (1, 1, 1)
    everything = claimed.get("one", []) + claimed.get("two", [])
    assert sorted(everything) == ["t.daily", "t.five", "t.queued"]
    assert ScheduledRun.objects.count() == 3
    assert set(ScheduledRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}


def _subprocess_env() -> dict[str, str]:
    from django.conf import settings

    env = os.environ.copy()
    env["DATABASE_URL"] = subprocess_database_url()
    # The same install: the development key-encryption key hangs on these.
    env["SECRET_KEY"] = settings.SECRET_KEY
    env.pop("TONGBAN_TESTING", None)  # the real task backend: enqueued jobs wait in the table
    env["PYTHONPATH"] = str(ROOT)
    return env


def _tongban(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "tongban", *args, "--skip-checks"],
        env=_subprocess_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_two_scheduler_processes_once_run_each_slot_once():
    processes = [_tongban("scheduler", "--once") for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    started = [line for out, _ in outputs for line in out.splitlines() if line.endswith("started")]
    runs = list(ScheduledRun.objects.all())
    names = {job.name for job in scheduling.jobs()}
    assert {run.job for run in runs} == names
    # Each run was claimed by one process and reported by that one only.
    assert len(started) == len(runs)
    labels = {run.claimed_by for run in runs}
    assert all(label.endswith(tuple(f":{p.pid}" for p in processes)) for label in labels)
    # The queued ones were enqueued exactly once each; the inline one ran once.
    queued = [run for run in runs if not scheduling.get_job(run.job).inline]  # type: ignore[union-attr]
    tasks = DBTaskResult.objects.filter(task_path="tongban.core.tasks.run_scheduled_job")
    assert sorted(t.args_kwargs["args"][0] for t in tasks) == sorted(r.pk for r in queued)
    assert all(run.task_id and run.status == RunStatus.QUEUED for run in queued)
    prune = ScheduledRun.objects.get(job="core.prune_scheduled_runs")
    assert prune.status == RunStatus.SUCCEEDED
    assert PeriodicJob.objects.filter(name__in=names).count() == len(names)


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_loop_stops_cleanly_on_sigterm():
    process = _tongban("scheduler", "--interval", "60")
    assert process.stdout is not None
    first = process.stdout.readline()
    assert "running" in first, first
    deadline = _time.monotonic() + 60
    while not ScheduledRun.objects.exists() and _time.monotonic() < deadline:
        _time.sleep(0.2)  # the first tick
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)  # long before the next tick (60 s)
    assert process.returncode == 0, err
    assert "stopped" in out
    assert ScheduledRun.objects.filter(job="audit.seal").count() == 1


class FakeProcess:
    started: list[FakeProcess] = []

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command = command
        self.pid = 4000 + len(FakeProcess.started)
        self.signals: list[int] = []
        self.waited = False
        FakeProcess.started.append(self)

    def poll(self) -> int | None:
        return 0 if self.signals else None

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)

    def wait(self, timeout: float | None = None) -> int:
        self.waited = True
        return 0

    def kill(self) -> None:  # pragma: no cover - wait() never times out here
        raise AssertionError("killed")


@pytest.mark.parametrize("stop", ["returns", "interrupted"])
def test_serve_starts_worker_and_scheduler_and_stops_both(monkeypatch, stop):
    FakeProcess.started = []
    served: list[tuple[Any, ...]] = []

    def runserver(*args: Any, **kwargs: Any) -> None:
        served.append(args)
        assert len(FakeProcess.started) == 2  # both running while the web server serves
        if stop == "interrupted":
            raise KeyboardInterrupt

    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(serve, "call_command", runserver)
    command = serve.Command()
    options = {"host": "127.0.0.1", "port": 8001, "no_worker": False, "no_scheduler": False}
    if stop == "interrupted":
        with pytest.raises(KeyboardInterrupt):
            command.handle(**options)
    else:
        command.handle(**options)
    assert served == [("runserver", "127.0.0.1:8001")]
    worker, scheduler = FakeProcess.started
    assert worker.command[-3:] == ["db_worker", "--interval", "1"]
    assert scheduler.command[1:] == ["-m", "tongban", "scheduler"]
    assert all(p.signals == [signal.SIGTERM] and p.waited for p in FakeProcess.started)


def test_serve_without_scheduler_or_worker(monkeypatch):
    FakeProcess.started = []
    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    serve.Command().handle(host="h", port=1, no_worker=False, no_scheduler=True)
    assert [p.command[3] for p in FakeProcess.started] == ["db_worker"]
    FakeProcess.started = []
    serve.Command().handle(host="h", port=1, no_worker=True, no_scheduler=False)
    assert [p.command[3] for p in FakeProcess.started] == ["scheduler"]
