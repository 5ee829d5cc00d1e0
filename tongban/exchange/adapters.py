"""Provider adapters: read the records of a ``DataSource`` (a file or a read-only SQL query).

Every reader yields ``(row_number, {column: value})`` with values as text (``""`` for an
empty cell or ``NULL``). Row numbers are what the provider's staff can find again: the line
of the spreadsheet (CSV and Excel: the header is row 1, so the first record is row 2), or
the record's position counted from 1 (JSON, XML, SQL).

- **CSV**: UTF-8 with or without a byte-order mark; a file that is not UTF-8 is read as
  GB18030 (the encoding of Chinese Excel exports). The first line is the header.
- **Excel** (.xlsx): openpyxl in read-only mode, the sheet named by ``selector`` (else the
  first); the first row is the header; dates become ``YYYY-MM-DD``.
- **JSON**: a list of objects, or the list at ``selector``, a dotted path (``data.items``).
- **XML**: parsed by lxml with a hardened parser (no entities, no DTD, no network); a
  document with a ``DOCTYPE`` is refused. Records are the elements at ``selector`` (an
  XPath); a record's fields are its attributes and its child elements' text.
- **SQL**: ``location`` is a database URL, ``selector`` one ``SELECT`` statement. SQLite is
  opened read-only (``file:…?mode=ro`` and ``PRAGMA query_only``); PostgreSQL in a ``READ
  ONLY`` transaction with ``default_transaction_read_only`` and a statement timeout. A query
  that tries to write fails with an error naming the source.

File locations (and SQLite paths) are confined to ``TONGBAN_EXCHANGE_SOURCE_ROOT``: a path
that resolves outside it (``..``, an absolute path elsewhere, a symbolic link out) is
refused. Sizes are capped (``TONGBAN_EXCHANGE_SOURCE_MAX_BYTES``, default 64 MiB; at most
``TONGBAN_EXCHANGE_SOURCE_MAX_ROWS`` records, default 500,000); queries time out after
``TONGBAN_EXCHANGE_SOURCE_TIMEOUT`` seconds (default 60).

``read_source`` returns a ``Snapshot``: the rows and the sha256 of what was read (the file's
bytes, or the canonical JSON of the query's columns and rows), which ``sync`` compares with
the last sync's to skip an unchanged source. Errors are ``SourceError`` (a ``ServiceError``
whose message names the source and the field of the source at fault).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from tongban.core.errors import ServiceError

from .models import DataSource, SourceKind

Row = tuple[int, dict[str, str]]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ROWS = 500_000
DEFAULT_TIMEOUT = 60
SQL_START_RE = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})


class SourceError(ServiceError):
    """A source that cannot be read: the message names the source; the field is the source's
    field at fault (``location``, ``selector``, ``key_column`` or ``mapping``)."""


def source_error(source: DataSource | str, message: str, field: str = "location") -> SourceError:
    code = source if isinstance(source, str) else source.code
    text = _("Data source %(source)s: %(problem)s") % {"source": code, "problem": message}
    return SourceError({field: [text]})


def max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_EXCHANGE_SOURCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "TONGBAN_EXCHANGE_SOURCE_MAX_ROWS", DEFAULT_MAX_ROWS))


def timeout_seconds() -> int:
    return int(getattr(settings, "TONGBAN_EXCHANGE_SOURCE_TIMEOUT", DEFAULT_TIMEOUT))


def source_root() -> Path:
    return Path(settings.TONGBAN_EXCHANGE_SOURCE_ROOT).resolve()


@dataclass(frozen=True)
class Snapshot:
    """What one read of a source gave: the sha256 (hex) of what was read, the header (the
    columns, when the source has one) and the rows."""

    sha256: str
    columns: tuple[str, ...] | None
    rows: list[Row]


# --- paths --------------------------------------------------------------------------------


def resolve_path(source: DataSource | str, location: str) -> Path:
    """The file ``location`` names, resolved (symbolic links followed) under the source root.

    Raises ``SourceError`` if it resolves outside ``TONGBAN_EXCHANGE_SOURCE_ROOT``."""
    root = source_root()
    text = location.strip()
    if not text or "\x00" in text:
        raise source_error(source, _("give the path of the file under the source directory."))
    path = (root / text).resolve()
    if not path.is_relative_to(root):
        raise source_error(
            source,
            _("the file must be inside the source directory; %(path)s is not.") % {"path": text},
        )
    return path


def read_file_bytes(source: DataSource) -> bytes:
    """The bytes of the source's file, at most ``TONGBAN_EXCHANGE_SOURCE_MAX_BYTES``."""
    path = resolve_path(source, source.location)
    limit = max_bytes()
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise source_error(
            source, _("the file %(path)s does not exist.") % {"path": source.location}
        ) from None
    except IsADirectoryError:
        raise source_error(
            source, _("%(path)s is a directory, not a file.") % {"path": source.location}
        ) from None
    except OSError as exc:
        raise source_error(
            source, _("the file cannot be read (%(error)s).") % {"error": exc.strerror or exc}
        ) from None
    if len(data) > limit:
        raise source_error(source, _("the file is larger than %(n)s bytes.") % {"n": f"{limit:,}"})
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value).strip()


