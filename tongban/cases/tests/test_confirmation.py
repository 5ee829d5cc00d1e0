"""After submitting: the confirmation page; the case page lists the applicant's files and
their own answers in full."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tongban.cases import clocks
from tongban.cases.models import Case, CaseStatus
from tongban.cases.tests.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def _submit_by_form(client, world) -> tuple[Case, str]:
    """Submit item B (address asked) through the form page; return the case and where the
    browser was sent."""
    item = world.item_b
    response = client.post(
        reverse("cases:apply", args=["item", item.implementation_code]),
        {
            "f_applicant__name": "陈小明",
            "f_applicant__address": "广东省中山市石岐街道孙文中路1号3栋1502房",
            "material_M-B": pdf_upload("营业执照扫描件.pdf"),
            "material_M-ID": pdf_upload("id.pdf"),
            "idempotency_key": "confirm-1",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    return Case.objects.get(), response["Location"]


def test_submitting_leads_to_the_confirmation(client, world):
    client.force_login(world.applicant)
    case, location = _submit_by_form(client, world)
    assert location == reverse("cases:submitted", args=[case.number])
    page = client.get(location).content.decode()
    assert "申请已提交" in page
    # The case number in full, in the panel's own element (which wraps rather than cuts).
    assert re.search(
        rf'<strong class="tb-case-number tb-confirmation__number">{case.number}</strong>', page
    )
    assert case.query_code in page
    assert "接下来会怎样" in page  # what happens next
    sub = case.subcases.get()
    promise = clocks.promise(sub)
    assert promise is not None
    assert f'datetime="{promise.date.isoformat()}"' in page  # by when
    assert f'href="{reverse("cases:receipt", args=[case.number])}"' in page
    assert f'href="{reverse("cases:my_case", args=[case.number])}"' in page


def test_the_confirmation_is_the_applicants_only(client, world, other_citizen):
    case = world.submit()
    url = reverse("cases:submitted", args=[case.number])
    assert Client().get(url).status_code == 302  # sign in first
    client.force_login(other_citizen)
    assert client.get(url).status_code == 404


def test_a_finished_case_goes_to_its_page_instead(client, world):
    case = world.submit()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.WITHDRAWN)
    client.force_login(world.applicant)
    response = client.get(reverse("cases:submitted", args=[case.number]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:my_case", args=[case.number])


def test_the_confirmation_in_english_and_elder_mode(world):
    client = Client()
    client.cookies["django_language"] = "en"
    client.cookies["tongban_elder"] = "1"
    client.force_login(world.applicant)
    case = world.submit()
    page = client.get(reverse("cases:submitted", args=[case.number])).content.decode()
    assert "Your application has been submitted" in page and "What happens next" in page
    assert f">{case.number}</strong>" in page and "tb-elder" in page.split("<head>", 1)[0]


def test_the_case_page_lists_the_files_and_answers_in_full(client, world):
    client.force_login(world.applicant)
    case, _location = _submit_by_form(client, world)
    page = client.get(reverse("cases:my_case", args=[case.number])).content.decode()
    files = page.split('id="files"', 1)[1]
    # Each file: its name, its size, the material it is, and a working download link.
    assert "营业执照扫描件.pdf" in files and "id.pdf" in files
    assert "材料M-B" in files and "身份证" in files
    links = re.findall(r'href="(/materials/\d+/)"', files)
    assert len(links) == 2
    download = client.get(links[0])
    assert download.status_code == 200 and b"".join(download.streaming_content)[:5] == b"%PDF-"
    assert re.search(r"\d+(\.\d+)?\s*(字节|bytes|KB)", files)
    # The whole address, not its first six characters; the ID number stays masked.
    answers = page.split('id="answers"', 1)[1].split('id="files"', 1)[0]
    assert "广东省中山市石岐街道孙文中路1号3栋1502房" in answers
    assert world.applicant.id_number not in page


def test_officials_still_see_the_address_abridged(client, world):
    from tongban.cases.models import WorkItem, WorkStatus

    client.force_login(world.applicant)
    case, _location = _submit_by_form(client, world)
    work = WorkItem.objects.get(case=case, status=WorkStatus.OPEN)
    client.force_login(world.all_b)
    page = client.get(reverse("cases:work_item", args=[work.pk])).content.decode()
    assert "广东省中山市石岐街道孙文中路1号3栋1502房" not in page
    assert "广东省中山市…" in page
