"""The catalogue as an Excel workbook an administrator recognises.

Sheets (titles and column headers are part of the file format, in the words of the national
item schema, so they are not translated): 事项 (one row per item), 材料, 收费, 流程, 常见问题
(child rows keyed by 实施编码), 主题, 一件事, and 代码表 (the code lists; ignored on reading).
Multi-value cells are joined with "^" (the national ``3^4^5`` style), booleans are 是/否 and
enums are written as their codes, with a drop-down list on the column.

``read_xlsx`` returns the JSON shape of ``json_format`` with two extras the importer uses to
say where a problem is: ``"_source": "xlsx"`` and a ``"_row"`` (Excel row number) on every
record; child rows whose 实施编码 names no item land in ``"_orphans"``.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from tongban.catalog.io.exporter import export_catalogue_data
from tongban.catalog.io.json_format import (
    BOOL,
    BUNDLE_FIELDS,
    CHOICE,
    CODES,
    FAQ_FIELDS,
    FEE_FIELDS,
    FORMAT_NAME,
    FORMAT_VERSION,
    ITEM_FIELDS,
    MATERIAL_FIELDS,
    REFS,
    STEP_FIELDS,
    THEME_FIELDS,
    CatalogueFormatError,
    FieldSpec,
)
from tongban.catalog.models import (
    Audience,
    ExerciseLevel,
    HandlingForm,
    HandlingType,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    RequiredAssurance,
    ServiceObject,
    ServiceScope,
    TimeUnit,
)
from tongban.core.identifiers import normalise
from tongban.core.models import ClassificationLevel

ITEM_KEY = "_item"  # the 实施编码 column of child sheets
KEY_HEADER = "实施编码"
YES, NO = "是", "否"
CODES_SHEET = "代码表"

ITEM_HEADERS: dict[str, str] = {
    "implementation_code": "实施编码",
    "name": "事项名称",
    "name_en": "英文名称",
    "basic_code": "基本编码",
    "item_type": "事项类型",
    "department": "实施部门代码",
    "exercise_level": "行使层级",
    "status": "事项状态",
    "version": "事项版本",
    "summary": "事项概述",
    "summary_en": "事项概述（英文）",
    "acceptance_conditions": "受理条件",
    "acceptance_conditions_en": "受理条件（英文）",
    "legal_basis": "设定依据",
    "legal_basis_en": "设定依据（英文）",
    "legal_limit": "法定办结时限",
    "legal_limit_unit": "法定办结时限单位",
    "legal_limit_note": "法定办结时限说明",
    "legal_limit_note_en": "法定办结时限说明（英文）",
    "promised_limit": "承诺办结时限",
    "promised_limit_unit": "承诺办结时限单位",
    "promised_limit_note": "承诺办结时限说明",
    "promised_limit_note_en": "承诺办结时限说明（英文）",
    "handling_type": "办件类型",
    "has_fee": "是否收费",
    "fee_basis": "收费依据",
    "fee_basis_en": "收费依据（英文）",
    "handling_forms": "办理形式",
    "visits_on_site": "到办事现场次数",
    "on_site_reason": "必须现场办理原因说明",
    "on_site_reason_en": "必须现场办理原因说明（英文）",
    "location": "办理地点",
    "location_en": "办理地点（英文）",
    "hours": "办理时间",
    "hours_en": "办理时间（英文）",
    "online_depth": "网上办理深度",
    "online_url": "计算机端在线办理地址",
    "mobile_url": "移动端办理地址",
    "supports_appointment": "是否支持预约办理",
    "supports_online_payment": "是否支持网上支付",
    "supports_express": "是否支持物流快递",
    "supports_kiosk": "是否支持自助终端办理",
    "in_service_hall": "是否进驻政务大厅",
    "scope": "通办范围",
    "quantity_limit": "数量限制",
    "quantity_limit_en": "数量限制（英文）",
    "special_procedures": "特别程序",
    "special_procedures_en": "特别程序（英文）",
    "intermediary_services": "中介服务",
    "intermediary_services_en": "中介服务（英文）",
    "consult_phone": "咨询电话",
    "complaint_phone": "监督投诉电话",
    "service_objects": "服务对象",
    "themes": "主题分类",
    "regions": "办理镇街区划代码",
    "result_name": "审批结果名称",
    "result_name_en": "审批结果名称（英文）",
    "result_type": "审批结果类型",
    "result_type_en": "审批结果类型（英文）",
    "result_sample": "审批结果样本",
    "result_sample_en": "审批结果样本（英文）",
    "popularity": "热度",
    "required_assurance": "网上申办身份认证要求",
    "classification": "数据分级",
}
# Item-level problems about a whole child list name these "columns".
ITEM_COLLECTION_HEADERS = {"materials": "申请材料", "fees": "收费项目", "steps": "办理流程",
                           "faqs": "常见问题"}  # fmt: skip
MATERIAL_HEADERS: dict[str, str] = {
    ITEM_KEY: KEY_HEADER,
    "code": "材料编码",
    "name": "材料名称",
    "name_en": "材料名称（英文）",
    "necessity": "材料必要性",
    "form": "材料形式",
    "source": "来源渠道",
    "source_note": "来源渠道说明",
    "source_note_en": "来源渠道说明（英文）",
    "paper_spec": "纸质材料规格",
    "copies": "纸质材料份数",
    "blank_form": "空白表格",
    "blank_form_en": "空白表格（英文）",
    "sample": "示例样表",
    "sample_en": "示例样表（英文）",
    "requirements": "受理标准",
    "requirements_en": "受理标准（英文）",
    "can_be_waived": "可通过数据共享免提交",
    "sort_order": "排序",
}
FEE_HEADERS: dict[str, str] = {
    ITEM_KEY: KEY_HEADER,
    "name": "收费项目名称",
    "name_en": "收费项目名称（英文）",
    "standard": "收费标准",
    "standard_en": "收费标准（英文）",
    "amount_fen": "金额(分)",
    "basis": "收费依据",
    "basis_en": "收费依据（英文）",
    "can_reduce": "是否允许减免",
    "reduce_basis": "允许减免依据",
    "reduce_basis_en": "允许减免依据（英文）",
    "sort_order": "排序",
}
STEP_HEADERS: dict[str, str] = {
    ITEM_KEY: KEY_HEADER,
    "seq": "步骤序号",
    "name": "环节名称",
    "name_en": "环节名称（英文）",
    "description": "办理内容",
    "description_en": "办理内容（英文）",
    "handler": "办理人员",
    "handler_en": "办理人员（英文）",
    "time_limit": "办理时限",
    "time_limit_en": "办理时限（英文）",
    "standard": "审查标准",
    "standard_en": "审查标准（英文）",
    "result": "办理结果",
    "result_en": "办理结果（英文）",
}
FAQ_HEADERS: dict[str, str] = {
    ITEM_KEY: KEY_HEADER,
    "question": "问题",
    "question_en": "问题（英文）",
    "answer": "解答",
    "answer_en": "解答（英文）",
    "sort_order": "排序",
}
THEME_HEADERS: dict[str, str] = {
    "code": "主题代码",
    "name": "主题名称",
    "name_en": "英文名称",
    "audience": "面向对象",
    "description": "说明",
    "sort_order": "排序",
}
BUNDLE_HEADERS: dict[str, str] = {
    "code": "一件事代码",
    "name": "名称",
    "name_en": "英文名称",
    "summary": "概述",
    "summary_en": "概述（英文）",
    "audience": "面向对象",
    "lead_department": "牵头部门代码",
    "partner_departments": "配合部门代码",
    "members": "成员事项实施编码",
    "dependencies": "前置关系（前置事项编码->后续事项编码）",
    "themes": "主题分类",
    "promised_limit": "承诺办结时限(工作日)",
    "visits_on_site": "到办事现场次数",
    "location": "办理地点",
    "location_en": "办理地点（英文）",
    "consult_phone": "咨询电话",
    "status": "状态",
    "popularity": "热度",
}

# kind -> (sheet title, headers, field specs, key field that must be present)
SHEETS: dict[str, tuple[str, dict[str, str], Sequence[FieldSpec], str]] = {
    "items": ("事项", ITEM_HEADERS, ITEM_FIELDS, "implementation_code"),
    "materials": ("材料", MATERIAL_HEADERS, MATERIAL_FIELDS, ITEM_KEY),
    "fees": ("收费", FEE_HEADERS, FEE_FIELDS, ITEM_KEY),
    "steps": ("流程", STEP_HEADERS, STEP_FIELDS, ITEM_KEY),
    "faqs": ("常见问题", FAQ_HEADERS, FAQ_FIELDS, ITEM_KEY),
    "themes": ("主题", THEME_HEADERS, THEME_FIELDS, "code"),
    "bundles": ("一件事", BUNDLE_HEADERS, BUNDLE_FIELDS, "code"),
}
CHILD_KINDS = ("materials", "fees", "steps", "faqs")

# Code lists shown in the 代码表 sheet and in header comments.
CODE_LISTS: dict[str, Any] = {
    "item_type": ItemType,
    "exercise_level": ExerciseLevel,
    "status": ItemStatus,
    "legal_limit_unit": TimeUnit,
    "promised_limit_unit": TimeUnit,
    "handling_type": HandlingType,
    "handling_forms": HandlingForm,
    "online_depth": OnlineDepth,
    "scope": ServiceScope,
    "service_objects": ServiceObject,
    "necessity": MaterialNecessity,
    "form": MaterialForm,
    "source": MaterialSource,
    "audience": Audience,
    "required_assurance": RequiredAssurance,
    "classification": ClassificationLevel,
}


def sheet_title(kind: str) -> str:
    return SHEETS[kind][0] if kind in SHEETS else kind


def header_for(kind: str, field_name: str) -> str:
    if kind == "items" and field_name in ITEM_COLLECTION_HEADERS:
        return ITEM_COLLECTION_HEADERS[field_name]
    if kind not in SHEETS:
        return field_name
    return SHEETS[kind][1].get(field_name, field_name)


# --- Writing -------------------------------------------------------------------------------


def _cell_value(spec: FieldSpec | None, value: Any) -> Any:
    if value is None:
        return None
    if spec is not None and spec.kind == BOOL:
        return YES if value else NO
    if isinstance(value, list):
        return "^".join(str(v) for v in value)
    return value


def _code_hint(enum: Any) -> str:
    return "\n".join(f"{value} = {label}" for value, label in enum.choices)


def _write_sheet(
    wb: Workbook, kind: str, rows: list[dict[str, Any]], parents: list[str] | None = None
) -> None:
    title, headers, specs, _key = SHEETS[kind]
    ws = wb.create_sheet(title)
    by_name = {s.name: s for s in specs}
    fields = list(headers)
    ws.append([headers[f] for f in fields])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    for col, name in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(col)].width = max(10, len(headers[name]) * 2 + 2)
        enum = CODE_LISTS.get(name)
        spec = by_name.get(name)
        if enum is not None:
            cell.comment = Comment(_code_hint(enum), "tongban", width=300, height=200)
        last = max(len(rows) + 1, 2) + 500
        rng = f"{get_column_letter(col)}2:{get_column_letter(col)}{last}"
        if spec is not None and spec.kind == BOOL:
            dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
            dv.add(rng)
            ws.add_data_validation(dv)
        elif spec is not None and spec.kind == CHOICE and enum is not None:
            dv = DataValidation(type="list", formula1='"' + ",".join(enum.values) + '"',
                                allow_blank=True)  # fmt: skip
            dv.add(rng)
            ws.add_data_validation(dv)
    for index, row in enumerate(rows):
        values = []
        for name in fields:
            if name == ITEM_KEY:
                values.append(parents[index] if parents else "")
            else:
                values.append(_cell_value(by_name.get(name), row.get(name)))
        ws.append(values)
        # Text that starts with "=" would become a formula: lost on reading (no cached
        # value) and, worse, run by Excel on the administrator's machine. Keep it text.
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"
    # Codes such as 01 or 3^4^5 must stay text when an administrator edits them.
    for col, name in enumerate(fields, start=1):
        spec = by_name.get(name)
        if name == ITEM_KEY or (spec is not None and spec.kind in (CHOICE, CODES, REFS)):
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = "@"
    ws.freeze_panes = "B2"


def write_xlsx(data: dict[str, Any], fileobj: IO[bytes]) -> None:
    """Write a catalogue document (the JSON shape) as a workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    items = data.get("items", [])
    _write_sheet(wb, "items", items)
    for kind in CHILD_KINDS:
        rows, parents = [], []
        for item in items:
            for child in item.get(kind, []):
                rows.append(child)
                parents.append(item["implementation_code"])
        _write_sheet(wb, kind, rows, parents)
    _write_sheet(wb, "themes", data.get("themes", []))
    _write_sheet(wb, "bundles", data.get("bundles", []))
    ws = wb.create_sheet(CODES_SHEET)
    ws.append(["字段", "代码", "含义"])
    for name, enum in CODE_LISTS.items():
        header = ITEM_HEADERS.get(name) or MATERIAL_HEADERS.get(name) or THEME_HEADERS.get(name)
        for value, label in enum.choices:
            ws.append([header or name, str(value), str(label)])
    for col in ("A", "B", "C"):
        ws.column_dimensions[col].width = 24
    wb.save(fileobj)


