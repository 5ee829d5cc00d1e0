"""Uploaded materials: checked, stored outside the web root, one current file per material
code of a draft or a case; and documents the platform already holds offered instead (免提交).

Files live in the ``materials`` storage (``settings.STORAGES["materials"]``): a directory on
one node (by default ``CASES_UPLOAD_DIR``, ``var/uploads``, where earlier versions wrote, so
existing files keep working), S3-compatible storage on many. Backup and restore cover it.
Every file is checked for what it is, not for its first bytes only: PDFs are parsed with
pikepdf and refused with JavaScript, embedded files, encryption or streams that inflate past
a limit; images are decoded under a pixel limit and stored re-encoded.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

import pikepdf
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tongban.accounts.models import User
from tongban.catalog.models import Bundle, MaterialNecessity, ServiceItem
from tongban.catalog.queries import merged_materials
from tongban.core.audit import record_audit
from tongban.core.errors import refuse
from tongban.core.identifiers import normalise

from .models import (
    Case,
    CaseStatus,
    CorrectionNotice,
    Draft,
    UploadedMaterial,
)
from .permissions import check_draft_owner

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
#: All streams of a PDF together may decode to at most this many bytes (inflation bombs).
MAX_PDF_DECODED_BYTES = 50 * 1024 * 1024
#: An image may have at most this many pixels (decompression bombs; an A4 page scanned at
#: 600 dpi has about 35 million).
MAX_IMAGE_PIXELS = 40_000_000
STORAGE_ALIAS = "materials"


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


def material_storage() -> Storage:
    """The storage every uploaded file is written to and read from."""
    return storages[STORAGE_ALIAS]


def open_material(material: UploadedMaterial) -> File:
    """The stored file of an uploaded material, opened for reading.

    Raises ``FileNotFoundError`` when the row has no file (a held licence) or the file is gone.
    Callers check the reader's permission first (``permissions.can_download``).
    """
    storage = material_storage()
    name = material.storage_name
    if not name or material.size == 0 or not storage.exists(name):
        raise FileNotFoundError(name)
    stream: File = storage.open(name, "rb")
    return stream


def upload_material(
    draft: Draft, material_code: str, upload: UploadedFile, *, actor: User
) -> UploadedMaterial:
    """Store an uploaded file for one required material of a draft, outside the web root.

    The type is decided by the file's first bytes, not its name or the browser's claim, and
    the file is then checked for what it is (``check_pdf``, ``reencode_image``). Raises
    ``ServiceError`` naming the material when the draft is someone else's, the material is
    not asked for, or the file is refused.
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
        material_storage().delete(stored.storage_name)
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
    """A corrected material during a correction: replaces the earlier file of that code.

    Only a material an open correction notice names may be replaced, unless a notice also
    has a line that names no material of the application (then the applicant may replace
    any file, as the official could not say which)."""
    if case.applicant_id != actor.pk:
        raise refuse(_("This case belongs to someone else."))
    if case.status != CaseStatus.CORRECTION:
        raise refuse(_("Files can be replaced only while a correction is requested."))
    requested = correction_requests(case)
    if not requested.open_to_any and material_code not in requested.codes:
        raise refuse(
            _("The department did not ask for this material again."),
            f"material_{material_code}",
        )
    target: ServiceItem | Bundle = case.bundle or case.item  # type: ignore[assignment]
    return _keep_upload(target, material_code, upload, actor, case=case)


# --- Corrections: exactly the materials the official named ---------------------------------


def _key(text: str) -> str:
    """A material's name or code as compared: NFKC (full-width brackets and letters of
    Chinese input methods folded), white space removed, case folded."""
    return "".join(normalise(text).split()).casefold()


def match_material(text: str, materials: list[RequiredMaterial]) -> RequiredMaterial | None:
    """The material ``text`` names: its whole name or its code, never a part of either
    ("营业执照" is not "营业执照副本"). None when it names none of ``materials``."""
    key = _key(text)
    if not key:
        return None
    for material in materials:
        if key in (_key(material.name), _key(material.code)):
            return material
    return None


def resolve_correction_lines(
    lines: list[dict[str, str]], item: ServiceItem
) -> list[dict[str, str]]:
    """Correction lines with ``code`` set (and ``material`` spelled as in the catalogue)
    where a line names a material of ``item`` exactly; other lines keep their text and an
    empty code."""
    materials = required_materials(item)
    resolved = []
    for line in lines:
        material = match_material(line.get("material", ""), materials)
        out = {**line, "code": material.code if material else ""}
        if material is not None:
            out["material"] = material.name
        resolved.append(out)
    return resolved


@dataclass
class CorrectionSlot:
    """Where the correction form offers one material: beside line ``line`` (0-based) of
    notice ``notice_id``, the first line naming it."""

    notice_id: int
    line: int
    material: RequiredMaterial
    upload: UploadedMaterial | None


