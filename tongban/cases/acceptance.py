"""The acceptance notice (受理通知书): issued once per accepted matter, signed, verifiable.

When a department accepts its matter (``actions._accept`` records the ``accept`` event in
the case history), the applicant is owed a notice naming the applicant, the item accepted,
the materials received, the promised and statutory dates, the issuing department, the date
and a notice number.

Design:

- **When.** ``on_subcase_accepted`` listens to ``signals.subcase_accepted`` (connected in
  ``CasesConfig.ready``), which the accepting transaction sends, and records one outbox row
  ``cases.acceptance_notice`` (key ``cases.acceptance_notice:<sub-case id>``). The row
  commits or rolls back with the acceptance; signing happens after commit, in the outbox
  handler, so a key store that is down delays the notice (retried, then alerted) and never
  blocks an acceptance. A matter is accepted once (``SUBCASE`` allows ``accept`` only from
  ``received``).
- **Once.** ``issue_notice`` is idempotent: one ``AcceptanceNotice`` per sub-case
  (a one-to-one column and a unique notice number derived from the case number and the
  member's position), re-checked under a row lock; a twin inserted by a concurrent run
  loses on the unique constraint and the existing notice is returned.
- **Signature.** Signed with the issuing department's document-signing key, the same
  ``licence`` key that signs its electronic licences (published at ``/licences/keys.json``),
  over ``DOMAIN`` + the canonical JSON of the fields. The domain prefix keeps a notice
  signature from ever passing as a licence signature and vice versa (licences sign bare
  JSON). The fields are codes, dates and a digest ``g`` of the face (applicant, item,
  department, materials' names), which is stored sealed under the field-encryption key: the
  QR code and the verification page carry no personal data.
- **Verification.** Cases may not import licences (layers), so cases registers
  ``verify_text`` in ``tongban.core.verifiable``; the public 证照核验 page asks that registry
  before its own licence check. It accepts the QR payload (offline-verifiable with the
  published keys) or the notice number and its eight-character verification code printed
  on the notice, and answers "genuine, issued by X on date" with public facts only.
- **Promised dates**: the promised date is ``clocks.promise`` read at the moment of
  acceptance (the one function every page and document reads; a 即办件 is due that day),
  the statutory date the sub-case's ``statutory_due`` set by ``clocks.restart_clock``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from fpdf import FPDF

from tongban.core import outbox, verifiable
from tongban.core.audit import record_audit
from tongban.core.crypto import keys
from tongban.core.crypto.providers import CryptoError, KeyStoreError
from tongban.core.crypto.suites import Signature, SignatureFormatError, get_suite
from tongban.core.models import KeyPurpose

from . import clocks, signals
from .models import AcceptanceNotice, SubCase, UploadedMaterial
from .receipts import cjk_font, draw_qr

log = logging.getLogger(__name__)

KIND = "cases.acceptance_notice"
DOC = "acceptance-notice"
VERSION = 1
#: Prefixed to the signed bytes: a notice signature is never a valid licence signature.
DOMAIN = b"tongban/acceptance-notice|"
FACE_DOMAIN = b"tongban/acceptance-notice/face|"
FIELDS = ("a", "c", "d", "doc", "g", "i", "k", "l", "n", "p", "r", "t", "v")
MAX_TEXT = 2048
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_NUMBER_AND_CODE = re.compile(r"^(SL-[0-9-]{10,40})[\s/]+([A-Za-z0-9]{8})$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")

KIND_LABEL = gettext_lazy("Acceptance notice")


# --- issuing ---------------------------------------------------------------------------


def notice_key(subcase_id: int) -> str:
    return f"{KIND}:{subcase_id}"


def enqueue_notice(subcase_id: int) -> Any:
    """Record, in the caller's transaction, that the notice of ``subcase_id`` is owed."""
    return outbox.enqueue(KIND, {"subcase": subcase_id}, key=notice_key(subcase_id))


def on_subcase_accepted(sender: Any, subcase: SubCase, **kwargs: Any) -> None:
    """``signals.subcase_accepted``, in the accepting transaction: a notice is owed."""
    enqueue_notice(subcase.pk)


@outbox.handler(KIND)
def _issue_from_outbox(payload: dict[str, Any]) -> None:
    sub = SubCase.objects.filter(pk=payload["subcase"]).first()
    if sub is None:
        return  # deleted since: nothing is owed
    notice = issue_notice(sub)
    if notice is not None:
        log.info("acceptance notice %s issued for sub-case %s", notice.number, sub.pk)


