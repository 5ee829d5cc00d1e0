"""The person's data-access log (我的数据使用记录), like Estonia's data tracker (issue 14).

Every release of a person's or a business's record through the gateway is written down as
one ``DataAccess`` (``record_release``, called by the gateway in the transaction of the
allowed read): which member system and department read it, the official, which data items,
the purpose, the legal basis, the case and the exchange id. The row holds the keyed digest
of the record key (the ID number or the credit code), never the key itself.

A citizen sees the reads of their own record (the digest of their ID number, computed as
``DataRecord.key_digest`` is), and whoever acts for a business (its legal representative
or an agent) sees the reads of the business's record (its unified social credit code).
A read under a basis marked confidential (investigations, discipline inspection) carries
the basis's disclosure date as ``withheld_until``; until that day it is left out of the
person's log, and each time it is left out an audit record ``exchange.access.withheld``
says which access was withheld and until when (one record per withheld row per page view;
no personal values). The person is told only, in a general sentence on the page, that
reads under a confidential basis appear from their disclosure date.

A person who thinks a read wrong reports it (``report``): the report reaches the data
authority (数据主管部门), who answers within ``TONGBAN_EXCHANGE_ACCESS_REPORT_DAYS`` working
days (``clocks.access_report_clock``) through the ``ACCESS_REPORT`` transitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban import notify
from tongban.accounts.models import OrganisationMember
from tongban.accounts.queries import role_holders
from tongban.core.audit import record_audit
from tongban.core.errors import ErrorCollector
from tongban.core.transitions import move
from tongban.org.models import Department

from . import clocks, queries, sync
from .models import (
    AccessReport,
    AccessReportStatus,
    DataAccess,
    DataItem,
    DataRecord,
    DataResource,
    Grant,
    MemberSystem,
)
from .transitions import ACCESS_REPORT, AccessReportAction

REASON_MAX = 2000
ANSWER_MAX = 2000
NOTIFY_CHANNELS = ("inapp", "email")


# --- writing the log -----------------------------------------------------------------------


def _item_codes(items: Iterable[DataItem | str]) -> list[str]:
    codes = [item.code if isinstance(item, DataItem) else str(item) for item in items]
    return list(dict.fromkeys(codes))


def record_release(
    *,
    record: DataRecord | None,
    resource: DataResource,
    items: Iterable[DataItem | str],
    member: MemberSystem,
    department: Department,
    official: str,
    grant: Grant | None,
    purpose: str,
    legal_basis: str,
    case_ref: str = "",
    exchange_id: str,
    now: dt.datetime | None = None,
    key: str = "",
) -> DataAccess | None:
    """Write down one release of ``record`` (an allowed read of a found record). Call it in
    the transaction of the read: the row and the read commit or roll back together. A read
    under a grant whose basis is confidential is withheld from the person until the grant's
    ``confidential_until``. For a record read from the upstream platform (no ``DataRecord``
    here) pass ``record=None`` and the ``key`` asked for: its digest is kept. Returns
    ``None`` (nothing written) when there is neither."""
    subject = record.key_digest if record is not None else subject_digest(key)
    if not subject:
        return None
    return DataAccess.objects.create(
        subject_digest=subject,
        resource=resource,
        items=_item_codes(items),
        member=member,
        department=department,
        official=(official or "")[:150],
        grant=grant,
        purpose=(purpose or "")[:200],
        legal_basis=legal_basis or "",
        case_ref=(case_ref or "")[:64],
        exchange_id=exchange_id,
        occurred_at=now or timezone.now(),
        withheld_until=grant.confidential_until if grant is not None else None,
    )


# --- who sees what -------------------------------------------------------------------------


def subject_digest(key: str) -> str | None:
    """The digest the log keeps for the record key ``key`` (``DataRecord.key_digest``)."""
    return sync.key_digest(key) if (key or "").strip() else None


def subjects_of(user: Any) -> list[str]:
    """The digests whose reads ``user`` sees: their own ID number, and the credit code of
    every business they act for (legal representative or agent)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    found: list[str] = []
    own = subject_digest(str(getattr(user, "id_number", "") or ""))
    if own:
        found.append(own)
    codes = OrganisationMember.objects.filter(user_id=user.pk, is_active=True).values_list(
        "organisation__uscc", flat=True
    )
    for code in codes:
        value = subject_digest(code or "")
        if value and value not in found:
            found.append(value)
    return found


