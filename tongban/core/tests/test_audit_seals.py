"""The audit chain under both crypto suites, and its signed seals.

The decisive case: an attacker with the database owner's rights rewrites a record and
recomputes every later hash and the stream head. The chain alone cannot see that; a seal
made before the rewrite names the rewritten record.
"""

from __future__ import annotations

import json
from datetime import UTC
from io import StringIO

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.management import call_command
from django.db import connection

from tongban.core import crypto
from tongban.core.audit import (
    compute_hash,
    record_audit,
    seal_payload,
    seal_stream,
    seal_streams,
    verify,
)
from tongban.core.models import AuditRecord, AuditSeal, AuditStreamHead, KeyStatus
from tongban.core.tasks import seal_audit_chain
from tongban.core.tests.test_audit import guard_lifted

pytestmark = pytest.mark.django_db


def _q(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _chain(n: int, stream: str = "demo") -> list[AuditRecord]:
    return [record_audit(None, f"{stream}.thing.touched", meta={"step": i}) for i in range(n)]


def _problems(stream: str = "demo") -> list:
    return [p for p in verify() if p.stream == stream]


def _independent_hash(record: AuditRecord, algorithm: hashes.HashAlgorithm) -> str:
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
    digest = hashes.Hash(algorithm)
    digest.update(text.encode())
    return digest.finalize().hex()


def _rewrite_and_recompute(stream: str, seq: int, meta: dict) -> None:
    """Forge a consistent chain: change record ``seq``, recompute its hash, every later
    link and hash, and the stream head (all with the owner's rights)."""
    records = list(AuditRecord.objects.filter(stream=stream).order_by("seq"))
    prev = ""
    with guard_lifted(), connection.cursor() as cursor:
        for record in records:
            if record.seq < seq:
                prev = record.hash
                continue
            if record.seq == seq:
                record.meta = meta
            else:
                record.prev_hash = prev
            record.hash = compute_hash(record)
            cursor.execute(
                f"UPDATE {_q(AuditRecord)} SET meta = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                [json.dumps(record.meta), record.prev_hash, record.hash, record.pk],
            )
            prev = record.hash
        cursor.execute(
            f"UPDATE {_q(AuditStreamHead)} SET hash = %s WHERE stream = %s",  # noqa: S608
            [prev, stream],
        )


# --- the configured suite's hash ---------------------------------------------------------


@pytest.mark.parametrize(
    ("suite", "alg", "algorithm"),
    [("intl", "sha256", hashes.SHA256()), ("gm", "sm3", hashes.SM3())],
)
def test_new_records_hash_with_the_configured_suite(settings, suite, alg, algorithm):
    settings.TONGBAN_CRYPTO_SUITE = suite
    records = _chain(2)
    for stored in AuditRecord.objects.filter(pk__in=[r.pk for r in records]):
        assert stored.alg == alg
        assert stored.hash == _independent_hash(stored, algorithm)
    assert verify() == []


def test_a_chain_spanning_a_suite_change_verifies_and_stays_tamper_evident(settings):
    settings.TONGBAN_CRYPTO_SUITE = "intl"
    _chain(2)
    settings.TONGBAN_CRYPTO_SUITE = "gm"
    later = _chain(2)
    settings.TONGBAN_CRYPTO_SUITE = "intl"  # verifying does not depend on the current suite
    algs = list(AuditRecord.objects.filter(stream="demo").order_by("seq").values_list("alg"))
    assert algs == [("sha256",), ("sha256",), ("sm3",), ("sm3",)]
    assert verify() == []

    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_q(AuditRecord)} SET meta = %s WHERE id = %s",  # noqa: S608
            ['{"step": 9}', later[0].pk],
        )
    [problem] = _problems()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 3, later[0].pk)


def test_an_sm3_record_relabelled_sha256_is_altered(settings):
    settings.TONGBAN_CRYPTO_SUITE = "gm"
    records = _chain(2)
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_q(AuditRecord)} SET alg = %s WHERE id = %s",  # noqa: S608
            ["sha256", records[0].pk],
        )
    [problem] = _problems()
    assert (problem.kind, problem.record_id) == ("altered", records[0].pk)


# --- sealing -----------------------------------------------------------------------------


