"""Backups and restores of the whole platform: the database and the uploaded files.

An archive is one ``.tar.gz`` holding the database (``database.sqlite3``, made with SQLite's
online backup API, or ``database.pgdump``, made with ``pg_dump --format=custom``), every
file under ``MEDIA_ROOT`` (``media/...``), every file of the ``materials`` storage where
applicants' uploads live (``materials/...``, read through Django's storage API, so any
storage backend is covered) and, last, ``manifest.json``: when and by which
version it was made, the database vendor, the latest applied migration of each app, the
audit record count and every audit stream head, and the size and SHA-256 of every member.

The manifest's database facts come from the same snapshot as the dump (the SQLite copy
itself; on PostgreSQL a REPEATABLE READ transaction whose snapshot ``pg_dump`` shares), so
the audit heads it names are exactly the ones a restore must reproduce.

A restore reads the whole archive into a staging directory and checks every member against
the manifest before it touches the live database or files; it then swaps them in, walks
the audit chain and compares the stream heads with the manifest. See
``docs/backup-and-restore.md``.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

import psycopg
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from tongban.core.audit import count_records, record_audit, verify
from tongban.core.models import AuditRecord, AuditStreamHead, Generation

FORMAT = "tongban-backup"
FORMAT_VERSION = 2
#: Version 1 archives held no ``materials/`` members: restoring one leaves the live
#: materials as they are.
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
MATERIALS_PREFIX = "materials/"
#: The storage alias (``settings.STORAGES``) of applicants' uploads.
MATERIALS_STORAGE = "materials"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
# pg_restore waits at most this long for a lock (a web process still connected): it then
# fails, and --single-transaction leaves the database as it was.
PG_LOCK_TIMEOUT = "30s"

# settings.DATABASES OPTIONS that are libpq connection keywords, and their environment names.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


class BackupError(Exception):
    """A backup or restore could not be done; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class MemberDigest:
    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class DatabaseState:
    """What the manifest records about the database, read from the dump's own snapshot."""

    migrations: dict[str, str]
    audit_records: int
    audit_heads: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    manifest: dict[str, Any]


@dataclass
class StagedArchive:
    """An archive unpacked into a staging directory and checked against its manifest."""

    path: Path
    sha256: str
    manifest: dict[str, Any]
    staging: Path
    database_file: Path
    media_dir: Path
    materials_dir: Path

    @property
    def vendor(self) -> str:
        return str(self.manifest["database"]["vendor"])

    @property
    def media_files(self) -> int:
        """Uploaded files of every kind: media and materials."""
        prefixes = (MEDIA_PREFIX, MATERIALS_PREFIX)
        return sum(1 for f in self.manifest["files"] if f["path"].startswith(prefixes))

    @property
    def has_materials(self) -> bool:
        return int(self.manifest["format_version"]) >= 2


@dataclass
class RestoreResult:
    audit_records: int
    audit_heads: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)
    dropped_tables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Creating an archive -----------------------------------------------------------------


