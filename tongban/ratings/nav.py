"""Ways into the ratings' pages (``tongban.core.nav``), and the tickets' workbench panel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count as CountOf
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.nav import handles_matters
from tongban.core import nav
from tongban.ratings import services
from tongban.ratings.models import Rectification

PANEL_ROWS = 5


def tickets_panel(user: Any) -> nav.Panel | None:
    """Open rectification tickets (差评整改) of the user's departments, overdue first."""
    if not handles_matters(user):
        return None
    departments = services.office_departments(user)
    if not departments:
        return None
    today = timezone.localdate()
    base = Rectification.objects.filter(department__in=departments, closed_at__isnull=True)
    counts = base.aggregate(
        open=CountOf("pk"),
        overdue=CountOf("pk", filter=Q(replied_at__isnull=True, due_on__lt=today)),
    )
    office_url = reverse("ratings:office")
    rows = base.select_related("rating__case").order_by("due_on", "pk")[:PANEL_ROWS]
    items = [
        nav.PanelItem(
            label=row.rating.case.number,
            url=reverse("ratings:ticket", args=[row.pk]),
            note=row.get_status_display(),
            due_on=row.due_on,
            tone="danger" if row.due_on < today and row.replied_at is None else "",
        )
        for row in rows
    ]
    return nav.Panel(
        title=_("Rectification of bad ratings"),
        url=office_url,
        link_label=_("Open the rating tickets"),
        counts=[
            nav.Count(_("Open tickets"), counts["open"], office_url),
            nav.Count(
                _("Overdue"),
                counts["overdue"],
                f"{office_url}?view=overdue",
                tone="danger" if counts["overdue"] else "",
            ),
        ],
        items=items,
        empty=gettext("No open ticket. A ticket opens when someone rates a service as poor."),
    )


def _administers(user: Any) -> bool:
    return services.can_administer(user)


def register() -> None:
    nav.register(
        "ratings.statistics",
        label=_("Ratings"),
        description=_("How each department is rated, and how complaints were put right."),
        url_name="ratings:statistics",
        placements=(nav.HEADER, nav.FOOTER, nav.HOME_TOOLS),
        order=40,
    )
    nav.register(
        "ratings.office",
        label=_("Rating tickets"),
        description=_("Call back people who rated a service as poor, and put it right in time."),
        url_name="ratings:office",
        placements=nav.WORKBENCH,
        visible=handles_matters,
        order=30,
    )
    nav.register(
        "ratings.appeals",
        label=_("Rating appeals"),
        description=_("Decide departments' appeals against ratings."),
        url_name="ratings:appeals",
        placements=nav.WORKBENCH,
        visible=_administers,
        order=60,
    )
    nav.register_panel("ratings.tickets", tickets_panel, order=30)


register()
