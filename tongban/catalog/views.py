"""Catalogue management pages: import with progress, and exports.

Every export is kept as a ``CatalogExport`` that records the highest classification it
contains; downloading it needs that clearance (``services.authorize_export_download``), and
a refusal is a 403 page that says why, audited.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from tongban.catalog import services
from tongban.catalog.forms import CatalogExportForm, CatalogUploadForm
from tongban.catalog.io import jobs
from tongban.catalog.models import CatalogExport, ImportStatus
from tongban.core.classification import clearance_of, level_label

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


CONTENT_TYPES = {"xlsx": XLSX_TYPE, "json": "application/json; charset=utf-8"}


def _refused(request: HttpRequest, exc: services.CatalogExportRefused) -> HttpResponse:
    return render(request, "catalog/export_refused.html", {"message": exc.message}, status=403)


def _serve(request: HttpRequest, job: CatalogExport) -> HttpResponse:
    """The file of ``job`` if the user's clearance reaches its classification."""
    try:
        services.authorize_export_download(job, actor=request.user)
    except services.CatalogExportRefused as exc:
        return _refused(request, exc)
    name = job.file.name.rsplit("/", 1)[-1] if job.file.name else f"catalogue.{job.file_format}"
    with job.file.open("rb") as fileobj:
        content = fileobj.read()
    content_type = CONTENT_TYPES.get(job.file_format, "application/octet-stream")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@_manager
@require_http_methods(["GET", "POST"])
def export_start(request: HttpRequest) -> HttpResponse:
    """Choose a format and whether to export public records only; list recent exports."""
    form = CatalogExportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_catalog_export(
                file_format=form.cleaned_data["file_format"],
                public_only=form.cleaned_data["public_only"],
                actor=request.user,
            )
        except services.CatalogExportRefused as exc:
            form.add_error("public_only", exc.message)
            status = 403
        else:
            return redirect("catalog:export_download", pk=job.pk)
    context = {
        "form": form,
        "recent": jobs.recent_exports(),
        "clearance": clearance_of(request.user),
        "clearance_label": level_label(clearance_of(request.user)),
    }
    return render(request, "catalog/export_form.html", context, status=status)


@_manager
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.export_job(pk)
    if job is None or not job.file:
        raise Http404
    return _serve(request, job)


def _export_now(request: HttpRequest, file_format: str) -> HttpResponse:
    """Export and download in one step (``?public=1``: public records only)."""
    public_only = request.GET.get("public") in ("1", "true", "yes")
    try:
        job = services.create_catalog_export(
            file_format=file_format, public_only=public_only, actor=request.user
        )
    except services.CatalogExportRefused as exc:
        return _refused(request, exc)
    return _serve(request, job)


@_manager
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export_now(request, "xlsx")


@_manager
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    return _export_now(request, "json")