def test_seal_signs_every_moved_stream_once():
    demo, other = _chain(3), _chain(2, stream="other")

    first = seal_streams()

    by_stream = {seal.stream: seal for seal in first.sealed}
    # "crypto": the seal key was made (and audited) on first use, in time to be sealed.
    assert set(by_stream) == {"demo", "other", "crypto"} and not first.problems
    seal = by_stream["demo"]
    assert (seal.from_seq, seal.seq, seal.head_hash) == (1, 3, demo[-1].hash)
    assert seal.record_hashes.split() == [r.hash for r in demo]
    key = crypto.active_key("audit-seal")
    assert (seal.key_id, seal.signature_alg) == (key.key_id, "ed25519")
    payload = seal_payload("demo", 1, 3, [r.hash for r in demo], seal.sealed_at)
    assert crypto.verify("audit-seal", payload, seal.signature)
    assert not crypto.verify("audit-seal", payload.replace(b"demo", b"dem0"), seal.signature)
    assert by_stream["other"].head_hash == other[-1].hash

    again = seal_streams()  # nothing moved: nothing new
    assert again.sealed == [] and sorted(again.unchanged) == ["crypto", "demo", "other"]

    more = _chain(2)
    third = seal_streams()
    assert [(s.stream, s.from_seq, s.seq, s.head_hash) for s in third.sealed] == [
        ("demo", 4, 5, more[-1].hash)
    ]
    assert AuditSeal.objects.count() == 4
    assert verify() == []


def test_a_racing_sealer_writes_nothing(monkeypatch):
    _chain(3)
    crypto.active_key("audit-seal")
    real_sign = crypto.sign
    raced: list[object] = []

    def sign_while_another_worker_seals(purpose, data, department=None):
        if not raced:  # the other worker seals the same head between our read and write
            raced.append("racing")
            raced.append(seal_stream("demo"))
        return real_sign(purpose, data, department)

    monkeypatch.setattr(crypto, "sign", sign_while_another_worker_seals)

    assert seal_stream("demo") is None
    assert isinstance(raced[1], AuditSeal)
    assert list(AuditSeal.objects.filter(stream="demo").values_list("from_seq", "seq")) == [(1, 3)]
    assert verify() == []


def test_seal_refuses_to_vouch_for_a_broken_chain():
    records = _chain(3)
    _chain(1, stream="fine")
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_q(AuditRecord)} SET action = %s WHERE id = %s",  # noqa: S608
            ["demo.thing.forged", records[1].pk],
        )
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "seal", stdout=out, stderr=err)
    assert exc.value.code == 1
    assert not AuditSeal.objects.filter(stream="demo").exists()
    assert AuditSeal.objects.filter(stream="fine").exists()
    assert f"FAIL: stream 'demo' seq 2 (record id {records[1].pk}): altered: not sealed" in (
        err.getvalue()
    )


def test_worker_task_seals_and_is_idempotent():
    _chain(2)
    result = seal_audit_chain.enqueue()
    assert "demo:1-2" in result.return_value["sealed"]
    assert result.return_value["problems"] == []
    assert seal_audit_chain.enqueue().return_value == {"sealed": [], "problems": []}


def test_command_seal_and_verify_report_seals():
    _chain(2)
    out = StringIO()
    call_command("audit", "seal", stdout=out)
    key = crypto.active_key("audit-seal").key_id
    assert f"sealed demo 1..2 with key {key} (ed25519)" in out.getvalue()
    assert "OK: 2 stream(s) sealed, 0 unchanged" in out.getvalue()  # demo and crypto
    quiet = StringIO()
    call_command("audit", "seal", "--quiet", stdout=quiet)
    assert quiet.getvalue() == ""
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "OK: 3 records in 2 streams, 2 seals"


# --- what a seal catches -----------------------------------------------------------------


@pytest.mark.parametrize("sealed", [False, True], ids=["without-seal", "with-seal"])
def test_rewritten_record_with_a_recomputed_chain_is_named_only_with_a_seal(sealed):
    records = _chain(5)
    if sealed:
        seal_streams()

    _rewrite_and_recompute("demo", 3, {"step": "forged"})

    if not sealed:
        assert verify() == []  # internally consistent: the chain alone cannot tell
        return
    [problem] = _problems()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 3, records[2].pk)
    seal = AuditSeal.objects.get(stream="demo")
    assert f"seal {seal.pk} of " in problem.detail and seal.key_id in problem.detail
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert f"FAIL: stream 'demo' seq 3 (record id {records[2].pk}): altered: " in err.getvalue()


