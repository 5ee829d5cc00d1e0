"""The receipt and the applicant's messages name the item and department in their language."""

from __future__ import annotations

import re
import zlib

import pytest
from django.urls import reverse

from tongban.notify.models import Message, Preference

pytestmark = pytest.mark.django_db

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The PDF literal string opening at ``data[start] == b"("``, unescaped, and its end."""
    out, depth, i = bytearray(), 1, start + 1
    while depth:
        ch = data[i : i + 1]
        if ch == b"\\":
            nxt = data[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        depth += {b"(": 1, b")": -1}.get(ch, 0)
        if depth:
            out += ch
        i += 1
    return bytes(out), i


def pdf_text(body: bytes) -> str:
    """The text an fpdf2 PDF shows, decoded with its fonts' ToUnicode maps."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    to_unicode: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for cid, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                to_unicode[int(cid, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        for match in re.finditer(rb"\((?=.*?\)\s*Tj)", stream, re.S):
            raw, _end = _literal(stream, match.start())
            cids = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            lines.append("".join(to_unicode.get(c, "") for c in cids))
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
    assert "Acceptance receipt" in text
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
