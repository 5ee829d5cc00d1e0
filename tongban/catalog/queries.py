"""Read side of the catalogue: what the portal and the API show.

Only published items and bundles are visible to the public. Items also carry a data
classification (``core.classification``): every read takes the reader (``user``; ``None``
means an anonymous visitor) and shows only the items that reader may see, so an INTERNAL
item never reaches an anonymous visitor or a citizen. Leaving ``user`` out is the safe
default: public items only. Every function returns querysets with the joins the pages need,
so templates never trigger a query per row.

``assurance_gap(user, item_or_bundle)`` says whether an account may apply online.
``search_catalogue(query, ...)`` is one page of items and bundles ranked together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from tongban.catalog import search
from tongban.catalog.models import (
    Audience,
    Bundle,
    BundleMember,
    ItemStatus,
    Material,
    MaterialNecessity,
    RequiredAssurance,
    ServiceItem,
    Theme,
)
from tongban.core.classification import clearance_of
from tongban.core.identifiers import normalise
from tongban.org.models import Department, Region, RegionLevel


@dataclass
class ItemFilter:
    """Filters of the catalogue page; empty values mean "any"."""

    theme: str = ""
    department: str = ""
    town: str = ""
    item_type: str = ""
    online_level: int | None = None  # at least this provincial level; 4 = fully online
    handling_type: str = ""
    audience: str = ""
    ids: list[int] | None = field(default=None)  # ranked ids from search, order kept

    def is_empty(self) -> bool:
        return not any(
            (
                self.theme,
                self.department,
                self.town,
                self.item_type,
                self.handling_type,
                self.audience,
                self.online_level,
            )
        )


def published_items(user: Any = None) -> QuerySet[ServiceItem]:
    """Published items ``user`` may see (public ones only for ``None``/anonymous)."""
    return (
        ServiceItem.objects.visible_to(user)
        .filter(status=ItemStatus.PUBLISHED)
        .select_related("department")
    )


def visible_item_q(user: Any = None, prefix: str = "") -> Q:
    """The condition "published and visible to ``user``" on items reached via ``prefix``
    (e.g. ``"items__"`` from a theme), for counts and joins."""
    return Q(
        **{
            f"{prefix}status": ItemStatus.PUBLISHED,
            f"{prefix}classification__lte": clearance_of(user),
        }
    )


def published_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(status=ItemStatus.PUBLISHED).select_related("lead_department")


def filter_items(flt: ItemFilter, user: Any = None) -> QuerySet[ServiceItem]:
    """Published items ``user`` may see matching every given filter."""
    qs = published_items(user)
    if flt.theme:
        qs = qs.filter(themes__code=flt.theme)
    if flt.department:
        qs = qs.filter(department__code=flt.department)
    if flt.town:
        qs = qs.filter(regions__code=flt.town)
    if flt.item_type:
        qs = qs.filter(item_type=flt.item_type)
    if flt.handling_type:
        qs = qs.filter(handling_type=flt.handling_type)
    if flt.audience == Audience.PERSON:
        qs = qs.filter(for_persons=True)
    elif flt.audience == Audience.ENTERPRISE:
        qs = qs.filter(for_organisations=True)
    if flt.online_level:
        qs = qs.filter(online_level__gte=flt.online_level)
    if flt.ids is not None:
        qs = qs.filter(pk__in=flt.ids)
    return qs.distinct()


def get_published_item(implementation_code: str, user: Any = None) -> ServiceItem:
    """One published item ``user`` may see, with everything its service guide shows.

    Raises ``ServiceItem.DoesNotExist`` when there is no such published item, or when
    ``user`` may not see it (the caller answers 404: its existence is not revealed).
    The code is normalised as imports store it (a pasted or full-width spelling finds it).
    """
    implementation_code = normalise(implementation_code)
    return (
        published_items(user)
        .prefetch_related(
            "materials",
            "fees",
            "steps",
            "faqs",
            "themes",
            "regions",
            Prefetch("bundles", queryset=published_bundles()),
        )
        .get(implementation_code=implementation_code)
    )


def get_published_bundle(code: str, user: Any = None) -> Bundle:
    """One published bundle with its members (in order) and departments.

    Only the members ``user`` may see are listed (an internal member stays hidden from the
    public). Raises ``Bundle.DoesNotExist``.
    """
    # A member withdrawn after the bundle was published is not offered (its guide is gone).
    members = (
        BundleMember.objects.filter(visible_item_q(user, "item__"))
        .select_related("item__department")
        .order_by("sort_order", "id")
    )
    return (
        published_bundles()
        .annotate(members_required_assurance=Max("memberships__item__required_assurance"))
        .prefetch_related(
            "partner_departments", "themes", Prefetch("memberships", queryset=members)
        )
        .get(code=code)
    )


@dataclass
class MergedMaterial:
    """A material the bundle asks for once, with the member items that need it."""

    code: str
    name: str
    necessity: str
    form: str
    copies: int
    can_be_waived: bool
    items: list[ServiceItem]
    name_en: str = ""

    @property
    def necessity_label(self) -> str:
        return str(MaterialNecessity(self.necessity).label)

    @property
    def item_names(self) -> list[str]:
        """The member items' names in the current language."""
        return [item.display_name for item in self.items]


