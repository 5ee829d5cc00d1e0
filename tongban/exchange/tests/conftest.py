"""A small exchange world: a provider (public security, ``ga``: department B) with a
population resource, a requesting department (market regulation, ``scjg``: department A)
with a member system, and the data authority (``zssj``) with one reviewer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import PASSWORD, make_uscc
from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.exchange.levels import KeyProtection
from tongban.exchange.models import (
    DataItem,
    DataResource,
    MemberSystem,
    ResourceStatus,
    ShareClass,
)
from tongban.org.models import Department


@dataclass
class World:
    provider: Department  # ga
    requester_dept: Department  # scjg
    authority: Department  # zssj
    resource: DataResource
    name: DataItem  # unconditional
    id_number: DataItem  # conditional, personal number
    address: DataItem  # conditional
    record: DataItem  # not shared
    member: MemberSystem  # of scjg
    provider_official: User  # reviewer at ga (official_b)
    requester_official: User  # reviewer at scjg (official_a)
    authority_official: User  # data administrator at zssj


def _item(resource, code, share_class, grade, basis="", personal=False, order=0) -> DataItem:
    return DataItem.objects.create(
        resource=resource,
        code=code,
        name=code,
        share_class=share_class,
        grade=grade,
        legal_basis=basis,
        personal_number=personal,
        sort_order=order,
    )


@pytest.fixture
def world(city, department_a, department_b, official_a, official_b) -> World:
    authority = Department.objects.create(
        code="zssj",
        name="中山市政务服务和数据管理局",
        name_en="Data Administration Bureau",
        uscc=make_uscc("11442000MB2C3333"),
        region=city["city"],
    )
    boss = User.objects.create_user(
        username="data-authority",
        password=PASSWORD,
        kind=UserKind.OFFICIAL,
        real_name="数据局",
        department=authority,
        clearance=3,
    )
    RoleAssignment.objects.create(user=boss, role=Role.DATA_ADMIN, department=authority)
    resource = DataResource.objects.create(
        department=department_b,
        code="zs.ga.population",
        name="人口基础信息",
        name_en="Population base registry",
        source_system="人口管理信息系统",
        status=ResourceStatus.PUBLISHED,
    )
    law = "《个人信息保护法》第三十四条"
    items = [
        _item(resource, "person.name", ShareClass.UNCONDITIONAL, 2, order=1),
        _item(resource, "person.id_number", ShareClass.CONDITIONAL, 3, law, True, 2),
        _item(resource, "household.address", ShareClass.CONDITIONAL, 3, law, order=3),
        _item(resource, "person.record", ShareClass.NOT_SHARED, 4, law, order=4),
    ]
    member = MemberSystem.objects.create(
        department=department_a,
        code="scjg.registration",
        name="市场主体登记系统",
        dengbao_grade=3,
        key_protection=KeyProtection.HARDWARE,
    )
    return World(
        provider=department_b,
        requester_dept=department_a,
        authority=authority,
        resource=resource,
        name=items[0],
        id_number=items[1],
        address=items[2],
        record=items[3],
        member=member,
        provider_official=official_b,
        requester_official=official_a,
        authority_official=boss,
    )
