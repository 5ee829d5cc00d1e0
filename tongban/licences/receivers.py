"""A decided sub-case issues its licence, through the outbox (connected in ``apps.ready``).

``on_subcase_decided`` runs inside the deciding transaction and records one outbox row
``licences.issue`` per approved sub-case whose item issues a licence (key
``licences.issue:<sub-case id>``). After commit the outbox runs ``issue_licence_of_subcase``,
retries it with back-off when it fails, takes it over from a worker killed mid-issue, and
after the last attempt shows it failed in the outbox admin ("retry now") and alerts the
system administrators. ``tongban licence issue-pending`` issues everything still owed now.

The completion message of a case (``tongban.cases.notices``) lists its licences:
``completion_detail`` answers ``completion_details`` with the licences issued and says the
message must wait while a licence of the case is still owed and its ``licences.issue`` row
waits or runs. Issuing (``services.issue_for_subcase``) and giving up (``_issue_failed``)
record the completion message again, so that it goes out once nothing is pending; a licence
given up is listed as being issued, and told alone when it is issued at last.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from tongban.cases import notices
from tongban.cases.models import Case, CaseStatus, SubCase, SubCaseStatus
from tongban.core import outbox
from tongban.core.models import OutboxEntry, OutboxStatus

from . import services
from .models import ItemLicence, Licence

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


def _issue_failed(failure: outbox.Failure) -> None:
    """A licence given up (in the outbox's failure transaction): the completion message of
    a completed case stops waiting for it (it lists the licence as being issued)."""
    if not failure.gave_up:
        return
    subcase = SubCase.objects.select_related("case").filter(pk=failure.payload["subcase"]).first()
    if subcase is not None and subcase.case.status == CaseStatus.COMPLETED:
        notices.enqueue_completion_message(subcase.case_id)


@outbox.handler(ISSUE, on_failure=_issue_failed)
def issue_licence_of_subcase(payload: dict[str, Any]) -> None:
    """The outbox handler of ``licences.issue``: issue the sub-case's licence (idempotent:
    one licence per sub-case); the applicant learns of it in the completion message. Raises
    what issuing raises (the outbox retries it)."""
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


def _owed(case: Case) -> list[SubCase]:
    """The approved sub-cases of ``case`` whose item issues a licence not issued yet."""
    return list(
        SubCase.objects.filter(
            case=case,
            status=SubCaseStatus.APPROVED,
            item__in=ItemLicence.objects.values("item"),
            licence__isnull=True,
        )
        .select_related("item")
        .order_by("pk")
    )


def completion_detail(sender: Any, case: Case, **kwargs: Any) -> notices.CompletionDetail | None:
    """Receiver of ``completion_details``: the licences issued for ``case``, number by
    number; ``owed`` while one of them is still being issued by the outbox (its row waits
    or runs). A licence whose issuing was given up is listed as being issued."""
    issued = list(
        Licence.objects.filter(source_case=case).select_related("licence_type").order_by("pk")
    )
    owed = _owed(case)
    if not issued and not owed:
        return None
    running = OutboxEntry.objects.filter(
        kind=ISSUE,
        key__in=[issue_key(sub.pk) for sub in owed],
        status__in=(OutboxStatus.PENDING, OutboxStatus.RUNNING),
    ).exists()
    rows = [
        notices.text(
            _("· %(type)s, no. %(number)s"),
            type=lazy(lambda t=licence.licence_type: str(t.display_name), str)(),
            number=licence.number,
        )
        for licence in issued
    ]
    rows += [
        notices.text(
            _("· %(item)s: the licence is still being issued; we tell you when it is ready"),
            item=lazy(lambda i=sub.item: str(i.display_name), str)(),
        )
        for sub in owed
    ]
    summary = (
        notices.text(
            ngettext_lazy("%(count)s licence issued.", "%(count)s licences issued.", "count"),
            count=len(issued),
        )
        if issued
        else ""
    )
    return notices.CompletionDetail(
        heading=_("Licences (in “My licences”, ready to show, download or share):"),
        lines=rows,
        summary=summary,
        owed=running,
        order=10,
    )
