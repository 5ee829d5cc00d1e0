"""The allowed moves of cases, sub-cases and work items, and which step offers which action.

Three literal tables (``tongban.core.transitions``), the only way their status fields change:

- ``SUBCASE``: one department's matter, moved by the officials' actions, the applicant's
  correction and the applicant's withdrawal (撤回申请). Actions that leave the matter where
  it is (``forward``, ``transfer``) are listed as moves to the same state: the table says
  from where they are allowed, and no status is written for them.
- ``CASE``: the application as a whole. Its status is derived from its sub-cases
  (``case_status_for``); each derived change is one of the listed moves, found with
  ``CASE.action_to``, except withdrawal, which the applicant asks for.
- ``WORK``: a step in someone's inbox, completed by whoever acts on it or cancelled when
  the process no longer waits for it.

``OFFERED`` is the separate gate: which actions each kind of work item offers at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy

from tongban.core.transitions import Transitions

from .models import (
    FINAL_SUBCASE_STATES,
    Case,
    CaseStatus,
    SharedMaterial,
    SharedStatus,
    SubCase,
    SubCaseStatus,
    WorkItem,
    WorkKind,
    WorkStatus,
)


class Action:
    """Actions on a sub-case (officials' actions, the applicant's correction, withdrawal)."""

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
    WITHDRAW = "withdraw"
    # A bundle member that needs another member's result (``tongban.cases.dependencies``):
    # it waits from submission, starts when that member is approved, and is not started
    # at all when that member is refused or not accepted.
    WAIT = "wait"
    PREREQUISITE_MET = "prerequisite_met"
    PREREQUISITE_REFUSED = "prerequisite_refused"


class CaseAction:
    """Moves of the case as a whole: derived from its sub-cases, or the withdrawal."""

    PROGRESS = "progress"
    AWAIT_CORRECTION = "await_correction"
    AWAIT_ACCEPTANCE = "await_acceptance"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"


class WorkAction:
    COMPLETE = "complete"
    CANCEL = "cancel"


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
    Action.WITHDRAW: gettext_lazy("Withdraw the application"),
    Action.WAIT: gettext_lazy("Wait for another department's result"),
    Action.PREREQUISITE_MET: gettext_lazy("Start: the result it needs was approved"),
    Action.PREREQUISITE_REFUSED: gettext_lazy("Not started: the result it needs was refused"),
}

_S = SubCaseStatus

SUBCASE = Transitions(
    SubCase,
    {
        (_S.RECEIVED, Action.WAIT): _S.WAITING,
        (_S.WAITING, Action.PREREQUISITE_MET): _S.RECEIVED,
        (_S.WAITING, Action.PREREQUISITE_REFUSED): _S.NOT_STARTED,
        (_S.WAITING, Action.WITHDRAW): _S.WITHDRAWN,
        (_S.RECEIVED, Action.ACCEPT): _S.IN_REVIEW,
        (_S.RECEIVED, Action.NOT_ACCEPT): _S.NOT_ACCEPTED,
        (_S.RECEIVED, Action.CORRECTION): _S.CORRECTION_BEFORE,
        (_S.RECEIVED, Action.TRANSFER): _S.RECEIVED,
        (_S.RECEIVED, Action.WITHDRAW): _S.WITHDRAWN,
        (_S.CORRECTION_BEFORE, Action.RESUBMIT): _S.RECEIVED,
        (_S.CORRECTION_BEFORE, Action.WITHDRAW): _S.WITHDRAWN,
        (_S.IN_REVIEW, Action.FORWARD): _S.IN_REVIEW,
        (_S.IN_REVIEW, Action.CORRECTION): _S.CORRECTION,
        (_S.IN_REVIEW, Action.START_SPECIAL): _S.SPECIAL,
        (_S.IN_REVIEW, Action.APPROVE): _S.APPROVED,
        (_S.IN_REVIEW, Action.REJECT): _S.REJECTED,
        (_S.IN_REVIEW, Action.WITHDRAW): _S.WITHDRAWN,
        (_S.CORRECTION, Action.RESUBMIT): _S.IN_REVIEW,
        (_S.CORRECTION, Action.WITHDRAW): _S.WITHDRAWN,
        (_S.SPECIAL, Action.END_SPECIAL): _S.IN_REVIEW,
        (_S.SPECIAL, Action.WITHDRAW): _S.WITHDRAWN,
        # approved, rejected, not_accepted, withdrawn and not_started are final: nothing
        # leaves them.
    },
    actions=ACTION_LABELS,
)

_C = CaseStatus

CASE = Transitions(
    Case,
    {
        (_C.SUBMITTED, CaseAction.PROGRESS): _C.IN_PROGRESS,
        (_C.SUBMITTED, CaseAction.AWAIT_CORRECTION): _C.CORRECTION,
        (_C.SUBMITTED, CaseAction.COMPLETE): _C.COMPLETED,
        (_C.SUBMITTED, CaseAction.WITHDRAW): _C.WITHDRAWN,
        (_C.IN_PROGRESS, CaseAction.AWAIT_CORRECTION): _C.CORRECTION,
        (_C.IN_PROGRESS, CaseAction.COMPLETE): _C.COMPLETED,
        (_C.IN_PROGRESS, CaseAction.WITHDRAW): _C.WITHDRAWN,
        (_C.CORRECTION, CaseAction.PROGRESS): _C.IN_PROGRESS,
        (_C.CORRECTION, CaseAction.AWAIT_ACCEPTANCE): _C.SUBMITTED,
        (_C.CORRECTION, CaseAction.WITHDRAW): _C.WITHDRAWN,
        # completed and withdrawn are final.
    },
    actions={
        CaseAction.PROGRESS: gettext_lazy("Handling started"),
        CaseAction.AWAIT_CORRECTION: gettext_lazy("Wait for the applicant's correction"),
        CaseAction.AWAIT_ACCEPTANCE: gettext_lazy("Back to acceptance"),
        CaseAction.COMPLETE: gettext_lazy("Complete"),
        CaseAction.WITHDRAW: gettext_lazy("Withdraw the application"),
    },
)

WORK = Transitions(
    WorkItem,
    {
        (WorkStatus.OPEN, WorkAction.COMPLETE): WorkStatus.DONE,
        (WorkStatus.OPEN, WorkAction.CANCEL): WorkStatus.CANCELLED,
    },
    actions={
        WorkAction.COMPLETE: gettext_lazy("Complete the step"),
        WorkAction.CANCEL: gettext_lazy("Cancel the step"),
    },
)

#: The gate: which actions each kind of work item offers (``SUBCASE`` says from which
#: states). A correction asked at acceptance and one asked in review are the same action;
#: the sub-case's state tells them apart.
OFFERED: dict[str, tuple[str, ...]] = {
    WorkKind.ACCEPT: (Action.ACCEPT, Action.NOT_ACCEPT, Action.CORRECTION, Action.TRANSFER),
    WorkKind.REVIEW: (Action.FORWARD, Action.CORRECTION, Action.START_SPECIAL, Action.END_SPECIAL),
    WorkKind.DECIDE: (Action.APPROVE, Action.REJECT),
    WorkKind.CORRECT: (Action.RESUBMIT,),
}

#: Actions that do not complete the engine step (the work item stays open).
IN_PLACE = frozenset({Action.TRANSFER, Action.START_SPECIAL, Action.END_SPECIAL})

#: A department has decided: the applicant can no longer withdraw.
DECIDED_SUBCASE_STATES = frozenset({_S.APPROVED, _S.REJECTED, _S.NOT_ACCEPTED})


def offers(kind: str, action: str, status: str) -> str | None:
    """Where ``action`` on a work item of ``kind`` takes a sub-case in ``status``; ``None``
    when the step does not offer it or the sub-case's state does not allow it."""
    if action not in OFFERED.get(kind, ()):
        return None
    return SUBCASE.target(status, action)


