"""Demo licence types (电子证照), their items and materials, and the licences already due.

``load_demo_licences()`` runs after the demo cases: it defines five licence types with their
face fields mapped to data elements, links them to the demo items (by item key) and to the
materials they satisfy (免提交), issues the licence of every demo sub-case already
approved (through ``issue_for_subcase``, as the signal would have), and records the demo
business's 营业执照 from the paper register. Idempotent.

The type codes are placeholders in the shape of the national 证照类型代码 (12 digits and
capital letters); a deployment takes the real ones from the provincial licence directory.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.accounts.models import Organisation
from tongban.cases.models import SubCase, SubCaseStatus
from tongban.catalog.models import ServiceItem
from tongban.demo.catalogue.build import item_definitions
from tongban.demo.data.people import BUSINESSES
from tongban.exchange.demo_sources import LicenceRow
from tongban.licences import services
from tongban.licences.models import (
    HolderKind,
    ItemLicence,
    Layout,
    Licence,
    LicenceStatus,
    LicenceType,
    MaterialLicence,
)
from tongban.org.models import Department


def _f(key: str, label: str, label_en: str, element: str = "", **options: Any) -> dict[str, Any]:
    return {"key": key, "label": label, "label_en": label_en, "element": element, **options}


BUSINESS_FACE = [
    _f("name", "名称", "Name", "enterprise.name", public=True),
    _f("uscc", "统一社会信用代码", "Unified social credit code", "enterprise.uscc",
       public=True, generate="uscc"),
    _f("type", "类型", "Type", "enterprise.type", public=True, default="有限责任公司"),
    _f("legal_representative", "法定代表人", "Legal representative",
       "enterprise.legal_representative", public=True),
    _f("capital", "注册资本（万元）", "Registered capital (10,000 yuan)",
       "enterprise.registered_capital"),
    _f("address", "住所", "Address", "enterprise.address", public=True),
    _f("scope", "经营范围", "Business scope", "enterprise.business_scope"),
]  # fmt: skip
SOLE_TRADER_FACE = [
    _f("name", "名称", "Name", "shop.name", public=True),
    _f("uscc", "统一社会信用代码", "Unified social credit code", "enterprise.uscc",
       public=True, generate="uscc-individual"),
    _f("type", "类型", "Type", default="个体工商户", public=True),
    _f("operator", "经营者", "Operator", "operator.name", public=True),
    _f("address", "经营场所", "Place of business", "shop.address", public=True),
    _f("scope", "经营范围", "Business scope", "enterprise.business_scope"),
]  # fmt: skip
FOOD_FACE = [
    _f("name", "经营者名称", "Business name", "shop.name", public=True),
    _f("uscc", "统一社会信用代码", "Unified social credit code", "enterprise.uscc",
       public=True),
    _f("legal_representative", "法定代表人（负责人）", "Legal representative",
       "operator.name", public=True),
    _f("shop", "经营场所", "Premises", "shop.address", public=True),
    _f("category", "经营项目", "Business activities", "food.category", public=True,
       default="热食类食品制售"),
    _f("format", "主体业态", "Kind of business", default="餐饮服务经营者", public=True),
]  # fmt: skip
BIRTH_FACE = [
    _f("child_name", "新生儿姓名", "Baby's name", "child.name", public=True),
    _f("child_sex", "性别", "Sex", "child.sex", public=True),
    _f("birth_date", "出生时间", "Date of birth", "child.birth_date", public=True),
    _f("birth_place", "出生地点", "Place of birth", "child.birth_place"),
    _f("mother_name", "母亲姓名", "Mother's name", "mother.name"),
    _f("mother_id", "母亲有效身份证件号码", "Mother's ID number", "mother.id_number",
       sensitive=True),
    _f("father_name", "父亲姓名", "Father's name", "father.name"),
]  # fmt: skip
DRIVING_FACE = [
    _f("name", "姓名", "Name", "applicant.name", public=True),
    _f("id_number", "证号", "Licence number (ID number)", "applicant.id_number",
       sensitive=True),
    _f("address", "住址", "Address", "applicant.address", sensitive=True),
    _f("class", "准驾车型", "Vehicle classes", default="C1", public=True),
]  # fmt: skip
NO_CRIME_FACE = [
    _f("name", "姓名", "Name", "applicant.name", public=True),
    _f("id_number", "身份证号码", "ID number", "applicant.id_number", sensitive=True),
    _f("purpose", "用途", "Purpose", "certificate.purpose", public=True),
    _f("result", "查询结果", "Result", public=True,
       default="经查询，未发现该人在本市有犯罪记录。"),
]  # fmt: skip

#: code, name, English name, department, holder, validity (months), face, layout,
#: item keys, material codes.
TYPES: list[tuple[Any, ...]] = [
    ("11100000MB01", "营业执照", "Business licence", "scjg", HolderKind.ORGANISATION, None,
     BUSINESS_FACE, Layout.CERTIFICATE, ["company-setup"], ["M-BIZ-LICENCE"]),
    ("11100000MB02", "个体工商户营业执照", "Business licence (individual business)", "scjg",
     HolderKind.ORGANISATION, None, SOLE_TRADER_FACE, Layout.CERTIFICATE,
     ["sole-trader-setup"], ["M-BIZ-LICENCE"]),
    ("11100000MB03", "食品经营许可证", "Food business permit", "scjg", HolderKind.ORGANISATION,
     60, FOOD_FACE, Layout.CERTIFICATE, ["food-business-permit"], []),
    ("12100000WJ01", "出生医学证明", "Birth medical certificate", "wj", HolderKind.PERSON, None,
     BIRTH_FACE, Layout.CERTIFICATE, ["birth-certificate"], ["M-BIRTH-CERT"]),
    ("11100000GA01", "机动车驾驶证", "Driving licence", "ga", HolderKind.PERSON, 120,
     DRIVING_FACE, Layout.CARD, ["driving-licence-renewal"], ["M-DRIVING-LICENCE"]),
    ("11100000GA02", "无犯罪记录证明", "Certificate of no criminal record", "ga",
     HolderKind.PERSON, 3, NO_CRIME_FACE, Layout.CERTIFICATE, ["no-crime-record"], []),
]  # fmt: skip


def load_licence_types() -> dict[str, LicenceType]:
    """The demo licence types with their item and material links."""
    items = item_definitions()
    made: dict[str, LicenceType] = {}
    for code, name, name_en, dept, holder, months, face, layout, keys, materials in TYPES:
        department = Department.objects.filter(code=dept).first()
        if department is None:
            continue
        licence_type, _created = LicenceType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "department": department,
                "holder_kind": holder,
                "validity_months": months,
                "face_fields": face,
                "layout": layout,
            },
        )
        made[code] = licence_type
        for key in keys:
            item = ServiceItem.objects.filter(
                implementation_code=items[key]["implementation_code"]
            ).first()
            if item is not None:
                ItemLicence.objects.update_or_create(
                    item=item, defaults={"licence_type": licence_type}
                )
        for material in materials:
            MaterialLicence.objects.get_or_create(material_code=material, licence_type=licence_type)
    return made


def _record_demo_businesses(types: dict[str, LicenceType]) -> int:
    """The demo businesses' 营业执照, recorded from the paper register (legacy)."""
    licence_type = types.get("11100000MB01")
    made = 0
    for business in BUSINESSES if licence_type else []:
        org = Organisation.objects.filter(uscc=business.uscc).first()
        if org is None or Licence.objects.filter(holder_organisation=org).exists():
            continue
        rep = org.members.filter(role="legal_rep", is_active=True).first()
        holder = services.organisation_holder(org.uscc, org.name, user=rep.user if rep else None)
        face = {
            "name": org.name,
            "uscc": org.uscc,
            "type": "有限责任公司（自然人投资或控股）",
            "legal_representative": org.legal_representative,
            "capital": "500",
            "address": business.address,
            "scope": business.business_scope,
        }
        issued = dt.date.fromisoformat(business.established_on)
        services.issue_licence(
            licence_type,  # type: ignore[arg-type]
            holder,
            face,
            actor=None,
            issued_on=issued,
            source="legacy",
        )
        made += 1
    return made


