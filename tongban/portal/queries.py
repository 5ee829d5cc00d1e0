"""Reads the portal needs beyond ``catalog.queries``: search, ordering by rank, site facts.

Search pages go through ``tongban.catalog.queries.search_catalogue``; filtered lists rank
with ``search_ids``.
Every read takes the reader (``user``; ``None`` = anonymous): items the reader may not see
(``core.classification``) are never returned.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from tongban.catalog import search as catalog_search
from tongban.catalog.models import ServiceItem
from tongban.catalog.queries import ItemFilter, filter_items, published_items
from tongban.org.models import Department, Region, RegionLevel, ServiceHall

MAX_QUERY_LENGTH = 500
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def clean_query(raw: str) -> str:
    """The visitor's words without control characters, collapsed spaces, bounded length."""
    text = _CONTROL_CHARS.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def search_ids(query: str, user: Any = None) -> list[int]:
    """Ids of published items ``user`` may see matching ``query``, best first."""
    return catalog_search.search_ids(query, user=user)


def items_in_order(ids: list[int], user: Any = None) -> list[ServiceItem]:
    """Published items ``user`` may see with these ids, in the given order, in one query."""
    by_id = {item.pk: item for item in published_items(user).filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def filtered_ids_in_rank(flt: ItemFilter, ranked: list[int], user: Any = None) -> list[int]:
    """The ranked ids that also pass the filters (and that ``user`` may see), rank kept."""
    flt.ids = ranked
    allowed = set(filter_items(flt, user).values_list("pk", flat=True))
    return [pk for pk in ranked if pk in allowed]


def department_by_code(code: str) -> Department:
    """An active department. Raises ``Department.DoesNotExist``."""
    return Department.objects.select_related("region").get(code=code, is_active=True)


def town_by_code(code: str) -> Region:
    """A town or street. Raises ``Region.DoesNotExist``."""
    return Region.objects.get(code=code, level__in=[RegionLevel.TOWN, RegionLevel.STREET])


def halls_of(region: Region) -> QuerySet[ServiceHall]:
    return ServiceHall.objects.filter(region=region).order_by("name")


def main_hall() -> ServiceHall | None:
    """The city's main service hall, shown in the footer."""
    city = Region.objects.filter(level=RegionLevel.PREFECTURE).order_by("sort_order", "code")
    hall = ServiceHall.objects.filter(region__in=city.values("pk")).order_by("pk").first()
    return hall or ServiceHall.objects.order_by("pk").first()
