"""The one outbox: rows written in the caller's transaction, claimed once, retried with
back-off, given up with one alert, taken over after a lease, listed in the admin."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.utils import timezone

from tongban.core import outbox
from tongban.core.models import AuditRecord, OutboxEntry

pytestmark = pytest.mark.django_db


class Calls:
    """A handler that records its payloads and fails its first ``failures`` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.payloads: list[dict] = []
        self.failures = failures

    def __call__(self, payload: dict) -> None:
        self.payloads.append(payload)
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("the other side is down; call 13912345678")


def _later(minutes: float) -> timezone.datetime:
    return timezone.now() + timedelta(minutes=minutes)


def test_a_row_enqueued_in_a_rolled_back_transaction_leaves_nothing(
    django_capture_on_commit_callbacks,
):
    calls = Calls()
    capture = django_capture_on_commit_callbacks(execute=True)
    with outbox.handlers_override(**{"t.effect": calls}):
        with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue("t.effect", {"case": 7})
            assert OutboxEntry.objects.count() == 1
            raise RuntimeError("the change fails")
        assert callbacks == []
        assert not OutboxEntry.objects.exists()
        assert outbox.sweep() == {}
    assert calls.payloads == []


def test_a_committed_row_is_handed_to_the_worker_and_done(django_capture_on_commit_callbacks):
    calls = Calls()
    capture = django_capture_on_commit_callbacks(execute=True)
    with outbox.handlers_override(**{"t.effect": calls}), capture, transaction.atomic():
        entry = outbox.enqueue("t.effect", {"case": 7, "note": "新"})
        assert calls.payloads == []  # nothing before the commit
    assert calls.payloads == [{"case": 7, "note": "新"}]
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.finished_at is not None) == ("done", 1, True)


def test_enqueue_refuses_unknown_kinds_and_payloads_that_are_not_plain_json():
    with pytest.raises(ImproperlyConfigured):
        outbox.enqueue("t.nobody-handles-this", {})
    with outbox.handlers_override(**{"t.effect": Calls()}), pytest.raises(TypeError):
        outbox.enqueue("t.effect", {"when": timezone.now()})
    assert not OutboxEntry.objects.exists()


def test_a_second_handler_for_a_kind_is_refused():
    with outbox.handlers_override():
        outbox.handler("t.twice")(Calls.__call__)
        with pytest.raises(ImproperlyConfigured):
            outbox.handler("t.twice")(test_a_second_handler_for_a_kind_is_refused)


def test_a_key_deduplicates_while_a_row_waits():
    calls = Calls()
    with outbox.handlers_override(**{"t.seal": calls}):
        first = outbox.enqueue("t.seal", key="t.seal")
        second = outbox.enqueue("t.seal", key="t.seal")
        other = outbox.enqueue("t.seal", key="t.seal:other")
        unkeyed = [outbox.enqueue("t.seal"), outbox.enqueue("t.seal")]
        assert second.pk == first.pk
        assert len({first.pk, other.pk, *(e.pk for e in unkeyed)}) == 4
        assert outbox.run(first.pk) == "done"
        again = outbox.enqueue("t.seal", key="t.seal")  # the first one has run: a new row
    assert again.pk != first.pk
    assert OutboxEntry.objects.filter(key="t.seal").count() == 2


def test_backoff_doubles_from_the_base_up_to_a_day(settings):
    settings.TONGBAN_OUTBOX_RETRY_SECONDS = 60
    waits = [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 20)]
    assert waits == [60, 120, 240, 480, 960, 86400]


def test_a_failing_row_is_retried_on_the_back_off_schedule_and_the_error_is_masked(settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 5
    calls = Calls(failures=2)
    with outbox.handlers_override(**{"t.effect": calls}):
        entry = outbox.enqueue("t.effect", {"n": 1})
        start = timezone.now()
        assert outbox.run(entry.pk, now=start) == "retry"
        entry.refresh_from_db()
        assert (entry.status, entry.attempts) == ("pending", 1)
        assert entry.next_attempt_at == start + timedelta(seconds=60)
        assert entry.last_error == "ConnectionError: the other side is down; call 139****5678"
        assert outbox.sweep(start + timedelta(seconds=59)) == {}  # not due yet
        assert outbox.sweep(start + timedelta(seconds=60)) == {"retry": 1}
        entry.refresh_from_db()
        assert entry.next_attempt_at == start + timedelta(seconds=60 + 120)
        assert outbox.sweep(start + timedelta(seconds=180)) == {"done": 1}
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.last_error) == ("done", 3, "")
    assert len(calls.payloads) == 3