def notice_number(sub: SubCase) -> str:
    """``SL-<case number>-<nn>``: nn is the matter's position in its case (from 01)."""
    position = SubCase.objects.filter(case_id=sub.case_id, pk__lte=sub.pk).count()
    return f"SL-{sub.case.number}-{position:02d}"


def _canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _face_aad(number: str) -> bytes:
    return f"cases.acceptancenotice|{number}|face".encode()


def _received_materials(sub: SubCase) -> list[str]:
    """The names of the materials received for ``sub``'s item (current uploads only)."""
    names = dict(sub.item.materials.values_list("code", "name"))
    codes = (
        UploadedMaterial.objects.filter(case_id=sub.case_id, superseded=False)
        .order_by("material_code")
        .values_list("material_code", flat=True)
        .distinct()
    )
    return [names[code] for code in codes if code in names]


def _face(sub: SubCase) -> dict[str, Any]:
    case = sub.case
    applicant = case.applicant.real_name or case.applicant.username
    return {
        "applicant": applicant,
        "organisation": case.organisation.name if case.organisation is not None else "",
        "item": sub.item.name,
        "item_en": sub.item.name_en or "",
        "department": sub.department.name,
        "materials": _received_materials(sub),
    }


def face_digest(suite_name: str, face: Mapping[str, Any]) -> str:
    return _b64url(get_suite(suite_name).hash(FACE_DOMAIN + _canonical(face)))


def signed_bytes(fields: Mapping[str, Any]) -> bytes:
    return DOMAIN + _canonical({k: v for k, v in fields.items() if k != "s"})


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _promised(sub: SubCase) -> str:
    """The promised date as of acceptance, from the one function every page reads."""
    promise = clocks.promise(sub, sub.accepted_at)
    return promise.date.isoformat() if promise else ""


def issue_notice(sub: SubCase) -> AcceptanceNotice | None:
    """The acceptance notice of ``sub``: the stored one, or a new one signed now.

    ``None`` when the matter was never accepted. Raises what the key store raises (the
    outbox retries it).
    """
    existing = AcceptanceNotice.objects.filter(subcase_id=sub.pk).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        sub = (
            # Lock the sub-case row only: PostgreSQL refuses FOR UPDATE on the nullable
            # side of an outer join (case__organisation).
            SubCase.objects.select_for_update(of=("self",))
            .select_related("case__applicant", "case__organisation", "item", "department")
            .get(pk=sub.pk)
        )
        existing = AcceptanceNotice.objects.filter(subcase_id=sub.pk).first()
        if existing is not None:
            return existing
        if sub.accepted_at is None:
            return None
        now = timezone.now()
        number = notice_number(sub)
        face = _face(sub)
        fields, signature = _sign(sub, number, face, now)
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin fails only this
                notice = AcceptanceNotice.objects.create(
                    number=number,
                    subcase=sub,
                    payload=fields,
                    face_sealed=keys.encrypt(
                        KeyPurpose.FIELD_ENCRYPTION, _canonical(face), _face_aad(number)
                    ),
                    signature=signature,
                    key_id=fields["k"],
                    algorithm=fields["a"],
                    issued_at=now,
                )
        except IntegrityError:
            twin = AcceptanceNotice.objects.filter(subcase_id=sub.pk).first()
            if twin is None:
                raise
            return twin
        record_audit(
            None,
            "cases.acceptance_notice.issue",
            notice,
            meta={"case": sub.case.number, "subcase": sub.pk, "key": notice.key_id},
        )
    return notice


def _sign(
    sub: SubCase, number: str, face: Mapping[str, Any], now: dt.datetime
) -> tuple[dict[str, Any], str]:
    department = sub.department
    accepted_at = sub.accepted_at or now  # signed only once accepted
    for _attempt in range(3):
        key = keys.active_key(KeyPurpose.LICENCE, department)
        fields = {
            "a": key.alg,
            "c": sub.case.number,
            "d": timezone.localdate(now).isoformat(),
            "doc": DOC,
            "g": face_digest(key.suite, face),
            "i": department.code,
            "k": key.key_id,
            "l": _iso(sub.statutory_due),
            "n": number,
            "p": _promised(sub),
            "r": timezone.localdate(accepted_at).isoformat(),
            "t": sub.item.implementation_code,
            "v": VERSION,
        }
        signature = keys.sign(KeyPurpose.LICENCE, signed_bytes(fields), department=department)
        if signature.key_id == key.key_id:  # not rotated between the two calls
            return fields, _b64url(signature.value)
    raise KeyStoreError("the department key kept changing while signing")  # pragma: no cover


# --- reading ---------------------------------------------------------------------------


