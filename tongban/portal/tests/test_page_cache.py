"""Anonymous catalogue pages come from the cache until the catalogue changes."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token

from tongban.portal.caching import public_page
from tongban.portal.tests.factories import make_item

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_anonymous_view_is_served_from_cache_with_one_query(
    client, department_a, django_assert_num_queries
):
    item = make_item(department_a, name="出生登记")
    url = f"/services/{item.implementation_code}/"
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the catalogue generation only
        second = client.get(url)
    assert second.content == first.content


def test_any_catalogue_change_retires_the_cached_page(client, department_a):
    item = make_item(department_a, name="出生登记")
    url = f"/services/{item.implementation_code}/"
    assert "出生登记" in client.get(url).content.decode()
    with transaction.atomic():
        item.name = "出生医学证明签发"
        item.save()
    html = client.get(url).content.decode()
    assert "出生医学证明签发" in html and "出生登记" not in html


def test_language_and_elder_mode_are_cached_apart(client, department_a):
    item = make_item(department_a, name="出生登记", name_en="Birth registration")
    url = f"/services/{item.implementation_code}/"
    assert '<html lang="zh-Hans"' in client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in english and "Birth registration" in english
    client.cookies["tongban_elder"] = "1"
    assert 'class="tb-elder"' in client.get(url).content.decode()


def test_signed_in_visitors_are_never_served_a_cached_page(client, department_a, citizen):
    item = make_item(department_a, name="出生登记")
    url = f"/services/{item.implementation_code}/"
    client.get(url)  # cached for anonymous visitors
    client.force_login(citizen)
    html = client.get(url).content.decode()
    assert "csrfmiddlewaretoken" in html  # the sign-out form of this user's header
    client.logout()
    client.cookies.clear()
    assert "csrfmiddlewaretoken" not in client.get(url).content.decode()


def test_a_page_that_used_a_csrf_token_is_not_stored(rf, department_a):
    calls = []

    @public_page()
    def view(request):
        calls.append(1)
        return HttpResponse(get_token(request))

    view(rf.get("/x"))
    view(rf.get("/x"))
    assert len(calls) == 2
