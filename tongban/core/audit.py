"""Append-only, hash-chained audit trail, sealed with signatures.

``record_audit`` is called by every service function inside its transaction. Each record
is hashed with the configured crypto suite's hash (SHA-256 under ``intl``, SM3 under ``gm``)
and says which in ``alg``, so a chain that spans a change of suite still verifies.

``seal_streams`` (``tongban audit seal``, or the ``seal_audit_chain`` worker task) signs,
for every stream whose head moved, the hashes of the records appended since the stream's
last seal, with the key store's "audit-seal" key: see ``AuditSeal``. Run it every five
minutes (a cron job or systemd timer running ``tongban audit seal``): a rewrite of the
chain, even one that recomputes every later hash and the head, is then caught for
everything older than the last seal.

``verify`` walks every stream and returns the first problem it finds: an altered record
(hash mismatch, or a hash that differs from the one a seal vouches for), a missing or
reordered one (sequence gap or broken link), a cut-off tail (the stream head or a seal
names a later record than the chain holds), records appended behind the head's back, or
a seal that does not verify.

The tables are append-only in the database too (triggers of migration
``core.0004_audit_seal_append_only``); ``audit_maintenance`` is the one way through them,
for emptying whole tables in development and tests (Django's test flush).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.utils import timezone

from tongban.core.models import AuditRecord, AuditSeal, AuditStreamHead, KeyPurpose

GENESIS = "0" * 64
SEAL_FORMAT = "tongban/audit-seal/1"


@cache
def _hashers() -> dict[str, Callable[[bytes], bytes]]:
    # Imported here: the crypto package imports this module (key changes are audited).
    from tongban.core.crypto.suites import SUITES

    return {suite.hash_alg: suite.hash for suite in SUITES.values()}


def current_alg() -> str:
    """The hash algorithm of new records: the configured suite's ("sha256" or "sm3")."""
    from tongban.core.crypto.suites import get_suite

    return get_suite().hash_alg


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(record: AuditRecord) -> bytes:
    payload = [
        record.stream,
        int(record.seq),
        _timestamp(record.occurred_at),
        record.actor_id,
        record.actor_label,
        record.action,
        record.object_type,
        record.object_id,
        record.meta,
        record.prev_hash,
    ]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_hash(record: AuditRecord) -> str:
    """The record's hash with the algorithm the record names (``alg``), as hex.

    Raises ``ValueError`` for an algorithm no suite provides.
    """
    hasher = _hashers().get(record.alg)
    if hasher is None:
        raise ValueError(f"unknown audit hash algorithm {record.alg!r}")
    return hasher(_canonical(record)).hex()


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system" if actor is None else "anonymous"
    return actor.pk, actor.get_username()