def test_repeated_failures_give_up_with_one_alert_not_one_per_retry(settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 3
    with outbox.handlers_override(**{"t.broken": Calls(failures=99)}):
        rows = [outbox.enqueue("t.broken", {"n": n}) for n in range(2)]
        for step in range(1, 6):
            outbox.sweep(_later(60 * 24 * step))
        assert outbox.sweep(_later(60 * 24 * 9)) == {}  # given up: never run again
    statuses = list(OutboxEntry.objects.filter(pk__in=[r.pk for r in rows]).values_list(
        "status", "attempts"))  # fmt: skip
    assert statuses == [("failed", 3), ("failed", 3)]
    alerts = AuditRecord.objects.filter(action="alert.outbox.failed")
    assert alerts.count() == 1  # two rows of one kind gave up: one alert
    assert alerts.get().meta["audience"] == "system_admin"


def test_a_row_abandoned_by_a_dead_worker_is_taken_over_after_its_lease(settings):
    settings.TONGBAN_OUTBOX_LEASE_SECONDS = 600
    calls = Calls()
    with outbox.handlers_override(**{"t.effect": calls}):
        entry = outbox.enqueue("t.effect", {"n": 1})
        start = timezone.now()
        # A worker claimed it and died before finishing: the claim and its lease remain.
        OutboxEntry.objects.filter(pk=entry.pk).update(
            status="running", attempts=1, next_attempt_at=start + timedelta(seconds=600)
        )
        assert outbox.sweep(start + timedelta(seconds=599)) == {}  # its lease still holds
        assert outbox.run(entry.pk, now=start) == "running"
        assert outbox.sweep(start + timedelta(seconds=601)) == {"done": 1}
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == ("done", 2)
    assert calls.payloads == [{"n": 1}]


def test_a_claimed_row_is_not_run_by_a_second_worker_meanwhile():
    inner: list[str] = []

    def handler(payload: dict) -> None:
        inner.append(outbox.run(payload["self"]))  # a second worker tries while it runs

    with outbox.handlers_override(**{"t.effect": handler}):
        entry = outbox.enqueue("t.effect", {})
        OutboxEntry.objects.filter(pk=entry.pk).update(payload={"self": entry.pk})
        assert outbox.run(entry.pk) == "done"
        assert outbox.run(entry.pk) == "done"  # and a late one finds it done
    assert inner == ["running"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_row_at_once_run_it_once():
    calls = Calls()
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(entry_id: int) -> None:
        try:
            barrier.wait()
            outcomes.append(outbox.run(entry_id))
        except BaseException as error:  # the test reports it
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    with outbox.handlers_override(**{"t.effect": calls}):
        with transaction.atomic():
            entry = outbox.enqueue("t.effect", {"n": 1}, run_after=_later(1))
        OutboxEntry.objects.filter(pk=entry.pk).update(next_attempt_at=None)  # due now
        threads = [threading.Thread(target=worker, args=(entry.pk,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert len(calls.payloads) == 1
    assert len(outcomes) == 2 and "done" in outcomes
    assert OutboxEntry.objects.get().attempts == 1


def test_admin_lists_waiting_and_failed_rows_and_retries_them_audited(admin_client, settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 1
    with outbox.handlers_override(**{"t.broken": Calls(failures=1), "t.fine": Calls()}):
        broken = outbox.enqueue("t.broken", {"n": 1})
        done = outbox.enqueue("t.fine", {"n": 2})
        waiting = outbox.enqueue("t.fine", {"n": 3}, run_after=_later(30))
        assert outbox.run(broken.pk) == "failed"
        assert outbox.run(done.pk) == "done"
        page = admin_client.get("/admin/core/outboxentry/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "t.broken" in text and "ConnectionError" in text and "139****5678" in text
        assert f"/admin/core/outboxentry/{waiting.pk}/change/" in text
        assert f"/admin/core/outboxentry/{done.pk}/change/" not in text  # history hidden
        assert admin_client.get("/admin/core/outboxentry/?status__exact=failed").status_code == 200
        detail = admin_client.get(f"/admin/core/outboxentry/{broken.pk}/change/")
        assert detail.status_code == 200
        assert admin_client.post("/admin/core/outboxentry/add/").status_code == 403
        answer = admin_client.post(
            "/admin/core/outboxentry/",
            {"action": "retry_now", "_selected_action": [broken.pk]},
        )
        assert answer.status_code == 302
    broken.refresh_from_db()
    assert (broken.status, broken.attempts, broken.next_attempt_at) == ("pending", 0, None)
    retry = AuditRecord.objects.get(action="outbox.retry")
    assert (retry.object_id, retry.meta) == (str(broken.pk), {"kind": "t.broken"})
