"""Hypothesis on the parsers and validators that read what outsiders type or upload.

Each reader may refuse input only with its own validation error (``CatalogueFormatError``,
form errors, an empty query) and never with anything else; where a writer exists, reading
back what it wrote gives the same data. Examples are few and deadlines off, so the module
stays within a few seconds; see docs/reliability.md for running more.
"""

from __future__ import annotations

import io
import json
import re
import string
import zipfile
from typing import Any
from urllib.parse import quote

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tongban.catalog.io import xlsx_format
from tongban.catalog.io.json_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ITEM_FIELDS,
    MAX_DEPTH,
    CatalogueFormatError,
    Refs,
    clean_bundle,
    clean_item,
    clean_theme,
    load_json,
)
from tongban.catalog.models import Audience, HandlingType, ItemType
from tongban.catalog.search.text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    MAX_TOKEN_CHARS,
    parse_query,
)
from tongban.portal.forms import CatalogueFilterForm
from tongban.portal.queries import MAX_QUERY_LENGTH

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SLOW = settings(FAST, max_examples=15)  # each example writes a workbook or runs queries

# Text as people and pasted documents produce it: Chinese, full-width forms, punctuation,
# search syntax, control characters, astral-plane characters.
SPICE = (
    "营业执照申领出生医学证明０１２ＡＢ，。、“”《》"
    "-_^*:\"'()[]{}!?&|~ \t\n\r\x00\x07\x1b\u200b\ufeff"
)
texts = st.text(
    alphabet=st.one_of(st.sampled_from(SPICE), st.characters(codec="utf-8")), max_size=60
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(texts, children, max_size=4),
    ),
    max_leaves=12,
)
FIELD_NAMES = [spec.name for spec in ITEM_FIELDS]
REFS = Refs(
    departments={"scjg", "ga"},
    themes={"birth": Audience.PERSON, "startup": Audience.ENTERPRISE},
    regions={"442000", "442000111000"},
    items={"IMPL-A-001": "published"},
)


