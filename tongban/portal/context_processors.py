"""Values every page needs: elder mode, the city's name, contact phones, the main hall.

Database reads are lazy: a page that never shows the footer hall never queries for it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tongban.org.models import ServiceHall
from tongban.portal import queries

ELDER_COOKIE = "tongban_elder"
HOTLINE = "12345"


class SiteInfo:
    """Facts about the site shown in the header and footer, read at most once per request."""

    @cached_property
    def city_name(self) -> str:
        if settings.TONGBAN_CITY_NAME:
            return str(settings.TONGBAN_CITY_NAME)
        region = queries.city_region()
        return region.display_name if region else ""

    @cached_property
    def hall(self) -> ServiceHall | None:
        return queries.main_hall()

    @property
    def hotline(self) -> str:
        return HOTLINE

    @property
    def complaint_phone(self) -> str:
        return str(getattr(settings, "TONGBAN_COMPLAINT_PHONE", "") or HOTLINE)

    @property
    def icp_record(self) -> str:
        return str(getattr(settings, "TONGBAN_ICP_RECORD", ""))


def portal(request: HttpRequest) -> dict[str, Any]:
    site = SiteInfo()
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "site": site,
        "city_name": SimpleLazyObject(lambda: site.city_name),
    }
