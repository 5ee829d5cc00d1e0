"""Applying an accepted configuration bundle (P20): upserts, status moves, never deletes.

``apply`` runs inside ``tongban.exchange.config.import_bundle``'s transaction, after every
check of the bundle held. Rows are matched by code (resources, members; keys by key id;
items by resource and code; grants by the centre's id, kept in ``Grant.central_ref``).
Statuses move through the transition tables (audited). A row that the bundle in force
(``previous_of``) named and the new one leaves out is made harmless, never deleted: a
resource is withdrawn, an item becomes not shared, a member system is suspended, a key
ends, a grant is revoked. Revocations are never undone. Entries naming a department this
node lacks are skipped and listed in ``Applied.skipped``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tongban.cases.models import DataElement
from tongban.core.errors import ServiceError
from tongban.core.transitions import move
from tongban.org.models import Department

from .config_schema import (
    BundleRefused,
    Configuration,
    MemberConfig,
    Reason,
    ResourceConfig,
    aware,
    required,
)
from .models import (
    ConfigBundle,
    DataItem,
    DataResource,
    Grant,
    MemberKey,
    MemberStatus,
    MemberSystem,
    ResourceStatus,
    ShareClass,
)
from .transitions import MEMBER, RESOURCE


@dataclass
class Applied:
    """What applying a bundle did, by kind: counts and the codes it skipped."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    def summary(self) -> str:
        parts = [f"{kind} +{n}" for kind, n in sorted(self.created.items())]
        parts += [f"{kind} ~{n}" for kind, n in sorted(self.updated.items())]
        parts += [f"{kind} -{n}" for kind, n in sorted(self.retired.items())]
        if self.skipped:
            parts.append(f"skipped {len(self.skipped)}")
        return ("applied: " + ", ".join(parts or ["no change"]))[:200]


@dataclass
class Previous:
    """What the bundle in force named: rows that came from the centre."""

    resources: set[str] = field(default_factory=set)
    items: set[tuple[str, str]] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    grants: set[str] = field(default_factory=set)


def previous_of(bundle: ConfigBundle | None) -> Previous:
    previous = Previous()
    if bundle is None or not bundle.body:
        return previous
    try:
        old = Configuration.model_validate_json(bundle.body)
    except ValidationError:
        return previous  # accepted under an older schema: treat as nothing named
    previous.resources = {r.code for r in old.resources}
    previous.items = {(r.code, i.code) for r in old.resources for i in r.items}
    previous.members = {m.code for m in old.members}
    previous.keys = {k.key_id for m in old.members for k in m.keys}
    previous.grants = {g.id for g in old.grants}
    return previous


def _set_fields(obj: Any, values: dict[str, Any]) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return bool(changed)


def _move_to(obj: Any, table: Any, target: str, serial: int) -> bool:
    current = str(obj.status)
    if current == target:
        return False
    action = table.action_to(current, target)
    if action is None:
        raise ServiceError({"__all__": [f"{obj}: no move from {current} to {target}"]})
    move(obj, table, action, actor=None, note=f"central configuration {serial}")
    return True


def _earliest(*moments: dt.datetime | None) -> dt.datetime | None:
    present = [m for m in moments if m is not None]
    return min(present) if present else None


def apply(cfg: Configuration, previous: Previous, now: dt.datetime) -> Applied:
    applied = Applied()
    departments = {
        d.code: d
        for d in Department.objects.filter(
            code__in={r.department for r in cfg.resources} | {m.department for m in cfg.members}
        )
    }
    resources = _apply_resources(cfg, departments, previous, applied)
    members = _apply_members(cfg, departments, previous, applied, now)
    _apply_grants(cfg, resources, members, previous, applied, now)
    return applied


