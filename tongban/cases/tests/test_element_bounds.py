"""Plausible values, held by the data elements so every form gets them, and messages that
name their field once (issue 10)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tongban.cases import dataforms
from tongban.cases.dataforms import ApplicationForm, FormField
from tongban.cases.elements import bounds_for, resolve_day, sync_elements
from tongban.cases.forms import ApplicationDjangoForm
from tongban.cases.models import DataElement

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def elements(monkeypatch):
    sync_elements(DataElement)
    monkeypatch.setattr(dataforms, "_today", lambda: TODAY)
    return {e.code: e for e in DataElement.objects.all()}


def form_of(elements, *codes: str) -> ApplicationForm:
    return ApplicationForm(
        fields=[FormField(element=elements[c], required=True) for c in codes], versions={}
    )


def errors_for(elements, code: str, value: str) -> dict[str, str]:
    with translation.override("zh-hans"):
        return dataforms.clean_data(form_of(elements, code), {code: value})[1]


def test_resolve_day_counts_years_months_and_days_from_today():
    assert resolve_day("today", TODAY) == TODAY
    assert resolve_day("today-18y", TODAY) == dt.date(2008, 12, 7)
    assert resolve_day("today+90d", TODAY) == dt.date(2027, 3, 7)
    assert resolve_day("today+3m", dt.date(2026, 11, 30)) == dt.date(2027, 2, 28)
    assert resolve_day("1900-01-01", TODAY) == dt.date(1900, 1, 1)
    assert resolve_day("", TODAY) is None


@pytest.mark.parametrize(
    ("code", "value", "accepted"),
    [
        ("child.birth_date", "2026-12-07", True),
        ("child.birth_date", "2026-12-08", False),  # born tomorrow
        ("child.birth_date", "1899-12-31", False),
        ("deceased.death_date", "2027-01-01", False),
        ("employment.start_date", "2027-02-01", True),
        ("employment.start_date", "2030-01-01", False),
        ("seal.count", "3", True),
        ("seal.count", "0", False),
        ("seal.count", "21", False),
        ("seal.count", "2.5", False),  # a whole number
        ("enterprise.registered_capital", "-100", False),
        ("enterprise.registered_capital", "0.0001", True),
        ("enterprise.registered_capital", "99999999999", False),
        ("shop.area", "45.25", True),
        ("shop.area", "45.255", False),  # two decimal places at most
        ("gjj.deposit_rate", "13", False),
        ("social.start_month", "2026-12", True),
        ("social.start_month", "2026-13", False),
        ("social.start_month", "2040-01", False),
    ],
)
def test_elements_refuse_implausible_values(elements, code, value, accepted):
    assert (errors_for(elements, code, value) == {}) is accepted


def test_a_city_s_own_element_gets_the_type_s_bounds(elements):
    elements["city.boats"] = DataElement.objects.create(
        code="city.boats", name="渔船数量", name_en="Boats", data_type="number", max_length=10
    )
    elements["city.licensed_on"] = DataElement.objects.create(
        code="city.licensed_on", name="发证日期", name_en="Issued on", data_type="date"
    )
    assert "city.boats" in errors_for(elements, "city.boats", "-1")
    assert "city.licensed_on" in errors_for(elements, "city.licensed_on", "1850-06-01")
    assert errors_for(elements, "city.licensed_on", "2020-06-01") == {}
    assert bounds_for("city.boats", "text") is None


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("child.birth_date", ""),
        ("child.birth_date", "2026-12-08"),
        ("child.birth_date", "2026-02-30"),
        ("seal.count", "many"),
        ("seal.count", "30"),
        ("mother.id_number", "123"),
        ("applicant.phone", "123"),
    ],
)
def test_each_message_names_its_field_once(elements, code, value):
    errors = errors_for(elements, code, value)
    label = elements[code].name
    assert errors[code].count(label) == 1, errors[code]
    assert errors[code].startswith(label)


def test_the_future_birth_is_refused_in_words(elements):
    with translation.override("en"):
        form = form_of(elements, "child.birth_date")
        errors = dataforms.clean_data(form, {"child.birth_date": "2026-12-08"})[1]
    assert errors == {"child.birth_date": "Date of birth: The date cannot be in the future."}


def test_the_schema_and_the_date_input_carry_the_bounds(elements):
    form = form_of(elements, "seal.count", "child.birth_date", "social.start_month")
    schema = dataforms.json_schema(form)["properties"]
    assert {k: schema["seal.count"][k] for k in ("minimum", "maximum", "multipleOf")} == {
        "minimum": 1,
        "maximum": 20,
        "multipleOf": 1,
    }
    assert schema["child.birth_date"]["x-latest"] == "2026-12-07"
    assert schema["social.start_month"]["x-earliest"] == "2021-12"
    widget = ApplicationDjangoForm(form)["f_child__birth_date"].as_widget()
    assert 'min="2008-12-07"' in widget and 'max="2026-12-07"' in widget


def test_the_apply_page_names_each_field_once(world, client, monkeypatch):
    """In the error summary (which puts the label in front) and beside the input (under its
    label) a problem names its field once."""
    today = timezone.localdate()
    monkeypatch.setattr(dataforms, "_today", lambda: today)
    client.force_login(world.applicant)
    url = reverse("cases:apply", args=["item", world.item_a.implementation_code])
    page = client.post(
        url, {"f_applicant__name": "", "f_shop__area": "-5", "submit": "1"}, follow=True
    )
    html = page.content.decode()
    summary = re.search(r'<ul class="tb-error-summary__list">(.*?)</ul>', html, re.S)
    assert summary, html[:2000]
    items = re.findall(r"<li>(.*?)</li>", summary.group(1), re.S)
    for label in ("经营面积（平方米）", "申请人姓名"):
        lines = [i for i in items if label in i]
        assert len(lines) == 1 and lines[0].count(label) == 1, items
    beside = re.findall(r'<p class="tb-error-message"[^>]*>(.*?)</p>', html, re.S)
    assert beside and all("经营面积" not in b and "申请人姓名" not in b for b in beside), beside
