"""System checks (``tongban check``): no all-powerful superuser outside development.

Separation of duties (三员) means that system, security and audit administration are held
by different people through roles; a superuser holds all three and bypasses every
permission. ``accounts.W001`` names each active superuser when DEBUG is off; run
``tongban check --fail-level WARNING`` in deployment pipelines to make it fatal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security)
def no_superuser_outside_development(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    from tongban.accounts.models import User

    try:
        names = list(
            User.objects.filter(is_superuser=True, is_active=True)
            .order_by("username")
            .values_list("username", flat=True)[:10]
        )
    except DatabaseError:  # not migrated yet: nothing to say
        return []
    if not names:
        return []
    return [
        Warning(
            f"{len(names)} active superuser account(s) exist with DEBUG off: {', '.join(names)}.",
            hint=(
                "Give administrators the system_admin, security_admin or audit_admin role "
                "instead (one each), then remove superuser status in the admin or with "
                "`tongban shell`. See docs/security-authentication.md."
            ),
            id="accounts.W001",
        )
    ]