def record_audit(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    meta: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    stream: str | None = None,
) -> AuditRecord:
    """Append one record to the audit chain of ``stream`` (default: the action's module).

    Must run inside the caller's transaction so that the change and its audit record commit
    or roll back together. ``meta`` holds metadata only, never personal values.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    stream = stream or action.split(".", 1)[0]
    actor_id, actor_label = _actor_fields(actor)
    with transaction.atomic():
        head, _ = AuditStreamHead.objects.select_for_update().get_or_create(stream=stream)
        record = AuditRecord(
            stream=stream,
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            meta=meta or {},
            alg=current_alg(),
            prev_hash=head.hash or GENESIS,
        )
        record.hash = compute_hash(record)
        record.save()
        AuditStreamHead.objects.filter(stream=stream).update(seq=record.seq, hash=record.hash)
    return record


@dataclass(frozen=True)
class AuditProblem:
    stream: str
    seq: int
    record_id: int | None
    # "altered", "missing", "duplicate", "broken-link", "truncated", "beyond-head", "orphan",
    # "bad-seal"
    kind: str
    detail: str

    def __str__(self) -> str:
        rid = f" (record id {self.record_id})" if self.record_id is not None else ""
        return f"stream {self.stream!r} seq {self.seq}{rid}: {self.kind}: {self.detail}"


# --- seals -------------------------------------------------------------------------------


def seal_payload(
    stream: str, from_seq: int, seq: int, hashes: list[str], sealed_at: datetime
) -> bytes:
    """The bytes a seal's signature covers: the stream, the range, every covered record's
    hash (the last one is the head's) and the time of sealing."""
    payload = [SEAL_FORMAT, stream, int(from_seq), int(seq), _timestamp(sealed_at), hashes]
    return json.dumps(payload, separators=(",", ":")).encode()


def _seal_label(seal: AuditSeal) -> str:
    return f"seal {seal.pk} of {_timestamp(seal.sealed_at)} (key {seal.key_id})"


@dataclass
class SealRun:
    """What one ``seal_streams`` run did."""

    sealed: list[AuditSeal] = field(default_factory=list)
    # Streams whose head had not moved since their last seal, or that another sealer
    # sealed at the same moment.
    unchanged: list[str] = field(default_factory=list)
    # Streams not sealed because the records since their last seal do not verify.
    problems: list[AuditProblem] = field(default_factory=list)


def _segment(stream: str, from_seq: int, head: AuditStreamHead, prev_hash: str) -> list[str]:
    """The hashes of records ``from_seq``..head, checked; raises ``_SegmentError``."""
    hashes: list[str] = []
    expected = from_seq
    rows = AuditRecord.objects.filter(stream=stream, seq__gte=from_seq, seq__lte=head.seq)
    for record in rows.order_by("seq").iterator(2000):
        try:
            content_ok = record.seq == expected and record.hash == compute_hash(record)
        except ValueError:
            content_ok = False
        if not content_ok or record.prev_hash != prev_hash:
            raise _SegmentError(AuditProblem(stream, expected, record.pk, "altered", (
                "not sealed: the record does not verify against the chain before it; "
                "run tongban audit verify"
            )))  # fmt: skip
        hashes.append(record.hash)
        prev_hash = record.hash
        expected += 1
    if expected != head.seq + 1 or prev_hash != head.hash:
        raise _SegmentError(AuditProblem(stream, expected, None, "truncated", (
            "not sealed: the chain does not reach its head; run tongban audit verify"
        )))  # fmt: skip
    return hashes


class _SegmentError(Exception):
    def __init__(self, problem: AuditProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def seal_stream(stream: str) -> AuditSeal | None:
    """Seal the records of ``stream`` appended since its last seal; return the new seal.

    Returns ``None`` when there is nothing new, or when another sealer wrote the same seal
    at the same moment (the unique ranges make that safe). Raises ``_SegmentError`` when
    the new records do not verify: a seal never vouches for a broken chain.
    """
    from tongban.core import crypto

    last = AuditSeal.objects.filter(stream=stream).order_by("-seq").first()
    from_seq = last.seq + 1 if last else 1
    head = AuditStreamHead.objects.filter(stream=stream).first()
    if head is None or head.seq < from_seq:
        return None
    hashes = _segment(stream, from_seq, head, last.head_hash if last else GENESIS)
    sealed_at = timezone.now()
    signature = crypto.sign(
        KeyPurpose.AUDIT_SEAL, seal_payload(stream, from_seq, head.seq, hashes, sealed_at)
    )
    try:
        with transaction.atomic():
            return AuditSeal.objects.create(
                stream=stream,
                from_seq=from_seq,
                seq=head.seq,
                head_hash=head.hash,
                record_hashes=" ".join(hashes),
                sealed_at=sealed_at,
                signature=str(signature),
                key_id=signature.key_id,
                signature_alg=signature.alg,
            )
    except IntegrityError:  # another worker sealed this stream in the meantime
        return None


def seal_streams() -> SealRun:
    """Seal every stream whose head moved since its last seal (idempotent; safe to run
    in several workers at once). Streams whose new records do not verify are not sealed
    and are listed in ``SealRun.problems``."""
    from tongban.core import crypto

    # Make the seal key first (its creation is itself audited), so this run seals that
    # record too instead of leaving it for the next run.
    crypto.active_key(KeyPurpose.AUDIT_SEAL)
    run = SealRun()
    for stream in AuditStreamHead.objects.order_by("stream").values_list("stream", flat=True):
        try:
            seal = seal_stream(stream)
        except _SegmentError as exc:
            run.problems.append(exc.problem)
            continue
        if seal is None:
            run.unchanged.append(stream)
        else:
            run.sealed.append(seal)
    return run


class _SealWalk:
    """The seals of one stream, in order, each checked as it is reached.

    ``expected(seq)`` is the hash a valid seal vouches for at ``seq`` (and the seal), or
    ``None``. Seals that do not verify vouch for nothing and are kept in ``problems``.
    Only one seal's hashes are held at a time.
    """

    def __init__(self, stream: str) -> None:
        from tongban.core import crypto

        self._verify = crypto.verify
        self.stream = stream
        self.problems: list[AuditProblem] = []
        self.sealed_up_to = 0  # the highest sequence number a valid seal vouches for
        self.last_valid: AuditSeal | None = None
        self._seals = AuditSeal.objects.filter(stream=stream).order_by("seq").iterator(100)
        self._next_from = 1
        self._current: AuditSeal | None = None
        self._hashes: list[str] = []
        self._done = False

    def _bad(self, seal: AuditSeal, detail: str) -> None:
        self.problems.append(
            AuditProblem(self.stream, seal.seq, None, "bad-seal", f"{_seal_label(seal)} {detail}")
        )

    def _check(self, seal: AuditSeal) -> list[str] | None:
        if seal.from_seq != self._next_from:
            self._bad(seal, (
                f"covers sequence {seal.from_seq}..{seal.seq} but the seal before it ended at "
                f"{self._next_from - 1}: a seal is missing"
            ))  # fmt: skip
        self._next_from = seal.seq + 1
        hashes = seal.record_hashes.split()
        payload = seal_payload(self.stream, seal.from_seq, seal.seq, hashes, seal.sealed_at)
        well_formed = (
            len(hashes) == seal.seq - seal.from_seq + 1
            and hashes[-1:] == [seal.head_hash]
            and seal.signature.split(".")[:2] == [seal.signature_alg, seal.key_id]
        )
        if not (well_formed and self._verify(KeyPurpose.AUDIT_SEAL, payload, seal.signature)):
            self._bad(seal, "does not verify: its signature or its content was changed")
            return None
        self.sealed_up_to = max(self.sealed_up_to, seal.seq)
        self.last_valid = seal
        return hashes

    def expected(self, seq: int) -> tuple[str, AuditSeal] | None:
        while not self._done and (self._current is None or self._current.seq < seq):
            seal = next(self._seals, None)
            if seal is None:
                self._done, self._current, self._hashes = True, None, []
                break
            hashes = self._check(seal)
            self._current, self._hashes = (seal, hashes) if hashes is not None else (None, [])
        seal = self._current
        if seal is None or not seal.from_seq <= seq <= seal.seq:
            return None
        return self._hashes[seq - seal.from_seq], seal

    def finish(self) -> None:
        """Check the remaining seals (those past the end of the chain)."""
        self.expected(2**63)


def _chain_problem(
    stream: str, head: AuditStreamHead | None, seals: _SealWalk
) -> AuditProblem | None:
    expected_seq = 1
    prev_hash = GENESIS
    last_id: int | None = None
    beyond_head_id: int | None = None
    rows = AuditRecord.objects.filter(stream=stream).order_by("seq", "id").iterator(2000)
    for record in rows:
        if record.seq != expected_seq:
            kind = "missing" if record.seq > expected_seq else "duplicate"
            detail = f"expected sequence {expected_seq}, found {record.seq}"
            return AuditProblem(stream, expected_seq, record.pk, kind, detail)
        try:
            expected_hash = compute_hash(record)
        except ValueError:  # an unknown ``alg``: the row was changed outside record_audit
            expected_hash = None
        if record.hash != expected_hash:
            detail = "stored hash does not match the record's content"
            return AuditProblem(stream, record.seq, record.pk, "altered", detail)
        sealed = seals.expected(record.seq)
        if sealed is not None and sealed[0] != record.hash:
            # Content and hash agree, so the hash was recomputed: this record (and every
            # later one) was rewritten after the seal vouched for it.
            detail = f"hash differs from the one {_seal_label(sealed[1])} vouches for"
            return AuditProblem(stream, record.seq, record.pk, "altered", detail)
        if record.prev_hash != prev_hash:
            detail = "previous hash does not match the record before it"
            return AuditProblem(stream, record.seq, record.pk, "broken-link", detail)
        prev_hash = record.hash
        last_id = record.pk
        if head is not None and record.seq == head.seq + 1:
            beyond_head_id = record.pk
        expected_seq += 1
    last = expected_seq - 1
    seals.finish()
    if head is None:
        if last:
            return AuditProblem(stream, last, None, "orphan", "stream has no head")
        if seals.last_valid is not None:
            detail = f"{_seal_label(seals.last_valid)} vouches for records the chain lacks"
            return AuditProblem(stream, 1, None, "truncated", detail)
        return None
    if head.seq == last and last and head.hash != prev_hash:
        # The last record was rewritten with a recomputed hash: the head still holds the
        # hash it had when it was appended.
        detail = "the last record's hash differs from the one its stream head recorded"
        return AuditProblem(stream, last, last_id, "altered", detail)
    if head.seq < last:
        # Rows added with raw SQL: record_audit always moves the head with the record.
        detail = f"head records sequence {head.seq}, the chain goes on to {last}"
        return AuditProblem(stream, head.seq + 1, beyond_head_id, "beyond-head", detail)
    if head.seq > last:
        detail = f"head records sequence {head.seq}, the chain ends at {last}"
        return AuditProblem(stream, last + 1, None, "truncated", detail)
    if seals.sealed_up_to > last and seals.last_valid is not None:
        # The tail and the head were both cut back: the seal still knows how far it went.
        detail = (
            f"{_seal_label(seals.last_valid)} vouches for sequence {seals.sealed_up_to}, "
            f"the chain ends at {last}"
        )
        return AuditProblem(stream, last + 1, None, "truncated", detail)
    return None


def _stream_problem(stream: str, head: AuditStreamHead | None) -> AuditProblem | None:
    seals = _SealWalk(stream)
    found = _chain_problem(stream, head, seals)
    # The earliest problem wins; on a tie the record's own problem is more precise.
    candidates = ([found] if found else []) + seals.problems
    return min(candidates, key=lambda p: p.seq) if candidates else None


def verify() -> list[AuditProblem]:
    """Check every stream and its seals; return the first problem of each stream (empty
    when intact)."""
    heads = {h.stream: h for h in AuditStreamHead.objects.all()}
    streams = set(heads) | set(AuditRecord.objects.values_list("stream", flat=True).distinct())
    streams |= set(AuditSeal.objects.values_list("stream", flat=True).distinct())
    problems: list[AuditProblem] = []
    for stream in sorted(streams):
        problem = _stream_problem(stream, heads.get(stream))
        if problem is not None:
            problems.append(problem)
    return problems


def count_records() -> int:
    return AuditRecord.objects.count()


def count_seals() -> int:
    return AuditSeal.objects.count()


# --- append-only in the database ---------------------------------------------------------

_MAINTENANCE = "tongban_audit_maintenance"


def _register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give an SQLite connection ``tongban_audit_maintenance()``, which the append-only
    triggers call before a DELETE: 1 only inside ``audit_maintenance`` on this connection."""
    if connection.vendor != "sqlite" or connection.connection is None:
        return
    wrapper = connection
    connection.connection.create_function(
        _MAINTENANCE, 0, lambda: 1 if getattr(wrapper, _MAINTENANCE, False) else 0
    )


connection_created.connect(_register_sqlite_function, dispatch_uid="tongban.core.audit.sqlite")


@contextmanager
def audit_maintenance(using: str = "default") -> Iterator[None]:
    """Let this connection empty the audit tables while inside (development and tests only).

    The append-only triggers then let SQLite's ``DELETE FROM`` and PostgreSQL's
    ``TRUNCATE`` through; UPDATE and a PostgreSQL row DELETE stay refused. Used by the
    ``flush`` command, which Django's transactional tests run after each test. Raises
    ``RuntimeError`` outside DEBUG and tests: nobody deletes the audit trail of a live site.
    """
    if not (settings.DEBUG or getattr(settings, "TESTING", False)):
        raise RuntimeError("the audit trail can be emptied only in development and tests")
    conn = connections[using]
    conn.ensure_connection()
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT set_config('tongban.audit_maintenance', 'on', false)")
        try:
            yield
        finally:
            with conn.cursor() as cursor:
                cursor.execute("SELECT set_config('tongban.audit_maintenance', 'off', false)")
        return
    _register_sqlite_function(None, conn)
    setattr(conn, _MAINTENANCE, True)
    try:
        yield
    finally:
        setattr(conn, _MAINTENANCE, False)
