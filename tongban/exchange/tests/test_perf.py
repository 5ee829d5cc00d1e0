"""The gateway's cheap path (issue 13, bench ratio): how many statements a call costs, the
one-statement nonce and rate-window upserts (and the portable path they replace), and the
response signer's remembered key id across a rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongban.core.crypto import keys as keystore
from tongban.exchange import nonces, ratelimit, signing
from tongban.exchange.models import Grant, RateWindow, SeenNonce
from tongban.exchange.nonces import DatabaseNonceStore
from tongban.exchange.signing import verify_response

from .test_gateway import (  # noqa: F401 (fixtures)
    ID_NUMBER,
    _p12_every_exchange_record,
    as_response,
    caller,
    grant,
    gw,
    record,
)

pytestmark = pytest.mark.django_db

#: Statements of an allowed query once the node's keys and the audit stream exist: BEGIN,
#: key, nonce, originator, items + resource, grant, grant fields, clearance, rate windows,
#: PII digest key, record, audit (savepoint, head, insert, head update, release), the
#: person's data-access log, response key, evidence encryption key, evidence, COMMIT. Was 28.
QUERY_STATEMENTS = 21


@pytest.fixture(params=["upsert", "portable"])
def path(request, monkeypatch) -> str:
    """Both ways to the database: the one statement (SQLite, PostgreSQL) and the portable
    insert-in-a-savepoint of other databases."""
    if request.param == "portable":
        monkeypatch.setattr(nonces, "UPSERT_VENDORS", frozenset())
        monkeypatch.setattr(ratelimit, "UPSERT_VENDORS", frozenset())
    return str(request.param)


# --- the cost of a call ---------------------------------------------------------------------


@override_settings(TONGBAN_EXCHANGE_SIGNER_CACHE_SECONDS=60)
def test_an_allowed_query_costs_twenty_one_statements(caller, grant, record):  # noqa: F811
    signing.forget_signer_keys()  # (keys of earlier tests' rolled-back databases)
    caller.query(["person.name"])  # the gateway's keys and the audit stream exist now
    with CaptureQueriesContext(connection) as queries:
        response = caller.query(["person.name", "person.id_number"])
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) <= QUERY_STATEMENTS, "\n".join(s[:100] for s in sql)
    # one savepoint inside the call's transaction: record_audit's (the nonce and the rate
    # windows take none); under the test's transaction the call's own is a savepoint too
    assert sql[0].startswith(("BEGIN", "SAVEPOINT"))
    assert sum(s.startswith("SAVEPOINT") for s in sql[1:]) == 1, sql
    assert sum("exchange_seennonce" in s for s in sql) == 1
    assert sum("exchange_ratewindow" in s for s in sql) == 1
    assert not any("ORDER BY" in s for s in sql if "exchange_" in s), "no ORDER BY needed"


def test_a_revoked_grant_counts_on_the_very_next_call(caller, grant, record):  # noqa: F811
    assert caller.query(["person.id_number"]).status_code == 200
    Grant.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    response = caller.query(["person.id_number"])
    assert response.status_code == 403 and response.json()["code"] == "grant_revoked"


def test_full_fields_are_read_apart_from_fields(caller, grant, record, gw):  # noqa: F811
    first = caller.query(["person.id_number"]).json()
    assert first["masked"] == ["person.id_number"]
    grant.full_fields.set([gw.id_number])
    caller.full_ids_allowed = True
    second = caller.query(["person.id_number"]).json()
    assert second["masked"] == [] and second["record"]["person.id_number"] == ID_NUMBER


# --- nonces -----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now


def test_nonce_once_per_key_then_free_when_expired(path):
    clock = Clock()
    store = DatabaseNonceStore(clock)
    assert store.remember("k1", "a" * 22, 10)
    assert not store.remember("k1", "a" * 22, 10)
    assert store.remember("k2", "a" * 22, 10), "nonces are kept per key"
    clock.now += timedelta(seconds=9)
    assert not store.remember("k1", "a" * 22, 10)
    clock.now += timedelta(seconds=2)
    assert store.remember("k1", "a" * 22, 10), "an expired row is taken over"
    assert not store.remember("k1", "a" * 22, 10)
    row = SeenNonce.objects.get(key_id="k1")
    assert row.expires_at == clock.now + timedelta(seconds=10)
    assert SeenNonce.objects.count() == 2


# --- rate windows -----------------------------------------------------------------------------


@pytest.fixture
def limited(gw) -> Grant:  # noqa: F811
    return Grant.objects.create(
        member=gw.member,
        resource=gw.resource,
        purpose="p",
        legal_basis="b",
        expires_at=timezone.now() + timedelta(days=1),
        rate_per_minute=2,
        rate_per_day=3,
    )


def counts(limit: Grant) -> dict[str, int]:
    rows = RateWindow.objects.filter(grant=limit).values_list("scope", "count")
    totals: dict[str, int] = {}
    for scope, count in rows:
        totals[scope] = totals.get(scope, 0) + count
    return totals


T0 = datetime(2026, 12, 8, 3, 0, 10, tzinfo=UTC)


def test_a_full_minute_uses_up_no_day_slot(path, limited):
    assert ratelimit.count_call(limited, now=T0).allowed
    assert ratelimit.count_call(limited, now=T0 + timedelta(seconds=1)).allowed
    full = ratelimit.count_call(limited, now=T0 + timedelta(seconds=2))
    assert (full.allowed, full.scope, full.retry_after) == (False, "minute", 48)
    assert counts(limited) == {"minute": 2, "day": 2}


def test_a_full_day_uses_up_no_minute_slot(path, limited):
    for minute in range(3):
        assert ratelimit.count_call(limited, now=T0 + timedelta(minutes=minute)).allowed
    full = ratelimit.count_call(limited, now=T0 + timedelta(minutes=3))
    assert not full.allowed and full.scope == "day"
    assert counts(limited) == {"minute": 3, "day": 3}
    # the minute window of the refused call holds no count
    start = (T0 + timedelta(minutes=3)).replace(second=0)
    assert not RateWindow.objects.filter(scope="minute", window_start=start, count__gt=0).exists()


@pytest.mark.parametrize("field", ["rate_per_minute", "rate_per_day"])
def test_a_zero_limit_refuses_without_counting(path, limited, field):
    setattr(limited, field, 0)
    verdict = ratelimit.count_call(limited, now=T0)
    assert not verdict.allowed and verdict.scope == field.removeprefix("rate_per_")
    assert counts(limited) == {}


# --- the response signer ----------------------------------------------------------------------


@override_settings(TONGBAN_EXCHANGE_SIGNER_CACHE_SECONDS=60)
def test_the_signer_remembers_the_key_id_and_a_rotation_takes_effect_at_once(caller, grant, record):  # noqa: F811
    signing.forget_signer_keys()
    try:
        before = keystore.active_key("exchange")
        first = signing.KeyStoreSigner()
        assert first.key_id == before.key_id
        with CaptureQueriesContext(connection) as queries:
            again = signing.KeyStoreSigner()
        assert again.key_id == before.key_id and len(queries) == 0, "remembered"
        keystore.rotate("exchange", actor=None)
        after = keystore.active_key("exchange")
        # the remembered id is stale: signing refuses rather than name the wrong key ...
        with pytest.raises(signing.KeyRotated):
            signing.KeyStoreSigner().sign_raw(b"x")
        assert signing.KeyStoreSigner().key_id == after.key_id, "... and forgets it"
        # and the gateway signs again, so a call right after a rotation verifies
        signing.forget_signer_keys()
        keystore.rotate("exchange", actor=None)
        newest = keystore.active_key("exchange")
        req = caller.sign(
            {"resource": "zs.ga.population", "fields": ["person.name"], "purpose": grant.purpose,
             "key": "x"}
        )  # fmt: skip
        signing.KeyStoreSigner()  # remembers ``newest``
        keystore.rotate("exchange", actor=None)
        latest = keystore.active_key("exchange")
        response = caller.send(req)
        assert response.status_code == 200, response.content
        verified = verify_response(as_response(req, response), keys=_keys(newest, latest))
        assert verified.key_id == latest.key_id
    finally:
        signing.forget_signer_keys()


def _keys(*infos: Any) -> signing.InMemoryKeyResolver:
    return signing.InMemoryKeyResolver(
        {i.key_id: signing.PublicKey(i.public_key, i.alg, "gateway") for i in infos}
    )


def test_the_signer_reads_the_store_every_time_when_told(caller):  # noqa: F811
    with override_settings(TONGBAN_EXCHANGE_SIGNER_CACHE_SECONDS=0):
        signing.KeyStoreSigner()
        with CaptureQueriesContext(connection) as queries:
            signing.KeyStoreSigner()
        assert len(queries) >= 1
