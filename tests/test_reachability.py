"""Every page is reached from the front door, by the people who may use it.

Starting at ``/`` as each persona (a visitor, a citizen, a business's agent, an official, a
department leader, and each kind of administrator), a crawler follows only what a person
can follow: ``<a href>`` links, redirects, and GET forms sent with their default values. No
URL is typed. The list of pages comes from the URL patterns themselves, and the reviewed
table in ``tests/reachability_pages.py`` says, for every pattern, who must reach it, or why
it is no page of its own (an action behind a POST, a file, an API endpoint…).

Pages whose only way in is a message, a QR code, an SMS or a redirect after a form are
listed there with what carries the link; the test renders that carrier and finds the link.

The world is small and built here (the demo loader takes ~25 s): one item with a form and
a licence, a bundle, and the applicant's cases in every state a page depends on.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from conftest import PASSWORD, _user, make_resident_id, make_uscc
from tests import reachability_pages as table
from tongban.accounts.models import (
    MemberRole,
    Organisation,
    OrganisationMember,
    Role,
    RoleAssignment,
    User,
    UserKind,
)
from tongban.cases.actions import ActionInput
from tongban.cases.actions import act as case_act
from tongban.cases.models import Case, SubCase, WorkItem, WorkKind, WorkStatus
from tongban.cases.tests.conftest import World, world  # noqa: F401  (fixture re-exported)
from tongban.cases.transitions import Action
from tongban.catalog.models import CatalogExport, CatalogImport, ImportStatus
from tongban.core.models import ClassificationLevel

pytestmark = pytest.mark.django_db

VISITOR = {"REMOTE_ADDR": "203.0.113.7"}
SITE_URL = "https://zwfw.zs.example.gov.cn"
#: At most this many distinct paths of one pattern are fetched (the catalogue's list pages
#: link every item; a few of each kind prove the way in), and one URL with a query string
#: (filters, pages, a GET form's defaults).
PER_PATTERN = 6
#: Links recorded as reached but not followed: they change the session (language, elder
#: mode, signing out) or lead into the admin's internals (its index stands for them).
NOT_FOLLOWED = re.compile(r"^/(language|elder)/|^/accounts/logout/|^/admin/.+|^/i18n/")


def iter_routes(patterns: list[Any], prefix: str = "/") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def route_keys() -> set[str]:
    """Every URL pattern's key: "/" + the patterns of every level, as written."""
    return {key for key, _pattern in iter_routes(get_resolver().url_patterns)}


def key_of(path: str, keys: set[str]) -> str | None:
    """The key of the pattern ``path`` resolves to (``None``: no page of ours)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    key = "/" + (match.route or "")
    return key if key in keys else None


# --- Reading links and forms out of HTML ---------------------------------------------------


@dataclass
class _Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    select: str | None = None
    select_value: str | None = None


class LinkParser(HTMLParser):
    """``<a href>`` targets and GET forms (action + default values) of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.forms: list[_Form] = []
        self._form: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "form":
            self._form = _Form(a.get("action", ""), a.get("method", "get").lower())
        elif self._form is None or "name" not in a or "disabled" in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file", "reset"):
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._form.select, self._form.select_value = a["name"], None
        elif tag == "option" and self._form.select and self._form.select_value is None:
            self._form.select_value = a.get("value", "")
        elif tag == "textarea":
            self._form.fields.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if form is None:
            return
        if tag == "select" and form.select:
            form.fields.append((form.select, form.select_value or ""))
            form.select = None
        elif tag == "form":
            self.forms.append(form)
            self._form = None


def links_in(html: str, base: str) -> list[str]:
    """Every same-site path (with query) a person can reach from ``html`` at ``base``."""
    parser = LinkParser()
    parser.feed(html)
    found = [urljoin(base, h) for h in parser.hrefs]
    for form in parser.forms:
        if form.method == "get":
            query = urlencode([(k, v) for k, v in form.fields])
            found.append(urljoin(base, form.action or base).split("?")[0] + "?" + query)
    out = []
    for url in found:
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        if parts.path:
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


# --- The crawl ------------------------------------------------------------------------------


