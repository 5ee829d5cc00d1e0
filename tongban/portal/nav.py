"""The portal's own ways in (``tongban.core.nav``): the catalogue's pages, the site's
statements, and the officials' workbench."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.accounts.nav import is_official
from tongban.core import nav


def register() -> None:
    nav.register(
        "portal.home",
        label=_("Home"),
        url_name="portal:home",
        placements=nav.HEADER,
        order=0,
    )
    nav.register(
        "portal.catalogue",
        label=_("Services"),
        url_name="portal:catalogue",
        placements=(nav.HEADER, nav.FOOTER),
        order=5,
        section="/services/",
    )
    nav.register(
        "portal.departments",
        label=_("Departments"),
        url_name="portal:departments",
        placements=nav.HEADER,
        order=6,
        section="/departments/",
    )
    nav.register(
        "portal.towns",
        label=_("Towns"),
        url_name="portal:towns",
        placements=nav.HEADER,
        order=7,
        section="/towns/",
    )
    nav.register(
        "portal.about",
        label=_("About"),
        url_name="portal:about",
        placements=nav.FOOTER,
        order=80,
    )
    nav.register(
        "portal.accessibility",
        label=_("Accessibility statement"),
        url_name="portal:accessibility",
        placements=nav.FOOTER,
        order=81,
    )
    nav.register(
        "portal.workbench",
        label=_("Workbench"),
        description=_(
            "Your work items, deadlines and rating tickets, and the pages your roles open."
        ),
        url_name="portal:workbench",
        placements=(nav.PERSONAL_BAR, nav.PERSONAL),
        visible=is_official,
        order=5,
    )


register()
