"""``{% load cases_tags %}``: ``{% recent_cases %}``, the signed-in person's latest
applications, drafts and (for officials) the inbox link, for "My space"; ``{{ sub|promise }}``,
a matter's promised completion (``cases.clocks.promise``, the one date every page shows)."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.cases import clocks, notices
from tongban.cases.models import Case, CorrectionNotice, SubCase
from tongban.cases.queries import inbox, inbox_departments

register = template.Library()


@register.inclusion_tag("cases/_recent.html", takes_context=True)
def recent_cases(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"cases": [], "drafts": 0, "open_work": None}
    return {
        "cases": list(Case.objects.filter(applicant=user).order_by("-submitted_at")[:5]),
        "drafts": user.drafts.count(),
        "open_work": inbox(user).count() if inbox_departments(user) else None,
    }


@register.filter
def promise(sub: SubCase) -> clocks.Promise | None:
    """``sub``'s promised completion (``cases.clocks.promise``)."""
    return clocks.promise(sub)


@register.filter
def answer_by(notice: CorrectionNotice) -> Any:
    """``{{ notice|answer_by }}``: the day the applicant is asked to answer a correction
    notice by — the same date the correction message gave."""
    return notices.correction_due(notice)
