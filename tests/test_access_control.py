"""Access control, proven: deny by default, and who may do what to which object.

1. Every URL pattern (walked recursively, the admin's and the API's included) and every
   OpenAPI operation is requested anonymously, with GET and with POST. Anything not on the
   reviewed list in ``tests/access_public_routes.py`` must refuse: a redirect to a sign-in
   page, 401, 403, or 405 for a method the view does not take. Never a page, never a 404
   (detail routes are filled with real, published objects, so a 404 cannot pass for a
   refusal). A dummy route added to the URLconf proves the check fails when it should.
2. A persona x operation matrix for every protected page and operation that exists today:
   each persona gets exactly the expected outcome, and a refused write changes nothing.

See docs/access-control.md.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve
from django.utils import timezone

from conftest import PASSWORD, make_resident_id, make_uscc
from tests.access_public_routes import PUBLIC_API_OPERATIONS, PUBLIC_ROUTES, Public
from tongban.accounts.models import (
    MemberRole,
    Organisation,
    OrganisationMember,
    Role,
    RoleAssignment,
    SecurityKey,
    User,
    UserKind,
)
from tongban.cases import materials, services
from tongban.cases.models import Case, UploadedMaterial, WorkItem, WorkKind
from tongban.catalog.models import (
    Bundle,
    BundleMember,
    CatalogImport,
    ImportStatus,
    ItemStatus,
    Material,
    QualityRuleSetting,
    ServiceItem,
    Theme,
)
from tongban.core import audit, generations
from tongban.core.models import AuditRecord, ClassificationLevel
from tongban.org.models import Region, ServiceHall, ServiceWindow
from tongban.workdays.models import SpecialDay

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST")
# Anonymous means "from the internet": not one of the addresses allowed to read /metrics.
VISITOR = {"REMOTE_ADDR": "203.0.113.7"}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
# Required query parameters of API operations.
QUERY_SAMPLES = {"q": "许可"}
# Fill-ins for patterns a converter walk cannot build (a bare regex catch-all).
URL_OVERRIDES = {"/api/^": "/api/no-such-endpoint"}


@pytest.fixture(autouse=True)
def _fast_setup(settings, tmp_path):
    # Personas are made with create_user; Argon2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    uploads = str(tmp_path / "uploads")
    settings.CASES_UPLOAD_DIR = uploads
    settings.STORAGES = {**settings.STORAGES, "materials": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": uploads},
    }}  # fmt: skip


# --- The world: one published object of every kind a route can name -----------------------


@dataclass
class World:
    item: ServiceItem
    bundle: Bundle
    department_code: str
    town: Region
    business: Organisation  # legal representative: citizen; agent: other_citizen
    other_business: Organisation  # legal representative: other_citizen
    agent: User
    candidate: User  # a citizen with an account, not yet anyone's agent
    job: CatalogImport
    audit_record: AuditRecord
    catalog_admin: User
    system_admin: User
    security_admin: User
    audit_admin: User
    case: Case  # citizen's application for the bundle: department A (lead) and B
    work_a: WorkItem  # department A's acceptance step of that case
    files: dict[str, UploadedMaterial]  # by material code


def _staff(username: str, role: str, department: Any = None) -> User:
    kind = UserKind.OFFICIAL if department else UserKind.ADMIN
    user = User.objects.create_user(
        username=username, password=PASSWORD, kind=kind, real_name=username, department=department
    )
    RoleAssignment.objects.create(user=user, role=role, department=department)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def world(city, department_a, department_b, citizen, other_citizen, official_a, official_b,
          admin_user) -> World:  # fmt: skip
    item = ServiceItem.objects.create(
        name="食品经营许可", basic_code="000101001", implementation_code="IMPL-ACL-001",
        item_type="01", department=department_a, status=ItemStatus.PUBLISHED,
        published_at=timezone.now(),
    )  # fmt: skip
    item.regions.add(city["town"])
    from tongban.exchange.models import DataResource, ResourceStatus

    DataResource.objects.create(  # open to the public: /open-data/<code>/ finds it
        department=department_a, code="zs.open.registry", name="公开登记信息",
        status=ResourceStatus.PUBLISHED, open_to_public=True,
    )  # fmt: skip
    theme = Theme.objects.create(code="start", name="开办企业", audience="enterprise")
    item.themes.add(theme)
    bundle = Bundle.objects.create(
        code="open-shop", name="开店一件事", audience="enterprise",
        lead_department=department_a, promised_limit=3, status=ItemStatus.PUBLISHED,
    )  # fmt: skip
    BundleMember.objects.create(bundle=bundle, item=item, sort_order=1)
    case, work_a = _bundle_case(bundle, item, department_b, citizen, (official_a, official_b))
    hall = ServiceHall.objects.create(
        region=city["city"], name="中山市行政服务中心", address="东区博爱六路22号",
        opening_hours="周一至周五", phone="0760-12345678",
    )  # fmt: skip
    ServiceWindow.objects.create(hall=hall, number="1", name="综合窗口")
    QualityRuleSetting.objects.create(code="R001", severity="warning")
    business = Organisation.objects.create(
        name="中山市甲公司", uscc=make_uscc("91442000MA4X1111"), legal_representative="陈小明"
    )
    OrganisationMember.objects.create(
        organisation=business, user=citizen, role=MemberRole.LEGAL_REPRESENTATIVE
    )
    OrganisationMember.objects.create(
        organisation=business, user=other_citizen, role=MemberRole.AGENT
    )
    other_business = Organisation.objects.create(
        name="中山市乙公司", uscc=make_uscc("91442000MA4X2222"), legal_representative="李华"
    )
    OrganisationMember.objects.create(
        organisation=other_business, user=other_citizen, role=MemberRole.LEGAL_REPRESENTATIVE
    )
    candidate = User.objects.create_user(
        username="citizen-c",
        password=PASSWORD,
        real_name="张三",
        id_number=make_resident_id(seq=163),
    )
    catalog_admin = _staff("catalogue-keeper", Role.CATALOG_ADMIN, department_a)
    system_admin = _staff("sysadmin", Role.SYSTEM_ADMIN)
    security_admin = _staff("secadmin", Role.SECURITY_ADMIN)
    audit_admin = _staff("auditadmin", Role.AUDIT_ADMIN)
    SecurityKey.objects.create(user=citizen, name="YubiKey", credential_id="AAECAw",
                               public_key=b"\x01")  # fmt: skip
    job = CatalogImport.objects.create(
        file=SimpleUploadedFile("c.json", b"{}"), file_format="json",
        status=ImportStatus.SUCCEEDED, created_by=catalog_admin,
    )  # fmt: skip
    with transaction.atomic():
        record = audit.record_audit(admin_user, "tests.access.probe", item, meta={"n": 1})
    generations.bump("catalogue")
    _third_party_rows()
    return World(
        item=item, bundle=bundle, department_code=department_a.code, town=city["town"],
        business=business, other_business=other_business, agent=other_citizen,
        candidate=candidate, job=job,
        audit_record=record, catalog_admin=catalog_admin, system_admin=system_admin,
        security_admin=security_admin, audit_admin=audit_admin, case=case, work_a=work_a,
        files={m.material_code: m for m in case.materials.all()},
    )  # fmt: skip


# A one-page PDF that parses (uploads are checked with pikepdf).
ONE_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# Department A needs the marriage certificate, department B (the health department of
# issue 12) the birth certificate, both the ID card; A leads the bundle.
BUNDLE_MATERIALS = (
    ("a", "marriage-cert", "结婚证"),
    ("a", "id-card", "居民身份证"),
    ("b", "birth-cert", "出生医学证明"),
    ("b", "id-card", "居民身份证"),
)


def _bundle_case(
    bundle: Bundle, item: ServiceItem, department_b: Any, applicant: User, officials: Any
) -> tuple[Case, WorkItem]:
    """The applicant's submitted case for ``bundle`` with a second member in department B,
    every material uploaded through the product's own service."""
    item_b = ServiceItem.objects.create(
        name="出生医学证明办理", basic_code="000101002", implementation_code="IMPL-ACL-002",
        item_type="01", department=department_b, status=ItemStatus.PUBLISHED,
        published_at=timezone.now(),
    )  # fmt: skip
    BundleMember.objects.create(bundle=bundle, item=item_b, sort_order=2)
    for member, code, name in BUNDLE_MATERIALS:
        Material.objects.create(item=item if member == "a" else item_b, code=code, name=name)
    for official in officials:  # cases hold personal data (sensitive)
        User.objects.filter(pk=official.pk).update(clearance=ClassificationLevel.SENSITIVE)
    applicant.assurance_level = 2  # real-name verified: online applications need it
    applicant.save(update_fields=["assurance_level"])
    draft = services.draft_for(applicant, bundle)
    for code in ("marriage-cert", "id-card", "birth-cert"):
        upload = SimpleUploadedFile(f"{code}.pdf", ONE_PAGE_PDF, "application/pdf")
        materials.upload_material(draft, code, upload, actor=applicant)
    case = services.submit(draft, actor=applicant, idempotency_key="acl-case")
    work_a = WorkItem.objects.get(case=case, kind=WorkKind.ACCEPT, department=item.department)
    return case, work_a


