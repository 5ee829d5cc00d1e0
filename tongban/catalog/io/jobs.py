"""Reads of catalogue import and export jobs for the management pages."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.catalog.models import CatalogExport, CatalogImport


def recent_imports(limit: int = 10) -> QuerySet[CatalogImport]:
    """The latest ``limit`` imports, newest first, with who uploaded them."""
    return CatalogImport.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]


def import_job(pk: int) -> CatalogImport | None:
    """One import job, or None when there is none with this id."""
    return CatalogImport.objects.filter(pk=pk).first()


def recent_exports(limit: int = 10) -> QuerySet[CatalogExport]:
    """The latest ``limit`` exports, newest first, with who made them."""
    return CatalogExport.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]


def export_job(pk: int) -> CatalogExport | None:
    """One export, or None when there is none with this id."""
    return CatalogExport.objects.filter(pk=pk).first()
