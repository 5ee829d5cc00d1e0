"""Stale staff accounts (等保: 及时删除或停用多余的、过期的账户).

A *staff account* is one that can do more than a citizen: its kind is official or
administrator, it may enter the admin site (``is_staff`` or superuser), or it holds any role
(the three administrative duties included). Everyone else — citizens, business agents — is
never disabled here.

A staff account is *stale* when nobody has signed in to it for ``TONGBAN_STALE_STAFF_DAYS``
days (default 90), counted from its last sign-in, or from when it was created if it never
signed in (or from when this job disabled it, if an administrator has enabled it again
since: it then has a full period to be used). ``handle_stale_accounts`` (the daily
periodic job ``accounts.stale``, and ``tongban stale_accounts``):

- disables every stale account through ``services_security.disable_account`` (which ends
  its sessions and writes ``accounts.user.disable``), writes ``accounts.user.stale_disable``
  with the days of inactivity, and raises the ``accounts.stale_disabled`` alert for the
  security administrators (a count and the usernames);
- warns the security administrators once (``accounts.stale_warning``) about each account
  that has been inactive for 14 days less than that: the warning is remembered in the audit
  chain (``accounts.user.stale_warning``), and repeated only after the account signs in and
  goes quiet again.

Each account is handled in its own transaction: one that fails does not hold up the others.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import User, UserKind
from tongban.accounts.queries import role_holder_exists
from tongban.accounts.services_security import disable_account
from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import record_audit
from tongban.core.models import AuditRecord

logger = logging.getLogger(__name__)

DEFAULT_STALE_DAYS = 90
WARNING_LEAD_DAYS = 14
#: At most this many usernames are named in one alert (the count is always complete).
ALERT_NAMES = 20

DISABLE_ACTION = "accounts.user.stale_disable"
WARNING_ACTION = "accounts.user.stale_warning"

DISABLED_MESSAGE = _(
    "%(count)s staff account(s) had nobody sign in for %(days)s days or more and were "
    "disabled: %(usernames)s."
)
WARNING_MESSAGE = _(
    "%(count)s staff account(s) have had nobody sign in for %(warn_days)s days or more and "
    "will be disabled after %(days)s days without a sign-in: %(usernames)s."
)


def stale_days() -> int:
    """``TONGBAN_STALE_STAFF_DAYS`` from the settings or the environment (default 90)."""
    value = getattr(settings, "TONGBAN_STALE_STAFF_DAYS", None)
    if value is None:
        value = os.environ.get("TONGBAN_STALE_STAFF_DAYS", "") or DEFAULT_STALE_DAYS
    days = int(value)
    if days < 1:
        raise ValueError("TONGBAN_STALE_STAFF_DAYS must be at least 1")
    return days


def warning_days(days: int) -> int | None:
    """After how many quiet days a warning is due (none when the limit is 14 days or less)."""
    return days - WARNING_LEAD_DAYS if days > WARNING_LEAD_DAYS else None


def staff_accounts() -> QuerySet[User]:
    """Active staff accounts, each annotated with ``last_seen``: the last sign-in (or the
    creation of an account never used), or when this job last disabled the account if that
    is later — so an account an administrator enables again gets a new full period."""
    disabled_at = (
        AuditRecord.objects.filter(
            action=DISABLE_ACTION,
            object_type=User._meta.label_lower,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    staff = (
        Q(kind__in=[UserKind.OFFICIAL, UserKind.ADMIN])
        | Q(is_staff=True)
        | Q(is_superuser=True)
        | Q(role_holder_exists())
    )
    return (
        User.objects.filter(staff, is_active=True)
        .annotate(
            last_seen=Greatest(
                Coalesce("last_login", "date_joined"),
                Coalesce(Subquery(disabled_at), "date_joined"),
            )
        )
        .order_by("last_seen", "pk")
    )


class StaleAccountsError(RuntimeError):
    """Some stale accounts could not be disabled (the others were; see the log)."""


@dataclass(frozen=True)
class StaleAccount:
    user_id: int
    username: str
    kind: str
    last_seen: datetime
    days_inactive: int
    never_signed_in: bool


@dataclass
class StalePlan:
    """What a run does (or, for a dry run, would do)."""

    days: int
    warn_days: int | None
    disable: list[StaleAccount] = field(default_factory=list)
    warn: list[StaleAccount] = field(default_factory=list)


def _entry(user: User, now: datetime) -> StaleAccount:
    last_seen: datetime = user.last_seen  # type: ignore[attr-defined]
    return StaleAccount(
        user_id=user.pk,
        username=user.get_username(),
        kind=user.kind,
        last_seen=last_seen,
        days_inactive=(now - last_seen).days,
        never_signed_in=user.last_login is None,
    )


def _warned_since(user_id: int, since: datetime) -> bool:
    return AuditRecord.objects.filter(
        action=WARNING_ACTION,
        object_type=User._meta.label_lower,
        object_id=str(user_id),
        occurred_at__gte=since,
    ).exists()


def find_stale_accounts(now: datetime | None = None, *, days: int | None = None) -> StalePlan:
    """The staff accounts to disable and those to warn about now (nothing is changed)."""
    now = now or timezone.now()
    days = days if days is not None else stale_days()
    plan = StalePlan(days=days, warn_days=warning_days(days))
    quiet_since = now - timedelta(days=plan.warn_days if plan.warn_days is not None else days)
    for user in staff_accounts().filter(last_seen__lte=quiet_since):  # type: ignore[misc]
        entry = _entry(user, now)
        if entry.last_seen <= now - timedelta(days=days):
            plan.disable.append(entry)
        elif not _warned_since(entry.user_id, entry.last_seen):
            plan.warn.append(entry)
    return plan


def _names(entries: list[StaleAccount]) -> str:
    names = ", ".join(entry.username for entry in entries[:ALERT_NAMES])
    return names + (" …" if len(entries) > ALERT_NAMES else "")


def handle_stale_accounts(now: datetime | None = None, *, days: int | None = None) -> StalePlan:
    """Disable the stale staff accounts and warn about those close to it; return the plan
    as carried out. An account that could not be disabled is logged and left out, and
    ``StaleAccountsError`` is raised once the others are done."""
    now = now or timezone.now()
    plan = find_stale_accounts(now, days=days)
    disabled: list[StaleAccount] = []
    failures = 0
    for entry in plan.disable:
        try:
            with transaction.atomic():
                # Locked and checked again: it may have signed in since the plan was made.
                user = staff_accounts().select_for_update().filter(pk=entry.user_id).first()
                if user is None or user.last_seen > now - timedelta(days=plan.days):  # type: ignore[attr-defined]
                    continue
                sessions = disable_account(user, actor=None)
                record_audit(None, DISABLE_ACTION, user, meta={
                    "days_inactive": entry.days_inactive,
                    "threshold_days": plan.days,
                    "never_signed_in": entry.never_signed_in,
                    "sessions": sessions,
                })  # fmt: skip
        except Exception:
            logger.exception("stale account %s could not be disabled", entry.user_id)
            failures += 1
            continue
        disabled.append(entry)
    plan.disable = disabled
    if disabled:
        with transaction.atomic():
            raise_alert(
                "accounts.stale_disabled",
                audience="security_admin",
                message=DISABLED_MESSAGE,
                params={"count": len(disabled), "days": plan.days, "usernames": _names(disabled)},
                severity=Severity.WARNING,
            )
    if plan.warn:
        with transaction.atomic():
            for entry in plan.warn:
                record_audit(
                    None,
                    WARNING_ACTION,
                    object_type=User._meta.label_lower,
                    object_id=str(entry.user_id),
                    meta={"days_inactive": entry.days_inactive, "threshold_days": plan.days},
                )
            raise_alert(
                "accounts.stale_warning",
                audience="security_admin",
                message=WARNING_MESSAGE,
                params={
                    "count": len(plan.warn),
                    "warn_days": plan.warn_days,
                    "days": plan.days,
                    "usernames": _names(plan.warn),
                },
                severity=Severity.INFO,
            )
    if failures:  # after the alerts: the run is then recorded as failed
        raise StaleAccountsError(f"{failures} stale account(s) could not be disabled")
    return plan
