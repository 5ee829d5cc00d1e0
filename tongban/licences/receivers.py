"""A decided sub-case issues its licence, through the outbox (connected in ``apps.ready``).

``on_subcase_decided`` runs inside the deciding transaction and records one outbox row
``licences.issue`` per approved sub-case whose item issues a licence (key
``licences.issue:<sub-case id>``). After commit the outbox runs ``issue_licence_of_subcase``,
retries it with back-off when it fails, takes it over from a worker killed mid-issue, and
after the last attempt shows it failed in the outbox admin ("retry now") and alerts the
system administrators. ``tongban licence issue-pending`` issues everything still owed now.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from tongban.cases.models import SubCase, SubCaseStatus
from tongban.core import outbox
from tongban.core.models import OutboxEntry, OutboxStatus

from . import services
from .models import ItemLicence

log = logging.getLogger(__name__)

ISSUE = "licences.issue"


def issue_key(subcase_id: int) -> str:
    return f"{ISSUE}:{subcase_id}"


def enqueue_issue(subcase_id: int) -> Any:
    """Record, in the caller's transaction, that the licence of ``subcase_id`` is owed."""
    return outbox.enqueue(ISSUE, {"subcase": subcase_id}, key=issue_key(subcase_id))


def on_subcase_decided(sender: Any, subcase: SubCase, approved: bool, **kwargs: Any) -> None:
    """In the deciding transaction: an approved matter whose item issues a licence owes
    one. In a bundle each approved member issues its own licence, whatever the other
    members' state."""
    if not approved or not ItemLicence.objects.filter(item_id=subcase.item_id).exists():
        return
    enqueue_issue(subcase.pk)


@outbox.handler(ISSUE)
def issue_licence_of_subcase(payload: dict[str, Any]) -> None:
    """The outbox handler of ``licences.issue``: issue the sub-case's licence (idempotent:
    one licence per sub-case) and tell the applicant. Raises what issuing raises (the
    outbox retries it)."""
    subcase = SubCase.objects.filter(pk=payload["subcase"]).first()
    if subcase is None:
        return  # deleted since: nothing is owed
    licence = services.issue_for_subcase(subcase)
    if licence is not None:
        log.info("licence %s issued for sub-case %s", licence.number, subcase.pk)


def owed_subcase_ids() -> list[int]:
    """Approved sub-cases whose item issues a licence and that have none yet."""
    return list(
        SubCase.objects.filter(
            status=SubCaseStatus.APPROVED,
            item__in=ItemLicence.objects.values("item"),
            licence__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def issue_pending(*, actor: Any = None) -> dict[int, str]:
    """Issue every licence still owed, now: one outbox row per owed sub-case (a failed one
    is put back, audited, with a fresh count of attempts), each run at once. Returns the
    outcome per sub-case id ("done", "retry" with the error recorded on the row …)."""
    owed = owed_subcase_ids()
    keys = {issue_key(pk): pk for pk in owed}
    failed = OutboxEntry.objects.filter(kind=ISSUE, status=OutboxStatus.FAILED, key__in=keys)
    outbox.retry(list(failed.values_list("pk", flat=True)), actor=actor)
    entries: dict[int, int] = {}
    for subcase_id in owed:
        with transaction.atomic():
            entries[subcase_id] = enqueue_issue(subcase_id).pk
    outbox.retry(list(entries.values()), actor=actor)  # due now, even if backing off
    return {subcase_id: outbox.run(entry_id) for subcase_id, entry_id in entries.items()}
