"""P20: a node accepts the catalogue, membership and grants only when signed by the central
node's key (the installed anchor), fresh, and newer than the bundle in force; otherwise it
keeps the last good configuration and alerts."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tongban.core.crypto.suites import get_suite
from tongban.core.models import AuditRecord
from tongban.exchange import config
from tongban.exchange.models import (
    ConfigBundle,
    ConfigOutcome,
    DataItem,
    DataResource,
    Grant,
    MemberKey,
    MemberStatus,
    MemberSystem,
    ResourceStatus,
)

NOW = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)
REJECTED_ALERT = "alert." + config.ALERT_CODE


class Central:
    """The central node's signing key, outside this node's key store."""

    def __init__(self) -> None:
        self.suite = get_suite()
        pair = self.suite.generate_signing_key()
        self.private, self.public = pair.private, pair.public
        self.key_id = self.suite.fingerprint(pair.public)

    def sign(self, text: bytes) -> Any:
        return self.suite.sign(self.private, text, key_id=self.key_id)


@pytest.fixture
def central(tmp_path: Path, settings: Any) -> Central:
    key = Central()
    anchor = tmp_path / "anchor.pem"
    anchor.write_text(config.pem_public_key(key.public), encoding="ascii")
    settings.TONGBAN_EXCHANGE_CONFIG_ANCHOR = str(anchor)
    settings.TONGBAN_EXCHANGE_CONFIG_MAX_AGE_HOURS = 24
    return key


def bundle(
    central: Central,
    serial: int,
    *,
    issued: dt.datetime = NOW,
    change: Callable[[dict[str, Any]], None] | None = None,
    sign: Callable[[bytes], Any] | None = None,
) -> bytes:
    """This node's own configuration as the centre would send it, changed by ``change``."""
    body = config.configuration_of(serial, issued)
    if change is not None:
        change(body)
    return config.seal(body, sign or central.sign)


def add_member_and_grant(body: dict[str, Any]) -> None:
    """The centre registered a new system of ga with a key, granted it the name, and
    renamed the population resource."""
    public = get_suite().generate_signing_key().public
    body["members"] = [m for m in body["members"] if m["code"] != "ga.checkpoint"]
    body["grants"] = [g for g in body["grants"] if g["id"] != "41"]
    body["members"].append(
        {
            "code": "ga.checkpoint",
            "department": "ga",
            "name": "边检核验系统",
            "name_en": "",
            "dengbao_grade": 3,
            "key_protection": "hardware",
            "assurance_level": 3,
            "status": "active",
            "keys": [
                {
                    "key_id": "ga-checkpoint-1",
                    "algorithm": get_suite().signature_alg,
                    "public_key": base64.b64encode(public).decode(),
                    "valid_from": "2026-12-01T00:00:00.000000Z",
                    "valid_until": None,
                    "revoked_at": None,
                }
            ],
        }
    )
    body["grants"].append(
        {
            "id": "41",
            "member": "ga.checkpoint",
            "resource": "zs.ga.population",
            "fields": ["person.name"],
            "full_fields": [],
            "purpose": "出入境核验",
            "legal_basis": "《出境入境管理法》第七条",
            "granted_at": "2026-12-02T08:00:00.000000Z",
            "expires_at": "2027-12-02T08:00:00.000000Z",
            "revoked_at": None,
            "revocation_reason": "",
        }
    )
    body["resources"][0]["name"] = "人口基础信息（中心目录）"


def rename(name: str) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body["resources"][0]["name"] = name

    return change


def alerts() -> int:
    return AuditRecord.objects.filter(stream="alert", action=REJECTED_ALERT).count()


def assert_rejected(result: ConfigBundle, reason: str, alerts_before: int) -> None:
    assert result.outcome == ConfigOutcome.REJECTED
    assert result.reason.split(":")[0] == reason, result.reason
    assert alerts() == alerts_before + 1
    audit = AuditRecord.objects.filter(action=config.AUDIT_ACTION, object_id=str(result.pk)).get()
    assert audit.meta["outcome"] == "rejected" and audit.meta["reason"] == reason


