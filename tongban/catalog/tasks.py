"""Background work of the catalogue: imports run outside the request that uploaded them."""

from __future__ import annotations

from django_tasks import task

from tongban.catalog.io.importer import run_stored_import


@task()
def run_catalog_import(import_id: int, language: str = "") -> None:
    """Parse and import one uploaded catalogue file (idempotent: finished imports are skipped)."""
    run_stored_import(import_id, language or None)
