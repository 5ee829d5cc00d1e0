"""The officials' workbench (``/office/``), where staff land after signing in, and the
landing view that sends each person to their starting page.

The workbench shows what the registry (``tongban.core.nav``) holds for the user: the panels
of each app (counts, deadlines about to expire, tickets) and the links their roles open.
It knows no app: a later app appears here by registering a panel or an entry.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from tongban.accounts.models import Role
from tongban.accounts.nav import is_official, roles
from tongban.accounts.queries import departments_where
from tongban.core import nav


def _safe_next(request: HttpRequest) -> str | None:
    target = request.GET.get(REDIRECT_FIELD_NAME)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Where signing in leads (``LOGIN_REDIRECT_URL``): a safe ``next`` if given, else the
    workbench for staff (anyone holding a role, or allowed into the admin) and the personal
    space for everyone else."""
    target = _safe_next(request)
    if target:
        return redirect(target)
    if is_official(request.user):
        return redirect("portal:workbench")
    return redirect("accounts:me")


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_official(user):
        raise PermissionDenied
    held = sorted(roles(user))
    role_labels = [str(Role(code).label) for code in held if code in Role.values]
    context: dict[str, Any] = {
        "panels": nav.panels(user),
        "links": nav.links(nav.WORKBENCH, user, request.path),
        "role_labels": role_labels,
        "departments": list(departments_where(user)),
    }
    return render(request, "portal/workbench.html", context)
