"""Requests per second for a service guide page under concurrent load, beside a floor.

Usage: .venv/bin/python bench/portal.py [--seconds 8] [--concurrency 8]

Sets up its own SQLite database with the demo city, starts granian (WSGI, one worker per
core) on 127.0.0.1, and drives it with wrk (Debian's package) or, without wrk, from Python
threads with keep-alive connections (then the client itself is the bottleneck). The
floor is a bare Django view on the same server returning a static page of the same size
(bench/bench_urls.py). Prints both rates, the ratio (aim: >= 0.5) and latency percentiles.
Traffic goes to 127.0.0.1 only; the run is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8765"))


def run_load(path: str, seconds: float, concurrency: int) -> tuple[float, list[float], int]:
    stop_at = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "zh-Hans"})
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors[slot] += 1
            except OSError:
                errors[slot] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
                continue
            latencies[slot].append(time.perf_counter() - t0)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for xs in latencies for x in xs]
    return len(flat) / elapsed, flat, sum(errors)


def run_wrk(
    path: str, seconds: float, concurrency: int, header: str = ""
) -> tuple[float, float, float, int]:
    """Load from wrk (Debian's package): C, not this Python process, so the client is not
    the bottleneck. Returns requests/s, p50 and p99 in ms, and non-2xx/3xx + socket errors."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{concurrency}",
            f"-d{seconds:.0f}s",
            "--latency",
            *(["-H", header] if header else []),
            f"http://127.0.0.1:{PORT}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return 0.0
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rps, ms("50%"), ms("99%"), errors


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 2 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--python-client",
        action="store_true",
        help="drive the load from Python threads even if wrk is installed",
    )
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
    env = {
        **os.environ,
        "TONGBAN_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "PYTHONPATH": str(ROOT),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("DATABASE_URL", None)
    tongban = [sys.executable, "-m", "tongban"]
    print("setting up the demo city in", var, flush=True)
    for cmd in (["migrate", "-v0"], ["load_demo", "-v0"]):
        subprocess.run([*tongban, *cmd], env=env, check=True, cwd=ROOT)
    code = (
        subprocess.run(
            [
                *tongban,
                "shell",
                "-c",
                "from tongban.catalog.queries import popular_items;"
                "print(popular_items(1)[0].implementation_code)",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # `shell` may print a line about auto-imports first
    guide = f"/services/{code}/"

    body_file = var / "floor.html"
    workers = str(os.cpu_count() or 2)
    server_cmd = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(PORT),
        "--workers",
        workers,
        "--blocking-threads",
        "1",
        "--log-level",
        "warning",
        "tongban.config.wsgi:application",
    ]

    try:  # a server left over from an interrupted run would be measured instead of ours
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=1)
        raise SystemExit(f"port {PORT} is already in use: stop that server or set BENCH_PORT")
    except OSError:
        pass

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            server_cmd, env={**env, "BENCH_FLOOR_BODY": str(body_file)}, cwd=ROOT
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}{guide}", timeout=2).read()
                return proc
            except OSError:
                time.sleep(0.2)
        proc.kill()
        raise SystemExit("server did not start")

    # First start only to capture the guide page, so the floor serves the same bytes.
    body_file.write_bytes(b"")
    proc = start()
    page = urllib.request.urlopen(f"http://127.0.0.1:{PORT}{guide}").read()
    proc.terminate()
    proc.wait()
    body_file.write_bytes(page)
    proc = start()
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    try:
        run_load(guide, 1.0, args.concurrency)  # warm-up: every worker renders once
        if use_wrk:
            floor = run_wrk("/__floor__/page", args.seconds, args.concurrency)
            measured = run_wrk(guide, args.seconds, args.concurrency)
            # A session cookie bypasses the anonymous page cache: the full render cost.
            uncached = run_wrk(guide, args.seconds, args.concurrency, "Cookie: sessionid=bench")
        else:
            rps, lat, err = run_load("/__floor__/page", args.seconds, args.concurrency)
            floor = (rps, pct(lat, 50), pct(lat, 99), err)
            rps, lat, err = run_load(guide, args.seconds, args.concurrency)
            measured = (rps, pct(lat, 50), pct(lat, 99), err)
            uncached = None
    finally:
        proc.terminate()
        proc.wait()

    client = (
        "wrk" if use_wrk else "Python threads (install wrk for a client that is not the bottleneck)"
    )
    print(
        f"page: {guide} ({len(page):,} bytes), {args.concurrency} connections, "
        f"{args.seconds:.0f} s each, granian with {workers} workers, client: {client}"
    )
    for label, (rps, p50, p99, err) in (
        ("floor (bare view, same bytes)", floor),
        ("service guide page", measured),
    ):
        print(f"{label:30} {rps:8.1f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  errors {err}")
    print(f"ratio guide/floor: {measured[0] / floor[0]:.2f} (aim >= 0.5)")
    if uncached:
        rps, p50, p99, err = uncached
        print(
            f"{'guide, page cache bypassed':30} {rps:8.1f} req/s  p50 {p50:6.2f} ms  "
            f"p99 {p99:6.2f} ms  errors {err}  (what a signed-in visitor costs)"
        )


if __name__ == "__main__":
    main()
