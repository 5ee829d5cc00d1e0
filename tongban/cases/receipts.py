"""The receipt at submission (收件回执) as PDF: who applied, the case number, the items
and departments, the materials received, the date received, the promised dates, a QR code.

A 收件回执 only says what was received and when; it is not an acceptance (受理). Each
department decides on acceptance itself and then issues an acceptance notice (受理通知书,
``tongban.cases.acceptance``), which is signed and verifiable.

The PDF embeds a subset of a CJK font (Noto Sans CJK SC from the ``fonts-noto-cjk``
package, or the file named by ``TONGBAN_CJK_FONT``) so it renders in any viewer; the QR
code is drawn as vector squares and leads to the public status page with the case
number and query code filled in — no login, and no personal data in the code.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from . import clocks
from .models import Case, UploadedMaterial

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # face 2 = SC
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)


class FontMissing(RuntimeError):
    """No CJK font is installed: install fonts-noto-cjk or set TONGBAN_CJK_FONT."""


def cjk_font() -> tuple[str, int]:
    configured = getattr(settings, "TONGBAN_CJK_FONT", "") or os.environ.get("TONGBAN_CJK_FONT")
    if configured:
        name, _sep, index = str(configured).partition("#")
        return name, int(index or 0)
    for path, face in FONT_CANDIDATES:
        if Path(path).exists():
            return path, face
    raise FontMissing(
        "No CJK font found: install the fonts-noto-cjk package or set TONGBAN_CJK_FONT"
    )


def status_link(base_url: str, case: Case) -> str:
    return f"{base_url}?{urlencode({'number': case.number, 'code': case.query_code})}"


def draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """A QR code of ``data`` as vector squares (sharp at any zoom, no image library)."""
    qr = segno.make(data, error="m")
    rows = list(qr.matrix_iter(border=2))
    cell = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + r * cell, cell, cell, style="F")


def _applicant(case: Case) -> str:
    name = case.applicant.real_name or case.applicant.username
    organisation = case.organisation
    return f"{name} ({organisation.name})" if organisation is not None else name


def received_materials(case: Case) -> list[str]:
    """The names of the materials received with ``case`` (current uploads, or electronic
    licences used instead), each once, in the order of the items' material lists."""
    received = set(
        UploadedMaterial.objects.filter(case=case, superseded=False).values_list(
            "material_code", flat=True
        )
    )
    names: dict[str, str] = {}
    for sub in case.subcases.select_related("item").order_by("pk"):
        for code, name in sub.item.materials.values_list("code", "name"):
            if code in received and code not in names:
                names[code] = name
    return list(names.values())


def _not_an_acceptance(pdf: FPDF) -> None:
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(
        0,
        6,
        _(
            "This receipt confirms only that the application and the materials listed were "
            "received. It is not an acceptance: each department examines its part and, within "
            "five working days, accepts it (you then receive an acceptance notice), asks for "
            "corrections all at once, or tells you why it cannot accept it."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )


def application_receipt(case: Case, status_url: str) -> bytes:
    """The 收件回执 of ``case`` in the active language, as PDF bytes."""
    path, face = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{_('Application receipt')} {case.number}")
    pdf.set_creator("tongban")
    pdf.add_font("cjk", "", path, collection_font_number=face)
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, _("Application receipt"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("cjk", size=10)
    pdf.cell(
        0,
        6,
        _("Keep this receipt to follow your application."),
        new_x="LMARGIN",
        new_y="NEXT",
        align="C",
    )
    pdf.ln(6)
    link = status_link(status_url, case)
    draw_qr(pdf, link, 150, 42, 40)
    rows = [
        (_("Applicant"), _applicant(case)),
        (_("Case number"), case.number),
        (_("Query code"), case.query_code),
        (_("Application"), case.display_title),
        (_("Received on"), timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M")),
        (
            _("Promised completion"),
            promised_text(
                clocks.case_promise(case.subcases.select_related("item")), _("see each item")
            ),
        ),
    ]
    pdf.set_font("cjk", size=11)
    for label, value in rows:
        pdf.set_x(20)
        # Wide enough for the longest English label ("Promised completion").
        pdf.cell(46, 8, label)
        pdf.multi_cell(80, 8, str(value), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, _("Items and departments"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for sub in case.subcases.select_related("item", "department").order_by("pk"):
        due = promised_text(clocks.promise(sub), "—")
        pdf.multi_cell(
            0,
            7,
            f"· {sub.item.display_name} — {sub.department.display_name} — {_('due')} {due}",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, _("Materials received"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for name in received_materials(case) or [_("none")]:
        pdf.multi_cell(0, 6, f"· {name}", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    _not_an_acceptance(pdf)
    pdf.ln(4)
    pdf.set_font("cjk", size=9)
    pdf.multi_cell(
        0,
        5,
        _(
            "Scan the QR code or open %(url)s and enter the case number and query code to see "
            "the progress without signing in. Time limits count working days; the day of "
            "receipt is not counted."
        )
        % {"url": status_url},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def promised_text(promise: clocks.Promise | None, empty: str) -> str:
    """A promised date as the receipt prints it (``clocks.promise``, the one every page
    shows), or ``empty``."""
    if promise is None:
        return empty
    text = promise.date.isoformat()
    if promise.immediate:
        return f"{text} ({_('immediate: handled on the day it is accepted')})"
    if promise.provisional:
        return f"{text} ({_('provisional')})"
    return text
