"""Pages: public verification and keys, the holder's wallet (我的证照), officials' register."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.accounts.models import Role, User
from tongban.core import verifiable
from tongban.core.crypto import keys
from tongban.core.errors import put_errors
from tongban.core.models import KeyPurpose
from tongban.core.security import client_address, rate_limit_hit

from . import services
from .forms import LegacyIssueForm, StatusForm, VerifyForm
from .models import Licence, LicenceType
from .payload import keys_document
from .pdf import licence_pdf

VERIFICATIONS_PER_MINUTE = 30


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def verify_url(request: HttpRequest, licence: Licence) -> str:
    query = urlencode({"p": services.payload_of(licence)})
    return request.build_absolute_uri(f"{reverse('licences:verify')}?{query}")


def qr_svg(data: str) -> SafeString:
    """The QR code as inline SVG (no style attributes: strict CSP)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=4, omitsize=True, svgclass="tb-licence-qr", lineclass="tb-licence-qr__line"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup, the data is URL-encoded


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "core/429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Public: paste or scan a licence code (``?p=``), or open a shared link (``?s=``).

    Other signed documents (the acceptance notice of cases, …) are checked by the verifier
    their app registered in ``tongban.core.verifiable``, asked first; a text no verifier
    recognises is checked as a licence."""
    ctx: dict[str, Any] = {
        "form": VerifyForm(),
        "result": None,
        "document": None,
        "share_error": "",
    }
    token = request.GET.get("s", "")
    text = request.GET.get("p", "")
    if token or text:
        decision = rate_limit_hit(
            "licence-verify", client_address(request), VERIFICATIONS_PER_MINUTE, 60
        )
        if not decision.allowed:
            return _too_many(request, decision.retry_after)
    if token:
        try:
            licence = services.open_share_token(token[:500])
        except services.ShareLinkError as exc:
            ctx["share_error"] = str(exc)
        else:
            ctx["result"] = services.check(services.payload_of(licence))
            ctx["shared"] = True
    elif text:
        ctx["form"] = VerifyForm(initial={"p": text[:4096]})
        ctx["document"] = verifiable.check(text[:4096])
        if ctx["document"] is None:
            ctx["result"] = services.check(text[:4096])
    return render(request, "licences/verify.html", ctx)


@require_GET
def keys_json(request: HttpRequest) -> JsonResponse:
    """Public: the licence keys' public halves by key id (retired ones included)."""
    response = JsonResponse(
        keys_document(keys.public_keys(KeyPurpose.LICENCE)), json_dumps_params={"indent": 2}
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- the wallet ---------------------------------------------------------------------------


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    rows = services.wallet(_user(request))
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "licences/wallet.html", {"page": page})


def _held(request: HttpRequest, number: str) -> Licence:
    licence = services.held_by(_user(request), number)
    if licence is None:
        raise Http404
    return licence


@login_required
@require_GET
def wallet_detail(request: HttpRequest, number: str) -> HttpResponse:
    licence = _held(request, number)
    link = verify_url(request, licence)
    return render(
        request,
        "licences/detail.html",
        {
            "licence": licence,
            "rows": services.face_rows(licence, public_only=False),
            "qr": qr_svg(link),
            "verify_link": link,
            "share_link": request.session.pop(f"licence-share-{licence.number}", ""),
        },
    )


@login_required
@require_GET
def wallet_pdf(request: HttpRequest, number: str) -> HttpResponse:
    licence = _held(request, number)
    data = licence_pdf(licence, verify_url(request, licence))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def wallet_share(request: HttpRequest, number: str) -> HttpResponse:
    licence = _held(request, number)
    token = services.share_token(licence, actor=_user(request))
    link = request.build_absolute_uri(f"{reverse('licences:verify')}?{urlencode({'s': token})}")
    request.session[f"licence-share-{licence.number}"] = link
    messages.success(request, _("A verification link valid for 24 hours was made."))
    return redirect("licences:detail", number=licence.number)


# --- officials ----------------------------------------------------------------------------

OFFICE_ROLES = (Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER)


def _office_departments(request: HttpRequest) -> list[Any]:
    user = _user(request)
    departments = services.official_departments(user, *OFFICE_ROLES)
    if not departments:
        raise PermissionDenied
    return departments


@login_required
@require_GET
def office_list(request: HttpRequest) -> HttpResponse:
    departments = _office_departments(request)
    rows = Licence.objects.filter(department__in=departments).select_related(
        "licence_type", "department"
    )
    query = request.GET.get("q", "").strip()[:64]
    if query:
        rows = rows.filter(number__icontains=query)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    # The paper-register link is offered only to whom ``office_issue`` lets in, and only
    # when one of their issuing departments has a licence type to record.
    issuing = services.official_departments(_user(request), *services.ISSUING_ROLES)
    can_issue = bool(issuing) and LicenceType.objects.filter(department__in=issuing).exists()
    return render(
        request, "licences/office_list.html", {"page": page, "q": query, "can_issue": can_issue}
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_detail(request: HttpRequest, number: str) -> HttpResponse:
    departments = _office_departments(request)
    licence = get_object_or_404(
        Licence.objects.select_related("licence_type", "department"),
        number=number,
        department__in=departments,
    )
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = {
            "suspend": services.suspend,
            "reinstate": services.reinstate,
            "revoke": services.revoke,
        }[form.cleaned_data["action"]]
        try:
            action(licence, form.cleaned_data["reason"], actor=_user(request))
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("The licence's status was changed."))
            return redirect("licences:office_detail", number=licence.number)
    can_change = bool(
        services.official_departments(_user(request), Role.DEPARTMENT_LEADER)
        and licence.department
        in services.official_departments(_user(request), Role.DEPARTMENT_LEADER)
    )
    return render(
        request,
        "licences/office_detail.html",
        {
            "licence": licence,
            "rows": services.face_rows(licence, public_only=False),
            "form": form,
            "can_change": can_change,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_issue(request: HttpRequest) -> HttpResponse:
    """Record a licence issued before the platform (legacy register)."""
    departments = services.official_departments(_user(request), *services.ISSUING_ROLES)
    if not departments:
        raise PermissionDenied
    types = LicenceType.objects.filter(department__in=departments)
    code = request.GET.get("type", "") or request.POST.get("type", "")
    licence_type = types.filter(code=code).first() if code else None
    form = None
    if licence_type is not None:
        english = (get_language() or "").startswith("en")
        form = LegacyIssueForm(licence_type, request.POST or None, english=english)
        if request.method == "POST" and form.is_valid():
            try:
                licence = services.issue_legacy(
                    licence_type,
                    holder_id=form.cleaned_data["holder_id"],
                    holder_name=form.cleaned_data["holder_name"],
                    face=form.face(),
                    actor=_user(request),
                    issued_on=form.cleaned_data["issued_on"],
                )
            except ValidationError as exc:
                for name, msgs in exc.message_dict.items():
                    target = name if name in form.fields else f"face_{name}"
                    for msg in msgs:
                        form.add_error(target if target in form.fields else None, msg)
            else:
                messages.success(
                    request,
                    format_html(_("Licence {} was recorded and signed."), licence.number),
                )
                return redirect("licences:office_detail", number=licence.number)
    return render(
        request,
        "licences/office_issue.html",
        {"types": types, "licence_type": licence_type, "form": form},
    )
