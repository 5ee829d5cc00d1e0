"""Benchmark: licence verifications per second through the public API, beside a floor.

Run as ``.venv/bin/python bench/verify.py [--requests 2000] [--suite intl|gm]``; without
``--suite`` it runs once per crypto suite (``intl``: Ed25519 + SHA-256; ``gm``: SM2 with
SM3 through Tongsuo), each in a child process with ``TONGBAN_CRYPTO_SUITE`` set, so that
keys, digests and field encryption are all made under that suite.

Each run builds a throw-away SQLite database (migrated, the project's own settings), one
market-regulation department and the demo's 营业执照 licence type, and issues one licence to
a business through ``licences.services.issue_licence`` (the call the approval receiver and
the demo make; signed with the department's licence key). Then, alternating in chunks of
100 so that other load on the machine falls on every path alike:

- **API**: ``POST /api/licences/verify`` with ``{"payload": …}`` through Django's test
  ``Client`` — in process, no socket, but the whole request path: every middleware (the
  API rate limiter included, with a limit too high to trip), URL resolution, django-ninja,
  ``services.check`` (signature, the register row, the face digest) and the JSON answer.
  Each answer's status code is checked; the first one's body must say ``valid``.
- **online check**: ``services.check(payload)`` called directly (no HTTP): for reading
  where the time goes.
- **floor**: ``payload.verify_payload(payload, resolver)`` with the public key held in
  memory (the resolver is built once from the published keys.json document): decoding,
  the canonical-form checks and the signature check, no database. What a third party's
  offline verifier does.
- **bare signature**: the suite's ``verify`` over the prepared signed bytes, for reference.

Prints verifications per second (wall clock) and CPU time of this process per
verification for each path, and the ratio API/floor. Logging below WARNING is switched off
(the request log line is not what is measured). Not a test; never part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUITES = ("intl", "gm")
CHUNK = 100
RESULT_PREFIX = "RESULT "


def configure(workdir: Path, suite: str) -> None:
    os.environ["TONGBAN_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings"
    os.environ["TONGBAN_CRYPTO_SUITE"] = suite
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    # The limiter still runs on every request; it just never refuses one here.
    os.environ["TONGBAN_RATE_LIMIT_API"] = "1000000000"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    # The development key-encryption key is fine for a throw-away database; don't warn.
    warnings.filterwarnings("ignore", message="TONGBAN_KEK", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def issue_one() -> Any:
    """One market-regulation department, the demo's business licence type, one licence."""
    from tongban.demo.licences import BUSINESS_FACE
    from tongban.licences import services
    from tongban.licences.models import HolderKind, Layout, LicenceType
    from tongban.org.models import Department, Region, RegionLevel

    city = Region.objects.create(
        code="442000", name="中山市", name_en="Zhongshan", level=RegionLevel.PREFECTURE
    )
    department = Department.objects.create(
        code="scjg",
        name="中山市市场监督管理局",
        name_en="Market Regulation Bureau",
        region=city,
        uscc="11442000MB2C0001X",
    )
    licence_type = LicenceType.objects.create(
        code="11100000MB01",
        name="营业执照",
        name_en="Business licence",
        department=department,
        holder_kind=HolderKind.ORGANISATION,
        face_fields=BUSINESS_FACE,
        layout=Layout.CERTIFICATE,
    )
    uscc = services.new_uscc(city.code)
    name = "中山市岐江智造科技有限公司"
    face = {
        "name": name,
        "uscc": uscc,
        "type": "有限责任公司",
        "legal_representative": "黄志强",
        "capital": "200",
        "address": "中山市火炬开发区科技东路39号",
        "scope": "智能家居产品的研发、生产和销售；软件开发；技术服务。",
    }
    return services.issue_licence(
        licence_type, services.organisation_holder(uscc, name), face, actor=None, source="bench"
    )


@dataclass
class Path_:
    label: str
    call: Callable[[], None]
    wall: float = 0.0
    cpu: float = 0.0
    runs: int = 0


def measure(paths: list[Path_], n: int) -> None:
    done = 0
    while done < n:
        k = min(CHUNK, n - done)
        for path in paths:
            call = path.call
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(k):
                call()
            path.wall += time.perf_counter() - wall
            path.cpu += time.process_time() - cpu
            path.runs += k
        done += k


