"""The demo's base registries, members and grant: consistent, idempotent, and usable."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import make_uscc
from tongban.exchange import queries
from tongban.exchange.decision import Query, Reason, decide
from tongban.exchange.demo import GRANT_PURPOSE, load_exchange_demo
from tongban.exchange.models import (
    DataItem,
    DataResource,
    Grant,
    MemberSystem,
    ResourceStatus,
    ShareClass,
)
from tongban.org.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(world, city):
    for number, code in enumerate(("zrzy", "jy", "rs", "mz"), 5):
        Department.objects.create(
            code=code, name=code, uscc=make_uscc(f"11442000MB2C{number:04d}"), region=city["city"]
        )


def test_the_demo_loads_once_and_again_without_change(departments):
    first = load_exchange_demo()
    second = load_exchange_demo()
    assert first == second
    codes = set(DataResource.objects.values_list("code", flat=True))
    assert {"zs.ga.population", "zs.scjg.legal-persons", "zs.zssj.e-licences",
            "zs.zrzy.addresses"} <= codes  # fmt: skip
    demo = DataResource.objects.exclude(code="zs.ga.population")  # the fixture's own
    assert all(r.status == ResourceStatus.PUBLISHED for r in demo)
    owners = dict(DataResource.objects.values_list("code", "department__code"))
    assert owners["zs.scjg.legal-persons"] == "scjg" and owners["zs.zrzy.addresses"] == "zrzy"
    # Every conditional or withheld item carries its legal basis; every item validates.
    for item in DataItem.objects.all():
        item.full_clean()
        if item.share_class != ShareClass.UNCONDITIONAL:
            assert item.legal_basis
    levels = dict(MemberSystem.objects.values_list("code", "assurance_level"))
    assert (levels["jy.enrolment"], levels["rs.social-insurance"], levels["mz.assistance"]) == (
        3,
        4,
        2,
    )
    assert Grant.objects.count() == 1


def test_the_demo_grant_lets_enrolment_read_masked_population_data(departments):
    load_exchange_demo()
    member = MemberSystem.objects.get(code="jy.enrolment")
    population = DataResource.objects.get(code="zs.ga.population")
    now = timezone.now()

    def call(*codes: str) -> object:
        return decide(
            queries.decision_requester(member, authenticated=True),
            Query(population.code, codes, GRANT_PURPOSE, 3, now),
            queries.decision_items(population),
            queries.decision_grant(member, population, now=now),
        )

    allowed = call("person.name", "person.id_number", "household.address")
    assert allowed.allowed and allowed.masked == {"person.id_number"}
    assert call("household.relationship").reason == Reason.FIELD_NOT_GRANTED
    assert call("person.criminal_record").reason == Reason.NOT_SHARED
