"""The reviewed table of pages for ``tests/test_reachability.py``: for every URL pattern,
who must reach it from ``/`` by following links and GET forms, or why it is no page of
its own. A new URL pattern fails the test until it is entered here.

- ``Page(who)``: the crawler, signed in as each persona in ``who``, must reach it.
  ``file=True``: a download (PDF, JSON, spreadsheet); the link is found, not fetched.
- ``Carried(who, carrier)``: reached only from a message, a QR code, an SMS or a redirect
  after a form; ``carrier`` names what carries the link, and the test renders that carrier
  (``CARRIERS`` in the test module) and finds a link to the pattern.
- ``NotAPage(reason)``: an action behind a POST, an API endpoint, a machine's URL.
- ``ADMIN_INTERNALS``: the admin's own pages (change lists, change forms…) are summarised
  by "the admin index is reached"; Django's admin links them from its index.
"""

from __future__ import annotations

from dataclasses import dataclass

ANONYMOUS = "anonymous"
CITIZEN = "citizen"
AGENT = "agent"  # a citizen who is an agent (经办人) of a business
OFFICIAL = "official"  # a window clerk of department A
LEADER = "leader"  # department A's leader
CATALOG_ADMIN = "catalog_admin"
SYSTEM_ADMIN = "system_admin"  # 系统管理员
SECURITY_ADMIN = "security_admin"  # 安全保密管理员
AUDIT_ADMIN = "audit_admin"  # 安全审计员
DATA_ADMIN = "data_admin"  # 数据管理员 of the data authority (数据主管部门)

PERSONAS = (ANONYMOUS, CITIZEN, AGENT, OFFICIAL, LEADER, CATALOG_ADMIN, SYSTEM_ADMIN,
            SECURITY_ADMIN, AUDIT_ADMIN, DATA_ADMIN)  # fmt: skip
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
CITIZENS = frozenset({CITIZEN, AGENT})
HANDLERS = frozenset({OFFICIAL, LEADER})
ADMINS = frozenset({CATALOG_ADMIN, SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN})
STAFF = HANDLERS | ADMINS


@dataclass(frozen=True)
class Page:
    who: frozenset[str]
    file: bool = False
    note: str = ""


@dataclass(frozen=True)
class Carried:
    who: frozenset[str]
    carrier: str
    note: str = ""


@dataclass(frozen=True)
class NotAPage:
    reason: str


POST = NotAPage("an action: a POST from a form on the page that offers it")
API = NotAPage("the JSON API, for programs")

ADMIN_INTERNALS = "/admin/"  # every pattern below it but the index and login