def allowed_actions(work: WorkItem) -> list[str]:
    """The actions a person may take on ``work`` now (none once it is closed)."""
    if work.status != WorkStatus.OPEN or work.subcase is None:
        return []
    status = work.subcase.status
    return [a for a in OFFERED.get(work.kind, ()) if SUBCASE.target(status, a) is not None]


def case_status_for(statuses: Iterable[str]) -> str:
    """The case status its sub-cases' statuses add up to.

    Every matter withdrawn: withdrawn; every matter final: completed; any waiting for a
    correction: correction; any past receipt: in progress; else submitted (a matter waiting
    for another department's result counts as received).
    """
    states = [str(s) for s in statuses]
    if states and all(s == _S.WITHDRAWN for s in states):
        return _C.WITHDRAWN
    if all(s in FINAL_SUBCASE_STATES for s in states):
        return _C.COMPLETED
    if any(s in {_S.CORRECTION, _S.CORRECTION_BEFORE} for s in states):
        return _C.CORRECTION
    if any(s not in {_S.RECEIVED, _S.WAITING} for s in states):
        return _C.IN_PROGRESS
    return _C.SUBMITTED


class SharedAction:
    """What becomes of a material fetched through data sharing (``tongban.cases.sharing``)."""

    OBTAIN = "obtain"
    GIVE_UP = "give_up"


#: A material fetched through sharing: pending while the outbox retries a fetch that failed
#: after submission; obtained once the source answered with the applicant's record;
#: unavailable once the retries are given up (the official then asks for the file).
SHARED = Transitions(
    SharedMaterial,
    {
        (SharedStatus.PENDING, SharedAction.OBTAIN): SharedStatus.OBTAINED,
        (SharedStatus.PENDING, SharedAction.GIVE_UP): SharedStatus.UNAVAILABLE,
    },
    actions={
        SharedAction.OBTAIN: gettext_lazy("Obtained through data sharing"),
        SharedAction.GIVE_UP: gettext_lazy("Gave up fetching"),
    },
)
