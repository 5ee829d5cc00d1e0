"""``tongban load_demo``: write the demo city (idempotent)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.catalog.io.importer import CatalogImportError
from tongban.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the Zhongshan demo city: regions, departments, halls, personas, catalogue."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set every demo persona's password back to the published demo password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_demo(reset_passwords=options["reset_passwords"])
        except CatalogImportError as exc:
            lines = [str(issue) for issue in exc.report.errors[:20]]
            raise CommandError("The demo catalogue was rejected:\n" + "\n".join(lines)) from exc
        self.stdout.write("The demo city now holds (rows in the database):")
        width = max(len(k) for k in counts)
        for key, value in counts.items():
            self.stdout.write(f"  {key.ljust(width)}  {value}")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo city loaded. Run `tongban demo_logins` to see who you can log in as."
            )
        )
