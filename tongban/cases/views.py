"""Pages: apply with one form, follow a case, the public status page, the officials' inbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from tongban.accounts.models import User
from tongban.catalog.models import Bundle, ServiceItem
from tongban.catalog.queries import (
    get_published_bundle,
    get_published_item,
    required_assurance_of,
)
from tongban.core.errors import put_errors
from tongban.core.security import client_address, rate_limit_hit
from tongban.workdays import calc

from . import (
    actions,
    clocks,
    dataforms,
    dependencies,
    materials,
    permissions,
    queries,
    receipts,
    sealed,
    services,
    sharing,
    transitions,
)
from .forms import ActionForm, ApplicationDjangoForm, StatusLookupForm, WithdrawForm
from .models import (
    Case,
    CaseEvent,
    CaseStatus,
    CorrectionNotice,
    DataElement,
    DataType,
    SharedMaterial,
    SubCase,
    UploadedMaterial,
    WorkItem,
    WorkKind,
    WorkStatus,
)

STATUS_LOOKUPS_PER_MINUTE = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _target(request: HttpRequest, kind: str, code: str) -> ServiceItem | Bundle:
    try:
        if kind == "bundle":
            return get_published_bundle(code, request.user)
        return get_published_item(code, request.user)
    except (ServiceItem.DoesNotExist, Bundle.DoesNotExist):
        raise Http404 from None


def _materials_context(target: ServiceItem | Bundle, uploads: dict[str, Any]) -> list[Any]:
    return [(m, uploads.get(m.code)) for m in materials.required_materials(target)]


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """The one form: fill, save a draft, upload materials, submit."""
    user = _user(request)
    target = _target(request, kind, code)
    gap = services.assurance_problem(user, target)
    app_form = dataforms.build_form(target)
    if not app_form.fields:
        raise Http404
    # Opening the form creates nothing: a draft exists once the applicant saves or uploads.
    draft = services.find_draft(user, target)
    if request.method == "POST" and not gap:
        draft = services.draft_for(user, target)
    saved = sealed.draft_data(draft) if draft else {}
    locked = dataforms.locked_values(app_form, user)
    from_registries: dict[str, sharing.PrefilledValue] = {}
    if not saved:
        organisation = draft.organisation if draft else None
        saved = dataforms.prefill(app_form, user, organisation)
        # Values the base registries hold (预填), each marked with its source to confirm.
        from_registries = sharing.prefilled_values(
            [f.code for f in app_form.fields if f.code not in saved and f.code not in locked],
            sharing.Applicant(user, organisation),
        )
        saved.update({code: value.value for code, value in from_registries.items()})
    upload_errors: dict[str, list[str]] = {}
    shared_errors: dict[str, list[str]] = {}
    fetch_down: set[str] = set()
    if request.method == "POST" and not gap and draft is not None:
        form = ApplicationDjangoForm(app_form, request.POST, locked=locked)
        for material in materials.required_materials(target):
            upload = request.FILES.get(f"material_{material.code}")
            if upload is None and request.POST.get(f"use_licence_{material.code}"):
                try:
                    materials.use_held_licence(draft, material.code, actor=user)
                except ValidationError as exc:
                    for field, msgs in exc.message_dict.items():
                        upload_errors.setdefault(field, []).extend(msgs)
                continue
            if upload is None:
                continue
            try:
                materials.upload_material(draft, material.code, upload, actor=user)
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    upload_errors.setdefault(field, []).extend(msgs)
        draft_errors = services.save_draft(draft, form.raw_values(), actor=user)
        if "submit" in request.POST and not upload_errors:
            try:
                case = services.submit(
                    draft,
                    actor=user,
                    idempotency_key=request.POST.get("idempotency_key", "")[:64]
                    or uuid.uuid4().hex,
                    fetch_later=[
                        m.code
                        for m in materials.required_materials(target)
                        if request.POST.get(f"fetch_later_{m.code}")
                    ],
                )
            except ValidationError as exc:
                if isinstance(exc, sharing.SharingRefused):
                    # The reason stands beside the material too, with its upload field.
                    fetch_down = exc.down
                    for key, msgs in exc.message_dict.items():
                        if key.startswith("material_"):
                            shared_errors[key] = msgs
                form.put_errors(exc.message_dict)
            else:
                return redirect("cases:submitted", number=case.number)
        elif not upload_errors:
            if draft_errors:
                form.put_errors(draft_errors)
            messages.info(request, _("Your draft was saved. You can come back to it later."))
            if not draft_errors:
                return redirect(request.path)
        for msgs in upload_errors.values():
            for msg in msgs:
                form.add_error(None, msg)
    else:
        form = ApplicationDjangoForm(
            app_form, initial=ApplicationDjangoForm.initial_from(app_form, saved), locked=locked
        )
    by_code = app_form.by_code()
    for code, value in from_registries.items():
        bound = form.fields.get(by_code[code].html_name) if code in by_code else None
        if bound is not None:
            note = _("From %(source)s: check it, and correct it if it is wrong.") % {
                "source": value.source_label
            }
            bound.help_text = f"{bound.help_text} {note}".strip()
    uploads = materials.current_materials(draft=draft) if draft else {}
    offers = materials.material_offers(user, target, draft.organisation if draft else None)
    sources = sharing.fetchable(target)
    return render(
        request,
        "cases/apply.html",
        {
            "target": target,
            "kind": kind,
            "form": form,
            "app_form": app_form,
            "locked": [
                (f.label, dataforms.mask_value(f.element, locked[f.code]))
                for f in app_form.fields
                if f.code in locked
            ],
            # (material, its upload, a held licence offered, its sharing source, errors)
            "materials": [
                (
                    m,
                    upload,
                    offers.get(m.code),
                    sources.get(m.code),
                    {**shared_errors, **upload_errors}.get(f"material_{m.code}", []),
                )
                for m, upload in _materials_context(target, uploads)
            ],
            "fetch_down": fetch_down,
            "gap": gap,
            "required_level": required_assurance_of(target),
            "idempotency_key": f"{draft.pk}-{draft.revision}" if draft else uuid.uuid4().hex,
            "items": services.target_items(target),
            "max_mb": materials.MAX_MATERIAL_BYTES // (1024 * 1024),
            "upload_errors": upload_errors,
        },
    )


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = Case.objects.filter(applicant=user).prefetch_related("subcases")
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    drafts = user.drafts.select_related("item", "bundle").order_by("-updated_at")
    return render(request, "cases/my_cases.html", {"page": page, "drafts": drafts})


def _case_context(case: Case, *, public_only: bool) -> dict[str, Any]:
    subs = list(
        case.subcases.select_related("item", "department").prefetch_related("pauses").order_by("pk")
    )
    events = CaseEvent.objects.filter(case=case).select_related("subcase__item", "actor")
    if public_only:
        events = events.filter(public=True)
    corrections = CorrectionNotice.objects.filter(subcase__case=case, resolved_at__isnull=True)
    return {
        "case": case,
        "subcases": subs,
        # Each matter's own promise is read in the templates: ``{{ sub|promise }}``.
        "case_promise": clocks.case_promise(subs),
        "events": events,
        "open_corrections": corrections.select_related("subcase__item", "subcase__department"),
    }


@login_required
def submitted(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation after submitting: the case number, what happens next and by when."""
    case = get_object_or_404(Case, number=number, applicant=_user(request))
    if case.status in {CaseStatus.COMPLETED, CaseStatus.WITHDRAWN}:
        return redirect("cases:my_case", number=case.number)
    subs = list(
        case.subcases.select_related("item", "department").prefetch_related("pauses").order_by("pk")
    )
    return render(
        request,
        "cases/submitted.html",
        {
            "case": case,
            "subcases": subs,
            "case_promise": clocks.case_promise(subs),
            "acceptance_days": clocks.ACCEPTANCE_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    case = get_object_or_404(Case, number=number, applicant=user)
    errors: list[str] = []
    if request.method == "POST":
        for key in request.FILES:
            upload = request.FILES.get(key)
            if upload is None or not key.startswith("material_"):
                continue
            try:
                materials.upload_case_material(
                    case, key.removeprefix("material_"), upload, actor=user
                )
            except ValidationError as exc:
                errors.extend(m for msgs in exc.message_dict.values() for m in msgs)
        if not errors and "resubmit" in request.POST:
            try:
                actions.resubmit_correction(
                    case, {}, actor=user, note=request.POST.get("note", "")[:2000]
                )
            except ValidationError as exc:
                errors.extend(m for msgs in exc.message_dict.values() for m in msgs)
            else:
                messages.success(request, _("Your correction was sent to the department."))
                return redirect("cases:my_case", number=case.number)
    ctx = _case_context(case, public_only=True)
    target = case.bundle or case.item
    ctx.update(
        {
            "errors": errors,
            # The applicant's own values, in full (resident ID numbers stay masked).
            "data": _display_data(case, reveal=True),
            "materials": _materials_context(target, materials.current_materials(case=case))
            if target
            else [],
            "files": _applicant_files(case, user),
            "shared_materials": _shared_names(case, list(case.shared_materials.all())),
            "correction": materials.correction_requests(case),
            "may_withdraw": services.withdrawal_problem(case, user) is None,
        }
    )
    return render(request, "cases/my_case.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """Withdraw an application (撤回申请): a confirmation page with an optional reason."""
    user = _user(request)
    case = get_object_or_404(Case, number=number, applicant=user)
    problem = services.withdrawal_problem(case, user)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            services.withdraw(case, actor=user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Your application was withdrawn."))
            return redirect("cases:my_case", number=case.number)
    return render(request, "cases/withdraw.html", {"case": case, "form": form, "problem": problem})


@dataclass(frozen=True)
class _File:
    """One file of a case as its applicant sees it."""

    upload: UploadedMaterial
    material_name: str
    may_download: bool


def _applicant_files(case: Case, user: User) -> list[_File]:
    """The files of ``case`` as the applicant submitted them (the current ones), each with
    its material's name and whether ``user`` may download it."""
    target = case.bundle or case.item
    names = {m.code: m.name for m in materials.required_materials(target)} if target else {}
    visible = permissions.visible_material_codes(user, case)
    return [
        _File(
            upload=row,
            material_name=names.get(row.material_code, row.material_code),
            may_download=row.material_code in visible and not row.licence_number,
        )
        for row in UploadedMaterial.objects.filter(case=case, superseded=False)
    ]


def _display_data(
    case: Case, *, reveal: bool, departments: set[int] | None = None
) -> list[tuple[str, str, bool]]:
    """(label, value, personal) rows of the form data; personal values masked unless
    ``reveal`` (the applicant's own page: every value submitted, in full, including those
    of questions the form no longer asks; only resident ID numbers stay masked, as on every
    page of the platform). With ``departments``, only the data elements
    officials of those departments see (``permissions.element_codes_for``: their items'
    own, and the shared ones for the bundle's lead), not the whole bundle (data
    minimisation)."""
    target = case.bundle or case.item
    if target is None:
        return []
    app_form = dataforms.build_form(target)
    shown_codes = (
        None
        if departments is None
        else permissions.element_codes_for(case, departments, form=app_form)
    )
    values = sealed.case_data(case)
    fields = [f for f in app_form.fields if f.code in values]
    if reveal and departments is None:
        asked = {f.code for f in fields}
        rest = [code for code in values if code not in asked]
        elements = {e.code: e for e in DataElement.objects.filter(code__in=rest)}
        fields += [
            dataforms.FormField(element=elements[code], required=False)
            for code in rest
            if code in elements
        ]
    rows = []
    for f in fields:
        if shown_codes is not None and f.code not in shown_codes:
            continue
        value = values[f.code]
        if isinstance(value, bool):
            value = pgettext("answer", "Yes") if value else pgettext("answer", "No")
        elif f.element.data_type == DataType.CHOICE:
            value = dict(f.choice_options).get(str(value), value)
        full = reveal and f.element.data_type != DataType.ID_NUMBER
        shown = str(value) if full else dataforms.mask_value(f.element, value)
        rows.append((f.label, shown, f.element.personal))
    return rows


@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    case = get_object_or_404(Case, number=number)
    if not permissions.can_view_case(_user(request), case):
        raise Http404
    pdf = receipts.application_receipt(case, request.build_absolute_uri(reverse("cases:status")))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{case.number}.pdf"'
    return response


@require_http_methods(["GET"])
def status(request: HttpRequest) -> HttpResponse:
    """Public status page: case number + query code, no login (the QR code leads here)."""
    form = StatusLookupForm(request.GET or None)
    case = None
    if request.GET and form.is_valid():
        decision = rate_limit_hit(
            "case-status", client_address(request), STATUS_LOOKUPS_PER_MINUTE, 60
        )
        if not decision.allowed:
            response = render(
                request, "core/429.html", {"retry_after": decision.retry_after}, status=429
            )
            response["Retry-After"] = str(decision.retry_after)
            return response
        number = form.cleaned_data["number"].strip()
        code = form.cleaned_data["code"].strip().upper()
        case = Case.objects.filter(number=number, query_code=code).first()
        if case is None:
            form.add_error(
                None,
                _("No case matches this case number and query code. Check both on your receipt."),
            )
    ctx: dict[str, Any] = {"form": form}
    if case is not None:
        ctx.update(_case_context(case, public_only=True))
    return render(request, "cases/status.html", ctx)


@login_required
def material(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = get_object_or_404(UploadedMaterial, pk=pk)
    if not permissions.can_download(_user(request), row):
        raise Http404
    try:
        stream = materials.open_material(row)
    except FileNotFoundError:
        raise Http404 from None
    suffix = PurePosixPath(row.storage_name).suffix
    response = FileResponse(stream, content_type=row.content_type)
    response["Content-Disposition"] = f'attachment; filename="{row.material_code}{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- officials ----------------------------------------------------------------------------


def _materials_for(work: WorkItem, departments: set[int]) -> list[UploadedMaterial]:
    """The case's current files officials of ``departments`` see
    (``permissions.material_codes_for``), each with its material name."""
    case = work.case
    codes = permissions.material_codes_for(case, departments)
    target = case.bundle or case.item
    names = {m.code: m.name for m in materials.required_materials(target)} if target else {}
    rows = UploadedMaterial.objects.filter(case=case, superseded=False, material_code__in=codes)
    files = list(rows)
    for m in files:
        m.material_name = names.get(m.material_code, m.material_code)  # type: ignore[attr-defined]
    return files


def _shared_for(work: WorkItem, departments: set[int]) -> list[tuple[str, SharedMaterial]]:
    """(material name, row) of the materials fetched through sharing for the case, those
    that officials of ``departments`` see, as for the files."""
    codes = permissions.material_codes_for(work.case, departments)
    rows = SharedMaterial.objects.filter(case=work.case, material_code__in=codes)
    return _shared_names(work.case, list(rows))


def _shared_names(case: Case, rows: list[SharedMaterial]) -> list[tuple[str, SharedMaterial]]:
    """(material name, row) for ``rows`` of ``case`` (the catalogue's name of each code)."""
    if not rows:
        return []
    target = case.bundle or case.item
    names = {m.code: m.name for m in materials.required_materials(target)} if target else {}
    return [(names.get(r.material_code, r.material_code), r) for r in rows]


def _inbox_labels() -> dict[str, str]:
    return {
        "all": _("All open"),
        "immediate": _("Immediate"),
        "new": _("New"),
        "due_soon": _("Due soon"),
        "overdue": _("Overdue"),
        "corrections": _("Corrections returned"),
    }


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    departments = queries.inbox_departments(user)
    if not departments:
        raise Http404
    today = timezone.localdate()
    soon = calc.Clock(timezone.now(), 2).due().date  # due soon: within 2 working days
    # Due as the promise says (``clocks.promise``): a 即办件 is due the day it is accepted.
    base = queries.inbox(user).annotate(due=clocks.step_due_expression())
    filters = {
        "all": Q(),
        "immediate": clocks.immediate_q("subcase__"),
        "new": Q(kind=WorkKind.ACCEPT),
        "due_soon": Q(due__gte=today, due__lte=soon),
        "overdue": Q(due__lt=today),
        "corrections": Q(subcase__corrections__resolved_at__isnull=False),
    }
    counts = base.aggregate(
        **{name: Count("pk", filter=cond, distinct=True) for name, cond in filters.items()}
    )
    view = request.GET.get("view", "all")
    if view not in filters:
        view = "all"
    # 即办件 first: they are due the day they are accepted.
    rows = (
        base.filter(filters[view])
        .distinct()
        .order_by("-immediate", "due", "opened_at")
        .prefetch_related("subcase__pauses")
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    calendar = calc.current_calendar()  # one snapshot for the page, not one read per row
    now = timezone.now()
    for work in page.object_list:
        if work.subcase is not None:  # read once here: the page shows one snapshot
            work.promise = clocks.promise(work.subcase, now, calendar=calendar)
        if work.due and work.due > today:
            clock = calc.Clock.until(now, work.due, calendar=calendar)
            work.remaining = clock.read(now, calendar=calendar).remaining
    return render(
        request,
        "cases/inbox.html",
        {
            "page": page,
            "counts": counts,
            "view": view,
            "views": [(name, label, counts[name]) for name, label in _inbox_labels().items()],
            "departments": departments,
            "today": today,
            # Matters that wait for another department's result have no step yet: the
            # department sees what they wait for.
            "waiting": dependencies.waiting_matters([d.pk for d in departments]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_item(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    work = get_object_or_404(
        WorkItem.objects.select_related("case__bundle", "subcase", "department"), pk=pk
    )
    # 404, as for a step that does not exist: a citizen (its applicant included) or an
    # official of another department learns nothing from a sequential id.
    if not permissions.can_view_work(user, work):
        raise Http404
    form = ActionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = actions.ActionInput(
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"] or "",
                legal_basis=form.cleaned_data["legal_basis"] or "",
                corrections=form.correction_lines(),
                department=form.cleaned_data["department"],
                pause_kind=form.cleaned_data["pause_kind"] or "",
            )
            try:
                actions.act(work.pk, data, actor=user)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Done: %(action)s.")
                    % {"action": transitions.ACTION_LABELS.get(data.action, data.action)},
                )
                return redirect("cases:inbox")
        work.refresh_from_db()
    ctx = _case_context(work.case, public_only=False)
    sub: SubCase | None = work.subcase
    # This step's department only, even for an official of several departments of the case.
    step_department = permissions.work_department_id(work)
    departments = {step_department} if step_department is not None else set()
    ctx.update(
        {
            "work": work,
            "form": form,
            "actions": [
                (action, transitions.ACTION_LABELS[action])
                for action in (
                    transitions.allowed_actions(work) if permissions.can_act(user, work) else []
                )
            ],
            "may_act": permissions.can_act(user, work),
            "data": _display_data(work.case, reveal=False, departments=departments),
            "sub": sub,
            "others": [s for s in ctx["subcases"] if sub is None or s.pk != sub.pk],
            "case_materials": _materials_for(work, departments),
            "shared_materials": _shared_for(work, departments),
            "open_status": WorkStatus.OPEN,
        }
    )
    return render(request, "cases/work_item.html", ctx)
