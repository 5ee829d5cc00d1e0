"""P11: both sides keep evidence of an exchange that a third party can check with public keys
only. One real exchange through the gateway (a member system of this node asking, with
``keep_evidence``), then ``tongban exchange evidence`` exports each side's bundle and the
public keys, and ``tongban exchange verify`` proves both; a tampered bundle fails."""

from __future__ import annotations

import base64
import io
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from conftest import make_resident_id
from tongban.core.models import AuditRecord
from tongban.exchange import evidence, services
from tongban.exchange.client import DjangoTransport, ExchangeClient, QueryResult, gateway_label
from tongban.exchange.models import DataRecord, Grant
from tongban.exchange.signing import Originator, SigningKey

pytestmark = pytest.mark.django_db

RESOURCE = "zs.ga.population"
PURPOSE = "企业登记核验"
ID_NUMBER = make_resident_id(seq=458)
SIDES = ("provider", "requester")


@pytest.fixture(params=["intl", "gm"])
def exchanged(request: pytest.FixtureRequest, world, settings) -> QueryResult:
    """One granted query, both sides kept, under each crypto suite."""
    settings.TONGBAN_CRYPTO_SUITE = request.param
    world.requester_official.clearance = 3
    world.requester_official.save()
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
    )
    grant.fields.set([world.name, world.id_number])
    DataRecord(
        resource=world.resource,
        key=ID_NUMBER,
        values=json.dumps({"person.name": "林小雨", "person.id_number": ID_NUMBER}),
        fingerprint="f",
    ).save()
    client = ExchangeClient(
        "http://testserver/exchange/v1/",
        key,
        Originator("scjg", "official-a"),
        DjangoTransport(Client()),
        keep_evidence=True,
    )
    return client.query(RESOURCE, ["person.name", "person.id_number"], PURPOSE, ID_NUMBER)


def export(exchange_id: str, side: str, folder: Path, *extra: str) -> tuple[Path, Path]:
    bundle, keys = folder / f"{side}.json", folder / f"{side}-keys.json"
    out = io.StringIO()
    call_command(
        "exchange", "evidence", exchange_id, "--side", side, "--out", str(bundle),
        "--keys-out", str(keys), *extra, stdout=out,
    )  # fmt: skip
    assert "tongban exchange verify" in out.getvalue()
    return bundle, keys


def verify(bundle: Path, keys: Path) -> dict[str, Any]:
    out = io.StringIO()
    call_command("exchange", "verify", str(bundle), "--keys", str(keys), stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


@pytest.mark.parametrize("side", SIDES)
def test_p11_each_sides_bundle_verifies_with_public_keys_only(exchanged, side, tmp_path):
    bundle_path, keys_path = export(exchanged.exchange_id, side, tmp_path)
    keys = json.loads(keys_path.read_text())
    assert {k["member"] for k in keys["keys"]} == {"scjg.registration", gateway_label()}
    assert set().union(*(k.keys() for k in keys["keys"])) == {
        "key_id", "alg", "member", "public_key",
    }  # fmt: skip
    report = verify(bundle_path, keys_path)
    assert report["ok"] is True
    assert report["request"]["member"] == "scjg.registration"
    assert report["request"]["originator"] == {"department": "scjg", "official": "official-a"}
    assert report["response"]["member"] == gateway_label()
    assert report["response"]["status"] == 200
    assert report["request_body_checked"] and report["response_body_checked"]
    assert oct(os.stat(bundle_path).st_mode & 0o777) == "0o600"
    answer = json.loads(base64.b64decode(json.loads(bundle_path.read_text())["response"]["body"]))
    assert answer["exchange_id"] == exchanged.exchange_id
    assert AuditRecord.objects.filter(action="exchange.evidence.export").count() == 1


def test_p11_both_sides_hold_the_same_exchange(exchanged):
    provider = evidence.export_bundle(exchanged.exchange_id, "provider")
    requester = evidence.export_bundle(exchanged.exchange_id, "requester")
    for part in ("request", "response"):
        signature = {
            side: {k.lower(): v for k, v in bundle[part]["headers"]}["signature"]
            for side, bundle in (("provider", provider), ("requester", requester))
        }
        assert signature["provider"] == signature["requester"]
        assert provider[part]["body"] == requester[part]["body"]


@pytest.mark.parametrize("side", SIDES)
def test_p11_without_bodies_still_proves_the_digests(exchanged, side, tmp_path):
    bundle_path, keys_path = export(exchanged.exchange_id, side, tmp_path, "--without-bodies")
    text = bundle_path.read_text()
    assert '"body"' not in text and "林小雨" not in text
    report = verify(bundle_path, keys_path)
    assert report["ok"] is True
    assert not report["request_body_checked"] and not report["response_body_checked"]


def _tamper_body(bundle: dict[str, Any]) -> None:
    body = json.loads(base64.b64decode(bundle["response"]["body"]))
    body["record"]["person.name"] = "李小红"
    bundle["response"]["body"] = base64.b64encode(json.dumps(body).encode()).decode()


def _tamper_originator(bundle: dict[str, Any]) -> None:
    for pair in bundle["request"]["headers"]:
        if pair[0].lower() == "x-tongban-originator":
            pair[1] = 'dept="scjg", official="somebody-else"'


def _tamper_status(bundle: dict[str, Any]) -> None:
    bundle["response"]["status"] = 404


@pytest.mark.parametrize(
    ("tamper", "failed", "code"),
    [
        (_tamper_body, "response", "digest_mismatch"),
        (_tamper_originator, "request", "bad_signature"),
        (_tamper_status, "response", "bad_signature"),
    ],
)
@pytest.mark.parametrize("side", SIDES)
def test_p11_a_tampered_bundle_fails(exchanged, side, tamper, failed, code, tmp_path):
    bundle_path, keys_path = export(exchanged.exchange_id, side, tmp_path)
    bundle = json.loads(bundle_path.read_text())
    tamper(bundle)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(bundle))
    with pytest.raises(CommandError) as caught:
        verify(forged, keys_path)
    assert f"not proven: {failed} {code}" in str(caught.value)


def test_p11_another_key_file_does_not_prove_it(exchanged, tmp_path):
    bundle_path, keys_path = export(exchanged.exchange_id, "provider", tmp_path)
    keys = json.loads(keys_path.read_text())
    keys["keys"] = [k for k in keys["keys"] if not k["member"].startswith("gateway:")]
    partial = tmp_path / "member-only.json"
    partial.write_text(json.dumps(keys))
    with pytest.raises(CommandError) as caught:
        verify(bundle_path, partial)
    assert "not proven: response unknown_key" in str(caught.value)


def test_export_refuses_what_it_cannot_do(exchanged, tmp_path, settings):
    settings.LANGUAGE_CODE = "en"  # commands speak the site's language; the matches are English
    with pytest.raises(CommandError, match="No provider evidence"):
        call_command("exchange", "evidence", "ex-nothing", "--out", str(tmp_path / "x.json"))
    taken = tmp_path / "taken.json"
    taken.write_text("{}")
    with pytest.raises(CommandError, match="exists"):
        call_command("exchange", "evidence", exchanged.exchange_id, "--out", str(taken))
    assert taken.read_text() == "{}"
    assert AuditRecord.objects.filter(action="exchange.evidence.export").count() == 0