def _third_party_rows() -> None:
    """A row for the admin pages of django-axes, so their detail routes name real objects."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    common = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "nobody",
              "http_accept": "*/*", "path_info": "/accounts/login/"}  # fmt: skip
    AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=1, **common)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common)


# --- Walking the URLconf ------------------------------------------------------------------


@dataclass
class Route:
    key: str  # "/" + the patterns of every level, as written
    pattern: URLPattern

    @property
    def callback(self) -> Callable[..., Any]:
        return self.pattern.callback


def iter_routes(patterns: list[Any], prefix: str = "/") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield Route(prefix + str(pattern.pattern), pattern)


CONVERTER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
ADMIN_MODEL = re.compile(r"^/admin/(?P<app>\w+)/(?P<model>\w+)/")


def _sample_pk(model: type[models.Model]) -> str:
    obj = model._default_manager.order_by("pk").first()  # type: ignore[attr-defined]
    return str(obj.pk) if obj is not None else "1"


def fill(route: str, name: str, world: World) -> str:
    """A plausible value for the parameter ``name`` of ``route``: real objects only."""
    from django.apps import apps

    if name == "code" or name == "implementation_code":
        if "/bundles/" in route:
            return world.bundle.code
        if "/departments/" in route:
            return world.department_code
        if "/towns/" in route:
            return world.town.code
        if route.startswith("/open-data/"):
            return "zs.open.registry"
        return world.item.implementation_code
    if name in ("object_id", "id"):
        match = ADMIN_MODEL.match(route)
        assert match, route
        return _sample_pk(apps.get_model(match["app"], match["model"]))
    if route.startswith("/office/work/"):
        return str(world.work_a.pk)
    if route.startswith("/materials/"):
        return str(world.files["id-card"].pk)
    values = {
        "org_id": world.business.pk,
        "user_id": world.agent.pk,
        "key_id": SecurityKey.objects.get().pk,
        "pk": world.job.pk,
        "content_type_id": ContentType.objects.get_for_model(ServiceItem).pk,
        "app_label": "catalog",
        "url": "no-such-page/",
        "year": 2026,
        "kind": "item",
        "number": "442000-20261128-000001-5",
        "notice": "SL-442000-20261128-000001-5-01",
    }
    assert name in values, f"no sample value for <{name}> in {route}"
    return str(values[name])


def concrete_url(route: Route, world: World) -> str:
    if route.key in URL_OVERRIDES:
        url = URL_OVERRIDES[route.key]
    elif route.key.startswith("/admin/r/"):  # content type and object: the item's
        url = f"/admin/r/{fill(route.key, 'content_type_id', world)}/{world.item.pk}/"
    else:
        url = GROUP.sub(lambda m: fill(route.key, m["name"], world), route.key)
        url = CONVERTER.sub(lambda m: fill(route.key, m["name"], world), url)
        url = url.replace("^", "").replace("$", "")
    match = resolve(url)
    assert match.func is route.callback, f"{url} does not reach {route.key}"
    return url


def refused(response: HttpResponse) -> bool:
    """Whether an anonymous request was turned away without being served."""
    if response.status_code in (301, 302, 303, 307, 308):
        return urlsplit(response["Location"]).path in LOGIN_PATHS
    return response.status_code in (401, 403, 405)


def _request(client: Client, method: str, url: str) -> HttpResponse:
    return client.get(url) if method == "GET" else client.post(url, {})


def route_violations(world: World, public: dict[str, Public]) -> list[str]:
    """Every (method, route) that answers an anonymous visitor without being public,
    and every public detail route that did not find its object."""
    problems = []
    client = Client(**VISITOR)
    for route in iter_routes(get_resolver().url_patterns):
        url = concrete_url(route, world)
        entry = public.get(route.key)
        for method in METHODS:
            response = _request(client, method, url)
            if entry is not None and method in entry.methods:
                named = CONVERTER.search(route.key) or GROUP.search(route.key)
                if named and response.status_code != 200:
                    problems.append(f"{method} {url} ({route.key}): public detail gave "
                                    f"{response.status_code}, expected 200")  # fmt: skip
            elif not refused(response):
                location = response.get("Location", "")
                problems.append(f"{method} {url} ({route.key}): anonymous got "
                                f"{response.status_code} {location}".rstrip())  # fmt: skip
    return problems


def api_violations(world: World, public: dict[str, str]) -> list[str]:
    problems = []
    client = Client(**VISITOR)
    schema = client.get("/api/openapi.json").json()
    for api_path, operations in schema["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m, p=api_path: fill(p, m[1], world), api_path)
        for method, operation in operations.items():
            key = f"{method.upper()} {api_path}"
            query = {
                p["name"]: QUERY_SAMPLES[p["name"]]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            }
            response = client.generic(method.upper(), url, QUERY_STRING=urlencode(query))
            if key in public:
                if response.status_code != 200:
                    problems.append(f"{key}: public operation gave {response.status_code}")
            elif not refused(response):
                problems.append(f"{key}: anonymous got {response.status_code}")
    return problems


# --- 1. Deny by default -------------------------------------------------------------------


def test_every_route_refuses_anonymous_access_unless_reviewed_public(world):
    problems = route_violations(world, PUBLIC_ROUTES)
    assert not problems, "\n".join(problems)


def test_every_api_operation_refuses_anonymous_access_unless_reviewed_public(world):
    problems = api_violations(world, PUBLIC_API_OPERATIONS)
    assert not problems, "\n".join(problems)


def test_the_public_lists_name_only_what_exists(world):
    """A stale entry would silently open whatever later takes its name."""
    routes = {route.key for route in iter_routes(get_resolver().url_patterns)}
    assert set(PUBLIC_ROUTES) - routes == set()
    schema = Client().get("/api/openapi.json").json()
    operations = {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}
    assert set(PUBLIC_API_OPERATIONS) - operations == set()
    for entry in PUBLIC_ROUTES.values():
        assert entry.reason.strip() and set(entry.methods) <= set(METHODS)


def test_the_walk_reaches_every_level_of_the_urlconf():
    keys = {route.key for route in iter_routes(get_resolver().url_patterns)}
    assert {"/", "/admin/", "/admin/core/auditrecord/<path:object_id>/change/",
            "/accounts/business/<int:org_id>/agents/<int:user_id>/remove/",
            "/api/items/<implementation_code>", "/manage/catalog/import/<int:pk>/",
            "/i18n/setlang/"} <= keys  # fmt: skip
    assert len(keys) > 100  # the admin alone has six routes per model


def _secret(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return HttpResponse("members only")


class DummyURLConf:
    """The project's URLconf plus two unreviewed routes, one nested two includes deep."""

    urlpatterns = [
        path("dummy-report/", _secret),
        path("deep/", include([path("er/", include([path("<int:pk>/export/", _secret)]))])),
        path("guarded/", login_required(_secret)),
        path("staff-only/", staff_member_required(_secret)),
        *get_resolver().url_patterns,
    ]


