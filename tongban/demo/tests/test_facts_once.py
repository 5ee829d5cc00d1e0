"""The demo's forms ask each fact once, with the role named right for the kind of business
(issue 10): checked on the definitions, without a database."""

from __future__ import annotations

from tongban.cases.elements import STANDARD_ELEMENTS, fact_clashes
from tongban.demo.catalogue.build import item_definitions
from tongban.demo.catalogue.bundles import bundle_rows
from tongban.demo.forms import FORMS

ELEMENTS = {row[0]: row for row in STANDARD_ELEMENTS}


def merged(members: list[str]) -> list[str]:
    """The element codes of a bundle's merged form, as ``dataforms.build_form`` unites
    them: each once, in the members' order."""
    codes: list[str] = []
    for key in members:
        for code, _required in FORMS[key]:
            if code not in codes:
                codes.append(code)
    return codes


def bundles() -> dict[str, list[str]]:
    keys = {key: key for key in item_definitions()}
    return {row["code"]: row["members"] for row in bundle_rows(keys, {"zssj": ""})}


def test_every_bundle_member_has_a_form_of_known_elements():
    for code, members in bundles().items():
        assert all(key in FORMS for key in members), code
    for key, fields in FORMS.items():
        assert [c for c, _r in fields if c not in ELEMENTS] == [], key
        assert len({c for c, _r in fields}) == len(fields), key


def test_each_bundle_form_asks_each_fact_once():
    for code, members in bundles().items():
        codes = merged(members)
        assert fact_clashes(codes) == [], code
        for language in (1, 2):  # the Chinese and the English labels
            labels = [ELEMENTS[c][language] for c in codes]
            assert len(set(labels)) == len(labels), (code, labels)


def test_the_restaurant_asks_for_an_operator_and_the_company_for_a_legal_representative():
    restaurant = merged(bundles()["open-a-restaurant"])
    assert "operator.name" in restaurant and ELEMENTS["operator.name"][1] == "经营者姓名"
    for company_fact in ("enterprise.legal_representative", "enterprise.name", "enterprise.type"):
        assert company_fact not in restaurant
    assert {"shop.name", "shop.address"} <= set(restaurant)

    company = merged(bundles()["start-a-business"])
    assert "enterprise.legal_representative" in company and "operator.name" not in company
    # The company form offers company types only: a 个体工商户 has no legal representative.
    choices = {c["value"] for c in ELEMENTS["enterprise.type"][6]}
    assert choices == {"llc", "joint_stock"}
