"""The search page: ranking, highlighting, empty state, hostile input."""

from __future__ import annotations

import pytest

from tongban.portal.templatetags.portal_tags import highlight, is_link

pytestmark = pytest.mark.django_db


def test_results_are_highlighted_and_counted(client, catalogue):
    html = client.get("/search/?q=出生登记").content.decode()
    assert "<mark>" in html
    assert "出生登记" in html
    assert "个服务" in html  # a result count


def test_matching_bundle_is_listed_first(client, catalogue):
    html = client.get("/search/?q=开办企业").content.decode()
    assert "/bundles/open-business/" in html
    bundle_at = html.index("/bundles/open-business/")
    assert "tb-result--bundle" in html[: bundle_at + 200]


def test_no_results_suggests_other_words_and_the_hotline(client, catalogue):
    html = client.get("/search/?q=zzzzqqqq").content.decode()
    assert "没有找到" in html
    assert 'href="tel:12345"' in html


HOSTILE = [
    "<script>alert(1)</script>",
    '"',
    "'",
    '" OR 1=1 --',
    "*",
    "NEAR(",
    "AND OR NOT",
    "%",
    "_",
    "\\",
    "登记" * 200,
    "😀",
    "a" * 5000,
    "(((",
    "{{ 7*7 }}",
    "-出生",
    "^",
    "::",
    "登记 <b>x</b>",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail_and_are_escaped(client, catalogue, query):
    for url in ("/search/", "/services/"):
        response = client.get(url, {"q": query})
        assert response.status_code == 200, (url, query)
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<b>x</b>" not in html


def test_a_nul_character_is_refused_with_a_message(client, catalogue):
    for url in ("/search/", "/services/"):
        response = client.get(url, {"q": "a\x00b"})
        assert response.status_code == 400
        assert "query.q" in response.content.decode()


def test_highlight_escapes_before_marking():
    assert str(highlight("<b>出生</b>登记", ["出生"])) == "&lt;b&gt;<mark>出生</mark>&lt;/b&gt;登记"
    assert str(highlight("a<b", ["<"])) == "a<mark>&lt;</mark>b"
    assert str(highlight("Birth Registration", ["birth"])) == "<mark>Birth</mark> Registration"
    assert str(highlight("x", [])) == "x"


@pytest.mark.parametrize(
    ("value", "linked"),
    [
        ("https://www.gdzwfw.gov.cn/x", True),
        ("/static/forms/a.docx", True),
        ("//evil.example/x", False),
        ("/\\evil.example/x", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("公司登记申请书（空白表格）", False),
    ],
)
def test_is_link_only_links_real_addresses(value, linked):
    assert is_link(value) is linked
