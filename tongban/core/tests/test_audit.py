"""The audit chain: appending, verifying, and every kind of tampering being named.

Tampering is done the way an attacker with the database owner's rights would do it: drop
the append-only triggers (``guard_lifted``), then raw SQL that bypasses the ORM's guard.
That the triggers refuse the same statements otherwise is proved in
``test_audit_append_only.py``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tongban.core.audit import GENESIS, AuditProblem, compute_hash, record_audit, verify
from tongban.core.models import AppendOnlyError, AuditRecord, AuditStreamHead

pytestmark = pytest.mark.django_db

TABLE = AuditRecord._meta.db_table
_APPEND_ONLY = importlib.import_module("tongban.core.migrations.0004_audit_seal_append_only")


@contextmanager
def guard_lifted() -> Iterator[None]:
    """Drop the append-only triggers while inside (as a database owner could), then put
    them back. Inside a test's transaction the drop is also rolled back at its end."""
    create, drop = _APPEND_ONLY.SQL[connection.vendor]
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in create:
                cursor.execute(statement)


def _sql(sql: str, params: list[object]) -> None:
    """Tamper with the audit table as an attacker with the owner's rights."""
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(sql.replace("{t}", connection.ops.quote_name(TABLE)), params)


def _chain(n: int, stream: str = "demo") -> list[AuditRecord]:
    return [
        record_audit(None, f"{stream}.thing.touched", meta={"step": i, "fields": ["name"]})
        for i in range(n)
    ]


def _only_problem(stream: str = "demo") -> AuditProblem:
    problems = [p for p in verify() if p.stream == stream]
    assert len(problems) == 1, problems
    return problems[0]


def _reference_hash(record: AuditRecord) -> str:
    """The record's hash re-derived here, independently of tongban.core.audit."""
    payload = [
        record.stream,
        record.seq,
        record.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        record.actor_id,
        record.actor_label,
        record.action,
        record.object_type,
        record.object_id,
        record.meta,
        record.prev_hash,
    ]
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- appending ---------------------------------------------------------------------------


def test_records_chain_per_stream(admin_user, department_a):
    a1 = record_audit(admin_user, "org.department.updated", department_a, meta={"fields": ["x"]})
    b1 = record_audit(None, "catalog.item.published", object_type="catalog.item", object_id="7")
    a2 = record_audit(admin_user, "org.department.updated", department_a)

    assert (a1.stream, a1.seq, a1.prev_hash) == ("org", 1, GENESIS)
    assert (a2.stream, a2.seq, a2.prev_hash) == ("org", 2, a1.hash)
    # A second stream starts its own chain: writers of different modules never share a lock.
    assert (b1.stream, b1.seq, b1.prev_hash) == ("catalog", 1, GENESIS)
    assert a1.object_type == "org.department" and a1.object_id == str(department_a.pk)
    assert a1.actor_id == admin_user.pk and a1.actor_label == "admin"
    assert b1.actor_id is None and b1.actor_label == "system"
    heads = {h.stream: (h.seq, h.hash) for h in AuditStreamHead.objects.all()}
    assert heads == {"org": (2, a2.hash), "catalog": (1, b1.hash)}


def test_stored_hash_matches_an_independent_derivation():
    records = _chain(3)
    for stored in AuditRecord.objects.filter(pk__in=[r.pk for r in records]):
        assert stored.hash == _reference_hash(stored)
        assert stored.hash == compute_hash(stored)


def test_explicit_stream_overrides_the_action_prefix():
    record = record_audit(None, "accounts.user.login", stream="security")
    assert record.stream == "security" and record.seq == 1


def test_anonymous_actor_is_labelled():
    from django.contrib.auth.models import AnonymousUser

    record = record_audit(AnonymousUser(), "portal.search.run")
    assert record.actor_id is None and record.actor_label == "anonymous"


def test_verify_is_empty_on_intact_chains():
    _chain(5)
    _chain(3, stream="other")
    assert verify() == []


def test_verify_is_empty_with_no_records():
    assert verify() == []


def test_records_roll_back_with_the_callers_transaction():
    _chain(1)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        record_audit(None, "demo.thing.touched")
        record_audit(None, "demo.thing.touched")
        raise Boom

    assert AuditRecord.objects.filter(stream="demo").count() == 1
    assert AuditStreamHead.objects.get(stream="demo").seq == 1
    assert verify() == []
    # The next record continues the chain where the committed part ended.
    nxt = record_audit(None, "demo.thing.touched")
    assert nxt.seq == 2
    assert verify() == []


