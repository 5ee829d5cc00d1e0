"""Reads of ratings: public statistics, the SVG charts' geometry, the national export.

Statistics (docs/ratings.md):

- ``good_rate`` (好评率) = ratings at 基本满意 or better / counted ratings;
- ``satisfied_rate`` (满意率) = ratings at 满意 or better / counted ratings;
- ``fix_rate`` (实名差评整改率) = bad ratings fixed and answered in time / bad ratings
  whose outcome is known (fixed in time, or ``late``). A ticket is late only once its
  working-day clock (``clocks.outcome``) has run out; until then, unanswered, it is
  ``in_progress``: neither fixed nor late, and outside the rate (``None`` while every
  ticket is still running: the page says "in progress", never "0.0 %");

where counted ratings are all ratings not excluded after an appeal; excluded ratings are
shown in their own column and count nowhere else. Each table is two or three queries,
whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language

from tongban.catalog.models import Bundle, ServiceItem
from tongban.core.observability.logs import redact
from tongban.org.models import Department
from tongban.workdays.calc import current_calendar

from .clocks import outcome
from .models import (
    BAD_MAX,
    GOOD_MIN,
    SATISFIED_MIN,
    Level,
    Rating,
    RatingChannel,
    Rectification,
    Step,
    Tag,
)

LEVELS = [int(v) for v in sorted(Level.values, reverse=True)]


@dataclass
class StatRow:
    key: str
    name: str
    department: str = ""
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    excluded: int = 0
    fixed_in_time: int = 0
    late: int = 0
    in_progress: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def by_level(self) -> list[int]:
        return [self.counts[level] for level in LEVELS]

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(level label, count), best level first: the table's cells."""
        labels = dict(Level.choices)
        return [(str(labels[level]), self.counts[level]) for level in LEVELS]

    @property
    def good(self) -> int:
        return sum(n for level, n in self.counts.items() if level >= GOOD_MIN)

    @property
    def satisfied(self) -> int:
        return sum(n for level, n in self.counts.items() if level >= SATISFIED_MIN)

    @property
    def bad(self) -> int:
        return sum(n for level, n in self.counts.items() if level <= BAD_MAX)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def good_rate(self) -> float | None:
        return self._rate(self.good, self.total)

    @property
    def satisfied_rate(self) -> float | None:
        return self._rate(self.satisfied, self.total)

    @property
    def settled(self) -> int:
        """Bad ratings whose outcome is known: fixed in time, or late."""
        return self.fixed_in_time + self.late

    @property
    def fix_rate(self) -> float | None:
        """Fixed in time / settled; ``None`` while no ticket is settled."""
        return self._rate(self.fixed_in_time, self.settled)


@dataclass
class Statistics:
    overall: StatRow
    departments: list[StatRow]
    items: list[StatRow]


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _name(obj: Any) -> str:
    english_name = str(getattr(obj, "name_en", "") or "")
    return english_name if _english() and english_name else str(obj.name)


def statistics(now: dt.datetime | None = None) -> Statistics:
    """Counts by level, rates and rectification per department and per item or bundle,
    the tickets read at ``now`` (default: the current time)."""
    overall = StatRow("all", "")
    departments: dict[int, StatRow] = {}
    items: dict[str, StatRow] = {}
    item_department: dict[str, int] = {}
    rows = Rating.objects.values("department_id", "item_id", "bundle_id", "level", "excluded")
    for row in rows.annotate(n=Count("pk")).order_by():
        dept = departments.setdefault(row["department_id"], StatRow(str(row["department_id"]), ""))
        key = f"item:{row['item_id']}" if row["item_id"] else f"bundle:{row['bundle_id']}"
        item = items.setdefault(key, StatRow(key, ""))
        item_department.setdefault(key, row["department_id"])
        for target in (overall, dept, item):
            if row["excluded"]:
                target.excluded += row["n"]
            else:
                target.counts[row["level"]] += row["n"]
    now = now or timezone.now()
    calendar = current_calendar()
    tickets = Rectification.objects.filter(rating__excluded=False).values_list(
        "department_id", "rating__item_id", "rating__bundle_id", "opened_at", "due_on",
        "replied_at",
    )  # fmt: skip
    for dept_id, item_id, bundle_id, opened_at, due_on, replied_at in tickets:
        counter = outcome(opened_at, due_on, replied_at, now, calendar=calendar)
        key = f"item:{item_id}" if item_id else f"bundle:{bundle_id}"
        for found in (overall, departments.get(dept_id), items.get(key)):
            if found is not None:
                setattr(found, counter.value, getattr(found, counter.value) + 1)
    dept_objs = Department.objects.in_bulk(list(departments))
    for pk, dept in departments.items():
        dept.name = _name(dept_objs[pk])
    item_objs = ServiceItem.objects.in_bulk(
        [int(k.split(":")[1]) for k in items if k.startswith("item:")]
    )
    bundle_objs = Bundle.objects.select_related("lead_department").in_bulk(
        [int(k.split(":")[1]) for k in items if k.startswith("bundle:") and k != "bundle:None"]
    )
    for key, item in items.items():
        kind, _sep, raw_pk = key.partition(":")
        pool: dict[Any, Any] = item_objs if kind == "item" else bundle_objs
        obj = pool.get(int(raw_pk)) if raw_pk != "None" else None
        item.name = _name(obj) if obj else "—"
        if kind == "bundle" and obj is not None and obj.lead_department_id:
            # A bundle's ratings go to the department of the member they concern; the
            # row names the lead department (牵头部门), which answers for the bundle.
            item.department = _name(obj.lead_department)
            continue
        dept_row = departments.get(item_department[key])
        item.department = dept_row.name if dept_row else ""
    order = lambda r: (-(r.total + r.excluded), r.name)  # noqa: E731
    return Statistics(
        overall=overall,
        departments=sorted(departments.values(), key=order),
        items=sorted(items.values(), key=order),
    )


