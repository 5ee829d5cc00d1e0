"""``notify.send``: in-app in the caller's transaction, e-mail and SMS after commit through
the outbox, retries."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conftest import make_resident_id
from tongban import notify
from tongban.core import outbox
from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord, OutboxEntry
from tongban.notify import tasks
from tongban.notify.models import Delivery, DeliveryStatus, Message, Preference

pytestmark = pytest.mark.django_db

# Texts with placeholders, translated in notify's catalogue (used by the alert module).
ROLE_GRANTED = _("The role %(role)s was granted to %(account)s.")


class FlakyBackend(BaseEmailBackend):
    """Fails ``failures`` times (class attribute), then delivers to ``mail.outbox``."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPConnectError(421, "mail.example.gov.cn is not answering")
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tongban.notify.tests.test_send.FlakyBackend"
    FlakyBackend.failures = 0
    yield FlakyBackend
    FlakyBackend.failures = 0


@pytest.fixture
def reachable(citizen):
    citizen.email = "chen@example.com"
    citizen.save(update_fields=["email"])
    return citizen


def test_in_app_message_is_written_in_the_callers_transaction_and_rolled_back_with_it(
    reachable, sms_outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        notify.send(reachable, "case.received", "Received", "We received it.")
        assert Message.objects.filter(recipient=reachable).count() == 1
        raise RuntimeError("the caller's change fails")
    assert callbacks == []
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()
    assert not AuditRecord.objects.filter(action="notify.send").exists()
    assert mail.outbox == []
    assert sms_outbox() == []


def test_email_and_sms_go_out_only_after_commit(
    reachable, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(
            reachable, "case.received", "Application received", "We received it.",
            link="/messages/",
        )  # fmt: skip
        assert Message.objects.get().pk == message.pk  # in-app at once
        assert mail.outbox == []
        assert sms_outbox() == []
        assert set(message.deliveries.values_list("status", flat=True)) == {"pending"}
    assert [m.to for m in mail.outbox] == [["chen@example.com"]]
    assert mail.outbox[0].subject == "Application received"
    assert "We received it." in mail.outbox[0].body
    texts = sms_outbox()
    assert [t["phone"] for t in texts] == [reachable.phone]
    assert texts[0]["text"].startswith("Application received")
    statuses = dict(message.deliveries.values_list("channel", "status"))
    assert statuses == {"email": "sent", "sms": "sent"}
    sms = message.deliveries.get(channel="sms")
    assert sms.address_hint == "138****0001" and sms.sent_at is not None
    assert sms.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_real_transaction_sends_after_the_outer_block_commits(sms_outbox):
    from conftest import _user

    person = _user("citizen-t", phone="13800000009", email="t@example.com")
    with transaction.atomic():
        notify.send(person, "case.received", "Received", "Body")
        with transaction.atomic():  # a savepoint inside: still nothing sent
            notify.send(person, "case.corrected", "Correction", "Body")
        assert mail.outbox == [] and sms_outbox() == []
    assert len(mail.outbox) == 2
    assert len(sms_outbox()) == 2


def test_channels_a_person_cannot_be_reached_by_are_skipped(
    citizen, sms_outbox, django_capture_on_commit_callbacks
):
    citizen.phone = None  # and no e-mail address
    citizen.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(citizen, "case.received", "Received", "Body")
    assert dict(message.deliveries.values_list("channel", "status")) == {
        "email": DeliveryStatus.SKIPPED,
        "sms": DeliveryStatus.SKIPPED,
    }
    assert mail.outbox == [] and sms_outbox() == []
    assert Message.objects.filter(recipient=citizen, in_inbox=True).count() == 1


def test_only_the_channels_asked_for(reachable, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(reachable, "case.done", "Done", "Body", channels=("inapp",))
    assert not message.deliveries.exists()
    assert mail.outbox == [] and sms_outbox() == []
    with django_capture_on_commit_callbacks(execute=True):
        sms_only = notify.send(reachable, "case.code", "Code", "Body", channels=("sms",))
    assert not sms_only.in_inbox
    assert list(sms_only.deliveries.values_list("channel", flat=True)) == ["sms"]
    assert len(sms_outbox()) == 1 and mail.outbox == []


def test_text_is_rendered_in_the_recipients_language(reachable, django_capture_on_commit_callbacks):
    context = {"role": "Reviewer", "account": "wang"}
    zh = notify.send(reachable, "x.test", ROLE_GRANTED, ROLE_GRANTED, context=context)
    assert zh.language == "zh-hans"
    assert zh.subject == "已向 wang 授予“Reviewer”角色。"
    Preference.objects.create(user=reachable, language="en")
    reachable.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        en = notify.send(reachable, "x.test", ROLE_GRANTED, ROLE_GRANTED, context=context)
    assert en.language == "en"
    assert en.body == "The role Reviewer was granted to wang."
    assert "Do not reply" in mail.outbox[0].body  # the e-mail's own text in English too


def test_id_and_mobile_numbers_are_masked_before_they_are_stored(reachable):
    number = make_resident_id(seq=377)
    message = notify.send(
        reachable, "x.test", "For %(id)s", "Call %(phone)s", context={"id": number,
        "phone": "13912345678"}, channels=("inapp",),
    )  # fmt: skip
    message.refresh_from_db()
    assert number not in message.subject and number[:6] in message.subject
    assert message.body == "Call 139****5678"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"link": "https://evil.example/"}, "link"),
        ({"link": "//evil.example/"}, "link"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"channels": ("pigeon",)}, "channels"),
        ({"channels": ()}, "channels"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"context": {"other": 1}}, "context"),
    ],
)
def test_bad_input_names_the_field(reachable, kwargs, field):
    with pytest.raises(ServiceError) as error:
        notify.send(reachable, "x.test", "Hello %(name)s", "Body", **kwargs)
    assert field in error.value.message_dict
    assert not Message.objects.exists()


