"""``tongban catalog import FILE`` / ``tongban catalog export FILE`` (.json or .xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.catalog.io.exporter import export_json
from tongban.catalog.io.importer import CatalogImportError, import_catalogue_data, read_upload
from tongban.catalog.io.json_format import CatalogueFormatError
from tongban.catalog.io.xlsx_format import export_xlsx

FORMATS = {".json": "json", ".xlsx": "xlsx"}


class Command(BaseCommand):
    help = "Import or export the service catalogue as JSON or Excel (chosen by the extension)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", help="a .json or .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        file_format = FORMATS.get(path.suffix.lower())
        if file_format is None:
            raise CommandError(f"{path}: use a .json or .xlsx file")
        if options["action"] == "export":
            with path.open("wb") as fileobj:
                (export_xlsx if file_format == "xlsx" else export_json)(fileobj)
            self.stdout.write(self.style.SUCCESS(f"Exported the catalogue to {path}"))
            return
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            with path.open("rb") as fileobj:
                data = read_upload(fileobj, file_format)
            report = import_catalogue_data(data, actor=None)
        except CatalogueFormatError as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        except CatalogImportError as exc:
            for issue in exc.report.errors:
                self.stderr.write(str(issue))
            raise CommandError(
                f"{path}: {len(exc.report.errors)} error(s); nothing was imported"
            ) from exc
        for issue in report.warnings:
            self.stderr.write(f"warning: {issue}")
        for kind, counts in report.counts.items():
            self.stdout.write(
                f"{kind}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        self.stdout.write(self.style.SUCCESS(f"Imported {path}"))