def export_xlsx(fileobj: IO[bytes]) -> None:
    """Write the whole catalogue as a workbook."""
    write_xlsx(export_catalogue_data(), fileobj)


# --- Reading -------------------------------------------------------------------------------


def _size(fileobj: IO[bytes]) -> int:
    position = fileobj.tell()
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def check_size(fileobj: IO[bytes]) -> None:
    limit = settings.CATALOG_IMPORT_MAX_BYTES
    if _size(fileobj) > limit:
        raise CatalogueFormatError(
            _("The file is larger than %(mb)s MB; split the catalogue into smaller files.")
            % {"mb": round(limit / 1024 / 1024, 1)}
        )


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_sheet(ws: Any, kind: str) -> list[dict[str, Any]]:
    title, headers, _specs, key = SHEETS[kind]
    by_header = {header: name for name, header in headers.items()}
    rows = ws.iter_rows(values_only=True)
    first = next(rows, None)
    columns = [str(h).strip() if h is not None else "" for h in (first or ())]
    if headers[key] not in columns:
        raise CatalogueFormatError(
            _('Sheet "%(sheet)s" has no column "%(column)s" in its first row.')
            % {"sheet": title, "column": headers[key]}
        )
    mapping = [(i, by_header[h]) for i, h in enumerate(columns) if h in by_header]
    records: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=2):
        values = {name: _clean_cell(row[i]) for i, name in mapping if i < len(row)}
        if all(v is None for v in values.values()):
            continue
        record = {name: value for name, value in values.items() if value is not None}
        record["_row"] = number
        records.append(record)
    return records