def _record(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Records with known keys (plus a stray one) and values of any JSON type."""
    return st.dictionaries(st.sampled_from([*keys, "unknown_key"]), json_values, max_size=8)


child_rows = st.lists(st.one_of(_record(["code", "name", "seq", "sort_order", "copies"]),
                                json_scalars), max_size=3)  # fmt: skip
item_records = st.builds(
    lambda base, children: {**base, **children},
    _record(FIELD_NAMES),
    st.dictionaries(st.sampled_from(["materials", "fees", "steps", "faqs"]),
                    st.one_of(child_rows, json_scalars), max_size=4),
)  # fmt: skip


# --- The catalogue JSON reader --------------------------------------------------------------


def _load(raw: bytes) -> dict[str, Any] | None:
    try:
        return load_json(io.BytesIO(raw))
    except CatalogueFormatError as exc:
        assert str(exc.message)  # a message to show, never an empty error
        return None


@FAST
@given(st.binary(max_size=300))
def test_load_json_refuses_any_bytes_only_with_its_own_error(raw):
    data = _load(raw)
    assert data is None or data["format"] == FORMAT_NAME


@FAST
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "format": st.one_of(st.just(FORMAT_NAME), json_values),
            "version": st.one_of(st.just(FORMAT_VERSION), json_values),
            "themes": json_values,
            "items": st.one_of(st.lists(item_records, max_size=2), json_values),
            "bundles": json_values,
        },
    ),
    st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_load_json_on_near_documents(document, encoding):
    """Documents that are almost right: only a catalogue of our version gets through."""
    data = _load(json.dumps(document, ensure_ascii=False).encode(encoding))
    if data is not None:
        assert data == document
        assert data["format"] == FORMAT_NAME and data["version"] == FORMAT_VERSION
        assert type(data["version"]) is int
        assert all(isinstance(data.get(k, []), list) for k in ("themes", "items", "bundles"))


@FAST
@given(st.lists(item_records, max_size=3), st.lists(_record(["code", "name"]), max_size=2))
def test_load_json_round_trip(items, themes):
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "themes": themes,
                "items": items, "bundles": []}  # fmt: skip
    loaded = _load(json.dumps(document, ensure_ascii=False).encode())
    # The reader refuses documents nested deeper than any catalogue is (MAX_DEPTH).
    assert loaded == (document if _nesting(document) <= MAX_DEPTH else None)


def _nesting(value: Any) -> int:
    """Levels of containers, counted like the reader: a scalar 0, ``[]`` and ``{}`` 1."""
    if isinstance(value, dict):
        return 1 + max((_nesting(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_nesting(v) for v in value), default=0)
    return 0


@FAST
@given(st.integers(min_value=9, max_value=60))
def test_load_json_refuses_deep_nesting(depth):
    raw = '{"format": "tongban-catalogue", "version": 1, "items": ' + "[" * depth + "]" * depth
    assert _load((raw + "}").encode()) is None


@FAST
@given(st.one_of(item_records, json_values))
# A code given as a mapping whose text NFKC changes (found on PostgreSQL's run): it must be
# normalised on the first cleaning, not only on the second.
@example({"implementation_code": None, "name": None, "basic_code": {"\u00af": None}})
def test_clean_item_never_raises_and_is_a_fixpoint(raw):
    """Any record is cleaned into the normalised shape with problems listed; cleaning the
    result again changes nothing (so an unchanged import is recognised as unchanged)."""
    if not isinstance(raw, dict):
        raw = {"value": raw}
    data, problems = clean_item(raw, REFS)
    assert set(data) >= set(FIELD_NAMES)
    assert all(isinstance(path, tuple) and str(message) for path, message in problems)
    again, _problems = clean_item(data, REFS)
    assert again == data


@FAST
@given(_record(["code", "name", "audience", "sort_order", "lead_department", "members",
                "promised_limit", "themes", "status"]))  # fmt: skip
def test_clean_theme_and_bundle_never_raise(raw):
    for clean in (clean_theme, clean_bundle):
        data, problems = clean(raw, REFS)
        assert isinstance(data, dict)
        assert all(str(message) for _path, message in problems)


# --- The xlsx reader -------------------------------------------------------------------------

# Cell values openpyxl can store: text without the control characters XML forbids.
cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30
)
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    cell_text,
    st.sampled_from(["是", "否", "01", "1^2^3", "０１", "scjg", "IMPL-A-001", " ", "=1+1"]),
)


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@st.composite
def catalogue_workbooks(draw: st.DrawFn) -> bytes:
    """Every sheet with its real headers (some dropped or shuffled), then random rows; now
    and then a sheet is missing or its key column is."""
    sheets: dict[str, list[list[Any]]] = {}
    for title, headers, _specs, _key in xlsx_format.SHEETS.values():
        if draw(st.integers(0, 20)) == 0:
            continue  # a missing sheet
        columns = draw(st.lists(st.sampled_from(list(headers.values())), unique=True,
                                min_size=1, max_size=len(headers)))  # fmt: skip
        if draw(st.booleans()):
            columns.insert(0, headers[_key])
        width = len(columns)
        rows = draw(st.lists(st.lists(cell_values, min_size=0, max_size=width + 1), max_size=4))
        sheets[title] = [columns, *rows]
    sheets[xlsx_format.CODES_SHEET] = [["字段", "代码", "含义"]]  # ignored by the reader
    return _workbook(sheets)


def _read_xlsx(raw: bytes) -> dict[str, Any] | None:
    try:
        return xlsx_format.read_xlsx(io.BytesIO(raw))
    except CatalogueFormatError as exc:
        assert str(exc.message)
        return None


@SLOW
@given(catalogue_workbooks())
def test_read_xlsx_with_random_cells(raw):
    data = _read_xlsx(raw)
    if data is None:
        return
    assert data["format"] == FORMAT_NAME and data["_source"] == "xlsx"
    for item in data["items"]:
        assert isinstance(item["_row"], int) and item["_row"] >= 2
        assert all(isinstance(item[k], list) for k in xlsx_format.CHILD_KINDS)
        clean_item(item, REFS)  # what the importer does next never raises either
    for orphan in data["_orphans"]:
        assert orphan["message"] and orphan["row"] >= 2


def _small_workbook() -> bytes:
    return _workbook({"事项": [["实施编码"], ["IMPL-A-001"]]})


@SLOW
@given(st.binary(max_size=200), st.integers(min_value=0))
def test_read_xlsx_refuses_noise_and_cut_files_with_its_own_error(noise, position):
    good = _small_workbook()
    for raw in (noise, good[: position % len(good)]):
        assert _read_xlsx(raw) is None


def test_read_xlsx_refuses_damaged_files_with_its_own_error():
    """A real workbook with one byte changed, at every 7th position: deterministic, and
    dense enough to damage every part of the zip (headers, compressed XML, directory)."""
    good = _small_workbook()
    for position in range(0, len(good), 7):
        damaged = bytearray(good)
        damaged[position] ^= 0xFF
        _read_xlsx(bytes(damaged))


def _text_cell(value: str) -> bool:
    return bool(value.strip()) and not re.search(r"[\x00-\x1f]", value) and value == value.strip()


@SLOW
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "implementation_code": st.text(string.ascii_uppercase + string.digits + "-",
                                               min_size=1, max_size=20),
                "name": cell_text.filter(_text_cell),
                "item_type": st.sampled_from(ItemType.values),
                "handling_type": st.sampled_from(HandlingType.values),
                "department": st.sampled_from(sorted(REFS.departments)),
                "promised_limit": st.integers(0, 365),
                "has_fee": st.booleans(),
                "online_depth": st.lists(st.sampled_from(["1", "2", "3", "4"]), unique=True),
                "regions": st.lists(st.sampled_from(sorted(REFS.regions)), unique=True),
                "materials": st.lists(
                    st.fixed_dictionaries({"code": st.text(string.ascii_uppercase, min_size=1,
                                                           max_size=6),
                                           "name": cell_text.filter(_text_cell)}),
                    max_size=2, unique_by=lambda m: m["code"],
                ),
            }
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda i: i["implementation_code"],
    )
)  # fmt: skip
def test_xlsx_round_trip(items):
    """What ``write_xlsx`` writes, ``read_xlsx`` reads back to the same cleaned records."""
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "themes": [], "items": items,
                "bundles": []}  # fmt: skip
    out = io.BytesIO()
    xlsx_format.write_xlsx(document, out)
    data = _read_xlsx(out.getvalue())
    assert data is not None and data["_orphans"] == []
    assert [i["implementation_code"] for i in data["items"]] == [
        i["implementation_code"] for i in items
    ]
    for written, read in zip(items, data["items"], strict=True):
        read = {k: v for k, v in read.items() if k != "_row"}
        got, want = clean_item(read, REFS), clean_item(written, REFS)
        assert got == want, _differences(got, want)


def _differences(got: Any, want: Any) -> list[str]:
    """Which cleaned fields (or problems) differ, for a readable failure."""
    (got_record, got_problems), (want_record, want_problems) = got, want
    keys = sorted(set(got_record) | set(want_record))
    diff = [f"{k}: {got_record.get(k)!r} != {want_record.get(k)!r}" for k in keys
            if got_record.get(k) != want_record.get(k)]  # fmt: skip
    if got_problems != want_problems:
        diff.append(f"problems: {got_problems!r} != {want_problems!r}")
    return diff


# --- The search query parser -----------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")
FTS_SYNTAX = ['"', "*", "^", ":", "(", ")", "-", "+", "NEAR", "AND", "OR", "NOT", "'", "\\"]
queries = st.one_of(
    texts,
    st.lists(st.one_of(st.sampled_from(FTS_SYNTAX), texts), max_size=8).map(" ".join),
    st.text(max_size=MAX_QUERY_CHARS * 2),
)


@FAST
@given(queries)
def test_parse_query_accepts_any_text(raw):
    query = parse_query(raw)
    assert query == parse_query(raw)  # no hidden state
    assert len(query.tokens) <= MAX_QUERY_TERMS
    assert len(set(query.tokens)) == len(query.tokens)
    assert [t.text for t in query.terms] == list(query.tokens)
    for term in query.terms:
        assert _TOKEN.fullmatch(term.text) and len(term.text) <= MAX_TOKEN_CHARS
        assert term.prefix == (term.text.isascii() and term.text.isalpha() and len(term.text) > 1)
    if query.joined is not None:
        assert query.joined.text == "".join(query.tokens) and query.joined.prefix
    assert bool(query) == bool(query.tokens)
    assert parse_query(raw[:MAX_QUERY_CHARS]) == query  # the rest is ignored


@pytest.fixture
def searchable(db, department_a):
    from tongban.catalog.models import ItemStatus, ServiceItem
    from tongban.catalog.search import reindex_all

    for n, name in enumerate(["食品经营许可", "出生医学证明申领", "营业执照 business licence"]):
        ServiceItem.objects.create(
            department=department_a, implementation_code=f"IMPL-{n}", basic_code=f"B{n}",
            name=name, item_type="01", status=ItemStatus.PUBLISHED,
        )  # fmt: skip
    reindex_all()


@SLOW
@given(queries)
def test_search_never_raises_for_any_query(searchable, raw):
    """The parsed query reaches the database's full-text engine (FTS5 on SQLite): its
    syntax characters in the user's words must never become syntax there."""
    from tongban.catalog.search import search_ids, search_items

    result = search_items(raw, limit=5)
    assert result.total >= len(result.ids) and len(result.ids) <= 5
    assert search_ids(raw)[:5] == list(result.ids)


def test_search_finds_what_the_properties_search_in(searchable):
    """The fixture is really indexed (otherwise the property above proves little)."""
    from tongban.catalog.search import search_items

    assert search_items("营业执照").total == 1
    assert search_items('"营业执照" OR *').total >= 1


# --- The portal's catalogue filter form ------------------------------------------------------

FILTER_KEYS = ["q", "theme", "department", "town", "item_type", "handling_type", "audience",
               "online", "page"]  # fmt: skip
filter_values = st.one_of(
    texts,
    st.sampled_from(["", "birth", "scjg", "442000111000", "01", "1", "2", "person", "on",
                     "true", "false", "0", "-1", "99999999999999999999"]),
)  # fmt: skip
filter_queries = st.lists(
    st.tuples(st.one_of(st.sampled_from(FILTER_KEYS), texts), filter_values), max_size=8
)


def _query_dict(pairs: list[tuple[str, str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    return data


class _Choice:
    def __init__(self, code: str) -> None:
        self.code, self.display_name, self.item_count = code, code, 1


@FAST
@given(filter_queries)
def test_filter_form_accepts_any_query_string(pairs):
    form = CatalogueFilterForm(
        _query_dict(pairs),
        themes=[_Choice("birth")],
        departments=[_Choice("scjg")],
        towns=[_Choice("442000111000")],
    )
    valid = form.is_valid()
    assert valid == (not form.errors)
    flt = form.item_filter()
    assert flt.theme in ("", "birth")
    assert flt.department in ("", "scjg")
    assert flt.town in ("", "442000111000")
    assert flt.item_type in ("", *ItemType.values)
    assert flt.handling_type in ("", *HandlingType.values)
    assert flt.audience in ("", *Audience.values)
    if "q" in form.cleaned_data:
        q = form.cleaned_data["q"]
        assert len(q) <= MAX_QUERY_LENGTH and not re.search(r"[\x00-\x1f\x7f]", q)
        assert q == q.strip() and "  " not in q


@SLOW
@given(filter_queries)
def test_catalogue_page_never_fails_for_any_filter(client, searchable, pairs):
    """The page behind the form: any query string gives the page (or the NUL guard's 400),
    never a server error."""
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs)
    response = client.get(f"/services/?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    has_nul = any("\x00" in k or "\x00" in v for k, v in pairs)
    assert response.status_code == (400 if has_nul else 200), response.status_code


def _quote(text: str) -> str:
    return quote(text, safe="")


def test_workbook_helper_writes_real_xlsx():
    """The helper above builds genuine workbooks (a zip with the sheet), so the reader tests
    exercise openpyxl's parsing rather than failing early."""
    raw = _small_workbook()
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(raw)).namelist()
