"""Read-only questions about the organisation tree."""

from __future__ import annotations

from tongban.org.models import Region, RegionLevel


def city_region() -> Region | None:
    """The city the platform serves: the first prefecture, else the top of the tree."""
    region = Region.objects.filter(level=RegionLevel.PREFECTURE).order_by("sort_order", "code")
    return region.first() or Region.objects.filter(parent__isnull=True).order_by("code").first()
