"""Internal items on the portal and the API, the page cache, and the assurance block.

An INTERNAL item (services for officials only) is absent from every public list, search,
guide (404) and API answer for anonymous visitors and citizens, and visible to an official
whose clearance reaches it; pages an official sees never enter the anonymous page cache.
The guide says who may apply online, in both languages.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tongban.catalog.changes import GENERATION
from tongban.catalog.models import RequiredAssurance
from tongban.catalog.search import reindex_all
from tongban.core import generations
from tongban.core.models import ClassificationLevel
from tongban.portal.tests.factories import make_bundle, make_item

SECRET_NAME = "营业执照内部协查"


@pytest.fixture
def internal(catalogue, department_a):
    item = make_item(
        department_a,
        name=SECRET_NAME,
        name_en="Internal licence cross-check",
        classification=ClassificationLevel.INTERNAL,
        popularity=999,  # would top the popular list if it leaked
    )
    item.regions.add(catalogue["licence"].regions.first())
    item.themes.add(catalogue["themes"][1])
    make_bundle("mixed", department_a, [catalogue["licence"], item], name_en="Mixed bundle")
    reindex_all()
    return item


@pytest.fixture
def cleared(official_a):
    official_a.clearance = ClassificationLevel.INTERNAL
    official_a.save(update_fields=["clearance"])
    return official_a


def _pages(item, town_code: str) -> dict[str, str]:
    return {
        "home": "/",
        "catalogue": "/services/",
        "catalogue search": "/services/?q=营业执照",
        "search": "/search/?q=营业执照",
        "search by name": "/search/?q=内部协查",
        "department": "/departments/scjg/",
        "town": f"/towns/{town_code}/",
        "bundle": "/bundles/mixed/",
        "api list": "/api/items?page_size=100",
        "api search": "/api/search?q=营业执照",
        "api bundle": "/api/bundles/mixed",
    }


def _text(response) -> str:
    """The body as text; JSON is re-serialised so that Chinese is not \\u-escaped."""
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def _client_for(persona, request) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "official_b"])
def test_the_public_never_sees_an_internal_item(persona, internal, request, city):
    client = _client_for(persona, request)
    for name, url in _pages(internal, city["town"].code).items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = _text(response)
        assert SECRET_NAME not in body and internal.implementation_code not in body, name
    assert client.get(f"/services/{internal.implementation_code}/").status_code == 404
    api = client.get(f"/api/items/{internal.implementation_code}")
    assert api.status_code == 404
    counts = {d["code"]: d["item_count"] for d in client.get("/api/departments").json()["items"]}
    assert counts["scjg"] == 1  # the licence only (the draft is not published either)


def test_an_official_with_clearance_sees_it_everywhere(internal, cleared, city):
    client = Client()
    client.force_login(cleared)
    for name in ("catalogue", "catalogue search", "search", "search by name", "department",
                 "town", "bundle", "api list", "api search", "api bundle"):  # fmt: skip
        url = _pages(internal, city["town"].code)[name]
        # Search pages highlight the words of the name: look for the item's code (its link).
        assert internal.implementation_code in _text(client.get(url)), name
    assert client.get(f"/services/{internal.implementation_code}/").status_code == 200
    detail = client.get(f"/api/items/{internal.implementation_code}").json()
    assert detail["classification"]["code"] == 2


def test_pages_an_official_sees_never_reach_the_anonymous_cache(internal, cleared):
    official = Client()
    official.force_login(cleared)
    anonymous = Client()
    guide = f"/services/{internal.implementation_code}/"
    code = internal.implementation_code
    for url in ("/services/", "/search/?q=营业执照"):
        assert code in official.get(url).content.decode()
        assert code not in anonymous.get(url).content.decode()
    assert official.get(guide).status_code == 200
    assert anonymous.get(guide).status_code == 404
    # The anonymous list is cached now; the official is still not served from it.
    assert code not in anonymous.get("/services/").content.decode()
    assert code in official.get("/services/").content.decode()
    assert anonymous.get(guide).status_code == 404


@pytest.mark.parametrize(
    ("language", "in_person", "verified"),
    [
        ("en", "verified in person at a service counter", "whose identity is verified"),
        ("zh-hans", "现场核验身份", "已完成实名认证"),
    ],
)
def test_the_guide_says_who_can_apply_online(catalogue, language, in_person, verified):
    client = Client()
    client.cookies["django_language"] = language
    licence = catalogue["licence"]
    url = f"/services/{licence.implementation_code}/"
    page = client.get(url).content.decode()
    assert 'id="who-online"' in page and verified in page and in_person not in page
    type(licence).objects.filter(pk=licence.pk).update(
        required_assurance=RequiredAssurance.IN_PERSON
    )
    generations.bump(GENERATION)  # what a catalogue write does after commit
    page = client.get(url).content.decode()
    assert in_person in page


def test_a_signed_in_reader_is_told_whether_their_account_qualifies(catalogue, citizen):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(citizen)
    licence = catalogue["licence"]
    url = f"/services/{licence.implementation_code}/"
    citizen.assurance_level = RequiredAssurance.SELF_DECLARED
    citizen.save(update_fields=["assurance_level"])
    assert "only self-declared" in client.get(url).content.decode()
    citizen.assurance_level = RequiredAssurance.VERIFIED
    citizen.save(update_fields=["assurance_level"])
    assert "Your account meets this requirement." in client.get(url).content.decode()
    bundle = client.get(f"/bundles/{catalogue['bundle'].code}/").content.decode()
    assert 'id="who-online"' in bundle
