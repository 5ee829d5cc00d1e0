"""Exports of the data-resource catalogue (目录导出).

- **National core metadata** (核心元数据) of 《政务信息资源目录编制指南（试行）》
  (发改高技〔2017〕1272号 attachment): one row per resource, one column per metadata element.
  Which attribute of ours fills which element is the table ``NATIONAL_FIELDS``; an operator
  replaces it with a JSON file named by ``TONGBAN_EXCHANGE_NATIONAL_MAPPING`` (validated on
  load: ``MappingError`` names the file, the row and the key). Rendered as CSV or Excel.
- **DCAT JSON-LD**: a ``dcat:Catalog`` of ``dcat:Dataset`` (W3C DCAT 3 / DCAT-AP terms).
  ``full=False`` (the public open-data catalogue): published resources open to the public
  only, items by name only. ``full=True`` (authenticated member systems and officials):
  every resource given, with the items' share class, security grade and legal basis.
  The JSON-LD context is the vendored file ``static/exchange/dcat-context.jsonld``, embedded
  inline in every document: nothing is fetched, by us or by a consumer.

Public exports never carry legal bases, grades or items that are not shared; see
docs/exchange.md ("Catalogue exports").
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import Max
from django.utils import timezone, translation

from tongban.org.queries import city_region

from .models import (
    DataFormat,
    DataItem,
    DataResource,
    ResourceStatus,
    ShareClass,
    SyncStatus,
    UpdateFrequency,
)

MAPPING_SETTING = "TONGBAN_EXCHANGE_NATIONAL_MAPPING"
CONTEXT_PATH = Path(__file__).parent / "static" / "exchange" / "dcat-context.jsonld"
CONTEXT_STATIC = "exchange/dcat-context.jsonld"
ZH = "zh-Hans"
EN = "en"
_IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class MappingError(ImproperlyConfigured):
    """The national-metadata mapping file is missing, not JSON, or names something unknown."""


@dataclass(frozen=True)
class NationalField:
    """One metadata element of the national catalogue and where its value comes from.

    ``source`` is the name of a function in ``SOURCES`` or a dotted attribute path from
    ``DataResource`` (``department.uscc``); ``public``: the element may appear in the
    export for society (the open-data catalogue)."""

    identifier: str
    name: str
    source: str
    note: str = ""
    public: bool = True


# --- value functions (the "function name" sources) -------------------------------------------

#: 信息资源格式 of the guide for our delivery formats.
FORMAT_NAMES: dict[str, str] = {
    DataFormat.DATABASE: "数据库",
    DataFormat.API: "服务接口",
    DataFormat.FILE: "电子文件",
}
#: 更新周期 of the guide.
CYCLE_NAMES: dict[str, str] = {
    UpdateFrequency.REAL_TIME: "实时",
    UpdateFrequency.DAILY: "每日",
    UpdateFrequency.WEEKLY: "每周",
    UpdateFrequency.MONTHLY: "每月",
    UpdateFrequency.QUARTERLY: "每季度",
    UpdateFrequency.YEARLY: "每年",
    UpdateFrequency.IRREGULAR: "不定期",
}
#: 数据类型 of an information item, from the data element's type (字符型 when unknown).
DATA_TYPE_NAMES: dict[str, str] = {
    "text": "字符型C",
    "long_text": "备注型M",
    "date": "日期型D",
    "number": "数值型N",
    "choice": "字符型C",
    "yes_no": "逻辑型L",
    "id_number": "字符型C",
    "phone": "字符型C",
    "uscc": "字符型C",
    "address": "字符型C",
    "email": "字符型C",
}
SHARE_TYPE_NAMES: dict[str, str] = {
    ShareClass.UNCONDITIONAL: "无条件共享",
    ShareClass.CONDITIONAL: "有条件共享",
    ShareClass.NOT_SHARED: "不予共享",
}


def _items(resource: DataResource, *, public: bool) -> list[DataItem]:
    rows = list(resource.items.all())
    if public:
        # An item that is not shared even with departments is never shown to society.
        rows = [i for i in rows if i.share_class != ShareClass.NOT_SHARED]
    return sorted(rows, key=lambda i: (i.sort_order, i.code))


def resource_category(resource: DataResource, *, public: bool) -> str:
    return "部门信息资源目录"


def item_info(resource: DataResource, *, public: bool) -> str:
    parts = []
    for item in _items(resource, public=public):
        kind = item.element.data_type if item.element_id and item.element else "text"
        parts.append(f"{item.name}（{DATA_TYPE_NAMES.get(kind, '字符型C')}）")
    return "；".join(parts)


def share_type(resource: DataResource, *, public: bool) -> str:
    classes = {i.share_class for i in resource.items.all()}
    if not classes:
        return ""
    if classes == {ShareClass.UNCONDITIONAL}:
        return SHARE_TYPE_NAMES[ShareClass.UNCONDITIONAL]
    if classes == {ShareClass.NOT_SHARED}:
        return SHARE_TYPE_NAMES[ShareClass.NOT_SHARED]
    return SHARE_TYPE_NAMES[ShareClass.CONDITIONAL]


def share_condition(resource: DataResource, *, public: bool) -> str:
    bases: list[str] = []
    for item in _items(resource, public=public):
        basis = item.legal_basis.strip()
        if item.share_class != ShareClass.UNCONDITIONAL and basis and basis not in bases:
            bases.append(basis)
    return "；".join(bases)


def share_method(resource: DataResource, *, public: bool) -> str:
    if resource.upstream_id:
        return "共享平台方式（上级平台接口）"
    return "共享平台方式（数据共享交换平台接口）"


def open_attribute(resource: DataResource, *, public: bool) -> str:
    return "向社会开放" if resource.open_to_public else "不予开放"


def format_name(resource: DataResource, *, public: bool) -> str:
    return FORMAT_NAMES.get(resource.data_format, resource.data_format)


def update_cycle(resource: DataResource, *, public: bool) -> str:
    return CYCLE_NAMES.get(resource.update_frequency, resource.update_frequency)


def release_date(resource: DataResource, *, public: bool) -> str:
    return timezone.localdate(resource.created_at).isoformat()


Source = Callable[..., str]
SOURCES: dict[str, Source] = {
    "resource_category": resource_category,
    "item_info": item_info,
    "share_type": share_type,
    "share_condition": share_condition,
    "share_method": share_method,
    "open_attribute": open_attribute,
    "format_name": format_name,
    "update_cycle": update_cycle,
    "release_date": release_date,
}

#: The core metadata of the guide, in its order, and where each value comes from.
#: Replace it with a JSON list of the same rows (``TONGBAN_EXCHANGE_NATIONAL_MAPPING``).
NATIONAL_FIELDS: tuple[NationalField, ...] = (
    NationalField(
        "resource_category",
        "信息资源分类",
        "resource_category",
        "类、项、目、细目; tongban keeps department catalogues only: 部门信息资源目录.",
    ),
    NationalField("resource_name", "信息资源名称", "name", "The resource's Chinese name."),
    NationalField("resource_code", "信息资源代码", "code", "The catalogue code of tongban."),
    NationalField("provider", "信息资源提供方", "department.name", "The owning department."),
    NationalField(
        "provider_code",
        "信息资源提供方代码",
        "department.uscc",
        "The owning department's unified social credit code.",
    ),
    NationalField("summary", "信息资源摘要", "description", "The resource's description."),
    NationalField("resource_format", "信息资源格式", "format_name", "数据库, 服务接口, 电子文件."),
    NationalField(
        "item_info",
        "信息项信息",
        "item_info",
        "信息项名称（数据类型）; public export: items that are not shared are left out.",
    ),
    NationalField(
        "share_type",
        "共享类型",
        "share_type",
        "共享属性: 无条件 if every item is, 不予 if none is shared, else 有条件.",
    ),
    NationalField(
        "share_condition",
        "共享条件",
        "share_condition",
        "共享属性: the legal bases of the conditional and withheld items.",
        public=False,
    ),
    NationalField(
        "share_method", "共享方式", "share_method", "共享属性: through the exchange gateway."
    ),
    NationalField("open_attribute", "开放属性", "open_attribute", "Open to society or not."),
    NationalField("update_cycle", "更新周期", "update_cycle", "实时, 每日 … 每年, 不定期."),
    NationalField(
        "release_date",
        "发布日期",
        "release_date",
        "The date the catalogue entry was created (no publication date is kept).",
    ),
    NationalField(
        "related_code",
        "关联资源代码",
        "upstream_id",
        "The upstream platform's catalogue id, for resources it holds.",
    ),
)


# --- the mapping table: validation and loading -----------------------------------------------


def _check_path(path: str) -> None:
    """A dotted path of fields (through foreign keys) or, last, a property of the model."""
    model: type[models.Model] = DataResource
    parts = path.split(".")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if not part or part.startswith("_"):
            raise ValueError(f"“{path}” is not a dotted attribute path")
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            if last and isinstance(getattr(model, part, None), property):
                return
            raise ValueError(
                f"“{part}” is neither a field nor a property of {model.__name__}, "
                f"nor a function ({', '.join(sorted(SOURCES))})"
            ) from None
        if field.many_to_many or field.one_to_many:
            raise ValueError(f"“{part}” is a list of rows, not one value")
        if field.is_relation:
            if last:
                raise ValueError(f"“{part}” is a related row: name one of its fields")
            related = field.related_model
            assert isinstance(related, type)
            model = related
        elif not last:
            raise ValueError(f"“{part}” has no attributes to follow")


def validate_fields(data: Any, *, origin: str = "the mapping") -> tuple[NationalField, ...]:
    """The rows of a mapping document (a JSON list of objects), or ``MappingError``."""
    if not isinstance(data, list) or not data:
        raise MappingError(f"{origin}: expected a non-empty JSON list of rows")
    rows: list[NationalField] = []
    seen: set[str] = set()
    allowed = {"identifier", "name", "source", "note", "public"}
    for index, row in enumerate(data, start=1):
        where = f"{origin}, row {index}"
        if not isinstance(row, dict):
            raise MappingError(f"{where}: expected an object")
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise MappingError(f"{where}: unknown key “{unknown[0]}”")
        for key in ("identifier", "name", "source"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise MappingError(f"{where}: “{key}” must be a non-empty text")
        identifier = row["identifier"].strip()
        if not _IDENTIFIER_RE.match(identifier):
            raise MappingError(
                f"{where}: “identifier” must be lower-case letters, digits and underscores"
            )
        if identifier in seen:
            raise MappingError(f"{where}: “identifier” {identifier} appears twice")
        seen.add(identifier)
        note = row.get("note", "")
        if not isinstance(note, str):
            raise MappingError(f"{where}: “note” must be a text")
        public = row.get("public", True)
        if not isinstance(public, bool):
            raise MappingError(f"{where}: “public” must be true or false")
        source = row["source"].strip()
        if source not in SOURCES:
            try:
                _check_path(source)
            except ValueError as exc:
                raise MappingError(f"{where}: “source”: {exc}") from None
        rows.append(NationalField(identifier, row["name"].strip(), source, note, public))
    return tuple(rows)


@lru_cache(maxsize=4)
def _load(path: str, stamp: float) -> tuple[NationalField, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(f"{MAPPING_SETTING} = {path}: cannot read it ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MappingError(f"{MAPPING_SETTING} = {path}: not JSON ({exc})") from None
    return validate_fields(data, origin=path)


def national_fields() -> tuple[NationalField, ...]:
    """The mapping in force: the file named by the setting, else ``NATIONAL_FIELDS``."""
    path = str(getattr(settings, MAPPING_SETTING, "") or "").strip()
    if not path:
        return NATIONAL_FIELDS
    try:
        stamp = Path(path).stat().st_mtime
    except OSError as exc:
        raise MappingError(f"{MAPPING_SETTING} = {path}: cannot read it ({exc.strerror})") from None
    return _load(path, stamp)


# --- national core metadata ------------------------------------------------------------------


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _resolve(resource: DataResource, path: str) -> str:
    obj: Any = resource
    parts = path.split(".")
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return ""
    last = parts[-1]
    if isinstance(obj, models.Model):
        try:
            field = obj._meta.get_field(last)
        except FieldDoesNotExist:
            field = None
        if isinstance(field, models.Field) and field.choices:
            value = getattr(obj, last)
            labels = {str(k): str(v) for k, v in field.flatchoices}
            return labels.get(str(value), _plain(value))
    return _plain(getattr(obj, last, ""))


def fields_for(*, public: bool) -> tuple[NationalField, ...]:
    rows = national_fields()
    return tuple(f for f in rows if f.public) if public else rows


def national_catalogue(
    resources: Iterable[DataResource], *, public: bool = False
) -> list[dict[str, str]]:
    """One dict per resource, keyed by the elements' identifiers, in the mapping's order.

    ``public=True``: only published resources open to the public, and only the elements
    marked public (the export for society)."""
    fields = fields_for(public=public)
    out: list[dict[str, str]] = []
    with translation.override("zh-hans"):
        for resource in resources:
            if public and not _is_open(resource):
                continue
            row: dict[str, str] = {}
            for field in fields:
                function = SOURCES.get(field.source)
                if function is not None:
                    row[field.identifier] = function(resource, public=public)
                else:
                    row[field.identifier] = _resolve(resource, field.source)
            out.append(row)
    return out


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ would be a formula in a spreadsheet program.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def national_csv(rows: Sequence[dict[str, str]], *, public: bool = False) -> str:
    """CSV (with a byte-order mark for spreadsheet programs): the elements' Chinese names,
    then one line per resource."""
    fields = fields_for(public=public)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f.name for f in fields])
    for row in rows:
        writer.writerow([_safe_cell(row.get(f.identifier, "")) for f in fields])
    return "\ufeff" + out.getvalue()


def national_xlsx(rows: Sequence[dict[str, str]], *, public: bool = False) -> bytes:
    """An Excel workbook: one sheet 核心元数据, every cell text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fields = fields_for(public=public)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "核心元数据"
    ws.append([f.name for f in fields])
    for col, field in enumerate(fields, start=1):
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = max(12, len(field.name) * 2 + 4)
    for row in rows:
        ws.append([row.get(f.identifier, "") for f in fields])
        for cell in ws[ws.max_row]:
            cell.number_format = "@"
            if cell.data_type == "f":  # text that starts with "=" stays text
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- DCAT JSON-LD ----------------------------------------------------------------------------

