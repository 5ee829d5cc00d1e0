"""Use cases of service ratings: rate, follow up, rectify a bad rating, appeal, escalate.

Every function runs in one transaction, writes an audit record (``ratings.*``, metadata
only) with its change and raises ``ServiceError`` (field -> message, in the user's
language) on bad input, changing nothing. Free texts are stored with ID and mobile numbers
masked: a rater who types one into a reason does not put it into the statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.models import Role, User
from tongban.accounts.queries import departments_where, holds_role
from tongban.cases import notices
from tongban.cases.models import (
    Case,
    CaseStatus,
    CorrectionNotice,
    SubCase,
    SubCaseStatus,
)
from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.observability.logs import redact
from tongban.core.transitions import move
from tongban.notify import services as notify
from tongban.notify.channels import absolute_link
from tongban.org.models import Department
from tongban.workdays import calc

from .models import (
    BAD_MAX,
    Appeal,
    AppealStatus,
    FollowUp,
    Level,
    Rating,
    RatingChannel,
    Rectification,
    Step,
    Tag,
)
from .transitions import APPEAL, TICKET, AppealAction, TicketAction

#: Working days a department has to call back, fix and reply (setting overrides).
DEFAULT_FIX_DAYS = 15
MAX_REASON = 1000
MAX_NOTE = 2000
MIN_APPEAL_REASON = 10
DECIDED_STATES = frozenset(
    {SubCaseStatus.APPROVED, SubCaseStatus.REJECTED, SubCaseStatus.NOT_ACCEPTED}
)
OFFICE_ROLES = (Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER)


def fix_days() -> int:
    """``TONGBAN_RATING_FIX_DAYS`` (working days), default 15."""
    return int(getattr(settings, "TONGBAN_RATING_FIX_DAYS", DEFAULT_FIX_DAYS))


def _error(field_name: str, message: str) -> ServiceError:
    return ServiceError({field_name: [message]})


def _text(value: str | None, field_name: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise _error(field_name, _("Keep it to %(limit)s characters or fewer.") % {"limit": limit})
    return redact(text)


# --- who may do what ----------------------------------------------------------------------


def office_departments(user: Any) -> list[Department]:
    """Departments whose rectification tickets ``user`` handles (clerk, reviewer, leader)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(departments_where(user, OFFICE_ROLES))


def can_handle(user: Any, department_id: int) -> bool:
    return any(d.pk == department_id for d in office_departments(user))


def can_administer(user: Any) -> bool:
    """Administrators of ratings: decide appeals, export. The system administrator role,
    or the permission ``ratings.decide_appeal`` (superusers have every permission)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_perm("ratings.decide_appeal"):
        return True
    return holds_role(user, Role.SYSTEM_ADMIN)


# --- what can be rated --------------------------------------------------------------------


@dataclass(frozen=True)
class StepOption:
    """A step the applicant may rate now (``subcase`` None: the whole case)."""

    step: str
    subcase: SubCase | None
    label: str


def responsible(case: Case, subcase: SubCase | None, member: SubCase | None = None) -> Department:
    """Who answers for the rating (谁办理、谁负责): the step's department; for the whole
    case the item's department; for a bundle's whole case the department of the member
    the rater named, else the bundle's lead department (牵头部门)."""
    if subcase is not None:
        return subcase.department
    if member is not None:
        return member.department
    if case.item_id:
        return case.item.department  # type: ignore[union-attr]
    if case.bundle_id and case.bundle.lead_department_id:  # type: ignore[union-attr]
        return case.bundle.lead_department  # type: ignore[union-attr]
    first = case.subcases.select_related("department").order_by("pk").first()
    assert first is not None, "a case has at least one sub-case"
    return first.department


