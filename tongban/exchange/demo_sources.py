"""The demo city's base registries as real data sources, one of each kind of adapter.

``load_demo_sources()`` runs after the demo personas, licences and exchange resources exist
(``tongban.exchange.demo.load_exchange_demo``). It writes, under
``TONGBAN_EXCHANGE_SOURCE_ROOT/demo/``:

- ``population.csv`` (人口, UTF-8 with a byte-order mark, as Excel saves it): one row per
  demo citizen, with the ID numbers of the accounts, so that a lookup of a demo citizen
  finds them; sex and date of birth come from the ID number;
- ``legal-persons.xlsx`` (法人): one row per demo business, with its credit code and its
  legal representative's ID number;
- ``addresses.xml`` (地址): the seat of every town and street, and the citizens' household
  addresses, with their 12-digit division codes;
- ``e-licences.sqlite3`` (电子证照): a SQLite database of the licences already issued
  (``licences``: rows the demo loader reads from the licence register, which this app may
  not import), read by the SQL adapter through a read-only connection.

It then creates (or updates) one ``DataSource`` per file mapped to the items of the demo
resources, and syncs each once. The files are synthetic, like every demo value: invented,
checksum-valid numbers. Idempotent: a second run rewrites the same bytes, and the syncs
find the sources unchanged.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from django.conf import settings

from tongban.accounts.models import MemberRole, Organisation, OrganisationMember, User, UserKind
from tongban.core.identifiers import parse_resident_id
from tongban.org.models import Region, RegionLevel

from .models import DataResource, DataSource, SourceKind, SyncRun
from .sync import sync_source

DEMO_DIR = "demo"
POPULATION = "zs.ga.population"
LEGAL_PERSONS = "zs.scjg.legal-persons"
E_LICENCES = "zs.zssj.e-licences"
ADDRESSES = "zs.zrzy.addresses"
CITY_NAME = "中山市"
# Synthetic coordinates around the city centre (WGS 84), spread by a town's position.
CENTRE = (113.3926, 22.5176)


@dataclass(frozen=True)
class LicenceRow:
    """One issued licence as the e-licence registry holds it (no file, no face data)."""

    number: str
    type_name: str
    issuer: str
    valid_until: str  # YYYY-MM-DD, or "" for no end
    holder_name: str
    holder_id: str  # the holder's resident ID number or credit code


@dataclass(frozen=True)
class SourceSpec:
    code: str
    resource: str
    kind: str
    file: str
    selector: str
    key_column: str
    mapping: dict[str, str]
    interval_minutes: int


SPECS: tuple[SourceSpec, ...] = (
    SourceSpec(
        "ga.population",
        POPULATION,
        SourceKind.CSV,
        "population.csv",
        "",
        "公民身份号码",
        {
            "公民身份号码": "person.id_number",
            "姓名": "person.name",
            "性别": "person.sex",
            "出生日期": "person.birth_date",
            "户籍地址": "household.address",
            "户号": "household.number",
            "与户主关系": "household.relationship",
        },
        1440,
    ),
    SourceSpec(
        "scjg.legal-persons",
        LEGAL_PERSONS,
        SourceKind.EXCEL,
        "legal-persons.xlsx",
        "法人库",
        "统一社会信用代码",
        {
            "统一社会信用代码": "enterprise.uscc",
            "名称": "enterprise.name",
            "法定代表人": "enterprise.legal_representative",
            "住所": "enterprise.address",
            "注册资本（万元）": "enterprise.registered_capital",
            "经营范围": "enterprise.business_scope",
            "登记状态": "enterprise.registration_status",
            "法定代表人身份证号码": "legal_representative.id_number",
        },
        60,
    ),
    SourceSpec(
        "zrzy.addresses",
        ADDRESSES,
        SourceKind.XML,
        "addresses.xml",
        "/addresses/address",
        "code",
        {
            "code": "address.code",
            "text": "address.text",
            "town_code": "region.town_code",
            "town_name": "region.town_name",
            "coordinates": "address.coordinates",
        },
        10080,
    ),
    SourceSpec(
        "zssj.e-licences",
        E_LICENCES,
        SourceKind.SQL,
        "e-licences.sqlite3",
        "SELECT number, type_name, issuer, valid_until, holder_name, holder_id "
        "FROM licence ORDER BY number",
        "number",
        {
            "number": "licence.number",
            "type_name": "licence.type",
            "issuer": "licence.issuer",
            "valid_until": "licence.valid_until",
            "holder_name": "licence.holder_name",
            "holder_id": "licence.holder_id_number",
        },
        60,
    ),
)


# --- the registries' contents, from the demo's own tables ----------------------------------


@dataclass(frozen=True)
class Household:
    address_code: str
    address: str
    town: Region


def _towns() -> list[Region]:
    return list(
        Region.objects.filter(level__in=[RegionLevel.TOWN, RegionLevel.STREET]).order_by(
            "sort_order", "code"
        )
    )


def _citizens() -> list[User]:
    people = User.objects.filter(kind=UserKind.CITIZEN, is_active=True).order_by("username")
    return [u for u in people if u.id_number]


def _households(citizens: list[User], towns: list[Region]) -> dict[int, Household]:
    result = {}
    for n, user in enumerate(citizens):
        town = towns[n % len(towns)]
        number = 10 + 2 * n
        result[user.pk] = Household(
            f"{town.code}{n + 2:04d}",
            f"{CITY_NAME}{town.name}{town.seat or ''}{number}号",
            town,
        )
    return result


def population_csv(citizens: list[User], households: dict[int, Household]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["公民身份号码", "姓名", "性别", "出生日期", "户籍地址", "户号", "与户主关系"])
    for n, user in enumerate(citizens, 1):
        number = str(user.id_number)
        parsed = parse_resident_id(number)
        household = households.get(user.pk)
        writer.writerow(
            [
                number,
                user.real_name,
                "男" if parsed.male else "女",
                parsed.birth_date.isoformat(),
                household.address if household else "",
                f"442000{n:06d}",
                "户主",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


LEGAL_PERSONS_SHEET = "法人库"
LEGAL_PERSONS_HEADER = ["统一社会信用代码", "名称", "法定代表人", "住所", "注册资本（万元）",
                        "经营范围", "登记状态", "法定代表人身份证号码"]  # fmt: skip


def legal_persons_rows() -> list[list[Any]]:
    """The header and one row per business, its legal representative's ID number from the
    account that represents it."""
    reps = {
        m.organisation_id: m.user
        for m in OrganisationMember.objects.filter(role=MemberRole.LEGAL_REPRESENTATIVE)
        .select_related("user")
        .order_by("pk")
    }
    rows: list[list[Any]] = [list(LEGAL_PERSONS_HEADER)]
    for org in Organisation.objects.order_by("uscc"):
        rep = reps.get(org.pk)
        rows.append(
            [
                org.uscc,
                org.name,
                org.legal_representative,
                str(org.address or ""),
                100,
                org.business_scope,
                "存续",
                str(rep.id_number or "") if rep is not None else "",
            ]
        )
    return rows


def _sheet_rows(path: Path) -> list[list[Any]] | None:
    """The rows of the legal-persons sheet of an existing workbook (None: unreadable)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
        rows = [list(r) for r in book[LEGAL_PERSONS_SHEET].iter_rows(values_only=True)]
        book.close()
    except Exception:  # a damaged or foreign file is simply written again
        return None
    return rows


