"""Append-only, hash-chained audit trail.

``record_audit`` is called by every service function inside its transaction. ``verify``
walks every stream and returns the first problem it finds: an altered record (hash
mismatch), a missing or reordered one (sequence gap or broken link), a cut-off tail (the
stream head names a later record than the chain holds) or records appended behind the
head's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from tongban.core.models import AuditRecord, AuditStreamHead

GENESIS = "0" * 64


def _canonical(record: AuditRecord) -> bytes:
    occurred = record.occurred_at.astimezone(UTC)
    payload = [
        record.stream,
        int(record.seq),
        occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
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
    if record.alg != "sha256":
        raise ValueError(f"unknown audit hash algorithm {record.alg!r}")
    return hashlib.sha256(_canonical(record)).hexdigest()


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
    # "altered", "missing", "duplicate", "broken-link", "truncated", "beyond-head", "orphan"
    kind: str
    detail: str

    def __str__(self) -> str:
        rid = f" (record id {self.record_id})" if self.record_id is not None else ""
        return f"stream {self.stream!r} seq {self.seq}{rid}: {self.kind}: {self.detail}"


def _stream_problems(stream: str, head: AuditStreamHead | None) -> Iterator[AuditProblem]:
    expected_seq = 1
    prev_hash = GENESIS
    last_id: int | None = None
    beyond_head_id: int | None = None
    rows = AuditRecord.objects.filter(stream=stream).order_by("seq", "id").iterator(2000)
    for record in rows:
        if record.seq != expected_seq:
            kind = "missing" if record.seq > expected_seq else "duplicate"
            yield AuditProblem(
                stream,
                expected_seq,
                record.pk,
                kind,
                f"expected sequence {expected_seq}, found {record.seq}",
            )
            return
        try:
            expected_hash = compute_hash(record)
        except ValueError:  # an unknown ``alg``: the row was changed outside record_audit
            expected_hash = None
        if record.hash != expected_hash:
            yield AuditProblem(
                stream,
                record.seq,
                record.pk,
                "altered",
                "stored hash does not match the record's content",
            )
            return
        if record.prev_hash != prev_hash:
            yield AuditProblem(
                stream,
                record.seq,
                record.pk,
                "broken-link",
                "previous hash does not match the record before it",
            )
            return
        prev_hash = record.hash
        last_id = record.pk
        if head is not None and record.seq == head.seq + 1:
            beyond_head_id = record.pk
        expected_seq += 1
    last = expected_seq - 1
    if head is None:
        if last:
            yield AuditProblem(stream, last, None, "orphan", "stream has no head")
        return
    if head.seq == last and last and head.hash != prev_hash:
        # The last record was rewritten with a recomputed hash: the head still holds the
        # hash it had when it was appended.
        yield AuditProblem(
            stream,
            last,
            last_id,
            "altered",
            "the last record's hash differs from the one its stream head recorded",
        )
    elif head.seq < last:
        # Rows added with raw SQL: record_audit always moves the head with the record.
        yield AuditProblem(
            stream,
            head.seq + 1,
            beyond_head_id,
            "beyond-head",
            f"head records sequence {head.seq}, the chain goes on to {last}",
        )
    elif head.seq > last:
        yield AuditProblem(
            stream,
            last + 1,
            None,
            "truncated",
            f"head records sequence {head.seq}, the chain ends at {last}",
        )


def verify() -> list[AuditProblem]:
    """Check every stream; return the first problem of each stream (empty when intact)."""
    heads = {h.stream: h for h in AuditStreamHead.objects.all()}
    streams = set(heads) | set(AuditRecord.objects.values_list("stream", flat=True).distinct())
    problems: list[AuditProblem] = []
    for stream in sorted(streams):
        problems.extend(_stream_problems(stream, heads.get(stream)))
    return problems


def count_records() -> int:
    return AuditRecord.objects.count()
