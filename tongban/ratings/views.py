"""Pages: rate a case, follow up, the department's rectification tickets, appeals, the
public statistics and the administrators' export. No business logic: ``services`` decides."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.accounts.models import User
from tongban.cases.models import Case, SubCase
from tongban.core.audit import record_audit
from tongban.core.errors import put_errors

from . import queries, services
from .forms import AppealForm, DecisionForm, FollowUpForm, RatingForm, TicketForm
from .models import (
    Appeal,
    AppealStatus,
    Level,
    Rating,
    RatingChannel,
    Rectification,
    Step,
    TicketStatus,
)

VIA = {"status": RatingChannel.STATUS_PAGE, "sms": RatingChannel.SMS}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _own_case(request: HttpRequest, number: str) -> Case:
    """The signed-in applicant's case; anyone else's (or none) is not found."""
    case = (
        Case.objects.select_related("item__department", "bundle__lead_department")
        .filter(number=number, applicant=_user(request))
        .first()
    )
    if case is None:
        raise Http404
    return case


def _chosen_step(case: Case, params: Any) -> tuple[str, SubCase | None] | None:
    step = params.get("step") or ""
    sub_id = params.get("subcase") or params.get("sub") or ""
    subcase = None
    if sub_id:
        try:
            subcase = case.subcases.select_related("item", "department").get(pk=int(sub_id))
        except (ValueError, SubCase.DoesNotExist):
            raise Http404 from None
    if not step:
        return (Step.CASE, None) if subcase is None else None
    if step not in Step.values:
        raise Http404
    return step, subcase


def _parts(case: Case, subcase: SubCase | None, members: list[SubCase]) -> list[SubCase]:
    """The case's items with their departments, as the rating page names them: the rated
    step's, else every member of a bundle, else the case's one sub-case."""
    if subcase is not None:
        return [subcase]
    if members:
        return members
    return list(case.subcases.select_related("item", "department").order_by("pk"))


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    case = _own_case(request, number)
    params = request.POST if request.method == "POST" else request.GET
    chosen = _chosen_step(case, params)
    if chosen is None:
        raise Http404
    step, subcase = chosen
    if (
        request.method == "GET"
        and not params.get("step")
        and services.step_problem(case, step, subcase)
    ):
        # Nothing named and the whole case cannot be rated yet: offer the steps that can.
        options = services.rateable_steps(case)
        return render(request, "ratings/choose.html", {"case": case, "options": options})
    if Rating.objects.filter(case=case, step=step, subcase=subcase).exists():
        messages.info(request, _("You have already rated this. You can add one follow-up."))
        return redirect("ratings:thanks", number=case.number)
    via = params.get("via", "")
    members = services.members(case) if step == Step.CASE else []
    form = RatingForm(
        request.POST if request.method == "POST" else None,
        initial={"step": step, "subcase": subcase.pk if subcase else None, "via": via},
        members=members,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rate(
                case,
                services.RatingInput(
                    level=data["level"] or None,
                    step=step,
                    subcase_id=subcase.pk if subcase else None,
                    member_id=data.get("member") or None,
                    efficiency=data["efficiency"] or None,
                    guide_accuracy=data["guide_accuracy"] or None,
                    convenience=data["convenience"] or None,
                    usability=data["usability"] or None,
                    tags=data["tags"],
                    reason=data["reason"],
                    channel=VIA.get(data["via"] or "", RatingChannel.WEB),
                ),
                actor=user,
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your rating was recorded."))
            return redirect("ratings:thanks", number=case.number)
    problem = services.step_problem(case, step, subcase)
    return render(
        request,
        "ratings/rate.html",
        {
            "case": case,
            "form": form,
            "step": step,
            "step_label": Step(step).label,
            "subcase": subcase,
            "parts": _parts(case, subcase, members),
            "problem": problem[1] if problem else "",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def thanks(request: HttpRequest, number: str) -> HttpResponse:
    case = _own_case(request, number)
    ratings = (
        Rating.objects.filter(case=case)
        .select_related("subcase__item", "member__item", "follow_up", "rectification", "department")
        .order_by("created_at")
    )
    return render(
        request,
        "ratings/thanks.html",
        {"case": case, "ratings": ratings, "options": services.rateable_steps(case)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    case = _own_case(request, number)
    rating = get_object_or_404(
        Rating.objects.select_related("rectification", "department"), pk=pk, case=case
    )
    if hasattr(rating, "follow_up"):
        messages.info(request, _("You have already added a follow-up to this rating."))
        return redirect("ratings:thanks", number=case.number)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_follow_up(
                rating,
                actor=_user(request),
                level=form.cleaned_data["level"] or None,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your follow-up was recorded."))
            return redirect("ratings:thanks", number=case.number)
    return render(
        request,
        "ratings/follow_up.html",
        {"case": case, "rating": rating, "form": form,
         "ticket": getattr(rating, "rectification", None)},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


# --- the department ------------------------------------------------------------------------

OFFICE_VIEWS = ("open", "overdue", "closed", "all")


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    departments = services.office_departments(_user(request))
    if not departments:
        raise Http404
    today = timezone.localdate()
    base = Rectification.objects.filter(department__in=departments).select_related(
        "rating__case", "rating__item", "rating__bundle", "rating__member__item", "department"
    )
    filters = {
        "open": Q(closed_at__isnull=True),
        "overdue": Q(closed_at__isnull=True, replied_at__isnull=True, due_on__lt=today),
        "closed": Q(closed_at__isnull=False),
        "all": Q(),
    }
    view = request.GET.get("view", "open")
    if view not in filters:
        view = "open"
    labels = {
        "open": _("Open"), "overdue": _("Overdue"), "closed": _("Closed"), "all": _("All"),
    }  # fmt: skip
    counts = {name: base.filter(cond).count() for name, cond in filters.items()}
    page = Paginator(base.filter(filters[view]).order_by("due_on", "pk"), 25).get_page(
        request.GET.get("page")
    )
    appeals = Appeal.objects.filter(department__in=departments).select_related("rating__case")
    return render(
        request,
        "ratings/office.html",
        {
            "departments": departments,
            "page": page,
            "view": view,
            "views": [(name, labels[name], counts[name]) for name in OFFICE_VIEWS],
            "today": today,
            "appeals": appeals[:20],
        },
    )


def _ticket_for(request: HttpRequest, pk: int) -> Rectification:
    ticket = get_object_or_404(
        Rectification.objects.select_related(
            "rating__case", "rating__item", "rating__bundle", "rating__rater", "department",
            "rating__subcase__item", "rating__member__item", "rating__member__department",
            "called_back_by", "fixed_by", "replied_by",
        ),
        pk=pk,
    )  # fmt: skip
    if not services.can_handle(_user(request), ticket.department_id):
        raise Http404
    return ticket


TICKET_ACTIONS = {
    "call_back": lambda t, u, d, v: services.record_call_back(
        t, actor=u, note=d["call_back_note"], version=v
    ),
    "fix": lambda t, u, d, v: services.record_fix(
        t, actor=u, finding=d["finding"], fix=d["fix"], version=v
    ),
    "reply": lambda t, u, d, v: services.send_reply(t, actor=u, reply=d["reply"], version=v),
    "close": lambda t, u, d, v: services.close_ticket(t, actor=u, version=v),
}


@login_required
@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    row = _ticket_for(request, pk)
    form = TicketForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            TICKET_ACTIONS[data["action"]](row, user, data, data["version"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("ratings:ticket", pk=row.pk)
        row = _ticket_for(request, pk)
    rating = row.rating
    return render(
        request,
        "ratings/ticket.html",
        {
            "ticket": row,
            "rating": rating,
            "form": form,
            "overdue": services.overdue(row, timezone.now()),
            "appeal": Appeal.objects.filter(rating=rating).first(),
            "follow": getattr(rating, "follow_up", None) if hasattr(rating, "follow_up") else None,
            "closed": row.status == TicketStatus.CLOSED,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    row = _ticket_for(request, pk)
    existing = Appeal.objects.filter(rating=row.rating).first()
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            services.request_appeal(
                row.rating, actor=_user(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Your appeal was sent to the administrators."))
            return redirect("ratings:ticket", pk=row.pk)
    return render(
        request,
        "ratings/appeal.html",
        {"ticket": row, "rating": row.rating, "form": form, "existing": existing},
        status=400 if request.method == "POST" else 200,
    )


# --- administrators -----------------------------------------------------------------------


def _administrator(request: HttpRequest) -> User:
    user = _user(request)
    if not services.can_administer(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    rows = Appeal.objects.select_related("rating__case", "department", "decided_by").order_by(
        "status", "-requested_at"
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "ratings/appeals.html", {"page": page, "pending": AppealStatus.PENDING})


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _administrator(request)
    row = get_object_or_404(
        Appeal.objects.select_related(
            "rating__case", "rating__item", "rating__bundle", "department", "requested_by"
        ),
        pk=pk,
    )
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_appeal(
                row,
                actor=user,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["decision_note"],
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("ratings:appeals")
    return render(
        request,
        "ratings/appeal_decide.html",
        {"appeal": row, "rating": row.rating, "form": form,
         "pending": row.status == AppealStatus.PENDING},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _export_audit(user: User, fmt: str, count: int) -> None:
    from django.db import transaction

    with transaction.atomic():
        record_audit(user, "ratings.export", None, object_type="ratings.rating",
                     meta={"format": fmt, "count": count})  # fmt: skip


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    user = _administrator(request)
    rows = queries.export_rows()
    _export_audit(user, "json", len(rows))
    body = json.dumps(
        {"format": "tongban-ratings", "version": 1, "data": rows},
        ensure_ascii=False,
        indent=1,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ratings.json"'
    return response


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    user = _administrator(request)
    rows = queries.export_rows()
    _export_audit(user, "csv", len(rows))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=queries.EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "tags": "^".join(row["tags"])})
    # A byte-order mark so that spreadsheet programs read the Chinese as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ratings.csv"'
    return response


# --- public statistics ----------------------------------------------------------------------


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    stats = queries.statistics()
    return render(
        request,
        "ratings/statistics.html",
        {
            "stats": stats,
            "levels": [(value, label) for value, label in Level.choices],
            "level_chart": queries.level_chart(stats.overall),
            "rate_chart": queries.rate_chart(stats.departments),
            "fix_days": services.fix_days(),
            "export_url": reverse("ratings:export_json")
            if services.can_administer(request.user)
            else "",
        },
    )
