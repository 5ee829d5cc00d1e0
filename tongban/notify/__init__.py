"""Notifications: in-app messages, e-mail and SMS sent after commit, and alert delivery.

Other modules call ``tongban.notify.send(recipient, code, subject, body, *, link="",
channels=("inapp", "email", "sms"), context=None)``; see ``services.send``.
"""

from __future__ import annotations

from typing import Any


def send(*args: Any, **kwargs: Any) -> Any:
    """``tongban.notify.services.send`` (imported when called: models load after apps)."""
    from tongban.notify.services import send as _send

    return _send(*args, **kwargs)
