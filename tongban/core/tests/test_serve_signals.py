"""``kill -TERM`` (or Ctrl+C) on a real ``tongban serve`` stops its worker and scheduler too:
no orphans left running after the web server is gone.

The served process uses the test database (already migrated) and a private var directory.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import subprocess_database_url
from tongban.core.management.commands import serve as serve_command

ROOT = Path(__file__).resolve().parents[3]
STARTED = re.compile(r"^(worker|scheduler) started \(pid (\d+)\)$")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    """Running (a zombie, or a pid that is gone, counts as stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(p) for p in task.read_text().split())
    return found


@pytest.mark.django_db(transaction=True)
def test_serve_stops_its_worker_and_scheduler_on_sigterm(settings, tmp_path):
    env = os.environ.copy()
    env.pop("TONGBAN_TESTING", None)
    env.update(
        DATABASE_URL=subprocess_database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        TONGBAN_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    serve = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "tongban", "serve", "--port", str(_free_port()), "--skip-checks"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    helpers: dict[str, int] = {}
    try:
        assert serve.stdout is not None
        while len(helpers) < 2:
            line = serve.stdout.readline()
            assert line, "tongban serve ended before starting its helpers"
            match = STARTED.match(line.strip())
            if match:
                helpers[match.group(1)] = int(match.group(2))
        assert set(helpers.values()) <= _children(serve.pid)
        assert all(_alive(pid) for pid in helpers.values())

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=15)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in helpers.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [name for name, pid in helpers.items() if _alive(pid)] == []
    finally:
        for pid in [serve.pid, *helpers.values()]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        serve.wait(timeout=5)


def test_serve_stops_on_sigint_and_sigterm_and_gives_the_handlers_back(monkeypatch):
    """The same clean-up for Ctrl+C (SIGINT) as for SIGTERM; afterwards the caller's own
    handlers are back."""
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    stopped: list[list[object]] = []
    monkeypatch.setattr(serve_command, "stop_helpers", lambda processes: stopped.append(processes))

    def runserver(*args: object, **kwargs: object) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            assert signal.getsignal(signum) is serve_command._raise_stop
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # interrupted by the handler long before this ends

    monkeypatch.setattr(serve_command, "call_command", runserver)
    with pytest.raises(SystemExit):
        serve_command.Command().handle(host="h", port=1, no_worker=True, no_scheduler=True)
    assert stopped == [[]]
    assert {s: signal.getsignal(s) for s in before} == before
