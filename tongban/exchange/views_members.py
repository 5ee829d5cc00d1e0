"""The data authority's pages (数据主管部门): member systems, their registration, their keys
(issued, retired, revoked) and their suspension. For the data authority only
(``queries.is_data_authority``): anonymous visitors go to the sign-in page, everyone else
gets 403, an unknown system or key is a 404.

A new key's private half is shown once, on the page that answers the form that issued it:
never stored, never cached (``Cache-Control: no-store``), and the form carries a one-time
token kept in the session, so sending it again (a reload, the back button) issues nothing
and shows nothing.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import put_errors

from . import members, queries, services
from .forms_members import IssueKeyForm, MemberFilterForm, MemberReasonForm, RegisterMemberForm
from .levels import GRADE_CEILING, KEY_CEILING, KeyProtection
from .models import MemberKey, MemberStatus, MemberSystem
from .transitions import MemberAction

View = Callable[..., HttpResponseBase]

#: Session key of the one-time tokens of issue-a-key forms: {token: member primary key}.
TOKENS = "exchange.member_key_tokens"
#: Tokens kept at once (several tabs); the oldest go first.
MAX_TOKENS = 5


def authority_only(view: View) -> View:
    """Signed in (else the sign-in page), and the data authority (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not queries.is_data_authority(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _member(code: str) -> MemberSystem:
    row = MemberSystem.objects.select_related("department", "registered_by").filter(code=code)
    found = row.first()
    if found is None:
        raise Http404
    return found


def _key(member: MemberSystem, key_id: str) -> MemberKey:
    found = member.keys.filter(key_id=key_id).first()
    if found is None:
        raise Http404
    return found


# --- the list ------------------------------------------------------------------------------


@authority_only
@require_http_methods(["GET"])
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    rows = members.member_rows(status=status)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    counts = members.status_counts()
    return render(
        request,
        "exchange/members.html",
        {
            "form": form,
            "page": page,
            "total": page.paginator.count,
            "active": counts[MemberStatus.ACTIVE],
            "suspended": counts[MemberStatus.SUSPENDED],
            "keyless": members.without_valid_key().count(),
        },
    )


# --- registering a system ------------------------------------------------------------------


def _level_table() -> list[tuple[str, list[int]]]:
    """Rows of key protections, columns of 等保 grades 1–5: the level each pair gives."""
    return [
        (str(label), [min(GRADE_CEILING[g], KEY_CEILING[value]) for g in range(1, 6)])
        for value, label in KeyProtection.choices
    ]


@authority_only
@require_http_methods(["GET", "POST"])
def member_register(request: HttpRequest) -> HttpResponse:
    form = RegisterMemberForm(request.POST or None, departments=members.member_departments())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.register_member(
                department=data["department"],
                code=data["code"],
                name=data["name"],
                name_en=data["name_en"],
                dengbao_grade=data["dengbao_grade"],
                key_protection=data["key_protection"],
                actor=request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is registered with assurance level %(level)d. Issue its key "
                    "next: the system cannot call the exchange without one."
                )
                % {"name": member.display_name, "level": member.assurance_level},
            )
            return redirect("exchange:member", member.code)
    return render(
        request,
        "exchange/member_register.html",
        {"form": form, "level_table": _level_table(), "grades": range(1, 6)},
    )


# --- one system ----------------------------------------------------------------------------


def _reason_forms(data: Any, posted: str) -> dict[str, MemberReasonForm]:
    return {
        MemberAction.SUSPEND: MemberReasonForm(
            data if posted == MemberAction.SUSPEND else None,
            prefix="suspend",
            label=_("Why the system is suspended"),
            help_text=_(
                "Kept in the system's status history, e.g. a key compromise, a lapsed "
                "protection filing, misuse of data."
            ),
        ),
        MemberAction.REACTIVATE: MemberReasonForm(
            data if posted == MemberAction.REACTIVATE else None,
            prefix="reactivate",
            label=_("Why the system may call the exchange again"),
        ),
    }


def _change_status(request: HttpRequest, member: MemberSystem, posted: str, form: Any) -> bool:
    if not form.is_valid():
        return False
    reason = form.cleaned_data["reason"]
    try:
        if posted == MemberAction.SUSPEND:
            services.suspend_member(member, actor=request.user, reason=reason)
        else:
            members.reactivate_member(member, actor=request.user, reason=reason)
    except ValidationError as exc:
        put_errors(form, exc)
        return False
    return True


@authority_only
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, code: str) -> HttpResponse:
    member = _member(code)
    posted = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _reason_forms(request.POST, posted)
    if posted:
        form = forms.get(posted)
        if form is None:
            raise Http404
        if _change_status(request, member, posted, form):
            messages.success(
                request,
                _("The system is suspended: its calls are refused from now on.")
                if posted == MemberAction.SUSPEND
                else _("The system is active again: it may call the exchange with a valid key."),
            )
            return redirect("exchange:member", member.code)
    now = timezone.now()
    states = [(key, members.key_state(key, now)) for key in member.keys.order_by("-valid_from")]
    keys = [(key, state, members.KeyState.LABELS[state]) for key, state in states]
    return render(
        request,
        "exchange/member.html",
        {
            "member": member,
            "keys": keys,
            "valid_keys": sum(1 for _key, state in states if state == members.KeyState.VALID),
            "grade_ceiling": GRADE_CEILING[member.dengbao_grade],
            "key_ceiling": KEY_CEILING[member.key_protection],
            "history": members.status_history(member),
            "forms": forms,
            "posted": posted,
            "suspended": member.status == MemberStatus.SUSPENDED,
        },
    )


