"""The citizen portal: home, catalogue, search, service guides, departments, towns.

Views only gather what the templates show; reads live in ``catalog.queries`` and
``portal.queries``. Every page works without JavaScript. Every read passes
``request.user``, so an INTERNAL item (``core.classification``) is shown only to officials
whose clearance reaches it; the page cache (``caching.py``) stores anonymous pages only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from tongban.cases import queries as cases_queries
from tongban.catalog import queries as catalog
from tongban.catalog.models import Audience, Bundle, ServiceItem
from tongban.org.models import Department, Region
from tongban.portal import queries
from tongban.portal.caching import public_page
from tongban.portal.context_processors import ELDER_COOKIE
from tongban.portal.forms import CatalogueFilterForm, SearchForm

PAGE_SIZE = 20
ELDER_COOKIE_AGE = 365 * 24 * 3600


def _page(request: HttpRequest, object_list: Sequence[Any] | QuerySet[Any]) -> Page[Any]:
    """The requested page; a page number out of range shows the last page, not an error."""
    return Paginator(object_list, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    themes = list(catalog.themes_with_counts(user=user))
    return render(
        request,
        "portal/home.html",
        {
            "search_form": SearchForm(),
            "person_themes": [t for t in themes if t.audience == Audience.PERSON],
            "enterprise_themes": [t for t in themes if t.audience == Audience.ENTERPRISE],
            "bundles": list(catalog.popular_bundles()),
            "popular": list(catalog.popular_items(user=user)),
            "departments": [
                d for d in catalog.departments_with_counts(user) if getattr(d, "item_count", 0)
            ],
            "towns": list(catalog.towns_with_counts(user)),
        },
    )


@require_GET
@public_page()
def catalogue(request: HttpRequest) -> HttpResponse:
    user = request.user
    themes = list(catalog.themes_with_counts(user=user))
    departments = list(catalog.departments_with_counts(user))
    towns = list(catalog.towns_with_counts(user))
    form = CatalogueFilterForm(
        request.GET or None, themes=themes, departments=departments, towns=towns
    )
    if form.is_bound:
        form.is_valid()
    flt = form.item_filter()
    query = form.cleaned_data.get("q", "") if form.is_bound else ""
    if query:
        ids = queries.filtered_ids_in_rank(flt, queries.search_ids(query, user), user)
        page = _page(request, ids)
        page.object_list = queries.items_in_order(list(page.object_list), user)
        total = len(ids)
    else:
        page = _page(request, catalog.filter_items(flt, user))
        total = page.paginator.count
    # A life event's 一件事 bundles head its first page: the tile 出生 leads to 新生儿出生一件事.
    bundles: list[Bundle] = []
    if flt.theme and page.number == 1:
        bundles = list(
            catalog.published_bundles()
            .filter(themes__code=flt.theme)
            .order_by("-popularity", "code")
        )
    return render(
        request,
        "portal/catalogue.html",
        {
            "form": form,
            "page_obj": page,
            "total": total,
            "query": query,
            "filtered": bool(query) or not flt.is_empty(),
            "bundles": bundles,
        },
    )


@require_GET
@public_page(timeout=600)
def search(request: HttpRequest) -> HttpResponse:
    """Items and bundles ranked together; the exact name first (``catalog.search``)."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    context: dict[str, object] = {"form": form, "query": query}
    if query:
        number = _page_number(request)
        result = catalog.search_catalogue(
            query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE, user=request.user
        )
        # The search module pages itself; this paginator only draws the page links.
        page_links = Paginator(range(result.total), PAGE_SIZE).get_page(number)
        context.update(
            {
                "hits": result.hits,
                "total": result.total,
                "tokens": result.highlights,
                "partial": result.partial,
                "page_obj": page_links,
            }
        )
    return render(request, "portal/search.html", context)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _apply_entry(request: HttpRequest, target: ServiceItem | Bundle) -> dict[str, Any]:
    """How a guide or bundle page offers 在线办理: ``apply_url``, the form on this platform
    (through sign-in for a visitor: ``login_url`` comes back to it), when there is one;
    otherwise ``external_url`` and ``external_site``, an item's own online service on
    another website, if it names one."""
    kind = "bundle" if isinstance(target, Bundle) else "item"
    code = target.code if isinstance(target, Bundle) else target.implementation_code
    if cases_queries.has_form(target):
        apply_url = reverse("cases:apply", args=[kind, code])
        login_url = f"{reverse('accounts:login')}?{urlencode({'next': apply_url})}"
        return {
            "apply_url": apply_url,
            "start_url": apply_url if request.user.is_authenticated else login_url,
        }
    external = urlsplit(getattr(target, "online_url", "") or "")
    if external.scheme in {"http", "https"} and external.hostname:
        return {"external_url": external.geturl(), "external_site": external.hostname}
    return {}


