"""``tongban keys list`` and ``tongban keys rotate``: look after the key store.

``list`` prints one line per key (metadata only: never key material). ``rotate --purpose P
[--department CODE]`` retires the active key of that purpose and makes a new one with the
configured suite; what the old key signed still verifies. Rotation writes an audit record
with the actor "system".
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.crypto import CryptoError, public_keys, rotate
from tongban.core.crypto.keys import KeyInfo
from tongban.core.models import CryptoKey, KeyPurpose


class Command(BaseCommand):
    help = "List the keys of the key store, or rotate the key of one purpose."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{list,rotate}")
        listing: ArgumentParser = sub.add_parser("list", help="list every key (no key material)")
        listing.add_argument("--purpose", choices=KeyPurpose.values, help="only this purpose")
        listing.add_argument("--public", action="store_true", help="print public keys (base64)")
        rot: ArgumentParser = sub.add_parser("rotate", help="retire the active key, make a new one")
        rot.add_argument("--purpose", required=True, choices=KeyPurpose.values)
        rot.add_argument("--department", default="", help="department code (default: platform)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            self._list(options.get("purpose"), options.get("public", False))
        else:
            self._rotate(options["purpose"], options["department"])

    def _list(self, purpose: str | None, show_public: bool) -> None:
        rows = CryptoKey.objects.order_by("purpose", "department_code", "-created_at")
        if purpose:
            rows = rows.filter(purpose=purpose)
        if not rows.exists():
            self.stdout.write("No keys yet: a key is made on first use or by `keys rotate`.")
            return
        published = {k.key_id: k for k in public_keys(purpose)} if show_public else {}
        for row in rows:
            retired = row.retired_at.isoformat(timespec="seconds") if row.retired_at else "-"
            self.stdout.write(
                f"{row.key_id}  {row.purpose:<16}  {row.department_code or '(platform)':<12}  "
                f"{row.alg:<12}  {row.status:<8}  "
                f"created {row.created_at.isoformat(timespec='seconds')}  retired {retired}"
            )
            info: KeyInfo | None = published.get(row.key_id)
            if info is not None:
                self.stdout.write(f"    public key: {info.public_key_b64}")

    def _rotate(self, purpose: str, department: str) -> None:
        try:
            key = rotate(purpose, department or None, actor=None)
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc
        scope = key.department_code or "platform"
        self.stdout.write(
            self.style.SUCCESS(f"Rotated {purpose} ({scope}): new key {key.key_id} ({key.alg})")
        )
