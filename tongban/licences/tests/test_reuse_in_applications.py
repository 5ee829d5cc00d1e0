"""Reuse on the application page (免提交): a held valid licence replaces an upload after the
applicant confirms; the official sees it as an electronic licence; a revoked one is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.cases import materials as case_materials
from tongban.cases import services as case_services
from tongban.cases.models import Case, WorkItem, WorkKind
from tongban.cases.tests.conftest import pdf_upload
from tongban.core.errors import ServiceError
from tongban.licences import services
from tongban.licences.models import MaterialLicence

from .conftest import issue_direct

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(lw):
    MaterialLicence.objects.create(material_code="M-A", licence_type=lw.type_a)
    return issue_direct(lw)


def test_the_form_offers_the_licence_and_submitting_attaches_it(client, lw, held):
    client.force_login(lw.applicant)
    url = reverse("cases:apply", args=["item", lw.item_a.implementation_code])
    page = client.get(url).content.decode()
    assert 'name="use_licence_M-A"' in page and held.number in page
    assert 'name="use_licence_M-ID"' not in page  # no licence satisfies the ID card
    response = client.post(
        url,
        {
            "f_applicant__name": "陈小明",
            "f_shop__area": "30",
            "use_licence_M-A": "1",
            "material_M-ID": pdf_upload(),
            "idempotency_key": "reuse-1",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(idempotency_key="reuse-1")
    attached = case.materials.get(material_code="M-A", superseded=False)
    assert attached.licence_number == held.number and attached.size == 0
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT)
    client.force_login(lw.clerk_a)
    officer_page = client.get(reverse("cases:work_item", args=[work.pk])).content.decode()
    assert held.number in officer_page


def test_a_revoked_licence_cannot_replace_an_upload(lw, held):
    services.revoke(held, "测试撤销", actor=lw.leader_a)
    draft = case_services.draft_for(lw.applicant, lw.item_a)
    with pytest.raises(ServiceError) as err:
        case_materials.use_held_licence(draft, "M-A", actor=lw.applicant)
    assert "material_M-A" in err.value.message_dict
    assert not draft.materials.exists()


def test_someone_elses_licence_is_never_offered(lw, held, other_citizen):
    draft = case_services.draft_for(other_citizen, lw.item_a)
    with pytest.raises(ServiceError):
        case_materials.use_held_licence(draft, "M-A", actor=other_citizen)
