"""The data authority (数据主管部门): the dedicated data-administrator role, and its pages for
member systems and their keys — who gets in, registering with the computed level, a key
shown once and never stored, retiring and revoking keys, suspending with a reason."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from tongban.accounts.models import Role, RoleAssignment, User, UserKind
from tongban.core import nav
from tongban.core.crypto.suites import get_suite
from tongban.core.models import AuditRecord, StatusChange
from tongban.exchange import queries, services
from tongban.exchange.levels import KeyProtection
from tongban.exchange.models import MemberKey, MemberStatus, MemberSystem
from tongban.exchange.signing import SigningKey
from tongban.org.models import Department, DepartmentKind

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def _official(username: str, department: Department, *roles: str, active: bool = True) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        kind=UserKind.OFFICIAL,
        real_name=username,
        department=department,
        clearance=3,
        is_active=active,
    )
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role, department=department)
    return user


@pytest.fixture
def data_admin(world) -> User:
    """The data authority's data administrator, holding no office role at all."""
    return _official("data-admin", world.authority, Role.DATA_ADMIN)


@pytest.fixture
def keyed(world, data_admin) -> MemberKey:
    return services.issue_member_key(world.member, actor=data_admin).key


# --- who is the data authority --------------------------------------------------------------


def test_the_data_administrator_of_the_authority_department_is_the_data_authority(
    world, data_admin, department_b, settings
):
    leader = _official("zssj-leader", world.authority, Role.DEPARTMENT_LEADER)
    clerk = _official("zssj-clerk", world.authority, Role.CLERK)
    elsewhere = _official("ga-data", department_b, Role.DATA_ADMIN)
    gone = _official("zssj-gone", world.authority, Role.DATA_ADMIN, active=False)
    assert queries.is_data_authority(data_admin)
    assert queries.is_data_authority(leader)
    assert not queries.is_data_authority(clerk)
    reviewer = _official("zssj-reviewer", world.authority, Role.REVIEWER)
    assert not queries.is_data_authority(reviewer)  # a window reviewer issues no keys
    assert not queries.is_data_authority(elsewhere)  # the role counts at the authority only
    assert not queries.is_data_authority(gone)
    assert not queries.is_data_authority(world.requester_official)
    # A data administrator is an exchange official (disputes, requests) without an office role.
    assert queries.is_exchange_official(data_admin)
    assert not queries.is_exchange_official(elsewhere)
    settings.TONGBAN_EXCHANGE_DATA_AUTHORITY = department_b.code
    assert not queries.is_data_authority(data_admin)
    assert queries.is_data_authority(elsewhere)
    settings.TONGBAN_EXCHANGE_DATA_AUTHORITY = ""
    assert not queries.is_data_authority(elsewhere)


def test_an_inactive_authority_department_has_no_data_authority(world, data_admin):
    Department.objects.filter(pk=world.authority.pk).update(is_active=False)
    assert not queries.is_data_authority(data_admin)


def test_the_data_administrator_settles_a_dispute(world, data_admin):
    request = services.submit_request(
        world.resource,
        services.RequestInput(
            member=world.member,
            fields=(world.id_number,),
            purpose="核验",
            legal_basis="《政务数据共享条例》",
            duration_days=30,
        ),
        actor=world.requester_official,
    )
    services.refuse_request(request, actor=world.provider_official, reasons="无依据")
    services.dispute_request(request, actor=world.requester_official, reason="有依据")
    assert list(queries.disputes(data_admin)) == [request]
    assert services.resolve_dispute(request, actor=data_admin, grant=True, note="予以共享")
    assert (
        _client(data_admin).get(reverse("exchange:request", args=[request.pk])).status_code == 200
    )


# --- who gets in --------------------------------------------------------------------------


def _pages(world, key: MemberKey) -> list[str]:
    code = world.member.code
    return [
        reverse("exchange:members"),
        reverse("exchange:member_register"),
        reverse("exchange:member", args=[code]),
        reverse("exchange:member_key_new", args=[code]),
        reverse("exchange:member_key_retire", args=[code, key.key_id]),
        reverse("exchange:member_key_revoke", args=[code, key.key_id]),
    ]


