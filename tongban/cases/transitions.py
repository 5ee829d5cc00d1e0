"""The sub-case's moves, and which work kind offers which action."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from .models import (
    SubCaseStatus,
    WorkItem,
    WorkKind,
    WorkStatus,
)


class Action:
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    CORRECTION = "correction"
    FORWARD = "forward"
    APPROVE = "approve"
    REJECT = "reject"
    TRANSFER = "transfer"
    COMMENT = "comment"
    START_SPECIAL = "start_special"
    END_SPECIAL = "end_special"
    RESUBMIT = "resubmit"


#: (work kind, action) -> sub-case states it may start from and the state it leads to.
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str | None]] = {
    (WorkKind.ACCEPT, Action.ACCEPT): (
        frozenset({SubCaseStatus.RECEIVED}),
        SubCaseStatus.IN_REVIEW,
    ),
    (WorkKind.ACCEPT, Action.NOT_ACCEPT): (
        frozenset({SubCaseStatus.RECEIVED}),
        SubCaseStatus.NOT_ACCEPTED,
    ),
    (WorkKind.ACCEPT, Action.CORRECTION): (
        frozenset({SubCaseStatus.RECEIVED}),
        SubCaseStatus.CORRECTION_BEFORE,
    ),
    (WorkKind.ACCEPT, Action.TRANSFER): (frozenset({SubCaseStatus.RECEIVED}), None),
    (WorkKind.REVIEW, Action.FORWARD): (frozenset({SubCaseStatus.IN_REVIEW}), None),
    (WorkKind.REVIEW, Action.CORRECTION): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.CORRECTION,
    ),
    (WorkKind.REVIEW, Action.START_SPECIAL): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.SPECIAL,
    ),
    (WorkKind.REVIEW, Action.END_SPECIAL): (
        frozenset({SubCaseStatus.SPECIAL}),
        SubCaseStatus.IN_REVIEW,
    ),
    (WorkKind.DECIDE, Action.APPROVE): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.APPROVED,
    ),
    (WorkKind.DECIDE, Action.REJECT): (
        frozenset({SubCaseStatus.IN_REVIEW}),
        SubCaseStatus.REJECTED,
    ),
    (WorkKind.CORRECT, Action.RESUBMIT): (
        frozenset({SubCaseStatus.CORRECTION_BEFORE, SubCaseStatus.CORRECTION}),
        None,  # back to where the correction was asked: received or in review
    ),
}


#: Actions that do not complete the engine step (the work item stays open).
IN_PLACE = frozenset({Action.TRANSFER, Action.START_SPECIAL, Action.END_SPECIAL})


ACTION_LABELS = {
    Action.ACCEPT: gettext_lazy("Accept"),
    Action.NOT_ACCEPT: gettext_lazy("Do not accept"),
    Action.CORRECTION: gettext_lazy("Ask for a correction"),
    Action.FORWARD: gettext_lazy("Send for decision"),
    Action.APPROVE: gettext_lazy("Approve"),
    Action.REJECT: gettext_lazy("Refuse"),
    Action.TRANSFER: gettext_lazy("Transfer to another department"),
    Action.COMMENT: gettext_lazy("Comment"),
    Action.START_SPECIAL: gettext_lazy("Start a special procedure"),
    Action.END_SPECIAL: gettext_lazy("End the special procedure"),
    Action.RESUBMIT: gettext_lazy("Resubmit"),
}


def allowed_actions(work: WorkItem) -> list[str]:
    if work.status != WorkStatus.OPEN or work.subcase is None:
        return []
    status = work.subcase.status
    return [
        action
        for (kind, action), (sources, _target) in TRANSITIONS.items()
        if kind == work.kind and status in sources
    ]