def _check_rows(source: DataSource, count: int) -> None:
    if count > max_rows():
        raise source_error(
            source, _("the source has more than %(n)s records.") % {"n": f"{max_rows():,}"}
        )


# --- CSV ----------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (a byte-order mark dropped), else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def csv_rows(source: DataSource, data: bytes) -> tuple[tuple[str, ...], Iterator[Row]]:
    """The header and the records of a CSV file."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise source_error(source, _("the CSV file is neither UTF-8 nor GB18030.")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(h.strip() for h in next(reader))
    except StopIteration:
        raise source_error(source, _("the CSV file is empty: it has no header line.")) from None
    except csv.Error as exc:
        raise source_error(
            source, _("the CSV file cannot be read (%(error)s).") % {"error": exc}
        ) from None

    def rows() -> Iterator[Row]:
        number = 1
        try:
            for record in reader:
                number += 1
                if not any(cell.strip() for cell in record):
                    continue
                yield (
                    number,
                    {h: record[i].strip() if i < len(record) else "" for i, h in enumerate(header)},
                )
        except csv.Error as exc:
            raise source_error(
                source,
                _("row %(row)s of the CSV file cannot be read (%(error)s).")
                % {"row": number, "error": exc},
            ) from None

    return header, rows()


# --- Excel --------------------------------------------------------------------------------


def excel_rows(source: DataSource, data: bytes) -> tuple[tuple[str, ...], Iterator[Row]]:
    """The header and the records of the sheet ``selector`` (else the first) of a workbook."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise source_error(
            source, _("the file is not an Excel workbook (%(error)s).") % {"error": exc}
        ) from None
    except Exception as exc:  # zipfile.BadZipFile and the like from a damaged file
        raise source_error(
            source, _("the file is not an Excel workbook (%(error)s).") % {"error": exc}
        ) from None
    name = source.selector.strip()
    if name:
        if name not in book.sheetnames:
            raise source_error(
                source,
                _("the workbook has no sheet named %(sheet)s.") % {"sheet": name},
                "selector",
            )
        sheet = book[name]
    else:
        sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    try:
        header = tuple(_text(h) for h in next(cells))
    except StopIteration:
        raise source_error(source, _("the sheet is empty: it has no header row.")) from None

    def rows() -> Iterator[Row]:
        for number, record in enumerate(cells, 2):
            values = [_text(v) for v in record]
            if not any(values):
                continue
            yield (
                number,
                {h: values[i] if i < len(values) else "" for i, h in enumerate(header) if h},
            )

    return header, rows()


# --- JSON ---------------------------------------------------------------------------------