PAGES: dict[str, Page | Carried | NotAPage] = {
    # --- the public portal
    "/": Page(EVERYONE),
    "/services/": Page(EVERYONE),
    "/services/<str:code>/": Page(EVERYONE),
    "/bundles/<slug:code>/": Page(EVERYONE),
    "/search/": Page(EVERYONE, note="the search form, sent with its defaults"),
    "/departments/": Page(EVERYONE),
    "/departments/<slug:code>/": Page(EVERYONE),
    "/towns/": Page(EVERYONE),
    "/towns/<str:code>/": Page(EVERYONE),
    "/about/": Page(EVERYONE),
    "/accessibility/": Page(EVERYONE),
    "/elder/": Page(EVERYONE, note="the elder-mode switch: a link, not followed"),
    "/language/": Page(EVERYONE, note="the language switch: a link, not followed"),
    "/status/": Page(EVERYONE, note="办件查询"),
    "/verify/": Page(EVERYONE, note="证照核验"),
    "/licences/keys.json": Page(EVERYONE, file=True, note="the signing keys, from /verify/"),
    "/ratings/": Page(EVERYONE, note="好差评 statistics"),
    # --- signing in and accounts
    "/accounts/login/": Page(frozenset({ANONYMOUS})),
    "/accounts/login/sms/": Page(frozenset({ANONYMOUS})),
    "/accounts/login/sms/code/": Carried(
        frozenset({ANONYMOUS}), "redirect:sms-sign-in", "after the mobile number is sent"
    ),
    "/accounts/register/": Page(frozenset({ANONYMOUS})),
    "/accounts/password/forgot/": Page(frozenset({ANONYMOUS})),
    "/accounts/password/reset/": Carried(
        frozenset({ANONYMOUS}), "redirect:password-forgot", "after the mobile number is sent"
    ),
    "/accounts/logout/": POST,
    "/landing/": Carried(
        SIGNED_IN, "redirect:sign-in", "LOGIN_REDIRECT_URL: workbench or personal space"
    ),
    "/accounts/two-factor/": Carried(
        STAFF, "redirect:second-factor", "after the password, for accounts with a second factor"
    ),
    "/accounts/two-factor/key/": POST,
    "/accounts/two-factor/recovery/": Carried(
        STAFF, "link:second-factor-page", "the second-factor page's recovery-code link"
    ),
    "/accounts/me/": Page(SIGNED_IN),
    "/accounts/register/business/": Page(CITIZENS),
    "/accounts/business/<int:org_id>/": Page(CITIZENS),
    "/accounts/business/<int:org_id>/agents/": POST,
    "/accounts/business/<int:org_id>/agents/<int:user_id>/remove/": POST,
    "/accounts/me/security/": Page(SIGNED_IN),
    "/accounts/me/security/app/": Page(SIGNED_IN),
    "/accounts/me/security/app/remove/": POST,
    "/accounts/me/security/keys/add/": Page(SIGNED_IN),
    "/accounts/me/security/keys/<int:key_id>/remove/": POST,
    "/accounts/me/security/recovery-codes/": POST,
    "/accounts/me/security/sign-out-everywhere/": POST,
    "/i18n/setlang/": POST,
    # --- applying and following one's applications
    "/apply/<str:kind>/<str:code>/": Page(CITIZENS, note="在线办理 on guides and bundles"),
    "/me/cases/": Page(SIGNED_IN),
    "/me/cases/<str:number>/": Page(frozenset({CITIZEN})),
    "/me/cases/<str:number>/withdraw/": Page(frozenset({CITIZEN})),
    "/me/cases/<str:number>/submitted/": Carried(
        frozenset({CITIZEN}), "redirect:apply-form", "申请已提交: after the form is submitted"
    ),
    "/me/cases/<str:number>/notices/<str:notice>.pdf": Page(
        frozenset({CITIZEN}), file=True, note="受理通知书, from the case page"
    ),
    "/cases/<str:number>/receipt.pdf": Page(frozenset({CITIZEN}), file=True, note="收件回执"),
    "/materials/<int:pk>/": Page(frozenset({CITIZEN, OFFICIAL, LEADER}), file=True),
    "/messages/": Page(SIGNED_IN),
    "/messages/<int:pk>/": Page(frozenset({CITIZEN})),
    "/messages/read-all/": POST,
    "/messages/language/": POST,
    "/me/licences/": Page(SIGNED_IN),
    "/me/licences/<str:number>/": Page(frozenset({CITIZEN})),
    "/me/licences/<str:number>/licence.pdf": Page(frozenset({CITIZEN}), file=True),
    "/me/licences/<str:number>/share/": POST,
    "/rate/<str:number>/": Page(frozenset({CITIZEN}), note="also in the completion SMS"),
    "/rate/<str:number>/thanks/": Page(frozenset({CITIZEN})),
    "/rate/<str:number>/follow-up/<int:pk>/": Page(frozenset({CITIZEN})),
    # --- the officials' workbench
    "/office/": Page(STAFF, note="工作台"),
    "/office/inbox/": Page(HANDLERS),
    "/office/work/<int:pk>/": Page(HANDLERS),
    "/office/licences/": Page(HANDLERS),
    "/office/licences/<str:number>/": Page(HANDLERS),
    "/office/licences/issue/": Page(frozenset({LEADER}), note="issuing roles only"),
    "/office/exchange/resources/": Page(HANDLERS),
    "/office/exchange/resources/<str:code>/": Page(HANDLERS),
    # Requests are made, and requests to a department decided, by its reviewers and leaders.
    "/office/exchange/resources/<str:code>/request/": Page(frozenset({LEADER})),
    "/office/exchange/requests/": Page(HANDLERS),
    "/office/exchange/requests/<int:pk>/": Page(frozenset({LEADER})),
    "/office/exchange/requests/<int:pk>/withdraw/": POST,
    # Data corrections (数据纠错): any official of another department reports a wrong value from
    # the resource page (a provider's clerk gets a page saying to fix the source system); the
    # provider's reviewers and leaders answer. Data quality: providers' deciders and the data
    # authority, from the workbench.
    "/office/exchange/corrections/": Page(HANDLERS),
    "/office/exchange/corrections/<int:pk>/": Page(frozenset({LEADER})),
    "/office/exchange/resources/<str:code>/correct/": Page(HANDLERS),
    "/office/exchange/quality/": Page(frozenset({LEADER})),
    # The data authority's member systems and keys (数据管理员 only).
    "/office/exchange/members/": Page(frozenset({DATA_ADMIN})),
    "/office/exchange/members/register/": Page(frozenset({DATA_ADMIN})),
    "/office/exchange/members/<str:code>/": Page(frozenset({DATA_ADMIN})),
    "/office/exchange/members/<str:code>/keys/new/": Page(
        frozenset({DATA_ADMIN}), note="the private key is shown on the answer to its POST"
    ),
    "/office/exchange/members/<str:code>/keys/<str:key_id>/retire/": Page(
        frozenset({DATA_ADMIN}), note="a confirmation page"
    ),
    "/office/exchange/members/<str:code>/keys/<str:key_id>/revoke/": Page(
        frozenset({DATA_ADMIN}), note="a confirmation page"
    ),
    "/office/ratings/": Page(HANDLERS),
    "/office/ratings/<int:pk>/": Page(HANDLERS),
    "/office/ratings/<int:pk>/appeal/": Page(HANDLERS),
    "/manage/ratings/appeals/": Page(frozenset({SYSTEM_ADMIN})),
    "/manage/ratings/appeals/<int:pk>/": Page(frozenset({SYSTEM_ADMIN})),
    "/manage/ratings/export.json": Page(frozenset({SYSTEM_ADMIN}), file=True),
    "/manage/ratings/export.csv": Page(frozenset({SYSTEM_ADMIN}), file=True),
    "/manage/calendar/": Page(frozenset({SYSTEM_ADMIN})),
    "/manage/calendar/<int:year>/": Page(frozenset({SYSTEM_ADMIN})),
    "/manage/catalog/import/": Page(frozenset({CATALOG_ADMIN})),
    "/manage/catalog/import/<int:pk>/": Page(frozenset({CATALOG_ADMIN})),
    "/manage/catalog/export/": Page(frozenset({CATALOG_ADMIN})),
    "/manage/catalog/export/<int:pk>/download/": Page(frozenset({CATALOG_ADMIN}), file=True),
    "/manage/catalog/export.xlsx": Page(frozenset({CATALOG_ADMIN}), file=True),
    "/manage/catalog/export.json": Page(frozenset({CATALOG_ADMIN}), file=True),
    "/admin/": Page(ADMINS, note="stands for the admin's own pages, which it links"),
    "/admin/login/": NotAPage("the admin's sign-in: the portal's sign-in is the way in"),
    # --- machines and the API
    "/favicon.ico": NotAPage("browsers ask for it"),
    "/healthz": NotAPage("the load balancer's health check"),
    "/metrics": NotAPage("Prometheus, from allowed addresses only"),
    "/api/": API,
    "/api/^": API,
    "/api/openapi.json": API,
    "/api/docs": NotAPage(
        "developers' documentation (Swagger UI, third-party markup that axe-core faults), "
        "named by the API root /api/; not linked from the portal"
    ),
    "/api/items": API,
    "/api/items/<implementation_code>": API,
    "/api/bundles": API,
    "/api/bundles/<code>": API,
    "/api/departments": API,
    "/api/departments/<code>": API,
    "/api/themes": API,
    "/api/search": API,
    "/api/regions": API,
    "/api/licences/verify": API,
    # --- the exchange gateway (helper "gw"): a machine's URL, signed calls of member systems
    "/exchange/v1/": NotAPage("a machine's URL: the exchange gateway's root, for member systems"),
    "/exchange/v1/openapi.json": NotAPage("a machine's URL: the exchange gateway's OpenAPI"),
    "/exchange/v1/docs": NotAPage("a machine's URL: the exchange gateway's developer docs"),
    "/exchange/v1/query": NotAPage("a machine's URL: signed queries of member systems"),
    "/exchange/v1/catalogue": NotAPage("a machine's URL: the catalogue for member systems"),
    # --- the public open-data catalogue and the catalogue exports (helper "exp")
    "/open-data/": Page(EVERYONE, note="公共数据开放目录, from the footer"),
    "/open-data/<str:code>/": Page(EVERYONE),
    "/open-data/catalogue.jsonld": Page(EVERYONE, file=True, note="DCAT JSON-LD, open only"),
    "/open-data/catalogue-national.csv": Page(EVERYONE, file=True, note="national metadata"),
    "/office/exchange/exports/national.csv": Page(HANDLERS, file=True),
    "/office/exchange/exports/national.xlsx": Page(HANDLERS, file=True),
    # --- the person's data-access log (我的数据使用记录) and its reports (helper "dal")
    "/me/data-access/": Page(CITIZENS, note="from the personal space (accounts:me)"),
    "/me/data-access/<int:pk>/report/": Page(
        frozenset({CITIZEN}), note="“report this access” beside a read of the citizen's data"
    ),
    "/me/data-access/reports/<int:pk>/": Page(
        frozenset({CITIZEN}), note="the confirmation after the report; listed on the log page"
    ),
    "/office/exchange/access-reports/": Page(frozenset({DATA_ADMIN})),
    "/office/exchange/access-reports/<int:pk>/": Page(frozenset({DATA_ADMIN})),
}

#: Links on pages that lead to a refusal. Each is a defect reported to the owner of the
#: page; the test fails when one of them starts to work (then delete it here).
KNOWN_DEAD_ENDS: dict[tuple[str, str], str] = {}


def entry(key: str) -> Page | Carried | NotAPage | None:
    if key.startswith(ADMIN_INTERNALS) and key not in PAGES:
        return NotAPage("the admin's own pages: reached from the admin index")
    return PAGES.get(key)


def not_fetched(key: str) -> bool:
    """Links the crawler records without downloading (files, POST-only URLs)."""
    found = entry(key)
    return isinstance(found, NotAPage) or (isinstance(found, Page) and found.file)


#: Pages reached by links too, whose link is also carried outside the site: the test
#: renders the carrier and finds the link (SMS text from the fake gateway; the QR payload).
ALSO_CARRIED: dict[str, str] = {
    "/rate/<str:number>/": "sms:completion",
    "/verify/": "qr:licence",
}
