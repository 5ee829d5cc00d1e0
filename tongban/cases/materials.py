"""Uploaded materials: checked, stored outside the web root, one current file per material
code of a draft or a case; and documents the platform already holds offered instead (免提交).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.catalog.models import Bundle, MaterialNecessity, ServiceItem
from tongban.catalog.queries import merged_materials
from tongban.core.audit import record_audit
from tongban.core.errors import refuse

from .models import (
    Case,
    CaseStatus,
    Draft,
    UploadedMaterial,
)
from .permissions import check_draft_owner

MAX_MATERIAL_BYTES = 10 * 1024 * 1024


#: Sniffed file types for materials: (magic bytes, content type, extension).
MATERIAL_TYPES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


@dataclass
class RequiredMaterial:
    code: str
    name: str
    required: bool
    can_be_waived: bool


def required_materials(target: ServiceItem | Bundle) -> list[RequiredMaterial]:
    """The materials to upload, listed once per material code."""
    if isinstance(target, Bundle):
        merged = merged_materials(target)
        rows = [(m.code, m.name, m.necessity, m.can_be_waived) for m in merged]
    else:
        rows = [(m.code, m.name, m.necessity, m.can_be_waived) for m in target.materials.all()]
    return [
        RequiredMaterial(code, name, necessity == MaterialNecessity.REQUIRED, waived)
        for code, name, necessity, waived in rows
    ]


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in MATERIAL_TYPES:
        if head.startswith(magic):
            return content_type, ext
    return None


def material_root() -> Path:
    root = Path(getattr(settings, "CASES_UPLOAD_DIR", "") or settings.VAR_DIR / "uploads")
    root.mkdir(parents=True, exist_ok=True)
    return root


def material_path(material: UploadedMaterial) -> Path:
    return material_root() / material.storage_name


def upload_material(
    draft: Draft, material_code: str, upload: UploadedFile, *, actor: User
) -> UploadedMaterial:
    """Store an uploaded file for one required material of a draft, outside the web root.

    The type is decided by the file's first bytes, not its name or the browser's claim.
    """
    check_draft_owner(draft, actor)
    return _keep_upload(draft.target, material_code, upload, actor, draft=draft)


def _keep_upload(
    target: ServiceItem | Bundle,
    material_code: str,
    upload: UploadedFile,
    actor: User,
    *,
    draft: Draft | None = None,
    case: Case | None = None,
) -> UploadedMaterial:
    """Check, store and record one file for ``material_code`` of a draft or a case; the
    earlier file of that code is marked superseded. The stored file is removed again if
    the row cannot be written."""
    codes = {m.code: m for m in required_materials(target)}
    if material_code not in codes:
        raise refuse(
            _("This application does not ask for that material."), f"material_{material_code}"
        )
    stored = _store_upload(material_code, codes[material_code].name, upload, actor)
    owner: dict[str, Any] = {"draft": draft} if draft is not None else {"case": case}
    try:
        with transaction.atomic():
            UploadedMaterial.objects.filter(
                **owner, material_code=material_code, superseded=False
            ).update(superseded=True)
            stored.draft, stored.case = draft, case
            stored.save()
            meta: dict[str, Any] = {
                "material": material_code,
                "size": stored.size,
                "type": stored.content_type,
            }
            if case is not None:
                meta["case"] = case.number
            record_audit(actor, "cases.material_upload", stored, meta=meta)
    except Exception:
        material_path(stored).unlink(missing_ok=True)
        raise
    return stored


#: Providers of materials the platform already holds (免提交), registered by higher modules
#: (the licences app): ``provider(user, material_codes, organisation) -> [offer]`` where an
#: offer has ``material_code``, ``licence_number`` and ``label``.
MATERIAL_OFFER_PROVIDERS: list[Any] = []


def material_offers(
    user: User, target: ServiceItem | Bundle, organisation: Any = None
) -> dict[str, Any]:
    """Material code -> the first held document that satisfies it (a valid licence)."""
    codes = [m.code for m in required_materials(target)]
    found: dict[str, Any] = {}
    for provider in MATERIAL_OFFER_PROVIDERS:
        for offer in provider(user, codes, organisation=organisation):
            found.setdefault(offer.material_code, offer)
    return found


def use_held_licence(draft: Draft, material_code: str, *, actor: User) -> UploadedMaterial:
    """Attach a valid licence the applicant holds instead of uploading the material: only
    one the providers offer for this material and this applicant right now."""
    check_draft_owner(draft, actor)
    offer = material_offers(actor, draft.target, draft.organisation).get(material_code)
    if offer is None:
        raise refuse(
            _("You hold no valid licence for this material; upload the file instead."),
            f"material_{material_code}",
        )
    with transaction.atomic():
        UploadedMaterial.objects.filter(
            draft=draft, material_code=material_code, superseded=False
        ).update(superseded=True)
        row = UploadedMaterial.objects.create(
            applicant=actor,
            draft=draft,
            material_code=material_code,
            licence_number=offer.licence_number,
            original_name=str(offer.label)[:200],
            content_type="application/x-tongban-licence",
            size=0,
            sha256="",
            storage_name=f"licence/{uuid.uuid4().hex}",
            uploaded_at=timezone.now(),
        )
        record_audit(
            actor,
            "cases.material_licence",
            row,
            meta={"material": material_code, "licence": offer.licence_number},
        )
    return row


def current_materials(*, draft: Draft | None = None, case: Case | None = None) -> dict[str, Any]:
    rows = UploadedMaterial.objects.filter(superseded=False)
    rows = rows.filter(draft=draft) if draft is not None else rows.filter(case=case)
    return {m.material_code: m for m in rows}


def upload_case_material(
    case: Case, material_code: str, upload: UploadedFile, *, actor: User
) -> UploadedMaterial:
    """A corrected material during a correction: replaces the earlier file of that code."""
    if case.applicant_id != actor.pk:
        raise refuse(_("This case belongs to someone else."))
    if case.status != CaseStatus.CORRECTION:
        raise refuse(_("Files can be replaced only while a correction is requested."))
    target: ServiceItem | Bundle = case.bundle or case.item  # type: ignore[assignment]
    return _keep_upload(target, material_code, upload, actor, case=case)


def _store_upload(
    material_code: str, label: str, upload: UploadedFile, actor: User
) -> UploadedMaterial:
    """Validate and write the file outside the web root; return an unsaved row."""
    field = f"material_{material_code}"
    if not upload.size:
        raise refuse(_("%(material)s: the file is empty.") % {"material": label}, field)
    if upload.size > MAX_MATERIAL_BYTES:
        raise refuse(
            _("%(material)s: the file is larger than %(mb)s MB.")
            % {"material": label, "mb": MAX_MATERIAL_BYTES // (1024 * 1024)},
            field,
        )
    upload.seek(0)
    sniffed = _sniff(upload.read(16))
    if sniffed is None:
        raise refuse(
            _("%(material)s: upload a PDF, JPEG or PNG file.") % {"material": label}, field
        )
    content_type, ext = sniffed
    storage_name = f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"
    path = material_root() / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    upload.seek(0)
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return UploadedMaterial(
        applicant=actor,
        material_code=material_code,
        original_name=(upload.name or "upload")[-200:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        storage_name=storage_name,
        uploaded_at=timezone.now(),
    )