def face_of(notice: AcceptanceNotice) -> dict[str, Any]:
    """The notice's face in the clear (applicant, item, department, materials)."""
    raw = keys.decrypt(KeyPurpose.FIELD_ENCRYPTION, notice.face_sealed, _face_aad(notice.number))
    face: dict[str, Any] = json.loads(raw)
    return face


def payload_text(notice: AcceptanceNotice) -> str:
    """What the notice's QR code carries after ``?p=``: the signed fields and signature."""
    return _b64url(_canonical({**notice.payload, "s": notice.signature}))


def verification_code(notice: AcceptanceNotice) -> str:
    """Eight characters derived from the signature, printed on the notice: with the notice
    number, what a person types on the verification page."""
    raw = hashlib.sha256(b"tongban/acceptance-notice/code|" + notice.signature.encode()).digest()
    return "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in raw[:8])


def notices_of_case(case: Any) -> list[AcceptanceNotice]:
    return list(
        AcceptanceNotice.objects.filter(subcase__case=case)
        .select_related("subcase__item", "subcase__department")
        .order_by("subcase_id")
    )


# --- verifying -------------------------------------------------------------------------


def signature_valid(fields: Mapping[str, Any], signature_b64: str) -> bool:
    """Whether ``signature_b64`` over ``fields`` was made by the key ``fields["k"]`` names,
    a licence (document-signing) key of the department ``fields["i"]``."""
    try:
        key = keys.get_key(str(fields["k"]))
        if key.department_code != fields["i"] or key.alg != fields["a"]:
            return False
        signature = Signature(alg=key.alg, key_id=key.key_id, value=_unb64url(signature_b64))
        return keys.verify(KeyPurpose.LICENCE, signed_bytes(fields), signature)
    except (CryptoError, SignatureFormatError, KeyError, ValueError, binascii.Error):
        return False


