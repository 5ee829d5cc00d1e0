"""The restore drill: back up, destroy, restore, and prove the data and audit chain are back.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL through DATABASE_URL):
the archive is made from the test database and restored into it. Damaged, truncated,
tampered and too-new archives must be refused without changing anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from tongban.core import backup
from tongban.core.audit import record_audit, verify
from tongban.core.models import AuditRecord, AuditStreamHead, Generation
from tongban.core.tests.test_audit import guard_lifted

pytestmark = pytest.mark.django_db(transaction=True)

UPLOAD = "2026/12/licence-scan.pdf"
UPLOAD_BYTES = b"%PDF-1.7 synthetic scan \x00\x01\x02 " + bytes(range(256)) * 8
MEDIA_FILE = "site/logo.png"


def use_materials_storage(settings, root: Path | str, backend: str = "") -> None:
    """Point the ``materials`` storage (applicants' uploads) at ``root``, or another backend."""
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": backend or "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {} if backend else {"location": str(root)},
        },
    }


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """The materials storage's directory, where the product writes uploads (one file in it);
    ``MEDIA_ROOT`` beside it holds one more file."""
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    (settings.MEDIA_ROOT / MEDIA_FILE).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / MEDIA_FILE).write_bytes(b"\x89PNG site logo")
    root = tmp_path / "var" / "uploads"
    use_materials_storage(settings, root)
    (root / UPLOAD).parent.mkdir(parents=True)
    (root / UPLOAD).write_bytes(UPLOAD_BYTES)
    return root


@pytest.fixture
def data(media: Path) -> dict[str, Any]:
    """A few organisation and catalogue rows and audit records in two streams."""
    region = apps.get_model("org", "Region")
    department = apps.get_model("org", "Department")
    theme = apps.get_model("catalog", "Theme")
    city = region.objects.create(
        code="442000", name="中山市", name_en="Zhongshan", level="prefecture"
    )
    dept = department.objects.create(
        code="scjg", name="中山市市场监督管理局", name_en="Market Regulation", region=city
    )
    theme.objects.create(code="kaiban", name="开办企业", audience="enterprise", sort_order=2)
    theme.objects.create(code="chusheng", name="出生", audience="person", sort_order=1)
    for step in range(3):
        record_audit(None, "org.department.updated", dept, meta={"fields": ["name"], "n": step})
    record_audit(None, "catalog.theme.created", meta={"count": 2})
    return {"city": city, "department": dept}