_NECESSITY_RANK = {
    MaterialNecessity.REQUIRED: 0,
    MaterialNecessity.CONDITIONAL: 1,
    MaterialNecessity.OPTIONAL: 2,
}


def merged_materials(bundle: Bundle) -> list[MergedMaterial]:
    """The bundle's material list with materials of the same code listed once.

    Ordered by this bundle's member order, then each item's material order. A material
    required by any member is required; copies are the largest asked for. ``bundle`` comes
    from ``get_published_bundle`` (memberships prefetched).
    """
    members = [m.item for m in bundle.memberships.all()]
    position = {item.pk: n for n, item in enumerate(members)}
    by_id = {item.pk: item for item in members}
    rows = sorted(
        Material.objects.filter(item_id__in=position),
        key=lambda mat: (position[mat.item_id], mat.sort_order, mat.pk),
    )
    merged: dict[str, MergedMaterial] = {}
    for mat in rows:
        item = by_id[mat.item_id]
        entry = merged.get(mat.code)
        if entry is None:
            merged[mat.code] = MergedMaterial(
                code=mat.code, name=mat.name, necessity=mat.necessity, form=mat.form,
                copies=mat.copies, can_be_waived=mat.can_be_waived, items=[item],
                name_en=mat.name_en,
            )  # fmt: skip
            continue
        rank = _NECESSITY_RANK[MaterialNecessity(mat.necessity)]
        if rank < _NECESSITY_RANK[MaterialNecessity(entry.necessity)]:
            entry.necessity = mat.necessity
        entry.copies = max(entry.copies, mat.copies)
        entry.can_be_waived = entry.can_be_waived and mat.can_be_waived
        if item not in entry.items:
            entry.items.append(item)
    return list(merged.values())


def popular_items(limit: int = 8, user: Any = None) -> QuerySet[ServiceItem]:
    return published_items(user).order_by("-popularity", "id")[:limit]


def popular_bundles(limit: int = 6) -> QuerySet[Bundle]:
    return published_bundles().order_by("-popularity", "code")[:limit]


def themes_with_counts(audience: str | None = None, user: Any = None) -> QuerySet[Theme]:
    """Themes with the number of published items ``user`` may see."""
    qs = Theme.objects.annotate(
        item_count=Count("items", filter=visible_item_q(user, "items__"), distinct=True)
    )
    if audience:
        qs = qs.filter(audience=audience)
    return qs.order_by("audience", "sort_order", "code")


def departments_with_counts(user: Any = None) -> QuerySet[Department]:
    """Active departments with the number of published items ``user`` may see."""
    return (
        Department.objects.filter(is_active=True)
        .annotate(item_count=Count("items", filter=visible_item_q(user, "items__")))
        .order_by("sort_order", "code")
    )