@dataclass
class CorrectionRequests:
    """What the open correction notices of a case ask the applicant to upload again.

    ``slots``: each material named, once, beside the first line naming it, with its
    current file; ``open_to_any``: a line names no material of the application, so any
    file may be replaced; ``others``: the materials not named, with their files (offered
    only when ``open_to_any``)."""

    slots: list[CorrectionSlot]
    open_to_any: bool
    others: list[tuple[RequiredMaterial, UploadedMaterial | None]]

    @property
    def materials(self) -> list[tuple[RequiredMaterial, UploadedMaterial | None]]:
        return [(slot.material, slot.upload) for slot in self.slots]

    @property
    def codes(self) -> set[str]:
        return {slot.material.code for slot in self.slots}


def correction_requests(case: Case) -> CorrectionRequests:
    """The materials the open correction notices of ``case`` ask for (see
    ``CorrectionRequests``)."""
    target: ServiceItem | Bundle | None = case.bundle or case.item
    all_materials = required_materials(target) if target is not None else []
    by_code = {m.code: m for m in all_materials}
    uploads = current_materials(case=case)
    slots: list[CorrectionSlot] = []
    open_to_any = False
    notices = CorrectionNotice.objects.filter(subcase__case=case, resolved_at__isnull=True)
    for notice in notices.select_related("subcase__item").order_by("issued_at", "pk"):
        item_materials = required_materials(notice.subcase.item)
        for index, line in enumerate(notice.items):
            code = line.get("code") or ""
            if not code:  # a notice written before lines carried codes
                found = match_material(line.get("material", ""), item_materials)
                code = found.code if found else ""
            if code not in by_code:
                open_to_any = True
            elif all(slot.material.code != code for slot in slots):
                slots.append(CorrectionSlot(notice.pk, index, by_code[code], uploads.get(code)))
    named = {slot.material.code for slot in slots}
    others = [(m, uploads.get(m.code)) for m in all_materials if m.code not in named]
    return CorrectionRequests(slots, open_to_any, others if open_to_any else [])


def _store_upload(
    material_code: str, label: str, upload: UploadedFile, actor: User
) -> UploadedMaterial:
    """Check the file for what it is and write it to the materials storage; return an
    unsaved row. PDFs are stored as uploaded, images re-encoded.

    Raises ``ServiceError`` on the material's field, naming the material, when the file is
    empty, too large, of another type, or fails its check.
    """
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
    data = upload.read(MAX_MATERIAL_BYTES + 1)
    sniffed = _sniff(data[:16])
    if sniffed is None:
        raise refuse(
            _("%(material)s: upload a PDF, JPEG or PNG file.") % {"material": label}, field
        )
    content_type, ext = sniffed
    try:
        if content_type == "application/pdf":
            check_pdf(data)
        else:
            data = reencode_image(data, content_type)
    except UploadRefused as refused:
        raise refuse(refused.message % {"material": label}, field) from refused
    storage_name = material_storage().save(
        f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}", ContentFile(data)
    )
    return UploadedMaterial(
        applicant=actor,
        material_code=material_code,
        original_name=(upload.name or "upload")[-200:],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_name=storage_name,
        uploaded_at=timezone.now(),
    )


# --- What a file is, checked -------------------------------------------------------------


