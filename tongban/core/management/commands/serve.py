"""Serve the platform: the web server, a background worker and the scheduler, stopped together.

``tongban serve`` is what ``make demo`` runs (``--banner`` prints the demo logins once the
server answers, below the start-up log rather than scrolled away by it). The worker is
django-tasks-db's ``db_worker`` (no broker to install); the scheduler (``tongban
scheduler``) enqueues the periodic jobs (audit seals, stale-account checks, deadline
sweeps …) when they are due. In production run
the web process under granian or gunicorn, and the worker and the scheduler under systemd
(several schedulers are safe: each slot of a job runs once).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server, the background worker and the scheduler (Ctrl+C stops all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default=os.environ.get("HOST") or "127.0.0.1", help="default: $HOST"
        )
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT") or 8000), help="default: $PORT"
        )
        parser.add_argument("--no-worker", action="store_true", help="no background worker")
        parser.add_argument("--no-scheduler", action="store_true", help="no periodic jobs")
        parser.add_argument(
            "--banner",
            metavar="FILE",
            help="print FILE once the server answers, below the start-up log (make demo: "
            "the demo logins)",
        )

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
            if options.get("banner"):
                threading.Thread(
                    target=self._banner_when_up,
                    args=(Path(options["banner"]), options["host"], options["port"]),
                    daemon=True,
                ).start()
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

    def _banner_when_up(self, banner: Path, host: str, port: int) -> None:
        """Print ``banner`` once the server accepts connections and the helpers' start-up
        lines are out; give up silently if it never does."""
        if wait_until_listening(host, port, BANNER_WAIT_SECONDS):
            time.sleep(BANNER_SETTLE_SECONDS)
            try:
                text = banner.read_text(encoding="utf-8")
            except OSError:
                return
            self.stdout.write("\n" + text.rstrip() + f"\n\n(This text is also in {banner}.)\n")
            self.stdout.flush()

    def _start(self, *command: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "tongban", *command], env=os.environ.copy()
        )


#: How long ``--banner`` waits for the server to answer, and then for the start-up lines
#: of the server, the worker and the scheduler to be written.
BANNER_WAIT_SECONDS = 60.0
BANNER_SETTLE_SECONDS = 1.5


def wait_until_listening(host: str, port: int, timeout: float) -> bool:
    """Whether something accepts connections on ``host:port`` within ``timeout`` seconds
    (a wildcard address is tried on the loopback address)."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((target, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


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
