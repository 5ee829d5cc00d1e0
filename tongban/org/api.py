"""Public JSON API of organisations: the region tree (read-only), and department schemas.

The router is mounted by ``tongban.api.api``; error responses (problem+json) and the
documentation of error statuses are added there. Names and labels follow the request
language: ``name`` is the English name when the request asks for English and one exists,
``name_zh`` is always the official Chinese name.

Schemas shared by the catalogue's router (``ChoiceOut``, ``LevelOut``, ``DepartmentRef``)
live here because the catalogue may import from ``org`` but not the other way round.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from django.db.models import Model
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator
from pydantic_core import PydanticUseDefault

from tongban.org.models import Department, DepartmentKind, Region, RegionLevel

router = Router()


# --- Shared building blocks --------------------------------------------------------------


class ChoiceOut(Schema):
    """A coded value with its label in the request language."""

    code: str
    label: str


class LevelOut(Schema):
    """A numeric coded value (e.g. the provincial online level Ⅰ–Ⅳ) with its label."""

    code: int
    label: str


class QueryParams(Schema):
    """Base of query-parameter schemas: an empty value (``?level=``) means "not given"."""

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any) -> Any:
        if value == "":
            raise PydanticUseDefault
        return value


def choice(enum: type[Enum], value: str) -> ChoiceOut:
    """``value`` of a choices enum with its translated label; unknown codes keep the code."""
    try:
        label = str(enum(value).label)  # type: ignore[attr-defined]
    except ValueError:
        label = str(value)
    return ChoiceOut(code=str(value), label=label)


def choices(enum: type[Enum], values: list[str] | None) -> list[ChoiceOut]:
    return [choice(enum, v) for v in values or []]


def localised_name(obj: Model) -> str:
    return str(obj.display_name)  # type: ignore[attr-defined]


class DepartmentRef(Schema):
    code: str
    name: str
    name_zh: str


def department_ref(dept: Department) -> DepartmentRef:
    return DepartmentRef(code=dept.code, name=localised_name(dept), name_zh=dept.name)


# --- Departments (the routes are in ``catalog.api``: they show catalogue counts) -------


class DepartmentOut(DepartmentRef):
    short_name: str
    kind: ChoiceOut
    region: str = Field(description="Division code of the department's region.")
    parent: str | None = Field(description="Code of the parent department, if any.")
    address: str
    phone: str
    website: str


def department_fields(dept: Department) -> dict:
    """Fields of ``DepartmentOut``; ``dept.parent`` must be selected with it."""
    return {
        "code": dept.code,
        "name": localised_name(dept),
        "name_zh": dept.name,
        "short_name": dept.short_name,
        "kind": choice(DepartmentKind, dept.kind),
        "region": dept.region_id,
        "parent": dept.parent.code if dept.parent is not None else None,
        "address": dept.address,
        "phone": dept.phone,
        "website": dept.website,
    }


# --- Regions -----------------------------------------------------------------------------


class RegionOut(Schema):
    code: str = Field(description="GB/T 2260 code, or the 12-digit statistical code.")
    name: str
    name_zh: str
    level: ChoiceOut
    parent: str | None


class RegionNodeOut(RegionOut):
    children: list[RegionNodeOut] = Field(default_factory=list)


class RegionListOut(Schema):
    total: int
    items: list[RegionNodeOut] = Field(
        description="Flat list, or the roots of the tree when format=tree."
    )


class RegionParams(QueryParams):
    level: RegionLevel | None = Field(None, description="Only regions of this level.")
    parent: str | None = Field(
        None,
        max_length=12,
        description="Flat: direct children of this region. Tree: the subtree below it.",
    )
    format: Literal["flat", "tree"] = Field("flat", description="flat list or nested tree")


def _region_node(region: Region) -> RegionNodeOut:
    return RegionNodeOut(
        code=region.code,
        name=localised_name(region),
        name_zh=region.name,
        level=choice(RegionLevel, region.level),
        parent=region.parent_id,
    )


def _descendants(regions: list[Region], top: str) -> list[Region]:
    """Regions below ``top`` (not ``top`` itself), in the order given."""
    children: dict[str, list[str]] = {}
    for region in regions:
        children.setdefault(region.parent_id or "", []).append(region.code)
    below: set[str] = set()
    pending = [top]
    while pending:
        for code in children.get(pending.pop(), []):
            if code not in below:
                below.add(code)
                pending.append(code)
    return [r for r in regions if r.code in below]


def _region_tree(regions: list[Region]) -> list[RegionNodeOut]:
    """Nest the regions; the roots are those whose parent is not in the list."""
    nodes = {r.code: _region_node(r) for r in regions}
    roots: list[RegionNodeOut] = []
    for region in regions:
        parent = nodes.get(region.parent_id or "")
        (parent.children if parent is not None else roots).append(nodes[region.code])
    return roots


@router.get(
    "/regions",
    response=RegionListOut,
    tags=["regions"],
    summary="Regions, flat or as a tree",
)
def list_regions(request: HttpRequest, params: Query[RegionParams]) -> RegionListOut:
    """Regions in display order, filtered by ``level`` and ``parent``.

    ``format=flat`` lists them (``parent`` = direct children); ``format=tree`` nests them
    (``parent`` = the whole subtree below it; with ``level``, only that level is kept).
    """
    if params.format == "flat":
        qs = Region.objects.all()
        if params.level:
            qs = qs.filter(level=params.level)
        if params.parent:
            qs = qs.filter(parent_id=params.parent)
        rows = [_region_node(r) for r in qs]
        return RegionListOut(total=len(rows), items=rows)
    regions = list(Region.objects.all())
    if params.parent:
        regions = _descendants(regions, params.parent)
    if params.level:
        regions = [r for r in regions if r.level == params.level]
    return RegionListOut(total=len(regions), items=_region_tree(regions))
