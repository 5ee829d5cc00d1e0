"""The client against the real gateway (``/exchange/v1/``), in process, with a key issued by
``services.issue_member_key`` and the gateway's own key store, under both crypto suites:
answers, refusals with their codes, P5 with two requests in flight, and requester-side
evidence (P11; exported and verified in test_p11_evidence.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_resident_id
from tongban.core.crypto import keys as keystore
from tongban.core.models import AuditRecord
from tongban.exchange import bundle_verify, services
from tongban.exchange import client as client_module
from tongban.exchange.client import (
    DjangoTransport,
    ExchangeClient,
    ExchangeRefused,
    NodeGatewayKeys,
)
from tongban.exchange.evidence import public_keys_document
from tongban.exchange.models import DataRecord, ExchangeEvidence, Grant
from tongban.exchange.signing import (
    Originator,
    SignatureRefused,
    SigningKey,
    generate_signing_key,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver/exchange/v1/"
RESOURCE = "zs.ga.population"
PURPOSE = "企业登记核验"
ID_NUMBER = make_resident_id(seq=457)
OFFICIAL_A = Originator(department="scjg", official="official-a")


@dataclass
class Setup:
    world: Any
    key: SigningKey
    grant: Grant

    def client(self, *, keep_evidence: bool = False, originator=OFFICIAL_A) -> ExchangeClient:
        return ExchangeClient(
            BASE, self.key, originator, DjangoTransport(Client()), keep_evidence=keep_evidence
        )


@pytest.fixture(params=["intl", "gm"])
def setup(request: pytest.FixtureRequest, world, settings) -> Setup:
    settings.TONGBAN_CRYPTO_SUITE = request.param
    world.requester_official.clearance = 3
    world.requester_official.save()
    # Issued a minute ago: a signature's ``created`` is whole seconds, and a key issued in
    # the same second would be "not yet valid" at it (reported to the gateway's author).
    issued = services.issue_member_key(
        world.member, actor=None, now=timezone.now() - timedelta(minutes=1)
    )
    key = SigningKey.from_pem(issued.key.key_id, issued.private_pem, issued.key.algorithm)
    grant = Grant.objects.create(
        member=world.member,
        resource=world.resource,
        purpose=PURPOSE,
        legal_basis="《市场主体登记管理条例》第十二条",
        expires_at=timezone.now() + timedelta(days=30),
        rate_per_minute=50,
        rate_per_day=100,
    )
    grant.fields.set([world.name, world.id_number])
    DataRecord(
        resource=world.resource,
        key=ID_NUMBER,
        values=json.dumps({"person.name": "林小雨", "person.id_number": ID_NUMBER}),
        fingerprint="f",
    ).save()
    return Setup(world=world, key=key, grant=grant)


def test_a_granted_query_returns_the_released_fields_masked(setup: Setup):
    result = setup.client().query(
        RESOURCE, ["person.name", "person.id_number"], PURPOSE, ID_NUMBER.lower()
    )
    assert result.found and result.resource == RESOURCE
    assert result.record["person.name"] == "林小雨"
    assert result.masked == ("person.id_number",)
    assert result.record["person.id_number"] != ID_NUMBER
    assert result.record["person.id_number"][-4:] == ID_NUMBER[-4:]
    assert result.exchange_id.startswith("ex-")
    assert result.evidence is None  # not asked for: the gateway keeps its side only
    assert ExchangeEvidence.objects.filter(side="requester").count() == 0


def test_an_unknown_key_is_not_found(setup: Setup):
    result = setup.client().query(RESOURCE, ["person.name"], PURPOSE, make_resident_id(seq=999))
    assert (result.found, result.record) == (False, {})


@pytest.mark.parametrize(
    ("resource", "fields", "purpose", "status", "code", "field"),
    [
        (RESOURCE, ["person.record"], PURPOSE, 403, "not_shared", "person.record"),
        (RESOURCE, ["household.address"], PURPOSE, 403, "field_not_granted", "household.address"),
        (RESOURCE, ["person.id_number"], "别的用途", 403, "purpose_mismatch", ""),
        ("zs.nothing", ["person.name"], PURPOSE, 404, "unknown_resource", "resource"),
        (RESOURCE, [], PURPOSE, 422, "malformed", "fields"),
    ],
)
def test_refusals_come_back_as_service_errors_with_the_gateways_code(
    setup: Setup, resource, fields, purpose, status, code, field
):
    with pytest.raises(ExchangeRefused) as caught:
        setup.client().query(resource, fields, purpose, ID_NUMBER)
    refusal = caught.value
    assert (refusal.status, refusal.code) == (status, code), refusal.detail
    if field:
        assert refusal.field == field
    assert refusal.exchange_id.startswith("ex-") and refusal.detail


def test_a_revoked_grant_is_refused_on_the_next_call(setup: Setup):
    client = setup.client()
    client.query(RESOURCE, ["person.name", "person.id_number"], PURPOSE, ID_NUMBER)
    setup.grant.revoked_at = timezone.now()
    setup.grant.save()
    with pytest.raises(ExchangeRefused) as caught:
        client.query(RESOURCE, ["person.id_number"], PURPOSE, ID_NUMBER)
    assert caught.value.code == "grant_revoked"


def test_an_originator_of_another_department_is_refused(setup: Setup):
    client = setup.client(originator=Originator("ga", "official-b"))
    with pytest.raises(ExchangeRefused) as caught:
        client.query(RESOURCE, ["person.name"], PURPOSE, ID_NUMBER)
    assert (caught.value.status, caught.value.code) == (403, "originator_not_of_member")


def test_a_key_the_gateway_does_not_know_is_refused_in_a_signed_answer(setup: Setup):
    unknown, _public = generate_signing_key("mk-unknown")
    client = ExchangeClient(BASE, unknown, OFFICIAL_A, DjangoTransport(Client()))
    with pytest.raises(ExchangeRefused) as caught:
        client.query(RESOURCE, ["person.name"], PURPOSE, ID_NUMBER)
    assert (caught.value.status, caught.value.code) == (401, "unknown_key")


def _body(fields: list[str]) -> bytes:
    asked = {"resource": RESOURCE, "fields": fields, "purpose": PURPOSE, "key": ID_NUMBER}
    return json.dumps(asked).encode()


def test_p5_two_requests_in_flight_with_swapped_answers_are_both_refused(setup: Setup):
    client = setup.client(keep_evidence=True)
    transport = DjangoTransport(Client())
    first = client.prepare("POST", "query", _body(["person.name"]))
    second = client.prepare("POST", "query", _body(["person.id_number"]))
    answers = [
        transport.send(r.method, r.url, r.headers, r.body) for r in (first, second)
    ]  # both in flight: sent, not yet checked
    assert [status for status, _h, _b in answers] == [200, 200]
    for request, answer in ((first, answers[1]), (second, answers[0])):
        with pytest.raises(SignatureRefused) as caught:
            client.finish(request, *answer)
        assert caught.value.code == "bad_signature"
    assert ExchangeEvidence.objects.filter(side="requester").count() == 0  # nothing kept
    # Each answer with its own request is fine: the refusal was the swap.
    assert client.finish(first, *answers[0]).document["record"]["person.name"] == "林小雨"
    assert client.finish(second, *answers[1]).document["masked"] == ["person.id_number"]


def test_an_answer_signed_by_a_member_key_is_not_the_gateways(setup: Setup):
    member_keys = bundle_verify.keys_from_json(
        public_keys_document(key_ids=[setup.key.key_id], gateway=False)
    )
    client = ExchangeClient(
        BASE, setup.key, OFFICIAL_A, DjangoTransport(Client()), gateway_keys=member_keys
    )
    with pytest.raises(SignatureRefused) as caught:  # the gateway's key is not in that file
        client.query(RESOURCE, ["person.name"], PURPOSE, ID_NUMBER)
    assert caught.value.code == "unknown_key"


def test_keep_evidence_stores_the_requesters_side_with_an_audit_record(setup: Setup):
    result = setup.client(keep_evidence=True).query(
        RESOURCE, ["person.name", "person.id_number"], PURPOSE, ID_NUMBER
    )
    row = result.evidence
    assert row is not None and row.side == "requester"
    assert (row.allowed, row.status_code, row.reason) == (True, 200, "allow")
    assert row.member == setup.world.member and row.resource == setup.world.resource
    provider = ExchangeEvidence.objects.get(exchange_id=result.exchange_id, side="provider")
    assert row.exchange_id == provider.exchange_id  # both sides of one exchange, on one node
    assert row.audit_seq is not None
    audit = AuditRecord.objects.get(stream=row.audit_stream, seq=row.audit_seq)
    assert audit.action == "exchange.requested"
    assert audit.meta["exchange_id"] == result.exchange_id
    assert (audit.meta["department"], audit.meta["official"]) == ("scjg", "official-a")
    text = json.dumps(audit.meta, ensure_ascii=False)
    assert ID_NUMBER not in text and "林小雨" not in text  # P12: no values
    bundle = json.loads(str(row.bundle))
    report = bundle_verify.verify_bundle(bundle, NodeGatewayKeys(for_evidence=True))
    assert not report.ok and report.failed == "request"  # the member key is not the gateway's


def test_keep_evidence_keeps_a_signed_refusal_too(setup: Setup):
    with pytest.raises(ExchangeRefused) as caught:
        setup.client(keep_evidence=True).query(RESOURCE, ["person.record"], PURPOSE, ID_NUMBER)
    row = ExchangeEvidence.objects.get(side="requester")
    assert (row.allowed, row.status_code, row.reason) == (False, 403, "not_shared")
    assert caught.value.exchange_id == row.exchange_id


def test_catalogue_through_the_client(setup: Setup):
    catalogue = setup.client(keep_evidence=True).catalogue()
    assert [d["identifier"] for d in catalogue["dataset"]] == [RESOURCE]
    row = ExchangeEvidence.objects.get(side="requester")
    assert row.resource is None and row.allowed


def test_node_gateway_keys_after_a_rotation(setup: Setup, monkeypatch):
    old = keystore.active_key("exchange")
    keystore.rotate("exchange", actor=None)
    new = keystore.active_key("exchange")
    assert new.key_id != old.key_id
    live = NodeGatewayKeys()
    assert live.resolve(new.key_id) is not None
    assert live.resolve(old.key_id) is not None  # retired just now: answers in flight verify
    assert live.resolve(setup.key.key_id) is None  # a member key is never the gateway's
    later = timezone.now() + timedelta(minutes=10)
    monkeypatch.setattr(client_module.timezone, "now", lambda: later)
    assert NodeGatewayKeys().resolve(old.key_id) is None  # long retired: not for live answers
    assert NodeGatewayKeys(for_evidence=True).resolve(old.key_id) is not None  # old evidence
    # and a call after the rotation verifies with the new key
    assert setup.client().query(RESOURCE, ["person.name"], PURPOSE, ID_NUMBER).found
