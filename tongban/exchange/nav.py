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
    if not queries.exchange_departments(user).exists():  # answers for some department
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


# --- data correction (数据纠错) and data quality --------------------------------------------

from . import corrections as _corrections  # noqa: E402 (appended section)
from . import quality as _quality  # noqa: E402
from .models import CorrectionStatus  # noqa: E402


def corrections_panel(user: Any) -> nav.Panel | None:
    """Data corrections waiting for the answer of the user's departments, late ones first."""
    if not queries.is_exchange_official(user):
        return None
    waiting = _corrections.to_answer(user).filter(status=CorrectionStatus.OPEN)
    if not queries.exchange_departments(user, queries.DECIDING_ROLES).exists():
        return None
    today = timezone.localdate()
    counts = waiting.aggregate(
        open=CountOf("pk"), overdue=CountOf("pk", filter=Q(due_on__lt=today))
    )
    url = reverse("exchange:corrections")
    items = [
        nav.PanelItem(
            label=f"{row.resource.display_name} · {row.item.display_name}",
            url=reverse("exchange:correction", args=[row.pk]),
            note=row.department.display_name,
            due_on=row.due_on,
            tone="danger" if row.due_on < today else "",
        )
        for row in waiting.order_by("due_on", "pk")[:PANEL_ROWS]
    ]
    return nav.Panel(
        title=_("Data corrections"),
        url=url,
        link_label=_("Open the data corrections"),
        counts=[
            nav.Count(_("Corrections to answer"), counts["open"], url),
            nav.Count(
                _("Overdue"),
                counts["overdue"],
                f"{url}?view=overdue",
                tone="danger" if counts["overdue"] else "",
            ),
        ],
        items=items,
        empty=gettext(
            "No report of a wrong value in your department's data is waiting. Reports from "
            "other departments appear here as soon as they are sent."
        ),
    )


def register_corrections() -> None:
    nav.register(
        "exchange.corrections",
        label=_("Data corrections"),
        description=_("Answer reports of wrong values in your data; follow your own reports."),
        url_name="exchange:corrections",
        placements=nav.WORKBENCH,
        visible=queries.is_exchange_official,
        order=42,
        section="/office/exchange/corrections/",
    )
    nav.register(
        "exchange.quality",
        label=_("Data quality"),
        description=_("Records held, syncs and how corrections are answered, per resource."),
        url_name="exchange:quality",
        placements=nav.WORKBENCH,
        visible=_quality.sees_quality,
        order=43,
        section="/office/exchange/quality/",
    )
    nav.register_panel("exchange.corrections", corrections_panel, order=41)


register_corrections()


# --- the data authority: member systems and disputes (views_members) -----------------------

from . import members as _members  # noqa: E402 (appended section)


def authority_panel(user: Any) -> nav.Panel | None:
    """For the data authority: disputes waiting for its decision (oldest first), and the
    member systems that are suspended or hold no valid key."""
    if not queries.is_data_authority(user):
        return None
    members_url = reverse("exchange:members")
    disputes_url = f"{reverse('exchange:requests')}?view=disputes"
    waiting = queries.disputes(user)
    statuses = _members.status_counts()
    keyless = _members.without_valid_key().count()
    return nav.Panel(
        title=_("Data authority"),
        url=members_url,
        link_label=_("Open the member systems"),
        counts=[
            nav.Count(
                _("Disputes to decide"),
                waiting.count(),
                disputes_url,
                tone="warning" if waiting.exists() else "",
            ),
            nav.Count(
                _("Active member systems"), statuses["active"], f"{members_url}?status=active"
            ),
            nav.Count(
                _("Suspended"),
                statuses["suspended"],
                f"{members_url}?status=suspended",
                tone="warning" if statuses["suspended"] else "",
            ),
            nav.Count(
                _("Active without a valid key"),
                keyless,
                members_url,
                tone="warning" if keyless else "",
            ),
        ],
        items=[
            nav.PanelItem(
                label=f"{row.resource.display_name} · {row.department.display_name}",
                url=reverse("exchange:request", args=[row.pk]),
                note=row.get_status_display(),
            )
            for row in waiting.order_by("submitted_at", "pk")[:PANEL_ROWS]
        ],
        empty=gettext(
            "No dispute is waiting. When a department contests a refusal or a late answer, "
            "it appears here for your decision."
        ),
    )


def register_authority() -> None:
    nav.register(
        "exchange.members",
        label=_("Member systems"),
        description=_("Register departments' systems with the exchange, issue and revoke keys."),
        url_name="exchange:members",
        placements=nav.WORKBENCH,
        visible=queries.is_data_authority,
        order=44,
        section="/office/exchange/members/",
    )
    nav.register_panel("exchange.authority", authority_panel, order=39)


register_authority()


# --- the public open-data catalogue (公共数据开放, views_open; helper "exp") ---------------


def register_open_data() -> None:
    nav.register(
        "exchange.open_data",
        label=_("Open data"),
        url_name="open_data:list",
        placements=nav.FOOTER,
        order=70,
        section="/open-data/",
    )


register_open_data()


# --- the person's data-access log (我的数据使用记录; views_access, helper "dal") -----------

from . import access_log as _access_log  # noqa: E402 (appended section)


def access_reports_panel(user: Any) -> nav.Panel | None:
    """For the data authority: people's reports of reads of their data, late ones first."""
    if not queries.is_data_authority(user):
        return None
    today = timezone.localdate()
    counts = _access_log.open_counts(user, today=today)
    url = reverse("exchange:access_reports")
    waiting = _access_log.every_report(user).filter(status="open").order_by("due_on", "pk")
    return nav.Panel(
        title=_("Reports of data accesses"),
        url=url,
        link_label=_("Open the reports of data accesses"),
        counts=[
            nav.Count(_("Reports to answer"), counts.open, url),
            nav.Count(
                _("Overdue"),
                counts.overdue,
                f"{url}?view=overdue",
                tone="danger" if counts.overdue else "",
            ),
        ],
        items=[
            nav.PanelItem(
                label=f"#{row.pk} · {row.access.department.display_name}",
                url=reverse("exchange:access_report", args=[row.pk]),
                note=row.access.resource.display_name,
                due_on=row.due_on,
                tone="danger" if row.due_on < today else "",
            )
            for row in waiting[:PANEL_ROWS]
        ],
        empty=gettext(
            "No report is waiting. When a person questions a read of their data, it appears "
            "here for your answer."
        ),
    )


def register_access_log() -> None:
    nav.register(
        "exchange.data_access",
        label=_("My data-access log"),
        description=_("Which departments read your data through the exchange, when and why."),
        url_name="exchange_me:log",
        placements=nav.PERSONAL,
        visible=nav.signed_in,
        order=30,
        section="/me/data-access/",
    )
    nav.register(
        "exchange.access_reports",
        label=_("Reports of data accesses"),
        description=_("Answer people who question a read of their data."),
        url_name="exchange:access_reports",
        placements=nav.WORKBENCH,
        visible=queries.is_data_authority,
        order=45,
        section="/office/exchange/access-reports/",
    )
    nav.register_panel("exchange.access_reports", access_reports_panel, order=42)


register_access_log()
