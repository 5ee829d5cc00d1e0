"""axe-core once per URL pattern and language: nothing serious or critical.

The pages are those the reachability crawl (``tests/test_reachability.py``) reaches from
``/``: for every page pattern some persona reaches, the first URL found, opened by the
first persona that reached it (one browser context per persona and language), in zh-Hans
and in English. All violations are collected and reported at once.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests import reachability_pages as table
from tests.browser.conftest import serious_axe_violations
from tests.test_reachability import Town, client_for, crawl, route_keys
from tests.test_reachability import town as town  # the fixture
from tongban.cases.tests.conftest import world as world  # the fixture town needs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = (("zh-hans", "zh-Hans"), ("en", "en"))


def _pages_by_persona(town: Town) -> dict[str, list[tuple[str, str]]]:
    """(pattern, url) to check, each pattern given to the first persona reaching it."""
    keys = route_keys()
    taken: set[str] = set()
    plan: dict[str, list[tuple[str, str]]] = {}
    for persona, user in town.personas.items():
        reach = crawl(client_for(user), keys)
        for key, url in sorted(reach.reached.items()):
            found = table.entry(key)
            if key in taken or not isinstance(found, table.Page) or found.file:
                continue
            if key in ("/elder/", "/language/"):  # switches: they redirect back
                continue
            taken.add(key)
            plan.setdefault(persona, []).append((key, url))
    return plan


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_every_reachable_page_pattern_passes_axe_in_both_languages(
    browser,
    live_server,
    town,
) -> None:
    plan = _pages_by_persona(town)
    assert sum(len(v) for v in plan.values()) > 40  # the crawl found the site
    failures = []
    for persona, pages in plan.items():
        user = town.personas[persona]
        session = _session_cookie(user) if user is not None else ""
        for language, html_lang in LANGUAGES:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
            if session:
                cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session,
                                "url": live_server.url})  # fmt: skip
            context.add_cookies(cookies)
            page = context.new_page()
            page.set_default_timeout(15000)
            for key, url in pages:
                response = page.goto(live_server.url + url)
                if response is None or response.status != 200:
                    failures.append(f"{persona} {language} {url}: HTTP "
                                    f"{response.status if response else '-'}")  # fmt: skip
                    continue
                lang = page.locator("html").get_attribute("lang") or ""
                if lang.lower() != html_lang.lower():  # the admin writes zh-hans
                    failures.append(f"{persona} {language} {url}: not in {html_lang}")
                for v in serious_axe_violations(page):
                    failures.append(f"{key} ({language}, {persona}, {url}): {v}")
            context.close()
    assert not failures, "\n".join(failures)
