"""What the approval module tells the rest of the platform, after the transaction commits.

- ``subcase_decided(sender=SubCase, subcase=…, approved=bool)``: one department decided its
  matter (approved, refused or not accepted) — licences are issued from it;
- ``case_completed(sender=Case, case=…)``: every matter of the case is decided — the
  applicant is invited to rate the service.

Receivers run after commit (``transaction.on_commit``), so they never see a decision that
was rolled back; a failing receiver is logged and does not undo the decision.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

subcase_decided = Signal()
case_completed = Signal()


def send_after_commit(signal: Signal, sender: Any, **kwargs: Any) -> None:
    def send() -> None:
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                log.error("receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
