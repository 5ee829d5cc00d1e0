"""Load the demo city idempotently: regions, departments, halls, personas and the catalogue.

Organisation data and personas are written with ``update_or_create``; the catalogue goes
through the catalogue importer (``import_catalogue_data``), which upserts by code. Running
``load_demo`` twice duplicates nothing. Passwords are set only when an account is created
(or when ``reset_passwords`` is asked for), so a second run leaves them as they were.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from tongban.accounts.models import (
    Organisation,
    OrganisationMember,
    Role,
    RoleAssignment,
    TotpDevice,
    User,
    UserKind,
)
from tongban.accounts.second_factor import encrypt_totp_secret
from tongban.cases.models import Case, FormDefinition
from tongban.catalog.io.importer import import_catalogue_data
from tongban.catalog.models import Bundle, ItemStatus, ServiceItem, Theme
from tongban.core.audit import record_audit
from tongban.demo.cases import load_demo_cases
from tongban.demo.data import org, people, regions
from tongban.demo.forms import load_forms
from tongban.demo.licences import demo_licence_rows, load_demo_licences
from tongban.demo.ratings import load_demo_ratings
from tongban.demo.synonyms import load_search_synonyms
from tongban.exchange.demo import load_exchange_demo
from tongban.exchange.demo_sources import load_demo_sources
from tongban.exchange.prefill import load_platform_member
from tongban.exchange.upstream_sync import load_upstream_demo
from tongban.org.models import Department, Region, RegionLevel, ServiceHall, ServiceWindow

CATALOGUE_JSON = Path(__file__).resolve().parent / "data" / "catalogue.json"
DEPARTMENT_ROLES = {Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER, Role.DATA_ADMIN}


def read_catalogue() -> dict[str, Any]:
    """The committed catalogue document (import format ``tongban-catalogue`` v1)."""
    return json.loads(CATALOGUE_JSON.read_text(encoding="utf-8"))


def load_regions() -> None:
    province, _ = Region.objects.update_or_create(
        code=regions.PROVINCE["code"],
        defaults={
            "name": regions.PROVINCE["name"],
            "name_en": regions.PROVINCE["name_en"],
            "level": regions.PROVINCE["level"],
            "parent": None,
        },
    )
    city, _ = Region.objects.update_or_create(
        code=regions.CITY["code"],
        defaults={**{k: v for k, v in regions.CITY.items() if k != "code"}, "parent": province},
    )
    for order, (code, name, name_en, level, seat, profile) in enumerate(regions.TOWNS, 1):
        Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "level": level,
                "parent": city,
                "seat": seat,
                "profile": profile,
                "sort_order": order,
            },
        )


def _website(site: str) -> str:
    return f"https://{site}.gov.cn/" if "." in site else f"https://www.zs.gov.cn/{site}/"


def load_departments() -> dict[str, Department]:
    city = Region.objects.get(code=regions.CITY["code"])
    result: dict[str, Department] = {}
    for d in org.DEPARTMENTS:
        dept, _ = Department.objects.update_or_create(
            code=d.code,
            defaults={
                "name": d.name,
                "name_en": d.name_en,
                "short_name": d.short_name,
                "uscc": d.uscc,
                "kind": d.kind,
                "parent": None,
                "region": city,
                "address": f"中山市{d.address}",
                "phone": d.phone,
                "website": _website(d.site),
                "description": d.description,
                "sort_order": d.num,
                "is_active": True,
            },
        )
        result[d.code] = dept
    return result


def load_halls(departments: dict[str, Department]) -> None:
    c = org.CENTRE
    centre, _ = ServiceHall.objects.update_or_create(
        region_id=c["region"],
        name=c["name"],
        defaults={
            "name_en": c["name_en"],
            "address": c["address"],
            "address_en": c["address_en"],
            "opening_hours": c["opening_hours"],
            "opening_hours_en": c["opening_hours_en"],
            "phone": c["phone"],
            "transit": c["transit"],
            "transit_en": c["transit_en"],
        },
    )
    for number, name, name_en, dept_code, comprehensive in org.CENTRE_WINDOWS:
        ServiceWindow.objects.update_or_create(
            hall=centre,
            number=number,
            defaults={
                "name": name,
                "name_en": name_en,
                "department": departments.get(dept_code),
                "is_comprehensive": comprehensive,
                "opening_hours": c["opening_hours"],
            },
        )
    for region_code, name, name_en, address, phone in org.TOWN_HALLS:
        hall, _ = ServiceHall.objects.update_or_create(
            region_id=region_code,
            name=name,
            defaults={
                "name_en": name_en,
                "address": address,
                "address_en": org.TOWN_HALL_ADDRESSES_EN[region_code],
                "opening_hours": org.TOWN_HALL_HOURS,
                "opening_hours_en": org.TOWN_HALL_HOURS_EN,
                "phone": phone,
                "transit": "",
            },
        )
        for suffix, wname, wname_en, comprehensive in org.TOWN_WINDOWS:
            ServiceWindow.objects.update_or_create(
                hall=hall,
                number=f"X{suffix}",
                defaults={
                    "name": wname,
                    "name_en": wname_en,
                    "department": None,
                    "is_comprehensive": comprehensive,
                    "opening_hours": org.TOWN_HALL_HOURS,
                },
            )


def load_personas(departments: dict[str, Department], *, reset_passwords: bool) -> None:
    users: dict[str, User] = {}
    for p in people.PERSONAS:
        dept = departments.get(p.department) if p.department else None
        user, created = User.objects.update_or_create(
            username=p.username,
            defaults={
                "kind": p.kind,
                "real_name": p.real_name,
                "id_number": p.id_number,
                "phone": p.phone,
                "department": dept,
                "is_superuser": p.is_superuser,
                "is_active": True,
                "assurance_level": p.assurance_level,
                "email": p.email,
                "clearance": p.clearance,
            },
        )
        if created or reset_passwords:
            user.set_password(people.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for role, region_code in p.roles:
            RoleAssignment.objects.get_or_create(
                user=user,
                role=role,
                department=dept if role in DEPARTMENT_ROLES else None,
                defaults={"region_id": region_code},
            )
        if p.kind != UserKind.CITIZEN:
            enrol_demo_totp(user)
        users[p.username] = user
    User.objects.filter(username__in=people.RETIRED_PERSONAS).update(
        is_superuser=False, is_staff=False, is_active=False
    )
    for b in people.BUSINESSES:
        rep = users[b.legal_representative]
        organisation, _ = Organisation.objects.update_or_create(
            uscc=b.uscc,
            defaults={
                "name": b.name,
                "org_type": b.org_type,
                "legal_representative": rep.real_name,
                "region_id": b.region,
                "address": b.address,
                "established_on": date.fromisoformat(b.established_on),
                "business_scope": b.business_scope,
            },
        )
        members = [(rep, "legal_rep")] + [(users[a], "agent") for a in b.agents]
        for user, role in members:
            OrganisationMember.objects.update_or_create(
                organisation=organisation,
                user=user,
                defaults={"role": role, "is_active": True},
            )


def demo_totp_secret() -> bytes:
    text = people.DEMO_TOTP_SECRET
    return base64.b32decode(text + "=" * (-len(text) % 8))


def enrol_demo_totp(user: User) -> None:
    """Give a demo official the published authenticator secret, unless they have one."""
    if not TotpDevice.objects.filter(user=user).exists():
        TotpDevice.objects.create(
            user=user,
            encrypted_secret=encrypt_totp_secret(user.pk, demo_totp_secret()),
            confirmed=True,
        )


def demo_counts() -> dict[str, int]:
    """How many rows of each kind the demo city has (whole tables), as ``load_demo``
    prints them and the README's quick start states them."""
    return {
        "regions": Region.objects.count(),
        "towns_and_streets": Region.objects.filter(
            level__in=[RegionLevel.TOWN, RegionLevel.STREET]
        ).count(),
        "departments": Department.objects.count(),
        "halls": ServiceHall.objects.count(),
        "windows": ServiceWindow.objects.count(),
        "users": User.objects.count(),
        "role_assignments": RoleAssignment.objects.count(),
        "organisations": Organisation.objects.count(),
        "themes": Theme.objects.count(),
        "items": ServiceItem.objects.count(),
        "items_published": ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count(),
        "bundles": Bundle.objects.count(),
        "forms": FormDefinition.objects.count(),
        "cases": Case.objects.count(),
    }


@transaction.atomic
def load_demo(*, reset_passwords: bool = False) -> dict[str, int]:
    """Write the whole demo city; safe to run again. Returns the table counts.

    Raises ``CatalogImportError`` (and writes nothing at all) when the committed catalogue
    JSON does not pass the importer's checks.
    """
    load_regions()
    departments = load_departments()
    load_halls(departments)
    load_personas(departments, reset_passwords=reset_passwords)
    import_catalogue_data(read_catalogue(), actor=None)
    load_search_synonyms()
    load_forms()
    load_demo_cases()
    load_demo_licences()
    load_demo_ratings()
    load_exchange_demo()
    load_demo_sources(demo_licence_rows())
    load_platform_member()
    load_upstream_demo()
    counts = demo_counts()
    record_audit(None, "demo.load", meta={"counts": counts, "reset_passwords": reset_passwords})
    return counts