class UploadRefused(Exception):
    """A file failed its check; ``message`` is translated and holds ``%(material)s``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


#: Dictionary keys that make a PDF act (scripts, actions on open or on events) or carry files.
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA"}
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
_PDF_FILE_KEYS = {"/EmbeddedFiles", "/EmbeddedFile"}
_PDF_FILE_SUBTYPES = {"/FileAttachment", "/RichMedia"}
#: Filters whose output is an image a viewer decodes itself: their bytes count as stored.
_PDF_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/DCT"}
#: The most a filter other than Flate can multiply its input by (LZW: a 12-bit code yields
#: up to 4096 bytes; RunLength: 2 bytes yield 128; ASCII85: "z" yields 4).
_PDF_FILTER_GROWTH = {
    "/LZWDecode": 2731,
    "/LZW": 2731,
    "/RunLengthDecode": 64,
    "/RL": 64,
    "/ASCII85Decode": 4,
    "/A85": 4,
    "/ASCIIHexDecode": 1,
    "/AHx": 1,
}


def check_pdf(data: bytes) -> None:
    """Parse a PDF and refuse what a plain document never needs.

    Raises ``UploadRefused`` when the file cannot be parsed, is encrypted, holds JavaScript
    or other actions (``/JS``, ``/JavaScript``, ``/AA``, an ``/OpenAction`` that runs one),
    embeds files (``/EmbeddedFiles``, file attachment annotations), or its streams decode
    to more than ``MAX_PDF_DECODED_BYTES`` together.
    """
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise UploadRefused(_encrypted_message()) from exc
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise UploadRefused(_("%(material)s: the file is not a readable PDF.")) from exc
    with pdf:
        if pdf.is_encrypted:
            raise UploadRefused(_encrypted_message())
        try:
            budget = MAX_PDF_DECODED_BYTES
            for obj in [pdf.trailer, *pdf.objects]:
                _check_pdf_object(obj)
                if isinstance(obj, pikepdf.Stream):
                    budget -= _decoded_size(pdf, obj, budget)
        except (pikepdf.PdfError, ValueError, RuntimeError, zlib.error) as exc:
            raise UploadRefused(_("%(material)s: the file is not a readable PDF.")) from exc


def _encrypted_message() -> str:
    return _(
        "%(material)s: the PDF is encrypted or protected by a password; upload it unprotected."
    )


def _check_pdf_object(root: Any) -> None:
    """Walk one object and its direct children (indirect ones are walked on their own)."""
    stack = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            keys = set(obj.keys())
            if keys & _PDF_ACTIVE_KEYS or str(obj.get("/S", "")) in _PDF_ACTIVE_ACTIONS:
                raise UploadRefused(
                    _(
                        "%(material)s: the PDF contains JavaScript or other actions; "
                        "upload a plain PDF (print it to PDF again)."
                    )
                )
            if (
                keys & _PDF_FILE_KEYS
                or str(obj.get("/Subtype", "")) in _PDF_FILE_SUBTYPES
                or str(obj.get("/Type", "")) in ("/EmbeddedFile", "/Filespec")
            ):
                raise UploadRefused(
                    _(
                        "%(material)s: the PDF carries embedded files or attachments; "
                        "upload each document as a PDF of its own."
                    )
                )
            children = [obj.get(key) for key in keys]
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        stack.extend(
            child
            for child in children
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream))
            and not child.is_indirect
        )


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.stream_dict.get("/Filter")
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value]
    return [str(value)]


def _decoded_size(pdf: pikepdf.Pdf, stream: pikepdf.Stream, budget: int) -> int:
    """The size a stream decodes to, decoding no further than ``budget`` bytes.

    Raises ``UploadRefused`` when it would exceed ``budget``.
    """
    too_big = UploadRefused(
        _(
            "%(material)s: the PDF expands to more than %(mb)s MB when opened; "
            "upload a smaller file."
        )
        % {"material": "%(material)s", "mb": MAX_PDF_DECODED_BYTES // (1024 * 1024)}
    )
    data = stream.read_raw_bytes()
    for name in _filters(stream):
        if name in _PDF_IMAGE_FILTERS:
            break  # an image codec: the viewer decodes it; its size counts as stored
        if name in ("/FlateDecode", "/Fl"):
            inflater = zlib.decompressobj()
            data = inflater.decompress(data, budget + 1)
            if len(data) > budget:
                raise too_big
        elif name in _PDF_FILTER_GROWTH:
            if len(data) * _PDF_FILTER_GROWTH[name] > budget:
                raise too_big
            data = _decode_one(pdf, data, name)
        else:
            raise UploadRefused(_("%(material)s: the file is not a readable PDF."))
    if len(data) > budget:
        raise too_big
    return len(data)


def _decode_one(pdf: pikepdf.Pdf, data: bytes, name: str) -> bytes:
    """Decode ``data`` by one non-Flate filter, through qpdf on a scratch stream."""
    scratch = pikepdf.Stream(pdf, data)
    scratch.stream_dict["/Filter"] = pikepdf.Name(name)
    return bytes(scratch.read_bytes(pikepdf.StreamDecodeLevel.specialized))


def reencode_image(data: bytes, content_type: str) -> bytes:
    """Decode a JPEG or PNG under the pixel limit and encode it anew, in the same format.

    What is not pixels goes: metadata (EXIF with its GPS position, comments, text chunks)
    and any bytes after the image (an HTML page appended to a PNG). Photos keep their
    orientation. Raises ``UploadRefused`` when the image has too many pixels or cannot be
    decoded, or is not the format its first bytes claim.
    """
    unreadable = UploadRefused(_("%(material)s: the image cannot be read; upload it again."))
    # Pillow's own bomb check (at twice its process-wide limit) fires while opening already.
    too_many = UploadRefused(
        _(
            "%(material)s: the image has more than %(limit)s million pixels; "
            "scan it at a lower resolution."
        )
        % {"material": "%(material)s", "limit": MAX_IMAGE_PIXELS // 1_000_000}
    )
    expected = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}[content_type]
    try:
        with Image.open(io.BytesIO(data), formats=expected) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_many
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            out = io.BytesIO()
            if content_type == "image/jpeg":
                clean = upright.convert("RGB") if upright.mode not in ("L", "RGB") else upright
                clean.save(out, format="JPEG", quality=90)
            else:
                clean = (
                    upright
                    if upright.mode in ("1", "L", "LA", "P", "RGB", "RGBA")
                    else (upright.convert("RGBA"))
                )
                extra = {}
                if "transparency" in clean.info and clean.mode in ("1", "L", "P", "RGB"):
                    extra["transparency"] = clean.info["transparency"]
                clean.info = {}
                clean.save(out, format="PNG", **extra)
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise unreadable from exc
    return out.getvalue()
