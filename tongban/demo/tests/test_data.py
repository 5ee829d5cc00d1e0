"""The demo data itself: identifiers valid, catalogue complete and consistent."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError

from tongban.catalog.quality import check_item, publish_blockers
from tongban.core.identifiers import (
    parse_resident_id,
    validate_landline,
    validate_phone,
    validate_uscc,
)
from tongban.demo.catalogue.build import build_catalogue, render
from tongban.demo.catalogue.themes import THEMES
from tongban.demo.data import org, people, regions
from tongban.demo.ids import org_code
from tongban.demo.loader import CATALOGUE_JSON, read_catalogue

AUDIENCES = {t["code"]: t["audience"] for t in THEMES}


def test_committed_json_matches_the_definitions():
    assert CATALOGUE_JSON.read_text(encoding="utf-8") == render(), (
        "run: python -m tongban.demo.catalogue.build"
    )


def test_every_resident_id_and_credit_code_is_valid():
    for p in people.PERSONAS:
        if p.id_number:
            parsed = parse_resident_id(p.id_number)
            assert parsed.region_code == "442000"
    for d in org.DEPARTMENTS:
        assert validate_uscc(d.uscc) == d.uscc
    for b in people.BUSINESSES:
        assert validate_uscc(b.uscc) == b.uscc
    usccs = [d.uscc for d in org.DEPARTMENTS] + [b.uscc for b in people.BUSINESSES]
    assert len(set(usccs)) == len(usccs)


def test_government_bodies_use_authority_11_and_business_91():
    government = [d for d in org.DEPARTMENTS if d.kind in ("government", "vertical")]
    assert government and all(d.uscc.startswith("11442000") for d in government)
    assert all(b.uscc.startswith("91442000") for b in people.BUSINESSES)


def test_org_code_check_character_follows_gb_11714():
    # A worked example: D2143569 has check character X under GB 11714 weights.
    assert org_code("D2143569") == "D2143569X"
    assert org_code("12345678") == "123456788"


def test_a_corrupted_credit_code_is_rejected():
    code = org.DEPARTMENTS[0].uscc
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    try:
        validate_uscc(broken)
    except ValidationError:
        return
    raise AssertionError("a changed check character must be rejected")


def test_twenty_three_towns_eight_streets_fifteen_towns():
    levels = Counter(t[3] for t in regions.TOWNS)
    assert levels == {"street": 8, "town": 15}
    assert all(len(t[0]) == 12 and t[0].startswith("442000") for t in regions.TOWNS)
    assert all(t[2] and t[4] and t[5] for t in regions.TOWNS)


def test_departments_and_phones():
    assert len(org.DEPARTMENTS) >= 22
    assert len({d.code for d in org.DEPARTMENTS}) == len(org.DEPARTMENTS)
    for d in org.DEPARTMENTS:
        validate_phone(d.phone)
        validate_phone(d.complaint_phone)
        assert d.phone.startswith("0760-") and d.phone != d.complaint_phone
    names = {d.name for d in org.DEPARTMENTS}
    assert "国家税务总局中山市税务局" in names and "中山市市场监督管理局" in names
    assert any(w[4] and "一件事" in w[1] for w in org.CENTRE_WINDOWS)


def test_catalogue_size_and_spread():
    data = read_catalogue()
    items = data["items"]
    assert len(items) >= 62
    assert len({i["department"] for i in items}) >= 18
    assert Counter(i["status"] for i in items)["draft"] == 2
    assert len({i["implementation_code"] for i in items}) == len(items)


def test_implementation_codes_have_the_national_shape():
    usccs = {d.code: d.uscc for d in org.DEPARTMENTS}
    for i in read_catalogue()["items"]:
        expected = f"{i['basic_code']}-442000000000-000-{usccs[i['department']]}-1-00"
        assert i["implementation_code"] == expected


def test_published_items_pass_blockers_and_quality_rules():
    published = [i for i in read_catalogue()["items"] if i["status"] == "published"]
    for i in published:
        assert publish_blockers(i) == [], i["name"]
        errors = check_item(i, audiences=AUDIENCES, severities={})
        assert errors == [], (i["name"], [f.code for f in errors])


def test_items_are_specific_not_templated():
    items = read_catalogue()["items"]
    for key in ("summary", "acceptance_conditions", "legal_basis"):
        values = [i[key] for i in items]
        assert len(set(values)) == len(values), key
    for i in items:
        assert i["faqs"], i["name"]
        validate_landline(i["consult_phone"])
        validate_landline(i["complaint_phone"])


def test_shared_materials_keep_one_code_per_document():
    names_by_code: dict[str, set[str]] = {}
    for i in read_catalogue()["items"]:
        for mat in i["materials"]:
            names_by_code.setdefault(mat["code"], set()).add(mat["name"])
    assert all(len(names) == 1 for names in names_by_code.values())
    uses = Counter(mat["code"] for i in read_catalogue()["items"] for mat in i["materials"])
    assert uses["M-ID-CARD"] > 20 and uses["M-BIZ-LICENCE"] > 15


def test_bundles_reference_existing_items_of_several_departments():
    data = build_catalogue()
    by_code = {i["implementation_code"]: i for i in data["items"]}
    bundles = {b["code"]: b for b in data["bundles"]}
    names = {b["name"] for b in bundles.values()}
    assert {"开办企业一件事", "新生儿出生一件事", "开办餐饮店一件事"} <= names
    for b in bundles.values():
        members = [by_code[c] for c in b["members"]]
        assert len({m["department"] for m in members}) >= 3, b["code"]
        assert all(m["status"] == "published" for m in members)
        assert b["lead_department"] in {m["department"] for m in members}
        assert "C10" in b["location"] and b["status"] == "published"