def tongban_version() -> str:
    try:
        return metadata.version("tongban")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_output(now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"tongban-{stamp}.tar.gz"


def create_backup(output: Path | None = None) -> BackupResult:
    """Write a backup archive (mode 0600) and an audit record ``core.backup.create``.

    Safe while the site runs. Raises ``BackupError`` when the database cannot be dumped
    (in-memory SQLite, missing or too old ``pg_dump``), when ``output`` already exists, or
    when a file cannot be read; a half-written archive is removed.
    """
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor!r}")
    created = timezone.now().astimezone(UTC)
    output = Path(output) if output else default_output(created)
    if output.exists():
        raise BackupError(f"{output} already exists: choose another --output")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix=".tongban-backup-", dir=output.parent) as work:
        if vendor == "sqlite":
            dump, state, database = _dump_sqlite(Path(work))
        else:
            dump, state, database = _dump_postgresql(Path(work))
        fd, part_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
        part = Path(part_name)
        try:
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                    files = [_add_file(tar, DATABASE_MEMBERS[vendor], dump, created)]
                    for relative, path in _media_files(media_root):
                        files.append(_add_file(tar, MEDIA_PREFIX + relative, path, None))
                    files.extend(_add_storage(tar, MATERIALS_PREFIX, materials_storage()))
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "tongban_version": tongban_version(),
                        "database": {"vendor": vendor, "member": DATABASE_MEMBERS[vendor]}
                        | database,
                        "migrations": state.migrations,
                        "audit": {"records": state.audit_records, "heads": state.audit_heads},
                        "files": [f.as_dict() for f in files],
                    }
                    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
                    _add_bytes(tar, MANIFEST, body.encode(), created)
                raw.flush()
                os.fsync(raw.fileno())
            part.chmod(0o600)
            os.replace(part, output)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    size = output.stat().st_size
    digest = _file_sha256(output)
    record_audit(
        None,
        "core.backup.create",
        meta={
            "archive": output.name,
            "bytes": size,
            "sha256": digest,
            "vendor": vendor,
            "media_files": len(files) - 1,
            "audit_records": state.audit_records,
        },
    )
    return BackupResult(output, size, digest, manifest)


def _read_state(cursor: Any) -> DatabaseState:
    """Migrations and audit heads through a DB-API cursor of the dump's snapshot."""
    records = AuditRecord._meta.db_table
    heads = AuditStreamHead._meta.db_table
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    migrations: dict[str, str] = {}
    for app, name in cursor.fetchall():
        migrations[app] = name  # the last one applied wins
    cursor.execute(f'SELECT COUNT(*) FROM "{records}"')  # noqa: S608 - a model's table name
    (count,) = cursor.fetchone()
    cursor.execute(f'SELECT stream, seq, hash FROM "{heads}" ORDER BY stream')  # noqa: S608
    audit_heads = {s: {"seq": int(q), "hash": h} for s, q, h in cursor.fetchall()}
    return DatabaseState(dict(sorted(migrations.items())), int(count), audit_heads)


def sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"] or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def _dump_sqlite(work: Path) -> tuple[Path, DatabaseState, dict[str, Any]]:
    source = sqlite_path()
    if not source.is_file():
        raise BackupError(f"the database file {source} does not exist")
    dest = work / DATABASE_MEMBERS["sqlite"]
    try:
        with (
            closing(sqlite3.connect(source, timeout=20)) as src,
            closing(sqlite3.connect(dest)) as dst,
        ):
            # pages=-1 copies in one step under one read transaction: a consistent
            # snapshot, while WAL lets the site keep writing.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file
            state = _read_state(dst.cursor())
            version = sqlite3.sqlite_version
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite online backup of {source} failed: {exc}") from exc
    return dest, state, {"server_version": version}


def _dump_postgresql(work: Path) -> tuple[Path, DatabaseState, dict[str, Any]]:
    pg_dump = pg_tool("pg_dump")
    client_major = tool_major(pg_dump)
    params = pg_params()
    dest = work / DATABASE_MEMBERS["postgresql"]
    try:
        with psycopg.connect(**params, autocommit=True) as conn:
            server_major = _server_major(conn)
            if client_major < server_major:
                raise BackupError(
                    f"pg_dump is version {client_major} but the server runs PostgreSQL "
                    f"{server_major}: install the client tools of version {server_major} or "
                    "later (e.g. postgresql-client-" + str(server_major) + ")"
                )
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            assert row is not None
            with conn.cursor() as cursor:
                state = _read_state(cursor)
            _run_pg(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={row[0]}",
                    f"--file={dest}",
                ],
                params,
            )
            conn.execute("COMMIT")
    except psycopg.Error as exc:
        raise BackupError(f"cannot read the PostgreSQL database: {exc}") from exc
    return dest, state, {"server_major": server_major, "dump_tool_major": client_major}


def materials_storage() -> Storage:
    """The storage of applicants' uploads (``settings.STORAGES["materials"]``)."""
    return storages[MATERIALS_STORAGE]


