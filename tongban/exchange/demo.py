"""The demo city's base registries as catalogue resources, three member systems and a grant.

Each base registry (人口, 法人, 电子证照, 地址) is a resource of the department that keeps it in
the demo city: population with the public security bureau (``ga``), legal persons with
market regulation (``scjg``), e-licences with the data administration (``zssj``), addresses
and towns with natural resources (``zrzy``). Items name the data-element dictionary's
entries where one exists. The education bureau's enrolment system holds a grant for the
population data it needs to check school places. Idempotent: running it again changes
nothing. Called by the demo loader (``tongban.demo.loader.load_demo``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tongban.cases.models import DataElement
from tongban.core.transitions import move
from tongban.org.models import Department

from .clocks import answer_clock
from .levels import KeyProtection
from .models import (
    DataFormat,
    DataItem,
    DataResource,
    Grant,
    MemberSystem,
    RequestStatus,
    ResourceStatus,
    ShareClass,
    ShareRequest,
    UpdateFrequency,
)
from .services import grant_expiry
from .transitions import REQUEST, RESOURCE, RequestAction, ResourceAction

U, C, N = ShareClass.UNCONDITIONAL, ShareClass.CONDITIONAL, ShareClass.NOT_SHARED
PIPL = "《中华人民共和国个人信息保护法》第十三条第一款第（三）项、第三十四条"
HUKOU = "《中华人民共和国户口登记条例》；《政务数据共享条例》第十四条"
SEALED = "《中华人民共和国刑事诉讼法》第二百八十六条（犯罪记录封存）"
ELICENCE = "《国务院关于在线政务服务的若干规定》第十条"


@dataclass(frozen=True)
class ItemData:
    code: str
    name: str
    name_en: str
    share_class: str
    grade: int
    legal_basis: str = ""
    personal_number: bool = False


@dataclass(frozen=True)
class ResourceData:
    code: str
    department: str
    name: str
    name_en: str
    description: str
    description_en: str
    source_system: str
    frequency: str
    data_format: str
    open_to_public: bool
    items: tuple[ItemData, ...]


I = ItemData  # noqa: E741 - a short row constructor
RESOURCES: tuple[ResourceData, ...] = (
    ResourceData(
        "zs.ga.population",
        "ga",
        "人口基础信息",
        "Population base registry",
        "全市户籍人口和居住证人员的身份与户籍信息，人口基础库的权威来源。",
        (
            "Identity and household registration of the city's registered residents and "
            "residence-permit holders: the authoritative population registry."
        ),
        "公安人口管理信息系统",
        UpdateFrequency.DAILY,
        DataFormat.DATABASE,
        False,
        (
            I("person.name", "姓名", "Name", U, 2),
            I("person.sex", "性别", "Sex", U, 2),
            I("person.birth_date", "出生日期", "Date of birth", U, 2),
            I("person.id_number", "公民身份号码", "Resident ID number", C, 3, PIPL, True),
            I("household.address", "户籍地址", "Registered household address", C, 3, HUKOU),
            I("household.number", "户号", "Household number", C, 3, HUKOU),
            I("household.relationship", "与户主关系", "Relationship to the head", C, 3, HUKOU),
            I("person.criminal_record", "违法犯罪记录", "Criminal record", N, 4, SEALED),
        ),
    ),
    ResourceData(
        "zs.scjg.legal-persons",
        "scjg",
        "法人基础信息",
        "Legal persons base registry",
        "全市企业、个体工商户和农民专业合作社的登记信息，按统一社会信用代码查询。",
        (
            "Registration of the city's enterprises, individual businesses and farmers' "
            "cooperatives, by unified social credit code."
        ),
        "市场主体登记管理系统",
        UpdateFrequency.REAL_TIME,
        DataFormat.API,
        True,
        (
            I("enterprise.uscc", "统一社会信用代码", "Unified social credit code", U, 1),
            I("enterprise.name", "名称", "Name", U, 1),
            I("enterprise.legal_representative", "法定代表人", "Legal representative", U, 1),
            I("enterprise.address", "住所", "Registered address", U, 1),
            I("enterprise.registered_capital", "注册资本", "Registered capital", U, 1),
            I("enterprise.business_scope", "经营范围", "Business scope", U, 1),
            I("enterprise.registration_status", "登记状态", "Registration status", U, 1),
            I(
                "legal_representative.id_number",
                "法定代表人身份证号码",
                "Legal representative's ID number",
                C,
                3,
                PIPL,
                True,
            ),
        ),
    ),
    ResourceData(
        "zs.zssj.e-licences",
        "zssj",
        "电子证照",
        "E-licences",
        "本市各部门签发的电子证照目录信息和证照文件，供办事时免提交实体证照。",
        (
            "Catalogue data and files of the e-licences the city's departments issue, so that "
            "applicants need not bring paper licences."
        ),
        "电子证照库",
        UpdateFrequency.REAL_TIME,
        DataFormat.API,
        False,
        (
            I("licence.number", "证照编号", "Licence number", U, 2),
            I("licence.type", "证照类型", "Licence type", U, 2),
            I("licence.issuer", "发证机关", "Issuing authority", U, 2),
            I("licence.valid_until", "有效期至", "Valid until", U, 2),
            I("licence.holder_name", "持证主体名称", "Holder's name", C, 3, ELICENCE),
            I(
                "licence.holder_id_number",
                "持证主体证件号码",
                "Holder's ID number",
                C,
                3,
                ELICENCE,
                True,
            ),
            I("licence.file", "证照文件", "Licence file", C, 3, ELICENCE),
        ),
    ),
    ResourceData(
        "zs.zrzy.addresses",
        "zrzy",
        "标准地址与镇街区划",
        "Standard addresses and towns",
        "全市标准地址、门牌和所属镇街区划代码，按统计用区划代码关联。",
        (
            "Standard addresses and house numbers of the city with their towns, linked by "
            "statistical division code."
        ),
        "标准地址库",
        UpdateFrequency.WEEKLY,
        DataFormat.FILE,
        True,
        (
            I("address.code", "地址编码", "Address code", U, 1),
            I("address.text", "标准地址", "Standard address", U, 1),
            I("region.town_code", "镇街区划代码", "Town division code", U, 1),
            I("region.town_name", "镇街名称", "Town name", U, 1),
            I("address.coordinates", "地理坐标", "Coordinates", U, 2),
        ),
    ),
)

# code, department, name, name_en, 等保 grade, key protection
MEMBERS: tuple[tuple[str, str, str, str, int, str], ...] = (
    (
        "jy.enrolment",
        "jy",
        "义务教育招生管理系统",
        "Compulsory-education enrolment system",
        3,
        KeyProtection.HARDWARE,
    ),
    (
        "rs.social-insurance",
        "rs",
        "社会保险经办系统",
        "Social insurance system",
        3,
        KeyProtection.HSM,
    ),
    (
        "mz.assistance",
        "mz",
        "社会救助管理系统",
        "Social assistance system",
        2,
        KeyProtection.SOFTWARE,
    ),
)

GRANT_PURPOSE = "义务教育招生入学资格审核"
GRANT_FIELDS = ("person.name", "person.id_number", "household.address", "household.number")


def _resource(data: ResourceData, department: Department) -> DataResource:
    resource, _ = DataResource.objects.update_or_create(
        code=data.code,
        defaults={
            "department": department,
            "name": data.name,
            "name_en": data.name_en,
            "description": data.description,
            "description_en": data.description_en,
            "source_system": data.source_system,
            "update_frequency": data.frequency,
            "data_format": data.data_format,
            "open_to_public": data.open_to_public,
        },
    )
    elements = {
        e.code: e for e in DataElement.objects.filter(code__in=[i.code for i in data.items])
    }
    for order, item in enumerate(data.items, 1):
        row = DataItem(
            resource=resource,
            code=item.code,
            element=elements.get(item.code),
            name=item.name,
            name_en=item.name_en,
            share_class=item.share_class,
            grade=item.grade,
            legal_basis=item.legal_basis,
            personal_number=item.personal_number,
            sort_order=order * 10,
        )
        row.full_clean(exclude=["resource"], validate_unique=False)
        DataItem.objects.update_or_create(
            resource=resource,
            code=item.code,
            defaults={
                f: getattr(row, f)
                for f in (
                    "element",
                    "name",
                    "name_en",
                    "share_class",
                    "grade",
                    "legal_basis",
                    "personal_number",
                    "sort_order",
                )
            },
        )
    if resource.status == ResourceStatus.DRAFT:
        move(resource, RESOURCE, ResourceAction.PUBLISH, actor=None)
    return resource


def _member(row: tuple[str, str, str, str, int, str], department: Department) -> MemberSystem:
    code, _dept, name, name_en, grade, protection = row
    member, _ = MemberSystem.objects.update_or_create(
        code=code,
        defaults={
            "department": department,
            "name": name,
            "name_en": name_en,
            "dengbao_grade": grade,
            "key_protection": protection,
        },
    )
    return member


def _demo_grant(member: MemberSystem, resource: DataResource) -> None:
    if ShareRequest.objects.filter(member=member, resource=resource).exists():
        return
    now = timezone.now()
    fields = list(resource.items.filter(code__in=GRANT_FIELDS))
    request = ShareRequest.objects.create(
        member=member,
        department=member.department,
        resource=resource,
        purpose=GRANT_PURPOSE,
        legal_basis="《中华人民共和国义务教育法》第十二条；" + HUKOU,
        duration_days=365,
        submitted_at=now,
        due_on=answer_clock(now).due(now).date,
        status=RequestStatus.SUBMITTED,
    )
    request.fields.set(fields)
    move(request, REQUEST, RequestAction.GRANT, actor=None, also={"decided_at": now})
    grant = Grant.objects.create(
        request=request,
        member=member,
        resource=resource,
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        granted_at=now,
        expires_at=grant_expiry(now, request.duration_days),
        rate_per_minute=60,
        rate_per_day=20000,
    )
    grant.fields.set(fields)


@transaction.atomic
def load_exchange_demo() -> dict[str, int]:
    """Write the demo's resources, members and grant (departments must exist); returns
    the counts. Departments missing from the database are skipped."""
    departments = {d.code: d for d in Department.objects.all()}
    resources = {
        data.code: _resource(data, departments[data.department])
        for data in RESOURCES
        if data.department in departments
    }
    members = {
        row[0]: _member(row, departments[row[1]]) for row in MEMBERS if row[1] in departments
    }
    if "jy.enrolment" in members and "zs.ga.population" in resources:
        _demo_grant(members["jy.enrolment"], resources["zs.ga.population"])
    return {
        "data resources": DataResource.objects.count(),
        "data items": DataItem.objects.count(),
        "member systems": MemberSystem.objects.count(),
        "grants": Grant.objects.count(),
    }
