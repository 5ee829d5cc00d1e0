"""Elder mode (长辈版) and the language switch."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_elder_toggle_sets_a_year_long_cookie_and_the_class(client, catalogue):
    response = client.post("/elder/", {"mode": "on", "next": "/departments/"})
    assert response.status_code == 302 and response["Location"] == "/departments/"
    cookie = response.cookies["tongban_elder"]
    assert cookie.value == "1" and int(cookie["max-age"]) >= 364 * 24 * 3600
    html = client.get("/departments/").content.decode()
    assert 'class="tb-elder"' in html
    assert "标准版" in html  # the switch now offers the way back
    client.post("/elder/", {"mode": "off", "next": "/"})
    assert 'class="tb-elder"' not in client.get("/").content.decode()


def test_elder_without_mode_toggles(client):
    client.post("/elder/", {"next": "/about/"})
    assert client.cookies["tongban_elder"].value == "1"
    client.post("/elder/", {"next": "/about/"})
    assert client.cookies["tongban_elder"].value == "0"


def test_elder_refuses_foreign_redirects(client):
    response = client.post("/elder/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = client.get("/elder/", {"mode": "on", "next": "//evil.example/x"})
    assert response["Location"] == "/"
    assert client.put("/elder/").status_code == 405


def test_elder_and_language_links_work_without_a_form(client, catalogue):
    """Plain links, so anonymous pages carry no CSRF token and can be cached."""
    response = client.get("/elder/", {"mode": "on", "next": "/departments/"})
    assert response["Location"] == "/departments/"
    assert 'class="tb-elder"' in client.get("/departments/").content.decode()
    response = client.get("/language/", {"lang": "en", "next": "/departments/"})
    assert response["Location"] == "/departments/"
    html = client.get("/departments/").content.decode()
    assert '<html lang="en"' in html
    assert 'href="/language/?lang=zh-hans&amp;next=/departments/"' in html
    assert "csrfmiddlewaretoken" not in html
    client.get("/language/", {"lang": "fr"})  # unknown languages are ignored
    assert '<html lang="en"' in client.get("/departments/").content.decode()


def test_language_switch_goes_to_english_and_back(client, catalogue):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/departments/"})
    assert response.status_code == 302 and response["Location"] == "/departments/"
    html = client.get("/departments/").content.decode()
    assert '<html lang="en"' in html and "Departments" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-Hans"' in client.get("/").content.decode()
