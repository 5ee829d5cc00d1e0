"""Catalogue management pages: import with progress, and exports."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from tongban.catalog import services
from tongban.catalog.forms import CatalogUploadForm
from tongban.catalog.io import jobs
from tongban.catalog.io.exporter import export_json as write_catalogue_json
from tongban.catalog.io.xlsx_format import export_xlsx as write_catalogue_xlsx
from tongban.catalog.models import ImportStatus

PERMISSION = "catalog.add_serviceitem"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manager(view):  # type: ignore[no-untyped-def]
    """Anonymous visitors go to the login page; signed-in users without the right get 403."""
    return login_required(permission_required(PERMISSION, raise_exception=True)(view))


@_manager
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    form = CatalogUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.start_catalog_import(
            form.cleaned_data["file"],
            file_format=form.file_format,
            actor=request.user,
            language=get_language() or "",
        )
        return redirect("catalog:import_status", pk=job.pk)
    context = {"form": form, "recent": jobs.recent_imports()}
    return render(request, "catalog/import_form.html", context)


@_manager
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.import_job(pk)
    if job is None:
        raise Http404
    context = {
        "job": job,
        "running": job.status in (ImportStatus.PENDING, ImportStatus.RUNNING),
        "succeeded": job.status == ImportStatus.SUCCEEDED,
    }
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_import_progress.html", context)
    return render(request, "catalog/import_status.html", context)


def _download(content: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"catalogue-{timezone.localdate():%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@_manager
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    write_catalogue_xlsx(buffer)
    return _download(buffer.getvalue(), XLSX_TYPE, "xlsx")


@_manager
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    write_catalogue_json(buffer)
    return _download(buffer.getvalue(), "application/json; charset=utf-8", "json")
