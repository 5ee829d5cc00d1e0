"""The upstream adapter and its fake: catalogue pull and push, forwarded requests and their
answers, queries, and failures of the upstream (retried, surfaced, never lost)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from tongban.core import outbox
from tongban.core.audit import AuditRecord
from tongban.core.errors import ServiceError
from tongban.core.models import OutboxEntry, OutboxStatus
from tongban.exchange import services, upstream_sync
from tongban.exchange.models import (
    DataResource,
    Grant,
    RequestStatus,
    ResourceStatus,
    ShareClass,
    ShareRequest,
)
from tongban.exchange.upstream import (
    CHEN,
    FAKE_CATALOGUE,
    REFUSED_NO_BASIS,
    CatalogueEntry,
    FakeUpstream,
    ForwardPayload,
    ForwardStatus,
    UpstreamError,
    UpstreamItem,
    UpstreamUnavailable,
    get_upstream,
)

pytestmark = pytest.mark.django_db

SOCIAL = "up.440000-rst-0012"
REALTY = "up.440000-zrzyt-0031"
LAW = "《中华人民共和国社会保险法》第七十四条"


@pytest.fixture
def fake(settings, tmp_path) -> FakeUpstream:
    settings.TONGBAN_EXCHANGE_UPSTREAM = "fake"
    settings.TONGBAN_EXCHANGE_UPSTREAM_FAKE_DIR = str(tmp_path / "upstream-fake")
    settings.TONGBAN_SITE_CODE = "442000"
    return FakeUpstream()


def _actions(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).order_by("seq"))


def _submit(world, code: str = SOCIAL, *, basis: str = LAW, fields=None) -> ShareRequest:
    resource = DataResource.objects.get(code=code)
    wanted = fields or ("person.name", "person.id_number", "insurance.status")
    items = tuple(resource.items.filter(code__in=wanted))
    return services.submit_request(
        resource,
        services.RequestInput(
            member=world.member,
            fields=items,
            purpose="企业开办一件事：核验参保状态",
            legal_basis=basis,
            duration_days=365,
        ),
        actor=world.requester_official,
    )


def _forward(request: ShareRequest, *, now=None) -> tuple[OutboxEntry, str]:
    with transaction.atomic():
        upstream_sync.enqueue_forward(request)
    entry = OutboxEntry.objects.filter(kind=upstream_sync.FORWARD).latest("pk")
    return entry, outbox.run(entry.pk, now=now)


# --- the adapter ---------------------------------------------------------------------------


def test_get_upstream_is_the_fake_by_default_and_refuses_unknown_names(fake, settings):
    assert isinstance(get_upstream(), FakeUpstream)
    settings.TONGBAN_EXCHANGE_UPSTREAM = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured):
        get_upstream()


def test_fake_state_is_shared_through_its_file(fake):
    """Two instances (the web and the worker process) see the same forwarded request."""
    payload = ForwardPayload(
        node="442000", local_ref="7", upstream_id="440000-rst-0012", department="scjg",
        department_name="市场监管局", member="scjg.registration", fields=("person.name",),
        full_fields=(), purpose="核验", legal_basis=LAW, duration_days=30,
    )  # fmt: skip
    ref = fake.forward_request(payload)
    other = FakeUpstream()
    assert other.forward_request(payload) == ref  # same node and local ref: same reference
    assert other.request_status(ref).status == ForwardStatus.PENDING
    assert fake.request_status(ref).status == ForwardStatus.GRANTED


def test_fake_refuses_a_request_without_legal_basis(fake):
    payload = ForwardPayload(
        node="442000", local_ref="8", upstream_id="440000-rst-0012", department="scjg",
        department_name="市场监管局", member="scjg.registration", fields=("person.name",),
        full_fields=(), purpose="核验", legal_basis="  ", duration_days=30,
    )  # fmt: skip
    ref = fake.forward_request(payload)
    fake.request_status(ref)
    decision = fake.request_status(ref)
    assert decision.status == ForwardStatus.REFUSED
    assert decision.reasons == REFUSED_NO_BASIS
    assert decision.grant is None


def test_query_via_the_fake_answers_the_demo_personas(fake):
    upstream = get_upstream()
    originator = {"dept": "scjg", "official": "scjg.wang"}
    fields = ("person.name", "insurance.status", "insurance.employer")
    record = upstream.query("440000-rst-0012", CHEN, fields, "核验参保", originator)
    assert record == {
        "person.name": "陈小明",
        "insurance.status": "正常参保",
        "insurance.employer": "中山市石岐区明德电子科技有限公司",
    }
    # Keys are compared as the contract says: stripped, upper case (an x check digit).
    assert upstream.query("440000-rst-0012", f"  {CHEN.lower()} ", fields, "核验", originator)
    assert (
        upstream.query("440000-rst-0012", "110101199003070000", fields, "核验", originator) is None
    )
    with pytest.raises(UpstreamError):
        upstream.query("440000-rst-0012", CHEN, ("person.salary",), "核验", originator)
    with pytest.raises(UpstreamError):
        upstream.query("no-such-entry", CHEN, fields, "核验", originator)
    fake.set_outage(True)
    with pytest.raises(UpstreamUnavailable):
        upstream.query("440000-rst-0012", CHEN, fields, "核验", originator)


# --- pull ----------------------------------------------------------------------------------


def test_pull_creates_published_resources_owned_by_the_data_authority(fake, world):
    result = upstream_sync.pull_catalogue()
    assert (result.created, result.updated, result.withdrawn, result.errors) == (3, 0, 0, [])
    social = DataResource.objects.get(upstream_id="440000-rst-0012")
    assert social.code == SOCIAL
    assert social.department == world.authority
    assert social.status == ResourceStatus.PUBLISHED
    assert social.name == "社会保险参保缴费记录"
    assert "广东省人力资源和社会保障厅" in social.source_system
    items = {i.code: i for i in social.items.all()}
    assert items["person.name"].share_class == ShareClass.UNCONDITIONAL
    assert items["person.id_number"].personal_number
    assert items["insurance.status"].share_class == ShareClass.CONDITIONAL
    assert items["insurance.status"].grade == 3
    price = DataResource.objects.get(code=REALTY).items.get(code="realty.price")
    assert price.share_class == ShareClass.NOT_SHARED
    assert [r.meta["created"] for r in _actions("exchange.upstream.pull")] == [3]

    again = upstream_sync.pull_catalogue()
    assert (again.created, again.updated) == (0, 3)
    assert DataResource.objects.exclude(upstream_id="").count() == 3
    assert social.items.count() == len(FAKE_CATALOGUE[0].items)


class _Shrinking(FakeUpstream):
    """A fake whose catalogue can be cut down and spoilt, for the pull's edge cases."""

    entries: list[CatalogueEntry] = list(FAKE_CATALOGUE)

    def list_catalogue(self) -> list[CatalogueEntry]:
        return list(self.entries)


