"""Values every page needs: elder mode, the city's name, contact phones, the main hall, the
marks a government website shows in its footer.

The site facts are ``portal_site`` in templates (not ``site``: Django's LoginView puts the
Sites framework's ``site`` into its context, which would hide ours on the sign-in page).
Database reads are lazy: a page that never shows the footer hall never queries for it.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tongban.org.models import ServiceHall
from tongban.org.queries import city_region
from tongban.portal import queries

ELDER_COOKIE = "tongban_elder"
HOTLINE = "12345"
ICP_REGISTER = "https://beian.miit.gov.cn/"
PSB_REGISTER = "https://beian.mps.gov.cn/#/query/webSearch"
CONAC_REGISTER = "https://bszs.conac.cn/"


class SiteInfo:
    """Facts about the site shown in the header and footer, read at most once per request."""

    @cached_property
    def city_name(self) -> str:
        if settings.TONGBAN_CITY_NAME:
            return str(settings.TONGBAN_CITY_NAME)
        region = city_region()
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
        """ICP备案号, e.g. "粤ICP备12345678号-1"; linked to the MIIT register."""
        return str(getattr(settings, "TONGBAN_ICP_RECORD", ""))

    @property
    def icp_record_url(self) -> str:
        return ICP_REGISTER

    @property
    def site_code(self) -> str:
        """网站标识码, the 10-character code the government website register assigns."""
        return str(getattr(settings, "TONGBAN_SITE_CODE", ""))

    @property
    def psb_record(self) -> str:
        """公安机关备案号, e.g. "粤公网安备44010402000001号"."""
        return str(getattr(settings, "TONGBAN_PSB_RECORD", ""))

    @property
    def psb_record_url(self) -> str:
        """The public-security register's page of this record (its digits as the code)."""
        digits = "".join(re.findall(r"\d", self.psb_record))
        if not digits:
            return ""
        return f"{PSB_REGISTER}?code={digits}"

    @property
    def party_gov_mark(self) -> bool:
        """Whether to show the 党政机关网站标识 (the site is registered as one)."""
        return bool(getattr(settings, "TONGBAN_PARTY_GOV_MARK", False))

    @property
    def party_gov_mark_url(self) -> str:
        """The registration page of this site at bszs.conac.cn (its id when configured)."""
        site_id = str(getattr(settings, "TONGBAN_PARTY_GOV_MARK_ID", ""))
        if site_id:
            return f"{CONAC_REGISTER}sitename?method=show&id={site_id}"
        return CONAC_REGISTER


def portal(request: HttpRequest) -> dict[str, Any]:
    site = SiteInfo()
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "portal_site": site,
        "city_name": SimpleLazyObject(lambda: site.city_name),
    }
