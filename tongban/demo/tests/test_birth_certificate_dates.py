"""A date typed on the one form is the same day on the licence face (regression: a birth
date entered as 2026-11-20 on the newborn bundle was reported as 2026-11-21 on the 出生医学
证明). The whole path: the bundle form in the browser's format, the draft, the sealed case
data, the face mapping of the demo's 出生医学证明, the signed licence and its pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongban.cases import materials
from tongban.cases.models import Case, FormDefinition
from tongban.cases.sealed import case_data
from tongban.cases.tests.conftest import pdf_upload
from tongban.demo.licences import BIRTH_FACE
from tongban.licences import services
from tongban.licences.models import Licence
from tongban.licences.tests.conftest import approve
from tongban.licences.tests.conftest import lw as lw  # the fixtures, used by name
from tongban.licences.tests.conftest import world as world
from tongban.workdays import calc


@pytest.mark.parametrize("local_time", [dt.time(0, 30), dt.time(9, 0), dt.time(23, 30)])
def test_a_birth_date_from_the_bundle_form_is_the_day_on_the_birth_certificate(
    lw,
    django_capture_on_commit_callbacks,
    monkeypatch,
    local_time,
):
    # Just after midnight in China the day in UTC is still the day before; late in the
    # evening both agree: the day on the face is the day typed at any hour.
    moment = dt.datetime.combine(timezone.localdate(), local_time, calc.local_zone())
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))
    form = FormDefinition.objects.get(item=lw.item_a)
    form.fields = [*form.fields, {"element": "child.birth_date", "required": True}]
    form.save(update_fields=["fields"])
    lw.type_a.face_fields = BIRTH_FACE
    lw.type_a.save(update_fields=["face_fields"])
    born = timezone.localdate() - dt.timedelta(days=18)
    client = Client()
    client.force_login(lw.applicant)
    post = {
        "f_applicant__name": "陈小明",
        "f_applicant__phone": "13800000001",
        "f_shop__area": "45",
        "f_child__birth_date": born.isoformat(),
        "idempotency_key": "birth-date",
        "submit": "1",
    }
    post |= {f"material_{m.code}": pdf_upload() for m in materials.required_materials(lw.bundle)}
    response = client.post(reverse("cases:apply", args=["bundle", lw.bundle.code]), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(applicant=lw.applicant)
    assert case_data(case)["child.birth_date"] == born.isoformat()
    sub = case.subcases.get(item=lw.item_a)
    with django_capture_on_commit_callbacks(execute=True):
        approve(case, sub, lw.clerk_a, lw.reviewer_a, lw.leader_a)
    licence = Licence.objects.get(source_subcase=sub)
    assert services.face_values(licence)["birth_date"] == born.isoformat()
    page = client.get(reverse("licences:detail", args=[licence.number])).content.decode()
    assert born.isoformat() in page
    assert (born + dt.timedelta(days=1)).isoformat() not in page
