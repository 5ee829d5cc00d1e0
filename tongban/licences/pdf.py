"""The PDF rendition of a licence: face data, the department's name as seal text, a QR code.

Made like the acceptance receipt (``tongban.cases.receipts``): fpdf2 embeds a subset of the
CJK font, so the file renders in any viewer; the QR code is drawn as vector squares and
carries the verification address with the signed payload (no personal data in it). The
seal is drawn text, not an electronic seal (GM/T 0031): see docs/adr/0006.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from fpdf import FPDF

from tongban.cases.receipts import cjk_font, draw_qr

from .models import Licence
from .services import face_rows


def _draw_seal(pdf: FPDF, text: str, cx: float, cy: float, radius: float) -> None:
    """A red ring with the department's name around the top and a star: seal text only."""
    pdf.set_draw_color(200, 30, 30)
    pdf.set_text_color(200, 30, 30)
    pdf.set_line_width(0.8)
    pdf.ellipse(cx - radius, cy - radius, 2 * radius, 2 * radius)
    chars = list(text)[:20]
    span = math.radians(240)
    start = math.radians(90) + span / 2
    size = min(11.0, max(6.0, 2 * radius * 2.2 / max(len(chars), 1)))
    pdf.set_font("cjk", size=size)
    for n, ch in enumerate(chars):
        angle = start - span * (n + 0.5) / len(chars)
        x = cx + (radius - size * 0.28) * math.cos(angle)
        y = cy - (radius - size * 0.28) * math.sin(angle)
        with pdf.rotation(math.degrees(angle) - 90, x, y):
            pdf.text(x - size * 0.18, y + size * 0.12, ch)
    pdf.set_font("cjk", size=radius * 1.4)
    pdf.text(cx - radius * 0.25, cy + radius * 0.25, "★")
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)


def licence_pdf(licence: Licence, verify_url: str) -> bytes:
    """``licence`` as PDF bytes; ``verify_url``: the absolute verification address with the
    payload (what the QR code carries)."""
    path, face = cjk_font()
    pdf = FPDF(format="A4")
    title = licence.licence_type.display_name
    pdf.set_title(f"{title} {licence.number}")
    pdf.set_creator("tongban")
    pdf.add_font("cjk", "", path, collection_font_number=face)
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_draw_color(150, 120, 60)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 190, 277)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(24)
    pdf.set_font("cjk", size=24)
    pdf.cell(0, 14, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("cjk", size=10)
    pdf.cell(
        0, 6, f"{_('Licence number')}: {licence.number}", new_x="LMARGIN", new_y="NEXT", align="C"
    )
    pdf.ln(8)
    pdf.set_font("cjk", size=12)
    for row in face_rows(licence, public_only=False, reveal=True):
        pdf.set_x(24)
        pdf.cell(44, 9, row.label)
        pdf.multi_cell(118, 9, row.value or "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    until = licence.valid_until.isoformat() if licence.valid_until else _("no time limit")
    for label, value in (
        (_("Valid from"), licence.valid_from.isoformat()),
        (_("Valid until"), until),
        (_("Issued on"), licence.issued_on.isoformat()),
        (_("Issued by"), licence.department.name),
    ):
        pdf.set_x(24)
        pdf.cell(44, 9, label)
        pdf.multi_cell(118, 9, value, new_x="LMARGIN", new_y="NEXT")
    draw_qr(pdf, verify_url, 24, 210, 50)
    _draw_seal(pdf, licence.department.name, 150, 232, 24)
    pdf.set_font("cjk", size=8)
    pdf.set_xy(20, 264)
    pdf.multi_cell(
        170,
        4,
        _(
            "Scan the QR code to verify this licence on the issuing platform; any party "
            "holding the published keys can also verify it offline. The signature covers the "
            "licence number, dates, holder and face data."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
