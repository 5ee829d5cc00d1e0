"""Materials fetched through data sharing (免提交) with a fake source: fetched at submission
and not uploaded; a refusal or a source down refuses the submission with the reason beside
the material and keeps the draft; "fetch it later" makes a pending material that the outbox
retries until obtained or given up; the registries; cases never imports the exchange."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tongban.cases import materials, services, sharing
from tongban.cases.models import Case, Draft, SharedMaterial, SharedStatus, WorkItem, WorkKind
from tongban.cases.tests.conftest import pdf_upload
from tongban.core import outbox
from tongban.core.models import AuditRecord, OutboxEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked by their English text (the UI's zh-Hans is checked in pages)."""
    with translation.override("en"):
        yield


@dataclass
class FakeSource:
    """Answers with ``answers`` in turn (the last one repeats); counts its calls."""

    answers: list[str]
    code: str = "fake.registry"
    materials_: frozenset[str] = frozenset({"M-ID"})
    calls: list[tuple[str | None, str, int]] = field(default_factory=list)

    def label(self) -> str:
        return "测试登记库"

    def provides(self, material_code: str) -> bool:
        return material_code in self.materials_

    def fetch(self, case, material, applicant) -> sharing.SharedResult:
        self.calls.append((case.number if case else None, material.code, applicant.user.pk))
        status = self.answers[min(len(self.calls) - 1, len(self.answers) - 1)]
        if status == "raise":
            raise RuntimeError("bug in a source")
        return sharing.SharedResult(
            status,
            self.label(),
            verification="姓名、身份证号一致" if status == SharedStatus.OBTAINED else "",
            reason="" if status == SharedStatus.OBTAINED else f"reason-{status}",
            exchange_id=f"ex-{len(self.calls)}",
            fetched_at=timezone.now(),
        )


@pytest.fixture
def waivable(world):
    """M-ID of item A is obtainable through sharing."""
    world.item_a.materials.filter(code="M-ID").update(can_be_waived=True)
    return world


def _draft_without_id(world) -> Draft:
    draft = services.draft_for(world.applicant, world.item_a)
    services.save_draft(
        draft,
        {
            "applicant.name": "陈小明",
            "applicant.id_number": world.applicant.id_number,
            "applicant.phone": "13800000001",
            "shop.area": "45",
        },
        actor=world.applicant,
    )
    materials.upload_material(draft, "M-A", pdf_upload(), actor=world.applicant)
    return draft


def test_a_waivable_material_is_fetched_at_submission_not_uploaded(waivable):
    source = FakeSource([SharedStatus.OBTAINED])
    with sharing.sources_override(source):
        assert set(sharing.fetchable(waivable.item_a)) == {"M-ID"}
        draft = _draft_without_id(waivable)
        case = services.submit(draft, actor=waivable.applicant, idempotency_key="k1")
    assert source.calls == [(None, "M-ID", waivable.applicant.pk)]
    row = SharedMaterial.objects.get(case=case)
    assert (row.material_code, row.status, row.source_label) == ("M-ID", "obtained", "测试登记库")
    assert row.verification == "姓名、身份证号一致" and row.exchange_id == "ex-1"
    assert row.fetched_at is not None and row.attempts == 1
    assert not case.materials.filter(material_code="M-ID").exists()  # no file
    audit = AuditRecord.objects.get(action="cases.shared_materials")
    assert audit.meta["obtained"] == ["M-ID"] and audit.meta["exchanges"] == ["ex-1"]


def test_an_uploaded_material_is_not_fetched(waivable):
    source = FakeSource([SharedStatus.OBTAINED])
    with sharing.sources_override(source):
        case = waivable.submit()  # uploads every material, M-ID included
    assert source.calls == [] and not SharedMaterial.objects.filter(case=case).exists()


def test_without_a_source_the_material_is_neither_fetched_nor_asked_for(waivable):
    with sharing.sources_override():
        case = services.submit(
            _draft_without_id(waivable), actor=waivable.applicant, idempotency_key="k2"
        )
    assert not SharedMaterial.objects.filter(case=case).exists()


@pytest.mark.parametrize("status", [SharedStatus.MISMATCH, SharedStatus.UNAVAILABLE])
def test_a_refusal_refuses_the_submission_with_the_reason_and_keeps_the_draft(waivable, status):
    source = FakeSource([status])
    draft = _draft_without_id(waivable)
    with sharing.sources_override(source), pytest.raises(sharing.SharingRefused) as caught:
        services.submit(draft, actor=waivable.applicant, idempotency_key="k3")
    message = caught.value.message_dict["material_M-ID"][0]
    assert "身份证" in message and f"reason-{status}" in message and "测试登记库" in message
    assert caught.value.down == set()
    assert Case.objects.count() == 0 and SharedMaterial.objects.count() == 0
    assert Draft.objects.filter(pk=draft.pk).exists()
    # The applicant uploads instead: the submission goes through without a fetch.
    materials.upload_material(draft, "M-ID", pdf_upload(), actor=waivable.applicant)
    with sharing.sources_override(source):
        case = services.submit(draft, actor=waivable.applicant, idempotency_key="k3")
    assert case.materials.filter(material_code="M-ID").exists()
    assert len(source.calls) == 1