def test_only_the_data_authority_opens_the_member_pages(world, data_admin, keyed):
    visitor, provider, requester, admin = (
        _client(),
        _client(world.provider_official),
        _client(world.requester_official),
        _client(data_admin),
    )
    for url in _pages(world, keyed):
        response = visitor.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        assert provider.get(url).status_code == 403, url
        assert requester.post(url).status_code == 403, url
        assert admin.get(url).status_code == 200, url
    # Nothing changed by looking at the confirmation pages.
    keyed.refresh_from_db()
    assert keyed.valid_until is None and keyed.revoked_at is None


def test_an_unknown_system_key_or_action_is_not_found(world, data_admin, keyed):
    other = MemberSystem.objects.create(
        department=world.provider, code="ga.other", name="其他", dengbao_grade=2,
        key_protection=KeyProtection.SOFTWARE,
    )  # fmt: skip
    client = _client(data_admin)
    for url in (
        reverse("exchange:member", args=["no.such"]),
        reverse("exchange:member_key_new", args=["no.such"]),
        reverse("exchange:member_key_revoke", args=[other.code, keyed.key_id]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url


def test_the_workbench_shows_the_data_authority_its_entry_and_panel(world, data_admin):
    links = {link.key for link in nav.links(nav.WORKBENCH, data_admin)}
    assert "exchange.members" in links
    assert "exchange.members" not in {
        link.key for link in nav.links(nav.WORKBENCH, world.requester_official)
    }
    panels = {p.key: p for p in nav.panels(data_admin)}
    panel = panels["exchange.authority"]
    values = [c.value for c in panel.counts]
    assert values == [0, 1, 0, 1]  # no dispute; one active system, none suspended, no key
    assert "exchange.authority" not in {p.key for p in nav.panels(world.requester_official)}
    page = _client(data_admin).get(reverse("portal:workbench")).content.decode()
    assert reverse("exchange:members") in page


# --- registering --------------------------------------------------------------------------


def _register(client: Client, **changes) -> object:
    data = {
        "department": "",
        "code": "",
        "name": "",
        "name_en": "",
        "dengbao_grade": "",
        "key_protection": "",
    }
    data.update({k: str(v) for k, v in changes.items()})
    return client.post(reverse("exchange:member_register"), data)


def test_registration_names_every_missing_answer_and_writes_nothing(world, data_admin):
    before = MemberSystem.objects.count()
    response = _register(_client(data_admin))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"department", "code", "name", "dengbao_grade", "key_protection"}
    assert MemberSystem.objects.count() == before
    html = response.content.decode()
    assert "tb-error-summary" in html and 'href="#id_dengbao_grade_0"' in html


def test_registration_refuses_a_taken_code_and_a_public_institution(world, data_admin):
    school = Department.objects.create(
        code="school", name="中山市第一中学", kind=DepartmentKind.PUBLIC_SERVICE,
        region=world.authority.region,
    )  # fmt: skip
    client = _client(data_admin)
    taken = _register(client, department=world.requester_dept.pk, code=world.member.code,
                      name="重名", dengbao_grade=3, key_protection=KeyProtection.HSM)  # fmt: skip
    assert "code" in taken.context["form"].errors
    # Not offered, and refused if sent anyway.
    assert school.pk not in [d.pk for d in taken.context["form"].fields["department"].queryset]
    sent = _register(client, department=school.pk, code="school.x", name="学籍系统",
                     dengbao_grade=2, key_protection=KeyProtection.SOFTWARE)  # fmt: skip
    assert "department" in sent.context["form"].errors
    reserved = _register(client, department=world.requester_dept.pk, code="register", name="x",
                         dengbao_grade=2, key_protection=KeyProtection.SOFTWARE)  # fmt: skip
    assert "code" in reserved.context["form"].errors
    bad = _register(client, department=world.requester_dept.pk, code="scjg/x y",
                    name="x", dengbao_grade=9, key_protection="paper")  # fmt: skip
    assert {"code", "dengbao_grade", "key_protection"} <= set(bad.context["form"].errors)
    assert not MemberSystem.objects.filter(name__in=["重名", "学籍系统", "x"]).exists()


@pytest.mark.parametrize(
    ("grade", "protection", "level"),
    [(3, KeyProtection.HARDWARE, 3), (3, KeyProtection.HSM, 4), (2, KeyProtection.HSM, 2),
     (5, KeyProtection.SOFTWARE, 2), (1, KeyProtection.HSM, 1)],
)  # fmt: skip
def test_a_registered_system_shows_its_computed_level(world, data_admin, grade, protection, level):
    client = _client(data_admin)
    response = _register(client, department=world.provider.pk, code="GA.Check", name="核查系统",
                         dengbao_grade=grade, key_protection=protection)  # fmt: skip
    member = MemberSystem.objects.get(code="ga.check")
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:member", args=["ga.check"])
    assert (member.assurance_level, member.registered_by) == (level, data_admin)
    page = client.get(response["Location"])
    assert page.context["member"].assurance_level == level
    said = [str(m) for m in page.context["messages"]]
    assert len(said) == 1 and str(level) in said[0]


# --- keys -----------------------------------------------------------------------------------


def _token(page) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page.content.decode())
    assert found, "the issue-a-key form carries a one-time token"
    return found.group(1)


