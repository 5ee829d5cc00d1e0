"""The demo's English: every published item and bundle reads as English in English mode.

The catalogue is built once per module from its definitions (no database): the same rows
``tongban demo`` imports, as the committed-JSON test checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tongban.catalog.models import FAQ, Bundle, FeeItem, Material, ProcessStep, ServiceItem
from tongban.demo.catalogue.build import build_catalogue
from tongban.demo.data import org

# Han characters and the full-width punctuation that comes with them.
HAN = re.compile(
    r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20]"
)
# Proper names that may stay in Han characters inside English text, each reviewed. Empty:
# the demo romanises or translates every name ("Xinhua Road", "one-stop service").
REVIEWED_PROPER_NAMES: frozenset[str] = frozenset()

CHILDREN = {"materials": Material, "fees": FeeItem, "steps": ProcessStep, "faqs": FAQ}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Any]:
    return build_catalogue()


def _texts(record: dict[str, Any], fields: tuple[str, ...], where: str) -> Iterator[tuple]:
    for field in fields:
        original = record.get(field) or ""
        if original and not original.startswith(("http://", "https://", "/")):
            yield f"{where}.{field}", original, record.get(f"{field}_en", "")


def _item_texts(item: dict[str, Any]) -> Iterator[tuple]:
    where = item["implementation_code"]
    yield from _texts(item, ServiceItem.TRANSLATED, where)
    for key, model in CHILDREN.items():
        for n, child in enumerate(item[key], 1):
            yield from _texts(child, model.TRANSLATED, f"{where}.{key}[{n}]")


def _problems(texts: Iterator[tuple]) -> list[str]:
    problems = []
    for where, original, english in texts:
        if not english.strip():
            problems.append(f"{where}: no English")
        elif english.strip() == original.strip():
            problems.append(f"{where}: English equals the Chinese")
        else:
            stripped = english
            for name in REVIEWED_PROPER_NAMES:
                stripped = stripped.replace(name, "")
            if HAN.search(stripped):
                problems.append(f"{where}: Han characters in {english!r}")
    return problems


def test_every_published_item_has_english_for_each_text(catalogue):
    published = [i for i in catalogue["items"] if i["status"] == "published"]
    assert len(published) >= 60
    problems = [p for item in published for p in _problems(_item_texts(item))]
    assert problems == []


def test_every_published_bundle_has_english(catalogue):
    published = [b for b in catalogue["bundles"] if b["status"] == "published"]
    assert len(published) >= 6
    problems = [p for b in published for p in _problems(_texts(b, Bundle.TRANSLATED, b["code"]))]
    assert problems == []


def test_halls_and_departments_have_english():
    halls = [org.CENTRE] + [
        {"name": name, "name_en": name_en, "address": address,
         "address_en": org.TOWN_HALL_ADDRESSES_EN[code],
         "opening_hours": org.TOWN_HALL_HOURS, "opening_hours_en": org.TOWN_HALL_HOURS_EN}
        for code, name, name_en, address, _phone in org.TOWN_HALLS
    ]  # fmt: skip
    fields = ("name", "address", "opening_hours", "transit")
    problems = [p for h in halls for p in _problems(_texts(h, fields, h["name_en"]))]
    departments = [{"name": d.name, "name_en": d.name_en} for d in org.DEPARTMENTS]
    problems += [p for d in departments for p in _problems(_texts(d, ("name",), d["name"]))]
    assert problems == []


@pytest.mark.parametrize(
    ("english", "problem"),
    [
        ("", "no English"),
        ("营业执照", "English equals the Chinese"),
        ("Business licence (营业执照)", "Han characters"),
        ("Business licence（sample）", "Han characters"),  # full-width brackets
    ],
)
def test_the_check_catches_each_kind_of_problem(english, problem):
    found = _problems(iter([("x.name", "营业执照", english)]))
    assert len(found) == 1 and problem in found[0]


def test_the_check_passes_plain_english():
    assert _problems(iter([("x.name", "营业执照", "Business licence")])) == []