def _apply_resources(
    cfg: Configuration,
    departments: dict[str, Department],
    previous: Previous,
    applied: Applied,
) -> dict[str, DataResource]:
    elements = {
        e.code: e
        for e in DataElement.objects.filter(
            code__in={i.element for r in cfg.resources for i in r.items if i.element}
        )
    }
    existing = {
        r.code: r for r in DataResource.objects.filter(code__in={r.code for r in cfg.resources})
    }
    result: dict[str, DataResource] = {}
    for entry in cfg.resources:
        department = departments.get(entry.department)
        if department is None:
            applied.skipped.append(f"resource {entry.code} (department {entry.department})")
            continue
        values = {
            "department_id": department.pk,
            "name": entry.name,
            "name_en": entry.name_en,
            "description": entry.description,
            "description_en": entry.description_en,
            "update_frequency": entry.update_frequency.value,
            "source_system": entry.source_system,
            "data_format": entry.data_format.value,
            "open_to_public": entry.open_to_public,
            "upstream_id": entry.upstream_id,
        }
        resource = existing.get(entry.code)
        if resource is None:
            resource = DataResource.objects.create(code=entry.code, status=entry.status, **values)
            applied.count(applied.created, "resources")
        else:
            changed = _set_fields(resource, values)
            if changed:
                resource.save()
            if _move_to(resource, RESOURCE, entry.status, cfg.serial) or changed:
                applied.count(applied.updated, "resources")
        result[entry.code] = resource
        _apply_items(resource, entry, elements, previous, applied)
    gone = previous.resources - {r.code for r in cfg.resources}
    for resource in DataResource.objects.filter(code__in=gone, status=ResourceStatus.PUBLISHED):
        _move_to(resource, RESOURCE, ResourceStatus.WITHDRAWN, cfg.serial)
        applied.count(applied.retired, "resources")
    return result


def _apply_items(
    resource: DataResource,
    entry: ResourceConfig,
    elements: dict[str, DataElement],
    previous: Previous,
    applied: Applied,
) -> None:
    existing = {i.code: i for i in resource.items.all()}
    for item in entry.items:
        if item.share_class != ShareClass.UNCONDITIONAL and not item.legal_basis:
            raise BundleRefused(
                Reason.MALFORMED, f"item {entry.code}/{item.code} has no legal basis"
            )
        values = {
            "element_id": element.pk if (element := elements.get(item.element)) else None,
            "name": item.name,
            "name_en": item.name_en,
            "share_class": item.share_class.value,
            "legal_basis": item.legal_basis,
            "grade": int(item.grade),
            "personal_number": item.personal_number,
            "sort_order": item.sort_order,
        }
        row = existing.get(item.code)
        if row is None:
            DataItem.objects.create(resource=resource, code=item.code, **values)
            applied.count(applied.created, "items")
        elif _set_fields(row, values):
            row.save()
            applied.count(applied.updated, "items")
    named = {i.code for i in entry.items}
    for code, row in existing.items():
        # Left out by the centre after it had sent it: no longer shared, kept for history.
        gone = (entry.code, code) in previous.items and code not in named
        if gone and row.share_class != ShareClass.NOT_SHARED:
            row.share_class = ShareClass.NOT_SHARED
            row.legal_basis = row.legal_basis or "removed from the central catalogue"
            row.save(update_fields=["share_class", "legal_basis"])
            applied.count(applied.retired, "items")


def _apply_members(
    cfg: Configuration,
    departments: dict[str, Department],
    previous: Previous,
    applied: Applied,
    now: dt.datetime,
) -> dict[str, MemberSystem]:
    existing = {
        m.code: m for m in MemberSystem.objects.filter(code__in={m.code for m in cfg.members})
    }
    result: dict[str, MemberSystem] = {}
    for entry in cfg.members:
        department = departments.get(entry.department)
        if department is None:
            applied.skipped.append(f"member {entry.code} (department {entry.department})")
            continue
        values = {
            "department_id": department.pk,
            "name": entry.name,
            "name_en": entry.name_en,
            "dengbao_grade": entry.dengbao_grade,
            "key_protection": entry.key_protection.value,
        }
        member = existing.get(entry.code)
        if member is None:
            member = MemberSystem(code=entry.code, status=entry.status.value, **values)
            member.save()
            applied.count(applied.created, "members")
        else:
            changed = _set_fields(member, values)
            if changed:
                member.save()
            if _move_to(member, MEMBER, entry.status.value, cfg.serial) or changed:
                applied.count(applied.updated, "members")
        result[entry.code] = member
        _apply_keys(member, entry, applied, now)
    gone = previous.members - {m.code for m in cfg.members}
    for member in MemberSystem.objects.filter(code__in=gone, status=MemberStatus.ACTIVE):
        _move_to(member, MEMBER, MemberStatus.SUSPENDED, cfg.serial)
        applied.count(applied.retired, "members")
    named_keys = {k.key_id for m in cfg.members for k in m.keys}
    for key in MemberKey.objects.filter(
        key_id__in=previous.keys - named_keys, revoked_at__isnull=True
    ):
        if key.valid_until is None or key.valid_until > now:
            key.valid_until = now
            key.save(update_fields=["valid_until"])
            applied.count(applied.retired, "keys")
    return result