@pytest.fixture
def in_force(world: Any, central: Central) -> ConfigBundle:
    """A first good bundle (serial 100) applied: the last good configuration."""
    accepted = config.import_bundle(bundle(central, 100, change=add_member_and_grant), now=NOW)
    assert accepted.outcome == ConfigOutcome.ACCEPTED, accepted.reason
    return accepted


# --- accepted and applied -----------------------------------------------------------------


def test_good_bundle_is_accepted_and_applied(world: Any, central: Central) -> None:
    before = alerts()
    result = config.import_bundle(bundle(central, 100, change=add_member_and_grant), now=NOW)
    assert result.outcome == ConfigOutcome.ACCEPTED, result.reason
    assert result.serial == 100 and result.signer_key_id == central.key_id
    assert "members +1" in result.reason and "grants +1" in result.reason
    assert config.current_bundle() == result
    member = MemberSystem.objects.get(code="ga.checkpoint")
    assert member.department == world.provider and member.assurance_level == 3
    key = MemberKey.objects.get(key_id="ga-checkpoint-1")
    assert key.member == member and key.revoked_at is None
    grant = Grant.objects.get(member=member)
    assert [i.code for i in grant.fields.all()] == ["person.name"]
    assert grant.resource == world.resource and grant.purpose == "出入境核验"
    world.resource.refresh_from_db()
    assert world.resource.name == "人口基础信息（中心目录）"
    audit = AuditRecord.objects.get(action=config.AUDIT_ACTION, object_id=str(result.pk))
    assert audit.meta["outcome"] == "accepted" and audit.meta["created"]["grants"] == 1
    assert alerts() == before


