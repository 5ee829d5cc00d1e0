"""Requests per second for a service guide page under concurrent load, beside a floor.

Usage: .venv/bin/python bench/portal.py [--seconds 8] [--concurrency 8]

Sets up its own SQLite database with the demo city, starts granian (WSGI, one worker per
core) on 127.0.0.1, and drives it from this process with keep-alive HTTP connections. The
floor is a bare Django view on the same server returning a static page of the same size
(bench/bench_urls.py). Prints both rates, the ratio (aim: >= 0.5) and latency percentiles.
Traffic goes to 127.0.0.1 only; the run is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import os
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


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 2 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
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
    code = subprocess.run(
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
    ).stdout.strip().splitlines()[-1]  # `shell` may print a line about auto-imports first
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
    try:
        run_load(guide, 1.0, args.concurrency)  # warm-up
        floor_rps, floor_lat, floor_err = run_load(
            "/__floor__/page", args.seconds, args.concurrency
        )
        guide_rps, guide_lat, guide_err = run_load(guide, args.seconds, args.concurrency)
    finally:
        proc.terminate()
        proc.wait()

    print(
        f"page: {guide} ({len(page):,} bytes), {args.concurrency} concurrent clients, "
        f"{args.seconds:.0f} s each, granian with {workers} workers"
    )
    print(
        f"floor (bare view, same bytes): {floor_rps:8.1f} req/s  "
        f"p50 {pct(floor_lat, 50):6.1f} ms  p99 {pct(floor_lat, 99):6.1f} ms  "
        f"errors {floor_err}"
    )
    print(
        f"service guide page:            {guide_rps:8.1f} req/s  "
        f"p50 {pct(guide_lat, 50):6.1f} ms  p99 {pct(guide_lat, 99):6.1f} ms  "
        f"errors {guide_err}"
    )
    print(f"ratio guide/floor: {guide_rps / floor_rps:.2f} (aim >= 0.5)")


if __name__ == "__main__":
    main()