def run_suite(suite: str, requests: int, floor_factor: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"tongban-bench-verify-{suite}-"))
    try:
        configure(workdir, suite)
        return _run(suite, requests, floor_factor)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(suite: str, requests: int, floor_factor: int) -> dict[str, Any]:
    from django.test import Client

    from tongban.core.crypto import keys
    from tongban.core.crypto.suites import Signature, b64url_decode, suite_for_signature_alg
    from tongban.core.models import KeyPurpose
    from tongban.licences import payload as pl
    from tongban.licences import services

    licence = issue_one()
    text = services.payload_of(licence)
    body = json.dumps({"payload": text})
    client = Client(HTTP_HOST="localhost")

    def api() -> None:
        response = client.post("/api/licences/verify", body, content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")

    first = client.post("/api/licences/verify", body, content_type="application/json")
    answer = first.json()
    if first.status_code != 200 or answer.get("status") != "valid":
        raise SystemExit(f"the API does not find the licence valid: {first.content[:500]!r}")

    def online() -> None:
        if services.check(text).outcome != "valid":
            raise SystemExit("services.check does not find the licence valid")

    # The floor: what an offline verifier holding keys.json does, the key in memory.
    document = pl.keys_document(keys.public_keys(KeyPurpose.LICENCE))
    resolve = pl.resolver_from_document(json.loads(json.dumps(document)))

    def floor() -> None:
        pl.verify_payload(text, resolve)

    fields = pl.decode(text)
    key = resolve(fields["k"])
    assert key is not None
    crypto = suite_for_signature_alg(key.alg)
    signed = pl.signed_bytes(fields)
    signature = Signature(alg=fields["a"], key_id=fields["k"], value=b64url_decode(fields["s"]))
    if not crypto.verify(key.public_key, signed, signature):
        raise SystemExit("the bare signature check fails")

    def bare() -> None:
        crypto.verify(key.public_key, signed, signature)

    paths = [
        Path_("API (POST /api/licences/verify)", api),
        Path_("online check (services.check)", online),
        Path_("floor (payload.verify_payload)", floor),
    ]
    for path in paths:  # warm-up: imports, caches, the first query plans
        for _ in range(20):
            path.call()
    measure(paths, requests)
    # The cheap paths again with more repetitions, for steadier figures.
    floors = [Path_(p.label, p.call) for p in paths[2:]] + [Path_("bare signature check", bare)]
    measure(floors, requests * floor_factor)
    results = {p.label: p for p in [*paths[:2], *floors]}
    print(
        f"suite {suite}: key {key.key_id} ({key.alg}), payload {len(text)} characters,"
        f" licence {licence.number}"
    )
    print(f"  {'path':34} {'runs':>7} {'per second':>11} {'ms wall':>8} {'ms CPU':>8}")
    for label, p in results.items():
        print(
            f"  {label:34} {p.runs:>7} {p.runs / p.wall:>11,.0f} {1000 * p.wall / p.runs:>8.3f}"
            f" {1000 * p.cpu / p.runs:>8.3f}"
        )
    api_rate = paths[0].runs / paths[0].wall
    floor_rate = floors[0].runs / floors[0].wall
    print(
        f"  ratio API/floor: {api_rate / floor_rate:.3f}"
        f" ({floor_rate / api_rate:.1f}x the floor's time per verification)"
    )
    return {
        "suite": suite,
        "alg": key.alg,
        "api": api_rate,
        "online": paths[1].runs / paths[1].wall,
        "floor": floor_rate,
        "bare": floors[1].runs / floors[1].wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="API requests per run")
    parser.add_argument(
        "--floor-factor",
        type=int,
        default=5,
        help="the floor and the bare check run this many times as often again",
    )
    parser.add_argument("--suite", choices=SUITES, help="run one suite in this process")
    args = parser.parse_args()
    if args.suite:
        result = run_suite(args.suite, args.requests, args.floor_factor)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return
    print(
        f"{args.requests} API requests per suite through Django's test Client (in process,"
        " every middleware, no socket), alternating in chunks of 100 with the other paths",
        flush=True,
    )
    summary = []
    for suite in SUITES:
        out = subprocess.run(
            [sys.executable, __file__, "--suite", suite, "--requests", str(args.requests),
             "--floor-factor", str(args.floor_factor)],
            env={**os.environ, "TONGBAN_CRYPTO_SUITE": suite},
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        for line in out.stdout.splitlines():
            if line.startswith(RESULT_PREFIX):
                summary.append(json.loads(line.removeprefix(RESULT_PREFIX)))
            else:
                print(line)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"the {suite} run failed ({out.returncode})")
    print()
    print(f"{'suite':6} {'algorithm':10} {'API/s':>9} {'floor/s':>9} {'ratio':>7}")
    for row in summary:
        print(
            f"{row['suite']:6} {row['alg']:10} {row['api']:>9,.0f} {row['floor']:>9,.0f}"
            f" {row['api'] / row['floor']:>7.3f}"
        )


if __name__ == "__main__":
    main()
