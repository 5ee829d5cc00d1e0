"""Import a catalogue document (JSON or a read spreadsheet) in one transaction.

Two phases: every record is first cleaned and checked against the quality rules without
writing anything (progress is reported as it goes); if any record has an error,
``CatalogImportError`` carries the report and nothing is written. Otherwise one transaction
checks the records again against what is stored by then (a department may have been deleted
meanwhile) and upserts themes, items and bundles by code; an item whose record equals what
is stored is left alone, so importing the same file twice changes nothing.

The ``apply_*`` functions are the single write path for records: ``services.save_item``
and ``services.save_bundle`` use them too. They never write a status: a new item or bundle
is created as a draft, and the status its record asks for is reached by a guarded move
(``catalog.transitions``), as from the services and the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.catalog import quality
from tongban.catalog.changes import catalogue_changed
from tongban.catalog.io import xlsx_format
from tongban.catalog.io.exporter import bundles_by_code, items_by_code, themes_by_code
from tongban.catalog.io.json_format import (
    BUNDLE_FIELDS,
    CHILDREN,
    DEPENDENCIES,
    ITEM_FIELDS,
    KEEP_WHEN_ABSENT,
    REF,
    REFS,
    THEME_FIELDS,
    CatalogueFormatError,
    Problem,
    Refs,
    check_document,
    clean_bundle,
    clean_item,
    clean_theme,
    field_path,
    load_json,
)
from tongban.catalog.models import (
    Bundle,
    BundleMember,
    CatalogImport,
    ImportStatus,
    ItemStatus,
    ServiceItem,
    Theme,
)
from tongban.catalog.transitions import IMPORT, ImportAction, set_bundle_status, set_item_status
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.identifiers import normalise, validate_landline
from tongban.core.transitions import move
from tongban.org.models import Department

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportIssue:
    """One problem, located: sheet (or list), row number, field (or column header)."""

    sheet: str
    row: int
    field: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        return gettext("%(sheet)s row %(row)s, %(field)s: %(message)s") % {
            "sheet": self.sheet, "row": self.row, "field": self.field, "message": self.message,
        }  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet, "row": self.row, "field": self.field,
            "message": self.message, "code": self.code, "text": str(self),
        }  # fmt: skip


KINDS = ("themes", "items", "bundles")
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class ImportReport:
    total_rows: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {k: dict.fromkeys(OUTCOMES, 0) for k in KINDS}
    )

    def summary(self) -> dict[str, Any]:
        return {"total_rows": self.total_rows, "counts": self.counts}


class CatalogImportError(Exception):
    """Raised when any record has an error; nothing was written. ``report`` says what."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("; ".join(str(e) for e in report.errors[:5]))
        self.report = report


# --- Where a problem is --------------------------------------------------------------------


class JsonLayout:
    """Locates problems in a JSON document: list name, 1-based position, field path."""

    def locate(
        self, kind: str, index: int, raw: Mapping[str, Any], path: tuple[Any, ...]
    ) -> tuple[str, int, str]:
        return kind, index + 1, field_path(path)


class XlsxLayout:
    """Locates problems in a read spreadsheet: sheet title, Excel row, column header."""

    def locate(
        self, kind: str, index: int, raw: Mapping[str, Any], path: tuple[Any, ...]
    ) -> tuple[str, int, str]:
        row = int(raw.get("_row") or index + 2)
        if len(path) >= 2 and isinstance(path[1], int):
            child_kind, child_index = str(path[0]), path[1]
            children = raw.get(child_kind) or []
            child = children[child_index] if child_index < len(children) else {}
            child_row = int(child.get("_row") or 0) if isinstance(child, Mapping) else 0
            name = str(path[2]) if len(path) > 2 else ""
            return (
                xlsx_format.sheet_title(child_kind),
                child_row,
                xlsx_format.header_for(child_kind, name),
            )
        return xlsx_format.sheet_title(kind), row, xlsx_format.header_for(kind, str(path[0]))


def _issues(
    layout: JsonLayout | XlsxLayout,
    kind: str,
    index: int,
    raw: Mapping[str, Any],
    problems: list[Problem],
) -> list[ImportIssue]:
    issues = []
    for path, message in problems:
        sheet, row, label = layout.locate(kind, index, raw, path)
        issues.append(ImportIssue(sheet, row, label, str(message)))
    return issues


# --- Writing records -----------------------------------------------------------------------