def test_pull_withdraws_entries_no_longer_listed_and_republishes_returning_ones(fake, world):
    upstream = _Shrinking()
    upstream.entries = list(FAKE_CATALOGUE)
    upstream_sync.pull_catalogue(upstream=upstream)
    upstream.entries = list(FAKE_CATALOGUE[:2])
    result = upstream_sync.pull_catalogue(upstream=upstream)
    assert result.withdrawn == 1
    marriage = DataResource.objects.get(upstream_id="100000-mzb-0007")
    assert marriage.status == ResourceStatus.WITHDRAWN
    upstream.entries = list(FAKE_CATALOGUE)
    upstream_sync.pull_catalogue(upstream=upstream)
    marriage.refresh_from_db()
    assert marriage.status == ResourceStatus.PUBLISHED


def test_pull_skips_a_bad_entry_names_it_and_takes_the_others(fake, world):
    bad = CatalogueEntry(
        entry_id="440000-bad-0001",
        name="缺少依据的目录",
        holder="广东省某厅",
        items=(UpstreamItem("person.name", "姓名", ShareClass.CONDITIONAL, 3),),  # no basis
    )
    upstream = _Shrinking()
    upstream.entries = [bad, *FAKE_CATALOGUE]
    result = upstream_sync.pull_catalogue(upstream=upstream)
    assert result.created == 3
    assert len(result.errors) == 1 and result.errors[0].startswith("440000-bad-0001: ")
    assert not DataResource.objects.filter(upstream_id="440000-bad-0001").exists()


def test_pull_needs_the_data_authority_and_fails_cleanly_when_the_upstream_is_down(
    fake, world, settings
):
    fake.set_outage(True)
    with pytest.raises(UpstreamUnavailable):
        upstream_sync.pull_catalogue()
    fake.set_outage(False)
    settings.TONGBAN_EXCHANGE_DATA_AUTHORITY = "nobody"
    with pytest.raises(ServiceError):
        upstream_sync.pull_catalogue()
    assert not DataResource.objects.exclude(upstream_id="").exists()


# --- push ----------------------------------------------------------------------------------


