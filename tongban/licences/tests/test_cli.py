"""``tongban licence verify``: offline with a saved keys.json, online with the register."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.licences import services

from .conftest import issue_direct

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, bool]:
    out = io.StringIO()
    try:
        call_command("licence", *args, stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


@pytest.mark.parametrize("suite", ["intl", "gm"])
def test_offline_with_the_published_keys_file(lw, tmp_path, settings, suite):
    settings.TONGBAN_CRYPTO_SUITE = suite
    lic = issue_direct(lw)
    keys_file = tmp_path / "keys.json"
    text, ok = run("keys")
    keys_file.write_text(text, encoding="utf-8")
    assert json.loads(text)["keys"][lic.key_id]["department"] == "scjg"
    code_file = tmp_path / "code.txt"
    code_file.write_text(f"https://example.org/verify/?p={services.payload_of(lic)}\n")
    out, ok = run("verify", str(code_file), "--keys", str(keys_file))
    assert ok and "signature: good" in out and lic.number in out and "VALID offline" in out
    # Offline does not know about revocation; online does.
    services.revoke(lic, "吊销", actor=lw.leader_a)
    out, ok = run("verify", str(code_file), "--keys", str(keys_file))
    assert ok and "revocation not checked" in out
    out, ok = run("verify", services.payload_of(lic))
    assert not ok and "status:    revoked" in out and "吊销" in out


def test_altered_code_and_unknown_key_fail(lw, tmp_path):
    lic = issue_direct(lw)
    text = services.payload_of(lic)
    out, ok = run("verify", text[:-2] + ("AA" if not text.endswith("AA") else "BB"))
    assert not ok and out.startswith("INVALID")
    empty_keys = tmp_path / "keys.json"
    empty_keys.write_text('{"format": "tongban-licence-keys", "version": 1, "keys": {}}')
    out, ok = run("verify", text, "--keys", str(empty_keys))
    assert not ok and "INVALID (unknown-key)" in out
    out, ok = run("verify", text)
    assert ok and "status:    valid" in out
