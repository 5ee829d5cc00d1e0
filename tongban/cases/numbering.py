"""Case numbers and query codes.

A case number is ``<city>-<yyyymmdd>-<serial>-<check>``: the city's region code, the day
of submission, a per-day serial and a Luhn check digit over the digits (docs/guide-applications.md).
The query code is six characters from an alphabet without look-alikes.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.utils import timezone

from tongban.core.identifiers import luhn_check_digit

from .models import CaseCounter

QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def city_code() -> str:
    code = str(getattr(settings, "TONGBAN_CITY_CODE", "") or "")
    if code:
        return code
    from tongban.org.models import Region, RegionLevel

    city = Region.objects.filter(level=RegionLevel.PREFECTURE).order_by("code").first()
    city = city or Region.objects.filter(parent__isnull=True).order_by("code").first()
    return city.code[:6] if city else "000000"


def next_case_number(now: dt.datetime) -> str:
    """``<city code>-<yyyymmdd>-<serial>-<check>``, e.g. ``442000-20261128-000123-7``.

    The serial counts the city's cases of the day (local time) from 1; the Luhn digit over
    the digits catches typing errors on the public status page. Unique by construction
    (the counter row is updated inside the submitting transaction) and by the database.
    """
    day = timezone.localdate(now)
    CaseCounter.objects.get_or_create(day=day)
    counter = CaseCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    body = f"{city_code()}{day:%Y%m%d}{counter.last:06d}"
    return f"{body[:-14]}-{day:%Y%m%d}-{counter.last:06d}-{luhn_check_digit(body)}"


def valid_case_number(number: str) -> bool:
    """Whether ``number`` has the case-number shape and a right Luhn digit. Raises nothing."""
    parts = number.split("-")
    # isascii: isdigit() alone also takes Arabic-Indic digits and superscripts.
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() for p in parts):
        return False
    return luhn_check_digit("".join(parts[:3])) == parts[3]


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))
