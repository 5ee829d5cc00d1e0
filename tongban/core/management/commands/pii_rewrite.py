"""Re-encrypt and re-digest every encrypted personal-data field.

``tongban pii_rewrite`` after rotating the field-encryption key moves old rows to the new
key; ``--rotate-digest-key`` replaces the pinned digest key and re-digests every row in one
transaction (restart the web processes afterwards). See docs/adr/0005-field-encryption.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.core.crypto.fields import rewrite_all


class Command(BaseCommand):
    help = "Re-encrypt (and optionally re-digest under a new key) all personal-data fields."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rotate-digest-key",
            action="store_true",
            help="replace the pinned digest key and recompute every look-up digest",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rewrite_all(rotate_digest_key=options["rotate_digest_key"])
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n} row(s) rewritten")