def _storage_names(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in a storage, in a stable order, through the storage API."""
    try:
        dirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for name in sorted(dirs):
        yield from _storage_names(storage, f"{directory}/{name}" if directory else name)


def _add_storage(tar: tarfile.TarFile, prefix: str, storage: Storage) -> list[MemberDigest]:
    """Archive every file of a storage under ``prefix``; a local directory is read directly
    (symbolic links not followed), any other backend through ``listdir`` and ``open``."""
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        return [_add_file(tar, prefix + rel, path, None) for rel, path in _media_files(root)]
    digests = []
    for name in _storage_names(storage):
        try:
            size = storage.size(name)
            mtime = storage.get_modified_time(name)
            with storage.open(name, "rb") as stream:
                reader = _HashingReader(stream)
                tar.addfile(
                    _tarinfo(prefix + name, size, mtime.timestamp()), cast(IO[bytes], reader)
                )
        except OSError as exc:
            raise BackupError(f"cannot read {name} from the {prefix[:-1]} storage: {exc}") from exc
        if reader.size != size:
            raise BackupError(f"{name} changed size while it was archived")
        digests.append(MemberDigest(prefix + name, reader.size, reader.hash.hexdigest()))
    return digests


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Regular files under ``root`` (symbolic links are not followed), in a stable order."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


class _HashingReader:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.hash.update(data)
        self.size += len(data)
        return data


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def _add_file(tar: tarfile.TarFile, name: str, path: Path, mtime: datetime | None) -> MemberDigest:
    try:
        with path.open("rb") as stream:
            stat = os.fstat(stream.fileno())
            info = _tarinfo(name, stat.st_size, mtime.timestamp() if mtime else stat.st_mtime)
            reader = _HashingReader(stream)
            tar.addfile(info, reader)  # type: ignore[arg-type]
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc}") from exc
    return MemberDigest(name, reader.size, reader.hash.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: datetime) -> None:
    tar.addfile(_tarinfo(name, len(data), mtime.timestamp()), io.BytesIO(data))


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL client tools ---------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client tool, or a ``BackupError`` saying how to get it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools of the "
            "server's major version (Debian/Ubuntu: apt install postgresql-client-15)"
        )
    return path


def tool_major(path: str) -> int:
    output = subprocess.run(  # noqa: S603 - a fixed tool path, no shell
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    if not match:
        raise BackupError(f"cannot tell the version of {path} from {output.strip()!r}")
    return int(match.group(1))


def _server_major(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0]) // 10000


def pg_params() -> dict[str, Any]:
    """libpq connection keywords from ``settings.DATABASES["default"]`` (empty ones left out)."""
    conf = connection.settings_dict
    params: dict[str, Any] = {
        "dbname": conf.get("NAME"),
        "user": conf.get("USER"),
        "password": conf.get("PASSWORD"),
        "host": conf.get("HOST"),
        "port": conf.get("PORT"),
    }
    for key in _LIBPQ_OPTIONS:
        params[key] = (conf.get("OPTIONS") or {}).get(key)
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def _pg_env(params: dict[str, Any], extra_options: str = "") -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the password never goes on a command line."""
    env = os.environ.copy()
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD"}
    names |= {"host": "PGHOST", "port": "PGPORT"} | _LIBPQ_OPTIONS
    for key, value in params.items():
        env[names[key]] = value
    if extra_options:
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {extra_options}".strip()
    return env


def _run_pg(command: list[str], params: dict[str, Any], extra_options: str = "") -> str:
    result = subprocess.run(  # noqa: S603 - fixed tool paths and arguments, no shell
        command,
        env=_pg_env(params, extra_options),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tool = Path(command[0]).name
        detail = result.stderr.strip()[-2000:] or "no message"
        raise BackupError(f"{tool} failed (exit {result.returncode}): {detail}")
    return result.stdout


# --- Reading and checking an archive ------------------------------------------------------


def _member_target(name: str, vendor_members: set[str]) -> PurePosixPath:
    """Check a member name: only the manifest, a database file or a plain relative media path."""
    if name == MANIFEST or name in vendor_members:
        return PurePosixPath(name)
    path = PurePosixPath(name)
    if (
        name.startswith((MEDIA_PREFIX, MATERIALS_PREFIX))
        and not path.is_absolute()
        and len(path.parts) > 1
        and all(part not in ("", ".", "..") for part in path.parts)
        and "\\" not in name
        and "\x00" not in name
    ):
        return path
    raise BackupError(f"unexpected member {name!r}: not a tongban backup, or tampered with")


@contextmanager
def open_archive(path: Path) -> Iterator[StagedArchive]:
    """Unpack ``path`` into a staging directory and check it against its manifest.

    The staging directory sits beside ``MEDIA_ROOT`` (so the media swap is a rename) and
    is removed on exit. Raises ``BackupError`` naming what is wrong: a damaged or truncated
    archive, a member missing, added or altered, or an unknown format. Nothing live is touched.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tongban-restore-", dir=media_root.parent))
    try:
        staged = _stage(path, staging)
        yield staged
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage(path: Path, staging: Path) -> StagedArchive:
    digests: dict[str, MemberDigest] = {}
    manifest_bytes: bytes | None = None
    allowed = set(DATABASE_MEMBERS.values())
    archive_hash = hashlib.sha256()
    (staging / "media").mkdir()
    (staging / "materials").mkdir()
    try:
        with path.open("rb") as raw:
            hashing = _HashingReader(raw)
            with gzip.GzipFile(fileobj=hashing, mode="rb") as unzipped:  # type: ignore[call-overload]
                with tarfile.open(fileobj=unzipped, mode="r|") as tar:
                    for member in tar:
                        target = _member_target(member.name, allowed)
                        if member.name in digests or (
                            member.name == MANIFEST and manifest_bytes is not None
                        ):
                            raise BackupError(f"member {member.name!r} appears twice")
                        if not member.isfile():
                            raise BackupError(f"member {member.name!r} is not a regular file")
                        stream = tar.extractfile(member)
                        assert stream is not None
                        if member.name == MANIFEST:
                            manifest_bytes = stream.read(MANIFEST_MAX_BYTES + 1)
                            continue
                        digests[member.name] = _extract(stream, member.name, staging / target)
                # The tar ends before the gzip trailer: reading on checks its CRC and length.
                while unzipped.read(CHUNK):
                    pass
            while hashing.read(CHUNK):
                pass
            archive_hash = hashing.hash
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            f"the archive is damaged or truncated ({exc}); nothing was changed"
        ) from exc
    if manifest_bytes is None:
        raise BackupError(f"{MANIFEST} is missing: not a tongban backup, or truncated")
    manifest = _parse_manifest(manifest_bytes)
    _check_members(manifest, digests)
    return StagedArchive(
        path=path,
        sha256=archive_hash.hexdigest(),
        manifest=manifest,
        staging=staging,
        database_file=staging / manifest["database"]["member"],
        media_dir=staging / "media",
        materials_dir=staging / "materials",
    )


def _extract(stream: IO[bytes], name: str, target: Path) -> MemberDigest:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        out = target.open("xb")
    except OSError as exc:
        raise BackupError(f"cannot write the staging copy of {name}: {exc}") from exc
    with out:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            try:
                out.write(chunk)
            except OSError as exc:  # a full disk is not a damaged archive
                raise BackupError(f"cannot write the staging copy of {name}: {exc}") from exc
    return MemberDigest(name, size, digest.hexdigest())


def _parse_manifest(data: bytes) -> dict[str, Any]:
    if len(data) > MANIFEST_MAX_BYTES:
        raise BackupError(f"{MANIFEST} is implausibly large")
    try:
        manifest = json.loads(data)
        assert isinstance(manifest, dict)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{MANIFEST} is not a tongban backup manifest")
        if manifest.get("format_version") not in READABLE_VERSIONS:
            raise BackupError(
                f"archive format version {manifest.get('format_version')!r} is not supported "
                f"by this version of tongban (it reads version {FORMAT_VERSION})"
            )
        vendor = manifest["database"]["vendor"]
        if manifest["database"]["member"] != DATABASE_MEMBERS[vendor]:
            raise BackupError(f"{MANIFEST} names an unexpected database member")
        for item in manifest["files"]:
            str(item["path"]), int(item["size"]), str(item["sha256"])
        dict(manifest["migrations"])
        dict(manifest["audit"]["heads"])
        int(manifest["audit"]["records"])
    except BackupError:
        raise
    except (ValueError, KeyError, TypeError, AssertionError) as exc:
        raise BackupError(f"{MANIFEST} is unreadable or incomplete ({exc!r})") from exc
    return manifest


def _check_members(manifest: dict[str, Any], digests: dict[str, MemberDigest]) -> None:
    listed = {item["path"]: item for item in manifest["files"]}
    problems: list[str] = []
    if manifest["database"]["member"] not in listed:
        problems.append(f"the manifest lists no database member {manifest['database']['member']}")
    for name in sorted(set(listed) - set(digests)):
        problems.append(f"{name}: listed in the manifest but missing from the archive")
    for name in sorted(set(digests) - set(listed)):
        problems.append(f"{name}: in the archive but not listed in the manifest")
    for name in sorted(set(listed) & set(digests)):
        want, got = listed[name], digests[name]
        if int(want["size"]) != got.size:
            problems.append(f"{name}: size {got.size} bytes, the manifest says {want['size']}")
        elif want["sha256"] != got.sha256:
            problems.append(
                f"{name}: SHA-256 {got.sha256} does not match the manifest's {want['sha256']}"
            )
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise BackupError(f"the archive failed its integrity check: {shown}{more}")


def check_compatible(staged: StagedArchive) -> None:
    """Refuse an archive of another database vendor, or whose migrations this code lacks."""
    vendor = connection.vendor
    if staged.vendor != vendor:
        raise BackupError(
            f"the archive holds a {staged.vendor} database but this site uses {vendor}"
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{name}"
        for app, name in sorted(staged.manifest["migrations"].items())
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "the archive was made by a newer version of tongban "
            f"({staged.manifest.get('tongban_version', 'unknown')}): this code does not know "
            f"the migration(s) {', '.join(unknown)}; upgrade tongban first, then restore"
        )


# --- Restoring -----------------------------------------------------------------------------


def apply_restore(staged: StagedArchive) -> RestoreResult:
    """Replace the database and the uploaded files with a checked archive's.

    Closes this process's database connections first; other processes (web, worker) must
    be stopped by the operator. Then walks the audit chain, compares the stream heads with
    the manifest, moves every cache generation forward (no cached page from before the
    restore is served) and writes ``core.backup.restore``. Raises ``BackupError`` when the
    database cannot be replaced (nothing was changed then); problems found after the swap
    are returned in ``RestoreResult.problems``.
    """
    generations = dict(Generation.objects.values_list("name", "value"))
    result = RestoreResult(audit_records=0, audit_heads={})
    connections.close_all()
    if staged.vendor == "sqlite":
        _restore_sqlite(staged.database_file)
    else:
        result.dropped_tables = _restore_postgresql(staged)
    connections.close_all()
    _replace_media(staged.media_dir, Path(settings.MEDIA_ROOT))
    if staged.has_materials:
        _replace_storage(staged.materials_dir, materials_storage())

    result.problems = [f"audit chain: {problem}" for problem in verify()]
    result.audit_records = count_records()
    result.audit_heads = {
        head.stream: {"seq": int(head.seq), "hash": head.hash}
        for head in AuditStreamHead.objects.order_by("stream")
    }
    expected = staged.manifest["audit"]
    if result.audit_heads != expected["heads"]:
        result.problems.append("audit stream heads differ from the manifest's")
    if result.audit_records != int(expected["records"]):
        result.problems.append(
            f"{result.audit_records} audit records, the manifest says {expected['records']}"
        )
    result.pending_migrations = _pending_migrations()
    _move_generations_forward(generations)
    record_audit(
        None,
        "core.backup.restore",
        meta={
            "archive": staged.path.name,
            "archive_sha256": staged.sha256,
            "archive_created_at": staged.manifest["created_at"],
            "vendor": staged.vendor,
            "media_files": staged.media_files,
            "audit_records": result.audit_records,
            "audit_ok": result.ok,
            "pending_migrations": len(result.pending_migrations),
        },
    )
    return result


def _restore_sqlite(staged_db: Path) -> None:
    target = sqlite_path()
    try:
        with closing(sqlite3.connect(staged_db)) as check:
            row = check.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"the archived database cannot be opened: {exc}") from exc
    if not row or row[0] != "ok":
        raise BackupError(f"the archived database fails SQLite's quick_check: {row}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.restore-", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out, staged_db.open("rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            shutil.copymode(target, temp)
        # A WAL or shared-memory file left beside the new database would be replayed into it.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _archived_tables(pg_restore: str, dump: Path, params: dict[str, Any]) -> set[str]:
    listing = _run_pg([pg_restore, "--list", str(dump)], params)
    pattern = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ")
    return {m.group(2) for line in listing.splitlines() if (m := pattern.match(line))}


def _restore_postgresql(staged: StagedArchive) -> list[str]:
    """pg_restore in one transaction; then drop tongban tables the archive does not have.

    Such tables come from migrations newer than the archive: dropping them lets ``tongban
    migrate`` create them again. Returns the dropped table names.
    """
    pg_restore = pg_tool("pg_restore")
    major = tool_major(pg_restore)
    made_by = int(staged.manifest["database"].get("dump_tool_major") or 0)
    if major < made_by:
        raise BackupError(
            f"the archive was dumped by pg_dump {made_by}; pg_restore {major} cannot read it: "
            f"install the client tools of version {made_by} or later"
        )
    params = pg_params()
    archived = _archived_tables(pg_restore, staged.database_file, params)
    _run_pg(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={params['dbname']}",
            str(staged.database_file),
        ],
        params,
        extra_options=f"-c lock_timeout={PG_LOCK_TIMEOUT}",
    )
    ours = set(connection.introspection.django_table_names(only_existing=True))
    extra = sorted(ours - archived)
    if extra:
        with connection.cursor() as cursor:
            for table in extra:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    return extra


def _replace_media(new: Path, media_root: Path) -> None:
    old: Path | None = None
    if media_root.exists() or media_root.is_symlink():
        old = media_root.with_name(f".{media_root.name}.before-restore-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(media_root, old)
    try:
        os.replace(new, media_root)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            if old is not None:
                os.replace(old, media_root)
            raise
        shutil.copytree(new, media_root)
    if old is not None:
        if old.is_symlink():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)


def _replace_storage(new: Path, storage: Storage) -> None:
    """Make a storage hold exactly the staged files: a local directory is swapped by a
    rename like ``MEDIA_ROOT``; another backend has its files deleted and written anew."""
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        root.parent.mkdir(parents=True, exist_ok=True)
        _replace_media(new, root)
        return
    for name in list(_storage_names(storage)):
        storage.delete(name)
    for relative, path in _media_files(new):
        with path.open("rb") as stream:
            saved = storage.save(relative, File(stream, name=relative))
        if saved != relative:
            raise BackupError(f"the storage kept {relative} as {saved}: restore incomplete")


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _move_generations_forward(before: dict[str, int]) -> None:
    restored = dict(Generation.objects.values_list("name", "value"))
    for name in set(before) | set(restored):
        value = max(before.get(name, 0), restored.get(name, 0)) + 1
        Generation.objects.update_or_create(name=name, defaults={"value": value})
