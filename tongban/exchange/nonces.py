"""Nonce stores: the memory behind the replay check of signed exchange requests (P4).

A ``NonceStore`` answers one question atomically: "is this the first time this key used
this nonce?" ``remember(key_id, nonce, ttl)`` records the pair for ``ttl`` seconds and
returns True, or returns False when the pair is already recorded. Nonces are kept per key
id, so one member cannot spend another's. ``signing.verify_request`` calls it last, once the
signature, the body and the clock have passed, with ``ttl = 2 × window + 1``: a request is
accepted only while its ``created`` lies within ±window of the clock, so a nonce older than
that can never be accepted again anyway.

Two implementations:

- ``MemoryNonceStore``: a dict under a lock, with an injectable clock. For tests, the bench
  and a single-process node.
- ``CacheNonceStore``: a Django cache (``settings.TONGBAN_EXCHANGE_NONCE_CACHE``, default
  ``"default"``) through ``cache.add``, which only writes a key that is absent and says
  whether it did. ``add`` is atomic on Redis (``SET NX``), on the database cache (the
  table's primary key refuses a second insert) and, within one process, on the local
  memory cache (a lock). The settings configure the local memory cache unless
  ``CACHE_URL=redis://…`` is set. The local memory cache is **per process**: with several
  worker processes a replay sent to another worker would pass, and it forgets keys when it
  holds more than ``MAX_ENTRIES`` (300 by default). A node with more than one worker
  therefore needs Redis (with an eviction policy that keeps keys with a timeout, e.g.
  ``noeviction`` or ``volatile-ttl`` sized to the traffic) or a table. The dummy cache,
  which remembers nothing, is refused outright.

- ``DatabaseNonceStore``: a ``SeenNonce`` row per ``(key_id, nonce)``, whose unique
  constraint refuses a second insert on every database and across every process and node
  that share it; the gateway's store. It writes in the caller's transaction, so a request
  whose transaction rolls back spends no nonce. A row whose ``expires_at`` has passed
  counts as free and is taken over; the periodic job ``exchange.purge_nonces``
  (``tongban.exchange.jobs``) deletes old rows. On SQLite and PostgreSQL this is one
  ``INSERT … ON CONFLICT DO UPDATE … WHERE expires_at <= now RETURNING id`` (a row comes
  back only when the pair is ours); elsewhere an insert in a savepoint, then a conditional
  ``UPDATE`` of an expired row.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone


class NonceStore(Protocol):
    def remember(self, key_id: str, nonce: str, ttl: int) -> bool:
        """Record ``(key_id, nonce)`` for ``ttl`` seconds; False if it is already recorded."""
        ...


class MemoryNonceStore:
    """Nonces in this process's memory; expired ones are dropped as new ones arrive."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def remember(self, key_id: str, nonce: str, ttl: int) -> bool:
        now = self._clock()
        with self._lock:
            if len(self._until) > 1024:
                self._until = {k: t for k, t in self._until.items() if t > now}
            until = self._until.get((key_id, nonce))
            if until is not None and until > now:
                return False
            self._until[(key_id, nonce)] = now + ttl
            return True

    def __len__(self) -> int:
        now = self._clock()
        return sum(1 for t in self._until.values() if t > now)


def cache_key(key_id: str, nonce: str) -> str:
    """A short, safe cache key for a pair (any cache backend accepts it)."""
    digest = hashlib.sha256(f"{key_id}\x00{nonce}".encode()).hexdigest()
    return f"tongban:exchange:nonce:{digest}"


class CacheNonceStore:
    """Nonces in a Django cache, through the atomic ``cache.add`` (see the module doc)."""

    def __init__(self, alias: str | None = None) -> None:
        self.alias = str(alias or getattr(settings, "TONGBAN_EXCHANGE_NONCE_CACHE", "default"))
        self.cache = caches[self.alias]
        if isinstance(self.cache, DummyCache):
            raise ImproperlyConfigured(
                f"cache {self.alias!r} is a DummyCache, which remembers no nonce: replays "
                "would pass. Set TONGBAN_EXCHANGE_NONCE_CACHE to a real cache."
            )

    @property
    def shared_between_processes(self) -> bool:
        """False for the local memory cache: each worker process has its own."""
        return not isinstance(self.cache, LocMemCache)

    def remember(self, key_id: str, nonce: str, ttl: int) -> bool:
        return bool(self.cache.add(cache_key(key_id, nonce), 1, timeout=ttl))


class DatabaseNonceStore:
    """Nonces as ``SeenNonce`` rows (see the module doc): shared by every process and node
    that uses the database. ``clock`` returns the current aware datetime (tests)."""

    def __init__(self, clock: Callable[[], datetime] = timezone.now) -> None:
        self._clock = clock

    def remember(self, key_id: str, nonce: str, ttl: int) -> bool:
        from .models import SeenNonce  # the store is importable before the apps are ready

        now = self._clock()
        until = now + timedelta(seconds=ttl)
        connection = connections[router.db_for_write(SeenNonce)]
        if connection.vendor in UPSERT_VENDORS:
            return _remember_upsert(connection, key_id, nonce, now, until)
        try:
            with transaction.atomic():
                SeenNonce.objects.create(key_id=key_id, nonce=nonce, expires_at=until)
            return True
        except IntegrityError:
            pass
        # The pair is recorded: free only if its time has passed (a conditional UPDATE, so
        # two requests racing for an expired row cannot both take it).
        taken = SeenNonce.objects.filter(key_id=key_id, nonce=nonce, expires_at__lte=now).update(
            expires_at=until
        )
        return taken == 1


#: Databases with ``INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING`` (SQLite ≥ 3.35,
#: PostgreSQL ≥ 9.5): one statement and no savepoint per nonce; others take the portable way.
UPSERT_VENDORS = frozenset({"sqlite", "postgresql"})


def _remember_upsert(
    connection: BaseDatabaseWrapper, key_id: str, nonce: str, now: datetime, until: datetime
) -> bool:
    """One statement: insert the pair, or take over its row if that row's time has passed.
    A row comes back exactly when the pair is ours; the unique constraint decides between
    racing requests (the loser's conflicting insert waits for the winner, then finds a row
    whose time has not passed and returns nothing)."""
    from .models import SeenNonce

    q = connection.ops.quote_name
    table = q(SeenNonce._meta.db_table)
    sql = (  # identifiers from the model, quoted; every value a parameter
        f"INSERT INTO {table} ({q('key_id')}, {q('nonce')}, {q('expires_at')}) "  # noqa: S608
        "VALUES (%s, %s, %s) "
        f"ON CONFLICT ({q('key_id')}, {q('nonce')}) DO UPDATE "
        f"SET {q('expires_at')} = excluded.{q('expires_at')} "
        f"WHERE {table}.{q('expires_at')} <= %s "
        f"RETURNING {q('id')}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_id, nonce, adapt(until), adapt(now)])
        return cursor.fetchone() is not None


def purge_expired_nonces(now: datetime | None = None) -> int:
    """Delete the ``SeenNonce`` rows whose time has passed; return how many."""
    from .models import SeenNonce

    return SeenNonce.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]
