"""Benchmark: signed, authorised, audited gateway queries against an unsigned floor.

Run as ``.venv/bin/python bench/exchange.py [--seconds 2.0] [--suite intl|gm] [--profile]
[--queries] [--migrate]``; without ``--suite`` it runs both crypto suites
(``TONGBAN_CRYPTO_SUITE``: Ed25519 under ``intl``, SM2-SM3 under ``gm``) in one process, on
one database.

Set-up: a throwaway SQLite database in a temporary directory (``TONGBAN_VAR_DIR``). The
schema is created from the models (migrations switched off, ``migrate --run-syncdb``) plus
the audit tables' append-only triggers of ``core/0004``, so that the audit write costs what
it costs in production: applying the ~100 real migrations takes about two minutes of wall
clock on a loaded two-core machine, longer than the whole bench (``--migrate`` does it
anyway). Then the least data a query needs: a provider and a requesting department, an
official of the requester with a reviewer role, a published resource with two items (a name
shared unconditionally, an ID number shared on conditions and masked), a member system with
a key issued by ``services.issue_member_key`` under the suite, a grant with limits no bench
reaches, and one ``DataRecord``.

Two paths through Django's WSGI handler (the same server, every middleware), alternating in
chunks of 10 so that other load on the machine falls on both alike:

- **gateway**: ``ExchangeClient.query`` over ``DjangoTransport(handler=WSGIHandler())``:
  the client signs (RFC 9421), the gateway verifies (member key, nonce row), checks the
  originator, reads the resource, items and grant, decides, counts the rate limit, writes
  the audit record, reads and decrypts the record, masks, signs its answer and writes the
  evidence (one transaction); the client verifies the answer against its request.
- **floor**: a view registered only in this bench's URLconf (``/__floor__/record``: the real
  URLs plus this one) that reads the same ``DataRecord`` row by its key digest, decrypts it
  and returns the asked fields as JSON; unsigned, unaudited, same body, same transport.

Prints both rates (requests/s), the ratio gateway/floor (aim ≥ 0.5; X-Road users report
about 0.1 for a security server against a direct call), the SQL statements per call, and
where the gateway's time goes: 30 more calls (``--phase-calls``) with ``time.perf_counter``
around each phase (client signing, request verification, originator, resource and item
read, grant read, decision, rate limit, audit write, record read, response key lookup,
response signing, evidence write, client verification), largest first, and the phase that
dominates the gap; ``--queries`` prints a call's SQL and ``--profile`` the top cProfile entries.
Not a test; never part of ``make test`` (``make bench`` runs it).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import types
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 10
HOST = "localhost"
BASE = f"https://{HOST}/exchange/v1/"
FLOOR = f"https://{HOST}/__floor__/record"
RESOURCE = "bench.ga.population"
PURPOSE = "入学资格审核"
FIELDS = ["person.name", "person.id_number"]
KEY = "44200019900101123X"  # synthetic (the demo's kind): never a real person's number


def setup(migrate: bool) -> str:
    sys.path.insert(0, str(ROOT))
    var_dir = tempfile.mkdtemp(prefix="tongban-bench-exchange-")
    os.environ["TONGBAN_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    warnings.filterwarnings("ignore", message=".*TONGBAN_KEK.*")
    warnings.filterwarnings("ignore", message="No directory at")  # no collected static files
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    if migrate:
        call_command("migrate", verbosity=0)
    else:
        settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
        call_command("migrate", run_syncdb=True, verbosity=0)
        import importlib

        append_only = importlib.import_module("tongban.core.migrations.0004_audit_seal_append_only")
        with connection.cursor() as cursor:
            for statement in append_only.SQLITE_FORWARD:
                cursor.execute(statement)
    print(f"database: {var_dir} ({time.perf_counter() - started:.1f} s to create)")
    _install_urls()
    return var_dir


# --- the floor ------------------------------------------------------------------------------


def _install_urls() -> None:
    from django.conf import settings
    from django.http import HttpRequest, JsonResponse
    from django.urls import clear_url_caches, path
    from django.views.decorators.csrf import csrf_exempt

    from tongban.config.urls import urlpatterns as real_patterns
    from tongban.core.crypto.fields import digest
    from tongban.exchange.models import DataRecord

    @csrf_exempt
    def floor_record(request: HttpRequest) -> JsonResponse:
        asked = json.loads(request.body)
        row = (
            DataRecord.objects.filter(
                resource__code=asked["resource"],
                key_digest=digest("text", str(asked["key"]).strip().upper()),
                removed_at__isnull=True,
            )
            .only("id", "token", "values")
            .first()
        )
        values = json.loads(str(row.values)) if row is not None else {}
        record = {f: values[f] for f in asked["fields"] if f in values}
        return JsonResponse({"resource": asked["resource"], "found": row is not None,
                             "record": record})  # fmt: skip

    module = types.ModuleType("bench_exchange_urls")
    # Last, so that resolving it walks the URL patterns a real call walks.
    module.__dict__["urlpatterns"] = [*real_patterns, path("__floor__/record", floor_record)]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    settings.ALLOWED_HOSTS = [HOST]
    clear_url_caches()


# --- the data -------------------------------------------------------------------------------


def make_world() -> dict[str, Any]:
    from django.utils import timezone

    from tongban.accounts.models import Role, RoleAssignment, User, UserKind
    from tongban.core.identifiers import organisation_code_check_char, uscc_check_char
    from tongban.exchange.levels import KeyProtection
    from tongban.exchange.models import (
        DataItem,
        DataRecord,
        DataResource,
        Grant,
        MemberSystem,
        ResourceStatus,
        ShareClass,
    )
    from tongban.org.models import Department, Region, RegionLevel

    def uscc(body: str) -> str:  # a checksum-valid, invented credit code
        first17 = body + organisation_code_check_char(body[8:])
        return first17 + uscc_check_char(first17)

    city = Region.objects.create(code="442000", name="中山市", level=RegionLevel.PREFECTURE)
    provider = Department.objects.create(
        code="ga", name="中山市公安局", uscc=uscc("11442000MB2C2222"), region=city
    )
    requester = Department.objects.create(
        code="scjg", name="中山市市场监督管理局", uscc=uscc("11442000MB2C1111"), region=city
    )
    official = User.objects.create_user(
        username="bench.official",
        password=None,
        kind=UserKind.OFFICIAL,
        real_name="王审批",
        department=requester,
        clearance=3,
    )
    RoleAssignment.objects.create(user=official, role=Role.REVIEWER, department=requester)
    resource = DataResource.objects.create(
        department=provider,
        code=RESOURCE,
        name="人口基础信息",
        source_system="人口管理信息系统",
        status=ResourceStatus.PUBLISHED,
    )
    law = "《个人信息保护法》第三十四条"
    name = DataItem.objects.create(
        resource=resource, code="person.name", name="姓名",
        share_class=ShareClass.UNCONDITIONAL, grade=2, sort_order=1,
    )  # fmt: skip
    id_number = DataItem.objects.create(
        resource=resource, code="person.id_number", name="公民身份号码",
        share_class=ShareClass.CONDITIONAL, grade=3, legal_basis=law, personal_number=True,
        sort_order=2,
    )  # fmt: skip
    member = MemberSystem.objects.create(
        department=requester,
        code="scjg.registration",
        name="市场主体登记系统",
        dengbao_grade=3,
        key_protection=KeyProtection.HARDWARE,
    )
    grant = Grant.objects.create(
        member=member,
        resource=resource,
        purpose=PURPOSE,
        legal_basis=law,
        expires_at=timezone.now() + timedelta(days=30),
        rate_per_minute=10**8,
        rate_per_day=10**9,
    )
    grant.fields.set([name, id_number])
    DataRecord(
        resource=resource,
        key=KEY,
        values=json.dumps({"person.name": "林小雨", "person.id_number": KEY}, ensure_ascii=False),
        fingerprint="bench",
    ).save()
    return {"member": member, "official": official}


# --- the measurement ------------------------------------------------------------------------


class Phases:
    """Wall-clock time spent inside named functions, wrapped in place while ``active``."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        spent = self.spent

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    @contextmanager
    def active(self) -> Iterator[None]:
        from tongban.exchange import auditguard, client, decision, gateway, ratelimit
        from tongban.exchange import signing as sig

        self.wrap(sig, "sign_request", "client: sign request")
        self.wrap(sig, "verify_response", "client: verify response")
        self.wrap(client.DjangoTransport, "send", "transport (whole server side)")
        self.wrap(gateway, "verify_request", "gateway: verify request (key, nonce row)")
        self.wrap(auditguard, "sealing_is_stale", "gateway: audit health")
        self.wrap(gateway, "parse_query", "gateway: parse body")
        self.wrap(gateway, "_originator", "gateway: originator (user, roles)")
        self.wrap(gateway, "_grant_row", "gateway: grant + fields")
        self.wrap(gateway, "_resource_and_items", "gateway: resource + items")
        self.wrap(decision, "decide", "gateway: decision")
        self.wrap(ratelimit, "count_call", "gateway: rate limit")
        self.wrap(gateway, "_audit", "gateway: audit write")
        self.wrap(gateway, "_read_values", "gateway: record read + decrypt")
        self.wrap(gateway, "KeyStoreSigner", "gateway: response key lookup")
        self.wrap(gateway, "sign_response", "gateway: sign response")
        self.wrap(gateway, "_keep_evidence", "gateway: evidence write")
        try:
            yield
        finally:
            for owner, name, original in reversed(self._undo):
                setattr(owner, name, original)
            self._undo.clear()


