"""Pages of the data-access log (我的数据使用记录, issue 14).

In the personal space (``/me/data-access/``): the reads of the person's data (and of the
businesses they act for), each with a way to report it; the form of a report; one report
with its due day and, later, the data authority's answer. For the data authority
(``/office/exchange/access-reports/``): the reports, and one report with the access it
questions and the answer form. Another person's access or report is a 404, like one that
does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.cases.models import Case
from tongban.core.errors import put_errors

from . import access_log, clocks
from .forms import AccessAnswerForm, AccessReportForm
from .models import AccessReport, AccessReportStatus, DataAccess
from .transitions import ACCESS_REPORT, AccessReportAction
from .views import officials_only


def _own_cases(user: Any, rows: list[DataAccess]) -> set[str]:
    """The case numbers among ``rows`` that are the user's own applications."""
    refs = {row.case_ref for row in rows if row.case_ref}
    if not refs:
        return set()
    return set(
        Case.objects.filter(number__in=refs, applicant_id=user.pk).values_list("number", flat=True)
    )


@dataclass(frozen=True)
class Shown:
    """An access as a page shows it: the item names read, and whether its case is the
    viewer's own application (then the case number links to it)."""

    access: DataAccess
    item_names: list[str]
    own_case: bool


def _shown(user: Any, rows: list[DataAccess]) -> list[Shown]:
    own = _own_cases(user, rows)
    return [Shown(row, access_log.item_names(row), row.case_ref in own) for row in rows]


# --- the personal space ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_accesses(request: HttpRequest) -> HttpResponse:
    """The person's data-access log and their reports."""
    user = request.user
    rows = access_log.accesses_for(user)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    listed = _shown(user, list(page.object_list))
    reports = list(access_log.reports_of(user)[:50])
    return render(
        request,
        "exchange/access_log.html",
        {
            "page": page,
            "rows": listed,
            "reports": reports,
            "days": clocks.access_report_days(),
            "has_subjects": bool(access_log.subjects_of(user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Report the access ``pk`` (one of the person's own) as wrong."""
    user = request.user
    access = access_log.own_access(user, pk)
    if access is None:
        raise Http404
    form = AccessReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = access_log.report(access, form.cleaned_data["reason"], actor=user)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            return redirect("exchange_me:report", created.pk)
    return render(
        request,
        "exchange/access_report_new.html",
        {"shown": _shown(user, [access])[0], "form": form, "days": clocks.access_report_days()},
    )


@login_required
@require_http_methods(["GET"])
def my_report(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the person's reports: when it was sent, when the answer is due, the answer."""
    row = access_log.own_report(request.user, pk)
    if row is None:
        raise Http404
    return render(
        request,
        "exchange/access_report_mine.html",
        {"row": row, "shown": _shown(request.user, [row.access])[0]},
    )


# --- the data authority ------------------------------------------------------------------------


def _views() -> dict[str, str]:
    return {"open": _("To answer"), "overdue": _("Overdue"), "answered": _("Answered")}


def _authority_only(user: Any) -> None:
    if not access_log.queries.is_data_authority(user):
        raise PermissionDenied


@officials_only
@require_http_methods(["GET"])
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _authority_only(user)
    today = timezone.localdate()
    every = access_log.every_report(user)
    open_ = AccessReportStatus.OPEN
    sets: dict[str, QuerySet[AccessReport]] = {
        "open": every.filter(status=open_),
        "overdue": every.filter(status=open_, due_on__lt=today),
        "answered": every.exclude(status=open_),
    }
    labels = _views()
    view = request.GET.get("view", "open")
    if view not in sets:
        view = "open"
    rows = sets[view].order_by("due_on" if view != "answered" else "-answered_at", "pk")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    remaining = {
        row.pk: clocks.stored_access_report_clock(row).read().remaining
        for row in page.object_list
        if row.status == open_ and row.due_on >= today
    }
    listed = [(row, remaining.get(row.pk)) for row in page.object_list]
    return render(
        request,
        "exchange/access_reports.html",
        {
            "page": page,
            "rows": listed,
            "view": view,
            "views": [(name, labels[name], rows_.count()) for name, rows_ in sets.items()],
            "today": today,
        },
    )


@officials_only
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _authority_only(user)
    row = access_log.report_for_authority(user, pk)
    if row is None:
        raise Http404
    form = AccessAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_log.answer(row, form.cleaned_data["answer"], actor=user)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Your answer was sent to the person."))
            return redirect("exchange:access_report", row.pk)
    reading = (
        clocks.stored_access_report_clock(row).read()
        if row.status == AccessReportStatus.OPEN
        else None
    )
    return render(
        request,
        "exchange/access_report.html",
        {
            "row": row,
            "shown": Shown(row.access, access_log.item_names(row.access), own_case=False),
            "reading": reading,
            "form": form,
            "can_answer": AccessReportAction.ANSWER in ACCESS_REPORT.allowed(row.status),
        },
    )
