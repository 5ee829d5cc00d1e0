"""The rating pages, the department's ticket pages, appeals, statistics and export."""

from __future__ import annotations

import json
import re

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from tongban.accounts.models import User
from tongban.cases.models import CaseStatus
from tongban.core.models import AuditRecord
from tongban.ratings import services
from tongban.ratings.models import Level, Rating, Rectification, Tag, TicketStatus
from tongban.ratings.services import RatingInput

from .conftest import completed_case

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def signed_in(user: User) -> Client:
    client = Client(**ZH)
    client.force_login(user)
    return client


def no_inline_styles(html: str) -> None:
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<script>" not in html and "<script " not in html.replace('<script src="', ""), (
        "inline script"
    )


def rate(case, level=Level.SATISFIED, **kw):
    return services.rate(case, RatingInput(level=level, **kw), actor=case.applicant)


# --- the rating form ----------------------------------------------------------------------


def test_the_form_shows_the_five_official_levels_to_the_applicant(done):
    response = signed_in(done.applicant).get(f"/rate/{done.number}/?via=sms")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [
        html.index(word) for word in ("非常满意", ">满意", "基本满意", ">不满意", "非常不满意")
    ]
    assert positions == sorted(positions)
    assert 'name="via" value="sms"' in html and "多次" in html  # a tag, in Chinese
    no_inline_styles(html)


