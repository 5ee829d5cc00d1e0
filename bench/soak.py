"""Soak: a mixed load for a bounded time, the server killed (SIGKILL) and restarted midway,
then proof that every acknowledged registration survived.

Usage: .venv/bin/python bench/soak.py [--seconds 60] [--concurrency 8] [--kill-at 0.5]

Sets up its own SQLite var dir with the demo city, starts granian (WSGI) on 127.0.0.1
(refusing to start if the port is taken), and drives it from Python threads: portal pages
(home, catalogue, service guides), search, API reads, and "apply" — registering a citizen
through the registration form with its CSRF token (cases do not exist yet); the ID number
of every registration the server acknowledged (302 to the personal space) is recorded.
At ``--kill-at`` of the run the whole server process group gets SIGKILL; it is started
again at once and the load continues. At the end: requests served, errors (during the
outage and otherwise), p50/p99 latency, server RSS growth (/proc), and a check in the
database that every acknowledged registration is there. Exit status 1 if any is missing
or errors happened outside the outage. Rate limits are off for the server under test
(one client address would hit them at once); the limiter has its own tests.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8766"))
WORDS = [
    "营业执照",
    "出生",
    "社保",
    "身份证",
    "户口",
    "公积金",
    "驾驶证",
    "licence",
    "yyzz",
    "婚姻",
]
RATE_LIMITED = ("LOGIN", "REGISTER", "SEARCH", "API")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

sys.path.insert(0, str(ROOT))
from tongban.core.identifiers import resident_id_check_char  # noqa: E402

# --- The server ------------------------------------------------------------------------------


def port_is_free() -> bool:
    """No listener on the port (connections of an earlier run in TIME_WAIT do not count:
    on Linux SO_REUSEADDR still refuses a port that something listens on)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, PORT))
        except OSError:
            return False
    return True