@pytest.mark.parametrize("answer", [SharedStatus.PENDING, "raise"])
def test_a_source_down_offers_upload_or_later_and_loses_nothing(waivable, answer):
    source = FakeSource([answer])
    draft = _draft_without_id(waivable)
    with sharing.sources_override(source), pytest.raises(sharing.SharingRefused) as caught:
        services.submit(draft, actor=waivable.applicant, idempotency_key="k4")
    assert caught.value.down == {"M-ID"}
    assert "could not be reached" in caught.value.message_dict["material_M-ID"][0]
    assert Draft.objects.filter(pk=draft.pk).exists() and Case.objects.count() == 0


def test_fetch_later_makes_a_pending_material_the_outbox_obtains(waivable):
    source = FakeSource([SharedStatus.PENDING, SharedStatus.PENDING, SharedStatus.OBTAINED])
    draft = _draft_without_id(waivable)
    with sharing.sources_override(source):
        case = services.submit(
            draft, actor=waivable.applicant, idempotency_key="k5", fetch_later=["M-ID"]
        )
        row = SharedMaterial.objects.get(case=case)
        assert row.status == SharedStatus.PENDING and source.calls == []
        entry = OutboxEntry.objects.get(kind=sharing.FETCH_KIND)
        assert outbox.run(entry.pk, now=timezone.now()) == "retry"
        row.refresh_from_db()
        assert row.status == SharedStatus.PENDING and row.attempts == 1
        assert outbox.run(entry.pk, now=timezone.now() + timezone.timedelta(hours=1)) == "retry"
        assert outbox.run(entry.pk, now=timezone.now() + timezone.timedelta(hours=3)) == "done"
    row.refresh_from_db()
    assert row.status == SharedStatus.OBTAINED and row.exchange_id == "ex-3"
    assert [c[0] for c in source.calls] == [case.number] * 3  # with the case, after submission
    assert AuditRecord.objects.filter(action="cases.sharedmaterial.obtain").exists()


def test_a_refusal_after_submission_ends_the_retries_as_unavailable(waivable):
    source = FakeSource([SharedStatus.MISMATCH])
    draft = _draft_without_id(waivable)
    with sharing.sources_override(source):
        case = services.submit(
            draft, actor=waivable.applicant, idempotency_key="k6", fetch_later=["M-ID"]
        )
        entry = OutboxEntry.objects.get(kind=sharing.FETCH_KIND)
        assert outbox.run(entry.pk) == "done"
    row = SharedMaterial.objects.get(case=case)
    assert row.status == SharedStatus.UNAVAILABLE and row.reason == "reason-mismatch"


def test_the_outbox_giving_up_marks_the_material_unavailable(waivable, settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 1
    source = FakeSource([SharedStatus.PENDING])
    draft = _draft_without_id(waivable)
    with sharing.sources_override(source):
        case = services.submit(
            draft, actor=waivable.applicant, idempotency_key="k7", fetch_later=["M-ID"]
        )
        entry = OutboxEntry.objects.get(kind=sharing.FETCH_KIND)
        assert outbox.run(entry.pk) == "failed"
    row = SharedMaterial.objects.get(case=case)
    assert row.status == SharedStatus.UNAVAILABLE
    assert "did not answer in time" in row.reason


def test_registering_twice_keeps_one_source_of_a_code():
    with sharing.sources_override():
        sharing.register_material_source(FakeSource([SharedStatus.OBTAINED]))
        sharing.register_material_source(FakeSource([SharedStatus.PENDING]))
        assert len(sharing.material_sources()) == 1
        assert sharing.source_for("M-ID").answers == [SharedStatus.PENDING]
        assert sharing.source_for("M-OTHER") is None


@dataclass
class FakeProvider:
    values: dict[str, str]
    code: str = "fake.prefill"
    fail: bool = False
    reported: list[tuple[str, str, str]] = field(default_factory=list)

    def prefill(self, element_codes, applicant):
        if self.fail:
            raise TimeoutError("registry slow")
        return {
            c: sharing.PrefilledValue(v, self.code, "测试登记库")
            for c, v in self.values.items()
            if c in set(element_codes)
        }

    def report_correction(self, element_code, wrong, corrected, applicant):
        self.reported.append((element_code, wrong.value, corrected))


def test_prefill_marks_the_source_and_a_corrected_value_is_reported(world):
    first = FakeProvider({"applicant.address": "中山市东区一路1号"})
    second = FakeProvider(
        {"applicant.address": "别处", "applicant.phone": "13800000009"}, code="other"
    )
    down = FakeProvider({}, code="down", fail=True)
    applicant = sharing.Applicant(world.applicant)
    with sharing.sources_override(providers=[down, first, second]):
        values = sharing.prefilled_values(["applicant.address", "applicant.phone"], applicant)
        assert values["applicant.address"].value == "中山市东区一路1号"
        assert values["applicant.address"].source_label == "测试登记库"
        assert values["applicant.phone"].source_code == "other"
        reported = sharing.report_corrections(
            values,
            {"applicant.address": "中山市东区一路2号", "applicant.phone": "13800000009"},
            applicant,
        )
    assert reported == ["applicant.address"]
    assert first.reported == [("applicant.address", "中山市东区一路1号", "中山市东区一路2号")]


def test_cases_never_imports_the_exchange():
    root = Path(sharing.__file__).parent
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.startswith(("tongban.exchange", "tongban.licences")) for n in names), (
                path
            )