@dataclass
class Reach:
    #: Route key -> the first URL of it that answered 200 (or was seen, if not followed).
    reached: dict[str, str] = field(default_factory=dict)
    #: Route key -> "url -> status" of a link that did not answer.
    broken: dict[str, str] = field(default_factory=dict)
    fetched: int = 0


def crawl(client: Client, keys: set[str], start: str = "/") -> Reach:
    reach = Reach()
    seen: set[str] = set()
    per_key: dict[str, int] = {}
    queue: deque[str] = deque([start])
    while queue:
        url = queue.popleft()
        path = url.split("?")[0]
        key = key_of(path, keys)
        if key is None or url in seen:
            continue
        seen.add(url)
        if table.entry(key) is table.POST:  # a link cannot send a POST: it would fail
            reach.broken.setdefault(key, f"{url} -> a link to a POST-only action")
            continue
        if NOT_FOLLOWED.match(path) or table.not_fetched(key):
            reach.reached.setdefault(key, url)
            continue
        budget = f"{key}?" if "?" in url else key
        if per_key.get(budget, 0) >= (1 if "?" in url else PER_PATTERN):
            continue
        per_key[budget] = per_key.get(budget, 0) + 1
        response = client.get(url)
        reach.fetched += 1
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(urljoin(url, response["Location"]).split("testserver", 1)[-1])
            continue
        if response.status_code != 200:
            reach.broken.setdefault(key, f"{url} -> {response.status_code}")
            continue
        reach.reached.setdefault(key, url)
        if "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        for link in links_in(body, url):
            if link not in seen:
                queue.append(link)
    return reach


# --- The world -----------------------------------------------------------------------------


def _staff(username: str, role: str, department: Any = None, **kw: Any) -> User:
    kind = UserKind.OFFICIAL if department else UserKind.ADMIN
    user = _user(username, real_name=username, kind=kind, department=department, **kw)
    RoleAssignment.objects.create(user=user, role=role, department=department)
    return User.objects.get(pk=user.pk)


def _open(case: Case, kind: str, sub: SubCase) -> WorkItem:
    return WorkItem.objects.get(case=case, kind=kind, status=WorkStatus.OPEN, subcase=sub)


def _approve(w: World, case: Case) -> None:
    for sub in case.subcases.order_by("pk"):
        dept_a = sub.department_id == w.item_a.department_id
        clerk, reviewer, leader = (
            (w.clerk_a, w.reviewer_a, w.leader_a) if dept_a else ((w.all_b,) * 3)
        )
        case_act(_open(case, WorkKind.ACCEPT, sub).pk, ActionInput(Action.ACCEPT), actor=clerk)
        case_act(_open(case, WorkKind.REVIEW, sub).pk, ActionInput(Action.FORWARD), actor=reviewer)
        case_act(
            _open(case, WorkKind.DECIDE, sub).pk,
            ActionInput(Action.APPROVE, note="ok"),
            actor=leader,
        )


@dataclass
class Town:
    """The small city every persona walks through."""

    w: World
    personas: dict[str, User | None]
    completed: Case
    correction: Case
    licence: Any
    rating: Any


