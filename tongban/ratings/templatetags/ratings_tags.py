"""``{% load ratings_tags %}{% rate_link case %}``: the invitation to rate a case.

For the case's applicant: a button to rate once the case is complete, or "You rated: 满意"
with a link to the ratings page. On the public status page (``via="status"``) a visitor who
is not signed in gets a sign-in link to the rating page. Anyone else sees nothing: a rating
is shown only to the person who gave it.
"""

from __future__ import annotations

from typing import Any

from django import template

from tongban.cases.models import Case, CaseStatus

from ..models import Rating, Step
from ..services import rate_path

register = template.Library()


@register.inclusion_tag("ratings/_rate_link.html", takes_context=True)
def rate_link(context: dict[str, Any], case: Case, via: str = "") -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    shown: dict[str, Any] = {"show": False, "case": case}
    if case is None or case.status != CaseStatus.COMPLETED:
        return shown
    if user is None or not user.is_authenticated:
        if via == "status":
            shown.update(show=True, anonymous=True, url=rate_path(case, via))
        return shown
    if case.applicant_id != user.pk:
        return shown
    rating = Rating.objects.filter(case=case, step=Step.CASE, subcase__isnull=True).first()
    shown.update(show=True, rating=rating, url=rate_path(case, via))
    return shown


@register.filter
def stars(level: Any) -> str:
    """★ repeated ``level`` times (1–5), for the level buttons (hidden from screen readers)."""
    try:
        count = int(level)
    except (TypeError, ValueError):
        return ""
    return "★" * max(0, min(count, 5))