def _rows() -> dict[str, list[dict[str, Any]]]:
    models = [
        apps.get_model("org", "Region"),
        apps.get_model("org", "Department"),
        apps.get_model("catalog", "Theme"),
        AuditRecord,
        AuditStreamHead,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def _files(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _heads() -> dict[str, dict[str, Any]]:
    return {h.stream: {"seq": h.seq, "hash": h.hash} for h in AuditStreamHead.objects.all()}


def _backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", output=path, stdout=out)
    return out.getvalue()


def _restore(path: Path, *, yes: bool = True) -> str:
    out = io.StringIO()
    call_command("restore", str(path), yes=yes, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path, "r:gz") as tar:
        stream = tar.extractfile("manifest.json")
        assert stream is not None
        return json.loads(stream.read())


def _rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Copy an archive member by member, passing each member's content through ``change``."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for member in tin.getmembers():
            stream = tin.extractfile(member)
            assert stream is not None
            content = change(member.name, stream.read())
            member.size = len(content)
            tout.addfile(member, io.BytesIO(content))


def _destroy(media: Path) -> None:
    """What an incident leaves behind: rows gone or changed, the audit tail cut, files lost."""
    apps.get_model("org", "Department").objects.all().delete()
    apps.get_model("catalog", "Theme").objects.filter(code="kaiban").delete()
    apps.get_model("org", "Region").objects.update(name="损坏")
    # An attacker with database rights: the append-only triggers are lifted for the damage.
    with guard_lifted(), connection.cursor() as cursor:
        table = connection.ops.quote_name(AuditRecord._meta.db_table)
        cursor.execute(f"DELETE FROM {table} WHERE stream = %s AND seq = %s", ["org", 3])  # noqa: S608
    record_audit(None, "catalog.theme.deleted", meta={"count": 1})
    (media / UPLOAD).unlink()
    (media / "stray.txt").write_bytes(b"written after the backup")


def test_drill_backup_destroy_restore(data, media: Path, tmp_path: Path) -> None:
    rows_before, heads_before = _rows(), _heads()
    archive = tmp_path / "drill.tar.gz"

    printed = _backup(archive)

    assert "OK: backup written" in printed
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    manifest = _manifest(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["audit"] == {"records": 4, "heads": heads_before}
    applied = MigrationRecorder(connection).migration_qs.order_by("id")
    assert manifest["migrations"] == {m.app: m.name for m in applied}  # the last one per app
    assert set(manifest["migrations"]) >= {"core", "org", "catalog", "accounts", "auth"}
    files = {f["path"]: f for f in manifest["files"]}
    assert files[f"materials/{UPLOAD}"]["sha256"] == hashlib.sha256(UPLOAD_BYTES).hexdigest()
    assert f"media/{MEDIA_FILE}" in files
    assert manifest["format_version"] == 2
    assert backup.DATABASE_MEMBERS[connection.vendor] in files
    created = AuditRecord.objects.get(action="core.backup.create")
    assert created.meta["archive"] == "drill.tar.gz"
    assert str(tmp_path) not in json.dumps(created.meta)  # metadata only, no local paths

    _destroy(media)
    assert _rows() != rows_before
    assert verify()  # the cut tail is noticed

    printed = _restore(archive)

    assert "OK: restored" in printed
    assert verify() == []
    restored = _rows()
    restore_record = restored[AuditRecord._meta.label].pop()
    assert restore_record["action"] == "core.backup.restore"
    assert restore_record["meta"]["audit_ok"] is True
    heads = restored[AuditStreamHead._meta.label]
    assert [h["seq"] for h in heads if h["stream"] == "core"] == [1]  # the restore's record
    restored[AuditStreamHead._meta.label] = [h for h in heads if h["stream"] != "core"]
    assert restored == rows_before
    assert _files(media) == {UPLOAD: UPLOAD_BYTES}
    assert _files(media.parent / "media") == {MEDIA_FILE: b"\x89PNG site logo"}
    assert not list(media.parent.glob(".tongban-restore-*"))
    assert not list(media.parent.glob(".uploads.before-restore-*"))


def test_default_archive_path_and_mode(settings, media: Path, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"

    printed = _backup(None)

    made = list((tmp_path / "var" / "backups").iterdir())
    assert len(made) == 1
    assert re.fullmatch(r"tongban-\d{8}-\d{6}\.tar\.gz", made[0].name)
    assert stat.S_IMODE(made[0].stat().st_mode) == 0o600
    assert str(made[0]) in printed


def test_restore_moves_cache_generations_forward(data, tmp_path: Path) -> None:
    Generation.objects.update_or_create(name="catalogue", defaults={"value": 5})
    archive = tmp_path / "gen.tar.gz"
    _backup(archive)
    Generation.objects.filter(name="catalogue").update(value=9)

    _restore(archive)

    # Not back to 5: caches keyed by 6..9 were filled before the restore.
    assert Generation.objects.get(name="catalogue").value == 10


def _flip_database_member(name: str, content: bytes) -> bytes:
    if name.startswith("database."):
        middle = len(content) // 2
        return content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1 :]
    return content


def _damage(kind: str, archive: Path, damaged: Path) -> str:
    """Make a damaged copy; return a fragment the refusal message must contain."""
    raw = archive.read_bytes()
    if kind == "flipped member":
        _rewrite(archive, damaged, _flip_database_member)
        return f"{backup.DATABASE_MEMBERS[connection.vendor]}: SHA-256"
    if kind == "flipped compressed byte":
        middle = len(raw) // 2
        damaged.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0x55]) + raw[middle + 1 :])
        return "Restore refused"  # where the byte lands decides which check names it
    if kind == "truncated":
        damaged.write_bytes(raw[: len(raw) * 2 // 3])
        return "damaged or truncated"
    if kind == "missing member":
        with tarfile.open(archive, "r:gz") as tin, tarfile.open(damaged, "w:gz") as tout:
            for member in tin.getmembers():
                if not member.name.startswith("materials/"):
                    tout.addfile(member, tin.extractfile(member))
        return f"materials/{UPLOAD}: listed in the manifest but missing"
    if kind == "newer migrations":

        def future(name: str, content: bytes) -> bytes:
            if name != "manifest.json":
                return content
            manifest = json.loads(content)
            manifest["migrations"]["core"] = "9999_from_the_future"
            return json.dumps(manifest).encode()

        _rewrite(archive, damaged, future)
        return "core.9999_from_the_future"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "flipped member",
        "flipped compressed byte",
        "truncated",
        "missing member",
        "newer migrations",
    ],
)
def test_bad_archive_is_refused_and_changes_nothing(
    kind: str, data, media: Path, tmp_path: Path
) -> None:
    archive, damaged = tmp_path / "good.tar.gz", tmp_path / "bad.tar.gz"
    _backup(archive)
    _destroy(media)
    rows, files = _rows(), _files(media)

    expected = _damage(kind, archive, damaged)
    with pytest.raises(CommandError, match="Restore refused") as refused:
        _restore(damaged)

    assert expected in str(refused.value)
    assert _rows() == rows
    assert _files(media) == files
    assert not list(media.parent.glob(".tongban-restore-*"))