@pytest.fixture
def town(world, official_b, settings, tmp_path, django_capture_on_commit_callbacks) -> Town:  # noqa: F811
    from tongban.licences.models import HolderKind, ItemLicence, Licence, LicenceType
    from tongban.ratings import services as ratings
    from tongban.ratings.models import Step
    from tongban.ratings.services import RatingInput

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TONGBAN_SITE_URL = SITE_URL
    settings.VAR_DIR = tmp_path  # the fake SMS gateway's outbox
    settings.MEDIA_ROOT = tmp_path / "media"
    w: World = world
    department_a = w.item_a.department
    licence_type = LicenceType.objects.create(
        code="11100000MB01", name="测试许可证", name_en="Test permit",
        department=department_a, holder_kind=HolderKind.PERSON, validity_months=60,
        face_fields=[{"key": "name", "label": "姓名", "label_en": "Name",
                      "element": "applicant.name", "public": True}],
    )  # fmt: skip
    ItemLicence.objects.create(item=w.item_a, licence_type=licence_type)
    with django_capture_on_commit_callbacks(execute=True):
        completed = w.submit(w.item_a, key="done")  # not rated: its page invites a rating
        _approve(w, completed)
        rated = w.submit(w.item_a, key="rated")
        _approve(w, rated)
    rated.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        w.submit(w.bundle, key="waiting")  # submitted: work to accept in A and B
        correction = w.submit(w.item_a, key="fix")
        case_act(
            _open(correction, WorkKind.ACCEPT, correction.subcases.get()).pk,
            ActionInput(Action.CORRECTION, corrections=[{"material": "材料M-A",
                        "reason": "不清晰"}], note="请补正"),
            actor=w.clerk_a,
        )  # fmt: skip
        rating = ratings.rate(
            rated, RatingInput(level=1, tags=["too_slow"], reason="等了很久也没有人回复"),
            actor=w.applicant,
        )  # fmt: skip
        ratings.request_appeal(rating, actor=w.leader_a, reason="申请人评价与事实不符，已核实")
        ratings.rate(  # a second ticket, not appealed: its page offers the appeal
            rated,
            RatingInput(level=1, step=Step.DECISION, subcase_id=rated.subcases.get().pk,
                        tags=["many_trips"], reason="跑了好几趟才办完"),
            actor=w.applicant,
        )  # fmt: skip
    licence = Licence.objects.get(source_subcase__case=completed)
    business = Organisation.objects.create(
        name="中山市甲公司", uscc=make_uscc("91442000MA4X1111"), legal_representative="陈小明"
    )
    OrganisationMember.objects.create(
        organisation=business, user=w.applicant, role=MemberRole.LEGAL_REPRESENTATIVE
    )
    agent = _user("agent", real_name="李华", id_number=make_resident_id(seq=142),
                  phone="13800000002", assurance_level=2)  # fmt: skip
    OrganisationMember.objects.create(organisation=business, user=agent, role=MemberRole.AGENT)
    catalog_admin = _staff("catalogue-keeper", Role.CATALOG_ADMIN, department_a)
    CatalogImport.objects.create(
        file=SimpleUploadedFile("c.json", b"{}"), file_format="json",
        status=ImportStatus.SUCCEEDED, created_by=catalog_admin,
    )  # fmt: skip
    CatalogExport.objects.create(
        file=SimpleUploadedFile("e.json", b"{}"), file_format="json", created_by=catalog_admin
    )
    # The exchange (共享交换): a resource of department A, and department B's request for it
    # (waiting in A's inbox of requests to decide).
    from tongban.exchange import corrections as exchange_corrections
    from tongban.exchange import services as exchange
    from tongban.exchange.levels import KeyProtection
    from tongban.exchange.models import (
        DataItem,
        DataResource,
        MemberSystem,
        ResourceStatus,
        ShareClass,
    )

    resource = DataResource.objects.create(
        department=department_a, code="zs.a.registry", name="基础信息",
        status=ResourceStatus.PUBLISHED,
    )  # fmt: skip
    field = DataItem.objects.create(
        resource=resource, code="person.name", name="姓名",
        share_class=ShareClass.UNCONDITIONAL, grade=1,
    )  # fmt: skip
    MemberSystem.objects.create(  # department A's system, which may ask for B's data
        department=department_a, code="a.registration", name="审批系统", dengbao_grade=3,
        key_protection=KeyProtection.HARDWARE,
    )  # fmt: skip
    DataResource.objects.create(  # one of department B's, for department A to ask for
        department=official_b.department, code="zs.b.registry", name="登记信息",
        status=ResourceStatus.PUBLISHED, open_to_public=True,  # listed at /open-data/
    )  # fmt: skip
    member = MemberSystem.objects.create(
        department=official_b.department, code="b.registration", name="登记系统", dengbao_grade=3,
        key_protection=KeyProtection.HARDWARE,
    )  # fmt: skip
    exchange.submit_request(
        resource,
        exchange.RequestInput(member=member, fields=(field,), purpose="办理登记时核验姓名",
                              legal_basis="《政务数据共享条例》", duration_days=90),
        actor=official_b,
    )  # fmt: skip
    exchange_corrections.report(  # B reports a wrong value of A's resource: A's leader answers
        resource,
        exchange_corrections.ReportInput(item=field, record_key="K-0001", description="姓名有误"),
        actor=official_b,
    )
    # The data authority (数据主管部门, TONGBAN_EXCHANGE_DATA_AUTHORITY "zssj") and its
    # data administrator, who registers member systems and issues their keys.
    from tongban.org.models import Department as _Department

    authority = _Department.objects.create(
        code="zssj", name="数据管理局", name_en="Data administration",
        uscc=make_uscc("11442000MB2C3333"), region=department_a.region,
    )  # fmt: skip
    data_admin = _staff("data-admin", Role.DATA_ADMIN, authority, clearance=3)
    exchange.issue_member_key(member, actor=data_admin)  # a key to retire / revoke
    # The citizen's data-access log (我的数据使用记录): one read of their record, reported.
    import json as _json

    from tongban.exchange import access_log
    from tongban.exchange.models import DataRecord

    held = DataRecord.objects.create(
        resource=resource, key=w.applicant.id_number, fingerprint="f0",
        values=_json.dumps({"person.name": "陈小明"}, ensure_ascii=False),
    )  # fmt: skip
    read = access_log.record_release(
        record=held, resource=resource, items=[field], member=member,
        department=official_b.department, official=official_b.username, grant=None,
        purpose="办理登记时核验姓名", legal_basis="《政务数据共享条例》",
        case_ref=completed.number, exchange_id="ex-town-1",
    )  # fmt: skip
    assert read is not None
    access_log.report(read, "我没有在该部门办理过业务", actor=w.applicant)
    personas: dict[str, User | None] = {
        table.ANONYMOUS: None,
        table.CITIZEN: w.applicant,
        table.AGENT: agent,
        table.OFFICIAL: w.clerk_a,
        table.LEADER: w.leader_a,
        table.CATALOG_ADMIN: catalog_admin,
        table.SYSTEM_ADMIN: _staff("sysadmin", Role.SYSTEM_ADMIN),
        table.SECURITY_ADMIN: _staff("secadmin", Role.SECURITY_ADMIN),
        table.AUDIT_ADMIN: _staff(
            "auditadmin", Role.AUDIT_ADMIN, clearance=ClassificationLevel.SENSITIVE
        ),
        table.DATA_ADMIN: data_admin,
    }
    return Town(w, personas, completed, correction, licence, rating)


