"""Sign-in and sign-out hooks: session bookkeeping for timeouts and "end all sessions"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongban.accounts import middleware, services_security
from tongban.accounts.middleware import SESSION_LOGIN_AT, SESSION_SEEN_AT
from tongban.accounts.second_factor import clear_verified


def on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """A password sign-in starts the clocks and asks for the second factor again."""
    session = getattr(request, "session", None)
    if session is None:
        return
    clear_verified(session)
    stamp = int(middleware.now())
    session[SESSION_LOGIN_AT] = stamp
    session[SESSION_SEEN_AT] = stamp
    if session.session_key is None:  # login() flushed a previous user's session
        session.save()
    services_security.record_sign_in(user, session_key=session.session_key)


def on_sign_out(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        services_security.forget_session(session.session_key)
