"""The audit tables are append-only in the database itself, not only in the ORM.

Queryset ``update()``/``delete()`` and raw SQL bypass the models' guards; the triggers of
migration core.0004 refuse them on SQLite and PostgreSQL alike. Emptying whole tables is
possible only under ``audit_maintenance`` (the test flush), never on a live site.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from tongban.core.audit import audit_maintenance, record_audit, seal_streams, verify
from tongban.core.models import AuditRecord, AuditSeal, AuditStreamHead

pytestmark = pytest.mark.django_db


def _q(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _refused(sql: str, params: list[object] | None = None) -> str:
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(exc.value)


@pytest.fixture
def sealed_chain() -> list[AuditRecord]:
    records = [record_audit(None, "demo.thing.touched", meta={"step": i}) for i in range(3)]
    seal_streams()
    return records


def _unchanged(records: list[AuditRecord]) -> None:
    stored = list(AuditRecord.objects.filter(stream="demo").order_by("seq"))
    assert [(r.pk, r.action, r.meta, r.hash) for r in stored] == [
        (r.pk, r.action, r.meta, r.hash) for r in records
    ]
    assert AuditStreamHead.objects.get(stream="demo").seq == len(records)
    assert AuditSeal.objects.filter(stream="demo").count() == 1
    assert verify() == []


def test_plain_update_and_delete_of_a_record_are_refused(sealed_chain):
    target = sealed_chain[1].pk
    message = _refused(f"UPDATE {_q(AuditRecord)} SET meta = %s WHERE id = %s", ["{}", target])  # noqa: S608
    assert "append-only" in message and "UPDATE" in message
    message = _refused(f"DELETE FROM {_q(AuditRecord)} WHERE id = %s", [target])  # noqa: S608
    assert "append-only" in message and "DELETE" in message
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.filter(pk=target).update(action="demo.thing.forged")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.filter(stream="demo").delete()
    _unchanged(sealed_chain)


def test_plain_update_and_delete_of_a_seal_are_refused(sealed_chain):
    seal = AuditSeal.objects.get(stream="demo")
    _refused(f"UPDATE {_q(AuditSeal)} SET head_hash = %s WHERE id = %s", ["0" * 64, seal.pk])  # noqa: S608
    _refused(f"DELETE FROM {_q(AuditSeal)} WHERE id = %s", [seal.pk])  # noqa: S608
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).update(seq=99)
    _unchanged(sealed_chain)


def test_a_stream_head_only_moves_forward(sealed_chain):
    heads = _q(AuditStreamHead)
    _refused(f"UPDATE {heads} SET seq = 2 WHERE stream = %s", ["demo"])  # noqa: S608
    _refused(f"UPDATE {heads} SET hash = %s WHERE stream = %s", ["f" * 64, "demo"])  # noqa: S608
    _refused(f"UPDATE {heads} SET stream = %s WHERE stream = %s", ["moved", "demo"])  # noqa: S608
    _refused(f"DELETE FROM {heads} WHERE stream = %s", ["demo"])  # noqa: S608
    _unchanged(sealed_chain)
    nxt = record_audit(None, "demo.thing.touched")  # appending still moves it forward
    assert AuditStreamHead.objects.get(stream="demo").seq == nxt.seq == 4


def test_emptying_a_whole_table_is_refused(sealed_chain):
    for model in (AuditRecord, AuditSeal, AuditStreamHead):
        statement = "TRUNCATE {}" if connection.vendor == "postgresql" else "DELETE FROM {}"
        _refused(statement.format(_q(model)))
    _unchanged(sealed_chain)


def test_maintenance_lets_whole_tables_be_emptied_but_never_updated(sealed_chain):
    with audit_maintenance():
        _refused(f"UPDATE {_q(AuditRecord)} SET action = %s", ["x.y.z"])  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            for model in (AuditRecord, AuditSeal, AuditStreamHead):
                if connection.vendor == "postgresql":
                    cursor.execute(f"TRUNCATE {_q(model)}")
                else:
                    cursor.execute(f"DELETE FROM {_q(model)}")  # noqa: S608
        assert not AuditRecord.objects.exists() and not AuditSeal.objects.exists()
    # Outside again: refused.
    record_audit(None, "demo.thing.touched")
    _refused(f"DELETE FROM {_q(AuditRecord)}")  # noqa: S608


def test_maintenance_and_flush_are_refused_on_a_live_site(settings, sealed_chain):
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(RuntimeError, match="only in development and tests"), audit_maintenance():
        pass
    with pytest.raises(CommandError, match="append-only audit trail"):
        call_command("flush", interactive=False, verbosity=0)
    _unchanged(sealed_chain)


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_empties_the_audit_tables():
    record_audit(None, "demo.thing.touched")
    seal_streams()
    assert AuditSeal.objects.exists()

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditRecord.objects.exists()
    assert not AuditSeal.objects.exists()
    assert not AuditStreamHead.objects.exists()
    # ... and the guard is back for everything after the flush.
    record_audit(None, "demo.thing.touched")
    _refused(f"DELETE FROM {_q(AuditRecord)}")  # noqa: S608