def step_problem(case: Case, step: str, subcase: SubCase | None) -> tuple[str, str] | None:
    """Why ``step`` of ``case`` cannot be rated (field, message), or None when it can."""
    if step not in Step.values:
        return "step", _("Choose which step of the case you are rating.")
    if step == Step.CASE:
        if subcase is not None:
            return "subcase", _("The whole application is rated without a department's step.")
        if case.status != CaseStatus.COMPLETED:
            return "step", _("You can rate the whole application once it is completed.")
        return None
    if subcase is None or subcase.case_id != case.pk:
        return "subcase", _("Choose the department's step you are rating.")
    if step == Step.DECISION and subcase.status not in DECIDED_STATES:
        return "step", _("You can rate this step once the department has decided.")
    if step == Step.CORRECTION and not CorrectionNotice.objects.filter(subcase=subcase).exists():
        return "step", _("This department did not send a correction notice.")
    return None


def members(case: Case) -> list[SubCase]:
    """The parts of a bundle's case a rating of the whole case can concern (each member
    item with its department), in order; empty for a single item's case."""
    if not case.bundle_id:
        return []
    return list(case.subcases.select_related("item", "department").order_by("pk"))


def _member(case: Case, step: str, member_id: Any, level: int) -> SubCase | None:
    """The member ``member_id`` of ``case`` the rating concerns (a bundle's whole case only).

    One rating per case still (网上服务"一事一评": a bundle is one 办件 with one number);
    a bad rating of a bundle must name the member that went wrong, so that its department
    answers for it and gets the ticket; a good one may name one, or none (the lead
    department's). The members' own steps are rated apart (``Step.DECISION``/``CORRECTION``).
    """
    if member_id in (None, ""):
        if case.bundle_id and step == Step.CASE and level <= BAD_MAX:
            raise _error("member", _("Choose which part of the application your rating is about."))
        return None
    if not case.bundle_id or step != Step.CASE:
        raise _error("member", _("Only the whole application of a bundle names a part."))
    try:
        pk = int(member_id)
    except (TypeError, ValueError):
        pk = 0
    found = next((sub for sub in members(case) if sub.pk == pk), None)
    if found is None:
        raise _error("member", _("Choose a part of this application from the list."))
    return found


def rateable_steps(case: Case) -> list[StepOption]:
    """Every step of ``case`` that can be rated now and has not been rated yet."""
    rated = set(Rating.objects.filter(case=case).values_list("step", "subcase_id"))
    options: list[StepOption] = []
    if case.status == CaseStatus.COMPLETED and (Step.CASE, None) not in rated:
        options.append(StepOption(Step.CASE, None, str(Step.CASE.label)))
    corrected = set(
        CorrectionNotice.objects.filter(subcase__case=case).values_list("subcase_id", flat=True)
    )
    for sub in case.subcases.select_related("item", "department").order_by("pk"):
        name = sub.item.display_name
        if sub.pk in corrected and (Step.CORRECTION, sub.pk) not in rated:
            options.append(StepOption(Step.CORRECTION, sub, f"{Step.CORRECTION.label}: {name}"))
        if sub.status in DECIDED_STATES and (Step.DECISION, sub.pk) not in rated:
            options.append(StepOption(Step.DECISION, sub, f"{Step.DECISION.label}: {name}"))
    return options


# --- rating -------------------------------------------------------------------------------


@dataclass
class RatingInput:
    level: int | None
    step: str = Step.CASE
    subcase_id: int | None = None
    member_id: int | None = None
    efficiency: int | None = None
    guide_accuracy: int | None = None
    convenience: int | None = None
    usability: int | None = None
    tags: Iterable[str] = field(default_factory=tuple)
    reason: str = ""
    channel: str = RatingChannel.WEB


INDICATORS = ("efficiency", "guide_accuracy", "convenience", "usability")


