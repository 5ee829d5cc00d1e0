"""Every quality rule: a passing and a failing case, severity overrides, publish blockers."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.catalog import quality
from tongban.catalog.models import QualityRuleSetting
from tongban.catalog.tests.factories import item_data, steps

AUDIENCES = {"kaiban": "enterprise", "birth": "person"}
FEE = {"name": "工本费", "standard": "每证10元", "basis": "粤价〔2020〕1号"}

# An item whose only texts are translated (Q16).
ENGLISH = {"summary": "", "location": "", "steps": [], "faqs": [],
           "acceptance_conditions": "x", "acceptance_conditions_en": "y",
           "legal_basis": "z", "legal_basis_en": "Law"}  # fmt: skip

# code -> (overrides that pass, overrides that fail)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "Q01": ({"visits_on_site": 0}, {"visits_on_site": 1, "on_site_reason": "核验原件"}),
    "Q02": (
        {"visits_on_site": 1, "on_site_reason": "核验原件", "online_depth": ["1"]},
        {"visits_on_site": 1, "on_site_reason": "", "online_depth": ["1"]},
    ),
    "Q03": ({"handling_forms": ["window", "postal"]}, {"handling_forms": ["window"]}),
    "Q04": (
        {"has_fee": True, "fee_basis": "粤价〔2020〕1号", "fees": [FEE]},
        {"has_fee": True, "fee_basis": "", "fees": [FEE]},
    ),
    "Q05": (
        {"has_fee": True, "fee_basis": "x", "fees": [FEE]},
        {"has_fee": True, "fee_basis": "x", "fees": []},
    ),
    "Q06": ({"supports_online_payment": False}, {"supports_online_payment": True}),
    "Q07": ({"consult_phone": "0760-89817133"}, {"consult_phone": "89817133"}),
    "Q08": ({"complaint_phone": "0760-12345"}, {"complaint_phone": ""}),
    "Q09": ({"complaint_phone": "0760-12345"}, {"complaint_phone": "0760-89817133"}),
    "Q10": (
        {"handling_type": "1", "promised_limit": 0},
        {"handling_type": "1", "promised_limit": 3},
    ),
    "Q11": ({"themes": ["birth"]}, {"themes": ["kaiban"]}),
    "Q12": ({"item_type": "01"}, {"item_type": "01", "faqs": []}),
    "Q13": ({"item_type": "01", "steps": steps(5)}, {"item_type": "01", "steps": steps(4)}),
    "Q14": (
        {"result_name": "营业执照", "result_sample": "样本.pdf"},
        {"result_name": "营业执照", "result_sample": ""},
    ),
    "Q15": ({"promised_limit": 20}, {"promised_limit": 21}),
    "Q16": (
        {**ENGLISH, "hours": "https://example.org/hours", "materials": []},
        {**ENGLISH, "hours": "", "materials": [{"code": "M1", "name": "表"}]},
    ),
}


def codes(findings: list[quality.Finding]) -> set[str]:
    return {f.code for f in findings}


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(quality.RULES_BY_CODE)


def test_the_base_item_passes_every_rule(db) -> None:
    assert quality.check_item(item_data(), audiences=AUDIENCES) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_passes_and_fails(db, code: str) -> None:
    passing, failing = CASES[code]
    rule = quality.RULES_BY_CODE[code]
    # A rule that is off by default is checked switched on.
    on = {**quality.rule_severities(), code: "warning"} if rule.default == "off" else None
    passing_item, failing_item = item_data(**passing), item_data(**failing)
    assert code not in codes(quality.check_item(passing_item, audiences=AUDIENCES, severities=on))
    found = [f for f in quality.check_item(failing_item, audiences=AUDIENCES, severities=on)
             if f.code == code]  # fmt: skip
    assert len(found) == 1
    assert found[0].field == rule.field
    assert found[0].severity == (rule.default if on is None else "warning")
    assert str(found[0].message)


@pytest.mark.parametrize(
    "overrides",
    [
        {"consult_phone": "13800000000"},  # a mobile has no area code
        {"consult_phone": ""},
    ],
)
def test_consultation_phone_needs_an_area_code(db, overrides: dict[str, Any]) -> None:
    assert "Q07" in codes(quality.check_item(item_data(**overrides), audiences=AUDIENCES))


def test_fee_item_without_standard_is_flagged(db) -> None:
    data = item_data(has_fee=True, fee_basis="x", fees=[{"name": "工本费", "basis": "x"}])
    assert "Q05" in codes(quality.check_item(data, audiences=AUDIENCES))


def test_promised_item_with_zero_limit_is_flagged(db) -> None:
    data = item_data(handling_type="2", promised_limit=0)
    assert "Q10" in codes(quality.check_item(data, audiences=AUDIENCES))


def test_limits_in_different_units_are_not_compared(db) -> None:
    data = item_data(promised_limit=30, promised_limit_unit="calendar_days")
    assert "Q15" not in codes(quality.check_item(data, audiences=AUDIENCES))


def test_organisation_item_under_a_person_theme_is_flagged(db) -> None:
    data = item_data(service_objects=["2"], themes=["birth"])
    assert "Q11" in codes(quality.check_item(data, audiences=AUDIENCES))


def test_rules_read_raw_import_values(db) -> None:
    """The importer's raw strings ("是", "3^4", "1") are understood as well."""
    data = item_data(has_fee="是", fee_basis="", fees=[FEE], visits_on_site="1",
                     on_site_reason="x", online_depth="1^2")  # fmt: skip
    assert "Q04" in codes(quality.check_item(data, audiences=AUDIENCES))