@require_GET
@public_page()
def guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = catalog.get_published_item(code, request.user)
    except ServiceItem.DoesNotExist as exc:
        raise Http404("No such published service") from exc
    return render(
        request,
        "portal/guide.html",
        {
            "item": item,
            "assurance_gap": catalog.assurance_gap(request.user, item)
            if request.user.is_authenticated
            else None,
            **_apply_entry(request, item),
        },
    )


@require_GET
@public_page()
def bundle(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = catalog.get_published_bundle(code, request.user)
    except Bundle.DoesNotExist as exc:
        raise Http404("No such published bundle") from exc
    memberships = list(found.memberships.all())
    materials = catalog.merged_materials(found)
    gap = catalog.assurance_gap(request.user, found) if request.user.is_authenticated else None
    return render(
        request,
        "portal/bundle.html",
        {
            "bundle": found,
            "memberships": memberships,
            "materials": materials,
            "required_assurance": found.required_assurance,
            "assurance_gap": gap,
            **_apply_entry(request, found),
        },
    )


@require_GET
@public_page()
def departments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/departments.html",
        {"departments": list(catalog.departments_with_counts(request.user))},
    )


@require_GET
@public_page()
def department(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dept = queries.department_by_code(code)
    except Department.DoesNotExist as exc:
        raise Http404("No such department") from exc
    page = _page(
        request, catalog.filter_items(catalog.ItemFilter(department=dept.code), request.user)
    )
    return render(request, "portal/department.html", {"department": dept, "page_obj": page})


@require_GET
@public_page()
def towns(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/towns.html", {"towns": list(catalog.towns_with_counts(request.user))}
    )


@require_GET
@public_page()
def town(request: HttpRequest, code: str) -> HttpResponse:
    try:
        region = queries.town_by_code(code)
    except Region.DoesNotExist as exc:
        raise Http404("No such town") from exc
    page = _page(request, catalog.filter_items(catalog.ItemFilter(town=region.code), request.user))
    return render(
        request,
        "portal/town.html",
        {
            "town": region,
            "page_obj": page,
            "halls": list(queries.halls_of(region)),
        },
    )


@require_GET
@public_page()
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/about.html")


@require_GET
@public_page()
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    target = target or request.headers.get("referer") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


# The two display preferences below are plain links (GET) as well as forms (POST): they
# only set a cookie that changes how pages look, so they need no CSRF token — which keeps
# anonymous pages free of per-visitor tokens and therefore cacheable (see caching.py).


@require_http_methods(["GET", "POST"])
def elder(request: HttpRequest) -> HttpResponse:
    """Switch the elder mode (长辈版) on or off for this visitor and go back.

    ``mode`` is "on" or "off"; without it the mode toggles.
    """
    mode = request.POST.get("mode") or request.GET.get("mode", "")
    current = request.COOKIES.get(ELDER_COOKIE) == "1"
    enable = {"on": True, "off": False}.get(mode, not current)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        ELDER_COOKIE,
        "1" if enable else "0",
        max_age=ELDER_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
    )
    return response


@require_http_methods(["GET", "POST"])
def language(request: HttpRequest) -> HttpResponse:
    """Set the interface language (``lang`` = zh-hans or en) for this visitor and go back."""
    code = request.POST.get("lang") or request.GET.get("lang", "")
    response = HttpResponseRedirect(_safe_next(request))
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form was sent without a valid security token: usually it stayed open too long, or
    the browser refuses cookies. Said plainly, in the user's language; nothing was saved."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
