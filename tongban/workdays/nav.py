"""Ways into the working-day calendar (``tongban.core.nav``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core import nav

#: Who may read the calendar (as ``tongban.workdays.views`` checks).
READ = ("workdays.view_calendaryear", "workdays.change_calendaryear")


def register() -> None:
    nav.register(
        "workdays.calendar",
        label=_("Working-day calendar"),
        description=_(
            "Public holidays and make-up working days, by year: every deadline counts on them."
        ),
        url_name="workdays:years",
        placements=nav.WORKBENCH,
        visible=nav.has_perm(*READ),
        order=50,
    )


register()
