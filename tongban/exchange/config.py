"""Signed configuration (P20): the catalogue, membership and grants, from the central node.

The central node (the city's data authority, 数据主管部门) exports its configuration as a
signed bundle; every other node imports it, and accepts it only when

1. it is at most ``TONGBAN_EXCHANGE_CONFIG_MAX_BYTES`` (default 8 MiB) and JSON of the
   envelope's shape;
2. its signature was made by the key installed as the anchor
   (``TONGBAN_EXCHANGE_CONFIG_ANCHOR``, a PEM file of the central node's
   ``exchange-config`` public key; it may hold more than one key while the centre rotates);
3. the digest it names is the digest of the configuration it carries;
4. the configuration's format is ``tongban/exchange-config/1`` and its content well formed;
5. it was issued at most ``TONGBAN_EXCHANGE_CONFIG_MAX_AGE_HOURS`` ago (and not in the
   future beyond a few minutes of clock skew);
6. its serial is above the serial of the last ACCEPTED bundle (an old bundle replayed is
   refused).

Any failure records a rejected ``ConfigBundle`` with its reason, writes an
``exchange.config`` audit record and raises an alert to the security administrators; the
configuration in force (the last accepted bundle) stays untouched. An accepted bundle is
applied in one transaction.

**What a bundle changes, and what it never does.** Rows are matched by code (resources,
members, keys by key id; items by resource and code; grants by the centre's id, kept in
``Grant.central_ref``). A bundle creates and updates those rows
and moves statuses through the transition tables (audited). It never deletes a row. A row
that the previous accepted bundle brought and this one leaves out is made harmless, never
deleted: a resource is withdrawn, an item becomes not shared (不予共享), a member system is
suspended, a key ends now, a grant is revoked. Rows never named by a bundle (local ones)
are left alone. Revocations are never undone by a bundle: a key or grant revoked here stays
revoked whatever the centre says. Rows naming a department this node does not know are
skipped and named in the audit record and an alert (add the department, then the next
bundle brings them).

Envelope (JSON)::

    {"format": "tongban/exchange-config/1",
     "config": "<the configuration: canonical JSON text>",
     "digest": "sha256:<hex>" | "sm3:<hex>",
     "signature": "<alg>.<key id>.<base64url>"}   # detached, over the UTF-8 of "config"
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import record_audit
from tongban.core.crypto import keys
from tongban.core.crypto.providers import CryptoError
from tongban.core.crypto.suites import SUITES, Signature, SignatureFormatError, get_suite
from tongban.core.crypto.suites import suite_for_signature_alg as _suite_for_alg
from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord, KeyPurpose

from .config_apply import apply, previous_of
from .config_schema import FORMAT, BundleRefused, Configuration, Reason, aware, opt_ts, ts
from .models import ConfigBundle, ConfigOutcome, DataResource, Grant, MemberSystem, ResourceStatus

__all__ = [
    "FORMAT",
    "BundleRefused",
    "Reason",
    "anchor_public_key",
    "export_bundle",
    "import_bundle",
]

#: The key-store purpose that signs bundles (its own key, rotated apart from the gateway's
#: ``exchange`` key); the anchor installed on the other nodes is its public half.
PURPOSE = str(KeyPurpose.EXCHANGE_CONFIG)
AUDIT_ACTION = "exchange.config"
EXPORT_ACTION = "exchange.config.export"
ALERT_CODE = "exchange.config_rejected"
SKIPPED_ALERT_CODE = "exchange.config_skipped"
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
#: How far in the future a bundle's ``issued_at`` may lie (the two clocks' skew).
FUTURE_SKEW = dt.timedelta(minutes=5)
_PEM_BLOCK = re.compile(
    r"-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----"
)
#: Refusals that point at an attacker or a broken key rather than a late or repeated file.
_CRITICAL = {Reason.WRONG_SIGNER, Reason.BAD_SIGNATURE, Reason.DIGEST_MISMATCH}


# --- helpers --------------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    """The canonical JSON of ``value`` (sorted keys, no spaces, UTF-8): what is signed."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_EXCHANGE_CONFIG_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "TONGBAN_EXCHANGE_CONFIG_MAX_AGE_HOURS", 24)))


def node_code() -> str:
    return str(getattr(settings, "TONGBAN_SITE_CODE", "") or "local")


def _digest_text(hash_alg: str, data: bytes) -> str:
    suite = next(s for s in SUITES.values() if s.hash_alg == hash_alg)
    return f"{hash_alg}:{suite.hash(data).hex()}"


