"""Data correction (数据纠错): a consumer reports a wrong value, the provider corrects it or
confirms it on a working-day clock, the reporter may withdraw; who may do what; bad input
named by field and changing nothing; the value held here fixed without a value in the
audit trail."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_resident_id
from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.core import nav
from tongban.core.models import AuditRecord
from tongban.exchange import clocks, corrections
from tongban.exchange.models import (
    CorrectionStatus,
    DataCorrection,
    DataRecord,
    DataResource,
    DataSource,
    ResourceStatus,
    SourceKind,
)
from tongban.exchange.transitions import CORRECTION
from tongban.notify.models import Message
from tongban.org.models import Department
from tongban.workdays import calc
from tongban.workdays import clocks as registry

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # no holiday that week or the next
KEY = "44200019900101123X"
OLD, NEW = "中山市石岐区民生路1号", "中山市石岐区民生路11号"


def _client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def _record(world, key: str = KEY, address: str = OLD, *, with_source: bool = True) -> DataRecord:
    source = None
    if with_source:
        source = DataSource.objects.create(
            resource=world.resource, code="ga.population.csv", kind=SourceKind.CSV,
            location="population.csv", key_column="sfzh",
            mapping={"sfzh": "person.id_number", "dz": "household.address"},
        )  # fmt: skip
    values = {"person.id_number": key, "household.address": address}
    return DataRecord.objects.create(
        resource=world.resource, source=source, key=key,
        values=json.dumps(values, ensure_ascii=False), fingerprint="f0",
    )  # fmt: skip


def _report(world, *, actor=None, key: str = KEY, now=MONDAY, **changes) -> DataCorrection:
    data = {
        "item": world.address,
        "record_key": key,
        "description": "门牌号应为11号，与不动产登记不符",
        "proposed_value": NEW,
        **changes,
    }
    return corrections.report(
        world.resource,
        corrections.ReportInput(**data),
        actor=actor or world.requester_official,
        now=now,
    )


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- the table of moves, written out by hand ---------------------------------------------


def test_the_moves_of_a_correction_are_exactly_these():
    expected = {
        ("open", "correct"): "corrected",
        ("open", "reject"): "rejected",
        ("open", "withdraw"): "withdrawn",
    }
    for state in ("open", "corrected", "rejected", "withdrawn"):
        for action in ("correct", "reject", "withdraw"):
            assert CORRECTION.target(state, action) == expected.get((state, action)), (
                state,
                action,
            )


# --- report ------------------------------------------------------------------------------


def test_a_report_waits_five_working_days_and_tells_the_providers_deciders(world, settings):
    settings.TONGBAN_EXCHANGE_CORRECTION_DAYS = 5
    record = _record(world)
    row = _report(world)
    assert row.status == CorrectionStatus.OPEN
    assert row.department == world.requester_dept
    assert row.record == record
    assert row.due_on == calc.add_working_days(MONDAY.date(), 5).date == dt.date(2026, 3, 9)
    assert corrections.proposal_of(row) == corrections.Proposal(key=KEY, value=NEW)
    # encrypted at rest: neither the key nor the value is in the stored column
    stored = DataCorrection.objects.filter(pk=row.pk).values_list("proposed_value", flat=True)[0]
    assert KEY not in stored and NEW not in stored
    audit = AuditRecord.objects.get(action="exchange.correction.report")
    assert audit.meta["item"] == "household.address" and audit.meta["record_held"] is True
    assert KEY not in json.dumps(audit.meta) and NEW not in json.dumps(audit.meta)
    told = Message.objects.get(recipient=world.provider_official)
    assert told.code == "exchange.correction.reported"
    assert told.link == reverse("exchange:correction", args=[row.pk])
    assert not Message.objects.filter(recipient=world.requester_official).exists()


def test_the_setting_sets_the_answer_days(world, settings):
    settings.TONGBAN_EXCHANGE_CORRECTION_DAYS = 2
    assert _report(world).due_on == dt.date(2026, 3, 4)
    settings.TONGBAN_EXCHANGE_CORRECTION_DAYS = 0  # never less than one
    assert clocks.correction_days() == 1


def test_a_report_without_a_held_record_keeps_the_key(world):
    row = _report(world, key="440200199001011234")
    assert row.record is None
    assert corrections.proposal_of(row).key == "440200199001011234"


def test_bad_input_is_named_by_field_and_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        _report(world, item=None, key=" ", description="", proposed_value="x" * 501)
    assert set(_errors(exc)) == {"item", "record_key", "description", "proposed_value"}
    with pytest.raises(ValidationError) as exc:
        _report(world, item=world.record)  # not shared: never seen outside the provider
    assert set(_errors(exc)) == {"item"}
    other = DataResource.objects.create(
        department=world.provider, code="zs.ga.other", name="其他",
        status=ResourceStatus.PUBLISHED,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        corrections.report(
            other,
            corrections.ReportInput(item=world.address, record_key=KEY, description="错"),
            actor=world.requester_official,
        )
    assert set(_errors(exc)) == {"item"}
    assert not DataCorrection.objects.exists()
    assert not Message.objects.exists()


def test_the_provider_does_not_report_to_itself(world):
    with pytest.raises(ValidationError) as exc:
        _report(world, actor=world.provider_official)
    assert "人口管理信息系统" in _errors(exc)["__all__"][0]
    assert not DataCorrection.objects.exists()


def test_only_exchange_officials_report(world, citizen):
    with pytest.raises(PermissionDenied):
        _report(world, actor=citizen)
    assert not DataCorrection.objects.exists()


def test_a_draft_resource_takes_no_report(world):
    DataResource.objects.filter(pk=world.resource.pk).update(status=ResourceStatus.DRAFT)
    world.resource.refresh_from_db()
    with pytest.raises(ValidationError):
        _report(world)


# --- answer ------------------------------------------------------------------------------


def test_the_provider_corrects_and_fixes_the_value_held_here(world):
    record = _record(world)
    row = _report(world)
    later = MONDAY + dt.timedelta(days=2)
    corrections.answer(
        row,
        corrections.AnswerInput(
            outcome="corrected", answer="已核实并更正门牌号", fix_record=True, new_value=NEW
        ),
        actor=world.provider_official,
        now=later,
    )
    row.refresh_from_db()
    assert row.status == CorrectionStatus.CORRECTED
    assert row.answered_at == later and row.answered_by == world.provider_official
    record = DataRecord.objects.get(pk=record.pk)
    values = json.loads(str(record.values))
    assert values["household.address"] == NEW and values["person.id_number"] == KEY
    assert record.fingerprint == corrections.values_fingerprint(values) != "f0"
    fixed = AuditRecord.objects.get(action="exchange.record.correct")
    assert fixed.meta == {
        "resource": "zs.ga.population",
        "item": "household.address",
        "correction": row.pk,
    }
    for audit in AuditRecord.objects.all():
        assert NEW not in json.dumps(audit.meta, ensure_ascii=False)
    told = Message.objects.get(recipient=world.requester_official)
    assert told.code == "exchange.correction.answered"


def test_the_provider_confirms_the_value_with_reasons(world):
    record = _record(world)
    row = _report(world)
    corrections.answer(
        row,
        corrections.AnswerInput(outcome="rejected", answer="经核对户籍档案，原地址无误"),
        actor=world.provider_official,
    )
    row.refresh_from_db()
    assert row.status == CorrectionStatus.REJECTED
    assert json.loads(str(DataRecord.objects.get(pk=record.pk).values))["household.address"] == OLD
    with pytest.raises(ValidationError) as exc:  # answered: nothing more to do
        corrections.answer(
            row,
            corrections.AnswerInput(outcome="corrected", answer="又改了"),
            actor=world.provider_official,
        )
    assert "__all__" in _errors(exc)


def test_an_answer_needs_an_outcome_and_words(world):
    row = _report(world)
    with pytest.raises(ValidationError) as exc:
        corrections.answer(
            row, corrections.AnswerInput(outcome="maybe", answer=""), actor=world.provider_official
        )
    assert set(_errors(exc)) == {"outcome", "answer"}
    with pytest.raises(ValidationError) as exc:
        corrections.answer(
            row, corrections.AnswerInput(outcome="rejected"), actor=world.provider_official
        )
    assert _errors(exc)["answer"] == ["Say why the value is right."] or _errors(exc)["answer"]
    row.refresh_from_db()
    assert row.status == CorrectionStatus.OPEN and row.answer == ""


def test_a_value_not_held_here_cannot_be_fixed_here(world):
    row = _report(world)  # no record held
    with pytest.raises(ValidationError) as exc:
        corrections.answer(
            row,
            corrections.AnswerInput(
                outcome="corrected", answer="已改", fix_record=True, new_value=NEW
            ),
            actor=world.provider_official,
        )
    assert set(_errors(exc)) == {"fix_record"}
    _record(world)
    row2 = _report(world)
    with pytest.raises(ValidationError) as exc:
        corrections.answer(
            row2,
            corrections.AnswerInput(outcome="rejected", answer="无误", fix_record=True),
            actor=world.provider_official,
        )
    assert set(_errors(exc)) == {"fix_record", "new_value"}
    assert DataCorrection.objects.filter(status=CorrectionStatus.OPEN).count() == 2


def test_only_the_providers_deciders_answer(world, official_a):
    row = _report(world)
    clerk = User.objects.create_user(username="ga-clerk", password="x", kind=UserKind.OFFICIAL)
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, department=world.provider)
    for outsider in (world.requester_official, world.authority_official, clerk):
        with pytest.raises(PermissionDenied):
            corrections.answer(
                row,
                corrections.AnswerInput(outcome="rejected", answer="无误"),
                actor=outsider,
            )
    row.refresh_from_db()
    assert row.status == CorrectionStatus.OPEN


# --- withdraw ----------------------------------------------------------------------------


def test_the_reporter_withdraws_with_a_reason(world):
    row = _report(world)
    with pytest.raises(PermissionDenied):
        corrections.withdraw(row, actor=world.provider_official, reason="不需要了")
    with pytest.raises(ValidationError) as exc:
        corrections.withdraw(row, actor=world.requester_official, reason="  ")
    assert set(_errors(exc)) == {"reason"}
    corrections.withdraw(row, actor=world.requester_official, reason="看错了记录")
    row.refresh_from_db()
    assert row.status == CorrectionStatus.WITHDRAWN and row.answer == "看错了记录"


# --- the clock in the platform's registry -------------------------------------------------


def test_open_corrections_are_running_clocks(world):
    waiting = _report(world)
    answered = _report(world)
    corrections.withdraw(answered, actor=world.requester_official, reason="重复")
    found = list(clocks.running_correction_clocks())
    assert [c.key for c in found] == [f"exchange.correction:{waiting.pk}"]
    assert found[0].owner_id == world.provider.pk
    assert found[0].clock.due(MONDAY).date == waiting.due_on
    registry.unregister("exchange.corrections")
    clocks.register_correction_clocks()
    assert "exchange.corrections" in registry.providers()


# --- pages -------------------------------------------------------------------------------


def test_a_consumer_reports_from_the_resource_page(world):
    client = _client(world.requester_official)
    page = client.get(reverse("exchange:resource", args=[world.resource.code]))
    link = reverse("exchange:correction_new", args=[world.resource.code])
    assert link in page.content.decode()
    form = client.get(link)
    assert form.status_code == 200 and 'name="record_key"' in form.content.decode()
    bad = client.post(link, {"item": "", "record_key": KEY, "description": ""})
    body = bad.content.decode()
    assert bad.status_code == 200 and "出现问题" in body and KEY in body  # value kept
    assert not DataCorrection.objects.exists()
    done = client.post(
        link,
        {
            "item": world.address.pk,
            "record_key": KEY,
            "description": "门牌号错",
            "proposed_value": NEW,
        },
    )
    row = DataCorrection.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "exchange:correction", args=[row.pk]
    )


def test_the_provider_sees_no_report_form_for_its_own_resource(world):
    client = _client(world.provider_official)
    page = client.get(reverse("exchange:resource", args=[world.resource.code]))
    assert (
        reverse("exchange:correction_new", args=[world.resource.code]) not in page.content.decode()
    )
    form = client.post(
        reverse("exchange:correction_new", args=[world.resource.code]),
        {"item": world.address.pk, "record_key": KEY, "description": "错"},
    )
    assert form.status_code == 200 and "人口管理信息系统" in form.content.decode()
    assert not DataCorrection.objects.exists()


def test_the_provider_answers_on_the_page(world):
    _record(world)
    row = _report(world)
    client = _client(world.provider_official)
    inbox = client.get(reverse("exchange:corrections"))
    assert reverse("exchange:correction", args=[row.pk]) in inbox.content.decode()
    url = reverse("exchange:correction", args=[row.pk])
    page = client.get(url).content.decode()
    assert KEY in page and OLD in page  # the provider reads the key and the value held
    assert "人口管理信息系统" in page  # fix it in the source system …
    bad = client.post(url, {"action": "answer", "answer-outcome": "corrected", "answer-answer": ""})
    assert bad.status_code == 200 and "出现问题" in bad.content.decode()
    done = client.post(
        url,
        {"action": "answer", "answer-outcome": "corrected", "answer-answer": "已更正门牌号",
         "answer-fix_record": "on", "answer-new_value": NEW},
    )  # fmt: skip
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == CorrectionStatus.CORRECTED


def test_the_reporter_sees_the_key_masked_and_withdraws(world):
    row = _report(world)
    client = _client(world.requester_official)
    url = reverse("exchange:correction", args=[row.pk])
    page = client.get(url).content.decode()
    assert KEY not in page and corrections.mask_key(KEY) in page
    assert "answer-outcome" not in page  # no answer form for the reporter
    client.post(url, {"action": "withdraw", "withdraw-reason": "看错了"})
    row.refresh_from_db()
    assert row.status == CorrectionStatus.WITHDRAWN


def test_outsiders_get_nothing(world, citizen):
    row = _report(world)
    other = Department.objects.create(code="jy", name="中山市教育局", region=world.provider.region)
    official = User.objects.create_user(username="jy-1", password="x", kind=UserKind.OFFICIAL)
    RoleAssignment.objects.create(user=official, role=Role.REVIEWER, department=other)
    url = reverse("exchange:correction", args=[row.pk])
    assert _client(official).get(url).status_code == 404
    assert (
        _client(official).post(url, {"action": "withdraw", "withdraw-reason": "x"}).status_code
        == 404
    )
    assert _client(citizen).get(url).status_code == 403
    assert _client().get(url).status_code == 302
    assert _client(world.authority_official).get(url).status_code == 200
    row.refresh_from_db()
    assert row.status == CorrectionStatus.OPEN


def test_the_workbench_shows_corrections_to_answer(world):
    row = _report(world, now=timezone.now())
    panel = {p.key: p for p in nav.panels(world.provider_official)}["exchange.corrections"]
    assert [c.value for c in panel.counts] == [1, 0]
    assert panel.items[0].url == reverse("exchange:correction", args=[row.pk])
    theirs = {p.key: p for p in nav.panels(world.requester_official)}["exchange.corrections"]
    assert [c.value for c in theirs.counts] == [0, 0]
    keys = [link.key for link in nav.links(nav.WORKBENCH, world.requester_official)]
    assert "exchange.corrections" in keys
    page = _client(world.provider_official).get(reverse("portal:workbench"))
    assert reverse("exchange:correction", args=[row.pk]) in page.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(world, language):
    _record(world)
    row = _report(world)
    urls = [
        reverse("exchange:correction_new", args=[world.resource.code]),
        reverse("exchange:corrections") + "?view=ours",
        reverse("exchange:correction", args=[row.pk]),
    ]
    for user in (world.requester_official, world.provider_official, world.authority_official):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)


# --- what the page promises about syncs, checked with the real sync -----------------------


def test_a_local_fix_lasts_until_a_sync_reads_the_old_value_again(world, settings, tmp_path):
    from tongban.exchange import sync

    settings.TONGBAN_EXCHANGE_SOURCE_ROOT = str(tmp_path)
    key, other = make_resident_id(seq=7), make_resident_id(seq=8)  # valid: the sync checks them
    csv = tmp_path / "population.csv"
    csv.write_text(f"sfzh,dz\n{key},{OLD}\n", encoding="utf-8")
    source = DataSource.objects.create(
        resource=world.resource, code="ga.population.csv", kind=SourceKind.CSV,
        location="population.csv", key_column="sfzh",
        mapping={"sfzh": "person.id_number", "dz": "household.address"},
    )  # fmt: skip
    assert sync.sync_source(source).added == 1
    row = _report(world, key=f" {key.lower()} ")  # found however it is typed
    assert row.record is not None

    def held() -> str | None:
        return corrections.record_value(DataRecord.objects.get(pk=row.record_id), world.address)

    corrections.answer(
        row,
        corrections.AnswerInput(
            outcome="corrected", answer="已更正", fix_record=True, new_value=NEW
        ),
        actor=world.provider_official,
    )
    assert held() == NEW
    assert sync.sync_source(source).status == "unchanged"  # the same file: the fix stays
    assert held() == NEW
    csv.write_text(f"sfzh,dz\n{key},{OLD}\n{other},{NEW}\n", encoding="utf-8")
    sync.sync_source(source)  # the source still has the old value: it comes back
    assert held() == OLD
    csv.write_text(f"sfzh,dz\n{key},{NEW}\n{other},{NEW}\n", encoding="utf-8")
    sync.sync_source(source)  # fixed in the source system: the next sync brings it
    assert held() == NEW