def _apply_keys(
    member: MemberSystem, entry: MemberConfig, applied: Applied, now: dt.datetime
) -> None:
    existing = {
        k.key_id: k for k in MemberKey.objects.filter(key_id__in={k.key_id for k in entry.keys})
    }
    for item in entry.keys:
        key = existing.get(item.key_id)
        if key is None:
            if not item.public_key:
                continue  # already ended at the centre: nothing to trust here
            try:
                public = base64.b64decode(item.public_key, validate=True)
            except (binascii.Error, ValueError):
                raise BundleRefused(
                    Reason.MALFORMED, f"key {item.key_id}: public_key is not base64"
                ) from None
            MemberKey.objects.create(
                member=member,
                key_id=item.key_id,
                algorithm=item.algorithm,
                public_key=public,
                valid_from=required(item.valid_from),
                valid_until=aware(item.valid_until),
                revoked_at=aware(item.revoked_at),
            )
            applied.count(applied.created, "keys")
            continue
        if key.member_id != member.pk:
            applied.skipped.append(f"key {item.key_id} (belongs to another member here)")
            continue
        # A revocation or an end is never undone by a bundle: the earlier moment wins.
        values = {
            "revoked_at": _earliest(key.revoked_at, aware(item.revoked_at)),
            "valid_until": _earliest(key.valid_until, aware(item.valid_until))
            if key.valid_until is not None and item.valid_until is not None
            else (key.valid_until or aware(item.valid_until)),
        }
        if _set_fields(key, values):
            key.save(update_fields=list(values))
            applied.count(applied.updated, "keys")


def _apply_grants(
    cfg: Configuration,
    resources: dict[str, DataResource],
    members: dict[str, MemberSystem],
    previous: Previous,
    applied: Applied,
    now: dt.datetime,
) -> None:
    refs = {g.id for g in cfg.grants} | previous.grants
    existing = {g.central_ref: g for g in Grant.objects.filter(central_ref__in=refs)}
    for entry in cfg.grants:
        resource, member = resources.get(entry.resource), members.get(entry.member)
        if resource is None or member is None:
            applied.skipped.append(f"grant {entry.id} ({entry.member} → {entry.resource})")
            continue
        items = {i.code: i for i in resource.items.all()}
        unknown = sorted((set(entry.fields) | set(entry.full_fields)) - set(items))
        if unknown:
            raise BundleRefused(
                Reason.MALFORMED, f"grant {entry.id} names unknown items {', '.join(unknown)[:80]}"
            )
        grant = existing.get(entry.id)
        values = {
            "member_id": member.pk,
            "resource_id": resource.pk,
            "purpose": entry.purpose,
            "legal_basis": entry.legal_basis,
            "granted_at": required(entry.granted_at),
            "expires_at": aware(entry.expires_at),
            "rate_per_minute": entry.rate_per_minute,
            "rate_per_day": entry.rate_per_day,
            # a revocation made here is never undone: the earlier moment wins
            "revoked_at": _earliest(grant.revoked_at if grant else None, aware(entry.revoked_at)),
            "revocation_reason": (grant.revocation_reason if grant and grant.revoked_at else "")
            or entry.revocation_reason,
        }
        if grant is None:
            grant = Grant.objects.create(central_ref=entry.id, **values)
            applied.count(applied.created, "grants")
            changed = True
        else:
            changed = _set_fields(grant, values)
            if changed:
                grant.save()
        wanted = {items[c].pk for c in entry.fields}
        wanted_full = {items[c].pk for c in entry.full_fields}
        if set(grant.fields.values_list("pk", flat=True)) != wanted:
            grant.fields.set(wanted)
            changed = True
        if set(grant.full_fields.values_list("pk", flat=True)) != wanted_full:
            grant.full_fields.set(wanted_full)
            changed = True
        if changed and entry.id in existing:
            applied.count(applied.updated, "grants")
    for ref in previous.grants - {g.id for g in cfg.grants}:
        grant = existing.get(ref)
        if grant is not None and grant.revoked_at is None:
            grant.revoked_at = now
            grant.revocation_reason = "removed from the central configuration"
            grant.save(update_fields=["revoked_at", "revocation_reason"])
            applied.count(applied.retired, "grants")
