"""Background work of notifications: sending e-mail and SMS, retrying failures.

``send_delivery`` sends one delivery. A failure is recorded on the row (attempts, last
error, next attempt) and retried with exponential backoff: 1, 2, 4, 8 … minutes
(``TONGBAN_NOTIFY_RETRY_SECONDS``, 60), until ``TONGBAN_NOTIFY_MAX_ATTEMPTS`` (5) attempts
have failed; then the delivery is marked failed for good. On a backend that can defer
tasks (the database backend) the retry is enqueued to run at its time; in any case
``retry_due_deliveries`` (run it every minute from the scheduler or cron) sends every
delivery that is due, including ones whose sender died while sending.

A delivery is claimed with one conditional UPDATE, so two workers never send it twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from tongban.core.audit import record_audit
from tongban.core.observability.logs import redact
from tongban.notify.channels import get_adapter
from tongban.notify.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

#: How long a delivery may stay "sending" before another worker takes it over.
SENDING_LEASE = timedelta(minutes=10)
SWEEP_BATCH = 200


def max_attempts() -> int:
    return int(getattr(settings, "TONGBAN_NOTIFY_MAX_ATTEMPTS", 5))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: base, 2 x base, 4 x base … (max 1 day)."""
    base = int(getattr(settings, "TONGBAN_NOTIFY_RETRY_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86400))


def _due() -> Q:
    now = timezone.now()
    return Q(
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)
    ) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(delivery_id: int) -> bool:
    """Take ``delivery_id`` for sending if it is due and nobody else holds it."""
    now = timezone.now()
    claimed = Delivery.objects.filter(_due(), pk=delivery_id).update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + SENDING_LEASE,
    )
    return claimed == 1


def attempt_delivery(delivery_id: int) -> str:
    """Send one delivery now if it is due; record the outcome. Never raises."""
    try:
        if not _claim(delivery_id):
            status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True)
            return str(status.first() or "missing")
        delivery = Delivery.objects.select_related("message__recipient").get(pk=delivery_id)
    except Exception:
        logger.exception("notify: could not load delivery %s", delivery_id)
        return "error"
    try:
        adapter = get_adapter(delivery.channel)
        address = adapter.address(delivery.message.recipient)
        if not address:
            _finish(delivery, DeliveryStatus.SKIPPED, error="")
            return DeliveryStatus.SKIPPED
        adapter.send(delivery.message, address)
    except Exception as exc:
        error = redact(f"{type(exc).__name__}: {exc}")[:500]
        logger.warning(
            "notify: %s delivery %s failed (attempt %s): %s",
            delivery.channel, delivery.pk, delivery.attempts, error,
        )  # fmt: skip
        return _failed(delivery, error)
    _finish(delivery, DeliveryStatus.SENT, error="")
    return DeliveryStatus.SENT


@transaction.atomic
def _finish(delivery: Delivery, status: str, *, error: str) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        sent_at=now if status == DeliveryStatus.SENT else None,
        next_attempt_at=None,
        last_error=error,
    )
    record_audit(
        None,
        f"notify.delivery.{status}",
        delivery,
        meta={"channel": delivery.channel, "attempts": delivery.attempts},
    )


def _failed(delivery: Delivery, error: str) -> str:
    give_up = delivery.attempts >= max_attempts()
    with transaction.atomic():
        next_at = None if give_up else timezone.now() + backoff(delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if give_up else DeliveryStatus.RETRYING,
            last_error=error,
            next_attempt_at=next_at,
        )
        record_audit(
            None,
            "notify.delivery.failed" if give_up else "notify.delivery.retry",
            delivery,
            meta={"channel": delivery.channel, "attempts": delivery.attempts},
        )
    if next_at is not None:
        _schedule_retry(delivery.pk, next_at)
    return DeliveryStatus.FAILED if give_up else DeliveryStatus.RETRYING


def _schedule_retry(delivery_id: int, when: object) -> None:
    """Enqueue the retry at its time where the backend can defer; else the sweep does it."""
    try:
        if send_delivery.get_backend().supports_defer:
            send_delivery.using(run_after=when).enqueue(delivery_id)  # type: ignore[arg-type]
    except Exception:
        logger.exception("notify: could not schedule the retry of delivery %s", delivery_id)


@task()
def send_delivery(delivery_id: int) -> str:
    """Send one e-mail or SMS delivery (enqueued after the message's transaction commits)."""
    return attempt_delivery(delivery_id)


@task()
def retry_due_deliveries() -> dict[str, int]:
    """Send every delivery that is due (failed earlier, never enqueued, or abandoned by a
    worker that died while sending). Run every minute."""
    ids = list(
        Delivery.objects.filter(_due())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    outcome: dict[str, int] = {}
    for delivery_id in ids:
        status = attempt_delivery(delivery_id)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome
