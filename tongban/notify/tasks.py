"""Background work of notifications: sending one e-mail or SMS delivery.

``send`` records each e-mail and SMS as a ``Delivery`` and, in the same transaction, an
outbox row of the kind ``notify.deliver`` (``tongban.core.outbox``). The outbox claims the
row, retries it with exponential back-off (1, 2, 4, 8 … minutes), takes it over from a
worker that died while sending, gives it up after ``TONGBAN_OUTBOX_MAX_ATTEMPTS`` (5)
failed attempts and alerts the system administrators; the periodic sweep ``core.outbox``
runs what is due. This module only sends and keeps the delivery's own record — status,
attempts, last error, next attempt — which is what administrators and recipients see.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.core import outbox
from tongban.core.audit import record_audit
from tongban.notify.channels import get_adapter
from tongban.notify.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

DELIVER = "notify.deliver"
#: A delivery in these states is finished: running its outbox row again sends nothing.
FINISHED = (DeliveryStatus.SENT, DeliveryStatus.SKIPPED)


def enqueue_delivery(delivery: Delivery) -> None:
    """Record, in the caller's transaction, that ``delivery`` is to be sent after commit."""
    outbox.enqueue(DELIVER, {"delivery": delivery.pk}, key=f"{DELIVER}:{delivery.pk}")


def _record_failure(failure: outbox.Failure) -> None:
    """Mirror a failed attempt on the delivery (in the outbox's failure transaction)."""
    gave_up = failure.gave_up
    delivery_id = int(failure.payload["delivery"])
    Delivery.objects.filter(pk=delivery_id).exclude(status__in=FINISHED).update(
        status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.RETRYING,
        attempts=F("attempts") + 1,
        last_error=failure.error,
        next_attempt_at=failure.retry_at,
    )
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is not None:
        record_audit(
            None,
            "notify.delivery.failed" if gave_up else "notify.delivery.retry",
            delivery,
            meta={"channel": delivery.channel, "attempts": delivery.attempts},
        )


@outbox.handler(DELIVER, on_failure=_record_failure)
def deliver(payload: dict[str, Any]) -> str:
    """Send one delivery (the outbox handler of ``notify.deliver``); idempotent: a delivery
    already sent or skipped is not sent again. Raises whatever the channel raises."""
    delivery_id = int(payload["delivery"])
    started = Delivery.objects.filter(pk=delivery_id).exclude(status__in=FINISHED)
    # Attempts are counted when one ends (here on success, in ``_record_failure`` on
    # failure), so the count is the same whether the handler's writes commit or roll back.
    if not started.update(status=DeliveryStatus.SENDING):
        return "finished"
    delivery = Delivery.objects.select_related("message__recipient").get(pk=delivery_id)
    adapter = get_adapter(delivery.channel)
    recipient = delivery.message.recipient
    address = adapter.address(recipient) if recipient.is_active else ""
    if not address:
        _finish(delivery, DeliveryStatus.SKIPPED)
        return DeliveryStatus.SKIPPED
    adapter.send(delivery.message, address)
    _finish(delivery, DeliveryStatus.SENT)
    return DeliveryStatus.SENT


@transaction.atomic
def _finish(delivery: Delivery, status: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=F("attempts") + 1,
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
        next_attempt_at=None,
        last_error="",
    )
    record_audit(
        None,
        f"notify.delivery.{status}",
        delivery,
        meta={"channel": delivery.channel, "attempts": delivery.attempts + 1},
    )
