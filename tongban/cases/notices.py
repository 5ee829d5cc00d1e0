"""What the applicant is told, and when: submission, corrections, decisions, completion.

Each notice is written as an in-app message inside the case's transaction; e-mail and SMS
leave only after it commits (``tongban.notify``). Bodies carry the case number and the
item, never form values.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongban.notify import services as notify

from . import signals
from .models import Case, SubCase


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
        {"number": case.number, "title": case.title},
    )


def subcase_accepted(sub: SubCase) -> None:
    _send(
        sub.case,
        "cases.accepted",
        _("Case %(number)s accepted by %(department)s"),
        _("%(department)s accepted “%(item)s” in case %(number)s."),
        {"number": sub.case.number, "department": sub.department.name, "item": sub.item.name},
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
            "department": sub.department.name,
            "item": sub.item.name,
            "count": len(corrections),
        },
    )


def correction_resubmitted(sub: SubCase) -> None:
    """The department sees the resubmission in its inbox; the applicant needs no message."""


def subcase_decided(sub: SubCase, *, approved: bool) -> None:
    signals.send_after_commit(signals.subcase_decided, SubCase, subcase=sub, approved=approved)
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
        {"number": sub.case.number, "department": sub.department.name, "item": sub.item.name},
    )


def case_completed(case: Case) -> None:
    signals.send_after_commit(signals.case_completed, Case, case=case)
    _send(
        case,
        "cases.completed",
        _("Case %(number)s completed"),
        _("Every department has decided on your application “%(title)s” (case %(number)s)."),
        {"number": case.number, "title": case.title},
    )
