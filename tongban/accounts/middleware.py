"""Session rules: idle and absolute timeouts, and the second factor before anything else.

Place both right after ``MessageMiddleware`` (they need the session, the user and
messages), timeouts first::

    "django.contrib.messages.middleware.MessageMiddleware",
    "tongban.accounts.middleware.SessionTimeoutMiddleware",
    "tongban.accounts.middleware.SecondFactorMiddleware",
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.accounts.second_factor import Requirement, must_have_second_factor, requirement

SESSION_LOGIN_AT = "tb_login_at"
SESSION_SEEN_AT = "tb_seen_at"
SEEN_GRANULARITY = 60  # seconds: write the session at most once a minute for activity

DEFAULT_IDLE = {"official": 30 * 60, "citizen": 2 * 3600}

#: Views an account may reach between the password and the second factor.
SECOND_FACTOR_VIEWS = frozenset(
    {
        "accounts:second_factor",
        "accounts:second_factor_key",
        "accounts:second_factor_recovery",
        "accounts:enrol_totp",
        "accounts:add_security_key",
        "accounts:logout",
        "set_language",
    }
)


def now() -> float:
    """The clock (a function, so that tests can move it)."""
    return time.time()


def idle_limit(user: Any) -> int:
    """Seconds of inactivity after which ``user`` is signed out.

    ``TONGBAN_SESSION_IDLE_SECONDS`` is either one number for everyone or a mapping with
    ``official`` (anyone who must use two factors) and ``citizen``.
    """
    configured = getattr(settings, "TONGBAN_SESSION_IDLE_SECONDS", DEFAULT_IDLE)
    if isinstance(configured, int):
        return configured
    merged = {**DEFAULT_IDLE, **configured}
    return int(merged["official" if must_have_second_factor(user) else "citizen"])


def absolute_limit() -> int:
    """Seconds after sign-in when a session ends however active it is (8 h)."""
    return int(
        getattr(settings, "TONGBAN_SESSION_ABSOLUTE_SECONDS", None) or settings.SESSION_COOKIE_AGE
    )


class SessionTimeoutMiddleware:
    """Sign out a session idle longer than ``idle_limit`` or older than ``absolute_limit``.

    The sign-in time and last activity live in the session; activity is written at most
    once a minute so that reading pages does not write the session on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            current = now()
            login_at = float(session.get(SESSION_LOGIN_AT) or current)
            seen_at = float(session.get(SESSION_SEEN_AT) or current)
            if current - seen_at > idle_limit(user) or current - login_at > absolute_limit():
                logout(request)
                messages.info(
                    request, _("You were signed out because the session ended. Sign in again.")
                )
                if not request.path.startswith("/api/"):
                    return _to(reverse("accounts:login"), request)
            else:
                if SESSION_LOGIN_AT not in session:
                    session[SESSION_LOGIN_AT] = int(login_at)
                if SESSION_SEEN_AT not in session or current - seen_at >= SEEN_GRANULARITY:
                    session[SESSION_SEEN_AT] = int(current)
        return self.get_response(request)


def _to(url: str, request: HttpRequest) -> HttpResponseRedirect:
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(url)


class SecondFactorMiddleware:
    """Between the password and the second factor, an account reaches only the
    second-factor pages (``SECOND_FACTOR_VIEWS``): every other page, the admin and the
    API send it to enrol or to verify (API calls get 401 problem+json)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_VIEWS:
            return None
        needed = requirement(request.session, user)
        if needed is Requirement.NONE:
            return None
        if request.path.startswith("/api/"):
            body = {
                "type": "urn:tongban:problem:second-factor-required",
                "title": _("Second factor required"),
                "status": 401,
                "detail": _("Finish signing in with your second factor first."),
            }
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=401,
                content_type="application/problem+json",
            )
        name = "accounts:enrol_totp" if needed is Requirement.ENROL else "accounts:second_factor"
        return _to(reverse(name), request)