#: Dublin Core collection frequencies (http://purl.org/cld/freq/) for our update frequencies.
FREQUENCY_IRIS: dict[str, str] = {
    UpdateFrequency.REAL_TIME: "freq:continuous",
    UpdateFrequency.DAILY: "freq:daily",
    UpdateFrequency.WEEKLY: "freq:weekly",
    UpdateFrequency.MONTHLY: "freq:monthly",
    UpdateFrequency.QUARTERLY: "freq:quarterly",
    UpdateFrequency.YEARLY: "freq:annual",
    UpdateFrequency.IRREGULAR: "freq:irregular",
}
ACCESS_PUBLIC = "access:PUBLIC"
ACCESS_RESTRICTED = "access:RESTRICTED"


@lru_cache(maxsize=1)
def _context_text() -> str:
    return CONTEXT_PATH.read_text(encoding="utf-8")


def dcat_context() -> dict[str, Any]:
    """The vendored JSON-LD context (a fresh copy)."""
    context = json.loads(_context_text())["@context"]
    assert isinstance(context, dict)
    return context


def _is_open(resource: DataResource) -> bool:
    return bool(resource.open_to_public and resource.status == ResourceStatus.PUBLISHED)


def _texts(zh: str, en: str) -> list[dict[str, str]]:
    out = [{"@value": zh, "@language": ZH}] if zh else []
    if en:
        out.append({"@value": en, "@language": EN})
    return out


