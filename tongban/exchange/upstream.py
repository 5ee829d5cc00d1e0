"""The upstream adapter: the provincial or national integrated platform (一体化政务数据平台).

Since the 2025 《政务数据共享条例》 a city's exchange is a node of the national integrated
government big-data system (全国一体化政务大数据体系): it pushes its catalogue up, lists the
resources the province and the State Council's departments hold, forwards requests for
those (共享申请) and reads the answers, and queries them once granted. Everything the city
does with the upstream goes through the ``Upstream`` protocol; ``get_upstream()`` returns
the adapter named by ``TONGBAN_EXCHANGE_UPSTREAM`` ("fake", the default: ``FakeUpstream``).

No public interface description of the national or provincial platform could be found: the
shapes here (``CatalogueEntry``, ``ForwardPayload``, ``Decision``) are ours, mapped to the
catalogue standard's terms in docs/exchange-upstream.md, which also says how to write a real
adapter. Adapters raise ``UpstreamError`` (``UpstreamUnavailable`` when the platform cannot
be reached) and never return half an answer; callers retry through the outbox.

``FakeUpstream`` is a small provincial platform for the demo and the tests. It keeps its
state (pushed entries, forwarded requests, an outage switch) in one JSON file under
``VAR_DIR/upstream-fake/`` so that the web process, the worker and the scheduler agree, and
it answers queries for the demo personas with invented records.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tongban.core.identifiers import complete_resident_id


class UpstreamError(Exception):
    """The upstream platform refused a call or answered something unusable."""


class UpstreamUnavailable(UpstreamError):
    """The upstream platform could not be reached (try again later)."""


class UnknownUpstreamRef(UpstreamError):
    """The upstream platform knows no request of this reference."""


class ForwardStatus(StrEnum):
    """Where a forwarded request stands on the upstream platform."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


@dataclass(frozen=True)
class UpstreamItem:
    """One information item (信息项) of an upstream catalogue entry. ``share_class`` uses our
    values (``unconditional``, ``conditional``, ``not_shared``); ``grade`` the classification
    levels 1–4."""

    code: str
    name: str
    share_class: str
    grade: int
    name_en: str = ""
    legal_basis: str = ""
    personal_number: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UpstreamItem:
        return cls(
            code=str(data["code"]),
            name=str(data["name"]),
            share_class=str(data["share_class"]),
            grade=int(data["grade"]),
            name_en=str(data.get("name_en", "")),
            legal_basis=str(data.get("legal_basis", "")),
            personal_number=bool(data.get("personal_number", False)),
        )


@dataclass(frozen=True)
class CatalogueEntry:
    """One entry of a catalogue (目录) as exchanged with the upstream platform.

    ``entry_id`` is the upstream's id for its own entries and the city's resource code for
    entries the city pushes; ``node`` is the pushing node ("" for the platform's own);
    ``holder`` names the department that holds the data (提供部门)."""

    entry_id: str
    name: str
    holder: str
    items: tuple[UpstreamItem, ...]
    name_en: str = ""
    description: str = ""
    description_en: str = ""
    update_frequency: str = "daily"
    data_format: str = "api"
    open_to_public: bool = False
    node: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["items"] = [asdict(item) for item in self.items]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CatalogueEntry:
        return cls(
            entry_id=str(data["entry_id"]),
            name=str(data["name"]),
            holder=str(data.get("holder", "")),
            items=tuple(UpstreamItem.from_dict(i) for i in data.get("items", ())),
            name_en=str(data.get("name_en", "")),
            description=str(data.get("description", "")),
            description_en=str(data.get("description_en", "")),
            update_frequency=str(data.get("update_frequency", "daily")),
            data_format=str(data.get("data_format", "api")),
            open_to_public=bool(data.get("open_to_public", False)),
            node=str(data.get("node", "")),
        )


@dataclass(frozen=True)
class PushReceipt:
    """The upstream's receipt for a pushed catalogue: the entries it now lists for the node
    (``entries``: the node's code → the upstream's catalogue id)."""

    receipt_id: str
    received_at: str
    entries: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ForwardPayload:
    """A share request (共享申请) forwarded to the upstream platform for one of its entries.
    ``local_ref`` (the city's request id) makes a forward idempotent: the same node and
    reference get the same upstream reference back."""

    node: str
    local_ref: str
    upstream_id: str
    department: str  # the requesting department's code
    department_name: str
    member: str  # the receiving member system's code
    fields: tuple[str, ...]
    full_fields: tuple[str, ...]
    purpose: str
    legal_basis: str
    duration_days: int

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = list(self.fields)
        data["full_fields"] = list(self.full_fields)
        return data


