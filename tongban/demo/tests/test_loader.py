"""Loading the demo city: idempotent, audited, personas usable."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from tongban.accounts.models import OrganisationMember, Role, RoleAssignment, User
from tongban.catalog.models import Bundle, ItemStatus, ServiceItem
from tongban.catalog.quality import publish_blockers
from tongban.core.models import AuditRecord
from tongban.demo.data.people import DEMO_PASSWORD
from tongban.demo.loader import demo_counts, load_demo
from tongban.demo.management.commands.demo_logins import Command as LoginsCommand
from tongban.demo.management.commands.load_demo import Command as LoadCommand
from tongban.org.models import Department, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return load_demo()


def test_loading_twice_gives_identical_counts(loaded):
    again = load_demo()
    assert again == loaded == demo_counts()
    assert loaded["items"] >= 62 and loaded["departments"] >= 20


def test_second_run_keeps_changed_passwords_and_roles(loaded):
    user = User.objects.get(username="scjg.wang")
    user.set_password("Changed-Elsewhere-1")
    user.save()
    roles_before = set(RoleAssignment.objects.values_list("user__username", "role"))
    load_demo()
    user.refresh_from_db()
    assert user.check_password("Changed-Elsewhere-1")
    assert set(RoleAssignment.objects.values_list("user__username", "role")) == roles_before
    load_demo(reset_passwords=True)
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_each_load_is_audited_with_counts(loaded):
    records = AuditRecord.objects.filter(action="demo.load")
    assert records.count() == 1
    assert records.get().meta["counts"]["items"] == loaded["items"]


def test_region_tree(loaded):
    city = Region.objects.get(code="442000")
    assert city.parent_id == "440000"
    assert city.children.count() == 23
    assert Region.objects.get(code="442000105000").name == "古镇镇"


def test_tax_bureau_is_vertical(loaded):
    assert Department.objects.get(code="sw").kind == "vertical"


def test_citizens_log_in_by_id_number_or_phone(loaded):
    chen = User.objects.get(username="chen.xiaoming")
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=chen.id_number, password=DEMO_PASSWORD) == chen
    assert authenticate(request, username=chen.phone, password=DEMO_PASSWORD) == chen
    assert authenticate(request, username=chen.phone, password="wrong") is None


def test_business_has_legal_representative_and_agent(loaded):
    roles = dict(
        OrganisationMember.objects.filter(
            organisation__name="中山市小榄五金制品有限公司"
        ).values_list("user__username", "role")
    )
    assert roles == {"huang.zhiqiang": "legal_rep", "liang.jiaxin": "agent"}


def test_officials_leaders_and_admin(loaded):
    assert RoleAssignment.objects.filter(
        user__username="scjg.wang", role=Role.REVIEWER, department__code="scjg"
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="leader.he", role=Role.CITY_LEADER, region_id="442000"
    ).exists()
    duties = {}
    for username in ("sysadmin", "secadmin", "auditor"):
        admin = User.objects.get(username=username)
        assert admin.is_staff and admin.kind == "admin" and not admin.is_superuser
        duties[username] = set(admin.role_assignments.values_list("role", flat=True))
    assert duties == {
        "sysadmin": {Role.SYSTEM_ADMIN, Role.CATALOG_ADMIN},
        "secadmin": {Role.SECURITY_ADMIN},
        "auditor": {Role.AUDIT_ADMIN},
    }
    assert not User.objects.filter(is_superuser=True).exists()


def test_demo_officials_have_the_published_authenticator_secret(loaded):
    import time

    from tongban.accounts import second_factor, totp
    from tongban.accounts.models import TotpDevice
    from tongban.demo.loader import demo_totp_secret

    device = TotpDevice.objects.get(user__username="secadmin")
    assert second_factor.decrypt_totp_secret(device) == demo_totp_secret()
    assert not TotpDevice.objects.filter(user__username="chen.xiaoming").exists()
    code = totp.code_at(demo_totp_secret(), time.time())
    assert totp.match(second_factor.decrypt_totp_secret(device), code, after_step=0)


def test_an_old_demo_superuser_is_retired(loaded):
    from tongban.demo.loader import load_personas

    User.objects.create_superuser(username="admin", password="x", kind="admin")
    load_personas({d.code: d for d in Department.objects.all()}, reset_passwords=False)
    old = User.objects.get(username="admin")
    assert not old.is_superuser and not old.is_active


def test_published_items_in_database_have_no_blockers(loaded):
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert published.count() == loaded["items"] - 2
    assert all(publish_blockers(item) == [] for item in published)


def test_named_bundles_span_three_departments(loaded):
    for name in ("开办企业一件事", "新生儿出生一件事", "开办餐饮店一件事"):
        bundle = Bundle.objects.get(name=name)
        departments = set(bundle.members.values_list("department__code", flat=True))
        assert len(departments) >= 3
        assert bundle.status == ItemStatus.PUBLISHED


def test_commands_run(capsys):
    call_command(LoadCommand())
    call_command(LoadCommand())
    assert ServiceItem.objects.count() >= 62
    call_command(LoginsCommand())
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "442000198803151356" in out and "13907601001" in out
    assert "secadmin" in out and "auditor" in out and "sysadmin" in out
    assert "KRHU 4R2C" in out  # the demo authenticator secret, grouped for typing