# --- the pages ------------------------------------------------------------------------------


def _apply_url(world) -> str:
    return reverse("cases:apply", args=["item", world.item_a.implementation_code])


def _post(client, world, key: str, **extra):
    data = {
        "f_applicant__name": "陈小明",
        "f_shop__area": "45",
        "material_M-A": pdf_upload("a.pdf"),
        "idempotency_key": key,
        "submit": "1",
        **extra,
    }
    return client.post(_apply_url(world), data)


def _work_page(client, world, case) -> str:
    work = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT)
    client.force_login(world.clerk_a)
    return client.get(reverse("cases:work_item", args=[work.pk])).content.decode()


def test_the_apply_page_says_what_is_fetched_and_the_official_sees_it_shared(client, waivable):
    client.force_login(waivable.applicant)
    with sharing.sources_override(FakeSource([SharedStatus.OBTAINED])):
        page = client.get(_apply_url(waivable)).content.decode()
        assert 'data-shared="M-ID"' in page and "测试登记库" in page
        response = _post(client, waivable, "page-1")
    assert response.status_code == 302
    case = Case.objects.get()
    page = _work_page(client, waivable, case)
    assert 'data-shared="M-ID" data-status="obtained"' in page
    assert "测试登记库" in page and "姓名、身份证号一致" in page and "ex-1" in page


def test_a_source_down_shows_the_reason_an_upload_field_and_fetch_later(client, waivable):
    client.force_login(waivable.applicant)
    source = FakeSource([SharedStatus.PENDING])
    with sharing.sources_override(source):
        response = _post(client, waivable, "page-2")
        page = response.content.decode()
        assert response.status_code == 200 and not Case.objects.exists()
        assert "tb-error-summary" in page and "reason-pending" in page
        assert 'id="material_M-ID-error"' in page  # the reason beside the material
        assert 'name="fetch_later_M-ID"' in page and 'name="material_M-ID"' in page
        # The applicant lets the platform fetch it later (M-A was kept with the draft).
        response = client.post(
            _apply_url(waivable),
            {
                "f_applicant__name": "陈小明",
                "f_shop__area": "45",
                "fetch_later_M-ID": "1",
                "idempotency_key": "page-3",
                "submit": "1",
            },
        )
    assert response.status_code == 302
    case = Case.objects.get()
    page = _work_page(client, waivable, case)
    assert 'data-shared="M-ID" data-status="pending"' in page


def test_a_refusal_lets_the_applicant_upload_instead(client, waivable):
    client.force_login(waivable.applicant)
    with sharing.sources_override(FakeSource([SharedStatus.MISMATCH])):
        page = _post(client, waivable, "page-4").content.decode()
        assert "reason-mismatch" in page and 'name="fetch_later_M-ID"' not in page
        response = _post(client, waivable, "page-5", **{"material_M-ID": pdf_upload("id.pdf")})
    assert response.status_code == 302
    assert Case.objects.get().materials.filter(material_code="M-ID").exists()


def test_the_form_is_prefilled_from_a_registry_and_a_correction_is_reported(client, waivable):
    provider = FakeProvider({"shop.area": "50"})
    client.force_login(waivable.applicant)
    with sharing.sources_override(providers=[provider]):
        page = client.get(_apply_url(waivable)).content.decode()
        assert 'value="50"' in page and "测试登记库" in page  # the value, marked with its source
        response = _post(client, waivable, "page-6", **{"material_M-ID": pdf_upload("id.pdf")})
    assert response.status_code == 302
    assert provider.reported == [("shop.area", "50", "45")]  # the applicant typed 45


def test_the_applicant_sees_what_was_fetched_for_them(client, waivable):
    with sharing.sources_override(FakeSource([SharedStatus.OBTAINED])):
        case = services.submit(
            _draft_without_id(waivable), actor=waivable.applicant, idempotency_key="k8"
        )
    client.force_login(waivable.applicant)
    page = client.get(reverse("cases:my_case", args=[case.number])).content.decode()
    assert 'data-shared="M-ID" data-status="obtained"' in page and "测试登记库" in page