def test_theme_audiences_are_read_from_the_database(db) -> None:
    from tongban.catalog.models import Theme

    Theme.objects.create(code="kaiban", name="开办企业", audience="enterprise")
    assert "Q11" in codes(quality.check_item(item_data(themes=["kaiban"])))


def test_severity_override_to_warning(db) -> None:
    QualityRuleSetting.objects.create(code="Q07", severity="warning")
    found = [f for f in quality.check_item(item_data(consult_phone="123"), audiences=AUDIENCES)
             if f.code == "Q07"]  # fmt: skip
    assert [f.severity for f in found] == ["warning"]
    assert not found[0].is_error


def test_severity_override_to_error(db) -> None:
    QualityRuleSetting.objects.create(code="Q14", severity="error")
    found = quality.check_item(item_data(result_name="执照"), audiences=AUDIENCES)
    assert [(f.code, f.severity) for f in found] == [("Q14", "error")]


def test_severity_off_silences_the_rule(db) -> None:
    QualityRuleSetting.objects.create(code="Q09", severity="off")
    data = item_data(complaint_phone="0760-89817133")
    assert "Q09" not in codes(quality.check_item(data, audiences=AUDIENCES))


def test_settings_default_applies_below_the_table(db, settings) -> None:
    settings.CATALOG_QUALITY_DEFAULTS = {"Q06": "warning", "Q09": "warning"}
    QualityRuleSetting.objects.create(code="Q09", severity="error")
    severities = quality.rule_severities()
    assert severities["Q06"] == "warning"
    assert severities["Q09"] == "error"


def test_publish_blockers_pass_for_a_complete_item() -> None:
    assert quality.publish_blockers(item_data()) == []


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("name", "G01"), ("legal_basis", "G02"), ("acceptance_conditions", "G03"),
        ("materials", "G04"), ("location", "G05"), ("hours", "G06"),
        ("consult_phone", "G07"), ("steps", "G08"),
    ],
)  # fmt: skip
def test_each_missing_guide_element_blocks_publishing(field: str, code: str) -> None:
    empty: Any = [] if field in ("materials", "steps") else ""
    found = quality.publish_blockers(item_data(**{field: empty}))
    assert [(f.code, f.field, f.severity) for f in found] == [(code, field, "error")]


def test_publish_blockers_ignore_the_severity_table(db) -> None:
    for code in ("G01", "G02", "Q07"):
        QualityRuleSetting.objects.create(code=code, severity="off")
    assert codes(quality.publish_blockers(item_data(legal_basis=""))) == {"G02"}


@pytest.mark.parametrize("value", ["²", "①", "-1", "1.5", "1 0"])
def test_rules_ignore_numbers_that_are_not_plain_digits(db, value: str) -> None:
    data = item_data(visits_on_site=value, promised_limit=value, legal_limit="3")
    found = codes(quality.check_item(data, audiences=AUDIENCES))
    assert "Q15" not in found  # not read as a number, so not compared
    assert "Q02" not in found


def test_rules_read_a_number_too_long_for_int(db) -> None:
    data = item_data(promised_limit="9" * 5000, legal_limit="20")
    assert "Q15" in codes(quality.check_item(data, audiences=AUDIENCES))


def test_rules_read_fullwidth_digits(db) -> None:
    data = item_data(visits_on_site="１", on_site_reason="", online_depth=["1"])
    assert "Q02" in codes(quality.check_item(data, audiences=AUDIENCES))
    data = item_data(promised_limit="２１", legal_limit="２０")
    assert "Q15" in codes(quality.check_item(data, audiences=AUDIENCES))


def test_g04_needs_a_required_material() -> None:
    optional = [{"code": "M1", "name": "委托书", "necessity": "optional"},
                {"code": "M2", "name": "证明", "necessity": "conditional"}]  # fmt: skip
    assert codes(quality.publish_blockers(item_data(materials=optional))) == {"G04"}
    required = [*optional, {"code": "M3", "name": "申请表", "necessity": "required"}]
    assert quality.publish_blockers(item_data(materials=required)) == []
