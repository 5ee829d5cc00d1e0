"""What the approval module tells the rest of the platform: the events of a case.

Every event is sent INSIDE the transaction of the change it reports
(``send_in_transaction``): a receiver records what must follow — an in-app message and its
SMS and e-mail deliveries (``tongban.notify.send``), an outbox row
(``tongban.core.outbox.enqueue``) — so that the effect commits with the change or rolls back
with it, and nothing is done for a change that did not happen. A receiver must not do work
that cannot be undone (the change may still roll back: send nothing itself, call no other
system), and its exception rolls the change back.

- ``case_submitted(sender=Case, case=…)``: an application was received.
- ``subcase_accepted(sender=SubCase, subcase=…)``: one department accepted its matter
  (受理). Sent before the sub-case's new status is saved: ``subcase`` carries the new
  ``accepted_at`` and deadlines; other sub-cases are read from the database.
- ``correction_requested(sender=SubCase, subcase=…, notice=CorrectionNotice)``: one
  department asked the applicant for a correction (补正告知), all at once.
- ``subcase_decided(sender=SubCase, subcase=…, approved=bool)``: one department decided its
  matter (approved, refused or not accepted). Licences record "issue this licence" here.
- ``case_completed(sender=Case, case=…)``: every matter of the case is final.
- ``case_withdrawn(sender=Case, case=…, cancelled=[WorkItem, …])``: the applicant withdrew
  the application; ``cancelled`` are the steps that left the officials' inboxes.

And one question the cases module asks, after commit, when it writes the completion message
(``tongban.cases.notices``):

- ``completion_details(sender=Case, case=…)``: each receiver returns a
  ``notices.CompletionDetail`` (lines the completion message carries, and whether something
  it would list is still owed) or ``None``. Apps above cases answer it — licences list the
  licences issued, ratings the invitation to rate — so that cases knows none of them. It may
  be sent more than once for a case (the outbox retries); receivers only read.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

case_submitted = Signal()
subcase_accepted = Signal()
correction_requested = Signal()
subcase_decided = Signal()
case_completed = Signal()
case_withdrawn = Signal()
completion_details = Signal()


def send_in_transaction(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send ``signal`` now, inside the caller's transaction; a receiver's exception
    propagates (and rolls the caller's change back)."""
    signal.send(sender=sender, **kwargs)