def test_a_key_is_shown_once_never_stored_never_cached(world, data_admin):
    client = _client(data_admin)
    url = reverse("exchange:member_key_new", args=[world.member.code])
    form = client.get(url)
    assert "no-store" in form["Cache-Control"]
    token = _token(form)
    issued = client.post(url, {"token": token})
    assert issued.status_code == 200
    assert "no-store" in issued["Cache-Control"]
    key = MemberKey.objects.get(member=world.member)
    pem = issued.context["private_pem"]
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    html = issued.content.decode()
    assert pem.strip().splitlines()[1] in html
    assert f'download="{key.key_id}.pem"' in html
    # The private key belongs to the stored public key.
    private = SigningKey.from_pem(key.key_id, pem, key.algorithm).private_key
    assert get_suite().public_key_of(private) == bytes(key.public_key)
    # Never stored: not in the key row, not in any session, not in the audit trail.
    body = pem.strip().splitlines()[1]
    for session in Session.objects.all():
        assert body not in str(session.get_decoded())
    assert all(body[:40] not in str(meta) for meta in AuditRecord.objects.values_list("meta"))
    # Sent again (reload, back button): nothing issued, nothing shown.
    again = client.post(url, {"token": token})
    assert again.status_code == 302
    assert again["Location"] == reverse("exchange:member", args=[world.member.code])
    assert MemberKey.objects.filter(member=world.member).count() == 1
    shown = client.get(again["Location"]).content.decode()
    assert body not in shown and "BEGIN PRIVATE KEY" not in shown


def test_a_key_form_without_its_token_or_for_another_system_issues_nothing(world, data_admin):
    other = MemberSystem.objects.create(
        department=world.provider, code="ga.other", name="其他", dengbao_grade=2,
        key_protection=KeyProtection.SOFTWARE,
    )  # fmt: skip
    client = _client(data_admin)
    url = reverse("exchange:member_key_new", args=[world.member.code])
    assert client.post(url, {}).status_code == 302
    assert client.post(url, {"token": "made-up"}).status_code == 302
    token = _token(client.get(reverse("exchange:member_key_new", args=[other.code])))
    assert client.post(url, {"token": token}).status_code == 302  # not this system's token
    assert not MemberKey.objects.exists()


def test_issuing_with_rotation_retires_the_old_keys(world, data_admin, keyed):
    client = _client(data_admin)
    url = reverse("exchange:member_key_new", args=[world.member.code])
    client.post(url, {"token": _token(client.get(url)), "retire_others": "on"})
    keyed.refresh_from_db()
    assert keyed.valid_until is not None
    assert world.member.keys.filter(valid_until__isnull=True).count() == 1


def test_a_suspended_system_gets_no_new_key(world, data_admin):
    services.suspend_member(world.member, actor=data_admin, reason="等保备案过期")
    response = _client(data_admin).get(reverse("exchange:member_key_new", args=[world.member.code]))
    assert response.status_code == 302 and not MemberKey.objects.exists()