def legal_persons_xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = LEGAL_PERSONS_SHEET
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _coordinates(n: int) -> str:
    x, y = CENTRE
    return f"{x + 0.011 * ((n % 7) - 3):.4f},{y + 0.009 * ((n % 5) - 2):.4f}"


def addresses_xml(towns: list[Region], households: dict[int, Household]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<addresses>"]

    def entry(code: str, text: str, town: Region, n: int) -> None:
        lines.append(
            f"  <address code={quoteattr(code)}>"
            f"<text>{xml_escape(text)}</text>"
            f"<town_code>{town.code}</town_code>"
            f"<town_name>{xml_escape(town.name)}</town_name>"
            f"<coordinates>{_coordinates(n)}</coordinates></address>"
        )

    for n, town in enumerate(towns):
        entry(f"{town.code}0001", f"{CITY_NAME}{town.name}{town.seat or ''}1号", town, n)
    for n, household in enumerate(households.values(), len(towns)):
        entry(household.address_code, household.address, household.town, n)
    lines.append("</addresses>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_licence_database(path: Path, licences: Iterable[LicenceRow]) -> None:
    """A fresh SQLite file of ``licences`` at ``path`` (replaced atomically)."""
    fd, temp = tempfile.mkstemp(prefix=".licences-", suffix=".sqlite3", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(temp)
        try:
            conn.execute(
                "CREATE TABLE licence (number TEXT PRIMARY KEY, type_name TEXT NOT NULL, "
                "issuer TEXT NOT NULL, valid_until TEXT, holder_name TEXT NOT NULL, "
                "holder_id TEXT NOT NULL)"
            )
            conn.executemany(
                "INSERT OR REPLACE INTO licence VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (r.number, r.type_name, r.issuer, r.valid_until or None, r.holder_name,
                     r.holder_id)
                    for r in sorted(licences, key=lambda r: r.number)
                ],
            )  # fmt: skip
            conn.commit()
        finally:
            conn.close()
        os.chmod(temp, 0o444)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` unless the file already holds exactly it (keeps a sync unchanged)."""
    if path.is_file() and path.read_bytes() == data:
        return
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def write_demo_files(licences: Iterable[LicenceRow] = ()) -> Path:
    """Write the four registries' files under the source root; returns their directory."""
    directory = Path(settings.TONGBAN_EXCHANGE_SOURCE_ROOT) / DEMO_DIR
    directory.mkdir(parents=True, exist_ok=True)
    towns = _towns()
    citizens = _citizens()
    households = _households(citizens, towns) if towns else {}
    _write(directory / "population.csv", population_csv(citizens, households))
    # A workbook's bytes carry the time it was saved: rewrite it only when its rows change,
    # so that the next sync finds the source unchanged.
    workbook = directory / "legal-persons.xlsx"
    rows = legal_persons_rows()
    if not workbook.is_file() or _sheet_rows(workbook) != rows:
        _write(workbook, legal_persons_xlsx(rows))
    _write(directory / "addresses.xml", addresses_xml(towns, households))
    write_licence_database(directory / "e-licences.sqlite3", licences)
    return directory


def _location(spec: SourceSpec) -> str:
    relative = f"{DEMO_DIR}/{spec.file}"
    return f"sqlite:///{relative}" if spec.kind == SourceKind.SQL else relative


def load_demo_sources(licences: Iterable[LicenceRow] = ()) -> dict[str, Any]:
    """Write the demo registries' files, create their ``DataSource`` rows and sync each once.

    ``licences`` are the licences already issued (the demo loader reads them from the
    licence register). Sources of resources that do not exist are skipped. Returns the
    runs' status by source code."""
    write_demo_files(licences)
    resources = {
        r.code: r for r in DataResource.objects.filter(code__in={s.resource for s in SPECS})
    }
    runs: dict[str, SyncRun] = {}
    for spec in SPECS:
        resource = resources.get(spec.resource)
        if resource is None:
            continue
        source, _ = DataSource.objects.update_or_create(
            code=spec.code,
            defaults={
                "resource": resource,
                "kind": spec.kind,
                "location": _location(spec),
                "selector": spec.selector,
                "key_column": spec.key_column,
                "mapping": spec.mapping,
                "interval_minutes": spec.interval_minutes,
                "enabled": True,
            },
        )
        runs[spec.code] = sync_source(source)
    return {code: run.status for code, run in runs.items()}