def test_restore_asks_first_and_a_no_changes_nothing(
    data, media: Path, tmp_path: Path, monkeypatch
) -> None:
    archive = tmp_path / "ask.tar.gz"
    _backup(archive)
    _destroy(media)
    rows, files = _rows(), _files(media)
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "no")

    with pytest.raises(CommandError, match="cancelled"):
        _restore(archive, yes=False)

    assert questions == ["Type 'yes' to restore: "]
    assert _rows() == rows
    assert _files(media) == files


@pytest.mark.parametrize("prefix", ["media", "materials"])
def test_member_outside_media_is_refused(settings, tmp_path: Path, prefix: str) -> None:
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo(f"{prefix}/../../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))

    with (
        pytest.raises(backup.BackupError, match="unexpected member"),
        backup.open_archive(evil),
    ):
        pass

    assert not (tmp_path / "escaped.txt").exists()
    assert not list((tmp_path / "var").glob(".tongban-restore-*"))


def test_missing_postgresql_client_is_named(monkeypatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)

    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH"):
        backup.pg_tool("pg_dump")


def test_password_goes_to_the_environment_not_the_command_line(settings) -> None:
    params = {"dbname": "tongban", "user": "tb", "password": "s3cret", "host": "db"}

    env = backup._pg_env(params, "-c lock_timeout=30s")

    assert env["PGPASSWORD"] == "s3cret"
    assert env["PGDATABASE"] == "tongban" and env["PGHOST"] == "db"
    assert "lock_timeout=30s" in env["PGOPTIONS"]


def test_materials_on_another_storage_backend_round_trip(data, settings, tmp_path: Path) -> None:
    # Any Django storage (S3-compatible on a multi-node site) is archived and restored
    # through the storage API; the in-memory one stands in for it here.
    use_materials_storage(settings, "", "django.core.files.storage.InMemoryStorage")
    storage = backup.materials_storage()
    storage.save("2026/12/a.pdf", ContentFile(b"%PDF-1.7 first"))
    storage.save("2026/11/b.jpg", ContentFile(b"\xff\xd8\xff second"))
    archive = tmp_path / "other.tar.gz"
    _backup(archive)
    assert {f["path"] for f in _manifest(archive)["files"]} >= {
        "materials/2026/12/a.pdf",
        "materials/2026/11/b.jpg",
    }
    storage.delete("2026/12/a.pdf")
    storage.save("2026/12/stray.txt", ContentFile(b"after the backup"))

    _restore(archive)

    assert sorted(backup._storage_names(storage)) == ["2026/11/b.jpg", "2026/12/a.pdf"]
    with storage.open("2026/12/a.pdf", "rb") as stream:
        assert stream.read() == b"%PDF-1.7 first"


def test_version_1_archive_leaves_the_materials_alone(data, media: Path, tmp_path: Path) -> None:
    archive, old = tmp_path / "new.tar.gz", tmp_path / "v1.tar.gz"
    _backup(archive)

    def as_version_1(name: str, content: bytes) -> bytes:
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["format_version"] = 1
        manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("materials/")]
        return json.dumps(manifest).encode()

    with tarfile.open(archive, "r:gz") as tin, tarfile.open(old, "w:gz") as tout:
        for member in tin.getmembers():
            if member.name.startswith("materials/"):
                continue
            content = as_version_1(member.name, tin.extractfile(member).read())
            member.size = len(content)
            tout.addfile(member, io.BytesIO(content))
    (media / "2026/12/later.pdf").write_bytes(b"%PDF uploaded after the backup")

    assert "OK: restored" in _restore(old)

    assert _files(media) == {
        UPLOAD: UPLOAD_BYTES,
        "2026/12/later.pdf": b"%PDF uploaded after the backup",
    }
