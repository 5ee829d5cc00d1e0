"""The calendar pages and the admin: who may see and change what, and what they show."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tongban.core.models import AuditRecord
from tongban.workdays import calc
from tongban.workdays.models import CalendarYear, DayKind, SpecialDay, YearStatus

pytestmark = pytest.mark.django_db
YEAR_2025 = "/manage/calendar/2025/"


@pytest.fixture
def viewer(official_a):
    official_a.user_permissions.add(Permission.objects.get(codename="view_calendaryear"))
    return official_a


@pytest.fixture
def editor(official_b):
    official_b.user_permissions.add(Permission.objects.get(codename="change_calendaryear"))
    return official_b


def signed_in(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/manage/calendar/", YEAR_2025):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(YEAR_2025, {"action": "confirm"}).status_code == 302


def test_a_citizen_is_refused(seeded, citizen):
    client = signed_in(citizen)
    assert client.get(YEAR_2025).status_code == 403
    assert client.get("/manage/calendar/").status_code == 403


def test_the_year_page_in_chinese(seeded, editor):
    response = signed_in(editor).get(YEAR_2025)
    assert response.status_code == 200
    page = response.content.decode()
    assert "春节" in page and "国庆节" in page and "二月" in page and "正式" in page
    assert page.count('class="tb-cal__month"') == 12
    assert page.count("tb-cal__day--holiday") == 28 + 1  # 28 days and the legend
    assert page.count("tb-cal__day--makeup") == 5 + 1
    assert ">248<" in page  # working days in 2025
    assert 'name="action" value="add"' in page


def test_the_year_page_in_english(seeded, editor):
    page = signed_in(editor, "en").get(YEAR_2025).content.decode()
    assert "Spring Festival" in page and "February" in page and "Official schedule" in page
    # The periods as the State Council notice lists them, to check against it.
    page = signed_in(editor, "en").get("/manage/calendar/2026/").content.decode()
    assert '2026-02-15 – 02-23</span> <span class="tb-muted">(9 days)' in page
    row = '<th scope="row">{}</th>'.format
    assert page.index(row("Mid-Autumn Festival")) < page.index(row("National Day"))
    assert "/static/workdays/calendar.css" in page


def test_an_unknown_year_says_it_is_provisional(seeded, editor):
    page = signed_in(editor, "en").get("/manage/calendar/2027/").content.decode()
    assert "No schedule has been entered for 2027" in page
    assert "261 <span" in page and "(provisional)" in page  # Monday to Friday
    assert "Confirm the official schedule" not in page  # nothing to confirm yet


def test_a_viewer_sees_but_cannot_change(seeded, viewer):
    client = signed_in(viewer)
    page = client.get(YEAR_2025).content.decode()
    assert "春节" in page and 'value="add"' not in page and 'value="remove"' not in page
    response = client.post(YEAR_2025, {"action": "remove", "date": "2025-01-28"})
    assert response.status_code == 403
    assert SpecialDay.objects.filter(date=date(2025, 1, 28)).exists()


def test_years_out_of_range_are_not_found(editor):
    assert signed_in(editor).get("/manage/calendar/1999/").status_code == 404


def test_the_list_of_years(seeded, editor):
    page = signed_in(editor, "en").get("/manage/calendar/").content.decode()
    assert "/manage/calendar/2026/" in page and "/manage/calendar/2004/" in page
    assert "chinese-calendar package" in page


def test_entering_a_year_through_the_page(seeded, editor):
    client = signed_in(editor, "en")
    url = "/manage/calendar/2027/"
    response = client.post(url, {"action": "add", "date": "2027-01-01", "kind": "holiday",
                                 "name": "元旦", "name_en": "New Year's Day"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == url
    assert SpecialDay.objects.get(date=date(2027, 1, 1)).name == "元旦"
    page = client.get(url).content.decode()
    assert "added" in page and "being entered" in page
    assert "Confirm the official schedule of 2027" in page
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert (year.status, year.confirmed_by) == (YearStatus.OFFICIAL, editor)
    assert not calc.is_workday(date(2027, 1, 1))
    response = client.post(url, {"action": "remove", "date": "2027-01-01"})
    assert response.status_code == 302
    assert not SpecialDay.objects.filter(date=date(2027, 1, 1)).exists()
    assert CalendarYear.objects.get(year=2027).status == YearStatus.DRAFT
    # Opened, added, confirmed, re-opened, removed.
    assert list(
        AuditRecord.objects.filter(action__startswith="workdays.", actor_id=editor.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "workdays.year_opened",
        "workdays.day_added",
        "workdays.year_confirmed",
        "workdays.year_reopened",
        "workdays.day_removed",
    ]


def test_bad_input_is_shown_beside_the_field(seeded, editor):
    data = {"action": "add", "date": "2025-03-04", "kind": "makeup_workday", "name": "测试日"}
    response = signed_in(editor, "en").post(YEAR_2025, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Saturday or a Sunday" in page
    assert not SpecialDay.objects.filter(date=date(2025, 3, 4)).exists()
    response = signed_in(editor, "en").post(YEAR_2025, {"action": "add", "date": "not a date"})
    assert response.status_code == 200 and "Enter a real date." in response.content.decode()


def test_a_failed_confirmation_is_reported(db, editor):
    client = signed_in(editor, "en")
    response = client.post("/manage/calendar/2027/", {"action": "confirm"}, follow=True)
    assert "Enter the holidays of 2027 before confirming." in response.content.decode()
    assert not CalendarYear.objects.filter(status=YearStatus.OFFICIAL).exists()


def test_an_admin_edit_invalidates_the_cache(seeded, admin_user):
    assert calc.is_workday(date(2026, 12, 31))  # the snapshot is cached
    client = signed_in(admin_user)
    response = client.post("/admin/workdays/specialday/add/", {
        "date": "2026-12-31", "kind": "holiday", "name": "测试日", "name_en": ""})  # fmt: skip
    assert response.status_code == 302
    assert not calc.is_workday(date(2026, 12, 31))
    assert CalendarYear.objects.get(year=2026).status == YearStatus.DRAFT
    assert AuditRecord.objects.filter(action="workdays.specialday.admin_create").exists()

    day = SpecialDay.objects.get(date=date(2026, 12, 31))
    response = client.post(f"/admin/workdays/specialday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert calc.is_workday(date(2026, 12, 31))


def test_the_admin_refuses_a_make_up_day_on_a_weekday(seeded, admin_user):
    response = signed_in(admin_user, "en").post("/admin/workdays/specialday/add/", {
        "date": "2026-12-30", "kind": "makeup_workday", "name": "测试日"})  # fmt: skip
    assert response.status_code == 200
    assert "Saturday or a Sunday" in response.content.decode()
    assert not SpecialDay.objects.filter(date=date(2026, 12, 30)).exists()


def test_the_admin_confirm_action(seeded, admin_user):
    SpecialDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    year = CalendarYear.objects.create(year=2027, status=YearStatus.DRAFT)
    response = signed_in(admin_user).post("/admin/workdays/calendaryear/", {
        "action": "confirm_years", "_selected_action": [year.pk]})  # fmt: skip
    assert response.status_code == 302
    year.refresh_from_db()
    assert (year.status, year.confirmed_by) == (YearStatus.OFFICIAL, admin_user)