# --- the ORM guard -----------------------------------------------------------------------


def test_orm_refuses_to_change_a_saved_record():
    record = _chain(1)[0]
    record.action = "demo.thing.forged"
    with pytest.raises(AppendOnlyError):
        record.save()
    assert AuditRecord.objects.get(pk=record.pk).action == "demo.thing.touched"


def test_orm_refuses_to_delete_a_record():
    record = _chain(1)[0]
    with pytest.raises(AppendOnlyError):
        record.delete()
    assert AuditRecord.objects.filter(pk=record.pk).exists()


# --- tampering, each named at the right record -------------------------------------------


def test_edited_meta_is_named_as_altered():
    records = _chain(5)
    _sql("UPDATE {t} SET meta = %s WHERE id = %s", ['{"step": 99}', records[2].pk])
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 3, records[2].pk)
    assert f"record id {records[2].pk}" in str(problem)


def test_edited_action_is_named_as_altered():
    records = _chain(4)
    _sql("UPDATE {t} SET action = %s WHERE id = %s", ["demo.thing.innocent", records[0].pk])
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 1, records[0].pk)


def test_unknown_hash_algorithm_is_reported_not_raised():
    records = _chain(3)
    _sql("UPDATE {t} SET alg = %s WHERE id = %s", ["md5", records[1].pk])
    problem = _only_problem()
    assert (problem.kind, problem.record_id) == ("altered", records[1].pk)


def test_deleted_middle_record_is_named_as_missing():
    records = _chain(5)
    _sql("DELETE FROM {t} WHERE id = %s", [records[2].pk])
    problem = _only_problem()
    assert (problem.kind, problem.seq) == ("missing", 3)
    # It points at the record found where seq 3 should have been.
    assert problem.record_id == records[3].pk


def test_deleted_first_record_is_named_as_missing():
    records = _chain(3)
    _sql("DELETE FROM {t} WHERE id = %s", [records[0].pk])
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("missing", 1, records[1].pk)


def test_swapped_content_of_two_records_is_detected():
    records = _chain(5)
    a, b = records[1], records[3]
    # Swap everything but id and seq: each row keeps its place but holds the other's data.
    for target, source in ((a, b), (b, a)):
        _sql(
            "UPDATE {t} SET action = %s, meta = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [source.action, json.dumps(source.meta), source.prev_hash, source.hash, target.pk],
        )
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 2, a.pk)


def test_reordered_sequence_numbers_are_detected():
    records = _chain(5)
    a, b = records[1], records[2]  # seq 2 and 3 trade places
    _sql("UPDATE {t} SET seq = %s WHERE id = %s", [1000, a.pk])
    _sql("UPDATE {t} SET seq = %s WHERE id = %s", [2, b.pk])
    _sql("UPDATE {t} SET seq = %s WHERE id = %s", [3, a.pk])
    problem = _only_problem()
    # The record now at seq 2 was hashed as seq 3.
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 2, b.pk)


def test_deleted_tail_is_named_as_truncated():
    records = _chain(5)
    _sql("DELETE FROM {t} WHERE id IN (%s, %s)", [records[3].pk, records[4].pk])
    problem = _only_problem()
    assert (problem.kind, problem.seq) == ("truncated", 4)
    assert "head records sequence 5" in problem.detail and "ends at 3" in problem.detail


def test_deleting_the_whole_stream_leaves_a_truncated_head():
    records = _chain(2)
    _sql("DELETE FROM {t} WHERE id IN (%s, %s)", [records[0].pk, records[1].pk])
    assert (_only_problem().kind, _only_problem().seq) == ("truncated", 1)


def test_rewritten_last_record_with_recomputed_hash_is_altered():
    records = _chain(3)
    last = AuditRecord.objects.get(pk=records[2].pk)
    last.meta = {"step": "forged"}
    forged_hash = compute_hash(last)
    _sql(
        "UPDATE {t} SET meta = %s, hash = %s WHERE id = %s",
        [json.dumps(last.meta), forged_hash, last.pk],
    )
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 3, last.pk)