class Decision(NamedTuple):
    """The upstream's answer to a forwarded request: ``status`` (``ForwardStatus``), the
    reasons of a refusal, and for a grant what it allows (``rate_per_minute``,
    ``rate_per_day``, ``grant_id``, ``fields``)."""

    status: str
    reasons: str = ""
    grant: dict[str, Any] | None = None


class Upstream(Protocol):
    """What the city needs of the upstream platform."""

    def push_catalogue(self, entries: Sequence[CatalogueEntry]) -> PushReceipt:
        """Replace the node's entries upstream with ``entries`` (the full published set)."""
        ...

    def list_catalogue(self) -> list[CatalogueEntry]:
        """The entries the upstream holds (province and national) that the city may request."""
        ...

    def forward_request(self, payload: ForwardPayload) -> str:
        """Forward a share request; returns the upstream's reference (same payload, same
        reference)."""
        ...

    def request_status(self, upstream_ref: str) -> Decision:
        """The upstream's answer so far to the request ``upstream_ref``."""
        ...

    def query(
        self,
        upstream_id: str,
        key: str,
        fields: Sequence[str],
        purpose: str,
        originator: dict[str, str],
    ) -> dict[str, str] | None:
        """The ``fields`` of the record ``key`` of the entry ``upstream_id`` (``None``: no
        such record). The city has decided already; the upstream checks its own grant."""
        ...


def get_upstream() -> Upstream:
    """The adapter named by ``TONGBAN_EXCHANGE_UPSTREAM`` ("fake"; or a dotted path to a
    class taking no arguments). Raises ``ImproperlyConfigured`` for an unknown name."""
    name = str(getattr(settings, "TONGBAN_EXCHANGE_UPSTREAM", "fake") or "fake")
    if name == "fake":
        return FakeUpstream()
    if "." in name:
        from django.utils.module_loading import import_string

        adapter: Upstream = import_string(name)()
        return adapter
    raise ImproperlyConfigured(f"TONGBAN_EXCHANGE_UPSTREAM: unknown upstream adapter {name!r}")


def node_code() -> str:
    """This node's code as the upstream knows it (``TONGBAN_SITE_CODE``, else "local")."""
    return str(getattr(settings, "TONGBAN_SITE_CODE", "") or "local")


def normalise_key(key: str) -> str:
    """A record key as every node compares it (the contract's ``key.strip().upper()``)."""
    return (key or "").strip().upper()


# --- the fake provincial platform ------------------------------------------------------------

U, C, N = "unconditional", "conditional", "not_shared"
PROVINCE = "广东省"
PIPL = "《中华人民共和国个人信息保护法》第十三条第一款第（三）项、第三十四条"
SOCIAL = "《中华人民共和国社会保险法》第七十四条；《政务数据共享条例》第十四条"
REALTY = "《不动产登记暂行条例》第二十七条；《不动产登记资料查询暂行办法》第十四条"
MARRIAGE = "《婚姻登记条例》；《政务数据共享条例》第十四条"
PRICE = "《不动产登记资料查询暂行办法》第二十三条（交易价格不予共享）"

