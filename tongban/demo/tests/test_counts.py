"""What ``load_demo`` prints and the README's quick start says is what is loaded (issue 10),
and every bundle's merged form, as the platform builds it, asks each fact once."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tongban.accounts.models import Organisation, RoleAssignment, User
from tongban.cases import dataforms
from tongban.cases.elements import fact_clashes
from tongban.cases.models import Case, FormDefinition
from tongban.catalog.models import Bundle, ItemStatus, ServiceItem, Theme
from tongban.org.models import Department, Region, ServiceHall, ServiceWindow

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"
WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def _number(text: str) -> int:
    return int(text) if text.isdigit() else WORDS[text]


def test_printed_and_documented_counts_are_the_database_s():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = {k: int(v) for k, v in re.findall(r"^  (\w+) +(\d+)$", out.getvalue(), re.M)}
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    assert printed == {
        "regions": Region.objects.count(),
        "towns_and_streets": Region.objects.filter(level__in=["town", "street"]).count(),
        "departments": Department.objects.count(),
        "halls": ServiceHall.objects.count(),
        "windows": ServiceWindow.objects.count(),
        "users": User.objects.count(),
        "role_assignments": RoleAssignment.objects.count(),
        "organisations": Organisation.objects.count(),
        "themes": Theme.objects.count(),
        "items": ServiceItem.objects.count(),
        "items_published": published,
        "bundles": Bundle.objects.count(),
        "forms": FormDefinition.objects.count(),
        "cases": Case.objects.count(),
    }

    readme = " ".join(README.read_text(encoding="utf-8").split())
    quick = re.search(
        r"(\d+) towns and streets, (\d+) departments, (\d+) published service items and "
        r"(\w+) drafts, (\w+) 一件事 bundles, (\d+) application forms, (\d+) applications",
        readme,
    )
    assert quick, "the README's quick start no longer states the demo's counts"
    towns, departments, items, drafts, bundles, forms, cases = quick.groups()
    assert int(towns) == printed["towns_and_streets"]
    assert int(departments) == printed["departments"]
    assert int(items) == published
    assert _number(drafts) == printed["items"] - published
    assert _number(bundles) == printed["bundles"]
    assert int(forms) == printed["forms"]
    assert int(cases) == printed["cases"]

    for bundle in Bundle.objects.all():
        form = dataforms.build_form(bundle)
        codes = [f.code for f in form.fields]
        assert codes and fact_clashes(codes) == [], bundle.code
        labels = [f.element.name for f in form.fields]
        assert len(labels) == len(set(labels)), (bundle.code, labels)
