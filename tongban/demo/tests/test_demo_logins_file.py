"""``tongban demo_logins --save FILE`` (``make demo``): the logins go to a file the server
prints again once it is up, with the addresses of the port being served."""

from __future__ import annotations

import io

from django.core.management import call_command

from tongban.demo.data.people import DEMO_PASSWORD


def test_the_logins_are_saved_with_the_served_address(tmp_path):
    target = tmp_path / "var" / "demo-logins.txt"
    out = io.StringIO()
    call_command("demo_logins", "--port", "8123", "--save", str(target), stdout=out)
    assert str(target) in out.getvalue() and DEMO_PASSWORD not in out.getvalue()
    text = target.read_text(encoding="utf-8")
    assert DEMO_PASSWORD in text and "chen.xiaoming" in text and "secadmin" in text
    assert "http://127.0.0.1:8123/admin/" in text and "http://localhost:8123/" in text
    assert ":8000" not in text
