"""The acceptance receipt (受理回执) as PDF: case number, items, promised date, a QR code.

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

from .models import Case

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


def acceptance_receipt(case: Case, status_url: str) -> bytes:
    """The receipt of ``case`` in the active language, as PDF bytes."""
    path, face = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{_('Acceptance receipt')} {case.number}")
    pdf.set_creator("tongban")
    pdf.add_font("cjk", "", path, collection_font_number=face)
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, _("Acceptance receipt"), new_x="LMARGIN", new_y="NEXT", align="C")
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
        (_("Case number"), case.number),
        (_("Query code"), case.query_code),
        (_("Application"), case.display_title),
        (_("Submitted"), timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M")),
        (
            _("Promised completion"),
            (case.promised_due.isoformat() if case.promised_due else _("see each item"))
            + (f" ({_('provisional')})" if case.due_provisional else ""),
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
        due = sub.promised_due.isoformat() if sub.promised_due else "—"
        pdf.multi_cell(
            0,
            7,
            f"· {sub.item.display_name} — {sub.department.display_name} — {_('due')} {due}",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    pdf.ln(6)
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
