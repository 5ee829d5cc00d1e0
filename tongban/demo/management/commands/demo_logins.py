"""``tongban demo_logins``: print the demo personas, how to log in and what to try."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.accounts import totp
from tongban.demo.data.people import DEMO_PASSWORD, DEMO_TOTP_SECRET, PERSONAS, PersonaData
from tongban.demo.loader import demo_totp_secret


def login_lines(p: PersonaData) -> list[str]:
    lines = [f"username {p.username}"]
    if p.id_number:
        lines.append(f"ID {p.id_number}")
    if p.phone:
        lines.append(f"phone {p.phone}")
    if p.kind != "citizen":
        lines.append("+ authenticator code")
    return lines


def rows() -> list[tuple[str, str, str, str]]:
    """(persona, login, password, what to try) — one row per login line."""
    out: list[tuple[str, str, str, str]] = []
    for p in PERSONAS:
        persona = f"{p.real_name} ({p.kind}{', ' + p.department if p.department else ''})"
        for i, login in enumerate(login_lines(p)):
            out.append(
                (
                    persona if i == 0 else "",
                    login,
                    DEMO_PASSWORD if i == 0 else "",
                    p.try_this if i == 0 else "",
                )
            )
    return out


def render_table(table: list[tuple[str, str, str, str]]) -> str:
    header = ("Persona", "Login (any one)", "Password", "What to try")

    # Han characters take two columns in a terminal.
    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    def pad(text: str, size: int) -> str:
        return text + " " * (size - width(text))

    sizes = [max(width(r[i]) for r in [header, *table]) for i in range(4)]
    sep = "-+-".join("-" * s for s in sizes)
    lines = [" | ".join(pad(h, s) for h, s in zip(header, sizes, strict=True)), sep]
    lines += [" | ".join(pad(c, s) for c, s in zip(r, sizes, strict=True)) for r in table]
    return "\n".join(line.rstrip() for line in lines)


def addresses(host: str, port: int) -> list[str]:
    """Where the demo is served, and the one address security keys accept."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
    base = f"http://{shown}:{port}"
    return [
        f"Portal: {base}/   Admin: {base}/admin/   API: {base}/api/docs",
        f"Security keys (WebAuthn) work on http://localhost:{port}/ only: they refuse an IP "
        "address.",
    ]


def logins_text(host: str, port: int) -> str:
    """Everything ``demo_logins`` prints: addresses, the logins, how to sign in."""
    return "\n".join(
        [
            *addresses(host, port),
            "",
            render_table(rows()),
            "",
            "Citizens log in with their username, ID number or mobile number. All ID numbers "
            "and credit codes are invented. Registering a new citizen: the identity provider "
            "and SMS gateway are fakes; the SMS code is in the server log and under "
            "var/outbox/sms/.",
            "Officials and administrators sign in with two factors: after the password, a "
            "6-digit code from an authenticator app holding the demo secret "
            f"{totp.secret_text(demo_totp_secret())} ({DEMO_TOTP_SECRET}). "
            f"Code at {time.strftime('%H:%M:%S')}: "
            f"{totp.code_at(demo_totp_secret(), time.time())} (it changes every 30 s; run "
            "`tongban demo_logins` for a fresh one).",
        ]
    )


class Command(BaseCommand):
    help = "Print the demo personas with their logins and password (run load_demo first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default=os.environ.get("HOST") or "127.0.0.1", help="default: $HOST"
        )
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT") or 8000), help="default: $PORT"
        )
        parser.add_argument(
            "--save",
            metavar="FILE",
            help="write the logins to FILE instead, and say where (make demo: "
            "var/demo-logins.txt, printed again by `serve --banner` once the server is up)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = logins_text(options["host"], options["port"])
        if not options["save"]:
            self.stdout.write(text)
            return
        path = Path(options["save"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"Demo logins written to {path}; they are shown once the server is up.")
