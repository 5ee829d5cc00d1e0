"""Ways into the messages (``tongban.core.nav``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core import nav
from tongban.notify import queries


def register() -> None:
    nav.register(
        "notify.inbox",
        label=_("My messages"),
        url_name="notify:inbox",
        placements=nav.PERSONAL_BAR,
        visible=nav.signed_in,
        order=40,
        section="/messages/",
        badge=queries.unread_count,
        badge_label=_("unread"),
    )


register()
