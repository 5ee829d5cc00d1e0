"""What the applicant is told, and when: submission, corrections, decisions, completion.

Each notice is written as an in-app message inside the case's transaction; e-mail and SMS
leave only after it commits (``tongban.notify``). Bodies carry the case number and the
item, never form values.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tongban.core.alerts import Severity, raise_alert
from tongban.notify import services as notify

from . import signals
from .models import Case, SubCase, WorkItem, WorkKind


def _in_language(obj: Any, attribute: str) -> Any:
    """``obj.<attribute>`` (``display_name``, ``display_title``) read when the message is
    rendered, in the recipient's language: item and department names follow it too."""
    return lazy(lambda: str(getattr(obj, attribute)), str)()


def _send(case: Case, code: str, subject: Any, body: Any, params: dict[str, Any]) -> None:
    notify.send(
        case.applicant,
        code,
        subject,
        body,
        context=params,
        link=reverse("cases:my_case", args=[case.number]),
    )


def case_submitted(case: Case) -> None:
    _send(
        case,
        "cases.submitted",
        _("Application %(number)s received"),
        _(
            "Your application “%(title)s” was received as case %(number)s. "
            "Each department involved now handles its part."
        ),
        {"number": case.number, "title": _in_language(case, "display_title")},
    )


def subcase_accepted(sub: SubCase) -> None:
    _send(
        sub.case,
        "cases.accepted",
        _("Case %(number)s accepted by %(department)s"),
        _("%(department)s accepted “%(item)s” in case %(number)s."),
        {
            "number": sub.case.number,
            "department": _in_language(sub.department, "display_name"),
            "item": _in_language(sub.item, "display_name"),
        },
    )


def correction_requested(sub: SubCase, corrections: list[dict[str, str]]) -> None:
    _send(
        sub.case,
        "cases.correction",
        _("Case %(number)s: please correct your application"),
        _(
            "%(department)s needs %(count)s correction(s) for “%(item)s” in case %(number)s. "
            "Everything to correct is listed on the case page."
        ),
        {
            "number": sub.case.number,
            "department": _in_language(sub.department, "display_name"),
            "item": _in_language(sub.item, "display_name"),
            "count": len(corrections),
        },
    )


def correction_resubmitted(sub: SubCase) -> None:
    """The department sees the resubmission in its inbox; the applicant needs no message."""


def subcase_decided(sub: SubCase, *, approved: bool) -> None:
    signals.send_in_transaction(signals.subcase_decided, SubCase, subcase=sub, approved=approved)
    subject = (
        _("Case %(number)s: “%(item)s” approved")
        if approved
        else _("Case %(number)s: decision on “%(item)s”")
    )
    body = (
        _("%(department)s approved “%(item)s” in case %(number)s.")
        if approved
        else _(
            "%(department)s did not grant “%(item)s” in case %(number)s. "
            "The reason and legal basis are on the case page."
        )
    )
    _send(
        sub.case,
        "cases.decided",
        subject,
        body,
        {
            "number": sub.case.number,
            "department": _in_language(sub.department, "display_name"),
            "item": _in_language(sub.item, "display_name"),
        },
    )


def case_completed(case: Case) -> None:
    signals.send_after_commit(signals.case_completed, Case, case=case)
    _send(
        case,
        "cases.completed",
        _("Case %(number)s completed"),
        _("Every department has decided on your application “%(title)s” (case %(number)s)."),
        {"number": case.number, "title": _in_language(case, "display_title")},
    )


def case_withdrawn(case: Case, cancelled: list[WorkItem]) -> None:
    """The applicant withdrew: confirm it to them, and tell the holders of each cancelled
    step's role in its department that the step is gone from their inbox."""
    _send(
        case,
        "cases.withdrawn",
        _("Case %(number)s withdrawn"),
        _(
            "You withdrew your application “%(title)s” (case %(number)s). "
            "No department handles it any more."
        ),
        {"number": case.number, "title": _in_language(case, "display_title")},
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
