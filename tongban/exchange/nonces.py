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

A table-backed store (a row per ``(key_id, nonce)`` with a unique constraint and an expiry,
swept on a schedule) fits the same protocol; it needs a model, so it belongs with the
exchange's models (issue 13, next step), not here.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured


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
