"""The public verification page and API, keys.json, the wallet and the officials' pages."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from tongban.accounts.models import Role, RoleAssignment
from tongban.licences import services
from tongban.licences.models import Licence, LicenceStatus

from .conftest import issue_direct

pytestmark = pytest.mark.django_db

VISITOR = {"REMOTE_ADDR": "203.0.113.9", "HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def no_inline_style_or_script(html: str) -> None:
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_verify_page_valid_then_revoked_without_login(lw):
    lic = issue_direct(lw)
    client = Client(**VISITOR)
    url = f"{reverse('licences:verify')}?p={services.payload_of(lic)}"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "tb-verdict--valid" in html
    assert lic.number in html and "中山市市场监督管理局" in html
    assert "陈小明" in html and "经营面积" in html  # public fields
    assert lw.applicant.id_number not in html  # private field not shown at all
    assert "身份证号" not in html
    no_inline_style_or_script(html)
    services.revoke(lic, "以欺骗手段取得许可", actor=lw.leader_a)
    html = client.get(url).content.decode()
    assert "tb-verdict--revoked" in html and "以欺骗手段取得许可" in html
    assert "吊销于" in html and "原因：以欺骗手段取得许可" in html


def test_verify_page_in_english_and_forged_code(lw):
    lic = issue_direct(lw)
    client = Client(REMOTE_ADDR="203.0.113.10", HTTP_ACCEPT_LANGUAGE="en")
    text = services.payload_of(lic)
    forged = text[:-3] + ("AAA" if not text.endswith("AAA") else "BBB")
    html = client.get(reverse("licences:verify"), {"p": forged}).content.decode()
    assert "tb-verdict--invalid" in html and "Not valid" in html
    assert lic.number not in html
    html = client.get(reverse("licences:verify")).content.decode()
    assert "Verify a licence" in html and "tb-verdict" not in html


def test_sensitive_public_fields_are_masked(lw, django_capture_on_commit_callbacks):
    from .conftest import approve

    case = lw.cases.submit(lw.bundle, **{"applicant.address": "中山市东区中山四路88号"})
    sub_b = case.subcases.order_by("pk")[1]
    with django_capture_on_commit_callbacks(execute=True):
        approve(case, sub_b, lw.all_b, lw.all_b, lw.all_b)
    lic = Licence.objects.get(source_subcase=sub_b)
    html = (
        Client(**VISITOR)
        .get(reverse("licences:verify"), {"p": services.payload_of(lic)})
        .content.decode()
    )
    assert "住址" in html and "中山市东区中山四路88号" not in html and "****" in html


def test_verify_page_is_rate_limited(lw, settings):
    client = Client(REMOTE_ADDR="203.0.113.11")
    for _ in range(30):
        assert client.get(reverse("licences:verify"), {"p": "x"}).status_code == 200
    response = client.get(reverse("licences:verify"), {"p": "x"})
    assert response.status_code == 429 and response["Retry-After"]


def test_keys_json_publishes_public_halves_only(lw):
    lic = issue_direct(lw)
    data = Client(**VISITOR).get(reverse("licences:keys")).json()
    assert data["format"] == "tongban-licence-keys"
    entry = data["keys"][lic.key_id]
    assert entry["department"] == "scjg" and entry["alg"] == "ed25519" and entry["public_key"]
    assert set(entry) == {"alg", "suite", "department", "status", "public_key", "created_at",
                          "retired_at"}  # fmt: skip


# --- the API ------------------------------------------------------------------------------


def test_api_verify_valid_revoked_invalid_and_bad_input(lw):
    lic = issue_direct(lw)
    client = Client(**VISITOR)
    url = "/api/licences/verify"
    body = {"payload": services.payload_of(lic)}
    data = client.post(url, body, content_type="application/json").json()
    assert data["status"] == "valid" and data["licence_number"] == lic.number
    assert data["issuer"] == {"code": "scjg", "name": "中山市市场监督管理局"}
    assert data["licence_type"]["code"] == "11100000MB01"
    assert data["valid_until"] == lic.valid_until.isoformat()
    assert [f["key"] for f in data["face"]] == ["name", "area"]  # public fields only
    services.revoke(lic, "吊销", actor=lw.leader_a)
    data = client.post(url, body, content_type="application/json").json()
    assert data["status"] == "revoked" and data["reason"] == "吊销" and data["status_changed_at"]
    data = client.post(url, {"payload": "Zm9v"}, content_type="application/json").json()
    assert data["status"] == "invalid" and data["reason_code"] and data["face"] == []
    for empty in (client.post(url), client.generic("POST", url), client.post(url, {"x": "1"})):
        assert empty.status_code == 200 and empty.json()["reason_code"] == "empty"
    form = client.post(url, {"payload": services.payload_of(lic)})  # a plain form post
    assert form.json()["status"] == "revoked"
    for bad in ({"payload": 5}, {"payload": "A" * 5000}, ["x"]):
        response = client.post(url, bad, content_type="application/json")
        assert response.status_code == 422, bad
        assert response["Content-Type"].startswith("application/problem+json")
    response = client.post(url, "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert client.get(url).status_code == 405


# --- the wallet ---------------------------------------------------------------------------


def test_wallet_lists_own_licences_and_refuses_others(lw, client, stranger):
    lic = issue_direct(lw)
    other = issue_direct(lw, holder=stranger)
    client.force_login(lw.applicant)
    html = client.get(reverse("licences:wallet")).content.decode()
    assert lic.number in html and other.number not in html
    detail = client.get(reverse("licences:detail", args=[lic.number]))
    html = detail.content.decode()
    assert detail.status_code == 200 and "<svg" in html and "tb-licence-qr" in html
    assert lw.applicant.id_number not in html  # masked on the page
    no_inline_style_or_script(html)
    assert client.get(reverse("licences:detail", args=[other.number])).status_code == 404
    assert client.get(reverse("licences:pdf", args=[other.number])).status_code == 404
    assert client.post(reverse("licences:share", args=[other.number])).status_code == 404


def test_anonymous_is_sent_to_sign_in(lw):
    lic = issue_direct(lw)
    client = Client(**VISITOR)
    for url in (
        reverse("licences:wallet"),
        reverse("licences:detail", args=[lic.number]),
        reverse("licences:pdf", args=[lic.number]),
        reverse("licences:office_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pdf_embeds_its_font_and_has_a_qr_code(lw, client):
    lic = issue_direct(lw)
    client.force_login(lw.applicant)
    response = client.get(reverse("licences:pdf", args=[lic.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-") and (b"/FontFile2" in data or b"/FontFile3" in data)
    assert len(data) > 5000


def test_share_link_shows_the_public_view_and_expires(lw, client):
    lic = issue_direct(lw)
    client.force_login(lw.applicant)
    response = client.post(reverse("licences:share", args=[lic.number]), follow=True)
    html = response.content.decode()
    link = re.search(r'class="tb-share-link">([^<]+)<', html)[1].replace("&amp;", "&")
    token = parse_qs(urlsplit(link).query)["s"][0]
    visitor = Client(**VISITOR)
    html = visitor.get(reverse("licences:verify"), {"s": token}).content.decode()
    assert "tb-verdict--valid" in html and lic.number in html
    # 25 hours later the link no longer works.
    with pytest.raises(services.ShareLinkError):
        services.open_share_token(token, max_age=-3600)
    assert signing.loads(token, salt=services.SHARE_SALT, max_age=60) == {"n": lic.number}
    html = visitor.get(reverse("licences:verify"), {"s": token + "x"}).content.decode()
    assert "tb-verdict--valid" not in html and "tb-verdict--expired" in html


def test_expired_share_link_message(lw, client, monkeypatch):
    lic = issue_direct(lw)
    client.force_login(lw.applicant)
    token = services.share_token(lic, actor=lw.applicant)
    monkeypatch.setattr(services, "SHARE_MAX_AGE", -1)
    html = (
        Client(REMOTE_ADDR="203.0.113.12", HTTP_ACCEPT_LANGUAGE="en")
        .get(reverse("licences:verify"), {"s": token})
        .content.decode()
    )
    assert "has expired" in html and lic.number not in html


def test_business_licence_in_the_wallet_of_its_representatives(lw, other_citizen, department_a):
    from conftest import make_uscc
    from tongban.accounts.models import MemberRole, Organisation, OrganisationMember
    from tongban.licences.models import HolderKind, LicenceType

    t = LicenceType.objects.create(
        code="11100000MB07", name="营业执照", department=department_a,
        holder_kind=HolderKind.ORGANISATION,
        face_fields=[{"key": "name", "label": "名称", "element": "enterprise.name"}],
    )  # fmt: skip
    org = Organisation.objects.create(
        name="中山市甲公司", uscc=make_uscc("91442000MA4X1111"), legal_representative="李华"
    )
    OrganisationMember.objects.create(
        organisation=org, user=other_citizen, role=MemberRole.LEGAL_REPRESENTATIVE
    )
    lic = services.issue_licence(
        t, services.organisation_holder(org.uscc, org.name), {"name": org.name}, actor=None
    )
    assert list(services.wallet(other_citizen)) == [lic]
    assert list(services.wallet(lw.applicant)) == []


# --- officials ----------------------------------------------------------------------------


def test_office_revoke_through_the_page(lw, client, official_b):
    lic = issue_direct(lw)
    client.force_login(lw.leader_a)
    url = reverse("licences:office_detail", args=[lic.number])
    assert lic.number in client.get(reverse("licences:office_list")).content.decode()
    response = client.post(url, {"action": "revoke", "reason": ""})
    assert response.status_code == 200
    assert Licence.objects.get(pk=lic.pk).status == LicenceStatus.VALID
    response = client.post(url, {"action": "revoke", "reason": "以欺骗手段取得"})
    assert response.status_code == 302
    assert Licence.objects.get(pk=lic.pk).status == LicenceStatus.REVOKED
    # A reviewer sees the licence but may not change it; another department sees nothing.
    client.force_login(lw.reviewer_a)
    assert client.post(url, {"action": "reinstate", "reason": "x"}).status_code == 403
    client.force_login(official_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("licences:office_list")).content.decode().count(lic.number) == 0


def test_citizens_may_not_open_the_office_pages(lw, client, stranger):
    client.force_login(stranger)
    assert client.get(reverse("licences:office_list")).status_code == 403
    assert client.get(reverse("licences:office_issue")).status_code == 403


def test_office_records_a_legacy_licence(lw, client, other_citizen):
    client.force_login(lw.reviewer_a)
    url = reverse("licences:office_issue")
    assert "11100000MB01" in client.get(url).content.decode()
    assert "11100000MB02" not in client.get(url).content.decode()  # another department's type
    response = client.post(
        url,
        {
            "type": "11100000MB01",
            "holder_id": other_citizen.id_number,
            "holder_name": "李华",
            "issued_on": "2024-03-01",
            "face_name": "李华",
            "face_id_number": other_citizen.id_number,
            "face_area": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lic = Licence.objects.get()
    assert lic.holder_user == other_citizen and lic.issued_on == dt.date(2024, 3, 1)
    response = client.post(
        url, {"type": "11100000MB01", "holder_id": "bad", "holder_name": "x",
              "issued_on": "2024-03-01"},
    )  # fmt: skip
    assert response.status_code == 200 and Licence.objects.count() == 1


def test_a_leader_role_only_in_another_department_gives_no_office_rights(lw, client, stranger):
    from tongban.accounts.models import UserKind

    stranger.kind = UserKind.OFFICIAL
    stranger.save()
    RoleAssignment.objects.create(user=stranger, role=Role.DEPARTMENT_LEADER,
                                  department=lw.type_b.department)  # fmt: skip
    lic = issue_direct(lw)
    client.force_login(stranger)
    assert client.get(reverse("licences:office_detail", args=[lic.number])).status_code == 404
    assert json.dumps(list(services.wallet(stranger).values_list("pk", flat=True))) == "[]"