def test_export_signed_by_the_key_store_imports_with_its_anchor(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    anchor = tmp_path / "own.pem"
    anchor.write_text(config.own_public_key_pem(), encoding="ascii")
    settings.TONGBAN_EXCHANGE_CONFIG_ANCHOR = str(anchor)
    data = config.export_bundle()
    envelope = json.loads(data)
    assert envelope["format"] == config.FORMAT
    body = json.loads(envelope["config"])
    assert [r["code"] for r in body["resources"]] == ["zs.ga.population"]
    assert body["members"][0]["code"] == "scjg.registration"
    result = config.import_bundle(data)
    assert result.outcome == ConfigOutcome.ACCEPTED, result.reason
    # serials only grow: the next export is above the last even when asked at once
    assert json.loads(json.loads(config.export_bundle())["config"])["serial"] > body["serial"]


def test_status_moves_through_the_transitions_and_removals_never_delete(
    world: Any, central: Central, in_force: ConfigBundle
) -> None:
    def drop_member_and_withdraw(body: dict[str, Any]) -> None:
        body["resources"][0]["status"] = "withdrawn"
        body["members"] = [m for m in body["members"] if m["code"] != "ga.checkpoint"]
        body["grants"] = []

    result = config.import_bundle(bundle(central, 101, change=drop_member_and_withdraw), now=NOW)
    assert result.outcome == ConfigOutcome.ACCEPTED, result.reason
    world.resource.refresh_from_db()
    assert world.resource.status == ResourceStatus.WITHDRAWN
    member = MemberSystem.objects.get(code="ga.checkpoint")  # kept, not deleted
    assert member.status == MemberStatus.SUSPENDED
    assert MemberKey.objects.get(key_id="ga-checkpoint-1").valid_until == NOW
    grant = Grant.objects.get(member=member)
    assert grant.revoked_at == NOW
    # the local member system no bundle ever left out is untouched
    world.member.refresh_from_db()
    assert world.member.status == MemberStatus.ACTIVE
    assert AuditRecord.objects.filter(action="exchange.dataresource.withdraw").exists()


def test_a_bundle_never_undoes_a_revocation_made_here(
    world: Any, central: Central, in_force: ConfigBundle
) -> None:
    revoked = NOW - dt.timedelta(hours=1)
    MemberKey.objects.filter(key_id="ga-checkpoint-1").update(revoked_at=revoked)
    Grant.objects.filter(member__code="ga.checkpoint").update(revoked_at=revoked)
    result = config.import_bundle(bundle(central, 101, change=add_member_and_grant), now=NOW)
    assert result.outcome == ConfigOutcome.ACCEPTED, result.reason
    assert MemberKey.objects.get(key_id="ga-checkpoint-1").revoked_at == revoked
    assert Grant.objects.get(member__code="ga.checkpoint").revoked_at == revoked


def test_unknown_department_is_skipped_named_and_alerted(world: Any, central: Central) -> None:
    def other_department(body: dict[str, Any]) -> None:
        add_member_and_grant(body)
        body["members"][-1]["department"] = "nowhere"

    result = config.import_bundle(bundle(central, 100, change=other_department), now=NOW)
    assert result.outcome == ConfigOutcome.ACCEPTED
    assert "skipped 2" in result.reason  # the member and its grant
    assert not MemberSystem.objects.filter(code="ga.checkpoint").exists()
    assert AuditRecord.objects.filter(action="alert." + config.SKIPPED_ALERT_CODE).exists()


# --- refused: the last good stays ---------------------------------------------------------


def test_tampered_bundle_is_refused(world: Any, central: Central, in_force: ConfigBundle) -> None:
    before = alerts()
    envelope = json.loads(bundle(central, 101, change=rename("改过的名称")))
    envelope["config"] = envelope["config"].replace("改过的名称", "篡改的名称")
    result = config.import_bundle(json.dumps(envelope).encode(), now=NOW)
    assert_rejected(result, config.Reason.BAD_SIGNATURE, before)
    world.resource.refresh_from_db()
    assert world.resource.name == "人口基础信息（中心目录）"
    assert config.current_bundle() == in_force


def test_a_wrong_digest_is_refused(world: Any, central: Central, in_force: ConfigBundle) -> None:
    before = alerts()
    envelope = json.loads(bundle(central, 101, change=rename("改过的名称")))
    envelope["digest"] = envelope["digest"][:-4] + "0000"
    result = config.import_bundle(json.dumps(envelope).encode(), now=NOW)
    assert_rejected(result, config.Reason.DIGEST_MISMATCH, before)
    assert config.current_bundle() == in_force


def test_wrong_signer_is_refused(world: Any, central: Central, in_force: ConfigBundle) -> None:
    before = alerts()
    impostor = Central()
    result = config.import_bundle(
        bundle(central, 101, change=rename("冒名"), sign=impostor.sign), now=NOW
    )
    assert_rejected(result, config.Reason.WRONG_SIGNER, before)
    # an impostor naming the anchor's key id still fails on the signature itself
    posing = bundle(
        central,
        102,
        change=rename("冒名"),
        sign=lambda text: impostor.suite.sign(impostor.private, text, key_id=central.key_id),
    )
    assert_rejected(config.import_bundle(posing, now=NOW), config.Reason.BAD_SIGNATURE, before + 1)
    world.resource.refresh_from_db()
    assert world.resource.name == "人口基础信息（中心目录）"
    assert config.current_bundle() == in_force


def test_stale_bundle_is_refused(world: Any, central: Central, in_force: ConfigBundle) -> None:
    before = alerts()
    old = NOW - dt.timedelta(hours=24, minutes=1)
    result = config.import_bundle(bundle(central, 101, issued=old, change=rename("旧")), now=NOW)
    assert_rejected(result, config.Reason.STALE, before)
    just_fresh = NOW - dt.timedelta(hours=23, minutes=59)
    fresh = config.import_bundle(bundle(central, 102, issued=just_fresh), now=NOW)
    assert fresh.outcome == ConfigOutcome.ACCEPTED


def test_bundle_from_the_future_is_refused(
    world: Any, central: Central, in_force: ConfigBundle
) -> None:
    before = alerts()
    later = NOW + dt.timedelta(hours=1)
    result = config.import_bundle(bundle(central, 101, issued=later), now=NOW)
    assert_rejected(result, config.Reason.FROM_FUTURE, before)


def test_replayed_old_bundle_is_refused(world: Any, central: Central) -> None:
    first = bundle(central, 100, change=rename("第一版"))
    second = bundle(central, 101, change=rename("第二版"))
    assert config.import_bundle(first, now=NOW).outcome == ConfigOutcome.ACCEPTED
    assert config.import_bundle(second, now=NOW).outcome == ConfigOutcome.ACCEPTED
    before = alerts()
    result = config.import_bundle(first, now=NOW)  # signed, fresh, but older
    assert_rejected(result, config.Reason.REPLAYED, before)
    assert result.serial == 100
    again = config.import_bundle(second, now=NOW)  # the same one twice
    assert_rejected(again, config.Reason.REPLAYED, before + 1)
    world.resource.refresh_from_db()
    assert world.resource.name == "第二版"
    in_force = config.current_bundle()
    assert in_force is not None and in_force.serial == 101


def test_oversized_and_non_json_bundles_are_refused_cleanly(
    world: Any, central: Central, in_force: ConfigBundle, settings: Any
) -> None:
    before = alerts()
    assert_rejected(config.import_bundle(b"\xff\xfe not json", now=NOW), "not_json", before)
    assert_rejected(config.import_bundle(b"[1, 2]", now=NOW), "malformed", before + 1)
    surrogate = b'{"format": "tongban/exchange-config/1", "config": "\\ud800", '
    surrogate += b'"digest": "x", "signature": "ed25519.abc.AAAA"}'
    assert_rejected(config.import_bundle(surrogate, now=NOW), "malformed", before + 2)
    before += 1
    nested = b"[" * 100_000 + b"]" * 100_000
    assert_rejected(config.import_bundle(nested, now=NOW), "not_json", before + 2)
    settings.TONGBAN_EXCHANGE_CONFIG_MAX_BYTES = 1000
    big = bundle(central, 101)
    assert len(big) > 1000
    assert_rejected(config.import_bundle(big, now=NOW), "too_large", before + 3)
    assert config.current_bundle() == in_force


def test_signed_but_malformed_content_is_refused(
    world: Any, central: Central, in_force: ConfigBundle
) -> None:
    before = alerts()

    def bad_class(body: dict[str, Any]) -> None:
        body["resources"][0]["items"][0]["share_class"] = "whatever"

    result = config.import_bundle(bundle(central, 101, change=bad_class), now=NOW)
    assert_rejected(result, "malformed", before)
    assert "share_class" in result.reason
    assert DataItem.objects.filter(share_class="whatever").count() == 0

    def twice(body: dict[str, Any]) -> None:
        body["resources"].append(dict(body["resources"][0]))

    result = config.import_bundle(bundle(central, 102, change=twice), now=NOW)
    assert_rejected(result, "malformed", before + 1)
    assert "named twice" in result.reason


def test_without_an_anchor_nothing_is_imported(world: Any, central: Central, settings: Any) -> None:
    data = bundle(central, 100, change=rename("无锚"))
    settings.TONGBAN_EXCHANGE_CONFIG_ANCHOR = ""
    before = alerts()
    assert_rejected(config.import_bundle(data, now=NOW), "no_anchor", before)
    assert DataResource.objects.get(code="zs.ga.population").name == "人口基础信息"


# --- the command --------------------------------------------------------------------------


def test_command_anchor_export_import(
    world: Any, tmp_path: Path, settings: Any, capsys: Any
) -> None:
    anchor, out = tmp_path / "anchor.pem", tmp_path / "bundle.json"
    call_command("exchange", "config", "anchor", "--out", str(anchor))
    assert anchor.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert config.read_pem_public_keys(anchor.read_text()) == [
        config.keys.active_key(config.PURPOSE).public_key
    ]
    settings.TONGBAN_EXCHANGE_CONFIG_ANCHOR = str(anchor)
    call_command("exchange", "config", "export", "--out", str(out))
    with pytest.raises(CommandError, match="exists"):
        call_command("exchange", "config", "export", "--out", str(out))
    call_command("exchange", "config", "import", str(out))
    assert config.current_bundle() is not None
    with pytest.raises(CommandError, match="replayed"):
        call_command("exchange", "config", "import", str(out))
    in_force = config.current_bundle()
    assert in_force is not None
    assert timezone.now() - in_force.received_at < dt.timedelta(minutes=1)
