"""Officials' pages of data correction (数据纠错) and data quality: report a wrong value of a
resource, the corrections to answer (and one's own reports), one correction with its
answer, and the quality figures (own resources; the whole city for the data authority).
Officials of government departments only, as the other exchange pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import put_errors

from . import clocks, corrections, quality, queries
from .forms_corrections import AnswerForm, ReportForm, WithdrawForm
from .models import CorrectionStatus, DataCorrection, ResourceStatus
from .transitions import CORRECTION, CorrectionAction
from .views import officials_only


@officials_only
@require_http_methods(["GET", "POST"])
def correction_new(request: HttpRequest, code: str) -> HttpResponse:
    """Report a wrong value of the resource ``code``."""
    row = queries.visible_resource(request.user, code)
    if row is None or row.status != ResourceStatus.PUBLISHED:
        raise Http404
    department = corrections.reporting_department(request.user, row)
    items = corrections.reportable_items(row)
    form = ReportForm(request.POST or None, items=items)
    if request.method == "POST" and department is not None and form.is_valid():
        data = corrections.ReportInput(
            item=form.cleaned_data["item"],
            record_key=form.cleaned_data["record_key"],
            description=form.cleaned_data["description"],
            proposed_value=form.cleaned_data["proposed_value"],
        )
        try:
            created = corrections.report(row, data, actor=request.user)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your report was sent to %(department)s. They answer by %(date)s.")
                % {"department": row.department.display_name, "date": created.due_on.isoformat()},
            )
            return redirect("exchange:correction", created.pk)
    return render(
        request,
        "exchange/correction_new.html",
        {
            "resource": row,
            "form": form,
            "department": department,
            "has_items": items.exists(),
            "days": clocks.correction_days(),
        },
    )


def _views() -> dict[str, str]:
    return {
        "to_answer": _("To answer"),
        "overdue": _("Overdue"),
        "answered": _("Answered"),
        "ours": _("Our reports"),
        "all": _("All corrections"),
    }


@officials_only
@require_http_methods(["GET"])
def correction_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    received = corrections.to_answer(user)
    open_ = CorrectionStatus.OPEN
    sets: dict[str, QuerySet[DataCorrection]] = {
        "to_answer": received.filter(status=open_),
        "overdue": received.filter(status=open_, due_on__lt=today),
        "answered": received.exclude(status=open_),
        "ours": corrections.reported(user),
    }
    if queries.is_data_authority(user):
        sets["all"] = corrections.every_correction(user)
    labels = _views()
    view = request.GET.get("view", "to_answer")
    if view not in sets:
        view = "to_answer"
    rows = sets[view].order_by(
        "due_on" if view in ("to_answer", "overdue") else "-submitted_at", "pk"
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    for row in page.object_list:
        if row.status == open_ and row.due_on >= today:
            row.remaining = clocks.stored_correction_clock(row).read().remaining
    return render(
        request,
        "exchange/corrections.html",
        {
            "page": page,
            "view": view,
            "views": [(name, labels[name], rows_.count()) for name, rows_ in sets.items()],
            "today": today,
        },
    )


@officials_only
@require_http_methods(["GET", "POST"])
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    row = corrections.visible_correction(user, pk)
    if row is None:
        raise Http404
    resource = row.resource
    posted = request.POST.get("action", "") if request.method == "POST" else ""
    answer_form = AnswerForm(request.POST if posted == "answer" else None, prefix="answer")
    withdraw_form = WithdrawForm(request.POST if posted == "withdraw" else None, prefix="withdraw")
    if posted not in ("", "answer", "withdraw"):
        raise Http404
    if posted:
        form = answer_form if posted == "answer" else withdraw_form
        try:
            if form.is_valid():
                if posted == "answer":
                    corrections.answer(
                        row,
                        corrections.AnswerInput(
                            outcome=form.cleaned_data["outcome"],
                            answer=form.cleaned_data["answer"],
                            fix_record=form.cleaned_data["fix_record"],
                            new_value=form.cleaned_data["new_value"],
                        ),
                        actor=user,
                    )
                    done = _("Your answer was sent to %(department)s.") % {
                        "department": row.department.display_name
                    }
                else:
                    corrections.withdraw(row, actor=user, reason=form.cleaned_data["reason"])
                    done = _("Your report was withdrawn.")
                messages.success(request, done)
                return redirect("exchange:correction", row.pk)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            put_errors(form, exc)
    allowed = set(CORRECTION.allowed(row.status))
    providing = queries.decides_for(user, resource.department_id)
    reporting = queries.acts_for(user, row.department_id)
    reading = (
        clocks.stored_correction_clock(row).read() if row.status == CorrectionStatus.OPEN else None
    )
    proposal = corrections.proposal_of(row)
    record = row.record if row.record is not None and row.record.removed_at is None else None
    return render(
        request,
        "exchange/correction.html",
        {
            "row": row,
            "resource": resource,
            "reading": reading,
            # The provider keeps the registry and needs the key to find the record; others
            # see it masked (the reporter typed it, the data authority supervises).
            "record_key": proposal.key if providing else corrections.mask_key(proposal.key),
            "proposed_value": proposal.value,
            "held_value": corrections.record_value(record, row.item) if providing else None,
            "record_held": record is not None,
            "has_source": corrections.has_source(resource),
            "answer_form": answer_form,
            "withdraw_form": withdraw_form,
            "can_answer": providing and CorrectionAction.CORRECT in allowed,
            "can_withdraw": reporting and CorrectionAction.WITHDRAW in allowed,
            "posted": posted,
        },
    )


@officials_only
@require_http_methods(["GET"])
def quality_page(request: HttpRequest) -> HttpResponse:
    """Quality figures: the user's own resources, and the city-wide table for the data
    authority."""
    user = request.user
    if not quality.sees_quality(user):
        raise PermissionDenied
    authority = queries.is_data_authority(user)
    own = quality.figures_for(list(quality.own_resources(user)))
    city = quality.figures_for(list(quality.city_resources())) if authority else []
    return render(
        request,
        "exchange/corrections_quality.html",
        {
            "own": own,
            "city": city,
            "city_total": quality.totals(city) if authority else None,
            "authority": authority,
        },
    )