# --- charts (inline SVG, drawn on the server) ---------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float
    css: str
    label_y: float
    text_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    axis_x: float


def bar_chart(
    items: list[tuple[str, float, str, str]], *, maximum: float | None = None
) -> Chart | None:
    """A horizontal bar chart: each row is (label, value, value text, CSS class).

    The label sits on its own line above its bar, so long department names never collide
    with the bars on a narrow phone; the SVG scales with its viewBox.
    """
    if not items:
        return None
    width, left, right, row, bar_h = 320, 4, 64, 40, 16
    top = max((v for _l, v, _t, _c in items), default=0.0)
    scale_max = maximum if maximum else top
    span = width - left - right
    bars = []
    for i, (label, value, text, css) in enumerate(items):
        y = i * row + 18
        w = span * value / scale_max if scale_max else 0.0
        bars.append(
            Bar(
                label=label if len(label) <= 26 else label[:25] + "…",
                value=value,
                text=text,
                x=left,
                y=y,
                width=round(w, 2),
                height=bar_h,
                css=css,
                label_y=y - 4,
                text_x=round(left + w + 4, 2),
            )
        )
    return Chart(width=width, height=len(items) * row + 6, bars=bars, axis_x=left)


def level_chart(row: StatRow) -> Chart | None:
    if not (row.total or row.excluded):
        return None
    labels = dict(Level.choices)
    return bar_chart(
        [
            (str(labels[level]), float(n), str(n), f"rt-fill-{level}")
            for level, n in zip(LEVELS, row.by_level, strict=True)
        ]
    )


def rate_chart(rows: list[StatRow]) -> Chart | None:
    data = [
        (r.name, r.good_rate, f"{r.good_rate:.1f}%", "rt-fill-rate")
        for r in rows
        if r.good_rate is not None
    ]
    return bar_chart([(n, float(v), t, c) for n, v, t, c in data], maximum=100.0)


# --- the national exchange shape (§3.5) ---------------------------------------------------

#: 服务名称 of the exchange record for each step.
SERVICE_STEP_NAMES = {Step.CASE: "办结", Step.CORRECTION: "补正", Step.DECISION: "审批"}
CHANNEL_CODES = {RatingChannel.WEB: "pc", RatingChannel.STATUS_PAGE: "pc", RatingChannel.SMS: "sms"}
EXPORT_FIELDS = [
    "projectNo", "taskCode", "taskName", "serviceStep", "serviceName", "deptCode", "deptName",
    "deptCreditCode", "applicantType", "evaluateLevel", "evaluateLevelName", "overall",
    "efficiency", "guideAccuracy", "convenience", "usability", "tags", "reason", "channel",
    "pf", "evaluateTime", "excluded", "followUpLevel", "rectificationStatus", "dueDate",
    "fixedInTime",
]  # fmt: skip


def _stamp(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else ""


def export_rows() -> list[dict[str, Any]]:
    """Every rating as one record of the national exchange shape: the rating attached to
    the case number (办件编号) and the service step (服务环节). No personal data: the rater
    is described by applicant type only, and free text is masked."""
    rows = []
    level_names = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
    ratings = Rating.objects.select_related(
        "case", "department", "item", "bundle", "follow_up", "rectification"
    ).order_by("created_at", "pk")
    for r in ratings:
        ticket = getattr(r, "rectification", None)
        follow = getattr(r, "follow_up", None)
        service = r.item or r.bundle
        code = r.item.implementation_code if r.item else (r.bundle.code if r.bundle else "")
        rows.append({
            "projectNo": r.case.number,
            "taskCode": code,
            "taskName": service.name if service else "",
            "serviceStep": r.step,
            "serviceName": SERVICE_STEP_NAMES[Step(r.step)],
            "deptCode": r.department.code,
            "deptName": r.department.name,
            "deptCreditCode": r.department.uscc,
            "applicantType": "2" if r.case.organisation_id else "1",
            "evaluateLevel": r.level,
            "evaluateLevelName": level_names[r.level],
            "overall": r.level,
            "efficiency": r.efficiency,
            "guideAccuracy": r.guide_accuracy,
            "convenience": r.convenience,
            "usability": r.usability,
            "tags": list(r.tags),
            "reason": redact(r.reason),
            "channel": r.channel,
            "pf": CHANNEL_CODES[RatingChannel(r.channel)],
            "evaluateTime": _stamp(r.created_at),
            "excluded": r.excluded,
            "followUpLevel": follow.level if follow else None,
            "rectificationStatus": ticket.status if ticket else "",
            "dueDate": ticket.due_on.isoformat() if ticket else "",
            "fixedInTime": ticket.fixed_in_time if ticket else None,
        })  # fmt: skip
    return rows


def tag_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in Tag.choices]
