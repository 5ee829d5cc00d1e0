"""Sync the records of a resource from its data sources (provider adapters, issue 13).

``sync_source(source)`` reads the source (``adapters.read_source``) and, unless what it read
is the same as last time, brings the resource's ``DataRecord`` rows in line with it:

- a row's key is the value of the source's key column, normalised ``key.strip().upper()``
  (the gateway looks records up the same way); its values are the mapped columns as JSON
  ``{item_code: value}``; its fingerprint is the keyed digest of that JSON
  (``tongban.core.crypto.fields.digest("text", ...)``);
- a key not held yet is **added**; a held key whose fingerprint differs (or that had been
  removed and is back) is **changed**; the same fingerprint is **unchanged**;
- a record this source wrote before whose key is no longer in the source is marked
  **removed** (``removed_at``), and un-removed when the key comes back;
- a row is **refused** — and named by source, row and field in the run's errors — when its
  key is empty, when its key appears on more than one row (every such row is refused), or
  when a value fails its item's data-element check (resident ID numbers, credit codes,
  mobile numbers, e-mail addresses, dates, numbers). Items off the dictionary whose code
  ends ``.id_number`` or ``.uscc`` are checked as resident ID numbers and credit codes. A
  refused row's record, if any, stays as it was (neither changed nor removed).

"Unchanged" means: the sha256 of the file's bytes (or of the query's result) and the
mapping are both what the last good sync saw; then the run is recorded as ``unchanged``
and nothing else is read. A changed mapping always syncs in full.

Every run writes a ``SyncRun`` and an audit record ``exchange.sync`` (counts only, never a
value). ``sync_due()`` runs the enabled sources whose interval has passed (the periodic job
``exchange.sync``). ``sources_summary(resource)`` is what the resource page shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.models import DataType
from tongban.core.audit import record_audit
from tongban.core.crypto.fields import digest
from tongban.core.errors import ServiceError, messages_of
from tongban.core.identifiers import validate_mobile, validate_resident_id, validate_uscc

from . import adapters
from .models import DataItem, DataRecord, DataResource, DataSource, SyncRun, SyncStatus

MAX_ERRORS = 200
SUMMARY_ERRORS = 5


# --- mapping ------------------------------------------------------------------------------


def normalise_key(value: str) -> str:
    """The one spelling of a record key (the gateway looks records up the same way)."""
    return value.strip().upper()


def key_digest(value: str) -> str | None:
    """The ``DataRecord.key_digest`` of a record key as a source or a query gives it."""
    return digest("text", normalise_key(value))


def validate_mapping(source: DataSource, items: Iterable[DataItem] | None = None) -> None:
    """Check that the mapping is ``{column: item code}`` with every item of the source's
    resource, no item mapped twice, and the key column mapped. Raises ``ServiceError``
    (fields ``mapping`` or ``key_column``) naming the source."""
    codes = {i.code for i in (items if items is not None else source.resource.items.all())}
    mapping = source.mapping
    if not isinstance(mapping, dict) or not mapping:
        raise adapters.source_error(
            source, _('map source columns to data items: {"column": "item code"}.'), "mapping"
        )
    seen: dict[str, str] = {}
    for column, code in mapping.items():
        if not isinstance(code, str) or not str(column).strip():
            raise adapters.source_error(
                source, _('map source columns to data items: {"column": "item code"}.'), "mapping"
            )
        if code not in codes:
            raise adapters.source_error(
                source,
                _("column %(column)s is mapped to %(item)s, which is not an item of %(resource)s.")
                % {"column": column, "item": code, "resource": source.resource.code},
                "mapping",
            )
        if code in seen:
            raise adapters.source_error(
                source,
                _("columns %(first)s and %(second)s are both mapped to %(item)s.")
                % {"first": seen[code], "second": column, "item": code},
                "mapping",
            )
        seen[code] = str(column)
    if not source.key_column.strip():
        raise adapters.source_error(source, _("name the key column."), "key_column")
    if source.key_column not in mapping:
        raise adapters.source_error(
            source,
            _("the key column %(column)s must be mapped to a data item.")
            % {"column": source.key_column},
            "key_column",
        )


def config_digest(source: DataSource) -> str:
    """Of what decides how rows become records: a changed mapping forces a full sync."""
    text = json.dumps(
        [source.kind, source.selector, source.key_column, source.mapping],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def source_fingerprint(source: DataSource, sha256: str) -> str:
    return hashlib.sha256(f"{sha256}|{config_digest(source)}".encode()).hexdigest()


# --- checking values ----------------------------------------------------------------------


def _check_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationError(_("Enter a date like 2026-03-15.")) from None


def _check_number(value: str) -> str:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    return format(number, "f")


def _check_email(value: str) -> str:
    validate_email(value)
    return value


CHECKS: dict[str, Callable[[str], str]] = {
    DataType.ID_NUMBER: validate_resident_id,
    DataType.USCC: validate_uscc,
    DataType.PHONE: validate_mobile,
    DataType.EMAIL: _check_email,
    DataType.DATE: _check_date,
    DataType.NUMBER: _check_number,
}


def value_check(item: DataItem) -> Callable[[str], str] | None:
    """The check (returning the normalised value, raising ``ValidationError``) of an item's
    values, from its data element, else from its code for the two national identifiers."""
    if item.element is not None:
        return CHECKS.get(item.element.data_type)
    attribute = item.code.rsplit(".", 1)[-1]
    if attribute == "id_number":
        return validate_resident_id
    if attribute == "uscc":
        return validate_uscc
    return None


# --- the sync -----------------------------------------------------------------------------


@dataclass
class _Outcome:
    rows_read: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    refused: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "field": column, "message": message})


@dataclass(frozen=True)
class _Accepted:
    row: int
    key: str
    digest: str
    values: str
    fingerprint: str


def _canonical(values: dict[str, str]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _message(exc: ValidationError) -> str:
    return "; ".join(m for msgs in messages_of(exc).values() for m in msgs)


def _check_rows(
    source: DataSource, snapshot: adapters.Snapshot, items: dict[str, DataItem], out: _Outcome
) -> tuple[list[_Accepted], set[str]]:
    """The rows that become records, and the digests of keys whose rows were refused."""
    mapping: dict[str, str] = source.mapping
    checks = {column: value_check(items[code]) for column, code in mapping.items()}
    key_column = source.key_column
    by_key: dict[str, list[int]] = {}
    candidates: list[tuple[int, str, dict[str, str]]] = []
    kept: set[str] = set()
    refused_rows: set[int] = set()
    for number, raw in snapshot.rows:
        out.rows_read += 1
        values: dict[str, str] = {}
        bad = False
        for column, code in mapping.items():
            value = raw.get(column, "").strip()
            check = checks[column]
            if value and check is not None:
                try:
                    value = check(value)
                except ValidationError as exc:
                    out.refuse(number, column, _message(exc))
                    bad = True
                    continue
            values[code] = value
        key = normalise_key(raw.get(key_column, ""))
        if not key:
            out.refuse(number, key_column, _("The key is empty."))
            bad = True
        else:
            by_key.setdefault(key, []).append(number)
        if bad:
            refused_rows.add(number)
            if key:
                kept.add(key)
            continue
        candidates.append((number, key, values))
    for key, numbers in by_key.items():
        if len(numbers) > 1:
            kept.add(key)
            for number in numbers:
                others = ", ".join(str(n) for n in numbers if n != number)
                out.refuse(
                    number,
                    key_column,
                    _("The same key is on rows %(rows)s too; none of them is synced.")
                    % {"rows": others},
                )
                refused_rows.add(number)
    out.refused = len(refused_rows)
    accepted = []
    for number, key, values in candidates:
        if number in refused_rows:
            continue
        text = _canonical(values)
        accepted.append(
            _Accepted(number, key, key_digest(key) or "", text, digest("text", text) or "")
        )
    return accepted, {key_digest(k) or "" for k in kept}


def _apply(
    source: DataSource, accepted: list[_Accepted], kept: set[str], now: dt.datetime, out: _Outcome
) -> None:
    resource_id = source.resource_id
    held = {r.key_digest: r for r in DataRecord.objects.filter(resource_id=resource_id)}
    seen_unchanged: list[int] = []
    present = {a.digest for a in accepted} | kept
    for row in accepted:
        record = held.get(row.digest)
        if record is None:
            DataRecord.objects.create(
                resource_id=resource_id,
                source=source,
                key=row.key,
                values=row.values,
                fingerprint=row.fingerprint,
                updated_at=now,
                seen_at=now,
            )
            out.added += 1
        elif (
            record.fingerprint != row.fingerprint
            or record.removed_at is not None
            or record.source_id != source.pk
        ):
            record.values = row.values
            record.fingerprint = row.fingerprint
            record.source = source
            record.updated_at = now
            record.seen_at = now
            record.removed_at = None
            record.save(
                update_fields=[
                    "values",
                    "fingerprint",
                    "source",
                    "updated_at",
                    "seen_at",
                    "removed_at",
                ]
            )
            out.changed += 1
        else:
            seen_unchanged.append(record.pk)
            out.unchanged += 1
    if seen_unchanged:
        DataRecord.objects.filter(pk__in=seen_unchanged).update(seen_at=now)
    gone = [
        r.pk
        for d, r in held.items()
        if d not in present and r.source_id == source.pk and r.removed_at is None
    ]
    if gone:
        out.removed = DataRecord.objects.filter(pk__in=gone).update(removed_at=now)


def _finish(
    source: DataSource,
    *,
    status: str,
    started: dt.datetime,
    out: _Outcome,
    actor: Any,
    message: str = "",
    fingerprint: str | None = None,
) -> SyncRun:
    now = timezone.now()
    run = SyncRun.objects.create(
        source=source,
        started_at=started,
        finished_at=now,
        status=status,
        rows_read=out.rows_read,
        added=out.added,
        changed=out.changed,
        unchanged=out.unchanged,
        removed=out.removed,
        refused=out.refused,
        errors=out.errors,
        message=message,
    )
    source.last_synced_at = now
    update = ["last_synced_at"]
    if fingerprint is not None:
        source.last_fingerprint = fingerprint
        update.append("last_fingerprint")
    source.save(update_fields=update)
    record_audit(
        actor,
        "exchange.sync",
        run,
        stream="exchange",
        meta={
            "source": source.code,
            "resource": source.resource.code,
            "status": status,
            "rows_read": out.rows_read,
            "added": out.added,
            "changed": out.changed,
            "unchanged": out.unchanged,
            "removed": out.removed,
            "refused": out.refused,
        },
    )
    return run


def sync_source(source: DataSource, *, actor: Any = None, force: bool = False) -> SyncRun:
    """Sync one source into its resource's records and return the ``SyncRun``.

    Never raises for a bad source or bad rows: an unreadable source or a wrong mapping gives
    a ``failed`` run whose message names the source and the problem; refused rows give a
    ``partial`` run listing them by row and field. ``force`` syncs even when the source is
    unchanged."""
    started = timezone.now()
    out = _Outcome()
    items = {i.code: i for i in source.resource.items.select_related("element")}
    try:
        validate_mapping(source, items.values())
        snapshot = adapters.read_source(source)
        if snapshot.columns is not None:
            missing = [c for c in source.mapping if c not in snapshot.columns]
            if missing:
                raise adapters.source_error(
                    source,
                    _("the columns %(columns)s are mapped but not in the source.")
                    % {"columns": ", ".join(missing)},
                    "mapping",
                )
    except ServiceError as exc:
        with transaction.atomic():
            return _finish(
                source, status=SyncStatus.FAILED, started=started, out=out, actor=actor,
                message=_message(exc),
            )  # fmt: skip
    fingerprint = source_fingerprint(source, snapshot.sha256)
    if not force and fingerprint == source.last_fingerprint:
        with transaction.atomic():
            return _finish(
                source, status=SyncStatus.UNCHANGED, started=started, out=out, actor=actor
            )
    accepted, kept = _check_rows(source, snapshot, items, out)
    try:
        with transaction.atomic():
            _apply(source, accepted, kept, timezone.now(), out)
            status = SyncStatus.PARTIAL if out.refused else SyncStatus.OK
            return _finish(
                source, status=status, started=started, out=out, actor=actor,
                fingerprint=fingerprint,
            )  # fmt: skip
    except DatabaseError as exc:
        failed = _Outcome(rows_read=out.rows_read, refused=out.refused, errors=out.errors)
        with transaction.atomic():
            return _finish(
                source, status=SyncStatus.FAILED, started=started, out=failed, actor=actor,
                message=_("Data source %(source)s: the records could not be saved (%(error)s).")
                % {"source": source.code, "error": exc.__class__.__name__},
            )  # fmt: skip


def due_sources(now: dt.datetime | None = None) -> list[DataSource]:
    """Enabled sources never synced or whose interval has passed since the last run."""
    now = now or timezone.now()
    sources = DataSource.objects.filter(enabled=True).select_related("resource")
    return [
        s
        for s in sources
        if s.last_synced_at is None
        or s.last_synced_at + timedelta(minutes=s.interval_minutes) <= now
    ]


def sync_due(now: dt.datetime | None = None, *, actor: Any = None) -> list[SyncRun]:
    """Sync every due source (the periodic job ``exchange.sync``); one run each."""
    return [sync_source(s, actor=actor) for s in due_sources(now)]


def sync_codes(codes: Iterable[str], *, actor: Any = None, force: bool = False) -> list[SyncRun]:
    """Sync the sources named by code. Raises ``ServiceError`` (field ``source``) naming any
    code that is not a source, before syncing anything."""
    wanted = [c.strip().lower() for c in codes]
    sources = {
        s.code: s for s in DataSource.objects.filter(code__in=wanted).select_related("resource")
    }
    unknown = [c for c in wanted if c not in sources]
    if unknown:
        raise ServiceError(
            {"source": [_("There is no data source %(code)s.") % {"code": ", ".join(unknown)}]}
        )
    return [sync_source(sources[c], actor=actor, force=force) for c in wanted]


# --- what the resource page shows ---------------------------------------------------------


@dataclass(frozen=True)
class SourceSummary:
    """One source of a resource as the resource page lists it (no values, no passwords)."""

    code: str
    kind: str
    kind_label: str
    location: str
    enabled: bool
    interval_minutes: int
    last_run: SyncRun | None
    # The last run that read rows (an ``unchanged`` run reads none): its counts and errors.
    last_full_run: SyncRun | None
    records: int
    removed: int
    errors: list[dict[str, Any]]
    more_errors: int


def sources_summary(resource: DataResource) -> list[SourceSummary]:
    """The sources of ``resource`` with their last run, counts and first refused rows."""
    from django.db.models import Count, Q

    sources = list(
        resource.sources.annotate(
            held=Count("records", filter=Q(records__removed_at__isnull=True)),
            gone=Count("records", filter=Q(records__removed_at__isnull=False)),
        ).order_by("code")
    )
    result = []
    for source in sources:
        runs = list(source.runs.order_by("-started_at", "-pk")[:50])
        last = runs[0] if runs else None
        full = next((r for r in runs if r.status != SyncStatus.UNCHANGED), None)
        errors = list(full.errors) if full else []
        result.append(
            SourceSummary(
                code=source.code,
                kind=source.kind,
                kind_label=str(source.get_kind_display()),
                location=adapters.shown_location(source),
                enabled=source.enabled,
                interval_minutes=source.interval_minutes,
                last_run=last,
                last_full_run=full,
                records=getattr(source, "held", 0),
                removed=getattr(source, "gone", 0),
                errors=errors[:SUMMARY_ERRORS],
                more_errors=max(0, len(errors) - SUMMARY_ERRORS),
            )
        )
    return result
