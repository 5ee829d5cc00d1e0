"""The person's data-access log (我的数据使用记录, issue 14): a citizen sees the reads of
their own record and no one else's, an agent sees the business's, a read under a
confidential basis is withheld until its disclosure date and each withholding is audited;
a report reaches the data authority on a working-day clock and is answered through the
transitions; bad input changes nothing; only the data authority answers."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_uscc
from tongban.accounts.models import MemberRole, Organisation, OrganisationMember
from tongban.core import nav
from tongban.core.models import AuditRecord
from tongban.exchange import access_log, clocks
from tongban.exchange.forms import RequestForm
from tongban.exchange.models import (
    AccessReport,
    AccessReportStatus,
    DataAccess,
    DataRecord,
    Grant,
    MemberSystem,
    RequestStatus,
    ShareRequest,
)
from tongban.exchange.transitions import ACCESS_REPORT
from tongban.notify.models import Message
from tongban.workdays import calc
from tongban.workdays import clocks as registry

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # no holiday that week or the next


def _client(user=None, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def _record(world, key: str) -> DataRecord:
    values = {"person.name": "陈小明", "household.address": "中山市石岐区民生路1号"}
    held = DataRecord.objects.filter(
        resource=world.resource, key_digest=access_log.subject_digest(key)
    ).first()
    return held or DataRecord.objects.create(
        resource=world.resource, key=key.strip().upper(), fingerprint="f0",
        values=json.dumps(values, ensure_ascii=False),
    )  # fmt: skip


def _grant(world, *, confidential_until: dt.date | None = None) -> Grant:
    request = ShareRequest.objects.create(
        member=world.member, department=world.requester_dept, resource=world.resource,
        purpose="核查", legal_basis="《监察法》第二十三条", duration_days=90,
        submitted_at=MONDAY, due_on=MONDAY.date(), status=RequestStatus.GRANTED,
        confidential_until=confidential_until,
    )  # fmt: skip
    return Grant.objects.create(
        request=request, member=world.member, resource=world.resource, purpose="核查",
        legal_basis="《监察法》第二十三条", granted_at=MONDAY,
        expires_at=MONDAY + dt.timedelta(days=90), confidential_until=confidential_until,
    )  # fmt: skip


def _read(
    world, key: str, *, grant: Grant | None = None, case_ref: str = "", n: int = 1
) -> DataAccess:
    row = access_log.record_release(
        record=_record(world, key),
        resource=world.resource,
        items=[world.name, "household.address"],
        member=world.member,
        department=world.requester_dept,
        official=world.requester_official.username,
        grant=grant,
        purpose="办理营业执照时核验住址",
        legal_basis="《政务数据共享条例》第十四条",
        case_ref=case_ref,
        exchange_id=f"ex-{key[-4:]}-{n}",
        now=timezone.now(),
    )
    assert row is not None
    return row


def test_an_upstream_read_is_logged_by_the_key_and_nothing_without_one(world, citizen):
    def release(key: str) -> DataAccess | None:
        return access_log.record_release(
            record=None, key=key, resource=world.resource, items=["person.name"],
            member=world.member, department=world.requester_dept, official="official-a",
            grant=None, purpose="核验", legal_basis="《政务数据共享条例》", exchange_id="ex-up",
        )  # fmt: skip

    row = release(f" {citizen.id_number} ")
    assert row is not None and list(access_log.accesses_for(citizen)) == [row]
    assert release(" ") is None


def _withheld_audits() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="exchange.access.withheld").order_by("seq"))


# --- writing and reading the log ----------------------------------------------------------


def test_a_release_is_written_under_the_records_digest_and_never_the_key(world, citizen):
    row = _read(world, citizen.id_number.lower() + "  ")
    assert row.subject_digest == access_log.subject_digest(citizen.id_number)
    assert row.items == ["person.name", "household.address"]
    assert citizen.id_number not in json.dumps(
        {k: str(v) for k, v in DataAccess.objects.values().get(pk=row.pk).items()}
    )
    assert row.withheld_until is None


def test_a_citizen_sees_reads_of_their_record_and_not_others(world, citizen, other_citizen):
    world.address.name, world.address.name_en = "户籍地址", "Registered address"
    world.address.save()
    mine = _read(world, citizen.id_number)
    theirs = _read(world, other_citizen.id_number)
    assert list(access_log.accesses_for(citizen)) == [mine]
    assert list(access_log.accesses_for(other_citizen)) == [theirs]
    page = _client(citizen).get(reverse("exchange_me:log"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("exchange_me:report_new", args=[mine.pk]) in text
    assert reverse("exchange_me:report_new", args=[theirs.pk]) not in text
    assert "办理营业执照时核验住址" in text
    assert "户籍地址" in text and "household.address" not in text  # items by name


def test_an_agent_sees_the_business_reads_and_a_stranger_does_not(world, citizen, other_citizen):
    uscc = make_uscc("91442000MA4X1111")
    business = Organisation.objects.create(
        name="中山市甲公司", uscc=uscc, legal_representative="陈"
    )
    OrganisationMember.objects.create(
        organisation=business, user=other_citizen, role=MemberRole.AGENT
    )
    read = _read(world, uscc)
    assert read in access_log.accesses_for(other_citizen)
    assert read not in access_log.accesses_for(citizen)
    OrganisationMember.objects.filter(user=other_citizen).update(is_active=False)
    assert read not in access_log.accesses_for(other_citizen)


def test_nobody_without_an_id_number_or_a_business_sees_anything(world, citizen, official_a):
    _read(world, citizen.id_number)
    assert list(access_log.accesses_for(official_a)) == []
    page = _client(official_a).get(reverse("exchange_me:log"))
    assert page.status_code == 200
    assert _client().get(reverse("exchange_me:log")).status_code == 302  # sign in first


def test_a_confidential_read_is_hidden_until_its_date_and_each_withholding_is_audited(
    world, citizen
):
    today = timezone.localdate()
    until = today + dt.timedelta(days=30)
    open_read = _read(world, citizen.id_number, n=1)
    secret = _read(world, citizen.id_number, grant=_grant(world, confidential_until=until), n=2)
    assert secret.withheld_until == until
    assert list(access_log.accesses_for(citizen)) == [open_read]
    audits = _withheld_audits()
    assert [(a.meta["access"], a.meta["until"]) for a in audits] == [(secret.pk, until.isoformat())]
    assert citizen.id_number not in json.dumps(audits[0].meta)
    # The page neither lists nor counts it, and its report form is a 404 like a stranger's.
    page = _client(citizen).get(reverse("exchange_me:log")).content.decode()
    assert reverse("exchange_me:report_new", args=[secret.pk]) not in page
    assert secret.exchange_id not in page
    assert (
        _client(citizen).get(reverse("exchange_me:report_new", args=[secret.pk])).status_code == 404
    )
    assert len(_withheld_audits()) == 3  # one per withheld row per view: list, page, form
    # On the disclosure date it appears, and nothing more is withheld.
    assert set(access_log.accesses_for(citizen, today=until)) == {open_read, secret}
    assert len(_withheld_audits()) == 3


# --- the request form carries the disclosure date -----------------------------------------


def test_the_request_form_takes_only_a_future_disclosure_date(world):
    def form(value: str) -> RequestForm:
        data = {
            "member": world.member.pk, "items": [world.address.pk], "purpose": "核查",
            "legal_basis": "《监察法》", "duration_days": 30, "confidential_until": value,
        }  # fmt: skip
        return RequestForm(data, resource=world.resource, members=members)

    members = MemberSystem.objects.filter(pk=world.member.pk)
    future = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    for value, ok in [("", True), (future, True), (timezone.localdate().isoformat(), False),
                      ("2020-01-01", False), ("not a date", False)]:  # fmt: skip
        f = form(value)
        assert f.is_valid() is ok, (value, f.errors)
        if not ok:
            assert "confidential_until" in f.errors


# --- reports ----------------------------------------------------------------------------


def test_the_moves_of_a_report_are_exactly_these():
    assert ACCESS_REPORT.moves == {("open", "answer"): "answered"}
    assert ACCESS_REPORT.target("answered", "answer") is None


def test_a_report_reaches_the_data_authority_with_a_due_date(world, citizen, settings):
    settings.TONGBAN_EXCHANGE_ACCESS_REPORT_DAYS = 10
    read = _read(world, citizen.id_number)
    row = access_log.report(read, "  我没有在市场监管局办过事  ", actor=citizen, now=MONDAY)
    assert row.status == AccessReportStatus.OPEN
    assert row.reason == "我没有在市场监管局办过事"
    assert row.due_on == calc.Clock(MONDAY, 10).due(MONDAY).date == dt.date(2026, 3, 16)
    told = Message.objects.filter(code="exchange.access.reported")
    assert [m.recipient for m in told] == [world.authority_official]
    assert AuditRecord.objects.filter(action="exchange.access.report").count() == 1
    found = list(clocks.running_access_report_clocks())
    assert [c.key for c in found] == [f"exchange.access_report:{row.pk}"]
    assert found[0].owner_id == world.authority.pk
    registry.unregister("exchange.access_reports")
    clocks.register_access_report_clocks()
    assert "exchange.access_reports" in registry.providers()


def test_the_authority_answers_through_the_transitions_and_the_person_is_told(world, citizen):
    row = access_log.report(_read(world, citizen.id_number), "不认识", actor=citizen)
    access_log.answer(row, "经核查，该查询用于您的营业执照申请。", actor=world.authority_official)
    row.refresh_from_db()
    assert row.status == AccessReportStatus.ANSWERED
    assert row.answered_by == world.authority_official and row.answered_at is not None
    assert Message.objects.filter(code="exchange.access.answered", recipient=citizen).exists()
    assert AuditRecord.objects.filter(action="exchange.access.answer").count() == 1
    with pytest.raises(ValidationError):  # answered once only
        access_log.answer(row, "再答一次", actor=world.authority_official)
    assert list(clocks.running_access_report_clocks()) == []


def test_bad_input_is_named_and_changes_nothing(world, citizen):
    read = _read(world, citizen.id_number)
    for reason in ["", "   ", "很" * 5000]:
        with pytest.raises(ValidationError) as exc:
            access_log.report(read, reason, actor=citizen)
        assert list(exc.value.message_dict) == ["reason"]
    row = access_log.report(read, "不认识", actor=citizen)
    with pytest.raises(ValidationError) as exc:
        access_log.answer(row, " ", actor=world.authority_official)
    assert list(exc.value.message_dict) == ["answer"]
    assert AccessReport.objects.count() == 1
    row.refresh_from_db()
    assert row.status == AccessReportStatus.OPEN
    # On the page: the error beside the field, nothing saved.
    client = _client(citizen)
    url = reverse("exchange_me:report_new", args=[read.pk])
    for reason in ["", "很" * 5000]:
        page = client.post(url, {"reason": reason})
        assert page.status_code == 200
        assert 'class="tb-error-summary"' in page.content.decode()
    assert AccessReport.objects.count() == 1


def test_someone_elses_access_or_report_is_a_404(world, citizen, other_citizen):
    theirs = _read(world, other_citizen.id_number)
    mine = _read(world, citizen.id_number, n=2)
    client = _client(citizen)
    assert client.get(reverse("exchange_me:report_new", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("exchange_me:report_new", args=[theirs.pk]),
                       {"reason": "x"}).status_code == 404  # fmt: skip
    assert client.get(reverse("exchange_me:report_new", args=[99999999])).status_code == 404
    with pytest.raises(PermissionDenied):
        access_log.report(theirs, "不认识", actor=citizen)
    their_report = access_log.report(theirs, "不认识", actor=other_citizen)
    assert client.get(reverse("exchange_me:report", args=[their_report.pk])).status_code == 404
    assert AccessReport.objects.filter(reported_by=citizen).count() == 0
    # The person's own: the form, then the confirmation with the due date.
    page = client.post(reverse("exchange_me:report_new", args=[mine.pk]), {"reason": "不认识"})
    created = AccessReport.objects.get(reported_by=citizen)
    assert page.status_code == 302
    assert page["Location"] == reverse("exchange_me:report", args=[created.pk])
    shown = client.get(page["Location"]).content.decode()
    assert created.due_on.strftime("%Y-%m-%d") in shown


def test_only_the_data_authority_answers(world, citizen):
    row = access_log.report(_read(world, citizen.id_number), "不认识", actor=citizen)
    for user in (citizen, world.requester_official, world.provider_official):
        with pytest.raises(PermissionDenied):
            access_log.answer(row, "好的", actor=user)
    url = reverse("exchange:access_report", args=[row.pk])
    assert _client(citizen).get(url).status_code == 403
    assert _client(world.provider_official).get(url).status_code == 403
    assert _client(world.provider_official).post(url, {"answer": "好"}).status_code == 403
    assert (
        _client(world.provider_official).get(reverse("exchange:access_reports")).status_code == 403
    )
    row.refresh_from_db()
    assert row.status == AccessReportStatus.OPEN
    client = _client(world.authority_official)
    assert client.post(url, {"answer": ""}).status_code == 200
    page = client.post(url, {"answer": "经核查属依法查询"})
    assert page.status_code == 302
    row.refresh_from_db()
    assert row.status == AccessReportStatus.ANSWERED
    mine = _client(citizen).get(reverse("exchange_me:report", args=[row.pk])).content.decode()
    assert "经核查属依法查询" in mine


def test_ways_in_the_personal_space_and_the_workbench(world, citizen):
    row = access_log.report(_read(world, citizen.id_number), "不认识", actor=citizen)
    assert reverse("exchange_me:log") == "/me/data-access/"  # routed by the site
    personal = [link.key for link in nav.links(nav.PERSONAL, citizen)]
    assert "exchange.data_access" in personal
    panel = {p.key: p for p in nav.panels(world.authority_official)}["exchange.access_reports"]
    assert [c.value for c in panel.counts] == [1, 0]
    assert panel.items[0].url == reverse("exchange:access_report", args=[row.pk])
    assert "exchange.access_reports" not in {p.key for p in nav.panels(world.provider_official)}
    workbench = [link.key for link in nav.links(nav.WORKBENCH, world.authority_official)]
    assert "exchange.access_reports" in workbench
    me = _client(citizen).get(reverse("accounts:me")).content.decode()
    assert reverse("exchange_me:log") in me


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(world, citizen, language):
    read = _read(world, citizen.id_number)
    row = access_log.report(read, "不认识", actor=citizen)
    for url in [reverse("exchange_me:log"), reverse("exchange_me:report_new", args=[read.pk]),
                reverse("exchange_me:report", args=[row.pk])]:  # fmt: skip
        assert _client(citizen, language).get(url).status_code == 200, url
    listing = reverse("exchange:access_reports")
    for url in [listing, listing + "?view=answered", listing + "?view=overdue",
                reverse("exchange:access_report", args=[row.pk])]:  # fmt: skip
        assert _client(world.authority_official, language).get(url).status_code == 200, url
