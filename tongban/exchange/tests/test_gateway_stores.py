"""The gateway's shared state in the database: seen nonces (P4), rate windows, the seal
check (P13) and the job that purges old rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tongban.core.audit import record_audit, seal_streams
from tongban.exchange import auditguard, jobs, ratelimit
from tongban.exchange.models import Grant, RateWindow, SeenNonce
from tongban.exchange.nonces import DatabaseNonceStore

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now


def test_p4_database_nonce_store_refuses_a_second_use():
    store = DatabaseNonceStore()
    assert store.remember("k1", "n" * 22, 601)
    assert not store.remember("k1", "n" * 22, 601)
    assert store.remember("k2", "n" * 22, 601), "nonces are kept per key"
    assert SeenNonce.objects.count() == 2


def test_p4_an_expired_nonce_row_is_free_again():
    clock = Clock()
    store = DatabaseNonceStore(clock)
    assert store.remember("k1", "a" * 22, 10)
    clock.now += timedelta(seconds=9)
    assert not store.remember("k1", "a" * 22, 10)
    clock.now += timedelta(seconds=2)
    assert store.remember("k1", "a" * 22, 10)
    assert not store.remember("k1", "a" * 22, 10)


@pytest.fixture
def grant(world) -> Grant:
    row = Grant.objects.create(
        member=world.member,
        resource=world.resource,
        purpose="p",
        legal_basis="b",
        expires_at=timezone.now() + timedelta(days=1),
        rate_per_minute=2,
        rate_per_day=3,
    )
    return row


def test_rate_limit_counts_per_minute_and_per_day(grant):
    t0 = datetime(2026, 12, 8, 3, 0, 10, tzinfo=UTC)
    assert ratelimit.count_call(grant, now=t0).allowed
    assert ratelimit.count_call(grant, now=t0 + timedelta(seconds=5)).allowed
    full = ratelimit.count_call(grant, now=t0 + timedelta(seconds=20))
    assert not full.allowed and full.scope == "minute" and full.retry_after == 30
    assert ratelimit.count_call(grant, now=t0 + timedelta(minutes=1)).allowed
    day = ratelimit.count_call(grant, now=t0 + timedelta(minutes=2))
    assert not day.allowed and day.scope == "day"
    # The day of Asia/Shanghai ends at 16:00 UTC.
    assert (
        day.retry_after == int((datetime(2026, 12, 8, 16, tzinfo=UTC) - t0).total_seconds()) - 120
    )
    assert RateWindow.objects.get(scope="day").count == 3
    assert sum(RateWindow.objects.filter(scope="minute").values_list("count", flat=True)) == 3


def test_the_purge_job_deletes_old_nonces_and_windows(grant):
    old = timezone.now() - timedelta(days=3)
    SeenNonce.objects.create(key_id="k", nonce="x" * 22, expires_at=old)
    SeenNonce.objects.create(
        key_id="k", nonce="y" * 22, expires_at=timezone.now() + timedelta(minutes=5)
    )
    RateWindow.objects.create(grant=grant, scope="minute", window_start=old, count=1)
    RateWindow.objects.create(grant=grant, scope="day", window_start=timezone.now(), count=1)
    jobs.purge_gateway()
    assert list(SeenNonce.objects.values_list("nonce", flat=True)) == ["y" * 22]
    assert list(RateWindow.objects.values_list("scope", flat=True)) == ["day"]


def test_p13_seal_health_names_the_streams_left_unsealed(monkeypatch):
    record_audit(None, "exchange.query", object_type="x", object_id="1", stream="exchange")
    record_audit(None, "cases.thing", object_type="x", object_id="1", stream="cases")
    assert not auditguard.seal_health().stale
    later = timezone.now() + timedelta(seconds=auditguard.period_seconds() + 1)
    health = auditguard.seal_health(later)
    assert health.stale and health.streams == ("cases", "exchange")
    seal_streams()
    assert not auditguard.seal_health(later).stale
    # A record after the seal: only its own age counts.
    record_audit(None, "cases.other", object_type="x", object_id="2", stream="cases")
    assert not auditguard.seal_health(later - timedelta(seconds=2)).stale
    assert auditguard.seal_health(later + timedelta(seconds=5)).streams == ("cases",)
