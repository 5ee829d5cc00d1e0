"""Public JSON API of the service catalogue (read-only): items, bundles, departments,
themes and search.

The router is mounted by ``tongban.api.api``, which also turns errors into problem+json
and documents them. Only published items and bundles are visible (``catalog.queries``),
and only the items the caller may see (``core.classification``): an anonymous caller or a
citizen gets public items only (an internal item answers 404 as if it did not exist); a
signed-in official also gets internal items up to their clearance.
Coded fields carry their code and their label in the request language; ``name`` follows
the request language, ``name_zh`` is always the official Chinese name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from tongban.catalog import queries, search
from tongban.catalog.models import (
    Audience,
    Bundle,
    ExerciseLevel,
    HandlingForm,
    HandlingType,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    ProvincialLevel,
    RequiredAssurance,
    ServiceItem,
    ServiceObject,
    ServiceScope,
    Theme,
    TimeUnit,
)
from tongban.core.models import ClassificationLevel
from tongban.org.api import (
    ChoiceOut,
    DepartmentOut,
    DepartmentRef,
    LevelOut,
    QueryParams,
    RegionOut,
    choice,
    choices,
    department_fields,
    department_ref,
    localised_name,
)
from tongban.org.models import Department, RegionLevel

router = Router()

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # keeps offsets inside a 64-bit integer on every database

T = TypeVar("T", bound=Model)


# --- Query parameters --------------------------------------------------------------------


class PageParams(QueryParams):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        20, ge=1, le=MAX_PAGE_SIZE, description=f"Rows per page, at most {MAX_PAGE_SIZE}."
    )


class ItemParams(PageParams):
    theme: str | None = Field(None, max_length=40, description="Theme code.")
    department: str | None = Field(None, max_length=40, description="Department code.")
    town: str | None = Field(None, max_length=12, description="Division code of a town.")
    item_type: ItemType | None = Field(None, description="National item type code.")
    online_level: int | None = Field(
        None, ge=0, le=4, description="At least this provincial online level (4 = fully online)."
    )
    handling_type: HandlingType | None = Field(None, description="1 immediate, 2 promised.")
    audience: Audience | None = None


class BundleParams(PageParams):
    theme: str | None = Field(None, max_length=40, description="Theme code.")
    audience: Audience | None = None


class ThemeParams(QueryParams):
    audience: Audience | None = None


class SearchParams(PageParams):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = (
        Field(
            description=(
                "Words to search for: Chinese (simplified or traditional), pinyin, initials "
                "or English. Only the first 200 characters are searched."
            )
        )
    )


def _reader(request: HttpRequest) -> Any:
    """Who is asking: the signed-in account (session), or None for an anonymous caller."""
    return getattr(request, "user", None)


def _page(qs: QuerySet[T], params: PageParams) -> tuple[int, list[T]]:
    total = qs.count()
    offset = (params.page - 1) * params.page_size
    rows = list(qs[offset : offset + params.page_size]) if offset < total else []
    return total, rows


# --- Items -------------------------------------------------------------------------------


class TimeLimitOut(Schema):
    value: int
    unit: ChoiceOut
    note: str


class ItemSummaryOut(Schema):
    implementation_code: str
    basic_code: str
    name: str
    name_zh: str
    item_type: ChoiceOut
    department: DepartmentRef
    handling_type: ChoiceOut
    online_level: LevelOut = Field(description="Provincial online level derived from depth.")
    audience: list[ChoiceOut]
    promised_limit: TimeLimitOut | None
    visits_on_site: int
    url: str


class MaterialOut(Schema):
    code: str
    name: str
    necessity: ChoiceOut
    form: ChoiceOut
    source: ChoiceOut
    source_note: str
    paper_spec: str
    copies: int
    blank_form: str
    sample: str
    requirements: str
    can_be_waived: bool = Field(description="Obtainable through data sharing (免提交).")


class FeeOut(Schema):
    name: str
    standard: str
    amount_fen: int | None = Field(description="Amount in fen (1/100 yuan), when fixed.")
    basis: str
    can_reduce: bool
    reduce_basis: str


class StepOut(Schema):
    seq: int
    name: str
    description: str
    handler: str
    time_limit: str
    standard: str
    result: str


class FaqOut(Schema):
    question: str
    answer: str


class ThemeRef(Schema):
    code: str
    name: str
    name_zh: str
    audience: ChoiceOut


class BundleRef(Schema):
    code: str
    name: str
    name_zh: str
    url: str


class ResultOut(Schema):
    name: str
    type: str
    sample: str


class ItemDetailOut(ItemSummaryOut):
    required_assurance: LevelOut = Field(
        description=(
            "Identity an account needs to apply online: 1 any account (self-declared), "
            "2 a verified identity, 3 verified in person at a counter."
        )
    )
    classification: LevelOut = Field(
        description="Data classification: 1 public; 2 internal (shown to officials only)."
    )
    name_en: str
    summary: str
    exercise_level: ChoiceOut
    version: int
    acceptance_conditions: str
    legal_basis: str
    legal_limit: TimeLimitOut | None
    has_fee: bool
    fee_basis: str
    fees: list[FeeOut]
    materials: list[MaterialOut]
    steps: list[StepOut]
    faqs: list[FaqOut]
    handling_forms: list[ChoiceOut]
    visits_on_site: int
    on_site_reason: str
    location: str
    hours: str
    online_depth: list[ChoiceOut] = Field(description="National online depth codes.")
    is_fully_online: bool = Field(description="Provincial level IV (全程网办).")
    online_url: str
    mobile_url: str
    supports_appointment: bool
    supports_online_payment: bool
    supports_express: bool
    supports_kiosk: bool
    in_service_hall: bool
    scope: ChoiceOut
    quantity_limit: str
    special_procedures: str
    intermediary_services: str
    consult_phone: str
    complaint_phone: str
    service_objects: list[ChoiceOut]
    themes: list[ThemeRef]
    regions: list[RegionOut]
    result: ResultOut
    bundles: list[BundleRef]
    published_at: datetime | None
    updated_at: datetime


class ItemPageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[ItemSummaryOut]


def _time_limit(value: int | None, unit: str, note: str) -> TimeLimitOut | None:
    if value is None:
        return None
    return TimeLimitOut(value=value, unit=choice(TimeUnit, unit), note=note)


def _audience(item: ServiceItem) -> list[ChoiceOut]:
    out = []
    if item.for_persons:
        out.append(choice(Audience, Audience.PERSON))
    if item.for_organisations:
        out.append(choice(Audience, Audience.ENTERPRISE))
    return out


def _item_summary_fields(item: ServiceItem) -> dict[str, Any]:
    level = item.online_level
    return {
        "implementation_code": item.implementation_code,
        "basic_code": item.basic_code,
        "name": item.display_name,
        "name_zh": item.name,
        "item_type": choice(ItemType, item.item_type),
        "department": department_ref(item.department),
        "handling_type": choice(HandlingType, item.handling_type),
        "online_level": LevelOut(code=level, label=str(ProvincialLevel(level).label)),
        "audience": _audience(item),
        "promised_limit": _time_limit(
            item.promised_limit, item.promised_limit_unit, item.promised_limit_note
        ),
        "visits_on_site": item.visits_on_site,
        "url": reverse("api:get_item", kwargs={"implementation_code": item.implementation_code}),
    }


def item_summary(item: ServiceItem) -> ItemSummaryOut:
    """The list view of an item; ``item.department`` must be selected with it."""
    return ItemSummaryOut(**_item_summary_fields(item))


def _theme_ref(theme: Theme) -> ThemeRef:
    return ThemeRef(
        code=theme.code,
        name=localised_name(theme),
        name_zh=theme.name,
        audience=choice(Audience, theme.audience),
    )


def _bundle_ref(bundle: Bundle) -> BundleRef:
    return BundleRef(
        code=bundle.code,
        name=bundle.display_name,
        name_zh=bundle.name,
        url=reverse("api:get_bundle", kwargs={"code": bundle.code}),
    )


def _level(enum: Any, value: int) -> LevelOut:
    try:
        label = str(enum(value).label)
    except ValueError:
        label = str(value)
    return LevelOut(code=int(value), label=label)


def item_detail(item: ServiceItem) -> ItemDetailOut:
    """The full service guide of an item fetched by ``queries.get_published_item``."""
    return ItemDetailOut(
        **_item_summary_fields(item),
        required_assurance=_level(RequiredAssurance, item.required_assurance),
        classification=_level(ClassificationLevel, item.classification),
        name_en=item.name_en,
        summary=item.summary,
        exercise_level=choice(ExerciseLevel, item.exercise_level),
        version=item.version,
        acceptance_conditions=item.acceptance_conditions,
        legal_basis=item.legal_basis,
        legal_limit=_time_limit(item.legal_limit, item.legal_limit_unit, item.legal_limit_note),
        has_fee=item.has_fee,
        fee_basis=item.fee_basis,
        fees=[
            FeeOut(
                name=f.name,
                standard=f.standard,
                amount_fen=f.amount_fen,
                basis=f.basis,
                can_reduce=f.can_reduce,
                reduce_basis=f.reduce_basis,
            )
            for f in item.fees.all()
        ],
        materials=[
            MaterialOut(
                code=m.code,
                name=m.name,
                necessity=choice(MaterialNecessity, m.necessity),
                form=choice(MaterialForm, m.form),
                source=choice(MaterialSource, m.source),
                source_note=m.source_note,
                paper_spec=m.paper_spec,
                copies=m.copies,
                blank_form=m.blank_form,
                sample=m.sample,
                requirements=m.requirements,
                can_be_waived=m.can_be_waived,
            )
            for m in item.materials.all()
        ],
        steps=[
            StepOut(
                seq=s.seq,
                name=s.name,
                description=s.description,
                handler=s.handler,
                time_limit=s.time_limit,
                standard=s.standard,
                result=s.result,
            )
            for s in item.steps.all()
        ],
        faqs=[FaqOut(question=f.question, answer=f.answer) for f in item.faqs.all()],
        handling_forms=choices(HandlingForm, item.handling_forms),
        on_site_reason=item.on_site_reason,
        location=item.location,
        hours=item.hours,
        online_depth=choices(OnlineDepth, item.online_depth),
        is_fully_online=item.online_level == ProvincialLevel.IV,
        online_url=item.online_url,
        mobile_url=item.mobile_url,
        supports_appointment=item.supports_appointment,
        supports_online_payment=item.supports_online_payment,
        supports_express=item.supports_express,
        supports_kiosk=item.supports_kiosk,
        in_service_hall=item.in_service_hall,
        scope=choice(ServiceScope, item.scope),
        quantity_limit=item.quantity_limit,
        special_procedures=item.special_procedures,
        intermediary_services=item.intermediary_services,
        consult_phone=item.consult_phone,
        complaint_phone=item.complaint_phone,
        service_objects=choices(ServiceObject, item.service_objects),
        themes=[_theme_ref(t) for t in item.themes.all()],
        regions=[
            RegionOut(
                code=r.code,
                name=localised_name(r),
                name_zh=r.name,
                level=choice(RegionLevel, r.level),
                parent=r.parent_id,
            )
            for r in item.regions.all()
        ],
        result=ResultOut(name=item.result_name, type=item.result_type, sample=item.result_sample),
        bundles=[_bundle_ref(b) for b in item.bundles.all()],
        published_at=item.published_at,
        updated_at=item.updated_at,
    )


def _ordered_items(qs: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    # implementation_code is unique, so pages never overlap or skip a row.
    return qs.order_by(
        "department__sort_order", "department__code", "basic_code", "implementation_code"
    )


@router.get("/items", response=ItemPageOut, tags=["items"], summary="List service items")
def list_items(request: HttpRequest, params: Query[ItemParams]) -> ItemPageOut:
    """Published service items matching every given filter, in a stable order, a page at a time."""
    flt = queries.ItemFilter(
        theme=params.theme or "",
        department=params.department or "",
        town=params.town or "",
        item_type=params.item_type or "",
        online_level=params.online_level or None,
        handling_type=params.handling_type or "",
        audience=params.audience or "",
    )
    total, rows = _page(_ordered_items(queries.filter_items(flt, _reader(request))), params)
    return ItemPageOut(
        total=total,
        page=params.page,
        page_size=params.page_size,
        items=[item_summary(i) for i in rows],
    )


@router.get(
    "/items/{implementation_code}",
    response=ItemDetailOut,
    tags=["items"],
    summary="One service item's full guide",
)
def get_item(request: HttpRequest, implementation_code: str) -> ItemDetailOut:
    """The service guide (办事指南) of a published item; 404 when there is none (or when
    the caller may not see it)."""
    return item_detail(queries.get_published_item(implementation_code, _reader(request)))


# --- Bundles -----------------------------------------------------------------------------


class BundleSummaryOut(Schema):
    code: str
    name: str
    name_zh: str
    summary: str
    audience: ChoiceOut
    lead_department: DepartmentRef
    promised_limit: int = Field(description="Promised time limit in working days.")
    visits_on_site: int
    member_count: int
    url: str


class BundleMemberOut(Schema):
    sort_order: int
    item: ItemSummaryOut


class MergedMaterialOut(Schema):
    code: str
    name: str
    necessity: ChoiceOut
    form: ChoiceOut
    copies: int
    can_be_waived: bool
    item_names: list[str] = Field(description="Member items that ask for this material.")


class BundleDetailOut(BundleSummaryOut):
    required_assurance: LevelOut = Field(
        description="Identity needed to apply online: the highest of the member items'."
    )
    name_en: str
    location: str
    consult_phone: str
    themes: list[ThemeRef]
    partner_departments: list[DepartmentRef]
    departments: list[DepartmentRef] = Field(
        description="Every department involved: lead, partners and member items' departments."
    )
    members: list[BundleMemberOut]
    materials: list[MergedMaterialOut] = Field(
        description="Materials of all members, each listed once."
    )
    updated_at: datetime


class BundlePageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[BundleSummaryOut]


def _bundle_summary_fields(bundle: Bundle, member_count: int) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.display_name,
        "name_zh": bundle.name,
        "summary": bundle.summary,
        "audience": choice(Audience, bundle.audience),
        "lead_department": department_ref(bundle.lead_department),
        "promised_limit": bundle.promised_limit,
        "visits_on_site": bundle.visits_on_site,
        "member_count": member_count,
        "url": reverse("api:get_bundle", kwargs={"code": bundle.code}),
    }


@router.get("/bundles", response=BundlePageOut, tags=["bundles"], summary="List bundles")
def list_bundles(request: HttpRequest, params: Query[BundleParams]) -> BundlePageOut:
    """Published bundles (一件事), by code, a page at a time."""
    qs = queries.published_bundles()
    if params.audience:
        qs = qs.filter(audience=params.audience)
    if params.theme:
        qs = qs.filter(themes__code=params.theme)
    visible = queries.visible_item_q(_reader(request), "memberships__item__")
    qs = qs.annotate(member_count=Count("memberships", filter=visible, distinct=True))
    qs = qs.order_by("code")
    total, rows = _page(qs, params)
    return BundlePageOut(
        total=total,
        page=params.page,
        page_size=params.page_size,
        items=[
            BundleSummaryOut(**_bundle_summary_fields(b, b.member_count))  # type: ignore[attr-defined]
            for b in rows
        ],
    )


@router.get(
    "/bundles/{code}",
    response=BundleDetailOut,
    tags=["bundles"],
    summary="One bundle with members and merged materials",
)
def get_bundle(request: HttpRequest, code: str) -> BundleDetailOut:
    """A published bundle: members in order, departments, and the merged material list."""
    bundle = queries.get_published_bundle(code, _reader(request))
    memberships = list(bundle.memberships.all())
    partners = list(bundle.partner_departments.all())
    involved: dict[str, Department] = {bundle.lead_department.code: bundle.lead_department}
    for dept in [*partners, *(m.item.department for m in memberships)]:
        involved.setdefault(dept.code, dept)
    return BundleDetailOut(
        **_bundle_summary_fields(bundle, len(memberships)),
        required_assurance=_level(RequiredAssurance, bundle.required_assurance),
        name_en=bundle.name_en,
        location=bundle.location,
        consult_phone=bundle.consult_phone,
        themes=[_theme_ref(t) for t in bundle.themes.all()],
        partner_departments=[department_ref(d) for d in partners],
        departments=[department_ref(d) for d in involved.values()],
        members=[
            BundleMemberOut(sort_order=m.sort_order, item=item_summary(m.item)) for m in memberships
        ],
        materials=[
            MergedMaterialOut(
                code=m.code,
                name=m.name,
                necessity=choice(MaterialNecessity, m.necessity),
                form=choice(MaterialForm, m.form),
                copies=m.copies,
                can_be_waived=m.can_be_waived,
                item_names=m.item_names,
            )
            for m in queries.merged_materials(bundle)
        ],
        updated_at=bundle.updated_at,
    )


# --- Departments (org data with catalogue counts) ----------------------------------------


class DepartmentCountOut(DepartmentOut):
    item_count: int = Field(description="Number of published service items.")


class DepartmentDetailOut(DepartmentCountOut):
    description: str
    region_name: str
    items_url: str = Field(description="Where to list this department's service items.")


class DepartmentListOut(Schema):
    total: int
    items: list[DepartmentCountOut]


def _departments(user: Any = None) -> QuerySet[Department]:
    return queries.departments_with_counts(user).select_related("parent", "region")


@router.get(
    "/departments",
    response=DepartmentListOut,
    tags=["departments"],
    summary="List active departments",
)
def list_departments(request: HttpRequest) -> DepartmentListOut:
    """Every active department in display order, with its number of published items."""
    rows = [
        DepartmentCountOut(**department_fields(d), item_count=d.item_count)  # type: ignore[attr-defined]
        for d in _departments(_reader(request))
    ]
    return DepartmentListOut(total=len(rows), items=rows)


@router.get(
    "/departments/{code}",
    response=DepartmentDetailOut,
    tags=["departments"],
    summary="One department",
)
def get_department(request: HttpRequest, code: str) -> DepartmentDetailOut:
    """An active department by its short code; 404 when there is none."""
    dept = _departments(_reader(request)).get(code=code)
    return DepartmentDetailOut(
        **department_fields(dept),
        item_count=dept.item_count,  # type: ignore[attr-defined]
        description=dept.description,
        region_name=localised_name(dept.region),
        items_url=reverse("api:list_items") + f"?department={dept.code}",
    )


# --- Themes ------------------------------------------------------------------------------


class ThemeOut(ThemeRef):
    description: str
    item_count: int = Field(description="Number of published service items.")


class ThemeListOut(Schema):
    total: int
    items: list[ThemeOut]


@router.get("/themes", response=ThemeListOut, tags=["themes"], summary="List themes")
def list_themes(request: HttpRequest, params: Query[ThemeParams]) -> ThemeListOut:
    """Life events and enterprise stages, with their number of published items."""
    rows = [
        ThemeOut(
            **_theme_ref(t).model_dump(),
            description=t.description,
            item_count=t.item_count,  # type: ignore[attr-defined]
        )
        for t in queries.themes_with_counts(params.audience or None, _reader(request))
    ]
    return ThemeListOut(total=len(rows), items=rows)


# --- Search ------------------------------------------------------------------------------


MAX_SEARCH_BUNDLES = 10


class SearchPageOut(ItemPageOut):
    query: str
    tokens: list[str] = Field(description="The words the query was split into.")
    partial: bool = Field(description="No item had every word: these match some of them.")
    bundles: list[BundleSummaryOut] = Field(
        description=(
            "Published bundles (一件事) matching the query, best first, at most "
            f"{MAX_SEARCH_BUNDLES}; the same on every page. ``items`` and ``total`` count "
            "service items only."
        )
    )


@router.get("/search", response=SearchPageOut, tags=["search"], summary="Search items and bundles")
def search_items(request: HttpRequest, params: Query[SearchParams]) -> SearchPageOut:
    """Published items ranked by relevance to ``q`` (Chinese word segmentation, traditional
    characters, synonyms, pinyin; an exact name first), and the matching bundles."""
    offset = (params.page - 1) * params.page_size
    user = _reader(request)
    parsed = search.parse(params.q)
    result = search.search_items(parsed, limit=params.page_size, offset=offset, user=user)
    found = {i.pk: i for i in queries.filter_items(queries.ItemFilter(ids=list(result.ids)), user)}
    bundle_ids = search.search_bundle_ids(parsed, limit=MAX_SEARCH_BUNDLES)
    bundles: dict[int, Bundle] = {}
    if bundle_ids:
        visible = queries.visible_item_q(user, "memberships__item__")
        bundles = {
            b.pk: b
            for b in queries.published_bundles()
            .filter(pk__in=bundle_ids)
            .annotate(member_count=Count("memberships", filter=visible, distinct=True))
        }
    return SearchPageOut(
        query=params.q,
        tokens=list(result.tokens),
        partial=result.partial,
        total=result.total,
        page=params.page,
        page_size=params.page_size,
        items=[item_summary(found[pk]) for pk in result.ids if pk in found],
        bundles=[
            BundleSummaryOut(**_bundle_summary_fields(bundles[pk], bundles[pk].member_count))  # type: ignore[attr-defined]
            for pk in bundle_ids
            if pk in bundles
        ],
    )
