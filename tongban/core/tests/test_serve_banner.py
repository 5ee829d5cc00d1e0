"""``tongban serve --banner FILE`` prints FILE once the server answers, after the start-up
log (``make demo`` shows the demo logins there), and ``HOST``/``PORT`` are its defaults."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.management.base import OutputWrapper

from tongban.core.management.commands import serve as serve_command

ANY = "0.0.0.0"  # noqa: S104 - every interface, as HOST=0.0.0.0 asks


def _listening() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_the_banner_is_printed_once_the_server_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(serve_command, "BANNER_SETTLE_SECONDS", 0)
    banner = tmp_path / "demo-logins.txt"
    banner.write_text("username chen.xiaoming  Demo-2026!\n", encoding="utf-8")
    out = io.StringIO()
    command = serve_command.Command(stdout=OutputWrapper(out))
    with _listening() as server:
        command._banner_when_up(banner, ANY, server.getsockname()[1])
    printed = out.getvalue()
    assert "username chen.xiaoming  Demo-2026!" in printed
    assert f"also in {banner}" in printed


def test_no_banner_while_nothing_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(serve_command, "BANNER_WAIT_SECONDS", 0.3)
    with _listening() as probe:
        port = probe.getsockname()[1]  # closed again before the banner waits
    banner = tmp_path / "demo-logins.txt"
    banner.write_text("secret table", encoding="utf-8")
    out = io.StringIO()
    serve_command.Command(stdout=OutputWrapper(out))._banner_when_up(banner, "127.0.0.1", port)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("env", "host", "port"),
    [({}, "127.0.0.1", 8000), ({"HOST": ANY, "PORT": "8080"}, ANY, 8080)],
)
def test_host_and_port_default_to_the_environment(monkeypatch, env, host, port):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    parser = serve_command.Command().create_parser("tongban", "serve")
    options = parser.parse_args([])
    assert (options.host, options.port) == (host, port)
