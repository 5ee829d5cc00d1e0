"""The officials' workbench (/office/): counts and deadlines from the apps' panels, and the
links each role opens, all through the navigation registry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tongban.accounts.models import Role, RoleAssignment
from tongban.cases.models import WorkItem, WorkStatus
from tongban.cases.tests.conftest import World, world  # noqa: F401 - the cases' fixture

pytestmark = pytest.mark.django_db

WORKBENCH = "/office/"


def _count(html: str, key: str) -> int:
    found = re.search(rf'data-count="{re.escape(key)}">(\d+)<', html)
    assert found, f"no count {key}"
    return int(found.group(1))


def _tiles(html: str) -> set[str]:
    section = html.split('id="h-workbench-links"')[1]
    return set(re.findall(r'class="tb-tile" href="([^"]+)"', section))


def test_open_work_is_counted_and_the_count_follows_new_work(client, world: World):  # noqa: F811
    client.force_login(world.leader_a)
    html = client.get(WORKBENCH).content.decode()
    assert _count(html, "cases.inbox:1") == 0
    with translation.override("zh-hans"):
        assert gettext("No work item is due within 3 working days, and none is overdue.") in html

    case = world.submit()
    html = client.get(WORKBENCH).content.decode()
    opened = WorkItem.objects.filter(case=case, status=WorkStatus.OPEN, department__isnull=False)
    mine = opened.filter(department=world.item_a.department).count()
    assert mine >= 1
    assert _count(html, "cases.inbox:1") == mine


def test_overdue_and_due_soon_work_is_listed_with_its_deadline(client, world: World):  # noqa: F811
    case = world.submit()
    work = WorkItem.objects.filter(
        case=case, status=WorkStatus.OPEN, department=world.item_a.department
    ).first()
    today = timezone.localdate()
    WorkItem.objects.filter(pk=work.pk).update(due_on=today - timedelta(days=2))
    client.force_login(world.leader_a)
    html = client.get(WORKBENCH).content.decode()
    assert _count(html, "cases.inbox:3") == 1  # overdue
    assert f'href="{reverse("cases:work_item", args=[work.pk])}"' in html
    assert case.number in html
    assert "tb-tag tb-tag--red" in html

    WorkItem.objects.filter(pk=work.pk).update(due_on=today)
    html = client.get(WORKBENCH).content.decode()
    assert _count(html, "cases.inbox:3") == 0
    assert _count(html, "cases.inbox:2") == 1  # due within three working days


def test_an_official_of_another_department_does_not_see_the_work(client, world: World):  # noqa: F811
    world.submit(world.item_a)
    client.force_login(world.all_b)
    html = client.get(WORKBENCH).content.decode()
    assert _count(html, "cases.inbox:1") == 0


def test_officials_links_follow_their_roles(client, official_a):
    client.force_login(official_a)
    html = client.get(WORKBENCH).content.decode()
    tiles = _tiles(html)
    assert {"/office/inbox/", "/office/licences/", "/office/ratings/"} <= tiles
    assert "/manage/catalog/import/" not in tiles and "/admin/" not in tiles
    assert _count(html, "ratings.tickets:1") == 0  # the rating tickets panel is there


def test_administrators_see_their_duties_not_the_inbox(client, db):
    from conftest import _user

    admin = _user("sysadmin", real_name="系统管理员")
    RoleAssignment.objects.create(user=admin, role=Role.SYSTEM_ADMIN)
    client.force_login(admin)
    html = client.get(WORKBENCH).content.decode()
    tiles = _tiles(html)
    assert {"/admin/", "/manage/calendar/", "/manage/ratings/appeals/"} <= tiles
    assert "/office/inbox/" not in tiles
    assert 'data-count="cases.inbox' not in html  # no panel for work they cannot do


def test_catalogue_administrators_get_import_and_export(client, db):
    from conftest import _user

    user = _user("catadmin", real_name="目录管理员")
    RoleAssignment.objects.create(user=user, role=Role.CATALOG_ADMIN)
    client.force_login(user)
    tiles = _tiles(client.get(WORKBENCH).content.decode())
    assert {"/manage/catalog/import/", "/manage/catalog/export/"} <= tiles


def test_citizens_and_visitors_cannot_open_the_workbench(client, citizen):
    response = client.get(WORKBENCH)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(citizen)
    assert client.get(WORKBENCH).status_code == 403


def test_workbench_queries_do_not_grow_with_the_work(client, world: World):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.leader_a)
    world.submit()
    client.get(WORKBENCH)
    with CaptureQueriesContext(connection) as one:
        client.get(WORKBENCH)
    for _ in range(3):
        world.submit()
    with CaptureQueriesContext(connection) as four:
        html = client.get(WORKBENCH).content.decode()
    assert _count(html, "cases.inbox:1") >= 4
    assert len(four) == len(one)
