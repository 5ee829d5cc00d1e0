"""Demo ratings (好差评) on the demo's completed cases, so that the public statistics and
the department's rectification page have something to show.

- the driving licence renewal (approved): 非常满意 by SMS link, with indicators;
- the no-crime record (refused): 不满意 with tags and a reason; its rectification ticket
  is in progress (the rater was called back);
- the employment registration (not accepted): 基本满意.

Everything goes through ``tongban.ratings.services`` as the personas. Idempotent: a case's
rating is made once. Call after ``load_demo_cases()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tongban.accounts.models import User
from tongban.cases.models import Case, CaseStatus
from tongban.ratings import services
from tongban.ratings.models import Level, Rating, RatingChannel, Step, Tag


@dataclass
class DemoRating:
    case_key: str
    applicant: str
    level: int
    channel: str = RatingChannel.WEB
    tags: list[str] = field(default_factory=list)
    reason: str = ""
    indicators: dict[str, int] = field(default_factory=dict)
    call_back: tuple[str, str] | None = None  # (official username, note)


RATINGS = [
    DemoRating(
        "demo-driving-licence",
        "li.fang",
        Level.VERY_SATISFIED,
        channel=RatingChannel.SMS,
        indicators={"efficiency": 5, "guide_accuracy": 5, "convenience": 5, "usability": 4},
    ),
    DemoRating(
        "demo-no-crime",
        "chen.xiaoming",
        Level.DISSATISFIED,
        tags=[Tag.GUIDE_WRONG, Tag.TOO_SLOW],
        reason="办事指南没有写明哪些用途不能开具证明，等了好几天才被告知不予办理。",
        indicators={"efficiency": 2, "guide_accuracy": 1},
        call_back=(
            "ga.zhao",
            "已电话回访申请人：对不予办理的结论理解，但认为办事指南未列明适用范围，"
            "导致白白等待。拟修订办事指南并在受理环节当场告知。",
        ),
    ),
    DemoRating("demo-employment", "li.fang", Level.BASICALLY_SATISFIED),
]


def _case(spec: DemoRating) -> Case | None:
    return Case.objects.filter(
        applicant__username=spec.applicant, idempotency_key=spec.case_key
    ).first()


def load_demo_ratings() -> int:
    """Create the demo ratings that do not exist yet; returns how many were made."""
    made = 0
    for spec in RATINGS:
        case = _case(spec)
        if case is None or case.status != CaseStatus.COMPLETED:
            continue
        if Rating.objects.filter(case=case, step=Step.CASE).exists():
            continue
        with transaction.atomic():
            data: dict[str, Any] = dict(spec.indicators)
            rating = services.rate(
                case,
                services.RatingInput(
                    level=spec.level,
                    tags=spec.tags,
                    reason=spec.reason,
                    channel=spec.channel,
                    **data,
                ),
                actor=case.applicant,
            )
            if spec.call_back and hasattr(rating, "rectification"):
                official = User.objects.get(username=spec.call_back[0])
                services.record_call_back(
                    rating.rectification, actor=official, note=spec.call_back[1]
                )
            made += 1
    return made
