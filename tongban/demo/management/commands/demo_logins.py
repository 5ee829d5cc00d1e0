"""``tongban demo_logins``: print the demo personas, how to log in and what to try."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

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


class Command(BaseCommand):
    help = "Print the demo personas with their logins and password."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(render_table(rows()))
        self.stdout.write("")
        self.stdout.write(
            "Citizens log in with their username, ID number or mobile number. All ID numbers "
            "and credit codes are invented. Run `tongban load_demo` first. Registering a new "
            "citizen: the identity provider and SMS gateway are fakes; the SMS code is in the "
            "server log and under var/outbox/sms/."
        )
        self.stdout.write(
            "Officials and administrators sign in with two factors: after the password, a "
            "6-digit code from an authenticator app holding the demo secret "
            f"{totp.secret_text(demo_totp_secret())} ({DEMO_TOTP_SECRET}). "
            f"Code right now: {totp.code_at(demo_totp_secret(), time.time())} (changes every "
            "30 s; run this command again for a fresh one). Security keys (WebAuthn) work on "
            "http://localhost:8000, not on 127.0.0.1."
        )
