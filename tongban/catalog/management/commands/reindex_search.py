"""Rebuild the catalogue's full-text search index from the published items."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.catalog import search


class Command(BaseCommand):
    help = "Rebuild the full-text search index of the service catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        count = search.reindex_all()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} published service items."))