# --- keys ----------------------------------------------------------------------------------


def _new_token(request: HttpRequest, member: MemberSystem) -> str:
    token = secrets.token_urlsafe(24)
    tokens = dict(request.session.get(TOKENS, {}))
    tokens[token] = member.pk
    request.session[TOKENS] = dict(list(tokens.items())[-MAX_TOKENS:])
    return token


def _spend_token(request: HttpRequest, token: str) -> int | None:
    """The member primary key ``token`` was issued for, once; ``None`` after that."""
    tokens = dict(request.session.get(TOKENS, {}))
    found = tokens.pop(token, None) if token else None
    request.session[TOKENS] = tokens
    request.session.save()  # spent before anything is issued, so a second post finds nothing
    return found if isinstance(found, int) else None


def _pem_download(pem: str) -> str:
    return "data:application/x-pem-file;base64," + base64.b64encode(pem.encode()).decode("ascii")


@authority_only
@require_http_methods(["GET", "POST"])
def member_key_new(request: HttpRequest, code: str) -> HttpResponse:
    member = _member(code)
    if request.method == "POST":
        form = IssueKeyForm(request.POST)
        token = form.data.get("token", "") if isinstance(form.data.get("token"), str) else ""
        if _spend_token(request, token) != member.pk:
            messages.error(
                request,
                _(
                    "This form was already sent, so nothing more was issued. A private key is "
                    "shown only once: if it was lost, issue a new key and revoke the old one."
                ),
            )
            return redirect("exchange:member", member.code)
        retire = bool(form.is_valid() and form.cleaned_data["retire_others"])
        issued = services.issue_member_key(member, actor=request.user, retire_others=retire)
        response = render(
            request,
            "exchange/member_key_issued.html",
            {
                "member": member,
                "key": issued.key,
                "private_pem": issued.private_pem,
                "download": _pem_download(issued.private_pem),
                "filename": f"{issued.key.key_id}.pem",
                "retired_others": retire,
            },
        )
        add_never_cache_headers(response)
        return response
    if member.status != MemberStatus.ACTIVE:
        messages.error(request, _("Reactivate the system before issuing it a key."))
        return redirect("exchange:member", member.code)
    form = IssueKeyForm(initial={"token": _new_token(request, member)})
    response = render(
        request,
        "exchange/member_key_new.html",
        {
            "member": member,
            "form": form,
            "others": member.keys.filter(valid_until__isnull=True, revoked_at__isnull=True).count(),
        },
    )
    add_never_cache_headers(response)
    return response


KEY_ACTIONS = ("retire", "revoke")


@authority_only
@require_http_methods(["GET", "POST"])
def member_key_action(request: HttpRequest, code: str, key_id: str, action: str) -> HttpResponse:
    """Confirm, then retire (rotation) or revoke (compromise) one key."""
    if action not in KEY_ACTIONS:
        raise Http404
    member = _member(code)
    key = _key(member, key_id)
    state = members.key_state(key, timezone.now())
    possible = (
        state in (members.KeyState.VALID, members.KeyState.NOT_YET)
        if action == "retire"
        else key.revoked_at is None
    )
    if not possible:
        already = (
            _("This key is already retired.")
            if action == "retire"
            else _("This key is already revoked.")
        )
        messages.error(request, already)
        return redirect("exchange:member", member.code)
    if request.method == "POST":
        if action == "retire":
            services.retire_member_key(key, actor=request.user)
            done = _("Key %(key)s is retired: calls signed with it are refused.")
        else:
            services.revoke_member_key(key, actor=request.user)
            done = _("Key %(key)s is revoked: calls signed with it are refused.")
        messages.success(request, done % {"key": key.key_id})
        return redirect("exchange:member", member.code)
    return render(
        request,
        "exchange/member_key_confirm.html",
        {
            "member": member,
            "key": key,
            "action": action,
            "state_label": members.KeyState.LABELS[state],
        },
    )
