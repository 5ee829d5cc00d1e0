"""axe-core on the public rating statistics (/ratings/) and on a bundle's rating form, in
zh-Hans and English, at desktop and phone width: nothing serious or critical.

The statistics carry every kind of figure: good and bad ratings, a bad rating fixed in
time, one still being fixed (shown as in progress, not as 0 %), a bundle's rating that
names its member, so the charts, both tables and the phone's stacked cards are all drawn.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.conftest import screenshot, serious_axe_violations
from tongban.ratings import services
from tongban.ratings.models import Level, Rectification
from tongban.ratings.services import RatingInput
from tongban.ratings.tests.conftest import completed_case, world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 375)


def _rated_city(w) -> str:
    """Ratings of several kinds; returns the number of a completed, unrated bundle case."""
    services.rate(completed_case(w), RatingInput(level=Level.VERY_SATISFIED), actor=w.applicant)
    fixed = services.rate(
        completed_case(w), RatingInput(level=Level.DISSATISFIED, reason="等了很久"),
        actor=w.applicant,
    ).rectification  # fmt: skip
    services.record_call_back(fixed, actor=w.clerk_a, note="已回访")
    services.record_fix(fixed, actor=w.clerk_a, finding="人手不足", fix="增加窗口")
    services.send_reply(fixed, actor=w.clerk_a, reply="已整改，感谢反馈")
    bundle_case = completed_case(w, w.bundle)
    member = bundle_case.subcases.order_by("pk").last()
    assert member is not None
    services.rate(
        bundle_case,
        RatingInput(level=Level.VERY_DISSATISFIED, reason="材料反复退回", member_id=member.pk),
        actor=w.applicant,
    )
    assert Rectification.objects.filter(replied_at__isnull=True).count() == 1
    return completed_case(w, w.bundle).number


def _context(browser, live_server, language: str, user=None):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="zh-CN")
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        session = Client()
        session.force_login(user)
        value = session.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": value,
                        "url": live_server.url})  # fmt: skip
    context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _check(page, where: str, html_lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == html_lang, where
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = serious_axe_violations(page)
        assert violations == [], f"axe-core on {where} at {width}px: {violations}"
        screenshot(page, f"ratings-a11y-{where}-{width}")


def test_ratings_statistics_and_rating_form_have_no_serious_axe_violations(
    browser,
    live_server,
    world,  # noqa: F811
) -> None:
    unrated = _rated_city(world)
    for language, html_lang in (("zh-hans", "zh-Hans"), ("en", "en")):
        context, page = _context(browser, live_server, language)
        page.goto(live_server.url + "/ratings/")
        assert page.locator("table").count() == 2 and page.locator("svg").count() == 2
        _check(page, f"statistics-{language}", html_lang)
        context.close()

        context, page = _context(browser, live_server, language, user=world.applicant)
        page.goto(f"{live_server.url}/rate/{unrated}/")
        assert page.locator("input[name=member]").count() == 2
        level = page.locator("input[name=level][value='1']")
        page.locator(f"label[for={level.get_attribute('id')}]").click()  # the whole box
        assert level.is_checked()
        page.locator("main form button[type=submit]").click()  # bad, no member: the errors
        page.wait_for_load_state()
        assert page.locator(".tb-error-summary").count() == 1
        _check(page, f"rate-{language}", html_lang)
        context.close()
