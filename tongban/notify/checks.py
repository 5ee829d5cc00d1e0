"""System checks of notifications: e-mail and SMS need the site's address for their links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register


@register()
def site_url_for_links(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """Without ``TONGBAN_SITE_URL`` a text message or e-mail cannot link to the case it is
    about (it says "sign in to the portal" instead)."""
    if str(getattr(settings, "TONGBAN_SITE_URL", "") or "").startswith(("https://", "http://")):
        return []
    return [
        CheckWarning(
            "TONGBAN_SITE_URL is not set to an http(s) address: text messages and e-mails "
            "carry no link to the page they are about.",
            hint="Set TONGBAN_SITE_URL to the address people reach the portal at, "
            "e.g. https://zwfw.example.gov.cn",
            id="tongban.notify.W001",
        )
    ]