def test_an_unreviewed_route_makes_the_check_fail(world):
    with override_settings(ROOT_URLCONF=DummyURLConf):
        problems = route_violations(world, PUBLIC_ROUTES)
    assert len(problems) == 4, problems
    # Object ids differ by database (PostgreSQL sequences are not reset between tests).
    assert [re.sub(r"/\d+/", "/<id>/", p.split(" (")[0]) for p in problems] == [
        "GET /dummy-report/", "POST /dummy-report/",
        "GET /deep/er/<id>/export/", "POST /deep/er/<id>/export/",
    ]  # fmt: skip


def test_an_operation_taken_off_the_list_makes_the_api_check_fail(world):
    shortened = dict(PUBLIC_API_OPERATIONS)
    del shortened["GET /api/themes"]
    assert api_violations(world, shortened) == ["GET /api/themes: anonymous got 200"]


def test_static_files_are_public_but_uploads_are_not(client, world):
    assert client.get("/static/tongban/favicon.svg").status_code == 200
    # An uploaded import file is never served: there is no media route at all.
    assert client.get(f"/media/{world.job.file.name}").status_code == 404
    assert client.get(f"/static/../media/{world.job.file.name}").status_code == 404


def test_every_office_route_refuses_a_citizen_even_for_their_own_case(world, citizen,
                                                                     official_a):  # fmt: skip
    """Citizens never reach an officials' page (issue 12): every ``/office/`` route, filled
    with the citizen's own case where it names one, refuses them (403, 404, or 405 for a
    method it does not take), and answers exactly as for an id that names nothing, so the
    refusal reveals nothing. The cases' office pages serve the department's official at the
    same URLs, so their 404 is a refusal, not a missing object."""
    office = [r for r in iter_routes(get_resolver().url_patterns) if r.key.startswith("/office/")]
    assert {"/office/inbox/", "/office/work/<int:pk>/"} <= {r.key for r in office}
    applicant, colleague = Client(), Client()
    sign_in(applicant, citizen)
    sign_in(colleague, official_a)
    problems = []
    for route in office:
        url = concrete_url(route, world)
        missing = CONVERTER.sub(lambda m: "999999999", route.key)
        for method in METHODS:
            status = _request(applicant, method, url).status_code
            if status not in (403, 404, 405):
                problems.append(f"{method} {url}: citizen got {status}")
            elif missing != url and _request(applicant, method, missing).status_code != status:
                problems.append(f"{method} {url}: citizen told it from a missing {missing}")
        if route.callback.__module__ == "tongban.cases.views":
            if colleague.get(url).status_code != 200:
                problems.append(f"GET {url}: the department's official was not served")
            if _request(applicant, "GET", url).status_code != 404:
                problems.append(f"GET {url}: cases' office pages answer citizens 404")
    assert not problems, "\n".join(problems)