# What a damaged or foreign file raises inside openpyxl and the zip and zlib modules.
DAMAGED_WORKBOOK = (
    InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
    KeyError, OSError, ValueError,
)  # fmt: skip


def read_xlsx(fileobj: IO[bytes]) -> dict[str, Any]:
    """Read a catalogue workbook into the JSON shape; ``CatalogueFormatError`` if unreadable."""
    check_size(fileobj)
    fileobj.seek(0)
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except DAMAGED_WORKBOOK as exc:
        raise CatalogueFormatError(
            _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from exc
    try:
        missing = [SHEETS[k][0] for k in SHEETS if SHEETS[k][0] not in wb.sheetnames]
        if missing:
            raise CatalogueFormatError(
                _("The workbook lacks these sheets: %(sheets)s.") % {"sheets": "、".join(missing)}
            )
        read = {kind: _read_sheet(wb[SHEETS[kind][0]], kind) for kind in SHEETS}
    except CatalogueFormatError:
        raise
    except DAMAGED_WORKBOOK as exc:
        # read_only workbooks inflate each sheet as it is read: damage shows up only here.
        raise CatalogueFormatError(
            _("The workbook is damaged and cannot be read. Save it again in Excel and retry.")
        ) from exc
    finally:
        wb.close()
    items = read["items"]
    by_code: dict[str, dict[str, Any]] = {}
    for item in items:
        for kind in CHILD_KINDS:
            item[kind] = []
        code = item.get("implementation_code")
        if code is not None:
            by_code.setdefault(normalise(str(code)), item)
    orphans: list[dict[str, Any]] = []
    for kind in CHILD_KINDS:
        for row in read[kind]:
            code = normalise(str(row.pop(ITEM_KEY, "") or ""))
            parent = by_code.get(code)
            if parent is None:
                message = gettext(
                    'No item with implementation code "%(code)s" in sheet "%(sheet)s".'
                ) % {"code": code.replace("\x00", "\ufffd"), "sheet": SHEETS["items"][0]}
                orphans.append({"sheet": SHEETS[kind][0], "row": row["_row"],
                                "field": KEY_HEADER, "message": message})  # fmt: skip
                continue
            parent[kind].append(row)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "_source": "xlsx",
        "themes": read["themes"],
        "items": items,
        "bundles": read["bundles"],
        "_orphans": orphans,
    }