def _when(value: datetime | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {
        "@value": timezone.localtime(value).isoformat(timespec="seconds"),
        "@type": "xsd:dateTime",
    }


def _modified(resource: DataResource) -> datetime | None:
    if hasattr(resource, "last_synced"):
        value = resource.last_synced
    else:
        value = resource.sources.filter(
            runs__status__in=[SyncStatus.OK, SyncStatus.PARTIAL, SyncStatus.UNCHANGED]
        ).aggregate(at=Max("runs__finished_at"))["at"]
    return value if isinstance(value, datetime) else None


def _city_name() -> str:
    name = str(getattr(settings, "TONGBAN_CITY_NAME", "") or "")
    if name:
        return name
    region = city_region()
    return region.name if region else ""


def _dataset(resource: DataResource, *, base: str, full: bool) -> dict[str, Any]:
    department = resource.department
    public = _is_open(resource)
    page = (
        f"{base}/open-data/{resource.code}/"
        if public
        else f"{base}/office/exchange/resources/{resource.code}/"
    )
    node: dict[str, Any] = {
        "@id": page,
        "@type": "Dataset",
        "identifier": resource.code,
        "title": _texts(resource.name, resource.name_en),
        "description": _texts(resource.description, resource.description_en),
        "publisher": {
            "@id": f"{base}/departments/{department.code}/",
            "@type": "Organization",
            "name": _texts(department.name, getattr(department, "name_en", "")),
            "identifier": department.uscc or department.code,
        },
        "issued": _when(resource.created_at),
        "modified": _when(_modified(resource)),
        "accrualPeriodicity": FREQUENCY_IRIS.get(resource.update_frequency, "freq:irregular"),
        "accessRights": ACCESS_PUBLIC if public else ACCESS_RESTRICTED,
        "landingPage": page,
    }
    items = _items(resource, public=not full)
    node["keyword"] = [{"@value": i.name, "@language": ZH} for i in items]
    node["item"] = []
    for item in items:
        entry: dict[str, Any] = {
            "@type": "DataItem",
            "identifier": item.code,
            "title": _texts(item.name, item.name_en),
        }
        if full:
            entry["shareClass"] = item.share_class
            entry["grade"] = int(item.grade)
            if item.legal_basis:
                entry["legalBasis"] = {"@value": item.legal_basis, "@language": ZH}
        node["item"].append(entry)
    if resource.upstream_id and full:
        node["upstreamId"] = resource.upstream_id
    return {k: v for k, v in node.items() if v not in (None, [], "")}


def dcat_catalogue(
    resources: Iterable[DataResource], *, base_url: str, full: bool
) -> dict[str, Any]:
    """A ``dcat:Catalog`` of the ``resources`` as JSON-LD (a dict ready for ``json.dumps``).

    ``full=False``: published resources open to the public only, without share classes,
    grades, legal bases or items that are not shared. ``base_url``: the site's origin
    (``https://zwfw.example.gov.cn``), used for the nodes' IRIs."""
    base = base_url.rstrip("/")
    site = _city_name()
    datasets = [_dataset(r, base=base, full=full) for r in resources if full or _is_open(r)]
    title_zh = f"{site}政务数据资源目录" if full else f"{site}公共数据开放目录"
    title_en = "Government data resource catalogue" if full else "Open data catalogue"
    return {
        "@context": dcat_context(),
        "@id": f"{base}/exchange/v1/catalogue" if full else f"{base}/open-data/catalogue.jsonld",
        "@type": "Catalog",
        "title": _texts(title_zh, title_en),
        "homepage": f"{base}/office/exchange/resources/" if full else f"{base}/open-data/",
        "issued": _when(timezone.now()),
        "conformsTo": "https://www.w3.org/TR/vocab-dcat-3/",
        "dataset": datasets,
    }


# --- the querysets the pages export ----------------------------------------------------------


def with_export_data(rows: models.QuerySet[DataResource]) -> models.QuerySet[DataResource]:
    """``rows`` with what the exports read, in few queries."""
    return (
        rows.select_related("department")
        .prefetch_related("items__element")
        .annotate(
            last_synced=Max(
                "sources__runs__finished_at",
                filter=models.Q(
                    sources__runs__status__in=[
                        SyncStatus.OK,
                        SyncStatus.PARTIAL,
                        SyncStatus.UNCHANGED,
                    ]
                ),
            )
        )
        .order_by("department__sort_order", "code")
    )


def open_resources() -> models.QuerySet[DataResource]:
    """Published resources open to the public."""
    return with_export_data(
        DataResource.objects.filter(open_to_public=True, status=ResourceStatus.PUBLISHED)
    )