# --- 2. Persona x operation matrix --------------------------------------------------------

STAFF = ("catalog_admin", "system_admin", "security_admin", "audit_admin", "admin_user")
PERSONAS = ("anonymous", "citizen", "other_citizen", "official_a", "official_b", *STAFF)
BACKEND = "tongban.accounts.backends.IdentifierBackend"
Outcome = str | int  # "login", "admin-login", "redirect" (anywhere else), or a status


def outcome(response: HttpResponse) -> Outcome:
    if response.status_code in (301, 302, 303):
        where = urlsplit(response["Location"]).path
        return {"/accounts/login/": "login", "/admin/login/": "admin-login"}.get(where, "redirect")
    return response.status_code


def expect(default: Outcome, **overrides: Outcome) -> dict[str, Outcome]:
    """``default`` for every signed-in persona; anonymous goes to the sign-in page."""
    table: dict[str, Outcome] = dict.fromkeys(PERSONAS, default)
    table["anonymous"] = "admin-login" if default == "admin-login" else "login"
    table.update(overrides)
    return table


def for_staff(default: Outcome = 403, **staff: Outcome) -> dict[str, Outcome]:
    """An admin page: everyone without staff status is sent to the admin's sign-in; staff
    get ``default`` unless named."""
    return expect("admin-login", **{**dict.fromkeys(STAFF, default), **staff})


