"""Ways into the licences' pages (``tongban.core.nav``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.accounts.nav import handles_matters
from tongban.core import nav


def register() -> None:
    nav.register(
        "licences.verify",
        label=_("Licence check"),
        description=_("Check that an electronic licence or certificate is genuine and valid."),
        url_name="licences:verify",
        placements=(nav.HEADER, nav.FOOTER, nav.HOME_TOOLS),
        order=30,
    )
    nav.register(
        "licences.wallet",
        label=_("My licences"),
        url_name="licences:wallet",
        placements=nav.PERSONAL_BAR,
        visible=nav.signed_in,
        order=30,
        section="/me/licences/",
    )
    nav.register(
        "licences.office",
        label=_("Licences office"),
        description=_("Licences your department issued: issue, suspend, reinstate, revoke."),
        url_name="licences:office_list",
        placements=nav.WORKBENCH,
        visible=handles_matters,
        order=20,
    )


register()