def test_rewritten_middle_record_with_recomputed_hash_breaks_the_next_link():
    records = _chain(4)
    middle = AuditRecord.objects.get(pk=records[1].pk)
    middle.meta = {"step": "forged"}
    _sql(
        "UPDATE {t} SET meta = %s, hash = %s WHERE id = %s",
        [json.dumps(middle.meta), compute_hash(middle), middle.pk],
    )
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("broken-link", 3, records[2].pk)


def test_forged_record_with_recomputed_hash_and_wrong_link_is_named():
    records = _chain(4)
    _sql("DELETE FROM {t} WHERE id = %s", [records[2].pk])
    original = records[2]
    forged = AuditRecord(
        stream="demo",
        seq=3,
        occurred_at=original.occurred_at,
        actor_id=None,
        actor_label="system",
        action="demo.thing.forged",
        meta={},
        prev_hash="f" * 64,  # not the hash of record 2
    )
    forged.hash = compute_hash(forged)  # internally consistent
    forged.save()  # a new row: the ORM guard only refuses changes to saved rows
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("broken-link", 3, forged.pk)


def test_appended_forgery_past_the_head_is_named():
    records = _chain(2)
    forged = AuditRecord(
        stream="demo",
        seq=3,
        occurred_at=records[1].occurred_at,
        actor_label="system",
        action="demo.thing.forged",
        prev_hash=records[1].hash,  # links correctly, but the head was not moved
    )
    forged.hash = compute_hash(forged)
    forged.save()
    problem = _only_problem()
    assert (problem.kind, problem.seq, problem.record_id) == ("beyond-head", 3, forged.pk)


def test_records_without_a_head_are_orphans():
    _chain(2)
    with guard_lifted():
        AuditStreamHead.objects.filter(stream="demo").delete()
    problem = _only_problem()
    assert (problem.kind, problem.seq) == ("orphan", 2)


def test_each_stream_reports_its_own_first_problem():
    demo = _chain(4)
    other = _chain(3, stream="other")
    _chain(2, stream="fine")
    _sql("UPDATE {t} SET action = %s WHERE id IN (%s, %s)", ["x.y.z", demo[1].pk, demo[3].pk])
    _sql("DELETE FROM {t} WHERE id = %s", [other[2].pk])
    problems = {p.stream: p for p in verify()}
    assert set(problems) == {"demo", "other"}
    assert (problems["demo"].kind, problems["demo"].record_id) == ("altered", demo[1].pk)
    assert (problems["other"].kind, problems["other"].seq) == ("truncated", 3)


# --- the command -------------------------------------------------------------------------


def test_command_verify_ok():
    _chain(3)
    _chain(2, stream="other")
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "OK: 5 records in 2 streams, 0 seals"


def test_command_verify_ok_on_empty_trail():
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "OK: 0 records in 0 streams, 0 seals"


def test_command_verify_names_the_bad_record_and_exits_1():
    records = _chain(4)
    _chain(2, stream="other")
    _sql("UPDATE {t} SET meta = %s WHERE id = %s", ['{"step": 7}', records[1].pk])
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert exc.value.code == 1
    assert "OK" not in out.getvalue()
    lines = [line for line in err.getvalue().splitlines() if line.startswith("FAIL")]
    assert lines == [
        f"FAIL: stream 'demo' seq 2 (record id {records[1].pk}): altered: "
        "stored hash does not match the record's content"
    ]


def test_command_tail_lists_recent_records_oldest_first():
    _chain(5)
    record_audit(None, "other.thing.made", object_type="other.thing", object_id="42")
    out = StringIO()
    call_command("audit", "tail", "-n", "3", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 3
    assert "demo#4" in lines[0] and "demo#5" in lines[1]
    assert "other#1 system other.thing.made other.thing:42 {}" in lines[2]


def test_command_tail_filters_by_stream_and_defaults_to_20():
    _chain(25)
    _chain(1, stream="other")
    out = StringIO()
    call_command("audit", "tail", "--stream", "demo", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 20
    assert all(" demo#" in line for line in lines)
    assert "demo#25" in lines[-1] and "demo#6 " in lines[0]


def test_command_tail_on_empty_trail():
    out = StringIO()
    call_command("audit", "tail", stdout=out)
    assert out.getvalue().strip() == "No audit records."
