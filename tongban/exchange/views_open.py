"""The public open-data catalogue (公共数据开放目录) and the catalogue exports.

Public, for everyone (``/open-data/``): the published resources open to the public, one
resource's page, and two downloads (DCAT JSON-LD and the national core metadata as CSV),
with items by name only: never share classes, grades, legal bases or items that are not
shared. For officials (``/office/exchange/exports/``): the full national core metadata of
the catalogue they see, as CSV or Excel; each download is audited.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongban.core.audit import record_audit

from . import exports, queries
from .models import DataResource, ResourceStatus, ShareClass
from .views import officials_only

logger = logging.getLogger(__name__)
PAGE_SIZE = 20


def _base_url(request: HttpRequest) -> str:
    configured = str(getattr(settings, "TONGBAN_SITE_URL", "") or "").rstrip("/")
    return configured or f"{request.scheme}://{request.get_host()}"


def _unavailable(exc: exports.MappingError) -> HttpResponse:
    # The operator's mapping file is broken: the message names the file, row and key.
    logger.error("national metadata mapping refused: %s", exc)
    return HttpResponse(
        _("This export is not available at the moment. Please try again later."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )


def _public_items(resource: DataResource) -> list[str]:
    return [
        item.display_name
        for item in resource.items.all()
        if item.share_class != ShareClass.NOT_SHARED
    ]


@require_GET
def open_list(request: HttpRequest) -> HttpResponse:
    text = (request.GET.get("q") or "").strip()[:100]
    rows = exports.open_resources()
    if text:
        rows = rows.filter(
            Q(name__icontains=text)
            | Q(name_en__icontains=text)
            | Q(description__icontains=text)
            | Q(department__name__icontains=text)
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [(r, _public_items(r)) for r in page.object_list]
    return render(
        request,
        "exchange/open_list.html",
        {"page_obj": page, "entries": entries, "q": text, "total": page.paginator.count},
    )


@require_GET
def open_resource(request: HttpRequest, code: str) -> HttpResponse:
    row = exports.open_resources().filter(code=code).first()
    if row is None:
        raise Http404
    return render(
        request,
        "exchange/open_resource.html",
        {"resource": row, "items": _public_items(row)},
    )


@require_GET
def open_jsonld(request: HttpRequest) -> HttpResponse:
    document = exports.dcat_catalogue(
        exports.open_resources(), base_url=_base_url(request), full=False
    )
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type="application/ld+json; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="open-data-catalogue.jsonld"'
    # A pointer to the vendored context, for people: the document embeds it inline, and a
    # JSON-LD processor ignores this header for application/ld+json (nothing is fetched).
    context_url = _base_url(request) + static(exports.CONTEXT_STATIC)
    response["Link"] = f'<{context_url}>; rel="http://www.w3.org/ns/json-ld#context"'
    return response


@require_GET
def open_csv(request: HttpRequest) -> HttpResponse:
    try:
        rows = exports.national_catalogue(exports.open_resources(), public=True)
        body = exports.national_csv(rows, public=True)
    except exports.MappingError as exc:
        return _unavailable(exc)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="open-data-catalogue-national.csv"'
    return response


def _full_rows(request: HttpRequest, fmt: str) -> list[dict[str, str]]:
    resources = exports.with_export_data(
        queries.catalogue(request.user).filter(status=ResourceStatus.PUBLISHED)
    )
    rows = exports.national_catalogue(resources)
    with transaction.atomic():
        record_audit(
            request.user,
            "exchange.export",
            None,
            object_type="exchange.dataresource",
            meta={"format": fmt, "count": len(rows), "scope": "national_metadata"},
            stream="exchange",
        )
    return rows


@officials_only
@require_GET
def national_csv(request: HttpRequest) -> HttpResponse:
    try:
        body = exports.national_csv(_full_rows(request, "csv"))
    except exports.MappingError as exc:
        return _unavailable(exc)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="catalogue-national.csv"'
    return response


@officials_only
@require_GET
def national_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        body = exports.national_xlsx(_full_rows(request, "xlsx"))
    except exports.MappingError as exc:
        return _unavailable(exc)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="catalogue-national.xlsx"'
    return response
