"""The platform's standard data-element dictionary (数据元目录).

A city extends it in the admin; these entries are what the shipped forms use. Codes are
``<subject>.<attribute>``; ``prefill`` names the profile attribute the value comes from
(``user.*`` for the signed-in person, ``organisation.*`` for the business they act for).

Each fact has one element: a bundle's merged form asks it once, so two elements never
record the same fact of the same subject (a 个体工商户's name is ``shop.name``, never also
``enterprise.name``). ``STANDARD_BOUNDS`` says which numbers and dates are plausible; every
form using an element refuses the rest (``dataforms.clean_data``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


def _c(*pairs: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"value": v, "label": zh, "label_en": en} for v, zh, en in pairs]


# code, name, English name, type, max length, prefill, choices, hint (zh), hint (en)
STANDARD_ELEMENTS: list[tuple[str, str, str, str, int, str, list[dict[str, str]], str, str]] = [
    ("applicant.name", "申请人姓名", "Applicant's name", "text", 60, "user.real_name", [], "", ""),
    (
        "applicant.id_number",
        "申请人身份证号码",
        "Applicant's resident ID number",
        "id_number",
        18,
        "user.id_number",
        [],
        "18位居民身份证号码",
        "The 18-character resident ID number",
    ),
    (
        "applicant.phone",
        "联系电话",
        "Mobile number",
        "phone",
        11,
        "user.phone",
        [],
        "用于接收办理进度短信",
        "For progress messages by SMS",
    ),
    ("applicant.email", "电子邮箱", "E-mail address", "email", 254, "user.email", [], "", ""),
    (
        "applicant.address",
        "通讯地址",
        "Postal address",
        "address",
        200,
        "",
        [],
        "证照和文书寄送地址",
        "Where licences and documents are posted",
    ),
    (
        "application.reason",
        "申请事由",
        "Reason for the application",
        "long_text",
        1000,
        "",
        [],
        "",
        "",
    ),
    (
        "enterprise.name",
        "企业名称",
        "Business name",
        "text",
        100,
        "organisation.name",
        [],
        "设立登记时填写自主申报的名称",
        "For a new business, the name you reserved",
    ),
    (
        "enterprise.uscc",
        "统一社会信用代码",
        "Unified social credit code",
        "uscc",
        18,
        "organisation.uscc",
        [],
        "",
        "",
    ),
    (
        # A company's form: a 个体工商户 or 个人独资企业 is registered by other items, and has
        # an operator (经营者) or investor (投资人), not a legal representative.
        "enterprise.type",
        "公司类型",
        "Type of company",
        "choice",
        20,
        "",
        _c(
            ("llc", "有限责任公司", "Limited liability company"),
            ("joint_stock", "股份有限公司", "Joint-stock company"),
        ),
        "",
        "",
    ),
    (
        "enterprise.address",
        "住所（经营场所）",
        "Registered address",
        "address",
        200,
        "organisation.address",
        [],
        "",
        "",
    ),
    (
        "enterprise.registered_capital",
        "注册资本（万元）",
        "Registered capital (10,000 yuan)",
        "number",
        20,
        "",
        [],
        "",
        "",
    ),
    (
        "enterprise.business_scope",
        "经营范围",
        "Business scope",
        "long_text",
        2000,
        "organisation.business_scope",
        [],
        "",
        "",
    ),
    (
        "enterprise.legal_representative",
        "法定代表人",
        "Legal representative",
        "text",
        60,
        "organisation.legal_representative",
        [],
        "",
        "",
    ),
    ("enterprise.employees", "从业人数", "Number of employees", "number", 10, "", [], "", ""),
    (
        "tax.taxpayer_type",
        "纳税人类型",
        "Taxpayer type",
        "choice",
        20,
        "",
        _c(
            ("small", "小规模纳税人", "Small-scale taxpayer"),
            ("general", "一般纳税人", "General taxpayer"),
        ),
        "",
        "",
    ),
    (
        "tax.invoice_type",
        "申领发票种类",
        "Invoice type",
        "choice",
        20,
        "",
        _c(
            ("ordinary", "增值税普通发票（电子）", "Ordinary VAT e-invoice"),
            ("special", "增值税专用发票（电子）", "Special VAT e-invoice"),
        ),
        "",
        "",
    ),
    (
        "seal.count",
        "刻制印章数量",
        "Number of seals",
        "number",
        3,
        "",
        [],
        "公章、财务章、发票专用章等",
        "Company, finance and invoice seals",
    ),
    (
        "social.start_month",
        "参保起始月份",
        "Insurance starts in (month)",
        "text",
        7,
        "",
        [],
        "例如 2026-12",
        "For example 2026-12",
    ),
    (
        "gjj.deposit_rate",
        "公积金缴存比例（%）",
        "Housing fund contribution rate (%)",
        "number",
        5,
        "",
        [],
        "5%—12%",
        "5% to 12%",
    ),
    ("child.name", "新生儿姓名", "Baby's name", "text", 60, "", [], "", ""),
    (
        "child.sex",
        "新生儿性别",
        "Baby's sex",
        "choice",
        10,
        "",
        _c(
            ("m", "男", "Male"),
            ("f", "女", "Female"),
        ),
        "",
        "",
    ),
    ("child.birth_date", "出生日期", "Date of birth", "date", 10, "", [], "", ""),
    ("child.birth_place", "出生医院", "Hospital of birth", "text", 100, "", [], "", ""),
    ("mother.name", "母亲姓名", "Mother's name", "text", 60, "", [], "", ""),
    (
        "mother.id_number",
        "母亲身份证号码",
        "Mother's resident ID number",
        "id_number",
        18,
        "",
        [],
        "",
        "",
    ),
    ("father.name", "父亲姓名", "Father's name", "text", 60, "", [], "", ""),
    (
        "father.id_number",
        "父亲身份证号码",
        "Father's resident ID number",
        "id_number",
        18,
        "",
        [],
        "",
        "",
    ),
    (
        "household.address",
        "落户地址",
        "Household registration address",
        "address",
        200,
        "",
        [],
        "",
        "",
    ),
    # An individual business (个体工商户): its name, premises and operator. One element per
    # fact: the name on the licence is the shop's name, its premises its address.
    (
        "shop.name",
        "个体工商户名称（字号）",
        "Business name",
        "text",
        100,
        "",
        [],
        "营业执照、招牌使用同一名称",
        "The one name on the business licence and the signboard",
    ),
    (
        "shop.address",
        "经营场所",
        "Place of business",
        "address",
        200,
        "",
        [],
        "营业执照和各项许可证载明的经营地址",
        "The address on the business licence and every permit",
    ),
    (
        "operator.name",
        "经营者姓名",
        "Operator's name",
        "text",
        60,
        "user.real_name",
        [],
        "个体工商户的经营者",
        "The person who runs the individual business",
    ),
    ("shop.area", "经营面积（平方米）", "Floor area (m²)", "number", 10, "", [], "", ""),
    (
        "food.category",
        "食品经营项目",
        "Food business category",
        "choice",
        20,
        "",
        _c(
            ("hot", "热食类食品制售", "Hot food"),
            ("cold", "冷食类食品制售", "Cold food"),
            ("drinks", "自制饮品制售", "Drinks"),
        ),
        "",
        "",
    ),
    ("drainage.volume", "日排水量（立方米）", "Daily discharge (m³)", "number", 10, "", [], "", ""),
    (
        "signboard.size",
        "招牌尺寸",
        "Signboard size",
        "text",
        60,
        "",
        [],
        "长×高，单位米",
        "Width × height in metres",
    ),
    (
        "staff.count",
        "食品从业人员人数",
        "Number of food workers",
        "number",
        5,
        "",
        [],
        "每人须持有效健康证明",
        "Each needs a valid health certificate",
    ),
    ("vehicle.licence_number", "驾驶证号", "Driving licence number", "text", 20, "", [], "", ""),
    (
        "travel.destination",
        "前往地区",
        "Destination",
        "choice",
        10,
        "",
        _c(
            ("hk", "香港", "Hong Kong"),
            ("mo", "澳门", "Macao"),
        ),
        "",
        "",
    ),
    (
        "travel.purpose",
        "出行事由",
        "Purpose of travel",
        "choice",
        20,
        "",
        _c(
            ("tourism", "旅游", "Tourism"),
            ("business", "商务", "Business"),
            ("family", "探亲", "Family visit"),
        ),
        "",
        "",
    ),
    (
        "certificate.purpose",
        "开具用途",
        "What the certificate is for",
        "text",
        100,
        "",
        [],
        "例如 出国留学、就业",
        "For example studying abroad, employment",
    ),
    ("employment.employer", "就业单位", "Employer", "text", 100, "", [], "", ""),
    ("employment.start_date", "就业日期", "Employment start date", "date", 10, "", [], "", ""),
    ("bank.account_bank", "开户银行", "Bank", "text", 100, "", [], "", ""),
    ("house.address", "购房地址", "Address of the home", "address", 200, "", [], "", ""),
    ("house.price", "购房总价（万元）", "Price (10,000 yuan)", "number", 12, "", [], "", ""),
    ("spouse.name", "配偶姓名", "Spouse's name", "text", 60, "", [], "", ""),
    (
        "spouse.id_number",
        "配偶身份证号码",
        "Spouse's resident ID number",
        "id_number",
        18,
        "",
        [],
        "",
        "",
    ),
    (
        "deregistration.reason",
        "注销原因",
        "Reason for closing",
        "choice",
        20,
        "",
        _c(
            ("resolution", "股东会决议解散", "Shareholders resolved to dissolve"),
            ("term", "营业期限届满", "Term of operation expired"),
            ("merger", "因合并、分立解散", "Merger or division"),
            ("revoked", "依法被吊销营业执照、责令关闭或撤销", "Licence revoked or closed by order"),
        ),
        "",
        "",
    ),
    (
        "retirement.date",
        "退休日期",
        "Date of retirement",
        "date",
        10,
        "",
        [],
        "达到法定退休年龄或经批准退休的日期",
        "When you reach the statutory retirement age or your retirement was approved",
    ),
    ("deceased.name", "逝者姓名", "Name of the deceased", "text", 60, "", [], "", ""),
    (
        "deceased.id_number",
        "逝者身份证号码",
        "Resident ID number of the deceased",
        "id_number",
        18,
        "",
        [],
        "",
        "",
    ),
    (
        "deceased.death_date",
        "死亡日期",
        "Date of death",
        "date",
        10,
        "",
        [],
        "以《居民死亡医学证明（推断）书》为准",
        "As on the medical certificate of death",
    ),
    (
        "deceased.relationship",
        "申请人与逝者关系",
        "Your relationship to the deceased",
        "choice",
        20,
        "",
        _c(
            ("spouse", "配偶", "Spouse"),
            ("child", "子女", "Child"),
            ("parent", "父母", "Parent"),
            ("other", "其他近亲属", "Other close relative"),
        ),
        "",
        "",
    ),
    (
        "disability.category",
        "残疾类别",
        "Category of disability",
        "choice",
        20,
        "",
        _c(
            ("vision", "视力残疾", "Visual"),
            ("hearing", "听力残疾", "Hearing"),
            ("physical", "肢体残疾", "Physical"),
            ("intellectual", "智力残疾", "Intellectual"),
            ("mental", "精神残疾", "Mental"),
        ),
        "",
        "",
    ),
]


#: Elements recording the same fact for different kinds of applicant: one form (a bundle's
#: merged form included) asks at most one of each group. A company has a 法定代表人 and a
#: 住所; an individual business (个体工商户) has an operator (经营者) and premises.
SAME_FACT_GROUPS: list[frozenset[str]] = [
    frozenset({"enterprise.name", "shop.name"}),
    frozenset({"enterprise.address", "shop.address"}),
    frozenset({"enterprise.legal_representative", "operator.name"}),
]


def fact_clashes(codes: list[str]) -> list[frozenset[str]]:
    """The groups of ``SAME_FACT_GROUPS`` of which ``codes`` (a form's) holds more than
    one element: the form would ask one fact twice."""
    present = set(codes)
    return [group for group in SAME_FACT_GROUPS if len(group & present) > 1]


@dataclass(frozen=True)
class Bounds:
    """What values of an element are plausible, so every form using it refuses the rest.

    Numbers: ``minimum`` and ``maximum`` (inclusive) and at most ``places`` decimal places
    (0: whole numbers). Dates, and months (``month``: text written ``YYYY-MM``):
    ``earliest`` and ``latest``, each an ISO date or ``today`` with an optional offset in
    years, months or days (``today-18y``, ``today+90d``), worked out on the day of checking.
    """

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    places: int | None = None
    earliest: str = ""
    latest: str = ""
    month: bool = False


#: For an element of a type below with no bounds of its own (one a city adds in the admin).
DEFAULT_BOUNDS: dict[str, Bounds] = {
    "number": Bounds(minimum=Decimal(0), maximum=Decimal(999_999_999), places=4),
    "date": Bounds(earliest="1900-01-01", latest="today+50y"),
}

#: The standard elements' bounds, by code.
STANDARD_BOUNDS: dict[str, Bounds] = {
    # No baby is born tomorrow; the bundle is for children, not grown-ups.
    "child.birth_date": Bounds(earliest="today-18y", latest="today"),
    "employment.start_date": Bounds(earliest="today-50y", latest="today+90d"),
    "retirement.date": Bounds(earliest="today-5y", latest="today+1y"),
    "deceased.death_date": Bounds(earliest="today-10y", latest="today"),
    "social.start_month": Bounds(month=True, earliest="today-5y", latest="today+1y"),
    # 注册资本 in units of 10,000 yuan: from 1 yuan to 100 billion yuan.
    "enterprise.registered_capital": Bounds(
        minimum=Decimal("0.0001"), maximum=Decimal(10_000_000), places=4
    ),
    "enterprise.employees": Bounds(minimum=Decimal(1), maximum=Decimal(1_000_000), places=0),
    "seal.count": Bounds(minimum=Decimal(1), maximum=Decimal(20), places=0),
    "gjj.deposit_rate": Bounds(minimum=Decimal(5), maximum=Decimal(12), places=0),
    "shop.area": Bounds(minimum=Decimal(1), maximum=Decimal(100_000), places=2),
    "drainage.volume": Bounds(minimum=Decimal("0.01"), maximum=Decimal(100_000), places=2),
    "staff.count": Bounds(minimum=Decimal(1), maximum=Decimal(10_000), places=0),
    "house.price": Bounds(minimum=Decimal(1), maximum=Decimal(100_000), places=4),
}


def bounds_for(code: str, data_type: str) -> Bounds | None:
    """The bounds of element ``code`` of type ``data_type``, or None (no bounds)."""
    return STANDARD_BOUNDS.get(code) or DEFAULT_BOUNDS.get(data_type)


_OFFSET_RE = re.compile(r"^today(?:([+-])(\d+)([ymd]))?$")


def resolve_day(spec: str, today: dt.date) -> dt.date | None:
    """The day ``spec`` (an ISO date, ``today`` or ``today±N[ymd]``) names, or None."""
    if not spec:
        return None
    match = _OFFSET_RE.match(spec)
    if match is None:
        return dt.date.fromisoformat(spec)
    sign, amount, unit = match.groups()
    if sign is None:
        return today
    n = int(amount) * (1 if sign == "+" else -1)
    if unit == "d":
        return today + dt.timedelta(days=n)
    months = today.year * 12 + today.month - 1 + (n * 12 if unit == "y" else n)
    year, month = divmod(months, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(today.day, last))


def element_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": name,
            "name_en": name_en,
            "data_type": kind,
            "max_length": max_length,
            "prefill": prefill,
            "choices": choices,
            "help_text_zh": hint_zh,
            "help_text_en": hint_en,
        }
        for code, name, name_en, kind, max_length, prefill, choices, hint_zh, hint_en in (
            STANDARD_ELEMENTS
        )
    ]


def sync_elements(model: Any) -> int:
    """Create or update the standard elements on ``model`` (DataElement or a migration's
    historical model); returns how many rows were created."""
    created = 0
    for row in element_rows():
        code = row.pop("code")
        _obj, was_created = model.objects.update_or_create(code=code, defaults=row)
        created += int(was_created)
    return created
