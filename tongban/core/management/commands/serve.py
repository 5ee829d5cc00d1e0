"""Serve the platform: the web server, a background worker and the scheduler, stopped together.

``tongban serve`` is what ``make demo`` runs. The worker is django-tasks-db's ``db_worker``
(no broker to install); the scheduler (``tongban scheduler``) enqueues the periodic jobs
(audit seals, stale-account checks, deadline sweeps …) when they are due. In production run
the web process under granian or gunicorn, and the worker and the scheduler under systemd
(several schedulers are safe: each slot of a job runs once).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server, the background worker and the scheduler (Ctrl+C stops all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="no background worker")
        parser.add_argument("--no-scheduler", action="store_true", help="no periodic jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        helpers: list[tuple[str, subprocess.Popen[bytes]]] = []
        previous = _stop_on_signals()
        try:
            if not options["no_worker"]:
                helpers.append(("worker", self._start("db_worker", "--interval", "1")))
            if not options["no_scheduler"]:
                helpers.append(("scheduler", self._start("scheduler")))
            for name, process in helpers:
                self.stdout.write(f"{name} started (pid {process.pid})")
            call_command(
                "runserver",
                f"{options['host']}:{options['port']}",
                use_reloader=False,
                use_threading=True,
            )
        finally:
            # A second Ctrl+C or SIGTERM must not cut the clean-up short and leave orphans.
            for signum in previous:
                signal.signal(signum, signal.SIG_IGN)
            try:
                stop_helpers([process for _name, process in helpers])
            finally:
                for signum, handler in previous.items():
                    signal.signal(signum, handler)

    def _start(self, *command: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "tongban", *command], env=os.environ.copy()
        )


#: Signals that stop ``serve`` with its helpers: Ctrl+C, ``kill`` (systemd, Docker, a
#: supervisor) and a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: How long the worker and the scheduler get to finish what they are doing before they
#: are killed.
STOP_TIMEOUT_SECONDS = 10


class StopServing(SystemExit):
    """Raised in the main thread by a stop signal, so that ``handle``'s clean-up runs
    (Python's default for SIGTERM ends the process at once, leaving the helpers running)."""


def _raise_stop(signum: int, frame: object) -> None:
    raise StopServing(0)


def _stop_on_signals() -> dict[int, Any]:
    """Install ``_raise_stop`` for ``STOP_SIGNALS``; return the handlers it replaced."""
    previous: dict[int, Any] = {}
    for signum in STOP_SIGNALS:
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, _raise_stop)
    return previous


def stop_helpers(
    processes: list[subprocess.Popen[bytes]], timeout: float = STOP_TIMEOUT_SECONDS
) -> None:
    """Ask each running process to stop (SIGTERM), wait up to ``timeout`` seconds for
    each, then kill the ones still running. Raises nothing for processes already gone."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