def _visible(today: dt.date) -> Q:
    return Q(withheld_until__isnull=True) | Q(withheld_until__lte=today)


def _all_of(user: Any) -> QuerySet[DataAccess]:
    subjects = subjects_of(user)
    if not subjects:
        return DataAccess.objects.none()
    return DataAccess.objects.filter(subject_digest__in=subjects)


def _audit_withheld(user: Any, rows: QuerySet[DataAccess]) -> None:
    """One ``exchange.access.withheld`` audit record per row left out (meta: the access and
    the disclosure date; no personal values)."""
    withheld = list(rows.values_list("pk", "withheld_until"))
    if not withheld:
        return
    with transaction.atomic():
        for pk, until in withheld:
            record_audit(
                user,
                "exchange.access.withheld",
                object_type="exchange.dataaccess",
                object_id=str(pk),
                meta={"access": pk, "until": until.isoformat() if until else ""},
                stream="exchange",
            )


def accesses_for(
    user: Any, *, today: dt.date | None = None, audit: bool = True
) -> QuerySet[DataAccess]:
    """The reads of ``user``'s data they may see, newest first. Reads under a confidential
    basis whose disclosure date is after ``today`` are left out; with ``audit`` (a page
    view) each one left out gets its ``exchange.access.withheld`` audit record."""
    today = today or timezone.localdate()
    rows = _all_of(user)
    if audit:
        _audit_withheld(user, rows.filter(withheld_until__gt=today))
    return (
        rows.filter(_visible(today))
        .select_related("resource", "department", "member")
        .order_by("-occurred_at", "-pk")
    )


def own_access(
    user: Any, pk: int, *, today: dt.date | None = None, audit: bool = True
) -> DataAccess | None:
    """The access ``pk`` if ``user`` may see it now (``None``: someone else's, withheld, or
    no such access: the three look the same; one withheld is audited as withheld)."""
    if not 0 < pk < 2**63:
        return None
    today = today or timezone.localdate()
    rows = _all_of(user).filter(pk=pk)
    found = rows.filter(_visible(today)).select_related("resource", "department", "member").first()
    if found is None and audit:
        _audit_withheld(user, rows.filter(withheld_until__gt=today))
    return found


def item_names(access: DataAccess) -> list[str]:
    """The display names of the items read (the code when the item is gone)."""
    codes = [str(c) for c in (access.items or [])]
    names = {
        i.code: i.display_name
        for i in DataItem.objects.filter(resource_id=access.resource_id, code__in=codes)
    }
    return [names.get(code, code) for code in codes]


def reports_of(user: Any) -> QuerySet[AccessReport]:
    """The reports ``user`` made, newest first."""
    if not getattr(user, "pk", None):
        return AccessReport.objects.none()
    return (
        AccessReport.objects.filter(reported_by_id=user.pk)
        .select_related("access__resource", "access__department")
        .order_by("-submitted_at", "-pk")
    )


def own_report(user: Any, pk: int) -> AccessReport | None:
    if not 0 < pk < 2**63:
        return None
    return reports_of(user).filter(pk=pk).first()


def every_report(user: Any) -> QuerySet[AccessReport]:
    """Every report, for the data authority; nothing for anyone else."""
    if not queries.is_data_authority(user):
        return AccessReport.objects.none()
    return AccessReport.objects.select_related(
        "access__resource", "access__department", "access__member", "answered_by"
    )


def report_for_authority(user: Any, pk: int) -> AccessReport | None:
    if not 0 < pk < 2**63:
        return None
    return every_report(user).filter(pk=pk).first()


# --- the use cases -------------------------------------------------------------------------