def test_the_form_in_english(done):
    client = signed_in(done.applicant)
    client.cookies["django_language"] = "en"
    html = client.get(f"/rate/{done.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for words in ("Very satisfied", "Basically satisfied", "Very dissatisfied", "Took too long"):
        assert words in html


def test_only_the_applicant_reaches_the_form(done, other_citizen, world):
    assert Client().get(f"/rate/{done.number}/").status_code == 302
    for outsider in (other_citizen, world.leader_a):
        assert signed_in(outsider).get(f"/rate/{done.number}/").status_code == 404
        response = signed_in(outsider).post(f"/rate/{done.number}/", {"level": "5"})
        assert response.status_code == 404
    assert Rating.objects.count() == 0


def test_a_bad_rating_without_reason_shows_the_error_summary_and_saves_nothing(done):
    client = signed_in(done.applicant)
    response = client.post(f"/rate/{done.number}/", {"level": "2", "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "tb-error-summary" in html and 'href="#id_reason"' in html
    assert 'value="2" id="id_level_3" checked' in html or "checked" in html
    assert Rating.objects.count() == 0
    response = client.post(f"/rate/{done.number}/", {})
    html = response.content.decode()
    assert 'href="#id_level_0"' in html, html[html.find("tb-error-summary") :][:800]


def test_rating_then_thanks_then_follow_up(done):
    client = signed_in(done.applicant)
    response = client.post(
        f"/rate/{done.number}/",
        {"level": "1", "tags": [Tag.MANY_TRIPS, Tag.TOO_SLOW], "reason": "跑了三趟",
         "efficiency": "1", "via": "status"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"/rate/{done.number}/thanks/"
    rating = Rating.objects.get()
    assert rating.channel == "status" and rating.tags == ["many_trips", "too_slow"]
    assert rating.efficiency == 1 and rating.rectification.status == TicketStatus.OPEN
    html = client.get(response["Location"]).content.decode()
    assert "非常不满意" in html and "跑了三趟" in html
    # The form again: already rated, sent to the ratings page.
    again = client.post(f"/rate/{done.number}/", {"level": "5"})
    assert again.status_code == 302 and Rating.objects.count() == 1
    url = f"/rate/{done.number}/follow-up/{rating.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"level": "4", "reason": "已经解决"}).status_code == 302
    assert rating.__class__.objects.get().follow_up.level == 4
    assert client.post(url, {"level": "5"}).status_code == 302  # already: back to the list
    assert rating.__class__.objects.get().follow_up.level == 4


def test_an_unfinished_case_offers_nothing_to_rate_yet(world):
    case = world.submit()
    html = signed_in(case.applicant).get(f"/rate/{case.number}/").content.decode()
    assert "没有可以评价" in html or "nothing to rate" in html.lower()
    assert (
        signed_in(case.applicant).post(f"/rate/{case.number}/", {"level": "5"}).status_code == 400
    )
    assert Rating.objects.count() == 0


# --- the invitation tag -------------------------------------------------------------------


def render_tag(case, user=None, via=""):
    request = RequestFactory().get("/")
    request.user = (
        user
        if user is not None
        else __import__("django.contrib.auth.models", fromlist=["AnonymousUser"]).AnonymousUser()
    )
    template = Template(
        "{% load ratings_tags %}{% rate_link case" + (f' via="{via}"' if via else "") + " %}"
    )
    return template.render(Context({"case": case, "request": request}))


def test_rate_link_for_the_applicant_the_public_and_others(done, other_citizen, world):
    from django.utils import translation

    with translation.override("zh-hans"):
        html = render_tag(done, done.applicant)
        assert f'href="/rate/{done.number}/"' in html
        assert render_tag(done, other_citizen).strip() == ""
        assert render_tag(done).strip() == ""
        public = render_tag(done, via="status")
        assert "/accounts/login/?next=" in public and "via%3Dstatus" in public
        rate(done, Level.SATISFIED)
        rated = render_tag(done, done.applicant)
        assert "您的评价：满意" in rated and f'href="/rate/{done.number}/"' not in rated
        assert "满意" not in render_tag(done, other_citizen)
        assert "满意" not in render_tag(done, via="status")
    unfinished = world.submit()
    assert unfinished.status != CaseStatus.COMPLETED
    assert render_tag(unfinished, unfinished.applicant).strip() == ""


# --- the department -----------------------------------------------------------------------


def test_the_department_works_its_ticket_on_its_pages(
    done, world, django_capture_on_commit_callbacks
):
    ticket = rate(done, Level.DISSATISFIED, reason="指南有误").rectification
    official = signed_in(world.reviewer_a)
    listing = official.get("/office/ratings/")
    assert listing.status_code == 200 and done.number in listing.content.decode()
    no_inline_styles(listing.content.decode())
    page = official.get(f"/office/ratings/{ticket.pk}/")
    assert page.status_code == 200 and "指南有误" in page.content.decode()
    bad = official.post(f"/office/ratings/{ticket.pk}/",
                        {"action": "call_back", "version": 0, "call_back_note": ""})  # fmt: skip
    assert bad.status_code == 400 and "tb-error-summary" in bad.content.decode()
    steps = [
        {"action": "call_back", "call_back_note": "已回访"},
        {"action": "fix", "finding": "指南材料清单遗漏一项", "fix": "已修订办事指南"},
        {"action": "reply", "reply": "已修订办事指南，感谢您的监督。"},
        {"action": "close"},
    ]
    for version, data in enumerate(steps):
        response = official.post(f"/office/ratings/{ticket.pk}/", {**data, "version": version})
        assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.replied_by == world.reviewer_a
    # The rater sees the reply on their ratings page.
    html = signed_in(done.applicant).get(f"/rate/{done.number}/thanks/").content.decode()
    assert "感谢您的监督" in html


def test_other_departments_and_citizens_do_not_see_tickets(done, world, other_citizen):
    ticket = rate(done, Level.DISSATISFIED, reason="慢").rectification
    assert signed_in(world.all_b).get(f"/office/ratings/{ticket.pk}/").status_code == 404
    assert (
        signed_in(world.all_b)
        .post(f"/office/ratings/{ticket.pk}/", {"action": "call_back", "call_back_note": "x"})
        .status_code
        == 404
    )
    assert done.number not in signed_in(world.all_b).get("/office/ratings/").content.decode()
    assert signed_in(other_citizen).get("/office/ratings/").status_code == 404
    assert Client().get("/office/ratings/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.called_back_at is None


def test_appeal_from_the_department_decided_by_the_administrator(done, world, ratings_admin):
    rating = rate(done, Level.VERY_DISSATISFIED, reason="胡乱评价")
    ticket = rating.rectification
    official = signed_in(world.leader_a)
    assert (
        official.post(f"/office/ratings/{ticket.pk}/appeal/", {"reason": "短"}).status_code == 400
    )
    response = official.post(f"/office/ratings/{ticket.pk}/appeal/",
                             {"reason": "评价人误将其他部门的办件评在本部门。"})  # fmt: skip
    assert response.status_code == 302
    appeal = rating.appeal
    assert official.get("/manage/ratings/appeals/").status_code == 403
    decide = {"decision": "accept", "decision_note": "x"}
    assert official.post(f"/manage/ratings/appeals/{appeal.pk}/", decide).status_code == 403
    admin = signed_in(ratings_admin)
    assert done.number in admin.get("/manage/ratings/appeals/").content.decode()
    assert (
        admin.post(f"/manage/ratings/appeals/{appeal.pk}/", {"decision": "accept"}).status_code
        == 400
    )
    response = admin.post(f"/manage/ratings/appeals/{appeal.pk}/",
                          {"decision": "accept", "decision_note": "核实属误评"})  # fmt: skip
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.excluded
    stats = Client(**ZH).get("/ratings/").content.decode()
    assert "1 个评价经申诉复核后被排除" in stats or "排除" in stats


# --- statistics and export ----------------------------------------------------------------


def test_public_statistics_count_rates_and_rectification(done, world):
    rate(done, Level.VERY_SATISFIED)
    rate(completed_case(world), Level.BASICALLY_SATISFIED)
    bad = rate(completed_case(world), Level.DISSATISFIED, reason="慢")
    ticket = bad.rectification
    services.record_call_back(ticket, actor=world.clerk_a, note="回访")
    services.record_fix(ticket, actor=world.clerk_a, finding="f", fix="x")
    services.send_reply(ticket, actor=world.clerk_a, reply="已整改")
    response = Client(**ZH).get("/ratings/")
    assert response.status_code == 200
    html = response.content.decode()
    no_inline_styles(html)
    assert html.count("<svg") == 2 and 'role="img"' in html
    assert "66.7%" in html  # 好评率 = (非常满意 + 基本满意) / 3 ... and 满意率 33.3 %
    assert "33.3%" in html and "100.0%" in html  # 整改率: the one bad rating fixed in time
    from tongban.ratings.queries import statistics

    overall = statistics().overall
    assert (overall.total, overall.good, overall.satisfied, overall.bad) == (3, 2, 1, 1)
    assert (overall.fixed_in_time, overall.fix_rate) == (1, 100.0)
    [dept] = statistics().departments
    assert dept.by_level == [1, 0, 1, 1, 0]


def test_statistics_query_count_does_not_grow_with_ratings(
    done, world, django_assert_max_num_queries
):
    rate(done, Level.VERY_SATISFIED)
    bundle_case = completed_case(world, world.bundle)
    rate(bundle_case, Level.DISSATISFIED, reason="慢", member_id=bundle_case.subcases.last().pk)
    from tongban.ratings.queries import statistics

    with django_assert_max_num_queries(6):  # five reads and the calendar's generation
        stats = statistics()
    assert {row.name for row in stats.items} == {world.item_a.name, world.bundle.name}


def test_export_is_for_administrators_and_carries_no_personal_data(done, world, ratings_admin,
                                                                   other_citizen):  # fmt: skip
    rate(done, Level.DISSATISFIED, reason=f"电话13912345678，证件{done.applicant.id_number}")
    for outsider in (done.applicant, world.leader_a, other_citizen):
        assert signed_in(outsider).get("/manage/ratings/export.json").status_code == 403
    assert Client().get("/manage/ratings/export.json").status_code == 302
    admin = signed_in(ratings_admin)
    response = admin.get("/manage/ratings/export.json")
    assert response.status_code == 200
    body = response.content.decode()
    assert done.applicant.id_number not in body and "13912345678" not in body
    [row] = json.loads(body)["data"]
    assert row["projectNo"] == done.number and row["serviceStep"] == "case"
    assert row["serviceName"] == "办结" and row["evaluateLevel"] == 2
    assert row["evaluateLevelName"] == "不满意" and row["taskCode"] == done.item.implementation_code
    assert row["rectificationStatus"] == "open" and len(row["evaluateTime"]) == 14
    csv_body = admin.get("/manage/ratings/export.csv").content.decode("utf-8-sig")
    assert csv_body.splitlines()[0].startswith("projectNo,taskCode")
    assert done.number in csv_body
    assert AuditRecord.objects.filter(action="ratings.export").count() == 2


def test_admin_pages_of_ratings_render(done, admin_user):
    rate(done, Level.DISSATISFIED, reason="慢")
    client = signed_in(admin_user)
    for model in ("rating", "rectification", "appeal"):
        assert client.get(f"/admin/ratings/{model}/").status_code == 200
    rating = Rating.objects.get()
    assert client.get(f"/admin/ratings/rating/{rating.pk}/change/").status_code == 200
    assert client.get("/admin/ratings/rating/add/").status_code == 403
    assert Rectification.objects.count() == 1


def bad_and_answered(world, case, *, at=None, reply=True):
    """``case`` rated 不满意 at ``at`` (default now); its ticket answered now if ``reply``."""
    kw = {"now": at} if at else {}
    rating = services.rate(case, RatingInput(level=Level.DISSATISFIED, reason="慢"),
                           actor=case.applicant, **kw)  # fmt: skip
    ticket = rating.rectification
    if reply:
        services.record_call_back(ticket, actor=world.clerk_a, note="回访")
        services.record_fix(ticket, actor=world.clerk_a, finding="f", fix="x")
        services.send_reply(ticket, actor=world.clerk_a, reply="已整改")
    return Rectification.objects.get(pk=ticket.pk)


def test_rectification_is_late_only_after_its_clock_runs_out(world):
    """Fixed on time, fixed late, pending before and pending after the deadline, each
    read on the ticket's working-day clock."""
    import datetime as dt

    from django.utils import timezone

    from tongban.ratings.clocks import ticket_clock
    from tongban.ratings.queries import statistics

    long_ago = timezone.now() - dt.timedelta(days=60)  # 15 working days have passed since
    on_time = bad_and_answered(world, completed_case(world))
    late = bad_and_answered(world, completed_case(world), at=long_ago)
    pending = bad_and_answered(world, completed_case(world), reply=False)
    overdue = bad_and_answered(world, completed_case(world), at=long_ago, reply=False)
    assert on_time.fixed_in_time and not late.fixed_in_time
    assert ticket_clock(late).read(late.replied_at).state == "overdue"
    overall = statistics().overall
    assert (overall.bad, overall.fixed_in_time, overall.late, overall.in_progress) == (4, 1, 2, 1)
    assert overall.fix_rate == 33.3  # 1 fixed in time of the 3 settled; the pending one waits
    # The pending ticket turns late exactly when its clock's deadline passes.
    due_at = ticket_clock(pending).read().due_at
    assert due_at is not None
    at_deadline = statistics(now=due_at).overall
    after = statistics(now=due_at + dt.timedelta(seconds=1)).overall
    assert (at_deadline.in_progress, at_deadline.late) == (1, 2)
    assert (after.in_progress, after.late, after.fix_rate) == (0, 3, 25.0)
    assert overdue.replied_at is None


def test_pending_tickets_show_as_in_progress_not_as_zero_percent_fixed(done, world):
    from tongban.ratings.queries import statistics

    bad_and_answered(world, done, reply=False)
    overall = statistics().overall
    assert (overall.bad, overall.in_progress, overall.late, overall.fix_rate) == (1, 1, 0, None)
    zh = Client(**ZH).get("/ratings/").content.decode()
    assert "1 条整改中" in zh
    assert not re.search(
        r'__value">[\d.]+%</span><span class="rt-figure__label">实名差评整改率', zh
    )
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.cookies["django_language"] = "en"
    html = english.get("/ratings/").content.decode()
    assert html.count("In progress") == 3  # overall figure, department row, item row
    assert not re.search(r"0\.0%</span><span[^>]*>Rectification rate", html)
    assert "1 being fixed" in html


def test_the_rating_page_names_the_case_its_items_and_departments(done):
    html = signed_in(done.applicant).get(f"/rate/{done.number}/").content.decode()
    assert done.number in html and done.item.name in html
    assert done.item.department.name in html
    assert 'name="member"' not in html  # a single item: nothing to choose


def test_a_bundle_rating_page_lets_the_rater_pick_the_member(world):
    case = completed_case(world, world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    client = signed_in(case.applicant)
    html = client.get(f"/rate/{case.number}/").content.decode()
    for sub in (sub_a, sub_b):
        assert sub.item.name in html and sub.department.name in html
        assert f'name="member" value="{sub.pk}"' in html
    no_inline_styles(html)
    # Bad without a member: refused on the page, the choice kept, nothing saved.
    response = client.post(f"/rate/{case.number}/", {"level": "1", "reason": "材料反复退回"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_member_0"' in html and "材料反复退回" in html
    both = client.post(f"/rate/{case.number}/", {"level": "1"}).content.decode()
    assert 'href="#id_member_0"' in both and 'href="#id_reason"' in both  # told at once
    assert Rating.objects.count() == 0 and Rectification.objects.count() == 0
    response = client.post(
        f"/rate/{case.number}/", {"level": "1", "reason": "材料反复退回", "member": sub_b.pk}
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.member == sub_b and rating.rectification.department == sub_b.department
    thanks = client.get(response["Location"]).content.decode()
    assert sub_b.item.name in thanks
    # The department of that member sees the ticket naming it; the lead department does not.
    assert (
        signed_in(world.leader_a).get(f"/office/ratings/{rating.rectification.pk}/").status_code
        == 404
    )
    ticket = signed_in(world.all_b).get(f"/office/ratings/{rating.rectification.pk}/")
    assert ticket.status_code == 200 and sub_b.item.name in ticket.content.decode()


def test_a_good_bundle_rating_needs_no_member(world):
    case = completed_case(world, world.bundle)
    response = signed_in(case.applicant).post(f"/rate/{case.number}/", {"level": "5"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.member is None and rating.department == world.bundle.lead_department