def json_rows(source: DataSource, data: bytes) -> Iterator[Row]:
    """The objects of the list at ``selector`` (a dotted path; empty: the document)."""
    try:
        document = json.loads(decode_text(data))
    except (ValueError, UnicodeDecodeError) as exc:
        raise source_error(
            source, _("the file is not valid JSON (%(error)s).") % {"error": exc}
        ) from None
    found: Any = document
    for part in [p for p in source.selector.strip().split(".") if p]:
        if isinstance(found, dict) and part in found:
            found = found[part]
        elif isinstance(found, list) and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        else:
            raise source_error(
                source,
                _("the path %(path)s is not in the JSON document.") % {"path": source.selector},
                "selector",
            )
    if not isinstance(found, list):
        raise source_error(source, _("the records must be a JSON list of objects."), "selector")
    for number, record in enumerate(found, 1):
        if not isinstance(record, dict):
            raise source_error(
                source, _("record %(row)s is not a JSON object.") % {"row": number}, "selector"
            )
        yield number, {str(k).strip(): _text(v) for k, v in record.items()}


# --- XML ----------------------------------------------------------------------------------


def xml_parser() -> Any:
    """lxml's parser with everything that reaches outside the document turned off."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def xml_rows(source: DataSource, data: bytes) -> Iterator[Row]:
    """The elements at the XPath ``selector``: attributes and child elements' text."""
    from lxml import etree

    try:
        root = etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError as exc:
        raise source_error(
            source, _("the file is not well-formed XML (%(error)s).") % {"error": exc}
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise source_error(source, _("XML with a DOCTYPE (entities, DTD) is not accepted."))
    if not source.selector.strip():
        raise source_error(source, _("give the XPath of the records."), "selector")
    try:
        found = root.xpath(source.selector.strip())
    except etree.XPathError as exc:
        raise source_error(
            source, _("the XPath is not valid (%(error)s).") % {"error": exc}, "selector"
        ) from None
    if not isinstance(found, list):
        raise source_error(source, _("the XPath must select elements."), "selector")
    for number, element in enumerate(found, 1):
        if not isinstance(element, etree._Element) or not isinstance(element.tag, str):
            raise source_error(source, _("the XPath must select elements."), "selector")
        fields = {etree.QName(k).localname: _text(v) for k, v in element.attrib.items()}
        for child in element:
            if isinstance(child.tag, str):
                fields[etree.QName(child).localname] = _text("".join(child.itertext()))
        yield number, fields


# --- SQL ----------------------------------------------------------------------------------


def check_select(source: DataSource | str, query: str) -> str:
    """``query`` without a final semicolon if it is one ``SELECT`` (or ``WITH … SELECT``)
    statement; raises ``SourceError`` (field ``selector``) otherwise."""
    text = query.strip().rstrip(";").strip()
    if not text:
        raise source_error(
            source, _("give the SELECT statement that reads the records."), "selector"
        )
    if ";" in text:
        raise source_error(source, _("give one SELECT statement, without semicolons."), "selector")
    if not SQL_START_RE.match(text):
        raise source_error(
            source, _("only a SELECT statement may read a source; it must not write."), "selector"
        )
    return text


def sqlite_path(source: DataSource | str, url: str) -> Path:
    """The database file of a ``sqlite:///relative/path`` (or absolute) URL, confined."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    # sqlite:///x.db (path "/x.db") is relative to the source root; sqlite:////abs/x.db
    # (path "//abs/x.db") is absolute, and must still lie under the root.
    if path.startswith("//"):
        return resolve_path(source, path[1:])
    return resolve_path(source, path.lstrip("/"))


def _write_refused(source: DataSource | str) -> SourceError:
    return source_error(source, _("the query tried to write; sources are read only."), "selector")


def sqlite_query(
    source: DataSource | str, path: Path, query: str
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """Run ``query`` on the SQLite file ``path`` opened read-only; columns and rows."""
    if not path.is_file():
        raise source_error(source, _("the database file does not exist."))
    limit = max_rows()
    deadline = time.monotonic() + timeout_seconds()
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise source_error(
            source, _("the database cannot be opened (%(error)s).") % {"error": exc}
        ) from None
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        cursor = conn.execute(query)
        columns = tuple(d[0] for d in cursor.description or ())
        rows = cursor.fetchmany(limit + 1)
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "readonly" in text or "read-only" in text or "query_only" in text:
            raise _write_refused(source) from None
        if "interrupted" in text:
            raise source_error(source, _("the query took too long."), "selector") from None
        raise source_error(
            source, _("the query failed (%(error)s).") % {"error": exc}, "selector"
        ) from None
    except (sqlite3.Error, sqlite3.Warning) as exc:
        raise source_error(
            source, _("the query failed (%(error)s).") % {"error": exc}, "selector"
        ) from None
    finally:
        conn.close()
    return columns, rows


def postgres_query(
    source: DataSource | str, url: str, query: str
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """Run ``query`` on PostgreSQL in a READ ONLY transaction with a statement timeout."""
    import psycopg

    limit = max_rows()
    millis = timeout_seconds() * 1000
    options = f"-c default_transaction_read_only=on -c statement_timeout={millis}"
    try:
        conn = psycopg.connect(url, connect_timeout=10, options=options, autocommit=False)
    except psycopg.Error as exc:
        raise source_error(
            source,
            _("the database cannot be reached (%(error)s).") % {"error": exc.__class__.__name__},
        ) from None
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(query.encode())
            columns = tuple(d.name for d in cursor.description or ())
            rows = cursor.fetchmany(limit + 1)
        conn.rollback()
    except psycopg.errors.ReadOnlySqlTransaction:
        raise _write_refused(source) from None
    except psycopg.errors.QueryCanceled:
        raise source_error(source, _("the query took too long."), "selector") from None
    except psycopg.Error as exc:
        raise source_error(
            source, _("the query failed (%(error)s).") % {"error": exc}, "selector"
        ) from None
    finally:
        conn.close()
    return columns, rows


def sql_result(source: DataSource) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The columns and rows of the source's query (read-only, one SELECT)."""
    query = check_select(source, source.selector)
    url = source.location.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        columns, rows = sqlite_query(source, sqlite_path(source, url), query)
    elif scheme in POSTGRES_SCHEMES:
        columns, rows = postgres_query(source, url, query)
    else:
        raise source_error(source, _("give a database URL starting sqlite:/// or postgresql://."))
    _check_rows(source, len(rows))
    return columns, rows


def redact_url(url: str) -> str:
    """A database URL without its password, to show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def shown_location(source: DataSource) -> str:
    return redact_url(source.location) if source.kind == SourceKind.SQL else source.location


# --- the one entry point ------------------------------------------------------------------


def _collect(source: DataSource, rows: Iterator[Row]) -> list[Row]:
    result: list[Row] = []
    limit = max_rows()
    for row in rows:
        result.append(row)
        if len(result) > limit:
            _check_rows(source, len(result))
    return result


def read_source(source: DataSource) -> Snapshot:
    """Read every record of ``source``. Raises ``SourceError`` naming the source."""
    if source.kind == SourceKind.SQL:
        columns, raw = sql_result(source)
        canonical = json.dumps(
            [list(columns), [[_text(v) for v in r] for r in raw]], ensure_ascii=False
        ).encode()
        rows = [
            (n, dict(zip(columns, (_text(v) for v in r), strict=True)))
            for n, r in enumerate(raw, 1)
        ]
        return Snapshot(hashlib.sha256(canonical).hexdigest(), columns, rows)
    data = read_file_bytes(source)
    sha = hashlib.sha256(data).hexdigest()
    if source.kind == SourceKind.CSV:
        header, iterator = csv_rows(source, data)
        return Snapshot(sha, header, _collect(source, iterator))
    if source.kind == SourceKind.EXCEL:
        header, iterator = excel_rows(source, data)
        return Snapshot(sha, header, _collect(source, iterator))
    if source.kind == SourceKind.JSON:
        return Snapshot(sha, None, _collect(source, json_rows(source, data)))
    if source.kind == SourceKind.XML:
        return Snapshot(sha, None, _collect(source, xml_rows(source, data)))
    raise source_error(
        source, _("unknown kind of source %(kind)s.") % {"kind": source.kind}, "kind"
    )