def _text(errors: ErrorCollector, value: str | None, field: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        errors.add(field, missing)
    elif len(text) > limit:
        errors.add(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _authority_people() -> Sequence[Any]:
    authority = queries.data_authority()
    if authority is None:
        return []
    return list(role_holders(queries.AUTHORITY_ROLES, authority))


@transaction.atomic
def report(
    access: DataAccess, reason: str, *, actor: Any, now: dt.datetime | None = None
) -> AccessReport:
    """``actor`` reports ``access`` (a read of their data they think wrong). The data
    authority's answer is due ``TONGBAN_EXCHANGE_ACCESS_REPORT_DAYS`` working days later,
    and its officials are told. Raises ``PermissionDenied`` unless the actor sees the access
    and ``ServiceError`` (field ``reason``)."""
    now = now or timezone.now()
    if own_access(actor, access.pk, today=timezone.localdate(now), audit=False) is None:
        raise PermissionDenied
    errors = ErrorCollector()
    missing = _("Say why you think this access was wrong.")
    text = _text(errors, reason, "reason", REASON_MAX, missing)
    errors.raise_if_any()
    created = AccessReport.objects.create(
        access=access,
        reported_by=actor,
        reason=text,
        submitted_at=now,
        due_on=clocks.access_report_clock(now).due(now).date,
    )
    record_audit(
        actor,
        "exchange.access.report",
        created,
        meta={
            "access": access.pk,
            "resource": access.resource.code,
            "due_on": created.due_on.isoformat(),
        },
        stream="exchange",
    )
    link = reverse("exchange:access_report", args=[created.pk])
    for person in _authority_people():
        notify.send(
            person,
            "exchange.access.reported",
            gettext_lazy("Data access report #%(n)s: a person questions a read of their data"),
            gettext_lazy(
                "A person questions a read of %(resource)s by %(department)s. "
                "Please look into it and answer by %(due)s."
            ),
            link=link,
            channels=NOTIFY_CHANNELS,
            context={
                "n": created.pk,
                "resource": access.resource.display_name,
                "department": access.department.display_name,
                "due": created.due_on.isoformat(),
            },
            actor=actor,
            once=f"exchange.access_report:{created.pk}:reported:{person.pk}",
        )
    return created


@transaction.atomic
def answer(
    access_report: AccessReport, text: str, *, actor: Any, now: dt.datetime | None = None
) -> AccessReport:
    """The data authority answers ``access_report``; the person is told. Raises
    ``PermissionDenied`` for anyone but the data authority and ``ServiceError`` (field
    ``answer``, or ``__all__`` when the report is already answered)."""
    if not queries.is_data_authority(actor):
        raise PermissionDenied
    now = now or timezone.now()
    errors = ErrorCollector()
    written = _text(errors, text, "answer", ANSWER_MAX, _("Write your answer to the person."))
    errors.raise_if_any()
    move(
        access_report,
        ACCESS_REPORT,
        AccessReportAction.ANSWER,
        actor=actor,
        also={"answered_at": now, "answered_by": actor, "answer": written},
        meta={"access": access_report.access_id},
        audit_action="exchange.access.answer",
    )
    notify.send(
        access_report.reported_by,
        "exchange.access.answered",
        gettext_lazy("Your report of a data access has been answered"),
        gettext_lazy("The data authority has answered your report #%(n)s of a read of your data."),
        link=reverse("exchange_me:report", args=[access_report.pk]),
        channels=NOTIFY_CHANNELS,
        context={"n": access_report.pk},
        actor=actor,
        once=f"exchange.access_report:{access_report.pk}:answered",
    )
    return access_report


@dataclass(frozen=True)
class Counts:
    open: int
    overdue: int


def open_counts(user: Any, *, today: dt.date | None = None) -> Counts:
    """The reports waiting for the data authority, and how many of them are late."""
    today = today or timezone.localdate()
    waiting = every_report(user).filter(status=AccessReportStatus.OPEN)
    return Counts(open=waiting.count(), overdue=waiting.filter(due_on__lt=today).count())