def pem_public_key(der: bytes) -> str:
    """``der`` (SubjectPublicKeyInfo) as a PEM ``PUBLIC KEY`` block."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN PUBLIC KEY-----", *lines, "-----END PUBLIC KEY-----", ""])


def read_pem_public_keys(text: str) -> list[bytes]:
    """Every ``PUBLIC KEY`` block of ``text`` as DER; raises ``ValueError`` when none."""
    found = []
    for match in _PEM_BLOCK.finditer(text):
        try:
            found.append(base64.b64decode("".join(match.group(1).split()), validate=True))
        except (binascii.Error, ValueError) as exc:
            raise ValueError("a PUBLIC KEY block is not base64") from exc
    if not found:
        raise ValueError("no PUBLIC KEY block")
    return found


def anchor_public_keys() -> list[bytes]:
    """The central node's public keys (DER) from the PEM file at
    ``TONGBAN_EXCHANGE_CONFIG_ANCHOR``. Raises ``BundleRefused(no_anchor)`` when no anchor
    is installed or it cannot be read."""
    path = str(getattr(settings, "TONGBAN_EXCHANGE_CONFIG_ANCHOR", "") or "")
    if not path:
        raise BundleRefused(Reason.NO_ANCHOR, "TONGBAN_EXCHANGE_CONFIG_ANCHOR is not set")
    try:
        text = Path(path).read_text(encoding="ascii")
        return read_pem_public_keys(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BundleRefused(Reason.NO_ANCHOR, f"anchor {path} unreadable: {exc}") from None


def anchor_public_key() -> bytes:
    """The (first) anchor key: the central node's ``exchange-config`` public key, DER."""
    return anchor_public_keys()[0]


def own_public_key_pem() -> str:
    """This node's active ``exchange-config`` public key as PEM: install it as the anchor of the
    nodes that take their configuration from this one (``tongban exchange config anchor``)."""
    return pem_public_key(keys.active_key(PURPOSE).public_key)


# --- export (the central node) --------------------------------------------------------------


def configuration_of(serial: int, now: dt.datetime) -> dict[str, Any]:
    resources = (
        DataResource.objects.exclude(status=ResourceStatus.DRAFT)
        .select_related("department")
        .prefetch_related("items__element")
        .order_by("code")
    )
    members = (
        MemberSystem.objects.select_related("department").prefetch_related("keys").order_by("code")
    )
    grants = (
        Grant.objects.exclude(resource__status=ResourceStatus.DRAFT)
        .select_related("member", "resource")
        .prefetch_related("fields", "full_fields")
        .order_by("pk")
    )
    return {
        "format": FORMAT,
        "serial": serial,
        "issued_at": ts(now),
        "node": node_code(),
        "resources": [
            {
                "code": r.code,
                "department": r.department.code,
                "name": r.name,
                "name_en": r.name_en,
                "description": r.description,
                "description_en": r.description_en,
                "update_frequency": r.update_frequency,
                "source_system": r.source_system,
                "data_format": r.data_format,
                "open_to_public": r.open_to_public,
                "status": r.status,
                "upstream_id": r.upstream_id,
                "items": [
                    {
                        "code": i.code,
                        "element": i.element.code if i.element else "",
                        "name": i.name,
                        "name_en": i.name_en,
                        "share_class": i.share_class,
                        "legal_basis": i.legal_basis,
                        "grade": int(i.grade),
                        "personal_number": i.personal_number,
                        "sort_order": i.sort_order,
                    }
                    for i in r.items.all()
                ],
            }
            for r in resources
        ],
        "members": [
            {
                "code": m.code,
                "department": m.department.code,
                "name": m.name,
                "name_en": m.name_en,
                "dengbao_grade": m.dengbao_grade,
                "key_protection": m.key_protection,
                "assurance_level": m.assurance_level,
                "status": m.status,
                "keys": [
                    {
                        "key_id": k.key_id,
                        "algorithm": k.algorithm,
                        # only a key still usable carries its public half; the others
                        # travel as their end (retired, revoked) so nodes stop trusting them
                        "public_key": base64.b64encode(bytes(k.public_key)).decode("ascii")
                        if k.revoked_at is None and (k.valid_until is None or k.valid_until > now)
                        else "",
                        "valid_from": ts(k.valid_from),
                        "valid_until": opt_ts(k.valid_until),
                        "revoked_at": opt_ts(k.revoked_at),
                    }
                    for k in m.keys.all()
                ],
            }
            for m in members
        ],
        "grants": [
            {
                "id": g.central_ref or str(g.pk),
                "member": g.member.code,
                "resource": g.resource.code,
                "fields": sorted(i.code for i in g.fields.all()),
                "full_fields": sorted(i.code for i in g.full_fields.all()),
                "purpose": g.purpose,
                "legal_basis": g.legal_basis,
                "granted_at": ts(g.granted_at),
                "expires_at": ts(g.expires_at),
                "rate_per_minute": g.rate_per_minute,
                "rate_per_day": g.rate_per_day,
                "revoked_at": opt_ts(g.revoked_at),
                "revocation_reason": g.revocation_reason,
            }
            for g in grants
        ],
    }


