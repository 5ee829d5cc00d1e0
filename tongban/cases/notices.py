"""What the applicant is told about their case: one message per milestone, never one per step.

The milestones, each one in-app message with its SMS and e-mail (``tongban.notify``):

1. **submitted** — received, the case number, what happens next and by when;
2. **accepted** — once every department involved has accepted (for one item: that
   acceptance), with the promised date; members not accepted are named;
3. **correction needed** — one message per correction notice: which department, what
   exactly (every material and what is wrong with it), and by when (``correction_due``);
4. **completed** — after the last decision only, with each member's outcome (refusals named),
   the licences issued (number by number) and the invitation to rate (好差评);
5. **withdrawn** — the applicant's own withdrawal, confirmed.

**Events and listeners.** Services and actions call the functions of the first part below
(``case_submitted`` …) inside their transaction; each sends the event of
``tongban.cases.signals`` and nothing else. The listeners of the second part compose the
messages (connected when this module is imported; apps import it in ``ready``). A message is
written in the transaction of its change, so a rolled-back change tells nobody anything; SMS
and e-mail leave after commit through the outbox. Steps between milestones (forwarding,
transfers, a single department's decision in a bundle) tell the applicant nothing.

**Completion ("已办结") cannot go out early, nor twice.**

- The listener of ``case_completed`` records an outbox row ``cases.completion_message``
  (key per case) in the transaction that made the last sub-case final. The row exists only
  if that decision commits, and runs only after it: nothing says "complete" before the last
  decision.
- The row's handler asks ``signals.completion_details``. Licences answer with the licences
  issued for the case and whether one is still owed (its ``licences.issue`` row waiting or
  running); cases knows no licences. While one is owed, the handler sends nothing. Licences
  record the row again (``enqueue_completion_message``) when they issue a licence of a
  completed case and when they give one up: of these runs, the last one runs after every
  licence it waits for has committed, and sends. A licence given up is listed as "being
  issued"; when it is issued later, licences tell the applicant about that licence alone.
- The message is sent with ``once=completion_key(case)``: notify keeps that key unique per
  recipient, so a retried row, a second row or two workers at once send it exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tongban.core import outbox
from tongban.core.alerts import Severity, raise_alert
from tongban.notify import services as notify
from tongban.workdays import calc

from . import clocks, signals
from .models import (
    FINAL_SUBCASE_STATES,
    Case,
    CaseStatus,
    CorrectionNotice,
    SubCase,
    SubCaseStatus,
    WorkItem,
    WorkKind,
)

COMPLETION = "cases.completion_message"

# --- the events: what services and actions call, inside their transaction ---------------


def case_submitted(case: Case) -> None:
    signals.send_in_transaction(signals.case_submitted, Case, case=case)


def subcase_accepted(sub: SubCase) -> None:
    signals.send_in_transaction(signals.subcase_accepted, SubCase, subcase=sub)


def correction_requested(sub: SubCase, corrections: list[dict[str, str]]) -> None:
    notice = CorrectionNotice.objects.filter(subcase=sub).order_by("-issued_at", "-pk").first()
    signals.send_in_transaction(signals.correction_requested, SubCase, subcase=sub, notice=notice)


def correction_resubmitted(sub: SubCase) -> None:
    """The department sees the resubmission in its inbox; the applicant needs no message."""


def subcase_decided(sub: SubCase, *, approved: bool) -> None:
    signals.send_in_transaction(signals.subcase_decided, SubCase, subcase=sub, approved=approved)


def case_completed(case: Case) -> None:
    signals.send_in_transaction(signals.case_completed, Case, case=case)


def case_withdrawn(case: Case, cancelled: list[WorkItem]) -> None:
    signals.send_in_transaction(signals.case_withdrawn, Case, case=case, cancelled=cancelled)


# --- texts composed in the recipient's language ------------------------------------------


def text(template: Any, **params: Any) -> Any:
    """``template % params`` as a lazy string, evaluated when the message is rendered (in the
    recipient's language): lazy values (item and department names, dates) follow it too."""
    return lazy(lambda: str(template % params) if params else str(template), str)()


def lines(parts: Iterable[Any], separator: str = "\n") -> Any:
    """The non-empty ``parts`` joined by ``separator``, lazily."""
    items = list(parts)
    return lazy(lambda: separator.join(s for s in (str(p) for p in items) if s), str)()


def _in_language(obj: Any, attribute: str) -> Any:
    """``obj.<attribute>`` (``display_name``, ``display_title``) read when the message is
    rendered, in the recipient's language."""
    return lazy(lambda: str(getattr(obj, attribute)), str)()


def _date(day: dt.date) -> Any:
    return lazy(lambda: formats.date_format(day, "DATE_FORMAT"), str)()


def case_link(case: Case) -> str:
    return reverse("cases:my_case", args=[case.number])


def _send(case: Case, code: str, subject: Any, body: Any, *, once: str) -> None:
    notify.send(case.applicant, code, subject, body, link=case_link(case), once=once)


def _member(sub: SubCase) -> Any:
    return text(
        _("%(item)s (%(department)s)"),
        item=_in_language(sub.item, "display_name"),
        department=_in_language(sub.department, "display_name"),
    )


def _subcases(case: Case) -> list[SubCase]:
    return list(case.subcases.select_related("item", "department").order_by("pk"))


# --- the listeners ----------------------------------------------------------------------


def on_case_submitted(sender: Any, case: Case, **kwargs: Any) -> None:
    subs = _subcases(case)
    acceptance = max((s.acceptance_due for s in subs if s.acceptance_due), default=None)
    promise = clocks.case_promise(subs)
    number, title = case.number, _in_language(case, "display_title")
    body = [
        text(
            _("Your application “%(title)s” was received as case %(number)s."),
            title=title,
            number=number,
        ),
        text(
            _(
                "What happens next: each department involved checks your application by "
                "%(date)s and accepts it, or tells you at once everything to correct. "
                "We tell you when all have accepted, and when the case is complete."
            ),
            date=_date(acceptance),
        )
        if acceptance
        else "",
        text(_("The departments promise to finish by %(date)s."), date=_date(promise.date))
        if promise
        else "",
        text(_("Keep the case number: you can follow the case with it at any time.")),
    ]
    _send(
        case,
        "cases.submitted",
        text(_("Application received, case number %(number)s"), number=number),
        lines(body, "\n\n"),
        once=f"cases.submitted:{case.pk}",
    )


def _awaits_acceptance(sub: SubCase) -> bool:
    return sub.accepted_at is None and sub.status not in FINAL_SUBCASE_STATES


def _tell_acceptance_over(changed: SubCase, *, accepted: bool) -> None:
    """``changed`` was just accepted (or not accepted): if no other member still awaits
    acceptance, tell the applicant once that handling goes on, unless every member is
    already decided (then the completion message says everything)."""
    case = changed.case
    others = [s for s in _subcases(case) if s.pk != changed.pk]
    if any(_awaits_acceptance(s) for s in others):
        return
    members = sorted([*others, changed], key=lambda s: s.pk)

    def is_accepted(sub: SubCase) -> bool:
        if sub.pk == changed.pk:
            return accepted
        return sub.accepted_at is not None and sub.status != SubCaseStatus.WITHDRAWN

    taken = [s for s in members if is_accepted(s)]
    going_on = [s for s in taken if s.pk == changed.pk or s.status not in FINAL_SUBCASE_STATES]
    if not going_on:
        return
    refused = [
        s
        for s in members
        if (s.pk == changed.pk and not accepted) or s.status == SubCaseStatus.NOT_ACCEPTED
    ]
    number, title = case.number, _in_language(case, "display_title")
    promised = {s.pk: p.date for s in taken if (p := clocks.promise(s)) is not None}
    due = max(promised.values(), default=None)
    if refused:
        intro = text(
            _(
                "Your application “%(title)s” (case %(number)s) was accepted for "
                "%(accepted)s of its %(total)s matters."
            ),
            title=title,
            number=number,
            accepted=len(taken),
            total=len(taken) + len(refused),
        )
    elif len(members) > 1:
        intro = text(
            _(
                "Every department involved has accepted your application “%(title)s” "
                "(case %(number)s)."
            ),
            title=title,
            number=number,
        )
    else:
        intro = text(
            _("Your application “%(title)s” (case %(number)s) has been accepted."),
            title=title,
            number=number,
        )
    rows = []
    for sub in members:
        if is_accepted(sub):
            rows.append(
                text(
                    _("· %(member)s: accepted, promised by %(date)s"),
                    member=_member(sub),
                    date=_date(promised[sub.pk]),
                )
                if sub.pk in promised
                else text(_("· %(member)s: accepted"), member=_member(sub))
            )
        elif sub in refused:
            rows.append(
                text(
                    _(
                        "· %(member)s: not accepted; the reason and its legal basis are on "
                        "the case page"
                    ),
                    member=_member(sub),
                )
            )
    subject = (
        text(
            _("Case %(number)s accepted, promised by %(date)s"),
            number=number,
            date=_date(due),
        )
        if due
        else text(_("Case %(number)s accepted"), number=number)
    )
    body = [
        intro,
        lines(rows),
        text(_("The departments now review it. We tell you when the case is complete.")),
    ]
    _send(case, "cases.accepted", subject, lines(body, "\n\n"), once=f"cases.accepted:{case.pk}")


def on_subcase_accepted(sender: Any, subcase: SubCase, **kwargs: Any) -> None:
    _tell_acceptance_over(subcase, accepted=True)


def on_subcase_decided(sender: Any, subcase: SubCase, approved: bool, **kwargs: Any) -> None:
    """A decision is told in the completion message; a matter not accepted may end the
    acceptance of the others, which is a milestone."""
    if not approved and subcase.accepted_at is None:
        _tell_acceptance_over(subcase, accepted=False)


def correction_due(notice: CorrectionNotice) -> dt.date:
    """The day by which the applicant is asked to answer ``notice``:
    ``TONGBAN_CORRECTION_DAYS`` working days after it was issued (the day itself not
    counted)."""
    days = int(getattr(settings, "TONGBAN_CORRECTION_DAYS", 10))
    return calc.Clock(notice.issued_at, days).due(notice.issued_at).date


def on_correction_requested(
    sender: Any, subcase: SubCase, notice: CorrectionNotice | None, **kwargs: Any
) -> None:
    if notice is None:
        return
    case = subcase.case
    department = _in_language(subcase.department, "display_name")
    due = _date(correction_due(notice))
    rows = []
    for entry in notice.items or []:
        material = str(entry.get("material", "") or "").strip()
        reason = str(entry.get("reason", "") or "").strip()
        if material:
            rows.append(text(_("· %(material)s: %(reason)s"), material=material, reason=reason))
        elif reason:
            rows.append(text(_("· %(reason)s"), reason=reason))
    body = [
        text(
            _("%(department)s needs the following for “%(item)s” in case %(number)s, all at once:"),
            department=department,
            item=_in_language(subcase.item, "display_name"),
            number=case.number,
        ),
        lines(rows),
        text(_("Note from the department: %(note)s"), note=notice.note) if notice.note else "",
        text(
            _("Please send the correction on the case page by %(date)s."),
            date=due,
        ),
    ]
    _send(
        case,
        "cases.correction",
        text(
            _("Case %(number)s: %(department)s asks for a correction by %(date)s"),
            number=case.number,
            department=department,
            date=due,
        ),
        lines(body, "\n\n"),
        once=f"cases.correction:{notice.pk}",
    )


def on_case_completed(sender: Any, case: Case, **kwargs: Any) -> None:
    enqueue_completion_message(case.pk)


def on_case_withdrawn(
    sender: Any, case: Case, cancelled: Sequence[WorkItem] = (), **kwargs: Any
) -> None:
    """Confirm the withdrawal to the applicant, and tell the holders of each cancelled
    step's role in its department that the step is gone from their inbox."""
    _send(
        case,
        "cases.withdrawn",
        text(_("Case %(number)s withdrawn"), number=case.number),
        text(
            _(
                "You withdrew your application “%(title)s” (case %(number)s). "
                "No department handles it any more."
            ),
            title=_in_language(case, "display_title"),
            number=case.number,
        ),
        once=f"cases.withdrawn:{case.pk}",
    )
    told = set()
    for work in cancelled:
        if work.department_id is None or not work.role or work.kind == WorkKind.CORRECT:
            continue
        if (work.department_id, work.role) in told:
            continue
        told.add((work.department_id, work.role))
        raise_alert(
            "cases.withdrawn",
            audience=work.role,
            department_id=work.department_id,
            message=_(
                "Case %(number)s was withdrawn by the applicant; its open steps were cancelled."
            ),
            params={"number": case.number},
            severity=Severity.INFO,
        )


# --- the completion message (after commit, through the outbox) ---------------------------


@dataclass(frozen=True)
class CompletionDetail:
    """What an app adds to the completion message (an answer to
    ``signals.completion_details``). Texts are lazy, rendered in the recipient's language.

    ``summary`` is one short sentence for the subject (and so for the SMS); ``heading`` and
    ``lines`` go into the body; ``owed`` says that something this detail lists is still
    being produced and the message should wait for it; ``order`` places it (lower first).
    """

    lines: Sequence[Any] = ()
    heading: Any = ""
    summary: Any = ""
    owed: bool = False
    order: int = 100


def completion_key(case: Case) -> str:
    """The ``once`` key of the completion message of ``case``."""
    return f"cases.completed:{case.pk}"


def completion_sent(case: Case) -> bool:
    return notify.was_sent(case.applicant_id, completion_key(case))


def enqueue_completion_message(case_id: int) -> None:
    """Record, in the caller's transaction, that the completion message of the case is to
    be sent after commit (if the case is complete then and nothing it lists is owed)."""
    outbox.enqueue(COMPLETION, {"case": case_id}, key=f"{COMPLETION}:{case_id}")


def _outcome(sub: SubCase) -> Any:
    labels: dict[str, Any] = {
        SubCaseStatus.APPROVED: _("· %(member)s: approved"),
        SubCaseStatus.REJECTED: _(
            "· %(member)s: not granted; the reason and its legal basis are on the case page"
        ),
        SubCaseStatus.NOT_ACCEPTED: _(
            "· %(member)s: not accepted; the reason and its legal basis are on the case page"
        ),
        SubCaseStatus.WITHDRAWN: _("· %(member)s: withdrawn"),
    }
    label = labels.get(sub.status)
    if label is None:
        return text(
            _("· %(member)s: %(status)s"),
            member=_member(sub),
            status=lazy(sub.get_status_display, str)(),
        )
    return text(label, member=_member(sub))


@outbox.handler(COMPLETION)
def send_completion_message(payload: dict[str, Any]) -> str:
    """The outbox handler of ``cases.completion_message`` (see the module docstring).
    Idempotent; returns what it did."""
    case = (
        Case.objects.select_related("applicant", "item", "bundle")
        .filter(pk=payload["case"])
        .first()
    )
    if case is None or case.status != CaseStatus.COMPLETED:
        return "not complete"
    if completion_sent(case):
        return "sent before"
    details: list[CompletionDetail] = []
    for _receiver, answer in signals.completion_details.send(sender=Case, case=case):
        if isinstance(answer, CompletionDetail):
            details.append(answer)
    if any(d.owed for d in details):
        return "waiting"
    details.sort(key=lambda d: d.order)
    subs = _subcases(case)
    number = case.number
    body: list[Any] = [
        text(
            _("Every department has decided on your application “%(title)s” (case %(number)s)."),
            title=_in_language(case, "display_title"),
            number=number,
        ),
        lines([text(_("Results:")), *[_outcome(s) for s in subs]]),
    ]
    for detail in details:
        body.append(lines([detail.heading, *detail.lines]))
    summaries = [d.summary for d in details if d.summary]
    subject = (
        text(
            _("Case %(number)s is complete. %(summary)s"),
            number=number,
            summary=lines(summaries, " "),
        )
        if summaries
        else text(_("Case %(number)s is complete"), number=number)
    )
    with transaction.atomic():
        _send(case, "cases.completed", subject, lines(body, "\n\n"), once=completion_key(case))
    return "sent"


def _connect() -> None:
    pairs = (
        (signals.case_submitted, on_case_submitted),
        (signals.subcase_accepted, on_subcase_accepted),
        (signals.subcase_decided, on_subcase_decided),
        (signals.correction_requested, on_correction_requested),
        (signals.case_completed, on_case_completed),
        (signals.case_withdrawn, on_case_withdrawn),
    )
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"tongban.cases.notices.{receiver.__name__}")


_connect()
