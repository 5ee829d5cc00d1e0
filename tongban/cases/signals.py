"""What the approval module tells the rest of the platform.

- ``subcase_decided(sender=SubCase, subcase=…, approved=bool)``: one department decided its
  matter (approved, refused or not accepted). Sent INSIDE the deciding transaction
  (``send_in_transaction``): receivers record what must follow the decision as outbox rows
  (``tongban.core.outbox.enqueue``) — licences record "issue this licence" — so that the
  effect commits with the decision, or rolls back with it, and the outbox carries it out
  after commit, retrying until done. A receiver must not do the work itself (the decision
  may still roll back), and its exception rolls the decision back.
- ``case_completed(sender=Case, case=…)``: every matter of the case is decided — the
  applicant is invited to rate the service. Sent after commit (``send_after_commit``):
  receivers never see a completion that was rolled back; a failing receiver is logged and
  does not undo anything.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

subcase_decided = Signal()
case_completed = Signal()


def send_in_transaction(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send ``signal`` now, inside the caller's transaction; a receiver's exception
    propagates (and rolls the caller's change back)."""
    signal.send(sender=sender, **kwargs)


def send_after_commit(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send ``signal`` once the caller's transaction commits; receivers' exceptions are
    logged, never raised."""

    def send() -> None:
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                log.error("receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