def test_the_first_changed_record_of_an_older_seal_is_named():
    records = _chain(3)
    seal_streams()
    records += _chain(3)
    seal_streams()
    records += _chain(2)  # not sealed yet

    _rewrite_and_recompute("demo", 2, {"step": "forged"})

    [problem] = _problems()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 2, records[1].pk)


def test_seals_made_with_a_rotated_and_retired_key_still_verify(settings):
    _chain(2)
    seal_streams()
    old = crypto.active_key("audit-seal")
    crypto.rotate("audit-seal", actor=None)
    _chain(2)
    settings.TONGBAN_CRYPTO_SUITE = "gm"  # a suite change makes a new key as well
    records = _chain(2)
    seal_streams()

    seals = list(AuditSeal.objects.filter(stream="demo").order_by("seq"))
    assert [(s.from_seq, s.seq, s.signature_alg) for s in seals] == [
        (1, 2, "ed25519"),
        (3, 6, "sm2-sm3"),
    ]
    assert crypto.get_key(old.key_id).status == KeyStatus.RETIRED
    assert seals[0].key_id == old.key_id != seals[1].key_id
    assert verify() == []

    _rewrite_and_recompute("demo", 5, {"step": "forged"})
    [problem] = _problems()
    assert (problem.kind, problem.seq, problem.record_id) == ("altered", 5, records[0].pk)


def test_a_seal_rewritten_to_match_a_forged_chain_does_not_verify():
    _chain(4)
    seal_streams()
    _rewrite_and_recompute("demo", 2, {"step": "forged"})
    forged = list(AuditRecord.objects.filter(stream="demo").order_by("seq"))
    seal = AuditSeal.objects.get(stream="demo")
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_q(AuditSeal)} SET record_hashes = %s, head_hash = %s WHERE id = %s",  # noqa: S608
            [" ".join(r.hash for r in forged), forged[-1].hash, seal.pk],
        )
    [problem] = _problems()
    assert (problem.kind, problem.seq, problem.record_id) == ("bad-seal", 4, None)
    assert "does not verify" in problem.detail and seal.key_id in problem.detail


def test_a_seal_signed_with_an_unknown_key_does_not_verify():
    _chain(2)
    seal_streams()
    seal = AuditSeal.objects.get(stream="demo")
    alg, _key_id, value = seal.signature.split(".")
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_q(AuditSeal)} SET signature = %s, key_id = %s WHERE id = %s",  # noqa: S608
            [f"{alg}.attackerkey.{value}", "attackerkey", seal.pk],
        )
    [problem] = _problems()
    assert problem.kind == "bad-seal"


def test_a_deleted_seal_is_named():
    for _ in range(3):
        _chain(2)
        seal_streams()
    middle = AuditSeal.objects.get(stream="demo", from_seq=3)
    with guard_lifted():
        AuditSeal.objects.filter(pk=middle.pk).delete()
    [problem] = _problems()
    assert (problem.kind, problem.seq) == ("bad-seal", 6)
    assert "a seal is missing" in problem.detail and "ended at 2" in problem.detail


def test_a_tail_cut_together_with_its_head_is_caught_by_the_seal():
    records = _chain(5)
    seal_streams()
    with guard_lifted(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_q(AuditRecord)} WHERE id IN (%s, %s)",  # noqa: S608
            [records[3].pk, records[4].pk],
        )
        cursor.execute(
            f"UPDATE {_q(AuditStreamHead)} SET seq = %s, hash = %s WHERE stream = %s",  # noqa: S608
            [3, records[2].hash, "demo"],
        )
    [problem] = _problems()
    assert (problem.kind, problem.seq) == ("truncated", 4)
    assert "vouches for sequence 5, the chain ends at 3" in problem.detail


def test_a_whole_stream_deleted_with_its_head_is_caught_by_the_seal():
    _chain(2)
    seal_streams()
    with guard_lifted():
        AuditRecord.objects.filter(stream="demo")._raw_delete(connection.alias)
        AuditStreamHead.objects.filter(stream="demo").delete()
    [problem] = _problems()
    assert (problem.kind, problem.seq) == ("truncated", 1)
