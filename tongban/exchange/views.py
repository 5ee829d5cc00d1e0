"""Officials' pages of the exchange: the catalogue, a request for access, the requests to
answer (and one's own), and one request with its decisions. Officials of government
departments only; everything else is refused (a sign-in page, 403, or 404 for an object the
official may not see)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import put_errors
from tongban.org.models import Department

from . import clocks, quality, queries, services, sync
from .forms import CatalogueFilterForm, GrantForm, ReasonForm, RequestForm
from .models import Grant, RequestStatus, ShareClass, ShareRequest
from .transitions import REQUEST, RequestAction

View = Callable[..., HttpResponseBase]


def officials_only(view: View) -> View:
    """Signed in (else the sign-in page), and an official of a government department
    (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not queries.is_exchange_official(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@officials_only
@require_http_methods(["GET"])
def catalogue(request: HttpRequest) -> HttpResponse:
    departments = (
        Department.objects.filter(data_resources__isnull=False)
        .distinct()
        .order_by("sort_order", "code")
    )
    form = CatalogueFilterForm(
        request.GET or None,
        departments=[(d.code, d.display_name) for d in departments],
    )
    values = form.cleaned_data if form.is_valid() else {}
    rows = queries.catalogue(
        request.user,
        text=values.get("q", ""),
        department=values.get("department", ""),
        share_class=values.get("share_class", ""),
    ).annotate(
        conditional=Count(
            "items", filter=Q(items__share_class=ShareClass.CONDITIONAL), distinct=True
        ),
        withheld=Count("items", filter=Q(items__share_class=ShareClass.NOT_SHARED), distinct=True),
    )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/catalogue.html",
        {"form": form, "page": page, "total": page.paginator.count},
    )


@officials_only
@require_http_methods(["GET"])
def resource(request: HttpRequest, code: str) -> HttpResponse:
    row = queries.visible_resource(request.user, code)
    if row is None:
        raise Http404
    own = queries.decides_for(request.user, row.department_id)
    members = queries.requesting_members(request.user).exclude(department=row.department)
    return render(
        request,
        "exchange/resource.html",
        {
            "resource": row,
            "items": row.items.select_related("element"),
            "can_request": row.status == "published" and members.exists(),
            "own": own,
            "quality": quality.resource_figures(row),
            # Locations and columns are the provider's business: its own officials only.
            "sources": sync.sources_summary(row) if own else [],
            "grants": row.grants.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("member__department")
            .prefetch_related("fields")
            if own
            else [],
        },
    )


@officials_only
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, code: str) -> HttpResponse:
    row = queries.visible_resource(request.user, code)
    if row is None or row.status != "published":
        raise Http404
    members = queries.requesting_members(request.user).exclude(department=row.department)
    form = RequestForm(request.POST or None, resource=row, members=members)
    if request.method == "POST" and form.is_valid():
        data = services.RequestInput(
            member=form.cleaned_data["member"],
            fields=tuple(form.cleaned_data["items"]),
            full_fields=tuple(form.cleaned_data["full_items"]),
            purpose=form.cleaned_data["purpose"],
            legal_basis=form.cleaned_data["legal_basis"],
            duration_days=form.cleaned_data["duration_days"],
            confidential_until=form.cleaned_data["confidential_until"],
        )
        try:
            created = services.submit_request(row, data, actor=request.user)
        except ValidationError as exc:
            put_errors(form, exc, names={"fields": "items", "full_fields": "full_items"})
        else:
            messages.success(
                request,
                _("Your request was sent to %(department)s. They answer by %(date)s.")
                % {
                    "department": row.department.display_name,
                    "date": created.due_on.isoformat(),
                },
            )
            return redirect("exchange:request", created.pk)
    return render(
        request,
        "exchange/request_new.html",
        {"resource": row, "form": form, "members_exist": members.exists()},
    )


def _views() -> dict[str, str]:
    return {
        "incoming": _("To answer"),
        "overdue": _("Overdue"),
        "answered": _("Answered"),
        "outgoing": _("Our requests"),
        "disputes": _("Disputes"),
    }