def run_suite(
    suite_name: str,
    world: dict[str, Any],
    seconds: float,
    *,
    profile: bool = False,
    show_queries: bool = False,
    phase_calls: int = 30,
) -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings
    from django.utils import timezone

    from tongban.exchange import services
    from tongban.exchange.client import DjangoTransport, ExchangeClient
    from tongban.exchange.signing import Originator, SigningKey

    with override_settings(TONGBAN_CRYPTO_SUITE=suite_name):
        issued = services.issue_member_key(
            world["member"], actor=None, now=timezone.now() - timedelta(minutes=1)
        )
        key = SigningKey.from_pem(issued.key.key_id, issued.private_pem, issued.key.algorithm)
        transport = DjangoTransport(handler=WSGIHandler())
        client = ExchangeClient(
            BASE, key, Originator("scjg", world["official"].username), transport
        )
        floor_body = json.dumps(
            {"resource": RESOURCE, "fields": FIELDS, "purpose": PURPOSE, "key": KEY}
        ).encode()
        floor_headers = {"Content-Type": "application/json"}

        def gateway_call() -> None:
            result = client.query(RESOURCE, FIELDS, PURPOSE, KEY)
            assert result.found and result.masked == ("person.id_number",), result

        def floor_call() -> None:
            status, _headers, body = transport.send("POST", FLOOR, floor_headers, floor_body)
            assert status == 200 and json.loads(body)["found"], body

        paths: dict[str, Callable[[], None]] = {"gateway": gateway_call, "floor": floor_call}
        for fn in paths.values():  # warm up: keys, caches, the audit stream head
            for _i in range(5):
                fn()
        rates = _alternate(paths, seconds)
        statements = {name: _statements(fn) for name, fn in paths.items()}
        alg = "ed25519" if suite_name == "intl" else "sm2-sm3"
        print(f"suite {suite_name} ({alg}), requests/s through the WSGI handler:")
        for name, rate in rates.items():
            print(f"  {name:<8} {rate:>10,.0f}   ({1000 / rate:.2f} ms each)")
        print(f"  gateway / floor = {rates['gateway'] / rates['floor']:.2f} (aim >= 0.5)")
        print(
            f"  SQL statements per call: gateway {len(statements['gateway'])}, "
            f"floor {len(statements['floor'])}"
        )
        if show_queries:
            for sql in statements["gateway"]:
                print(f"    {sql[:140]}")

        phases = Phases()
        count = phase_calls
        sql_spent = [0.0]

        def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                sql_spent[0] += time.perf_counter() - start

        from django.db import connection

        with phases.active(), connection.execute_wrapper(timed_sql):
            for _i in range(count):
                gateway_call()
        per_call = {name: spent / count * 1000 for name, spent in phases.spent.items()}
        server = per_call.pop("transport (whole server side)")
        client_side = sum(v for k, v in per_call.items() if k.startswith("client"))
        inner = sum(v for k, v in per_call.items() if k.startswith("gateway"))
        floor_ms = 1000 / rates["floor"]
        print(f"  where a gateway call's time goes (ms per call, {count} instrumented calls):")
        for name, ms in sorted(per_call.items(), key=lambda kv: -kv[1]):
            print(f"    {name:<42} {ms:6.3f}")
        print(f"    {'gateway: the rest (handler, ninja, JSON, …)':<42} {server - inner:6.3f}")
        print(
            f"    server side {server:.3f} ms + client side {client_side:.3f} ms; "
            f"the floor's whole call {floor_ms:.3f} ms"
        )
        gap = 1000 / rates["gateway"] - floor_ms
        top = max(per_call.items(), key=lambda kv: kv[1])
        sql_ms = sql_spent[0] / count * 1000
        print(
            f"  the gap: {gap:.1f} ms per call; the largest phase is {top[0]!r} "
            f"({top[1]:.1f} ms); the database itself executes for {sql_ms:.1f} ms of a "
            f"call ({len(statements['gateway'])} statements), the rest is Python "
            "(building the ORM's SQL, signatures, JSON)"
        )
        if profile:
            _profile(gateway_call)