@dataclass
class RefIds:
    departments: dict[str, int]
    themes: dict[str, int]

    @classmethod
    def load(cls) -> RefIds:
        return cls(
            departments=dict(Department.objects.values_list("code", "id")),
            themes=dict(Theme.objects.values_list("code", "id")),
        )


def apply_theme(data: Mapping[str, Any]) -> tuple[Theme, bool]:
    values = {s.name: data[s.name] for s in THEME_FIELDS if s.name != "code"}
    theme, created = Theme.objects.update_or_create(code=data["code"], defaults=values)
    return theme, created


def apply_item(data: Mapping[str, Any], ids: RefIds) -> tuple[ServiceItem, bool]:
    """Create or replace one item (children replaced, themes and regions set).

    The status is left as stored (a new item is a draft): move it with
    ``transitions.set_item_status``.
    """
    values = {
        s.name: data[s.name]
        for s in ITEM_FIELDS
        if s.kind not in (REF, REFS) and s.name != "status"
    }
    values["department_id"] = ids.departments[data["department"]]
    item = ServiceItem.objects.filter(implementation_code=data["implementation_code"]).first()
    created = item is None
    if item is None:
        item = ServiceItem()
    for name, value in values.items():
        setattr(item, name, value)
    if created:
        item.save()
    else:
        item.save(update_fields=[*values, "updated_at"])
    for key, (specs, model) in CHILDREN.items():
        if not created:
            model._default_manager.filter(item=item).delete()
        rows = [model(item=item, **{s.name: row[s.name] for s in specs}) for row in data[key]]
        model._default_manager.bulk_create(rows)
    item.themes.set([ids.themes[c] for c in data["themes"]])
    item.regions.set(list(data["regions"]))
    return item, created


def apply_bundle(data: Mapping[str, Any], ids: RefIds) -> tuple[Bundle, bool]:
    """Create or replace one bundle (members in order); the status is left as stored (a new
    bundle is a draft): move it with ``transitions.set_bundle_status``."""
    plain = {
        s.name: data[s.name]
        for s in BUNDLE_FIELDS
        if s.kind not in (REF, REFS) and s.name not in ("code", "status")
    }
    plain["lead_department_id"] = ids.departments[data["lead_department"]]
    bundle, created = Bundle.objects.update_or_create(code=data["code"], defaults=plain)
    bundle.partner_departments.set([ids.departments[c] for c in data["partner_departments"]])
    bundle.themes.set([ids.themes[c] for c in data["themes"]])
    member_ids = dict(
        ServiceItem.objects.filter(implementation_code__in=data["members"]).values_list(
            "implementation_code", "id"
        )
    )
    if DEPENDENCIES in data:
        waits = list(data[DEPENDENCIES])
    else:  # left out of the record: keep the stored waits between its members
        waits = kept_dependencies(bundle, data["members"])
    BundleMember.objects.filter(bundle=bundle).delete()
    BundleMember.objects.bulk_create(
        BundleMember(bundle=bundle, item_id=member_ids[code], sort_order=n)
        for n, code in enumerate(data["members"], start=1)
    )
    if waits:
        rows = {
            m.item.implementation_code: m
            for m in BundleMember.objects.filter(bundle=bundle).select_related("item")
        }
        for entry in waits:
            before, after = entry.split("->")
            member = rows[after]
            member.depends_on = rows[before]
            member.save(update_fields=["depends_on"])
    return bundle, created


def kept_dependencies(bundle: Bundle, members: Iterable[str]) -> list[str]:
    """The stored waits of ``bundle`` between members that stay in it."""
    codes = set(members)
    rows = BundleMember.objects.filter(bundle=bundle, depends_on__isnull=False).values_list(
        "depends_on__item__implementation_code", "item__implementation_code"
    )
    return sorted(f"{b}->{a}" for b, a in rows if a in codes and b in codes)


def keep_stored_when_absent(
    raw: Mapping[str, Any], clean: dict[str, Any], stored: Mapping[str, Any] | None
) -> None:
    """Fields of ``KEEP_WHEN_ABSENT`` that ``raw`` leaves out (or blank) keep the stored
    item's value instead of the default: an old file never declassifies an item or lowers
    the identity it requires. A new item (``stored`` None) keeps the default."""
    if stored is None:
        return
    for name in KEEP_WHEN_ABSENT:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            clean[name] = stored[name]


