"""The receipt and the applicant's messages name the item and department in their language."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from django.urls import reverse

from tongban.notify.models import Message, Preference

pytestmark = pytest.mark.django_db


def _to_unicode(font: pikepdf.Object) -> dict[int, str]:
    """The font's ToUnicode map (bfchar and bfrange entries), code -> text."""
    found: dict[int, str] = {}
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return found
    data = cmap.read_bytes()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, start in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int.from_bytes(bytes.fromhex(start.decode()), "big")
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                found[code] = chr(first + offset)
    return found


def _decode(raw: bytes, cmap: dict[int, str]) -> str:
    if not cmap:  # a simple font: one byte per character
        return raw.decode("latin-1")
    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
    return "".join(cmap.get(code, "") for code in codes)


def pdf_text(body: bytes) -> str:
    """The text a PDF shows: each page's content stream parsed with pikepdf, the strings
    of its Tj and TJ operators decoded with their fonts' ToUnicode maps."""
    lines = []
    with pikepdf.open(io.BytesIO(body)) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.get("/Font", {})
            maps = {str(name): _to_unicode(font) for name, font in fonts.items()}
            current: dict[int, str] = {}
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "Tf":
                    current = maps.get(str(operands[0]), {})
                elif op == "Tj":
                    lines.append(_decode(bytes(operands[0]), current))
                elif op == "TJ":
                    parts = [x for x in operands[0] if isinstance(x, pikepdf.String)]
                    lines.append("".join(_decode(bytes(x), current) for x in parts))
    return "\n".join(lines)


@pytest.fixture
def english_world(world):
    world.item_a.department.name_en = "Market Regulation Bureau"
    world.item_a.department.save()
    return world


def test_english_receipt_names_the_item_and_department_in_english(client, english_world):
    case = english_world.submit()
    client.force_login(english_world.applicant)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("cases:receipt", args=[case.number])).content
    text = pdf_text(body)
    assert "Application receipt" in text
    assert english_world.item_a.name_en in text
    assert "Market Regulation Bureau" in text
    assert english_world.item_a.name not in text
    assert english_world.item_a.department.name not in text


def test_chinese_receipt_keeps_the_chinese_names(client, english_world):
    case = english_world.submit()
    client.force_login(english_world.applicant)
    text = pdf_text(client.get(reverse("cases:receipt", args=[case.number])).content)
    assert english_world.item_a.name in text
    assert english_world.item_a.department.name in text
    assert "Market Regulation Bureau" not in text


def test_messages_name_the_item_in_the_recipients_language(english_world):
    Preference.objects.create(user=english_world.applicant, language="en")
    case = english_world.submit()
    received = Message.objects.filter(recipient=english_world.applicant).latest("pk")
    assert case.number in received.body
    assert english_world.item_a.name_en in received.body
    assert english_world.item_a.name not in received.body
