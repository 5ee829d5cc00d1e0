"""Quality figures of data resources (数据质量): what is held, how the last sync went, and
how the provider answers data corrections (数据纠错).

Per resource: records held (not removed from the source), the last sync of any of its
sources with its status and the rows it refused, corrections received / corrected /
rejected / withdrawn / open / overdue (open past their due day), the share answered on
time (by the due day, of those answered) and the median working days to answer (from the
report's day to the answer's day, the report's day not counted). ``resource_figures`` gives
them for one resource (the partial ``exchange/_quality.html`` on the resource page);
``figures_for`` for many in a fixed number of queries (the data authority's city-wide table
on the quality page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import median
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tongban.workdays import calc

from . import queries
from .models import (
    CorrectionStatus,
    DataCorrection,
    DataRecord,
    DataResource,
    DataSource,
    ResourceStatus,
    SyncRun,
)


@dataclass
class LastSync:
    started_at: dt.datetime
    status: str
    status_label: str
    refused: int
    source: str


@dataclass
class ResourceFigures:
    """The quality figures of one resource (see the module docstring)."""

    resource: DataResource
    records_held: int = 0
    has_source: bool = False
    last_sync: LastSync | None = None
    received: int = 0
    corrected: int = 0
    rejected: int = 0
    withdrawn: int = 0
    open: int = 0
    overdue: int = 0
    answered: int = 0
    answered_on_time: int = 0
    answer_days: list[int] = field(default_factory=list)

    @property
    def on_time_share(self) -> Fraction | None:
        """Answered by the due day, of those answered (``None``: none answered yet)."""
        return Fraction(self.answered_on_time, self.answered) if self.answered else None

    @property
    def on_time_percent(self) -> int | None:
        share = self.on_time_share
        return None if share is None else round(share * 100)

    @property
    def median_answer_days(self) -> float | None:
        """The median working days to answer (``None``: none answered yet)."""
        return float(median(self.answer_days)) if self.answer_days else None

    @property
    def refused_last_sync(self) -> int | None:
        return None if self.last_sync is None else self.last_sync.refused


def _answer_days(submitted_at: dt.datetime, answered_at: dt.datetime) -> int:
    start, end = calc.local_date(submitted_at), calc.local_date(answered_at)
    return max(0, calc.working_days_between(start, end))


def figures_for(
    resources: Sequence[DataResource], *, today: dt.date | None = None
) -> list[ResourceFigures]:
    """The figures of ``resources``, in their order: five queries whatever their number."""
    today = today or timezone.localdate()
    figures = {r.pk: ResourceFigures(resource=r) for r in resources}
    pks = list(figures)
    if not pks:
        return []
    held = (
        DataRecord.objects.filter(resource_id__in=pks, removed_at__isnull=True)
        .values("resource_id")
        .annotate(n=Count("pk"))
    )
    for row in held:
        figures[row["resource_id"]].records_held = row["n"]
    latest = SyncRun.objects.filter(source__resource_id=OuterRef("resource_id")).order_by(
        "-started_at", "-pk"
    )
    sourced = (
        DataSource.objects.filter(resource_id__in=pks)
        .values("resource_id")
        .annotate(n=Count("pk"), last_run=Subquery(latest.values("pk")[:1]))
    )
    run_ids: dict[int, int] = {}
    for row in sourced:
        figures[row["resource_id"]].has_source = row["n"] > 0
        if row["last_run"]:
            run_ids[row["last_run"]] = row["resource_id"]
    for run in SyncRun.objects.filter(pk__in=list(run_ids)).select_related("source"):
        figures[run_ids[run.pk]].last_sync = LastSync(
            started_at=run.started_at,
            status=run.status,
            status_label=str(run.get_status_display()),
            refused=run.refused,
            source=run.source.code,
        )
    S = CorrectionStatus
    counts = (
        DataCorrection.objects.filter(resource_id__in=pks)
        .values("resource_id")
        .annotate(
            received=Count("pk"),
            corrected=Count("pk", filter=Q(status=S.CORRECTED)),
            rejected=Count("pk", filter=Q(status=S.REJECTED)),
            withdrawn=Count("pk", filter=Q(status=S.WITHDRAWN)),
            open=Count("pk", filter=Q(status=S.OPEN)),
            overdue=Count("pk", filter=Q(status=S.OPEN, due_on__lt=today)),
        )
    )
    for row in counts:
        f = figures[row["resource_id"]]
        for name in ("received", "corrected", "rejected", "withdrawn", "open", "overdue"):
            setattr(f, name, row[name])
    answered = DataCorrection.objects.filter(
        resource_id__in=pks, status__in=[S.CORRECTED, S.REJECTED], answered_at__isnull=False
    ).values_list("resource_id", "submitted_at", "answered_at", "due_on")
    for resource_id, submitted_at, answered_at, due_on in answered:
        if answered_at is None:
            continue
        f = figures[resource_id]
        f.answered += 1
        if calc.local_date(answered_at) <= due_on:
            f.answered_on_time += 1
        f.answer_days.append(_answer_days(submitted_at, answered_at))
    return [figures[pk] for pk in pks]


def resource_figures(resource: DataResource, *, today: dt.date | None = None) -> ResourceFigures:
    """The figures of one resource (the context of ``exchange/_quality.html``)."""
    return figures_for([resource], today=today)[0]


def sees_quality(user: Any) -> bool:
    """May ``user`` open the quality page: the data authority, and the reviewers and leaders
    of departments that provide resources."""
    if queries.is_data_authority(user):
        return True
    deciding = queries.exchange_departments(user, queries.DECIDING_ROLES)
    return DataResource.objects.filter(department__in=deciding.values("pk")).exists()


def own_resources(user: Any) -> QuerySet[DataResource]:
    """The resources of the departments ``user`` answers for."""
    deciding = queries.exchange_departments(user, queries.DECIDING_ROLES).values("pk")
    return (
        DataResource.objects.filter(department__in=deciding)
        .select_related("department")
        .order_by("department__sort_order", "code")
    )


def city_resources() -> QuerySet[DataResource]:
    """Every published resource of the city, for the data authority's table."""
    return (
        DataResource.objects.filter(status=ResourceStatus.PUBLISHED)
        .select_related("department")
        .order_by("department__sort_order", "code")
    )


def totals(rows: Iterable[ResourceFigures]) -> ResourceFigures:
    """The figures of many resources added up (a row for the whole table)."""
    total = ResourceFigures(resource=DataResource(code="", name=""))
    by_days: dict[str, list[int]] = defaultdict(list)
    for f in rows:
        total.records_held += f.records_held
        for name in ("received", "corrected", "rejected", "withdrawn", "open", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(f, name))
        total.answered += f.answered
        total.answered_on_time += f.answered_on_time
        by_days["all"].extend(f.answer_days)
    total.answer_days = by_days["all"]
    return total