def reindex_after_commit(item_ids: list[int]) -> None:
    """Have these items reindexed (and cached pages renewed) once the transaction commits.

    Model signals already report every saved item; this also covers writes that bypass
    them (bulk updates of children).
    """
    catalogue_changed(item_ids)


# --- Checking records ----------------------------------------------------------------------


# The rule between bundles and items: a published bundle lists only published items. It is
# checked from both sides, here and nowhere else: ``member_problems`` when a bundle is saved or
# published, ``listed_item_problems`` when an item is saved or withdrawn.


def member_problems(
    status: str, members: Iterable[str], item_statuses: Mapping[str, str]
) -> list[Problem]:
    """A bundle of ``status`` with these member codes: are all members published if it is?"""
    if status != ItemStatus.PUBLISHED:
        return []
    unpublished = [c for c in members if item_statuses.get(c) != ItemStatus.PUBLISHED]
    if not unpublished:
        return []
    return [(("members",), _("A published bundle needs published members; not published: "
                             "%(codes)s.") % {"codes": "^".join(unpublished)})]  # fmt: skip


def published_bundles_by_item(
    item_codes: Iterable[str] | None = None, *, exclude: Iterable[str] = ()
) -> dict[str, list[str]]:
    """The stored published bundles that list each item: implementation code -> bundle codes.

    ``item_codes`` limits the items looked at (all when None); bundles whose code is in
    ``exclude`` are left out (an import replaces them with its own records).
    """
    rows = BundleMember.objects.filter(bundle__status=ItemStatus.PUBLISHED)
    if item_codes is not None:
        rows = rows.filter(item__implementation_code__in=list(item_codes))
    excluded = list(exclude)
    if excluded:
        rows = rows.exclude(bundle__code__in=excluded)
    result: dict[str, list[str]] = {}
    pairs = rows.order_by("bundle__code").values_list("item__implementation_code", "bundle__code")
    for item_code, bundle_code in pairs:
        result.setdefault(item_code, []).append(bundle_code)
    return result


def listed_item_problems(status: str, bundle_codes: list[str]) -> list[Problem]:
    """An item of ``status`` listed by these published bundles: may it leave published?"""
    if status == ItemStatus.PUBLISHED or not bundle_codes:
        return []
    return [(("status",), _("Withdraw the published bundles that include this item first: "
                            "%(codes)s.") % {"codes": ", ".join(bundle_codes)})]  # fmt: skip


def bundle_problems(data: Mapping[str, Any], item_statuses: Mapping[str, str]) -> list[Problem]:
    """Checks of a clean bundle record beyond its field types."""
    problems: list[Problem] = []
    phone = data.get("consult_phone") or ""
    if phone:
        try:
            validate_landline(phone)
        except ValidationError as exc:
            problems.append((("consult_phone",), exc.messages[0]))
    problems += member_problems(str(data.get("status") or ""), data["members"], item_statuses)
    return problems


