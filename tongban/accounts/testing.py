"""Helpers for tests of any module: sign in as someone who has given the second factor.

``client.force_login(user)`` stops at the password step for officials and administrators
once ``SecondFactorMiddleware`` is installed; ``verified_login`` also records the second
factor in the session, as the verify page does.
"""

from __future__ import annotations

import time
from typing import Any

from tongban.accounts.second_factor import SESSION_VERIFIED


def verified_login(client: Any, user: Any, kind: str = "totp") -> None:
    """Sign ``client`` in as ``user`` with both factors given."""
    client.force_login(user)
    session = client.session
    session[SESSION_VERIFIED] = {"user": user.pk, "kind": kind, "at": int(time.time())}
    session.save()
