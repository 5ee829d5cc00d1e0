"""The demo base registries as real sources: one file of each kind, consistent with the demo
people, businesses and licences, synced once, found by the digest of their keys."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from conftest import make_resident_id, make_uscc
from tongban.accounts.models import MemberRole, Organisation, OrganisationMember
from tongban.exchange import adapters, sync
from tongban.exchange.demo import load_exchange_demo
from tongban.exchange.demo_sources import SPECS, LicenceRow, load_demo_sources
from tongban.exchange.models import DataRecord, DataSource, SourceKind, SyncStatus
from tongban.org.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(settings, tmp_path) -> Path:
    path = tmp_path / "sources"
    settings.TONGBAN_EXCHANGE_SOURCE_ROOT = str(path)
    return path


@pytest.fixture
def demo(world, city, citizen, other_citizen, root):
    for number, code in enumerate(("zrzy", "jy", "rs", "mz"), 5):
        Department.objects.create(
            code=code, name=code, uscc=make_uscc(f"11442000MB2C{number:04d}"), region=city["city"]
        )
    load_exchange_demo()
    business = Organisation.objects.create(
        name="中山市小榄五金制品有限公司",
        uscc=make_uscc("91442000MA4X7777"),
        legal_representative=citizen.real_name,
        region=city["town"],
        address="中山市小榄镇升平中路8号",
        established_on=date(2015, 6, 1),
        business_scope="五金制品制造",
    )
    OrganisationMember.objects.create(
        organisation=business, user=citizen, role=MemberRole.LEGAL_REPRESENTATIVE
    )
    return business


def _licences(citizen, business) -> list[LicenceRow]:
    return [
        LicenceRow(
            "4420000001", "营业执照", "中山市市场监督管理局", "", business.name, business.uscc
        ),
        LicenceRow(
            "4420000002", "出生医学证明", "中山市卫生健康局", "2099-12-31", citizen.real_name,
            str(citizen.id_number),
        ),
    ]  # fmt: skip


def _values(resource_code: str, key: str) -> dict[str, str]:
    record = DataRecord.objects.get(resource__code=resource_code, key_digest=sync.key_digest(key))
    assert record.removed_at is None
    return json.loads(str(record.values))


def test_demo_sources_load_and_a_demo_citizen_is_found(demo, citizen, other_citizen, root):
    statuses = load_demo_sources(_licences(citizen, demo))
    assert statuses == {spec.code: SyncStatus.OK for spec in SPECS}
    kinds = set(DataSource.objects.values_list("kind", flat=True))
    assert kinds == {SourceKind.CSV, SourceKind.EXCEL, SourceKind.XML, SourceKind.SQL}

    person = _values("zs.ga.population", str(citizen.id_number))
    assert person["person.name"] == citizen.real_name
    assert person["person.birth_date"] == "1990-01-01"  # from the ID number
    assert person["household.address"].startswith("中山市小榄镇")
    assert _values("zs.ga.population", str(other_citizen.id_number))["person.name"] == "李华"

    company = _values("zs.scjg.legal-persons", demo.uscc)
    assert company["enterprise.name"] == demo.name
    assert company["legal_representative.id_number"] == citizen.id_number

    licence = _values("zs.zssj.e-licences", "4420000002")
    assert licence["licence.holder_id_number"] == citizen.id_number
    assert licence["licence.type"] == "出生医学证明"

    # every household address is a standard address of the address registry
    addresses = DataRecord.objects.filter(resource__code="zs.zrzy.addresses")
    texts = {json.loads(str(r.values))["address.text"] for r in addresses}
    assert person["household.address"] in texts
    assert addresses.count() == 3  # the town's seat and two households


def test_loading_again_finds_every_source_unchanged(demo, citizen, root):
    rows = _licences(citizen, demo)
    load_demo_sources(rows)
    assert set(load_demo_sources(rows).values()) == {SyncStatus.UNCHANGED}
    assert DataRecord.objects.filter(removed_at__isnull=False).count() == 0


def test_the_licence_database_cannot_be_written_through_the_adapter(demo, citizen, root):
    load_demo_sources(_licences(citizen, demo))
    path = root / "demo" / "e-licences.sqlite3"
    with pytest.raises(adapters.SourceError):
        adapters.sqlite_query("zssj.e-licences", path, "DELETE FROM licence")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM licence").fetchone()[0] == 2
    conn.close()


def test_a_citizen_added_later_appears_at_the_next_load(demo, citizen, root):
    from tongban.accounts.models import User

    load_demo_sources(_licences(citizen, demo))
    newcomer = User.objects.create_user(
        username="newcomer", real_name="赵新", id_number=make_resident_id(seq=555)
    )
    statuses = load_demo_sources(_licences(citizen, demo))
    assert statuses["ga.population"] == SyncStatus.OK
    assert _values("zs.ga.population", str(newcomer.id_number))["person.name"] == "赵新"