def client_for(user: User | None) -> Client:
    client = Client(**VISITOR)
    if user is not None:
        client.force_login(user)
    return client


# --- What carries links that no page shows ------------------------------------------------


def _location(response: Any) -> str:
    assert response.status_code in (302, 303), response.status_code
    return str(urlsplit(response["Location"]).path)


def _sms_links(phone: str) -> list[str]:
    """The site's paths linked from every SMS the fake gateway wrote for ``phone``."""
    import json

    from tongban.accounts.sms import outbox_dir

    found = []
    for path in sorted(outbox_dir().glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["phone"] == phone:
            found += [urlsplit(u).path for u in re.findall(re.escape(SITE_URL) + r"\S+",
                                                               record["text"])]  # fmt: skip
    return found


def carrier_sms_sign_in(town: Town) -> list[str]:
    form = {"mobile": town.w.applicant.phone}
    return [_location(Client(**VISITOR).post("/accounts/login/sms/", form))]


def carrier_password_forgot(town: Town) -> list[str]:
    form = {"mobile": town.personas[table.AGENT].phone}  # not just sent a sign-in code
    return [_location(Client(**VISITOR).post("/accounts/password/forgot/", form))]


def carrier_sign_in(town: Town) -> list[str]:
    # Users made before the fast hasher was set cannot sign in with a password here.
    form = {"username": town.personas[table.AGENT].username, "password": PASSWORD}
    return [_location(Client(**VISITOR).post("/accounts/login/", form))]


def _password_only(town: Town) -> tuple[Client, str]:
    """An administrator with an authenticator app, signed in with the password only."""
    import time

    from tongban.accounts import services_security, totp

    user = town.personas[table.CATALOG_ADMIN]
    assert user is not None
    secret = totp.new_secret()
    code = totp.code_at(secret, time.time())
    services_security.enrol_totp(user, secret=secret, code=code, actor=user, session_verified=True)
    client = Client(**VISITOR)
    form = {"username": town.personas[table.CATALOG_ADMIN].username, "password": PASSWORD}
    return client, _location(client.post("/accounts/login/", form))


def carrier_second_factor(town: Town) -> list[str]:
    return [_password_only(town)[1]]


def carrier_second_factor_page(town: Town) -> list[str]:
    client, where = _password_only(town)
    response = client.get(where)
    assert response.status_code == 200
    return [u.split("?")[0] for u in links_in(response.content.decode(), where)]


def carrier_apply_form(town: Town) -> list[str]:
    from tongban.cases.tests.conftest import pdf_upload

    client = client_for(town.w.applicant)
    item = town.w.item_b
    response = client.post(
        f"/apply/item/{item.implementation_code}/",
        {
            "f_applicant__name": "陈小明",
            "f_applicant__address": "广东省中山市石岐街道孙文中路1号3栋1502房",
            "material_M-B": pdf_upload("营业执照扫描件.pdf"),
            "material_M-ID": pdf_upload("id.pdf"),
            "idempotency_key": "reach-1",
            "submit": "1",
        },
    )
    return [_location(response)]


def carrier_completion_sms(town: Town) -> list[str]:
    """The completion SMS's link, and the links of the page it opens."""
    client = client_for(town.w.applicant)
    paths = _sms_links(town.w.applicant.phone)
    found = list(paths)
    for path in paths:
        response = client.get(path)
        if response.status_code == 200:
            found += [u.split("?")[0] for u in links_in(response.content.decode(), path)]
    return found


def carrier_licence_qr(town: Town) -> list[str]:
    """The payload of the QR code on the licence: the verification page's address."""
    from tongban.licences.views import verify_url

    request = RequestFactory().get("/")
    payload = verify_url(request, town.licence)
    html = client_for(town.w.applicant).get(f"/me/licences/{town.licence.number}/")
    assert html.status_code == 200
    return [urlsplit(payload).path]


CARRIERS = {
    "redirect:sms-sign-in": carrier_sms_sign_in,
    "redirect:password-forgot": carrier_password_forgot,
    "redirect:sign-in": carrier_sign_in,
    "redirect:second-factor": carrier_second_factor,
    "link:second-factor-page": carrier_second_factor_page,
    "redirect:apply-form": carrier_apply_form,
    "sms:completion": carrier_completion_sms,
    "qr:licence": carrier_licence_qr,
}


# --- The tests -----------------------------------------------------------------------------


def test_the_table_names_every_url_pattern_and_nothing_else():
    keys = route_keys()
    missing = sorted(k for k in keys if table.entry(k) is None)
    assert not missing, f"enter these in tests/reachability_pages.py: {missing}"
    stale = sorted(set(table.PAGES) - keys)
    assert not stale, f"no such URL pattern any more: {stale}"
    assert set(table.ALSO_CARRIED) <= keys
    for found in table.PAGES.values():
        if isinstance(found, table.Carried):
            assert found.carrier in CARRIERS, found
        elif isinstance(found, table.Page):
            assert found.who and found.who <= table.EVERYONE


def test_every_persona_reaches_every_page_it_may_use_from_the_front_door(town):
    keys = route_keys()
    problems = []
    for persona, user in town.personas.items():
        reach = crawl(client_for(user), keys)
        for key in sorted(keys):
            found = table.entry(key)
            wanted = isinstance(found, table.Page) and persona in found.who
            if wanted and key not in reach.reached:
                problems.append(f"{persona} cannot reach {key}")
        for key, what in sorted(reach.broken.items()):
            if (persona, key) not in table.KNOWN_DEAD_ENDS:
                problems.append(f"{persona} follows a link to a refusal: {what}")
        for (who, key), why in table.KNOWN_DEAD_ENDS.items():
            if who == persona and key not in reach.broken:
                problems.append(f"{who} {key} works now ({why}): remove it from KNOWN_DEAD_ENDS")
    assert not problems, "\n".join(problems)


def test_pages_without_a_link_are_carried_by_what_the_table_names(town):
    keys = route_keys()
    wanted = [(k, e.carrier) for k, e in table.PAGES.items() if isinstance(e, table.Carried)]
    wanted += list(table.ALSO_CARRIED.items())
    problems = []
    for key, carrier in wanted:
        paths = CARRIERS[carrier](town)
        if key not in {key_of(p, keys) for p in paths}:
            problems.append(f"{carrier} carries no link to {key}: {paths}")
    assert not problems, "\n".join(problems)