@officials_only
@require_http_methods(["GET"])
def requests(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    incoming = queries.incoming(user)
    sets = {
        "incoming": incoming.filter(status=RequestStatus.SUBMITTED),
        "overdue": incoming.filter(status=RequestStatus.SUBMITTED, due_on__lt=today),
        "answered": incoming.exclude(status=RequestStatus.SUBMITTED),
        "outgoing": queries.outgoing(user),
    }
    if queries.is_data_authority(user):
        sets["disputes"] = queries.disputes(user)
    labels = _views()
    view = request.GET.get("view", "incoming")
    if view not in sets:
        view = "incoming"
    rows = sets[view].order_by(
        "due_on" if view in ("incoming", "overdue") else "-submitted_at", "pk"
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    for row in page.object_list:
        if row.status == RequestStatus.SUBMITTED and row.due_on >= today:
            row.remaining = clocks.stored_clock(row).read().remaining
    return render(
        request,
        "exchange/requests.html",
        {
            "page": page,
            "view": view,
            "views": [(name, labels[name], rows_.count()) for name, rows_ in sets.items()],
            "today": today,
        },
    )


def _act(request: HttpRequest, row: ShareRequest, action: str, form: Any) -> bool:
    """Run one decision on ``row`` from the posted ``action``; ``True`` when done."""
    user = request.user
    if action == RequestAction.GRANT:
        if not form.is_valid():
            return False
        services.grant_request(
            row,
            actor=user,
            rate_per_minute=form.cleaned_data["rate_per_minute"],
            rate_per_day=form.cleaned_data["rate_per_day"],
        )
        return True
    if not form.is_valid():
        return False
    text = form.cleaned_data["text"]
    if action == RequestAction.REFUSE:
        services.refuse_request(row, actor=user, reasons=text)
    elif action == RequestAction.DISPUTE:
        services.dispute_request(row, actor=user, reason=text)
    elif action in (RequestAction.OVERRULE, RequestAction.UPHOLD):
        services.resolve_dispute(row, actor=user, grant=action == RequestAction.OVERRULE, note=text)
    elif action == "revoke":
        grant = Grant.objects.filter(request=row).first()
        if grant is None:
            raise Http404
        services.revoke_grant(grant, actor=user, reason=text)
    else:
        raise Http404
    return True


def _forms(data: Any, posted: str) -> dict[str, Any]:
    """One form per decision; only the posted one is bound."""

    def bound(name: str) -> Any:
        return data if posted == name else None

    return {
        "grant": GrantForm(bound("grant"), prefix="grant"),
        "refuse": ReasonForm(
            bound("refuse"),
            prefix="refuse",
            label=_("Reasons for the refusal"),
            help_text=_(
                "Shown to the requesting department: the rule or fact that stands in the way."
            ),
        ),
        "dispute": ReasonForm(
            bound("dispute"),
            prefix="dispute",
            label=_("Why the data authority should decide"),
        ),
        "resolve": ReasonForm(
            bound("overrule") or bound("uphold"),
            prefix="resolve",
            label=_("The data authority's decision and its reasons"),
        ),
        "revoke": ReasonForm(bound("revoke"), prefix="revoke", label=_("Reason for revoking")),
    }


@officials_only
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    row = queries.visible_request(user, pk)
    if row is None:
        raise Http404
    posted = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _forms(request.POST, posted)
    if posted:
        key = {"overrule": "resolve", "uphold": "resolve"}.get(posted, posted)
        form = forms.get(key)
        if form is None:
            raise Http404
        try:
            done = _act(request, row, posted, form)
        except ValidationError as exc:
            put_errors(form, exc, names={"reasons": "text", "reason": "text", "note": "text"})
            done = False
        if done:
            messages.success(
                request,
                _("Done: %(action)s.")
                % {"action": REQUEST.label(posted) if posted != "revoke" else _("Grant revoked")},
            )
            return redirect("exchange:request", row.pk)
    deciding = queries.decides_for(user, row.resource.department_id)
    requesting = queries.acts_for(user, row.department_id)
    authority = queries.is_data_authority(user)
    allowed = set(REQUEST.allowed(row.status))
    now = timezone.now()
    reading = clocks.stored_clock(row).read(now) if row.status == RequestStatus.SUBMITTED else None
    grant = Grant.objects.filter(request=row).prefetch_related("fields", "full_fields").first()
    return render(
        request,
        "exchange/request.html",
        {
            "row": row,
            "fields": row.fields.all(),
            "full_fields": set(row.full_fields.values_list("pk", flat=True)),
            "grant": grant,
            "grant_valid": grant is not None and grant.is_valid_at(now),
            "reading": reading,
            "forms": forms,
            # The upstream platform answers for the resources it holds (upstream_sync).
            "can_decide": deciding
            and RequestAction.GRANT in allowed
            and not row.resource.upstream_id,
            "can_withdraw": requesting and RequestAction.WITHDRAW in allowed,
            "can_dispute": requesting
            and RequestAction.DISPUTE in allowed
            and (
                row.status == RequestStatus.REFUSED
                or (reading is not None and reading.state == "overdue")
            ),
            "can_resolve": authority and RequestAction.OVERRULE in allowed,
            "can_revoke": (deciding or authority) and grant is not None and grant.is_valid_at(now),
            "posted": posted,
        },
    )


@officials_only
@require_http_methods(["POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    row = queries.visible_request(request.user, pk)
    if row is None:
        raise Http404
    try:
        services.withdraw_request(row, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("exchange:request", row.pk)