def _last_exported_serial() -> int:
    meta = (
        AuditRecord.objects.filter(stream="exchange", action=EXPORT_ACTION)
        .order_by("-seq")
        .values_list("meta", flat=True)
        .first()
    )
    serial = meta.get("serial") if isinstance(meta, dict) else None
    return serial if isinstance(serial, int) else 0


def seal(configuration: dict[str, Any], sign: Callable[[bytes], Signature]) -> bytes:
    """The envelope of ``configuration``, signed by ``sign`` (detached, over the canonical
    JSON text). ``export_bundle`` passes the key store; tests pass other keys."""
    text = canonical(configuration)
    signature = sign(text)
    hash_alg = _suite_for_alg(signature.alg).hash_alg
    envelope = {
        "format": FORMAT,
        "config": text.decode("utf-8"),
        "digest": _digest_text(hash_alg, text),
        "signature": signature.serialise(),
    }
    return canonical(envelope)


@transaction.atomic
def export_bundle(serial: int | None = None, *, now: dt.datetime | None = None) -> bytes:
    """The signed configuration bundle of this (central) node: the catalogue (resources
    that are not drafts, with their items), every member system with its keys, and the
    grants on published resources. Signed with the key store's ``exchange-config`` key under the
    configured suite. ``serial`` defaults to the larger of the last exported serial + 1 and
    the current time in milliseconds, so serials only grow. Audited
    (``exchange.config.export``)."""
    now = now or timezone.now()
    if serial is None:
        serial = max(_last_exported_serial() + 1, int(now.timestamp() * 1000))
    data = seal(configuration_of(serial, now), lambda text: keys.sign(PURPOSE, text))
    info = keys.active_key(PURPOSE)
    record_audit(
        None,
        EXPORT_ACTION,
        object_type="exchange.configbundle",
        object_id=str(serial),
        meta={"serial": serial, "key_id": info.key_id, "bytes": len(data), "node": node_code()},
    )
    return data


# --- import (every other node) --------------------------------------------------------------


@dataclass
class Verified:
    configuration: Configuration
    text: str
    key_id: str


def _envelope(data: bytes) -> dict[str, str]:
    if len(data) > max_bytes():
        raise BundleRefused(Reason.TOO_LARGE, f"{len(data)} bytes, at most {max_bytes()}")
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BundleRefused(Reason.NOT_JSON, "the bundle is not UTF-8 JSON") from None
    if not isinstance(envelope, dict):
        raise BundleRefused(Reason.MALFORMED, "the bundle is not a JSON object")
    for name in ("format", "config", "digest", "signature"):
        if not isinstance(envelope.get(name), str):
            raise BundleRefused(Reason.MALFORMED, f"field {name} missing or not text")
    if envelope["format"] != FORMAT:
        raise BundleRefused(Reason.WRONG_FORMAT, f"format {envelope['format'][:60]!r}")
    return {name: envelope[name] for name in ("format", "config", "digest", "signature")}


def _check_signature(envelope: dict[str, str], anchors: Iterable[bytes]) -> tuple[bytes, str]:
    try:
        signature = Signature.parse(envelope["signature"])
        suite = _suite_for_alg(signature.alg)
    except (SignatureFormatError, CryptoError):
        raise BundleRefused(Reason.MALFORMED, "field signature is not alg.key_id.value") from None
    try:
        text = envelope["config"].encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escaped in the JSON text
        raise BundleRefused(Reason.MALFORMED, "field config is not valid text") from None
    anchor = next((a for a in anchors if suite.fingerprint(a) == signature.key_id), None)
    if anchor is None:
        raise BundleRefused(
            Reason.WRONG_SIGNER, f"key {signature.key_id} is not the installed anchor"
        )
    try:
        valid = suite.verify(anchor, text, signature)
    except CryptoError:
        valid = False
    if not valid:
        raise BundleRefused(Reason.BAD_SIGNATURE, f"the signature of {signature.key_id} fails")
    if envelope["digest"] != _digest_text(suite.hash_alg, text):
        raise BundleRefused(Reason.DIGEST_MISMATCH, "the digest is not the configuration's")
    return text, signature.key_id