def _statements(call: Callable[[], None]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return [str(q["sql"]) for q in captured.captured_queries]


def _alternate(paths: dict[str, Callable[[], None]], seconds: float) -> dict[str, float]:
    spent = dict.fromkeys(paths, 0.0)
    done = dict.fromkeys(paths, 0)
    deadline = time.perf_counter() + seconds * len(paths)
    while time.perf_counter() < deadline:
        for name, fn in paths.items():
            start = time.perf_counter()
            for _i in range(CHUNK):
                fn()
            spent[name] += time.perf_counter() - start
            done[name] += CHUNK
    return {name: done[name] / spent[name] for name in paths}


def _profile(call: Callable[[], None]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _i in range(100):
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print("  cProfile, 100 gateway calls, top 15 by own time:")
    for line in out.getvalue().splitlines():
        if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced")):
            print("   ", line[:150])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per path and suite")
    parser.add_argument("--suite", choices=["intl", "gm"], default=None)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    parser.add_argument("--migrate", action="store_true", help="apply the real migrations")
    parser.add_argument("--queries", action="store_true", help="print a gateway call's SQL")
    parser.add_argument("--phase-calls", type=int, default=30, help="calls timed by phase")
    args = parser.parse_args()
    started = time.perf_counter()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average before: {load} on {os.cpu_count()} CPUs (other load slows both paths)")
    setup(args.migrate)
    world = make_world()
    for suite_name in [args.suite] if args.suite else ["intl", "gm"]:
        run_suite(suite_name, world, args.seconds, profile=args.profile, show_queries=args.queries)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