def _decode(text: str) -> dict[str, Any] | None:
    """The fields of a notice payload, or ``None`` when ``text`` is not one."""
    if len(text) > MAX_TEXT or not _B64URL.match(text):
        return None
    try:
        data = json.loads(_unb64url(text).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("doc") != DOC:
        return None
    return data


def _refused(reason: Any) -> verifiable.Finding:
    return verifiable.Finding(
        genuine=False,
        kind=KIND_LABEL,
        message=_("Not valid: this is not a genuine acceptance notice of this platform."),
        reason=reason,
    )


def _genuine(notice: AcceptanceNotice) -> verifiable.Finding:
    sub = notice.subcase
    issued = timezone.localdate(notice.issued_at)
    promised = notice.payload.get("p") or ""
    rows: list[tuple[Any, str]] = [
        (_("Document"), str(KIND_LABEL)),
        (_("Notice number"), notice.number),
        (_("Matter accepted"), str(sub.item.display_name)),
        (_("Issuing department"), str(sub.department.display_name)),
        (_("Date of issue"), issued.isoformat()),
    ]
    if promised:
        rows.append((_("Promised completion"), promised))
    return verifiable.Finding(
        genuine=True,
        kind=KIND_LABEL,
        message=_("Valid: a genuine acceptance notice issued by %(department)s on %(date)s.")
        % {"department": sub.department.display_name, "date": issued.isoformat()},
        rows=rows,
        key_id=notice.key_id,
        alg=notice.algorithm,
    )


def _in_register(notice: AcceptanceNotice) -> verifiable.Finding:
    """Re-check a registered notice: its signature and that its face was not altered."""
    fields = dict(notice.payload)
    if not signature_valid(fields, notice.signature):
        return _refused(_("The signature does not match: the notice was altered or forged."))
    try:
        suite = keys.get_key(notice.key_id).suite
        intact = face_digest(suite, face_of(notice)) == fields.get("g")
    except (CryptoError, ValueError):
        intact = False
    if not intact:
        return _refused(_("The notice does not match the one in the register."))
    return _genuine(notice)


def verify_text(text: str) -> verifiable.Finding | None:
    """The verifier registered in ``tongban.core.verifiable``: a notice number with its
    verification code, or a notice payload (the QR code). ``None`` for anything else."""
    text = text.strip()
    match = _NUMBER_AND_CODE.match(text)
    if match:
        number, code = match.group(1), match.group(2).upper()
        notice = (
            AcceptanceNotice.objects.select_related("subcase__item", "subcase__department")
            .filter(number=number)
            .first()
        )
        if notice is None or not hmac.compare_digest(verification_code(notice), code):
            return _refused(
                _("No acceptance notice has this number and verification code. Check both.")
            )
        return _in_register(notice)
    fields = _decode(text)
    if fields is None:
        return None
    signature = fields.pop("s", "")
    if set(fields) != set(FIELDS) or not isinstance(signature, str) or not signature:
        return _refused(_("The code does not have the fields of an acceptance notice."))
    if not signature_valid(fields, signature):
        return _refused(_("The signature does not match: the notice was altered or forged."))
    notice = (
        AcceptanceNotice.objects.select_related("subcase__item", "subcase__department")
        .filter(number=fields["n"])
        .first()
    )
    if notice is None or notice.payload != fields or notice.signature != signature:
        return _refused(_("The signature is genuine but the notice is not in the register."))
    return _in_register(notice)


# --- the PDF and its page --------------------------------------------------------------


def notice_pdf(notice: AcceptanceNotice, verify_url: str) -> bytes:
    """``notice`` as PDF bytes in the active language; ``verify_url``: the absolute
    verification address with the payload (what the QR code carries)."""
    sub = notice.subcase
    face = face_of(notice)
    english = (get_language() or "").startswith("en")
    path, font_face = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{_('Acceptance notice')} {notice.number}")
    pdf.set_creator("tongban")
    pdf.add_font("cjk", "", path, collection_font_number=font_face)
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, _("Acceptance notice"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("cjk", size=10)
    pdf.cell(
        0,
        6,
        f"{_('Notice number')}: {notice.number}",
        new_x="LMARGIN",
        new_y="NEXT",
        align="C",
    )
    pdf.ln(4)
    applicant = face["applicant"] + (f" ({face['organisation']})" if face["organisation"] else "")
    item = face["item_en"] if english and face.get("item_en") else face["item"]
    department = str(sub.department.display_name)
    promised = notice.payload.get("p") or _("none stated")
    statutory = notice.payload.get("l") or _("none stated")
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(
        0,
        7,
        _(
            "%(applicant)s: your application for “%(item)s” (case %(case)s) has been "
            "accepted by %(department)s on %(accepted)s."
        )
        % {
            "applicant": applicant,
            "item": item,
            "case": sub.case.number,
            "department": department,
            "accepted": notice.payload["r"],
        },
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.ln(3)
    rows = [
        (_("Applicant"), applicant),
        (_("Case number"), sub.case.number),
        (_("Matter accepted"), item),
        (_("Accepted on"), notice.payload["r"]),
        (_("Promised completion"), promised),
        (_("Statutory deadline"), statutory),
        (_("Issuing department"), department),
        (_("Date of issue"), notice.payload["d"]),
        (_("Verification code"), f"{notice.number} {verification_code(notice)}"),
    ]
    for label, value in rows:
        pdf.set_x(20)
        pdf.cell(46, 8, label)
        pdf.multi_cell(0, 8, str(value), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, _("Materials received"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for name in face["materials"] or [_("none")]:
        pdf.multi_cell(0, 6, f"· {name}", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 7, department, new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.cell(0, 7, notice.payload["d"], new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.ln(4)
    top = pdf.get_y()
    if top > 220:  # keep the QR code and its explanation together
        pdf.add_page()
        top = pdf.get_y()
    draw_qr(pdf, verify_url, 20, top, 52)
    pdf.set_xy(78, top + 2)
    pdf.set_font("cjk", size=9)
    pdf.multi_cell(
        0,
        5,
        _(
            "Time limits count working days from the day after acceptance; periods for "
            "corrections and special procedures are not counted. This notice is signed "
            "electronically by %(department)s (key %(key)s). Scan the QR code, or enter the "
            "verification code on the licence verification page (%(url)s), to check that it "
            "is genuine."
        )
        % {"department": department, "key": notice.key_id, "url": verify_url.split("?")[0]},
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    return bytes(pdf.output())


@login_required
@require_GET
def notice_pdf_view(request: HttpRequest, number: str, notice: str) -> HttpResponse:
    """The applicant's acceptance notice as PDF; anyone else gets 404."""
    found = (
        AcceptanceNotice.objects.select_related(
            "subcase__case", "subcase__item", "subcase__department"
        )
        .filter(number=notice, subcase__case__number=number)
        .first()
    )
    if found is None or found.subcase.case.applicant_id != request.user.pk:
        raise Http404
    verify = request.build_absolute_uri(f"{reverse('licences:verify')}?p={payload_text(found)}")
    response = HttpResponse(notice_pdf(found, verify), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{found.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def register() -> None:
    """Connect the notice to acceptances and to the verification page (``ready``)."""
    signals.subcase_accepted.connect(on_subcase_accepted, dispatch_uid="cases.acceptance_notice")
    verifiable.register("cases.acceptance_notice", verify_text)
