"""``tongban scheduler``: run the periodic jobs of every app when they are due.

Every ``--interval`` seconds (default 30) it claims each job's current slot if nobody has
(see ``tongban.core.scheduling``): inline jobs run here, the others are enqueued for the
worker (``tongban db_worker``). Several schedulers may run at once, on one machine or many:
each slot still runs once. ``--once`` ticks once and exits (for a cron job or a systemd
timer instead of the loop: run it every minute). SIGTERM or Ctrl+C stops the loop after
the current tick. ``--list`` shows the jobs, their schedule and when each is due next.
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from tongban.core import scheduling


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


def _refresh_connections() -> None:
    """A long-lived process: honour CONN_MAX_AGE and drop broken connections, as each
    request does (not inside a transaction, e.g. when a test calls the command)."""
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = "Run periodic jobs when due (safe in several processes); --once for cron."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="tick once and exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=scheduling.DEFAULT_TICK_SECONDS,
            help=f"seconds between ticks (default {scheduling.DEFAULT_TICK_SECONDS})",
        )
        parser.add_argument("--list", action="store_true", help="list the jobs and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        scheduling.sync_jobs()
        if options["once"]:
            if not self._tick():
                raise CommandError("the scheduler could not tick; see the log")
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        label = scheduling.process_label()
        self.stdout.write(f"scheduler {label} running, {len(scheduling.jobs())} job(s)")
        try:
            while not stop.is_set():
                self._tick()
                stop.wait(max(options["interval"], 0.1))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            _refresh_connections()
            self.stdout.write(f"scheduler {label} stopped")

    def _tick(self) -> bool:
        _refresh_connections()
        try:
            result = scheduling.tick()
        except Exception:  # the database may be away for a moment: try again next tick
            scheduling.logger.exception("scheduler tick failed")
            return False
        for run in result.claimed:
            outcome = "failed" if run.job in result.failed else "started"
            self.stdout.write(f"{run.job} {_local(run.slot_start)} {outcome}")
        return True

    def _list(self) -> None:
        for state in scheduling.job_states():
            due = _local(state.next_due) if state.next_due else "-"
            self.stdout.write(
                f"{state.name:32} {state.schedule:24} next {due}  last {state.last_status or '-'}"
            )