def towns_with_counts(user: Any = None) -> QuerySet[Region]:
    """Towns and streets with the number of published items ``user`` may see."""
    return (
        Region.objects.filter(level__in=[RegionLevel.TOWN, RegionLevel.STREET])
        .annotate(item_count=Count("items", filter=visible_item_q(user, "items__")))
        .order_by("sort_order", "code")
    )


# --- Who may apply online ---------------------------------------------------------------------


def required_assurance_of(target: ServiceItem | Bundle) -> int:
    """The identity assurance ``target`` asks for: the item's, or a bundle's highest member's."""
    return int(target.required_assurance)


def assurance_gap(user: Any, target: ServiceItem | Bundle) -> str | None:
    """``None`` when ``user`` may start an online application for ``target`` (an item or a
    bundle); otherwise the reason, in the active language, naming the level needed.

    Only identity is checked here (the account's ``assurance_level`` against the item's
    ``required_assurance``; for a bundle the highest of its members); whether the item is
    offered online at all is the guide's business. The approval module calls this before it
    lets someone start an application.
    """
    required = required_assurance_of(target)
    if user is None or not getattr(user, "is_authenticated", False):
        if required <= RequiredAssurance.SELF_DECLARED:
            return gettext("Sign in to apply online: any account may apply for this service.")
        if required == RequiredAssurance.VERIFIED:
            return gettext(
                "Sign in to apply online: this service needs an account with a verified identity."
            )
        return gettext(
            "Sign in to apply online: this service needs an account whose identity was "
            "verified in person at a service counter."
        )
    have = int(getattr(user, "assurance_level", 0) or 0)
    if have >= required:
        return None
    if required == RequiredAssurance.VERIFIED:
        return gettext(
            "To apply online for this service you need a verified identity; your account's "
            "identity is only self-declared. Verify your identity online or at a service "
            "counter, then apply."
        )
    return gettext(
        "To apply online for this service your identity must be verified in person at a "
        "service counter. Bring your resident identity card to a service hall once; after "
        "that you can apply online."
    )


# --- Search: items and bundles together -------------------------------------------------------


@dataclass
class SearchHit:
    """One search result: an item or a bundle (``kind`` says which)."""

    kind: str
    item: ServiceItem | None = None
    bundle: Bundle | None = None

    @property
    def is_bundle(self) -> bool:
        return self.kind == search.EntryKind.BUNDLE


@dataclass
class SearchPage:
    """One page of items and bundles ranked together.

    ``total``: matches on all pages. ``tokens``: the query's words; ``highlights``: the
    words to mark (with the synonyms'). ``partial``: nothing had every word.
    """

    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    tokens: list[str] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    partial: bool = False


def search_catalogue(query: str, *, limit: int, offset: int, user: Any = None) -> SearchPage:
    """One ranked page of the published items ``user`` may see and the published bundles
    matching ``query``, with what a result list shows, in at most two queries beside the
    search. Never raises for any query text."""
    result = search.search_catalogue(query, limit=limit, offset=offset, user=user)
    item_ids = [e.pk for e in result.entries if e.kind == search.EntryKind.ITEM]
    bundle_ids = [e.pk for e in result.entries if e.kind == search.EntryKind.BUNDLE]
    items = {i.pk: i for i in published_items(user).filter(pk__in=item_ids)} if item_ids else {}
    bundles = {b.pk: b for b in published_bundles().filter(pk__in=bundle_ids)} if bundle_ids else {}
    hits: list[SearchHit] = []
    for entry in result.entries:
        if entry.kind == search.EntryKind.ITEM and entry.pk in items:
            hits.append(SearchHit(entry.kind, item=items[entry.pk]))
        elif entry.kind == search.EntryKind.BUNDLE and entry.pk in bundles:
            hits.append(SearchHit(entry.kind, bundle=bundles[entry.pk]))
    return SearchPage(
        hits=hits,
        total=result.total,
        tokens=result.tokens,
        highlights=result.highlights,
        partial=result.partial,
    )