_I = UpstreamItem
FAKE_CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        entry_id="440000-rst-0012",
        name="社会保险参保缴费记录",
        name_en="Social insurance contributions (province)",
        holder="广东省人力资源和社会保障厅",
        description="全省企业职工和城乡居民社会保险参保登记和缴费记录，按公民身份号码查询。",
        description_en=(
            "Social insurance registration and contributions of the province's employees and "
            "residents, by resident ID number."
        ),
        update_frequency="daily",
        data_format="api",
        items=(
            _I("person.name", "姓名", U, 2, "Name"),
            _I("person.id_number", "公民身份号码", C, 3, "Resident ID number", PIPL, True),
            _I("insurance.status", "参保状态", C, 3, "Insurance status", SOCIAL),
            _I("insurance.types", "参保险种", C, 3, "Insurance types", SOCIAL),
            _I("insurance.employer", "参保单位", C, 3, "Insuring employer", SOCIAL),
            _I("insurance.months_paid", "累计缴费月数", C, 3, "Months contributed", SOCIAL),
            _I("insurance.last_paid", "最近缴费年月", C, 3, "Last month paid", SOCIAL),
        ),
    ),
    CatalogueEntry(
        entry_id="440000-zrzyt-0031",
        name="不动产登记信息",
        name_en="Real estate registration (province)",
        holder="广东省自然资源厅",
        description="全省不动产权利人、坐落、用途、面积和抵押查封状态，按权利人证件号码查询。",
        description_en=(
            "Holders, location, use, area and mortgage or seizure status of registered real "
            "estate in the province, by the holder's ID number."
        ),
        update_frequency="real_time",
        data_format="api",
        items=(
            _I("person.name", "权利人姓名", C, 3, "Holder's name", REALTY),
            _I("person.id_number", "权利人证件号码", C, 3, "Holder's ID number", PIPL, True),
            _I("realty.certificate", "不动产权证书号", C, 3, "Certificate number", REALTY),
            _I("realty.location", "坐落", C, 3, "Location", REALTY),
            _I("realty.use", "用途", C, 3, "Use", REALTY),
            _I("realty.area", "建筑面积（平方米）", C, 3, "Floor area (m²)", REALTY),
            _I("realty.encumbrance", "抵押查封状态", C, 3, "Mortgage or seizure", REALTY),
            _I("realty.price", "交易价格", N, 4, "Transaction price", PRICE),
        ),
    ),
    CatalogueEntry(
        entry_id="100000-mzb-0007",
        name="婚姻登记信息",
        name_en="Marriage registration (national)",
        holder="民政部",
        description="全国婚姻登记信息（结婚、离婚、补领），按当事人公民身份号码查询。",
        description_en=(
            "Marriage registrations of the whole country (marriage, divorce, reissue), by "
            "the party's resident ID number."
        ),
        update_frequency="daily",
        data_format="api",
        items=(
            _I("person.name", "姓名", U, 2, "Name"),
            _I("person.id_number", "公民身份号码", C, 3, "Resident ID number", PIPL, True),
            _I("marriage.status", "婚姻状况", C, 3, "Marital status", MARRIAGE),
            _I("marriage.registered_on", "登记日期", C, 3, "Registered on", MARRIAGE),
            _I("marriage.authority", "登记机关", C, 3, "Registering authority", MARRIAGE),
        ),
    ),
)

# The demo personas (tongban/demo/data/people.py): invented, checksum-valid ID numbers.
CHEN = complete_resident_id("44200019880315135")  # 陈小明
LI = complete_resident_id("44200019920708246")  # 李芳
HUANG = complete_resident_id("44200019791123317")  # 黄志强
LIANG = complete_resident_id("44200019960502428")  # 梁嘉欣
HARDWARE = "中山市小榄五金制品有限公司"

FAKE_RECORDS: dict[str, dict[str, dict[str, str]]] = {
    "440000-rst-0012": {
        CHEN: {
            "person.name": "陈小明",
            "person.id_number": CHEN,
            "insurance.status": "正常参保",
            "insurance.types": "企业职工基本养老保险、失业保险、工伤保险",
            "insurance.employer": "中山市石岐区明德电子科技有限公司",
            "insurance.months_paid": "118",
            "insurance.last_paid": "2026-11",
        },
        LI: {
            "person.name": "李芳",
            "person.id_number": LI,
            "insurance.status": "正常参保",
            "insurance.types": "城乡居民基本养老保险",
            "insurance.employer": "（灵活就业）",
            "insurance.months_paid": "46",
            "insurance.last_paid": "2026-10",
        },
        HUANG: {
            "person.name": "黄志强",
            "person.id_number": HUANG,
            "insurance.status": "正常参保",
            "insurance.types": "企业职工基本养老保险、失业保险、工伤保险",
            "insurance.employer": HARDWARE,
            "insurance.months_paid": "215",
            "insurance.last_paid": "2026-11",
        },
        LIANG: {
            "person.name": "梁嘉欣",
            "person.id_number": LIANG,
            "insurance.status": "正常参保",
            "insurance.types": "企业职工基本养老保险、失业保险、工伤保险",
            "insurance.employer": HARDWARE,
            "insurance.months_paid": "52",
            "insurance.last_paid": "2026-11",
        },
    },
    "440000-zrzyt-0031": {
        CHEN: {
            "person.name": "陈小明",
            "person.id_number": CHEN,
            "realty.certificate": "粤（2019）中山市不动产权第0123456号",
            "realty.location": "中山市石岐街道悦来南路18号3座1502房",
            "realty.use": "城镇住宅用地/住宅",
            "realty.area": "89.36",
            "realty.encumbrance": "抵押",
            "realty.price": "1380000",
        },
        HUANG: {
            "person.name": "黄志强",
            "person.id_number": HUANG,
            "realty.certificate": "粤（2012）中山市不动产权第0045678号",
            "realty.location": "中山市小榄镇升平中路66号",
            "realty.use": "城镇住宅用地/住宅",
            "realty.area": "142.80",
            "realty.encumbrance": "无",
            "realty.price": "960000",
        },
    },
    "100000-mzb-0007": {
        CHEN: {
            "person.name": "陈小明",
            "person.id_number": CHEN,
            "marriage.status": "已婚",
            "marriage.registered_on": "2016-10-08",
            "marriage.authority": "中山市民政局婚姻登记处",
        },
        HUANG: {
            "person.name": "黄志强",
            "person.id_number": HUANG,
            "marriage.status": "已婚",
            "marriage.registered_on": "2005-05-01",
            "marriage.authority": "中山市小榄镇人民政府",
        },
    },
}