def load_demo_licences() -> int:
    """Types, links and the licences due; returns how many licences were issued now."""
    with transaction.atomic():
        types = load_licence_types()
    made = 0
    linked = ItemLicence.objects.values("item_id")
    approved = SubCase.objects.filter(status=SubCaseStatus.APPROVED, item_id__in=linked)
    for sub in approved.exclude(licence__isnull=False).order_by("pk"):
        if services.issue_for_subcase(sub) is not None:
            made += 1
    with transaction.atomic():
        made += _record_demo_businesses(types)
    return made


def demo_licence_rows() -> list[LicenceRow]:
    """The licences issued so far as the e-licence registry holds them (number, type,
    issuer, validity, holder): the rows of the demo's read-only SQL source
    (``tongban.exchange.demo_sources``), which cannot import this app itself."""
    rows = []
    licences = (
        Licence.objects.filter(status=LicenceStatus.VALID)
        .select_related("licence_type", "department", "holder_user", "holder_organisation")
        .order_by("number")
    )
    for lic in licences:
        if lic.holder_user is not None:
            holder_id = str(lic.holder_user.id_number or "")
        elif lic.holder_organisation is not None:
            holder_id = lic.holder_organisation.uscc
        else:
            holder_id = ""
        if not holder_id:
            continue
        rows.append(
            LicenceRow(
                number=lic.number,
                type_name=lic.licence_type.name,
                issuer=lic.department.name,
                valid_until=lic.valid_until.isoformat() if lic.valid_until else "",
                holder_name=lic.holder_name,
                holder_id=holder_id,
            )
        )
    return rows