def verify_bundle(data: bytes, *, now: dt.datetime) -> Verified:
    """Every check of the module docstring but the serial; raises ``BundleRefused``."""
    envelope = _envelope(data)
    text, key_id = _check_signature(envelope, anchor_public_keys())
    try:
        configuration = Configuration.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise BundleRefused(Reason.MALFORMED, f"{where}: {first.get('msg', '')}"[:150]) from None
    if configuration.format != FORMAT:
        raise BundleRefused(Reason.WRONG_FORMAT, f"format {configuration.format[:60]!r}")
    issued = aware(configuration.issued_at)
    assert issued is not None
    if issued > now + FUTURE_SKEW:
        raise BundleRefused(Reason.FROM_FUTURE, f"issued at {ts(issued)}, after {ts(now)}")
    if now - issued > max_age():
        hours = int(max_age().total_seconds() // 3600)
        raise BundleRefused(Reason.STALE, f"issued at {ts(issued)}, more than {hours} h ago")
    return Verified(configuration, text.decode("utf-8"), key_id)


def current_bundle() -> ConfigBundle | None:
    """The configuration in force: the accepted bundle of the highest serial."""
    return ConfigBundle.objects.filter(outcome=ConfigOutcome.ACCEPTED).order_by("-serial").first()


def import_bundle(data: bytes, *, now: dt.datetime | None = None) -> ConfigBundle:
    """Check the bundle ``data`` against the anchor (module docstring) and, when every
    check holds, apply it in one transaction. Returns the recorded ``ConfigBundle``:
    ``accepted`` with a summary of what was applied, or ``rejected`` with the reason, an
    audit record and an alert; a rejected bundle changes no configuration. Raises nothing
    for a bad bundle; ``DatabaseError`` only when the database itself fails."""
    now = now or timezone.now()
    raw_digest = _digest_text(get_suite().hash_alg, data[: max_bytes() + 1])
    try:
        verified = verify_bundle(data, now=now)
    except BundleRefused as refused:
        return _reject(refused, raw_digest, now)
    configuration = verified.configuration
    try:
        with transaction.atomic():
            last = current_bundle()
            if last is not None and configuration.serial <= last.serial:
                raise BundleRefused(
                    Reason.REPLAYED,
                    f"serial {configuration.serial} is not above {last.serial} in force",
                )
            applied = apply(configuration, previous_of(last), now)
            bundle = ConfigBundle.objects.create(
                serial=configuration.serial,
                issued_at=aware(configuration.issued_at),
                signer_key_id=verified.key_id,
                digest=raw_digest,
                received_at=now,
                outcome=ConfigOutcome.ACCEPTED,
                reason=applied.summary(),
                body=verified.text,
            )
            record_audit(
                None,
                AUDIT_ACTION,
                bundle,
                meta={
                    "outcome": "accepted",
                    "serial": configuration.serial,
                    "key_id": verified.key_id,
                    "node": configuration.node,
                    "created": applied.created,
                    "updated": applied.updated,
                    "retired": applied.retired,
                    "skipped": applied.skipped[:50],
                },
            )
            if applied.skipped:
                raise_alert(
                    SKIPPED_ALERT_CODE,
                    audience="security_admin",
                    message=_(
                        "Configuration bundle %(serial)s was applied, but %(count)s entries "
                        "could not be and were left out (an unknown department, or a key "
                        "held by another system here): %(codes)s."
                    ),
                    params={
                        "serial": configuration.serial,
                        "count": len(applied.skipped),
                        "codes": ", ".join(applied.skipped[:10]),
                    },
                )
    except BundleRefused as exc:
        return _reject(exc, raw_digest, now, configuration, verified.key_id)
    except (ServiceError, IntegrityError, DataError, ValueError) as exc:
        failed = BundleRefused(Reason.APPLY_FAILED, f"{type(exc).__name__}: {exc}"[:150])
        return _reject(failed, raw_digest, now, configuration, verified.key_id)
    return bundle


def _reject(
    refused: BundleRefused,
    digest: str,
    now: dt.datetime,
    configuration: Configuration | None = None,
    key_id: str = "",
) -> ConfigBundle:
    serial = configuration.serial if configuration is not None else 0
    with transaction.atomic():
        bundle = ConfigBundle.objects.create(
            serial=serial,
            issued_at=aware(configuration.issued_at) if configuration is not None else None,
            signer_key_id=key_id[:64],
            digest=digest,
            received_at=now,
            outcome=ConfigOutcome.REJECTED,
            reason=str(refused)[:200],
        )
        in_force = current_bundle()
        record_audit(
            None,
            AUDIT_ACTION,
            bundle,
            meta={
                "outcome": "rejected",
                "reason": refused.code,
                "serial": serial,
                "key_id": key_id,
                "in_force": in_force.serial if in_force is not None else None,
            },
        )
        raise_alert(
            ALERT_CODE,
            audience="security_admin",
            message=_(
                "A configuration bundle from the central node was refused (%(reason)s). The "
                "last good configuration (serial %(serial)s) stays in force."
            ),
            params={
                "reason": refused.code,
                "serial": in_force.serial if in_force is not None else "-",
            },
            severity=Severity.CRITICAL if refused.code in _CRITICAL else Severity.WARNING,
        )
    return bundle
