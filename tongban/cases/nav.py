"""Ways into the applications' pages (``tongban.core.nav``), and the inbox's workbench panel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count as CountOf
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.nav import handles_matters
from tongban.cases import clocks, queries
from tongban.core import nav
from tongban.workdays import calc

#: "About to expire": due within this many working days from today.
SOON_WORKING_DAYS = 3
#: At most this many work items are listed on the panel (the inbox lists them all).
PANEL_ROWS = 8


def inbox_panel(user: Any) -> nav.Panel | None:
    """Open work items of the user's departments and roles: how many, how many are due
    within three working days or overdue, and the most urgent of them."""
    if not handles_matters(user):
        return None
    today = timezone.localdate()
    soon = calc.Clock(timezone.now(), SOON_WORKING_DAYS).due().date
    # Due as the promise says (``clocks.promise``): a 即办件 is due the day it is accepted.
    base = queries.inbox(user).annotate(due=clocks.step_due_expression())
    counts = base.aggregate(
        open=CountOf("pk", distinct=True),
        soon=CountOf("pk", filter=Q(due__gte=today, due__lte=soon), distinct=True),
        overdue=CountOf("pk", filter=Q(due__lt=today), distinct=True),
    )
    inbox_url = reverse("cases:inbox")
    urgent = base.filter(due__lte=soon).order_by("due", "opened_at")[:PANEL_ROWS]
    items = []
    for work in urgent:
        late = work.due is not None and work.due < today
        step = work.subcase.item.display_name if work.subcase_id and work.subcase.item else ""
        items.append(
            nav.PanelItem(
                label=f"{work.case.number} · {step}" if step else work.case.number,
                url=reverse("cases:work_item", args=[work.pk]),
                note=work.get_kind_display(),
                due_on=work.due,
                tone="danger" if late else "warning",
            )
        )
    return nav.Panel(
        title=_("Work to do"),
        url=inbox_url,
        link_label=_("Open my inbox"),
        counts=[
            nav.Count(_("Open work items"), counts["open"], inbox_url),
            nav.Count(
                _("Due within 3 working days"),
                counts["soon"],
                f"{inbox_url}?view=due_soon",
                tone="warning" if counts["soon"] else "",
            ),
            nav.Count(
                _("Overdue"),
                counts["overdue"],
                f"{inbox_url}?view=overdue",
                tone="danger" if counts["overdue"] else "",
            ),
        ],
        items=items,
        empty=gettext("No work item is due within 3 working days, and none is overdue."),
    )


def register() -> None:
    nav.register(
        "cases.status",
        label=_("Track an application"),
        description=_("See where an application stands with its case number."),
        url_name="cases:status",
        placements=(nav.HEADER, nav.FOOTER, nav.HOME_TOOLS),
        order=20,
    )
    nav.register(
        "cases.my_cases",
        label=_("My applications"),
        url_name="cases:my_cases",
        placements=nav.PERSONAL_BAR,
        visible=nav.signed_in,
        order=20,
        section="/me/cases/",
    )
    nav.register(
        "cases.inbox",
        label=_("Inbox"),
        description=_("Work items of your department waiting for you: accept, review, decide."),
        url_name="cases:inbox",
        placements=(nav.WORKBENCH, nav.PERSONAL),
        visible=handles_matters,
        order=10,
    )
    nav.register_panel("cases.inbox", inbox_panel, order=10)


register()
