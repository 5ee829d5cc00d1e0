"""Ways into the exchange's pages (``tongban.core.nav``), and its workbench panel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count as CountOf
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.core import nav

from . import queries
from .models import RequestStatus

PANEL_ROWS = 5


def requests_panel(user: Any) -> nav.Panel | None:
    """Share requests waiting for the user's departments' answer, late ones first, and
    disputes for the data authority."""
    if not queries.is_exchange_official(user):
        return None
    today = timezone.localdate()
    waiting = queries.incoming(user).filter(status=RequestStatus.SUBMITTED)
    counts = waiting.aggregate(
        open=CountOf("pk"), overdue=CountOf("pk", filter=Q(due_on__lt=today))
    )
    inbox_url = reverse("exchange:requests")
    items = [
        nav.PanelItem(
            label=f"{row.resource.display_name} · {row.department.display_name}",
            url=reverse("exchange:request", args=[row.pk]),
            note=row.get_status_display(),
            due_on=row.due_on,
            tone="danger" if row.due_on < today else "",
        )
        for row in waiting.order_by("due_on", "pk")[:PANEL_ROWS]
    ]
    panel_counts = [
        nav.Count(_("Requests to answer"), counts["open"], inbox_url),
        nav.Count(
            _("Overdue"),
            counts["overdue"],
            f"{inbox_url}?view=overdue",
            tone="danger" if counts["overdue"] else "",
        ),
    ]
    if queries.is_data_authority(user):
        panel_counts.append(
            nav.Count(_("Disputes"), queries.disputes(user).count(), f"{inbox_url}?view=disputes")
        )
    return nav.Panel(
        title=_("Data sharing"),
        url=inbox_url,
        link_label=_("Open the share requests"),
        counts=panel_counts,
        items=items,
        empty=gettext(
            "No request for your department's data is waiting. Requests from other "
            "departments appear here as soon as they are submitted."
        ),
    )


def register() -> None:
    nav.register(
        "exchange.catalogue",
        label=_("Data resource catalogue"),
        description=_("Browse and search the departments' shared data, and request access."),
        url_name="exchange:catalogue",
        placements=nav.WORKBENCH,
        visible=queries.is_exchange_official,
        order=40,
        section="/office/exchange/resources/",
    )
    nav.register(
        "exchange.requests",
        label=_("Share requests"),
        description=_("Answer other departments' requests for your data; follow your own."),
        url_name="exchange:requests",
        placements=nav.WORKBENCH,
        visible=queries.is_exchange_official,
        order=41,
        section="/office/exchange/requests/",
    )
    nav.register_panel("exchange.requests", requests_panel, order=40)


register()
