"""The officials' exchange pages: who gets in, the catalogue and its search, a request for
access, and the provider's decision with reasons, all from the workbench."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.core import nav
from tongban.exchange.models import (
    DataResource,
    Grant,
    RequestStatus,
    ResourceStatus,
    ShareRequest,
)
from tongban.org.models import DepartmentKind

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def _urls(world, request_pk: int) -> list[str]:
    code = world.resource.code
    return [
        reverse("exchange:catalogue"),
        reverse("exchange:resource", args=[code]),
        reverse("exchange:request_new", args=[code]),
        reverse("exchange:requests"),
        reverse("exchange:request", args=[request_pk]),
    ]


@pytest.fixture
def pending(world) -> ShareRequest:
    client = _client(world.requester_official)
    response = client.post(
        reverse("exchange:request_new", args=[world.resource.code]),
        {
            "member": world.member.pk,
            "items": [world.name.pk, world.id_number.pk],
            "purpose": "企业登记核验",
            "legal_basis": "《市场主体登记管理条例》第十二条",
            "duration_days": "180",
        },
    )
    request = ShareRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:request", args=[request.pk])
    return request


def test_anonymous_visitors_are_sent_to_sign_in(world, pending):
    for url in _urls(world, pending.pk):
        response = _client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_citizens_and_public_service_staff_are_refused(world, pending, citizen, city):
    from tongban.org.models import Department

    hospital = Department.objects.create(
        code="hospital",
        name="市人民医院",
        uscc="12442000MB2C4444" + "00",
        kind=DepartmentKind.PUBLIC_SERVICE,
        region=city["city"],
    )
    nurse = User.objects.create_user(
        username="nurse", password="x-Long-Password-1", kind=UserKind.OFFICIAL, real_name="护士"
    )
    RoleAssignment.objects.create(user=nurse, role=Role.CLERK, department=hospital)
    for user in (citizen, nurse):
        for url in _urls(world, pending.pk):
            assert _client(user).get(url).status_code == 403, (user, url)


def test_the_catalogue_lists_and_searches_published_resources(world):
    client = _client(world.requester_official)
    page = client.get(reverse("exchange:catalogue"))
    assert page.status_code == 200
    assert "人口基础信息" in page.content.decode()
    found = client.get(reverse("exchange:catalogue"), {"q": "household.address"})
    assert "人口基础信息" in found.content.decode()
    missed = client.get(reverse("exchange:catalogue"), {"q": "不存在的资源"})
    assert "人口基础信息" not in missed.content.decode()
    by_class = client.get(reverse("exchange:catalogue"), {"share_class": "not_shared"})
    assert "人口基础信息" in by_class.content.decode()
    DataResource.objects.create(
        department=world.requester_dept,
        code="zs.scjg.legal-persons",
        name="法人基础信息",
        source_system="登记系统",
        status=ResourceStatus.PUBLISHED,
    )
    other_dept = client.get(reverse("exchange:catalogue"), {"department": "scjg"})
    assert "法人基础信息" in other_dept.content.decode()
    assert "人口基础信息" not in other_dept.content.decode()


def test_the_resource_page_shows_each_items_class_and_grade(world):
    page = _client(world.requester_official).get(
        reverse("exchange:resource", args=[world.resource.code])
    )
    text = page.content.decode()
    assert page.status_code == 200
    for code in ("person.name", "person.id_number", "household.address", "person.record"):
        assert code in text
    assert reverse("exchange:request_new", args=[world.resource.code]) in text


def test_a_request_form_with_mistakes_keeps_the_answers_and_names_the_fields(world):
    client = _client(world.requester_official)
    response = client.post(
        reverse("exchange:request_new", args=[world.resource.code]),
        {"member": world.member.pk, "purpose": "企业登记核验", "duration_days": "0"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"items", "legal_basis", "duration_days"} <= set(form.errors)
    assert "企业登记核验" in response.content.decode()
    assert not ShareRequest.objects.exists()


def test_not_shared_items_cannot_even_be_posted(world):
    response = _client(world.requester_official).post(
        reverse("exchange:request_new", args=[world.resource.code]),
        {
            "member": world.member.pk,
            "items": [world.record.pk],
            "purpose": "p",
            "legal_basis": "b",
            "duration_days": "10",
        },
    )
    assert response.status_code == 200 and "items" in response.context["form"].errors
    assert not ShareRequest.objects.exists()


def test_the_provider_answers_from_its_inbox_and_a_refusal_needs_reasons(world, pending):
    provider = _client(world.provider_official)
    inbox = provider.get(reverse("exchange:requests"))
    assert f"#{pending.pk}" in inbox.content.decode()
    url = reverse("exchange:request", args=[pending.pk])
    empty = provider.post(url, {"action": "refuse", "refuse-text": " "})
    assert empty.status_code == 200 and empty.context["forms"]["refuse"].errors
    pending.refresh_from_db()
    assert pending.status == RequestStatus.SUBMITTED
    # The requesting department cannot answer its own request.
    assert (
        _client(world.requester_official)
        .post(url, {"action": "grant", "grant-rate_per_minute": "5", "grant-rate_per_day": "50"})
        .status_code
        == 403
    )
    done = provider.post(
        url, {"action": "grant", "grant-rate_per_minute": "5", "grant-rate_per_day": "50"}
    )
    assert done.status_code == 302
    pending.refresh_from_db()
    grant = Grant.objects.get(request=pending)
    assert pending.status == RequestStatus.GRANTED
    assert (grant.rate_per_minute, grant.rate_per_day) == (5, 50)


def test_an_official_of_a_third_department_sees_nothing_of_the_request(world, pending, city):
    from tongban.org.models import Department

    tax = Department.objects.create(
        code="sw", name="税务局", uscc="11442000MB2C5555" + "00", region=city["city"]
    )
    clerk = User.objects.create_user(
        username="tax", password="x-Long-Password-1", kind=UserKind.OFFICIAL, real_name="税"
    )
    RoleAssignment.objects.create(user=clerk, role=Role.REVIEWER, department=tax)
    client = _client(clerk)
    assert client.get(reverse("exchange:request", args=[pending.pk])).status_code == 404
    assert (
        f"#{pending.pk}"
        not in client.get(reverse("exchange:requests") + "?view=outgoing").content.decode()
    )


def test_the_workbench_offers_the_catalogue_the_requests_and_a_panel(world, pending):
    provider = world.provider_official
    keys = {link.key for link in nav.links(nav.WORKBENCH, provider)}
    assert {"exchange.catalogue", "exchange.requests"} <= keys
    panel = next(p for p in nav.panels(provider) if p.key == "exchange.requests")
    assert panel.counts[0].value == 1
    assert panel.items[0].url == reverse("exchange:request", args=[pending.pk])


def test_a_refusal_is_disputed_and_settled_by_the_data_authority_from_the_pages(world, pending):
    url = reverse("exchange:request", args=[pending.pk])
    _client(world.provider_official).post(url, {"action": "refuse", "refuse-text": "无依据"})
    requester = _client(world.requester_official)
    assert "dispute-title" in requester.get(url).content.decode()
    requester.post(url, {"action": "dispute", "dispute-text": "依据见申请"})
    pending.refresh_from_db()
    assert pending.status == RequestStatus.DISPUTED
    authority = _client(world.authority_official)
    listed = authority.get(reverse("exchange:requests"), {"view": "disputes"})
    assert f"#{pending.pk}" in listed.content.decode()
    # The provider is no data authority: its attempt changes nothing.
    assert (
        _client(world.provider_official)
        .post(url, {"action": "overrule", "resolve-text": "x"})
        .status_code
        == 403
    )
    done = authority.post(url, {"action": "overrule", "resolve-text": "依据充分"})
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.status == RequestStatus.GRANTED and Grant.objects.filter(request=pending)


def test_the_requester_withdraws_a_waiting_request(world, pending):
    assert (
        _client(world.provider_official)
        .post(reverse("exchange:withdraw", args=[pending.pk]))
        .status_code
        == 403
    )
    _client(world.requester_official).post(reverse("exchange:withdraw", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.status == RequestStatus.WITHDRAWN
