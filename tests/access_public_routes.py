"""The reviewed list of what anyone may use without signing in (deny by default).

``tests/test_access_control.py`` walks every URL pattern and every OpenAPI operation and
fails on anything that answers an anonymous visitor without being listed here. Add an entry
only after review, with the one-line reason a reviewer would accept; ``docs/access-control.md``
says how.

Routes are written as Django builds them from the URLconf: ``/`` followed by the patterns of
each level joined (converters and regular expressions as written). Each entry names the
methods that are public; any other method must still be refused (405 or a login redirect).
"""

from __future__ import annotations

from typing import NamedTuple


class Public(NamedTuple):
    methods: tuple[str, ...]
    reason: str


GET = ("GET",)
GET_POST = ("GET", "POST")
POST = ("POST",)

PUBLIC_ROUTES: dict[str, Public] = {
    # Portal: the published catalogue is public information (政务公开).
    "/": Public(GET, "portal home page: themes, popular services, search box"),
    "/services/": Public(GET, "catalogue of published service items, with filters"),
    "/services/<str:code>/": Public(GET, "service guide (办事指南) of one published item"),
    "/bundles/<slug:code>/": Public(GET, "guide of one published bundle (一件事)"),
    "/search/": Public(GET, "full-text search over published items"),
    "/departments/": Public(GET, "list of departments and how many services each offers"),
    "/departments/<slug:code>/": Public(GET, "one department's published services"),
    "/towns/": Public(GET, "list of towns and their services"),
    "/towns/<str:code>/": Public(GET, "one town's published services"),
    "/about/": Public(GET, "static page about the platform"),
    "/accessibility/": Public(GET, "accessibility statement (must be readable by anyone)"),
    "/elder/": Public(GET_POST, "elder mode switch (适老化): only sets a display cookie"),
    "/language/": Public(GET_POST, "language switch: only sets the language cookie"),
    "/i18n/setlang/": Public(GET_POST, "Django's language switch: only sets the cookie"),
    "/favicon.ico": Public(GET_POST, "browsers fetch it unasked; any method: a redirect"),
    "/healthz": Public(GET, "load balancers and monitors probe it; says up/down, no data"),
    "/status/": Public(
        GET,
        "case progress by case number + query code (the receipt's QR code leads here); "
        "rate-limited, shows no personal data",
    ),
    # Licences (电子证照): anyone holding a licence code may check it (a bank clerk, an
    # inspector scanning the QR code); no personal data beyond the public face fields.
    "/verify/": Public(
        GET,
        "licence verification by scanned/pasted code or 24-hour shared link; rate-limited, "
        "shows status and the face fields the issuer marks public (sensitive ones masked)",
    ),
    "/licences/keys.json": Public(
        GET, "published public halves of the departments' licence keys, for offline checks"
    ),
    # Ratings (好差评, 国办发〔2019〕51号): results are published to society by rule.
    "/ratings/": Public(
        GET,
        "public rating statistics per department and item (counts, rates, fixed in time); "
        "aggregates only, no rater, case or text",
    ),
    # Accounts: the ways in must be reachable before one has an account or a session.
    "/accounts/login/": Public(GET_POST, "sign-in form (throttled by django-axes)"),
    "/accounts/logout/": Public(POST, "signing out needs no session; it only ends one"),
    "/accounts/register/": Public(GET_POST, "citizen self-registration"),
    "/accounts/login/sms/": Public(
        GET_POST, "sign-in by SMS code, step 1: same answer for any number; send limits"
    ),
    "/accounts/login/sms/code/": Public(
        GET_POST, "sign-in by SMS code, step 2: 5 tries per code; citizens without roles only"
    ),
    "/accounts/password/forgot/": Public(
        GET_POST, "password recovery step 1: same answer for any number; send limits"
    ),
    "/accounts/password/reset/": Public(
        GET_POST, "password recovery step 2: needs the code sent in step 1 (5 tries, 5 min)"
    ),
    "/admin/login/": Public(GET_POST, "the admin's own sign-in form; the admin is staff-only"),
    "/admin/logout/": Public(GET_POST, "admin sign-out: ends a session; GET goes to /admin/"),
    # Public read API: the same published catalogue as the portal, as JSON.
    "/api/": Public(GET, "API index: title, version, links to the documentation"),
    "/api/openapi.json": Public(GET_POST, "OpenAPI document; ninja serves it to any method"),
    "/api/docs": Public(GET_POST, "offline Swagger UI; ninja serves it to any method"),
    "/exchange/v1/openapi.json": Public(
        GET_POST, "the exchange gateway's OpenAPI document; ninja serves it to any method"
    ),
    "/exchange/v1/docs": Public(
        GET_POST, "the exchange gateway's offline Swagger UI; ninja serves it to any method"
    ),
    # The public open-data catalogue (公共数据开放目录): resources open to society only, item
    # names only (no share classes, grades or legal bases); 404 for any other resource.
    "/open-data/": Public(GET, "resources open to the public: names, departments, frequency"),
    "/open-data/<str:code>/": Public(GET, "one resource open to the public; others are a 404"),
    "/open-data/catalogue.jsonld": Public(GET, "DCAT JSON-LD of the open resources only"),
    "/open-data/catalogue-national.csv": Public(
        GET, "national core metadata of the open resources only, without share conditions"
    ),
    "/api/items": Public(GET, "list of published service items"),
    "/api/items/<implementation_code>": Public(GET, "one published item with its guide"),
    "/api/bundles": Public(GET, "list of published bundles"),
    "/api/bundles/<code>": Public(GET, "one published bundle"),
    "/api/departments": Public(GET, "list of departments"),
    "/api/departments/<code>": Public(GET, "one department"),
    "/api/themes": Public(GET, "life-event and enterprise-stage themes"),
    "/api/search": Public(GET, "ranked full-text search over published items"),
    "/api/regions": Public(GET, "the region tree (GB/T 2260 codes)"),
    "/api/licences/verify": Public(
        POST, "licence verification API for other systems; same answer as /verify/"
    ),
    "/api/^": Public(GET_POST, "catch-all: a problem+json 404 for unknown API addresses"),
}

# OpenAPI operations ("METHOD /path" as in /api/openapi.json) open to anonymous callers.
PUBLIC_API_OPERATIONS: dict[str, str] = {
    "GET /api/items": "list of published service items",
    "GET /api/items/{implementation_code}": "one published item with its guide",
    "GET /api/bundles": "list of published bundles",
    "GET /api/bundles/{code}": "one published bundle",
    "GET /api/departments": "list of departments",
    "GET /api/departments/{code}": "one department",
    "GET /api/themes": "life-event and enterprise-stage themes",
    "GET /api/search": "ranked full-text search over published items",
    "GET /api/regions": "the region tree (GB/T 2260 codes)",
    "POST /api/licences/verify": "licence verification for other systems (same as /verify/)",
}

# Served by middleware (whitenoise), outside the URLconf.
PUBLIC_PREFIXES: dict[str, str] = {
    "/static/": "CSS, fonts, icons and scripts of the public pages; no data",
}