def _make_due(delivery: Delivery) -> None:
    """The back-off of ``delivery``'s outbox row has passed."""
    OutboxEntry.objects.filter(kind="notify.deliver", payload__delivery=delivery.pk).update(
        next_attempt_at=timezone.now()
    )


def test_a_failed_email_is_recorded_retried_with_backoff_and_never_raises(
    reachable, flaky_mail, sms_outbox, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(reachable, "case.received", "Received", "Body")  # no exception
    email = message.deliveries.get(channel="email")
    assert email.status == DeliveryStatus.RETRYING
    assert email.attempts == 1
    assert "SMTPConnectError" in email.last_error and "not answering" in email.last_error
    wait = email.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
    assert message.deliveries.get(channel="sms").status == DeliveryStatus.SENT  # unaffected
    assert mail.outbox == []

    assert outbox.sweep() == {}  # not due yet: nothing sent
    _make_due(email)
    assert outbox.sweep() == {"done": 1}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1
    actions = list(AuditRecord.objects.filter(action__startswith="notify.delivery")
                   .values_list("action", flat=True).order_by("seq"))  # fmt: skip
    assert "notify.delivery.retry" in actions and actions[-1] == "notify.delivery.sent"


def test_backoff_doubles_and_a_delivery_gives_up_after_the_last_attempt(
    reachable, flaky_mail, settings, django_capture_on_commit_callbacks
):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 3
    flaky_mail.failures = 99
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(reachable, "case.received", "Received", "Body", channels=("email",))
    email = message.deliveries.get()
    waits = []
    for _attempt in range(2):
        email.refresh_from_db()
        waits.append(round((email.next_attempt_at - timezone.now()).total_seconds()))
        _make_due(email)
        outbox.sweep()
    email.refresh_from_db()
    assert waits == [60, 120]
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)
    assert "SMTPConnectError" in email.last_error
    assert OutboxEntry.objects.get(kind="notify.deliver").status == "failed"
    assert outbox.sweep() == {}  # given up: never tried again
    assert AuditRecord.objects.filter(action="notify.delivery.failed").count() == 1


def test_a_retry_is_enqueued_for_later_on_a_backend_that_can_defer(
    reachable, flaky_mail, settings, django_capture_on_commit_callbacks
):
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    flaky_mail.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(reachable, "case.received", "Received", "Body", channels=("email",))
    email = message.deliveries.get()
    entry = OutboxEntry.objects.get(kind="notify.deliver")
    assert entry.payload == {"delivery": email.pk}
    queued = [r for r in task_backends["default"].results if r.task.name == "run_outbox_entry"]
    assert len(queued) == 1 and list(queued[0].args) == [entry.pk]  # handed over, not yet run
    assert outbox.run(entry.pk) == "retry"  # the worker runs it: it fails
    email.refresh_from_db()
    retries = [r for r in task_backends["default"].results if r.task.run_after is not None]
    assert len(retries) == 1
    assert retries[0].task.run_after == email.next_attempt_at
    assert list(retries[0].args) == [entry.pk]


def test_a_delivery_is_sent_once_even_if_two_workers_take_it(
    reachable, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(reachable, "case.received", "Received", "Body", channels=("email",))
    entry = OutboxEntry.objects.get(kind="notify.deliver")
    assert outbox.run(entry.pk) == "done"
    assert outbox.run(entry.pk) == "done"  # the second worker finds it done
    # Even a row run again (a worker killed after sending, before marking it done) does
    # not send a sent delivery twice.
    assert tasks.deliver({"delivery": message.deliveries.get().pk}) == "finished"
    assert len(mail.outbox) == 1


def test_the_outbox_sweep_is_the_one_retry_mechanism(
    reachable, flaky_mail, django_capture_on_commit_callbacks
):
    from tongban.core import scheduling

    scheduling.autodiscover()
    assert scheduling.get_job("notify.retry_deliveries") is None  # the old sweep is gone
    job = scheduling.get_job("core.outbox")
    assert job is not None and job.every == timedelta(minutes=1)
    flaky_mail.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.send(reachable, "case.received", "Received", "Body", channels=("email",))
    _make_due(message.deliveries.get())
    job.func()
    assert message.deliveries.get().status == DeliveryStatus.SENT