def _level(value: Any, field_name: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise _error(field_name, _("Choose how satisfied you are."))
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise _error(field_name, _("Choose one of the five levels."))
    return level


def _tags(values: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(v for v in values if v))
    unknown = [v for v in chosen if v not in Tag.values]
    if unknown:
        raise _error("tags", _("Choose problems from the list."))
    return chosen


def _check_bad(level: int, tags: list[str], reason: str, field_name: str = "reason") -> None:
    if level <= BAD_MAX and not tags and not reason:
        raise _error(
            field_name,
            _("Tell us what went wrong: choose a problem or write a reason."),
        )


@transaction.atomic
def rate(case: Case, data: RatingInput, *, actor: User, now: dt.datetime | None = None) -> Rating:
    """The applicant rates ``case`` (or one step of it). A bad rating opens a ticket."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False) or case.applicant_id != actor.pk:
        raise _error("case", _("Only the applicant can rate this case."))
    subcase = None
    if data.subcase_id is not None:
        subcase = (
            SubCase.objects.select_related("department", "item")
            .filter(pk=data.subcase_id, case=case)
            .first()
        )
        if subcase is None:
            raise _error("subcase", _("Choose the department's step you are rating."))
    problem = step_problem(case, data.step, subcase)
    if problem:
        raise _error(*problem)
    level = _level(data.level, "level", required=True)
    assert level is not None
    scores = {name: _level(getattr(data, name), name, required=False) for name in INDICATORS}
    tags = _tags(data.tags)
    reason = _text(data.reason, "reason", MAX_REASON)
    errors: dict[str, list[str]] = {}  # a bad rating's reason and member, told at once
    try:
        _check_bad(level, tags, reason)
    except ServiceError as exc:
        errors.update(exc.message_dict)
    try:
        member = _member(case, data.step, data.member_id, level)
    except ServiceError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ServiceError(errors)
    if data.channel not in RatingChannel.values:
        raise _error("channel", _("Unknown channel."))
    if Rating.objects.filter(case=case, step=data.step, subcase=subcase).exists():
        raise _error("step", _("You have already rated this. You can add one follow-up rating."))
    department = responsible(case, subcase, member)
    rating = Rating(
        case=case,
        subcase=subcase,
        step=data.step,
        member=member,
        department=department,
        item=subcase.item if subcase else case.item,
        bundle=None if subcase else case.bundle,
        rater=actor,
        level=level,
        tags=tags,
        reason=reason,
        channel=data.channel,
        created_at=now,
        **scores,
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:  # the same rating sent twice at once: the other one won
        raise _error(
            "step", _("You have already rated this. You can add one follow-up rating.")
        ) from None
    record_audit(
        actor,
        "ratings.rate",
        rating,
        meta={
            "case": case.pk,
            "subcase": subcase.pk if subcase else None,
            "member": member.pk if member else None,
            "step": data.step,
            "level": level,
            "indicators": [n for n, v in scores.items() if v is not None],
            "tags": tags,
            "has_reason": bool(reason),
            "channel": data.channel,
        },
    )
    if rating.is_bad:
        _open_ticket(rating, now)
    return rating


def _open_ticket(rating: Rating, now: dt.datetime) -> Rectification:
    due = calc.Clock(now, fix_days()).due(now)
    ticket = Rectification.objects.create(
        rating=rating,
        department=rating.department,
        opened_at=now,
        due_on=due.date,
        due_provisional=due.provisional,
    )
    record_audit(
        None,
        "ratings.ticket_opened",
        ticket,
        meta={"rating": rating.pk, "department": rating.department_id, "due": str(due.date)},
    )
    raise_alert(
        "ratings.bad_rating",
        audience=Role.DEPARTMENT_LEADER,
        department_id=rating.department_id,
        message=gettext_lazy(
            "Case %(number)s was rated “%(level)s”. Call the rater back and fix it by %(due)s."
        ),
        params={
            "number": rating.case.number,
            "level": rating.get_level_display(),
            "due": due.date.isoformat(),
        },
        severity=Severity.WARNING,
        link=reverse("ratings:ticket", args=[ticket.pk]),
    )
    return ticket


@transaction.atomic
def add_follow_up(
    rating: Rating, *, actor: User, level: Any, reason: str = "", now: dt.datetime | None = None
) -> FollowUp:
    """The rater's one follow-up rating (追评)."""
    if rating.rater_id != getattr(actor, "pk", None):
        raise _error("rating", _("Only the person who rated can add a follow-up."))
    if FollowUp.objects.filter(rating=rating).exists():
        raise _error("rating", _("You have already added a follow-up to this rating."))
    value = _level(level, "level", required=True)
    assert value is not None
    text = _text(reason, "reason", MAX_REASON)
    if value <= BAD_MAX and not text:
        raise _error("reason", _("Tell us what is still wrong."))
    try:
        with transaction.atomic():
            follow = FollowUp.objects.create(
                rating=rating, level=value, reason=text, created_at=now or timezone.now()
            )
    except IntegrityError:
        raise _error("rating", _("You have already added a follow-up to this rating.")) from None
    record_audit(
        actor,
        "ratings.follow_up",
        follow,
        meta={"rating": rating.pk, "level": value, "has_reason": bool(text)},
    )
    return follow


# --- rectification ------------------------------------------------------------------------


def _locked_ticket(ticket: Rectification, actor: User, version: int | None) -> Rectification:
    if not can_handle(actor, ticket.department_id):
        raise _error("ticket", _("This ticket belongs to another department."))
    current = Rectification.objects.select_for_update().select_related("rating").get(pk=ticket.pk)
    if version is not None and current.lock_version != version:
        raise _error(
            "ticket",
            _("Someone else changed this ticket while you were working on it. Look again."),
        )
    if current.closed_at is not None:
        raise _error("ticket", _("This ticket is closed."))
    return current


def _move_ticket(
    ticket: Rectification,
    actor: User | None,
    action: str,
    fields: dict[str, Any],
    *,
    meta: dict[str, Any] | None = None,
    audit_action: str = "",
) -> None:
    """Move ``ticket`` by ``action`` (``transitions.TICKET``), writing ``fields`` with it.

    The version is bumped first with a compare-and-set: an escalated ticket stays escalated
    through the call-back and the fix, so the status alone cannot tell two writers apart.
    Raises ``ServiceError`` when someone else changed the ticket or the move is refused.
    """
    old_version = ticket.lock_version
    bumped = Rectification.objects.filter(pk=ticket.pk, lock_version=old_version).update(
        lock_version=old_version + 1
    )
    if not bumped:
        raise _error("ticket", _("Someone else changed this ticket. Look again."))
    ticket.lock_version = old_version + 1
    move(
        ticket,
        TICKET,
        action,
        actor=actor,
        also=fields,
        meta=meta or {"fields": list(fields), "rating": ticket.rating_id},
        audit_action=audit_action or f"ratings.{action}",
    )


@transaction.atomic
def record_call_back(
    ticket: Rectification, *, actor: User, note: str, version: int | None = None
) -> Rectification:
    """A named official called the rater back (回访) and wrote down what they heard."""
    ticket = _locked_ticket(ticket, actor, version)
    if ticket.called_back_at:
        raise _error("call_back_note", _("The call-back is already recorded."))
    text = _text(note, "call_back_note", MAX_NOTE)
    if not text:
        raise _error("call_back_note", _("Write down what the rater said on the call."))
    _move_ticket(ticket, actor, TicketAction.CALL_BACK, {
        "called_back_at": timezone.now(), "called_back_by": actor, "call_back_note": text,
    })  # fmt: skip
    return ticket


@transaction.atomic
def record_fix(
    ticket: Rectification, *, actor: User, finding: str, fix: str, version: int | None = None
) -> Rectification:
    """What the department found, and what it changed (or why nothing can change)."""
    ticket = _locked_ticket(ticket, actor, version)
    if not ticket.called_back_at:
        raise _error("finding", _("Call the rater back first."))
    if ticket.fixed_at:
        raise _error("fix", _("The fix is already recorded."))
    found = _text(finding, "finding", MAX_NOTE)
    done = _text(fix, "fix", MAX_NOTE)
    errors: dict[str, list[str]] = {}
    if not found:
        errors["finding"] = [_("Write down what you found.")]
    if not done:
        errors["fix"] = [_("Write down what was fixed, or why it cannot be changed.")]
    if errors:
        raise ServiceError(errors)
    _move_ticket(ticket, actor, TicketAction.FIX, {
        "finding": found, "fix": done, "fixed_at": timezone.now(), "fixed_by": actor,
    })  # fmt: skip
    return ticket


@transaction.atomic
def send_reply(
    ticket: Rectification, *, actor: User, reply: str, version: int | None = None
) -> Rectification:
    """The reply to the rater (反馈): sent to them as a message; completes the fix."""
    ticket = _locked_ticket(ticket, actor, version)
    if not ticket.fixed_at:
        raise _error("reply", _("Record the finding and the fix first."))
    if ticket.replied_at:
        raise _error("reply", _("The reply has already been sent."))
    text = _text(reply, "reply", MAX_NOTE)
    if not text:
        raise _error("reply", _("Write the reply to the rater."))
    _move_ticket(ticket, actor, TicketAction.REPLY,
                 {"reply": text, "replied_at": timezone.now(), "replied_by": actor})  # fmt: skip
    rating = ticket.rating
    notify.send(
        rating.rater,
        "ratings.reply",
        gettext_lazy("Case %(number)s: the department answered your rating"),
        gettext_lazy(
            "%(department)s answered your rating of case %(number)s:\n\n%(reply)s\n\n"
            "You can add one follow-up rating."
        ),
        context={
            "number": rating.case.number,
            "department": ticket.department.name,
            "reply": text,
        },
        link=reverse("ratings:follow_up", args=[rating.case.number, rating.pk]),
        actor=actor,
    )
    return ticket


@transaction.atomic
def close_ticket(
    ticket: Rectification, *, actor: User, version: int | None = None
) -> Rectification:
    ticket = _locked_ticket(ticket, actor, version)
    if not ticket.replied_at:
        raise _error("ticket", _("Reply to the rater before closing the ticket."))
    _move_ticket(ticket, actor, TicketAction.CLOSE, {"closed_at": timezone.now()})
    return ticket


def overdue(ticket: Rectification, now: dt.datetime) -> bool:
    return ticket.replied_at is None and now > calc.deadline_at(ticket.due_on)


def escalate_overdue(now: dt.datetime | None = None) -> list[int]:
    """Escalate every ticket past its due day without a reply to the department leader,
    once: a conditional update (``escalated_at`` empty → now) decides which worker tells."""
    now = now or timezone.now()
    today = calc.local_date(now)
    candidates = Rectification.objects.filter(
        escalated_at__isnull=True,
        replied_at__isnull=True,
        closed_at__isnull=True,
        rating__excluded=False,
        due_on__lt=today,
    ).select_related("rating__case")
    escalated: list[int] = []
    for candidate in candidates.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                ticket = _escalate(candidate, now)
                if ticket is None:
                    continue  # another worker escalated it, or it was answered meanwhile
                raise_alert(
                    "ratings.overdue",
                    audience=Role.DEPARTMENT_LEADER,
                    department_id=ticket.department_id,
                    message=gettext_lazy(
                        "The bad rating of case %(number)s was due to be fixed and answered by "
                        "%(due)s and is overdue. It was escalated to you."
                    ),
                    params={"number": ticket.rating.case.number, "due": ticket.due_on.isoformat()},
                    severity=Severity.WARNING,
                    link=reverse("ratings:ticket", args=[ticket.pk]),
                )
                escalated.append(ticket.pk)
        except ServiceError:
            continue  # moved by someone else between the read and the move
    return escalated


def _escalate(candidate: Rectification, now: dt.datetime) -> Rectification | None:
    """Escalate the ticket if it is still unanswered (read again, moved with a check)."""
    ticket = (
        Rectification.objects.filter(
            pk=candidate.pk,
            escalated_at__isnull=True,
            replied_at__isnull=True,
            closed_at__isnull=True,
        )
        .select_related("rating__case")
        .first()
    )
    if ticket is None:
        return None
    _move_ticket(
        ticket,
        None,
        TicketAction.ESCALATE,
        {"escalated_at": now},
        meta={"department": ticket.department_id, "due": str(ticket.due_on)},
    )
    return ticket


# --- appeals (申诉复核) ------------------------------------------------------------------


@transaction.atomic
def request_appeal(rating: Rating, *, actor: User, reason: str) -> Appeal:
    """The responsible department asks to exclude a malicious or mistaken bad rating."""
    if not can_handle(actor, rating.department_id):
        raise _error("rating", _("Only the responsible department can appeal this rating."))
    if not rating.is_bad:
        raise _error("rating", _("Only bad ratings can be appealed."))
    if Appeal.objects.filter(rating=rating).exists():
        raise _error("rating", _("This rating has already been appealed."))
    text = _text(reason, "reason", MAX_NOTE)
    if len(text) < MIN_APPEAL_REASON:
        raise _error(
            "reason",
            _("Explain why the rating is malicious or mistaken (at least %(n)s characters).")
            % {"n": MIN_APPEAL_REASON},
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                rating=rating,
                department=rating.department,
                requested_by=actor,
                reason=text,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise _error("rating", _("This rating has already been appealed.")) from None
    record_audit(actor, "ratings.appeal", appeal, meta={"rating": rating.pk})
    raise_alert(
        "ratings.appeal",
        audience=Role.SYSTEM_ADMIN,
        message=gettext_lazy("An appeal against the rating of case %(number)s needs a decision."),
        params={"number": rating.case.number},
        severity=Severity.INFO,
        link=reverse("ratings:appeal_decide", args=[appeal.pk]),
    )
    return appeal


@transaction.atomic
def decide_appeal(appeal: Appeal, *, actor: User, accept: bool, note: str) -> Appeal:
    """An administrator accepts (the rating is excluded) or refuses the appeal."""
    if not can_administer(actor):
        raise _error("appeal", _("Only an administrator can decide appeals."))
    text = _text(note, "decision_note", MAX_NOTE)
    if not text:
        raise _error("decision_note", _("Give the reason for the decision."))
    now = timezone.now()
    current = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if current.status != AppealStatus.PENDING:
        raise _error("appeal", _("This appeal has already been decided."))
    move(
        current,
        APPEAL,
        AppealAction.ACCEPT if accept else AppealAction.REFUSE,
        actor=actor,
        note=text,
        also={"decided_by": actor, "decided_at": now, "decision_note": text},
        meta={"rating": current.rating_id, "accepted": accept},
        audit_action="ratings.appeal_decided",
    )
    if accept:
        Rating.objects.filter(pk=current.rating_id).update(excluded=True)
        for ticket in Rectification.objects.filter(
            rating_id=current.rating_id, closed_at__isnull=True
        ):
            _move_ticket(
                ticket,
                actor,
                TicketAction.EXCLUDE,
                {"closed_at": now},
                meta={"rating": current.rating_id, "appeal": current.pk},
                audit_action="ratings.ticket_excluded",
            )
    appeal.refresh_from_db()
    return appeal


# --- invitation ---------------------------------------------------------------------------


def rate_path(case: Case, via: str = "") -> str:
    path = reverse("ratings:rate", args=[case.number])
    return f"{path}?via={via}" if via else path


@transaction.atomic
def on_case_completed(sender: Any, case: Case, **kwargs: Any) -> Any:
    """Receiver of ``tongban.cases.signals.completion_details``: the invitation to rate is
    part of the case's completion message (one message, sent by the outbox after the last
    decision, exactly once: ``tongban.cases.notices``), with the rating page's address.
    Nothing when the case is rated already. Only reads."""
    if Rating.objects.filter(case=case, step=Step.CASE).exists():
        return None
    path = rate_path(case, RatingChannel.WEB)
    return notices.CompletionDetail(
        heading=gettext_lazy("How was the service?"),
        lines=[
            notices.text(
                gettext_lazy(
                    "Please rate it: it takes a minute, and a bad rating is followed up by "
                    "the department. %(link)s"
                ),
                link=absolute_link(path) or path,
            )
        ],
        summary=gettext_lazy("Please rate the service."),
        order=90,
    )