def manager(ok: Outcome) -> dict[str, Outcome]:
    """A catalogue management page: only holders of catalog.add_serviceitem."""
    return expect(403, catalog_admin=ok, admin_user=ok)


@dataclass
class Operation:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, Outcome]
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    # What a write changes; must be the same after every refused attempt.
    probe: Callable[[World], Any] | None = None


def _members(world: World) -> list[tuple[int, str, bool]]:
    return list(
        OrganisationMember.objects.filter(organisation=world.business)
        .order_by("user_id")
        .values_list("user_id", "role", "is_active")
    )


def _upload(world: World) -> dict[str, Any]:
    body = b'{"format": "tongban-catalogue", "version": 1, "items": []}'
    return {"file": SimpleUploadedFile("c.json", body, content_type="application/json")}


def _audit_state(world: World) -> list[tuple[Any, ...]]:
    return list(AuditRecord.objects.order_by("pk").values_list("pk", "action", "meta", "hash"))


def _audit_url(suffix: str) -> Callable[[World], str]:
    return lambda w: f"/admin/core/auditrecord/{w.audit_record.pk}/{suffix}"


AUDIT_EDIT = {"stream": "tests", "seq": "1", "action": "forged.action", "meta": "{}"}

OPERATIONS = [
    # Personal space and businesses: a citizen sees only their own.
    Operation("personal space", "GET", lambda w: "/accounts/me/", expect(200)),
    Operation("register a business", "GET", lambda w: "/accounts/register/business/",
              expect(403, citizen=200, other_citizen=200)),
    Operation("own business page (legal rep: citizen, agent: other_citizen)", "GET",
              lambda w: f"/accounts/business/{w.business.pk}/",
              expect(404, citizen=200, other_citizen=200)),
    Operation("someone else's business page", "GET",
              lambda w: f"/accounts/business/{w.other_business.pk}/",
              expect(404, other_citizen=200)),
    Operation("add an agent (legal representative only)", "POST",
              lambda w: f"/accounts/business/{w.business.pk}/agents/",
              expect(404, citizen="redirect", other_citizen=403),
              data=lambda w: {"id_number": w.candidate.id_number}, probe=_members),
    Operation("remove an agent (legal representative only)", "POST",
              lambda w: f"/accounts/business/{w.business.pk}/agents/{w.agent.pk}/remove/",
              expect(404, citizen="redirect", other_citizen=403), probe=_members),
    Operation("add an agent to someone else's business", "POST",
              lambda w: f"/accounts/business/{w.other_business.pk}/agents/",
              expect(404, other_citizen="redirect"),
              data=lambda w: {"id_number": w.candidate.id_number},
              probe=lambda w: OrganisationMember.objects.count()),
    # Catalogue management: catalog.add_serviceitem (catalog_admin), never system_admin.
    Operation("catalogue import form", "GET", lambda w: "/manage/catalog/import/", manager(200)),
    Operation("catalogue import upload", "POST", lambda w: "/manage/catalog/import/",
              manager("redirect"), data=_upload,
              probe=lambda w: CatalogImport.objects.count()),
    Operation("catalogue import status", "GET",
              lambda w: f"/manage/catalog/import/{w.job.pk}/", manager(200)),
    Operation("catalogue export (JSON)", "GET", lambda w: "/manage/catalog/export.json",
              manager(200)),
    Operation("catalogue export (Excel)", "GET", lambda w: "/manage/catalog/export.xlsx",
              manager(200)),
    Operation("catalogue export page", "GET", lambda w: "/manage/catalog/export/", manager(200)),
    # Applications: the inbox belongs to department roles; my applications to everyone.
    Operation("department inbox", "GET", lambda w: "/office/inbox/",
              expect(404, official_a=200, official_b=200)),
    Operation("my applications", "GET", lambda w: "/me/cases/", expect(200)),
    Operation("someone's case by number", "GET",
              lambda w: "/me/cases/442000-20261128-000001-5/", expect(404)),
    # Officials' pages and case files (issue 12): never a citizen, the applicant included;
    # each department its own item's materials; the lead department also the shared ones.
    Operation("office page of department A's step (applicant: citizen)", "GET",
              lambda w: f"/office/work/{w.work_a.pk}/", expect(404, official_a=200)),
    # official_a reviews; the clerk accepts: the page comes back with the refusal.
    Operation("accept department A's step", "POST",
              lambda w: f"/office/work/{w.work_a.pk}/", expect(404, official_a=200),
              data=lambda w: {"action": "accept"},
              probe=lambda w: WorkItem.objects.get(pk=w.work_a.pk).status),
    Operation("download the marriage certificate (department A's material)", "GET",
              lambda w: f"/materials/{w.files['marriage-cert'].pk}/",
              expect(404, citizen=200, official_a=200)),
    Operation("download the birth certificate (department B's material)", "GET",
              lambda w: f"/materials/{w.files['birth-cert'].pk}/",
              expect(404, citizen=200, official_b=200)),
    Operation("download the ID card (shared: A, the lead, and B need it)", "GET",
              lambda w: f"/materials/{w.files['id-card'].pk}/",
              expect(404, citizen=200, official_a=200, official_b=200)),
    # The working-day calendar: the system administrator keeps it (and development's
    # superuser); an ordinary change needs workdays.change_calendaryear.
    Operation("working-day calendar", "GET", lambda w: "/manage/calendar/2026/",
              expect(403, system_admin=200, admin_user=200)),
    Operation("working-day calendar: remove a day", "POST", lambda w: "/manage/calendar/2026/",
              expect(403, system_admin="redirect", admin_user="redirect"),
              data=lambda w: {"action": "remove", "date": "2026-10-01"},
              probe=lambda w: SpecialDay.objects.count()),
    # The Django admin: staff only, then each model by permission (三员: duties kept apart).
    Operation("admin index", "GET", lambda w: "/admin/", for_staff(200)),
    Operation("admin: service items", "GET", lambda w: "/admin/catalog/serviceitem/",
              for_staff(catalog_admin=200, system_admin=200, admin_user=200)),
    Operation("admin: add a service item", "GET", lambda w: "/admin/catalog/serviceitem/add/",
              for_staff(catalog_admin=200, admin_user=200)),
    Operation("admin: departments", "GET", lambda w: "/admin/org/department/",
              for_staff(200, audit_admin=403)),
    Operation("admin: add a department", "GET", lambda w: "/admin/org/department/add/",
              for_staff(system_admin=200, admin_user=200)),
    Operation("admin: users", "GET", lambda w: "/admin/accounts/user/",
              for_staff(security_admin=200, admin_user=200)),
    Operation("admin: add a user", "GET", lambda w: "/admin/accounts/user/add/",
              for_staff(security_admin=200, admin_user=200)),
    Operation("admin: role assignments", "GET", lambda w: "/admin/accounts/roleassignment/",
              for_staff(security_admin=200, audit_admin=200, admin_user=200)),
    Operation("admin: assign a role", "GET", lambda w: "/admin/accounts/roleassignment/add/",
              for_staff(security_admin=200, admin_user=200)),
    # Audit records: readable by the audit administrator (and the development superuser),
    # changeable by nobody, not even a superuser.
    Operation("admin: audit records", "GET", lambda w: "/admin/core/auditrecord/",
              for_staff(audit_admin=200, admin_user=200)),
    Operation("admin: one audit record (read-only)", "GET", _audit_url("change/"),
              for_staff(audit_admin=200, admin_user=200)),
    Operation("admin: add an audit record (form)", "GET",
              lambda w: "/admin/core/auditrecord/add/", for_staff()),
    Operation("admin: add an audit record", "POST", lambda w: "/admin/core/auditrecord/add/",
              for_staff(), data=lambda w: AUDIT_EDIT, probe=_audit_state),
    Operation("admin: change an audit record", "POST", _audit_url("change/"),
              for_staff(), data=lambda w: AUDIT_EDIT, probe=_audit_state),
    Operation("admin: delete an audit record (confirmation)", "GET", _audit_url("delete/"),
              for_staff()),
    Operation("admin: delete an audit record", "POST", _audit_url("delete/"),
              for_staff(), data=lambda w: {"post": "yes"}, probe=_audit_state),
    Operation("admin: bulk-delete audit records", "POST", lambda w: "/admin/core/auditrecord/",
              for_staff(audit_admin=200, admin_user=200),
              data=lambda w: {"action": "delete_selected", "post": "yes",
                              "_selected_action": [w.audit_record.pk]},
              probe=_audit_state),
]  # fmt: skip