class Server:
    """granian in its own process group, so SIGKILL reaches the workers too."""

    def __init__(self, env: dict[str, str], log: Path, workers: int) -> None:
        self.env, self.log, self.workers = env, log, workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait until a page answers; returns the seconds that took."""
        cmd = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", HOST,
               "--port", str(PORT), "--workers", str(self.workers), "--blocking-threads", "1",
               "--log-level", "warning", "tongban.config.wsgi:application"]  # fmt: skip
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}; see {self.log}")
            try:
                status, _ = request("GET", "/healthz", timeout=2)
                if status in (200, 503, 404):
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"the server did not answer within {timeout:.0f} s; see {self.log}")

    def pids(self) -> list[int]:
        """The server and every process below it (granian's workers)."""
        if self.proc is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        found, pending = [], [self.proc.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            pending.extend(children.get(pid, []))
        return found

    def rss_kib(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            total += int(match.group(1)) if match else 0
        return total

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def request(
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Accept-Language": "zh-Hans",
                                                      **(headers or {})})  # fmt: skip
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        return response.status, response
    finally:
        conn.close()


# --- The load --------------------------------------------------------------------------------


@dataclass
class Outcome:
    started: float
    seconds: float
    action: str
    ok: bool
    detail: str = ""


@dataclass
class Run:
    codes: list[str]
    rng_seed: int
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # ID numbers
    lock: threading.Lock = field(default_factory=threading.Lock)
    used_ids: set[str] = field(default_factory=set)

    def new_identity(self, rng: random.Random) -> tuple[str, str]:
        with self.lock:
            while True:
                year, month, day = (
                    rng.randrange(1950, 2006),
                    rng.randrange(1, 13),
                    rng.randrange(1, 29),
                )
                birth = f"{year}{month:02d}{day:02d}"
                first17 = f"442000{birth}{rng.randrange(1000):03d}"
                number = first17 + resident_id_check_char(first17)
                phone = "139" + "".join(str(rng.randrange(10)) for _ in range(8))
                if number not in self.used_ids and phone not in self.used_ids:
                    self.used_ids.update((number, phone))
                    return number, phone


def _cookies(response: http.client.HTTPResponse) -> str:
    jar = []
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.append(header.split(";", 1)[0])
    return "; ".join(jar)


def apply(run: Run, rng: random.Random) -> tuple[bool, str]:
    """Register a citizen through the form; True when the server acknowledged it."""
    status, page = request("GET", "/accounts/register/")
    token = CSRF_RE.search(page.body.decode("utf-8", "replace"))  # type: ignore[attr-defined]
    if status != 200 or token is None:
        return False, f"register form: {status}"
    number, phone = run.new_identity(rng)
    password = f"Soak-{rng.getrandbits(48):x}-Qz!"
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "real_name": rng.choice(["陈", "李", "张", "黄", "何"])
        + rng.choice(["小明", "嘉欣", "伟", "芳"]),
        "id_number": number,
        "phone": phone,
        "password": password,
        "password_confirm": password,
    }
    status, response = request(
        "POST",
        "/accounts/register/",
        body=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": _cookies(page), "Referer": f"http://{HOST}:{PORT}/accounts/register/"},
    )  # fmt: skip
    if status == 302 and "/accounts/me" in (response.getheader("Location") or ""):
        with run.lock:
            run.acknowledged.append(number)
        return True, ""
    return False, f"register post: {status}"


def read(path: str, expect: tuple[int, ...] = (200,)) -> tuple[bool, str]:
    status, _ = request("GET", path)
    return status in expect, f"{path.split('?')[0]}: {status}"


def one_action(run: Run, rng: random.Random) -> tuple[str, bool, str]:
    roll = rng.random()
    code = rng.choice(run.codes)
    word = urllib.parse.quote(rng.choice(WORDS))
    if roll < 0.12:
        return ("home", *read("/"))
    if roll < 0.24:
        return ("catalogue", *read(f"/services/?page={rng.randrange(1, 4)}"))
    if roll < 0.42:
        return ("guide", *read(f"/services/{urllib.parse.quote(code)}/"))
    if roll < 0.56:
        return ("search", *read(f"/search/?q={word}"))
    if roll < 0.90:
        path = rng.choice(
            ["/api/items?page_size=20", f"/api/items/{urllib.parse.quote(code)}",
             f"/api/search?q={word}", "/api/departments", "/api/bundles", "/api/themes"]
        )  # fmt: skip
        return ("api", *read(path))
    return ("apply", *apply(run, rng))


def client(run: Run, slot: int, stop_at: float) -> None:
    rng = random.Random(run.rng_seed + slot)
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        try:
            action, ok, detail = one_action(run, rng)
        except (OSError, http.client.HTTPException) as exc:
            action, ok, detail = "connect", False, type(exc).__name__
            time.sleep(0.1)  # the server is down: do not spin
        with run.lock:
            run.outcomes.append(Outcome(started, time.perf_counter() - started, action, ok, detail))


# --- Checking and reporting ------------------------------------------------------------------


def missing_registrations(env: dict[str, str], numbers: list[str]) -> list[str]:
    """ID numbers with no account in the database, asked through Django's ORM."""
    script = (
        "import sys\n"
        "from tongban.accounts.models import User\n"
        "missing = [n for n in sys.stdin.read().split() "
        "if not User.objects.by_id_number(n).exists()]\n"
        "print('MISSING', *missing)\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "tongban", "shell", "-c", script],
        input="\n".join(numbers),
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("MISSING"))
    return line.split()[1:]


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 2 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the run")
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 2))
    parser.add_argument("--seed", type=int, default=442000)
    args = parser.parse_args()
    if not 5 <= args.seconds <= 3600 or not 1 <= args.concurrency <= 64:
        raise SystemExit("--seconds must be 5..3600 and --concurrency 1..64")
    if not port_is_free():
        raise SystemExit(f"port {PORT} on {HOST} is in use: stop that server or set BENCH_PORT")

    var = Path(tempfile.mkdtemp(prefix="tongban-soak-"))
    env = {**os.environ, "TONGBAN_VAR_DIR": str(var), "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": "tongban.config.settings",
           "ALLOWED_HOSTS": f"{HOST},localhost",
           **{f"TONGBAN_RATE_LIMIT_{g}": "0" for g in RATE_LIMITED}}  # fmt: skip
    env.pop("DATABASE_URL", None)
    print(f"setting up the demo city in {var}", flush=True)
    for cmd in (["migrate", "-v0"], ["load_demo", "-v0"]):
        subprocess.run([sys.executable, "-m", "tongban", *cmd], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    server = Server(env, var / "server.log", args.workers)
    try:
        return soak(args, env, var, server)
    finally:
        server.stop()  # also after an error or Ctrl-C: never leave a server behind


def soak(args: argparse.Namespace, env: dict[str, str], var: Path, server: Server) -> int:
    boot = server.start()
    _, items = request("GET", "/api/items?page_size=100")
    codes = re.findall(r'"implementation_code": ?"([^"]+)"', items.body.decode())  # type: ignore[attr-defined]
    if not codes:
        raise SystemExit("the demo catalogue has no published items")
    run = Run(codes=codes, rng_seed=args.seed)
    for path in (
        "/",
        "/services/",
        f"/services/{codes[0]}/",
        "/search/?q=%E5%87%BA%E7%94%9F",
    ):  # warm-up
        request("GET", path)
    rss = {"start": server.rss_kib()}

    began = time.perf_counter()
    stop_at = began + args.seconds
    threads = [threading.Thread(target=client, args=(run, i, stop_at), daemon=True)
               for i in range(args.concurrency)]  # fmt: skip
    for t in threads:
        t.start()
    time.sleep(args.seconds * args.kill_at)
    rss["before_kill"] = server.rss_kib()
    acknowledged_before_kill = len(run.acknowledged)
    killed_at = time.perf_counter()
    server.kill()
    restart = server.start()
    back_at = time.perf_counter()
    rss["after_restart"] = server.rss_kib()
    for t in threads:
        t.join(timeout=args.seconds + 30)
    rss["end"] = server.rss_kib()
    server.stop()
    elapsed = time.perf_counter() - began

    outage = [o for o in run.outcomes if killed_at - 10 <= o.started <= back_at and
              not o.ok and o.started + o.seconds >= killed_at]  # fmt: skip
    other_errors = [o for o in run.outcomes if not o.ok and o not in outage]
    served = [o for o in run.outcomes if o.ok]
    missing = missing_registrations(env, run.acknowledged)

    print(f"\n{args.seconds:.0f} s, {args.concurrency} clients, granian with {args.workers} "
          f"workers (boot {boot:.1f} s); SIGKILL at {killed_at - began:.1f} s, "
          f"serving again after {back_at - killed_at:.1f} s")  # fmt: skip
    print(f"requests served:   {len(served):6d}  ({len(served) / elapsed:.1f}/s; "
          f"an apply is two: the form, then the post)")  # fmt: skip
    by_action: dict[str, list[float]] = {}
    for o in served:
        by_action.setdefault(o.action, []).append(o.seconds)
    for action, lat in sorted(by_action.items()):
        print(
            f"  {action:10} {len(lat):6d}  p50 {pct(lat, 50):7.1f} ms  p99 {pct(lat, 99):7.1f} ms"
        )
    all_lat = [o.seconds for o in served]
    print(f"latency (all):     p50 {pct(all_lat, 50):.1f} ms  p99 {pct(all_lat, 99):.1f} ms")
    print(f"errors during the outage: {len(outage)}")
    print(f"errors otherwise:         {len(other_errors)}")
    for detail in sorted({o.detail for o in other_errors})[:10]:
        print(f"  {detail}")
    print(f"server RSS (KiB, all processes): start {rss['start']:,}, before kill "
          f"{rss['before_kill']:,} ({rss['before_kill'] - rss['start']:+,}); after restart "
          f"{rss['after_restart']:,}, end {rss['end']:,} "
          f"({rss['end'] - rss['after_restart']:+,})")  # fmt: skip
    print(f"registrations acknowledged: {len(run.acknowledged)} "
          f"({acknowledged_before_kill} before the kill); missing from the database: "
          f"{len(missing)}")  # fmt: skip
    for number in missing:
        print(f"  MISSING {number}")
    print(f"(server log: {var / 'server.log'}; restart took {restart:.1f} s)")
    return 1 if missing or other_errors else 0


if __name__ == "__main__":
    sys.exit(main())