#: How the fake refuses a request whose basis names no law or regulation (《…》).
REFUSED_NO_BASIS = (
    "申请未写明共享依据（法律、行政法规或国务院决定的名称和条款），"
    "依照《政务数据共享条例》不予同意。"
)
REFUSED_NOT_SHARED = "所申请的信息项（{items}）属于不予共享类，不予同意。"


def fake_state_dir() -> Path:
    """Where the fake keeps its state (``TONGBAN_EXCHANGE_UPSTREAM_FAKE_DIR``, else
    ``VAR_DIR/upstream-fake``)."""
    configured = getattr(settings, "TONGBAN_EXCHANGE_UPSTREAM_FAKE_DIR", "") or ""
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", "var")) / "upstream-fake"


def _empty_state() -> dict[str, Any]:
    return {"outage": False, "seq": 0, "pushed": {}, "requests": {}}


class FakeUpstream:
    """A provincial platform good enough for the demo and the tests.

    - ``list_catalogue``: ``FAKE_CATALOGUE`` (two provincial entries and a national one);
    - ``push_catalogue``: records the node's entries (replacing what it pushed before; an
      empty push empties the node's catalogue);
    - ``forward_request``: records the request, pending; the first status read after it is
      still pending (the platform's review step, ``decide_after`` reads), the next one
      decides: refused when the legal basis names no law (no 《…》) or a field is not shared,
      granted otherwise;
    - ``query``: ``FAKE_RECORDS`` for the demo personas;
    - ``set_outage(True)``: every call raises ``UpstreamUnavailable`` (tests, drills).
    """

    def __init__(self, state_dir: Path | None = None, *, decide_after: int = 1) -> None:
        self.state_dir = Path(state_dir) if state_dir is not None else fake_state_dir()
        self.decide_after = decide_after
        # The node this adapter speaks for (a real one authenticates as it).
        self.node = node_code()

    # -- state file, shared by every process ---------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.state_dir / "state.json"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return _empty_state()
        except (OSError, ValueError) as exc:
            raise UpstreamError(
                f"fake upstream: unreadable state {self.state_path}: {exc}"
            ) from exc
        return {**_empty_state(), **data}

    @contextmanager
    def _state(self, *, write: bool) -> Iterator[dict[str, Any]]:
        """The state under the lock (exclusive when ``write``, shared otherwise), written
        back atomically (a new file replacing the old) when ``write``."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / "state.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            try:
                state = self._read()
                yield state
                if write:
                    fd, tmp = tempfile.mkstemp(dir=self.state_dir, prefix=".state-")
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        json.dump(state, handle, ensure_ascii=False, indent=1)
                    os.replace(tmp, self.state_path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _available(self, state: dict[str, Any]) -> None:
        if state.get("outage"):
            raise UpstreamUnavailable("the provincial platform is unavailable (fake outage)")

    def set_outage(self, on: bool) -> None:
        """Make every call fail (``on``) or work again, in every process."""
        with self._state(write=True) as state:
            state["outage"] = bool(on)

    def reset(self) -> None:
        """Forget everything pushed and forwarded (tests)."""
        with self._state(write=True) as state:
            state.clear()
            state.update(_empty_state())

    def pushed(self, node: str) -> dict[str, dict[str, Any]]:
        """What ``node`` has pushed, by its resource code (for tests and the demo)."""
        with self._state(write=False) as state:
            return dict(state["pushed"].get(node, {}))

    # -- the protocol ----------------------------------------------------------------------

    def push_catalogue(self, entries: Sequence[CatalogueEntry]) -> PushReceipt:
        node = self.node
        if any(e.node != node for e in entries):
            raise UpstreamError(f"a push carries the entries of its own node ({node}) only")
        with self._state(write=True) as state:
            self._available(state)
            state["seq"] += 1
            state["pushed"][node] = {e.entry_id: e.as_dict() for e in entries}
            return PushReceipt(
                receipt_id=f"MLTS{state['seq']:08d}",  # 目录推送
                received_at=timezone.now().isoformat(),
                entries={e.entry_id: f"{node}/{e.entry_id}" for e in entries},
            )

    def list_catalogue(self) -> list[CatalogueEntry]:
        with self._state(write=False) as state:
            self._available(state)
        return list(FAKE_CATALOGUE)

    def _entry(self, upstream_id: str) -> CatalogueEntry:
        for entry in FAKE_CATALOGUE:
            if entry.entry_id == upstream_id:
                return entry
        raise UpstreamError(f"no catalogue entry {upstream_id!r} upstream")

    def forward_request(self, payload: ForwardPayload) -> str:
        entry = self._entry(payload.upstream_id)
        known = {item.code for item in entry.items}
        unknown = [f for f in payload.fields if f not in known]
        if unknown:
            raise UpstreamError(f"entry {entry.entry_id} has no items {unknown}")
        with self._state(write=True) as state:
            self._available(state)
            for ref, row in state["requests"].items():
                if row["node"] == payload.node and row["local_ref"] == payload.local_ref:
                    return str(ref)
            state["seq"] += 1
            today = timezone.localdate().strftime("%Y%m%d")
            ref = f"GXSQ{today}{state['seq']:06d}"  # 共享申请
            state["requests"][ref] = {
                **payload.as_dict(),
                "status": ForwardStatus.PENDING.value,
                "reads": 0,
                "reasons": "",
                "grant": None,
                "received_at": timezone.now().isoformat(),
            }
            return ref

    def request_status(self, upstream_ref: str) -> Decision:
        with self._state(write=True) as state:
            self._available(state)
            row = state["requests"].get(upstream_ref)
            if row is None:
                raise UnknownUpstreamRef(f"no request {upstream_ref!r} upstream")
            if row["status"] == ForwardStatus.PENDING:
                row["reads"] += 1
                if row["reads"] > self.decide_after:
                    self._decide(upstream_ref, row)
            return Decision(str(row["status"]), str(row["reasons"]), row["grant"])

    def _decide(self, ref: str, row: dict[str, Any]) -> None:
        entry = self._entry(str(row["upstream_id"]))
        withheld = [i.name for i in entry.items if i.code in row["fields"] and i.share_class == N]
        basis = str(row.get("legal_basis", "")).strip()
        # The row is the fake platform's own JSON record of the request, not a model: its
        # answer is kept under "status" as the upstream's message would carry it.
        if not basis or "《" not in basis:
            row["status"], row["reasons"] = ForwardStatus.REFUSED.value, REFUSED_NO_BASIS
        elif withheld:
            reasons = REFUSED_NOT_SHARED.format(items="、".join(withheld))
            row["status"], row["reasons"] = ForwardStatus.REFUSED.value, reasons
        else:
            row["status"] = ForwardStatus.GRANTED.value
            row["grant"] = {
                "grant_id": f"{ref}-SQ",
                "fields": list(row["fields"]),
                "rate_per_minute": 30,
                "rate_per_day": 5000,
            }
        row["decided_at"] = timezone.now().isoformat()

    def query(
        self,
        upstream_id: str,
        key: str,
        fields: Sequence[str],
        purpose: str,
        originator: dict[str, str],
    ) -> dict[str, str] | None:
        entry = self._entry(upstream_id)
        known = {item.code for item in entry.items}
        unknown = [f for f in fields if f not in known]
        if unknown:
            raise UpstreamError(f"entry {upstream_id} has no items {unknown}")
        if not (purpose or "").strip() or not originator.get("dept"):
            raise UpstreamError("a query states its purpose and originating department")
        with self._state(write=False) as state:
            self._available(state)
        record = FAKE_RECORDS.get(upstream_id, {}).get(normalise_key(key))
        if record is None:
            return None
        return {f: record[f] for f in fields if f in record}