def test_retire_and_revoke_after_confirmation(world, data_admin, keyed):
    client = _client(data_admin)
    retire = reverse("exchange:member_key_retire", args=[world.member.code, keyed.key_id])
    revoke = reverse("exchange:member_key_revoke", args=[world.member.code, keyed.key_id])
    assert client.post(retire).status_code == 302
    keyed.refresh_from_db()
    assert keyed.valid_until is not None and keyed.revoked_at is None
    assert client.get(retire).status_code == 302  # already retired: nothing to confirm
    assert client.post(revoke).status_code == 302
    keyed.refresh_from_db()
    assert keyed.revoked_at is not None
    assert client.post(revoke).status_code == 302  # already revoked
    page = client.get(reverse("exchange:member", args=[world.member.code]))
    assert [state for _key, state, _label in page.context["keys"]] == ["revoked"]
    assert retire not in page.content.decode() and revoke not in page.content.decode()


# --- suspending and reactivating ----------------------------------------------------------


def test_suspend_and_reactivate_need_a_reason_kept_in_the_history(world, data_admin):
    client = _client(data_admin)
    url = reverse("exchange:member", args=[world.member.code])
    empty = client.post(url, {"action": "suspend", "suspend-reason": "  "})
    assert empty.status_code == 200 and "reason" in empty.context["forms"]["suspend"].errors
    world.member.refresh_from_db()
    assert world.member.status == MemberStatus.ACTIVE
    done = client.post(url, {"action": "suspend", "suspend-reason": "私钥疑似泄露"})
    assert done.status_code == 302
    world.member.refresh_from_db()
    assert world.member.status == MemberStatus.SUSPENDED
    assert not queries.decision_requester(world.member, authenticated=True).authenticated
    back = client.post(url, {"action": "reactivate", "reactivate-reason": ""})
    assert back.status_code == 200
    client.post(url, {"action": "reactivate", "reactivate-reason": "已更换密钥并整改"})
    world.member.refresh_from_db()
    assert world.member.status == MemberStatus.ACTIVE
    notes = list(
        StatusChange.objects.filter(object_id=str(world.member.pk)).values_list("action", "note")
    )
    assert sorted(notes) == [("reactivate", "已更换密钥并整改"), ("suspend", "私钥疑似泄露")]
    page = client.get(url).content.decode()
    assert "私钥疑似泄露" in page and "已更换密钥并整改" in page
    assert client.post(url, {"action": "delete"}).status_code == 404


def test_reactivating_is_refused_to_others_and_when_active(world, data_admin):
    from django.core.exceptions import PermissionDenied

    from tongban.core.errors import ServiceError
    from tongban.exchange import members

    with pytest.raises(PermissionDenied):
        members.reactivate_member(world.member, actor=world.provider_official, reason="x")
    with pytest.raises(ServiceError):
        members.reactivate_member(world.member, actor=data_admin, reason="已经是正常状态")
    with pytest.raises(ServiceError) as caught:
        members.reactivate_member(world.member, actor=data_admin, reason="x" * 2001)
    assert "reason" in caught.value.message_dict


def test_the_member_list_counts_keys_and_filters_by_status(world, data_admin, keyed):
    MemberSystem.objects.create(
        department=world.provider, code="ga.old", name="旧系统", dengbao_grade=2,
        key_protection=KeyProtection.SOFTWARE, status=MemberStatus.SUSPENDED,
    )  # fmt: skip
    client = _client(data_admin)
    page = client.get(reverse("exchange:members"))
    rows = {m.code: (m.valid_keys, m.all_keys) for m in page.context["page"].object_list}
    assert rows == {world.member.code: (1, 1), "ga.old": (0, 0)}
    assert (page.context["active"], page.context["suspended"], page.context["keyless"]) == (
        1,
        1,
        0,
    )
    only = client.get(reverse("exchange:members"), {"status": "suspended"})
    assert [m.code for m in only.context["page"].object_list] == ["ga.old"]
    junk = client.get(reverse("exchange:members"), {"status": "<x>", "page": "zz"})
    assert junk.status_code == 200