def item_findings(
    data: Mapping[str, Any],
    audiences: Mapping[str, str],
    severities: Mapping[str, str],
) -> tuple[list[Problem], list[Problem]]:
    """Quality findings of a clean item record, as (errors, warnings)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for finding in quality.check_item(data, audiences=audiences, severities=severities):
        (errors if finding.is_error else warnings).append(((finding.field,), finding.message))
    if data.get("status") == ItemStatus.PUBLISHED:
        errors.extend(((f.field,), f.message) for f in quality.publish_blockers(data))
    return errors, warnings


def _records(data: Mapping[str, Any], kind: str) -> list[Any]:
    records = data.get(kind) or []
    return list(records) if isinstance(records, list) else []


def import_catalogue_data(
    data: dict[str, Any], *, actor: Any, progress: Progress | None = None
) -> ImportReport:
    """Upsert the themes, items and bundles of a catalogue document, all or nothing.

    Items are matched by implementation code, themes and bundles by code; an item's
    materials, fees, steps and FAQs are replaced. Raises ``CatalogImportError`` (nothing
    written) when the document or any record has an error; warnings stay in the report.
    """
    layout: JsonLayout | XlsxLayout = JsonLayout()
    if data.get("_source") == "xlsx":
        layout = XlsxLayout()
    report = ImportReport()
    try:
        check_document(data)
    except CatalogueFormatError as exc:
        report.errors.append(ImportIssue("", 0, "", str(exc.message)))
        raise CatalogImportError(report) from exc
    raw = {kind: _records(data, kind) for kind in KINDS}
    report.total_rows = sum(len(v) for v in raw.values())
    # First pass, outside the write transaction so that progress shows while it runs.
    _validate(raw, layout, report, progress)
    for orphan in data.get("_orphans") or []:
        report.errors.append(ImportIssue(**orphan))
    if report.errors:
        raise CatalogImportError(report)
    _write(raw, layout, report, actor)
    return report


def _validate(
    raw: dict[str, list[Any]],
    layout: JsonLayout | XlsxLayout,
    report: ImportReport,
    progress: Progress | None,
) -> dict[str, list[dict[str, Any]]]:
    """Clean and check every record against the stored catalogue; add issues to ``report``."""
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, report.total_rows)

    refs = Refs.load()
    for record in raw["themes"]:
        if isinstance(record, Mapping) and record.get("code"):
            refs.themes[str(record["code"]).strip()] = str(record.get("audience") or "")
    for record in raw["items"]:
        if isinstance(record, Mapping) and record.get("implementation_code"):
            code = normalise(str(record["implementation_code"]))
            refs.items[code] = str(record.get("status") or ItemStatus.DRAFT)
    severities = quality.rule_severities()
    # Bundles of this file are checked from their own records (``bundle_problems``).
    file_bundles = [str(r.get("code") or "").strip() for r in raw["bundles"]
                    if isinstance(r, Mapping)]  # fmt: skip
    listed_in = published_bundles_by_item(exclude=file_bundles)

    clean: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    seen: dict[str, set[str]] = {kind: set() for kind in KINDS}
    key_field = {"themes": "code", "items": "implementation_code", "bundles": "code"}
    for kind in KINDS:
        for index, record in enumerate(raw[kind]):
            step()
            if not isinstance(record, Mapping):
                report.errors.append(
                    ImportIssue(kind, index + 1, "", gettext("Expected an object with fields."))
                )
                continue
            warnings: list[Problem] = []
            if kind == "themes":
                record_data, problems = clean_theme(record, refs)
            elif kind == "items":
                record_data, problems = clean_item(record, refs)
                if not problems:
                    problems, warnings = item_findings(record_data, refs.themes, severities)
                    problems += listed_item_problems(
                        record_data["status"], listed_in.get(record_data["implementation_code"], [])
                    )
            else:
                record_data, problems = clean_bundle(record, refs)
                if not problems:
                    problems = bundle_problems(record_data, refs.items)
            key = record_data[key_field[kind]]
            if key in seen[kind]:
                problems.append(((key_field[kind],), _("Appears twice in this file: %(code)s.")
                                 % {"code": key}))  # fmt: skip
            seen[kind].add(key)
            report.errors.extend(_issues(layout, kind, index, record, problems))
            report.warnings.extend(_issues(layout, kind, index, record, warnings))
            clean[kind].append(record_data)
    return clean


@transaction.atomic
def _write(
    raw: dict[str, list[Any]], layout: JsonLayout | XlsxLayout, report: ImportReport, actor: Any
) -> None:
    # Second pass, inside the transaction: what the first pass checked may have changed since
    # (a department deleted, an item withdrawn), and the records are written as checked here.
    recheck = ImportReport(total_rows=report.total_rows)
    clean = _validate(raw, layout, recheck, None)
    if recheck.errors:
        report.errors = recheck.errors
        raise CatalogImportError(report)
    counts = report.counts
    stored_themes = themes_by_code([t["code"] for t in clean["themes"]])
    for theme in clean["themes"]:
        if stored_themes.get(theme["code"]) == theme:
            counts["themes"]["unchanged"] += 1
            continue
        _obj, created = apply_theme(theme)
        counts["themes"]["created" if created else "updated"] += 1
    ids = RefIds.load()
    stored_items = items_by_code([i["implementation_code"] for i in clean["items"]])
    changed: list[int] = []
    # Every raw item was a mapping (or the first pass failed), so the lists line up.
    for raw_item, item_data in zip(raw["items"], clean["items"], strict=True):
        stored = stored_items.get(item_data["implementation_code"])
        keep_stored_when_absent(raw_item, item_data, stored)
        if stored == item_data:
            counts["items"]["unchanged"] += 1
            continue
        item, created = apply_item(item_data, ids)
        set_item_status(item, item_data["status"], actor=actor)
        changed.append(item.pk)
        counts["items"]["created" if created else "updated"] += 1
    stored_bundles = bundles_by_code([b["code"] for b in clean["bundles"]])
    for bundle_data in clean["bundles"]:
        stored_bundle = stored_bundles.get(bundle_data["code"])
        if DEPENDENCIES not in bundle_data:  # left out: the stored waits stay
            bundle_data[DEPENDENCIES] = sorted(
                entry
                for entry in (stored_bundle or {}).get(DEPENDENCIES, [])
                if set(entry.split("->")) <= set(bundle_data["members"])
            )
        comparable = {k: v for k, v in bundle_data.items() if k != DEPENDENCIES or v}
        if stored_bundle == comparable:
            counts["bundles"]["unchanged"] += 1
            continue
        bundle, created = apply_bundle(bundle_data, ids)
        set_bundle_status(bundle, bundle_data["status"], actor=actor)
        counts["bundles"]["created" if created else "updated"] += 1
    levels = sorted({int(i["classification"]) for i in clean["items"]})
    record_audit(actor, "catalog.catalogue.import", None, object_type="catalog.catalogue",
                 meta={"counts": counts, "warnings": len(report.warnings),
                       "classifications": levels})  # fmt: skip
    reindex_after_commit(changed)


# --- Imports uploaded through the management pages -----------------------------------------


def read_upload(fileobj: Any, file_format: str) -> dict[str, Any]:
    """Parse an uploaded file; raises ``CatalogueFormatError`` for a file-level problem."""
    if file_format == "xlsx":
        return xlsx_format.read_xlsx(fileobj)
    return load_json(fileobj)


def run_stored_import(import_id: int, language: str | None = None) -> None:
    """Parse and import the file of one ``CatalogImport``, recording progress and the result.

    The job is claimed by a guarded move (pending -> running); a job that another worker
    has claimed, or that has finished, is left alone, so running this twice is safe.
    """
    job = CatalogImport.objects.select_related("created_by").filter(pk=import_id).first()
    if job is None or job.status != ImportStatus.PENDING:
        return
    try:
        move(job, IMPORT, ImportAction.RUN, actor=job.created_by, audit_action="catalog.import.run",
             meta={"format": job.file_format})  # fmt: skip
    except ServiceError:
        return  # claimed by another worker between the read and the move
    with translation.override(language or translation.get_language()):

        def progress(done: int, total: int) -> None:
            if done == total or done % 25 == 0 or done == 1:
                CatalogImport.objects.filter(pk=job.pk).update(
                    processed_rows=done, total_rows=total
                )

        try:
            with job.file.open("rb") as fileobj:
                data = read_upload(fileobj, job.file_format)
            report = import_catalogue_data(data, actor=job.created_by, progress=progress)
        except CatalogueFormatError as exc:
            _finish(job, ImportAction.FAIL, [ImportIssue("", 0, "", str(exc.message))], [], {})
        except CatalogImportError as exc:
            r = exc.report
            _finish(job, ImportAction.FAIL, r.errors, r.warnings, r.summary())
        except Exception:  # a bug must still end the job with a message, not hang it
            logger.exception("catalogue import %s failed", import_id)
            message = gettext("The import stopped because of an internal error; nothing was "
                              "imported. Please tell the administrator.")  # fmt: skip
            _finish(job, ImportAction.FAIL, [ImportIssue("", 0, "", message)], [], {})
        else:
            _finish(job, ImportAction.SUCCEED, [], report.warnings, report.summary())


@transaction.atomic
def _finish(
    job: CatalogImport,
    action: str,
    errors: list[ImportIssue],
    warnings: list[ImportIssue],
    summary: dict[str, Any],
) -> None:
    """Record the result of a job with its move (audited as ``catalog.import.fail`` or
    ``catalog.import.succeed``, counts only)."""
    total = summary.get("total_rows", job.total_rows)
    move(
        job,
        IMPORT,
        action,
        actor=job.created_by,
        also={
            "errors": [e.as_dict() for e in errors],
            "warnings": [w.as_dict() for w in warnings],
            "summary": summary,
            "total_rows": total,
            "processed_rows": total,
            "finished_at": timezone.now(),
        },
        meta={"format": job.file_format, "total_rows": total,
              "errors": len(errors), "warnings": len(warnings)},
        audit_action=f"catalog.import.{action}",
    )  # fmt: skip