def test_push_sends_the_citys_published_resources_stamps_them_and_is_idempotent(fake, world):
    upstream_sync.pull_catalogue()
    result = upstream_sync.push_catalogue()
    assert result.pushed == 1  # the population registry; not the three upstream copies
    world.resource.refresh_from_db()
    first = world.resource.pushed_at
    assert first is not None
    assert not DataResource.objects.exclude(upstream_id="").exclude(pushed_at=None).exists()
    sent = fake.pushed("442000")
    assert list(sent) == ["zs.ga.population"]
    assert [i["code"] for i in sent["zs.ga.population"]["items"]][:2] == [
        "person.name",
        "person.id_number",
    ]

    again = upstream_sync.push_catalogue(now=first + timedelta(hours=1))
    assert again.pushed == 1
    assert fake.pushed("442000") == sent
    world.resource.refresh_from_db()
    assert world.resource.pushed_at == first + timedelta(hours=1)
    assert len(_actions("exchange.upstream.push")) == 2


def test_a_withdrawn_resource_leaves_the_upstream_catalogue_at_the_next_push(fake, world):
    upstream_sync.push_catalogue()
    services.withdraw_resource(world.resource, actor=world.provider_official)
    result = upstream_sync.push_catalogue()
    assert (result.pushed, result.unlisted) == (0, 1)
    world.resource.refresh_from_db()
    assert world.resource.pushed_at is None
    assert fake.pushed("442000") == {}


def test_a_failed_push_stamps_nothing_and_the_outbox_retries_it(fake, world):
    fake.set_outage(True)
    with pytest.raises(UpstreamUnavailable):
        upstream_sync.push_catalogue()
    world.resource.refresh_from_db()
    assert world.resource.pushed_at is None
    with transaction.atomic():
        upstream_sync.enqueue_push()
        upstream_sync.enqueue_push()  # one push waits at a time
    entry = OutboxEntry.objects.get(kind=upstream_sync.PUSH)
    assert outbox.run(entry.pk) == "retry"
    entry.refresh_from_db()
    assert "unavailable" in entry.last_error
    fake.set_outage(False)
    assert outbox.run(entry.pk, now=timezone.now() + timedelta(hours=1)) == "done"
    world.resource.refresh_from_db()
    assert world.resource.pushed_at is not None


# --- forward and poll ----------------------------------------------------------------------


def test_forward_and_poll_grant_the_request_for_the_data_authority(fake, world):
    upstream_sync.pull_catalogue()
    request = _submit(world)
    _entry, outcome = _forward(request)
    assert outcome == "done"
    request.refresh_from_db()
    assert request.upstream_ref.startswith("GXSQ")
    assert [r.meta["upstream_ref"] for r in _actions("exchange.upstream.forward")] == [
        request.upstream_ref
    ]
    # Running the row again (a worker killed after the handler committed) sends nothing new.
    assert upstream_sync.forward_request(request.pk) == request.upstream_ref

    first = upstream_sync.poll_requests()
    assert (first.pending, first.granted) == (1, 0)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED

    second = upstream_sync.poll_requests()
    assert (second.granted, second.errors) == (1, [])
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED
    assert request.decided_by is None  # the upstream decided, not an official of the city
    grant = Grant.objects.get(request=request)
    assert (grant.rate_per_minute, grant.rate_per_day) == (30, 5000)
    assert set(grant.fields.values_list("code", flat=True)) == {
        "person.name",
        "person.id_number",
        "insurance.status",
    }
    decision = _actions("exchange.upstream.decision")
    assert [(r.meta["outcome"], r.meta["on_behalf_of"], r.actor_label) for r in decision] == [
        ("granted", "zssj", "system")
    ]
    assert decision[0].meta["upstream_ref"] == request.upstream_ref
    assert upstream_sync.poll_requests().as_dict()["granted"] == 0  # settled once


def test_a_request_whose_basis_names_no_law_is_refused_with_the_upstreams_reasons(fake, world):
    upstream_sync.pull_catalogue()
    request = _submit(world, basis="工作需要")
    _forward(request)
    upstream_sync.poll_requests()
    result = upstream_sync.poll_requests()
    assert result.refused == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert REFUSED_NO_BASIS in request.refusal_reasons
    assert request.upstream_ref in request.refusal_reasons
    assert not Grant.objects.filter(request=request).exists()


def test_an_outage_is_retried_by_the_outbox_and_the_request_is_forwarded_later(fake, world):
    upstream_sync.pull_catalogue()
    request = _submit(world)
    fake.set_outage(True)
    entry, outcome = _forward(request)
    assert outcome == "retry"
    entry.refresh_from_db()
    assert entry.status == OutboxStatus.PENDING and "unavailable" in entry.last_error
    request.refresh_from_db()
    assert request.upstream_ref == "" and request.status == RequestStatus.SUBMITTED

    fake.set_outage(False)
    assert outbox.run(entry.pk, now=timezone.now() + timedelta(hours=1)) == "done"
    request.refresh_from_db()
    assert request.upstream_ref


