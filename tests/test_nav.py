"""The navigation registry (tongban.core.nav): declaring, ordering, filtering, resolving."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tongban.core import nav

VISITOR = SimpleNamespace(is_authenticated=False, is_active=False, is_staff=False)
PERSON = SimpleNamespace(is_authenticated=True, is_active=True, is_staff=False)
STAFF = SimpleNamespace(is_authenticated=True, is_active=True, is_staff=True)
DISABLED = SimpleNamespace(is_authenticated=True, is_active=False, is_staff=True)


@pytest.fixture
def registry():
    with nav.isolated():
        yield nav


def test_entries_come_in_order_then_by_key(registry):
    registry.register("b", label="B", url_name="portal:towns", placements=nav.HEADER, order=2)
    registry.register("a", label="A", url_name="portal:home", placements=nav.HEADER, order=2)
    registry.register("c", label="C", url_name="portal:about", placements=nav.HEADER, order=1)
    assert [link.key for link in registry.links(nav.HEADER, VISITOR)] == ["c", "a", "b"]


def test_an_entry_shows_only_in_its_placements(registry):
    registry.register("x", label="X", url_name="portal:home", placements=(nav.HEADER, nav.FOOTER))
    assert [link.key for link in registry.links(nav.FOOTER, VISITOR)] == ["x"]
    assert registry.links(nav.WORKBENCH, VISITOR) == []


def test_the_predicate_decides_who_sees_an_entry(registry):
    registry.register("in", label="In", url_name="portal:home", placements=nav.HEADER,
                      visible=nav.signed_in)  # fmt: skip
    registry.register("out", label="Out", url_name="portal:about", placements=nav.HEADER,
                      visible=nav.anonymous)  # fmt: skip
    registry.register("adm", label="Adm", url_name="portal:towns", placements=nav.HEADER,
                      visible=nav.staff)  # fmt: skip
    keys = {who: [x.key for x in registry.links(nav.HEADER, user)]
            for who, user in {"visitor": VISITOR, "person": PERSON, "staff": STAFF,
                              "disabled": DISABLED}.items()}  # fmt: skip
    assert keys == {
        "visitor": ["out"],
        "person": ["in"],
        "staff": ["adm", "in"],
        "disabled": [],  # an inactive account is no one's signed-in user
    }


def test_links_resolve_urls_with_args_and_translate_labels(registry):
    registry.register(
        "t", label=_("Home"), url_name="portal:town", args=("441900",), placements=nav.FOOTER
    )
    with translation.override("zh-hans"):
        (link,) = registry.links(nav.FOOTER, VISITOR)
    assert link.url == "/towns/441900/"
    assert link.label == "首页"
    with translation.override("en"):
        assert registry.links(nav.FOOTER, VISITOR)[0].label == "Home"


def test_an_unresolvable_url_name_is_left_out(registry):
    registry.register("gone", label="Gone", url_name="nowhere:page", placements=nav.HEADER)
    assert registry.links(nav.HEADER, VISITOR) == []


def test_current_page_by_exact_url_or_section(registry):
    registry.register("home", label="H", url_name="portal:home", placements=nav.HEADER)
    registry.register("all", label="A", url_name="portal:catalogue", placements=nav.HEADER,
                      section="/services/")  # fmt: skip
    current = {x.key: x.current for x in registry.links(nav.HEADER, VISITOR, "/services/x1/")}
    assert current == {"home": False, "all": True}
    current = {x.key: x.current for x in registry.links(nav.HEADER, VISITOR, "/")}
    assert current == {"home": True, "all": False}


def test_a_badge_is_asked_only_for_visible_entries(registry):
    asked = []

    def badge(user):
        asked.append(user)
        return 3

    registry.register("m", label="M", url_name="portal:home", placements=nav.HEADER,
                      visible=nav.signed_in, badge=badge, badge_label="unread")  # fmt: skip
    assert registry.links(nav.HEADER, VISITOR) == []
    assert asked == []
    (link,) = registry.links(nav.HEADER, PERSON)
    assert (link.badge, link.badge_label) == (3, "unread")


def test_a_taken_key_with_another_url_or_an_unknown_placement_is_refused(registry):
    registry.register("k", label="K", url_name="portal:home", placements=nav.HEADER)
    registry.register("k", label="K2", url_name="portal:home", placements=nav.HEADER)  # again
    with pytest.raises(ImproperlyConfigured):
        registry.register("k", label="K", url_name="portal:about", placements=nav.HEADER)
    with pytest.raises(ImproperlyConfigured):
        registry.register("p", label="P", url_name="portal:home", placements="sidebar")
    with pytest.raises(ImproperlyConfigured):
        registry.links("sidebar", VISITOR)


def test_panels_in_order_and_none_means_not_shown(registry):
    def second(user):
        return nav.Panel(title="Second", counts=[nav.Count("n", 2)])

    def first(user):
        return nav.Panel(title="First")

    def nothing(user):
        return None

    registry.register_panel("z", second, order=20)
    registry.register_panel("a", first, order=10)
    registry.register_panel("n", nothing, order=5)
    shown = registry.panels(PERSON)
    assert [(p.key, p.title) for p in shown] == [("a", "First"), ("z", "Second")]
    with pytest.raises(ImproperlyConfigured):
        registry.register_panel("a", second)


def test_isolated_restores_the_registry():
    before = [e.key for e in nav.registered(nav.HEADER)]
    with nav.isolated():
        assert nav.registered(nav.HEADER) == []
        nav.register("tmp", label="T", url_name="portal:home", placements=nav.HEADER)
    assert [e.key for e in nav.registered(nav.HEADER)] == before


def test_every_app_registered_its_ways_in():
    """The apps' nav modules ran at start-up: the issue's destinations are all declared."""
    declared = {p: {e.url_name for e in nav.registered(p)} for p in nav.PLACEMENTS}
    for name in ("cases:status", "licences:verify", "ratings:statistics"):
        assert name in declared[nav.HEADER]
        assert name in declared[nav.FOOTER]
        assert name in declared[nav.HOME_TOOLS]
    assert {"cases:my_cases", "licences:wallet", "notify:inbox", "accounts:me"} <= declared[
        nav.PERSONAL_BAR
    ]
    assert {
        "cases:inbox",
        "licences:office_list",
        "ratings:office",
        "catalog:import",
        "catalog:export",
        "workdays:years",
        "admin:index",
    } <= declared[nav.WORKBENCH]
    assert "portal:workbench" in declared[nav.PERSONAL]
