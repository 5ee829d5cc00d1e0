"""Small tests that guard the project's conventions.

- every model of a tongban app can be managed in the admin, and its pages render;
- the migrations match the models;
- translations: English source strings (no Han characters in any msgid), every zh_Hans
  message translated and not fuzzy, the compiled .mo up to date with its .po;
- every model, field and choice label shows in Chinese in the default language.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation

TONGBAN = Path(__file__).resolve().parent.parent / "tongban"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def tongban_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("tongban.")
        for model in config.get_models()  # concrete, not auto-created M2M tables
    ]


def _admin_covered() -> set[type[models.Model]]:
    covered: set[type[models.Model]] = set()
    for model, model_admin in admin.site._registry.items():
        covered.add(model)
        covered.update(inline.model for inline in model_admin.inlines)
    return covered


def test_every_tongban_model_is_in_the_admin():
    covered = _admin_covered()
    missing = [m._meta.label for m in tongban_models() if m not in covered]
    assert not missing, f"not in the admin (registered or inline): {missing}"


@pytest.mark.django_db
def test_every_admin_page_renders(admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        if not model.__module__.startswith("tongban."):
            continue
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        response = client.get(add_url)
        assert response.status_code in (200, 403), add_url  # 403: view-only admins


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    except SystemExit as exc:  # raised when a migration is missing
        pytest.fail(f"makemigrations would create migrations (exit {exc.code}):\n{out.getvalue()}")


# --- translations ------------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[PoEntry]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr[n], multi-line strings,
    flags. Obsolete entries (``#~``) are skipped."""
    entries: list[PoEntry] = []
    current: dict[str, object] = {}
    key: str | None = None

    def flush() -> None:
        nonlocal current, key
        if "msgid" in current:
            entries.append(
                PoEntry(
                    msgid=current["msgid"],  # type: ignore[arg-type]
                    msgctxt=current.get("msgctxt"),  # type: ignore[arg-type]
                    msgid_plural=current.get("msgid_plural"),  # type: ignore[arg-type]
                    msgstrs=current.get("msgstrs", {}),  # type: ignore[arg-type]
                    flags=current.get("flags", set()),  # type: ignore[arg-type]
                    line=current.get("line", 0),  # type: ignore[arg-type]
                )
            )
        current, key = {}, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue  # like msgfmt, blank lines do not end an entry; a new entry does
        if line.startswith("#") and "msgstrs" in current:
            flush()
        if line.startswith("#,"):
            flags = {f.strip() for f in line[2:].split(",")}
            current.setdefault("flags", set()).update(flags)  # type: ignore[union-attr]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key and key.startswith("msgstr["):
                index = int(key[7:-1])
                current["msgstrs"][index] += value  # type: ignore[index]
            elif key:
                current[key] = current[key] + value  # type: ignore[operator]
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and "msgstrs" in current:
                flush()
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                current.setdefault("msgstrs", {})[index] = value  # type: ignore[index]
                key = f"msgstr[{index}]"
            else:
                current[keyword] = value
                current.setdefault("line", number)
                key = keyword
    flush()
    return entries


ALL_PO = sorted(TONGBAN.glob("**/locale/*/LC_MESSAGES/*.po"))
ZH_PO = [p for p in ALL_PO if p.parts[-3] == "zh_Hans"]


def _rel(path: Path) -> str:
    return str(path.relative_to(TONGBAN.parent))


def test_there_are_chinese_catalogues():
    # core and org at least carry zh_Hans catalogues: the checks below are not vacuous.
    names = {_rel(p) for p in ZH_PO}
    assert "tongban/core/locale/zh_Hans/LC_MESSAGES/django.po" in names
    assert "tongban/org/locale/zh_Hans/LC_MESSAGES/django.po" in names


@pytest.mark.parametrize("po", ALL_PO, ids=_rel)
def test_source_strings_are_english(po):
    bad = [
        f"line {e.line}: {e.msgid!r}"
        for e in parse_po(po)
        if HAN.search(e.msgid) or HAN.search(e.msgid_plural or "") or HAN.search(e.msgctxt or "")
    ]
    assert not bad, f"{_rel(po)}: msgids must be English source strings:\n" + "\n".join(bad)


@pytest.mark.parametrize("po", ZH_PO, ids=_rel)
def test_chinese_catalogue_is_complete_and_not_fuzzy(po):
    entries = parse_po(po)
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    empty = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if e.msgid and (not e.msgstrs or any(not s for s in e.msgstrs.values()))
    ]
    assert not fuzzy, f"{_rel(po)}: fuzzy entries (header included):\n" + "\n".join(fuzzy)
    assert not empty, f"{_rel(po)}: untranslated entries:\n" + "\n".join(empty)


@pytest.mark.parametrize("po", ZH_PO, ids=_rel)
def test_compiled_catalogue_is_up_to_date(po):
    # "The .mo is newer than the .po", checked by content: a git checkout does not keep
    # file times, so the compiled catalogue must say exactly what the .po says.
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{_rel(po)} is not compiled: run compilemessages"
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in parse_po(po):
        if not entry.msgid or "fuzzy" in entry.flags:
            continue
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural is None:
            if entry.msgstrs.get(0):
                expected[msgid] = entry.msgstrs[0]
        elif all(entry.msgstrs.values()):
            expected.update({(msgid, n): text for n, text in entry.msgstrs.items()})
    compiled = {k: v for k, v in catalog.items() if k != ""}
    assert compiled == expected, f"{_rel(mo)} is stale: run compilemessages"


# --- everything shows in Chinese ---------------------------------------------------------


def _labels(model: type[models.Model]) -> list[tuple[str, object]]:
    opts = model._meta
    labels: list[tuple[str, object]] = [
        ("verbose_name", opts.verbose_name),
        ("verbose_name_plural", opts.verbose_name_plural),
    ]
    for f in opts.get_fields(include_hidden=False):
        if f.auto_created or not getattr(f, "verbose_name", None) or f.name == "id":
            continue
        labels.append((f.name, f.verbose_name))
        for _value, label in getattr(f, "flatchoices", None) or []:
            labels.append((f"{f.name} choice", label))
    return labels


def test_every_model_shows_in_chinese():
    untranslated: list[str] = []
    with translation.override("zh-hans"):
        for config in apps.get_app_configs():
            shown = config.name.startswith("tongban.") and any(config.get_models())
            if shown and not HAN.search(str(config.verbose_name)):  # the admin's app heading
                untranslated.append(f"app {config.label}: {config.verbose_name}")
        for model in tongban_models():
            for name, label in _labels(model):
                if not HAN.search(str(label)):
                    untranslated.append(f"{model._meta.label}.{name}: {label!s}")
    assert not untranslated, "not translated to Chinese:\n" + "\n".join(untranslated)