def test_a_given_up_forward_is_audited_and_forwarded_again_by_the_poll(fake, world, settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 1
    upstream_sync.pull_catalogue()
    request = _submit(world)
    fake.set_outage(True)
    _entry, outcome = _forward(request)
    assert outcome == "failed"
    assert [r.object_id for r in _actions("exchange.upstream.forward_failed")] == [str(request.pk)]

    # Still down: the poll queues the forward again and says nothing is settled.
    result = upstream_sync.poll_requests()
    assert result.forwards_queued == 1
    fake.set_outage(False)
    waiting = OutboxEntry.objects.get(kind=upstream_sync.FORWARD, status=OutboxStatus.PENDING)
    assert outbox.run(waiting.pk) == "done"
    request.refresh_from_db()
    assert request.upstream_ref


def test_a_poll_that_cannot_read_answers_fails_and_leaves_requests_waiting(fake, world):
    upstream_sync.pull_catalogue()
    request = _submit(world)
    _forward(request)
    request.refresh_from_db()
    assert request.upstream_ref
    fake.set_outage(True)
    with pytest.raises(upstream_sync.PollFailed, match=request.upstream_ref):
        upstream_sync.poll_job()
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    fake.set_outage(False)
    upstream_sync.poll_job()  # the upstream's review step: nothing fails, nothing decided
    assert upstream_sync.poll_job().granted == 1


def test_officials_of_the_city_cannot_answer_a_request_held_upstream(fake, world):
    upstream_sync.pull_catalogue()
    request = _submit(world)
    with pytest.raises(ServiceError):
        services.grant_request(request, actor=world.authority_official)
    with pytest.raises(ServiceError):
        services.refuse_request(request, actor=world.authority_official, reasons="不同意")
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_a_request_withdrawn_before_its_forward_is_not_sent(fake, world):
    upstream_sync.pull_catalogue()
    request = _submit(world)
    services.withdraw_request(request, actor=world.requester_official)
    assert upstream_sync.forward_request(request.pk) == ""
    request.refresh_from_db()
    assert request.upstream_ref == ""


def test_local_requests_are_never_forwarded(fake, world):
    request = _submit(world, code="zs.ga.population", fields=("person.name",))
    with transaction.atomic():
        upstream_sync.enqueue_forward(request)
    assert not OutboxEntry.objects.filter(kind=upstream_sync.FORWARD).exists()
    assert upstream_sync.forward_request(request.pk) == ""


# --- the command ---------------------------------------------------------------------------


def test_command_pull_push_poll(fake, world):
    out = StringIO()
    call_command("exchange", "upstream", "pull", stdout=out)
    assert json.loads(out.getvalue())["created"] == 3
    out = StringIO()
    call_command("exchange", "upstream", "push", stdout=out)
    assert json.loads(out.getvalue())["pushed"] == 1
    out = StringIO()
    call_command("exchange", "upstream", "poll", stdout=out)
    assert json.loads(out.getvalue())["granted"] == 0
    fake.set_outage(True)
    with pytest.raises(CommandError, match="upstream push failed"):
        call_command("exchange", "upstream", "push", stdout=StringIO())


def test_load_upstream_demo_pulls_the_fake_catalogue(fake, world):
    counts = upstream_sync.load_upstream_demo()
    assert counts["upstream resources"] == 3
    assert upstream_sync.load_upstream_demo()["upstream resources created"] == 0


# --- the services' wiring ------------------------------------------------------------------


def test_submitting_a_request_for_an_upstream_resource_queues_its_forward(fake, world):
    upstream_sync.pull_catalogue()
    request = _submit(world)
    entry = OutboxEntry.objects.get(kind=upstream_sync.FORWARD)
    assert entry.payload == {"request": request.pk}
    assert outbox.run(entry.pk) == "done"
    request.refresh_from_db()
    assert request.upstream_ref


def test_withdrawing_a_city_resource_queues_a_push_that_drops_it_upstream(fake, world):
    upstream_sync.push_catalogue()
    assert list(fake.pushed("442000")) == ["zs.ga.population"]
    services.withdraw_resource(world.resource, actor=world.provider_official)
    entry = OutboxEntry.objects.get(kind=upstream_sync.PUSH)
    assert outbox.run(entry.pk) == "done"
    assert fake.pushed("442000") == {}
