"""Ways into the catalogue's management pages (``tongban.core.nav``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core import nav

#: Who may import and export the catalogue (as ``tongban.catalog.views`` checks).
MANAGE = "catalog.add_serviceitem"


def register() -> None:
    nav.register(
        "catalog.import",
        label=_("Import the catalogue"),
        description=_("Upload a catalogue workbook, check it, and publish its changes."),
        url_name="catalog:import",
        placements=nav.WORKBENCH,
        visible=nav.has_perm(MANAGE),
        order=40,
    )
    nav.register(
        "catalog.export",
        label=_("Export the catalogue"),
        description=_("Download the catalogue as a workbook or as JSON."),
        url_name="catalog:export",
        placements=nav.WORKBENCH,
        visible=nav.has_perm(MANAGE),
        order=41,
    )


register()