def sign_in(client: Client, user: User) -> None:
    """A full sign-in: the password step, and the second factor officials must give."""
    from tongban.accounts.second_factor import SESSION_VERIFIED

    client.force_login(user, backend=BACKEND)
    session = client.session
    session[SESSION_VERIFIED] = {"user": user.pk, "kind": "totp", "at": int(time.time())}
    session.save()


def persona_user(name: str, world: World, request: pytest.FixtureRequest) -> User | None:
    if name == "anonymous":
        return None
    if name in ("catalog_admin", "system_admin", "security_admin", "audit_admin"):
        return getattr(world, name)
    return request.getfixturevalue(name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_the_expected_outcome(persona, world, request):
    """One column of the matrix: every operation, as this persona."""
    client = Client()
    user = persona_user(persona, world, request)
    if user is not None:
        sign_in(client, user)
    actual: dict[str, Outcome] = {}
    for operation in OPERATIONS:
        before = operation.probe(world) if operation.probe else None
        # Each attempt runs in a savepoint rolled back afterwards: every operation meets
        # the same state, and a write that succeeds does not change the next one's result.
        with transaction.atomic():
            url, data = operation.url(world), operation.data(world)
            response = client.get(url) if operation.method == "GET" else client.post(url, data)
            actual[operation.name] = result = outcome(response)
            if operation.probe and result not in ("redirect", 200):
                assert operation.probe(world) == before, f"{operation.name}: refused, changed"
            transaction.set_rollback(True)
    assert actual == {operation.name: operation.expected[persona] for operation in OPERATIONS}


def test_the_matrix_covers_every_persona_and_a_refusal_for_each_operation():
    for operation in OPERATIONS:
        assert set(operation.expected) == set(PERSONAS), operation.name
        refusals = {"login", "admin-login", 403, 404}
        assert refusals & set(operation.expected.values()), operation.name


def test_the_personal_space_shows_only_ones_own_account(client, world, citizen, other_citizen):
    sign_in(client, citizen)
    page = client.get("/accounts/me/").content.decode()
    assert citizen.real_name in page and other_citizen.real_name not in page
    assert "中山市甲公司" in page and "中山市乙公司" not in page


def test_an_audit_record_page_offers_no_way_to_save(client, world, admin_user):
    sign_in(client, admin_user)
    page = client.get(f"/admin/core/auditrecord/{world.audit_record.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and "/delete/" not in html
    assert not page.context["adminform"].form.fields  # every field is read-only


def test_no_audit_change_attempt_breaks_the_chain(client, world, admin_user):
    sign_in(client, admin_user)
    pk = world.audit_record.pk
    client.post(f"/admin/core/auditrecord/{pk}/change/", AUDIT_EDIT)
    client.post(f"/admin/core/auditrecord/{pk}/delete/", {"post": "yes"})
    client.post("/admin/core/auditrecord/", {"action": "delete_selected", "post": "yes",
                                             "_selected_action": [pk]})  # fmt: skip
    assert AuditRecord.objects.filter(pk=pk, action="tests.access.probe").exists()
    assert audit.verify() == []


def test_an_official_gains_catalogue_import_only_with_the_catalogue_role(client, world,
                                                                         official_a):  # fmt: skip
    sign_in(client, official_a)
    assert client.get("/manage/catalog/import/").status_code == 403
    RoleAssignment.objects.create(user=official_a, role=Role.CATALOG_ADMIN,
                                  department=official_a.department)  # fmt: skip
    assert client.get("/manage/catalog/import/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


# --- Privilege escalation through the admin -----------------------------------------------


class _FormReader(HTMLParser):
    """The fields a browser would submit from the admin's change form (id="..._form")."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        if not self._in_form or "name" not in a:
            return
        name = a["name"]
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            checkable = a.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if checkable else ""))
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def change_form_data(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = _FormReader()
    reader.feed(response.content.decode())
    assert "csrfmiddlewaretoken" in reader.data, "the change form was not found"
    return reader.data


def _can_import(user: User) -> bool:
    client = Client()
    sign_in(client, User.objects.get(pk=user.pk))
    return client.get("/manage/catalog/import/").status_code == 200


def test_the_security_administrator_cannot_make_anyone_superuser(client, world, citizen):
    """The one role that manages accounts still cannot create an all-powerful one."""
    secadmin = world.security_admin
    sign_in(client, secadmin)
    for account in (secadmin, citizen):
        url = f"/admin/accounts/user/{account.pk}/change/"
        data = change_form_data(client, url)
        data["email"] = ["ops@example.org"]  # control: the form as read is accepted, saved
        data["is_superuser"] = ["on"]
        data["is_staff"] = ["on"]
        assert outcome(client.post(url, data)) == "redirect"
        account.refresh_from_db()
        assert account.email == "ops@example.org"
        assert not account.is_superuser


def test_the_security_administrator_cannot_grant_single_permissions(client, world):
    secadmin = world.security_admin
    sign_in(client, secadmin)
    url = f"/admin/accounts/user/{secadmin.pk}/change/"
    data = change_form_data(client, url)
    data["user_permissions"] = [str(Permission.objects.get(codename="add_serviceitem").pk)]
    client.post(url, data)
    assert not secadmin.user_permissions.exists()
    assert not _can_import(secadmin)


def test_the_security_administrator_cannot_give_themself_a_role(client, world):
    secadmin = world.security_admin
    sign_in(client, secadmin)
    response = client.post("/admin/accounts/roleassignment/add/",
                           {"user": secadmin.pk, "role": Role.CATALOG_ADMIN})  # fmt: skip
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=secadmin, role=Role.CATALOG_ADMIN).exists()
    assert not _can_import(secadmin)


def test_the_security_administrator_can_give_someone_else_a_role(client, world, official_a):
    """The control for the test above: the same request for another account works."""
    sign_in(client, world.security_admin)
    response = client.post("/admin/accounts/roleassignment/add/",
                           {"user": official_a.pk, "role": Role.CATALOG_ADMIN})  # fmt: skip
    assert outcome(response) == "redirect"
    assert _can_import(official_a)


def test_the_superuser_form_round_trip_can_grant_superuser(client, world, admin_user, citizen):
    """The control for the test above: the same form, posted by the (development-only)
    superuser, does change the flag, so the refusal above is the admin's doing."""
    sign_in(client, admin_user)
    url = f"/admin/accounts/user/{citizen.pk}/change/"
    data = change_form_data(client, url)
    data["is_superuser"] = ["on"]
    assert outcome(client.post(url, data)) == "redirect"
    citizen.refresh_from_db()
    assert citizen.is_superuser
