"""Writes to the catalogue: one function per use case, each atomic and audited.

Records come in the shape of ``io.json_format`` (the import format), so a page, the API and
the importer share one path: clean → quality rules → ``io.importer.apply_*``. Errors raise
``CatalogValidationError`` with ``(field, message)`` pairs; warnings are returned. After
commit, ``catalog.changes`` reindexes changed items and renews cached pages (model signals;
``reindex_after_commit`` adds what the importer's bulk writes change without signals).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.catalog import quality
from tongban.catalog.io import xlsx_format
from tongban.catalog.io.exporter import (
    bundles_by_code,
    export_catalogue_data,
    highest_level,
    items_by_code,
    write_json,
)
from tongban.catalog.io.importer import (
    RefIds,
    apply_bundle,
    apply_item,
    bundle_problems,
    keep_stored_when_absent,
    listed_item_problems,
    member_problems,
    published_bundles_by_item,
    reindex_after_commit,
)
from tongban.catalog.io.json_format import (
    ITEM_PREFETCH,
    Problem,
    Refs,
    clean_bundle,
    clean_item,
    field_path,
    item_to_dict,
)
from tongban.catalog.models import (
    Bundle,
    CatalogExport,
    CatalogImport,
    ItemStatus,
    QualityRuleSetting,
    ServiceItem,
    Severity,
)
from tongban.catalog.quality import Finding
from tongban.catalog.queries import assurance_gap as assurance_gap  # re-exported for callers
from tongban.catalog.tasks import run_catalog_import
from tongban.catalog.transitions import (
    Action,
    move_bundle,
    move_item,
    set_bundle_status,
    set_item_status,
)
from tongban.core.audit import record_audit
from tongban.core.classification import can_see, clearance_of, level_label
from tongban.core.errors import NON_FIELD, ServiceError
from tongban.core.models import ClassificationLevel

FieldMessage = tuple[str, str]


class CatalogValidationError(ServiceError):
    """The record breaks a rule: the platform's ``ServiceError``, which also keeps the
    ``(field, message)`` pairs in order as ``findings`` (the importer reports them so)."""

    def __init__(self, findings: list[FieldMessage]) -> None:
        by_field: dict[str, list[str]] = {}
        for field_name, message in findings:
            by_field.setdefault(field_name or NON_FIELD, []).append(message)
        super().__init__(by_field or {NON_FIELD: [""]})
        self.findings = findings


@dataclass
class SaveResult:
    item: ServiceItem
    created: bool
    changed: bool
    warnings: list[Finding] = field(default_factory=list)


@dataclass
class BundleSaveResult:
    bundle: Bundle
    created: bool
    changed: bool


def _field_messages(problems: list[Problem]) -> list[FieldMessage]:
    return [(field_path(path), str(message)) for path, message in problems]


def _listed_item_check(implementation_code: str, status: str) -> None:
    """Raise ``CatalogValidationError`` if the item may not have ``status`` (bundle rule)."""
    listed_in = published_bundles_by_item([implementation_code]).get(implementation_code, [])
    problems = listed_item_problems(status, listed_in)
    if problems:
        raise CatalogValidationError(_field_messages(problems))


def _changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    if before is None:
        return sorted(after)
    return sorted(k for k in after if before.get(k) != after[k])


@transaction.atomic
def save_item(data: Mapping[str, Any], *, actor: Any) -> SaveResult:
    """Create or update the item with ``data["implementation_code"]``.

    Materials, fees, steps and FAQs are replaced by those in ``data``; themes and regions
    are set. Raises ``CatalogValidationError`` for field errors, quality errors, (when
    ``status`` is published) a missing guide element, or (when it is not) a published bundle
    that lists the item. Returns the quality warnings.
    """
    refs = Refs.load()
    clean, problems = clean_item(data, refs)
    if problems:
        raise CatalogValidationError(_field_messages(problems))
    findings = quality.check_item(clean, audiences=refs.themes)
    errors = [f for f in findings if f.is_error]
    if clean["status"] == ItemStatus.PUBLISHED:
        errors += quality.publish_blockers(clean)
    if errors:
        raise CatalogValidationError([(f.field, str(f.message)) for f in errors])
    warning_findings = [f for f in findings if not f.is_error]
    code = clean["implementation_code"]
    _listed_item_check(code, clean["status"])
    before = items_by_code([code]).get(code)
    keep_stored_when_absent(data, clean, before)
    if before == clean:
        item = ServiceItem.objects.get(implementation_code=code)
        return SaveResult(item, created=False, changed=False, warnings=warning_findings)
    item, created = apply_item(clean, RefIds.load())
    record_audit(
        actor,
        "catalog.item.create" if created else "catalog.item.update",
        item,
        meta={"implementation_code": code, "fields": _changed_fields(before, clean)},
    )
    # A new item starts as a draft; the status the record asks for is a guarded move.
    set_item_status(item, clean["status"], actor=actor)
    reindex_after_commit([item.pk])
    return SaveResult(item, created=created, changed=True, warnings=warning_findings)


@transaction.atomic
def publish_item(item: ServiceItem, *, actor: Any) -> list[Finding]:
    """Publish an item on the portal.

    Raises ``CatalogValidationError`` when a guide element is missing or a quality rule
    set to error fails, ``ServiceError`` when someone else moved it meanwhile. Returns the
    quality warnings. Publishing a published item changes nothing.
    """
    item = (
        ServiceItem.objects.select_related("department")
        .prefetch_related(*ITEM_PREFETCH)
        .get(pk=item.pk)
    )
    data = item_to_dict(item)
    findings = quality.check_item(data)
    blockers = quality.publish_blockers(data) + [f for f in findings if f.is_error]
    if blockers:
        raise CatalogValidationError([(f.field, str(f.message)) for f in blockers])
    if item.status != ItemStatus.PUBLISHED:
        move_item(item, Action.PUBLISH, actor=actor)
    return [f for f in findings if not f.is_error]


@transaction.atomic
def withdraw_item(item: ServiceItem, *, actor: Any) -> ServiceItem:
    """Take an item off the portal.

    Raises ``CatalogValidationError`` while a published bundle still lists it,
    ``ServiceError`` when someone else moved it meanwhile. Withdrawing a withdrawn item
    changes nothing.
    """
    _listed_item_check(item.implementation_code, ItemStatus.WITHDRAWN)
    item.refresh_from_db(fields=["status"])
    if item.status != ItemStatus.WITHDRAWN:
        move_item(item, Action.WITHDRAW, actor=actor)
    return item


@transaction.atomic
def save_bundle(data: Mapping[str, Any], *, actor: Any) -> BundleSaveResult:
    """Create or update the bundle with ``data["code"]`` (members in the given order).

    Raises ``CatalogValidationError`` for unknown departments, themes or member items, a
    phone without area code, or a published bundle with unpublished members.
    """
    refs = Refs.load()
    clean, problems = clean_bundle(data, refs)
    if not problems:
        problems = bundle_problems(clean, refs.items)
    if problems:
        raise CatalogValidationError(_field_messages(problems))
    before = bundles_by_code([clean["code"]]).get(clean["code"])
    if before == clean:
        return BundleSaveResult(Bundle.objects.get(code=clean["code"]), False, False)
    bundle, created = apply_bundle(clean, RefIds.load())
    record_audit(
        actor,
        "catalog.bundle.create" if created else "catalog.bundle.update",
        bundle,
        meta={"code": bundle.code, "fields": _changed_fields(before, clean)},
    )
    set_bundle_status(bundle, clean["status"], actor=actor)
    return BundleSaveResult(bundle, created, True)


@transaction.atomic
def publish_bundle(bundle: Bundle, *, actor: Any) -> Bundle:
    """Publish a bundle. Raises ``CatalogValidationError`` if a member is not published,
    ``ServiceError`` when someone else moved it meanwhile."""
    members = list(bundle.memberships.values_list("item__implementation_code", "item__status"))
    if not members:
        raise CatalogValidationError([("members", str(_("A bundle needs at least one "
                                                          "member item.")))])  # fmt: skip
    problems = member_problems(ItemStatus.PUBLISHED, [c for c, _s in members], dict(members))
    if problems:
        raise CatalogValidationError(_field_messages(problems))
    bundle.refresh_from_db(fields=["status"])
    if bundle.status != ItemStatus.PUBLISHED:
        move_bundle(bundle, Action.PUBLISH, actor=actor)
    return bundle


@transaction.atomic
def withdraw_bundle(bundle: Bundle, *, actor: Any) -> Bundle:
    """Take a bundle off the portal (its member items stay as they are). Raises
    ``ServiceError`` when someone else moved it meanwhile."""
    bundle.refresh_from_db(fields=["status"])
    if bundle.status != ItemStatus.WITHDRAWN:
        move_bundle(bundle, Action.WITHDRAW, actor=actor)
    return bundle


@transaction.atomic
def set_rule_severity(code: str, severity: str, *, actor: Any) -> QualityRuleSetting:
    """Override the severity of one quality rule. Raises ``CatalogValidationError``."""
    if code not in quality.RULES_BY_CODE:
        raise CatalogValidationError([("code", str(_("There is no quality rule %(code)s.")
                                                    % {"code": code}))])  # fmt: skip
    if severity not in Severity.values:
        raise CatalogValidationError([("severity", str(_("Choose error, warning or off.")))])
    setting, _created = QualityRuleSetting.objects.update_or_create(
        code=code, defaults={"severity": severity}
    )
    record_audit(actor, "catalog.quality_rule.set", setting,
                 meta={"code": code, "severity": severity})  # fmt: skip
    return setting


@transaction.atomic
def start_catalog_import(
    upload: File, *, file_format: str, actor: Any, language: str = ""
) -> CatalogImport:
    """Store an uploaded catalogue file and queue its import (run after commit).

    ``file_format`` is "xlsx" or "json"; the file has been checked by the upload form.
    """
    job = CatalogImport(file_format=file_format, created_by=actor)
    job.file.save(upload.name or f"catalogue.{file_format}", upload, save=False)
    job.save()
    record_audit(actor, "catalog.import.start", job, meta={"format": file_format})
    job_id = job.pk
    transaction.on_commit(lambda: run_catalog_import.enqueue(job_id, language))
    return job


# --- Exports ------------------------------------------------------------------------------------

EXPORT_FORMATS = ("json", "xlsx")


class CatalogExportRefused(PermissionDenied):
    """The actor's clearance is lower than the classification of the records asked for.

    ``message`` says so in the user's language; the refusal has been audited.
    """

    def __init__(self, message: str, level: int) -> None:
        super().__init__(message)
        self.message = message
        self.level = level


def _refusal_message(level: int, actor: Any) -> str:
    return gettext(
        "This export contains records classified “%(level)s”, but your clearance is "
        "“%(clearance)s”. Ask a catalogue administrator whose clearance reaches that level, "
        "or export public records only."
    ) % {"level": level_label(level), "clearance": level_label(clearance_of(actor))}


@transaction.atomic
def _audit_refusal(actor: Any, action: str, obj: Any, meta: dict[str, Any]) -> None:
    record_audit(actor, action, obj, object_type="catalog.catalogexport", meta=meta)


def create_catalog_export(*, file_format: str, public_only: bool, actor: Any) -> CatalogExport:
    """Write the catalogue as a JSON or Excel file, kept as a ``CatalogExport``.

    ``public_only`` leaves out every item above PUBLIC. The export records the highest
    classification it contains; an actor whose clearance is lower than that is refused
    (``CatalogExportRefused``, audited as ``catalog.export.refused``) and nothing is written.
    """
    if file_format not in EXPORT_FORMATS:
        raise CatalogValidationError(
            [("file_format", gettext("Choose an Excel workbook (.xlsx) or a JSON file."))]
        )
    try:
        return _write_export(file_format, public_only, actor)
    except CatalogExportRefused as exc:
        _audit_refusal(actor, "catalog.export.refused", None, meta={
            "format": file_format, "public_only": public_only, "classification": exc.level,
            "clearance": clearance_of(actor),
        })  # fmt: skip
        raise


@transaction.atomic
def _write_export(file_format: str, public_only: bool, actor: Any) -> CatalogExport:
    data = export_catalogue_data(ClassificationLevel.PUBLIC if public_only else None)
    level = highest_level(data)
    if not can_see(actor, level):
        raise CatalogExportRefused(_refusal_message(level, actor), level)
    buffer = io.BytesIO()
    if file_format == "xlsx":
        xlsx_format.write_xlsx(data, buffer)
    else:
        write_json(data, buffer)
    job = CatalogExport(
        file_format=file_format,
        public_only=public_only,
        classification=level,
        item_count=len(data["items"]),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    name = f"catalogue-{timezone.localdate():%Y%m%d}.{file_format}"
    job.file.save(name, ContentFile(buffer.getvalue()), save=False)
    job.save()
    record_audit(actor, "catalog.export.create", job, meta={
        "format": file_format, "public_only": public_only, "classification": level,
        "items": job.item_count,
    })  # fmt: skip
    return job


def authorize_export_download(job: CatalogExport, *, actor: Any) -> None:
    """Check that ``actor`` may download ``job`` and audit the download or the refusal.

    Raises ``CatalogExportRefused`` (audited as ``catalog.export.download_refused``) when the
    actor's clearance is lower than the highest classification in the file.
    """
    meta = {"export": job.pk, "classification": job.classification,
            "clearance": clearance_of(actor)}  # fmt: skip
    if not can_see(actor, job.classification):
        _audit_refusal(actor, "catalog.export.download_refused", job, meta)
        raise CatalogExportRefused(_refusal_message(job.classification, actor), job.classification)
    with transaction.atomic():
        record_audit(actor, "catalog.export.download", job, meta=meta)
