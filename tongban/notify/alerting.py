"""Operational and security alerts: delivering them, and the security events that raise them.

Delivery: ``deliver_alert`` receives ``tongban.core.alerts.alert_raised`` (sent after the
raising transaction commits) and sends the alert to every active holder of the audience
role (in the alert's department, if it names one) as an in-app message and an e-mail,
each written in the recipient's language.

Sources (等保 安全审计 / 入侵防范), connected by signals so that the modules they watch do
not know about notifications:

- ``security.lockout``: django-axes locked an account after repeated failed sign-ins;
- ``security.second_factor_locked``: too many wrong second-factor codes locked a second
  factor (``accounts.SecondFactorLock`` saved with a lock);
- ``security.admin_role_granted`` / ``security.admin_role_revoked``: one of the three
  administrative duties (三员) given or taken away;
- ``audit.verify_failed`` is raised by ``tongban audit verify`` itself.

Bursts: a lock-out of the same account is reported once per cool-off period, and when
more than ``TONGBAN_ALERT_BURST_THRESHOLD`` (5) accounts are locked within
``TONGBAN_ALERT_WINDOW_SECONDS`` (600) one summary alert replaces the rest. The counters
live in the cache: shared by all processes with ``CACHE_URL=redis://``, per process
otherwise (then each process reports at most its own threshold plus one summary).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import ADMIN_DUTIES, Role, RoleAssignment, User, UserKind
from tongban.accounts.queries import ANYWHERE, UNKNOWN_PREFIX, role_holders
from tongban.core.alerts import Alert, Severity, raise_alert
from tongban.notify import services
from tongban.notify.models import Channel

logger = logging.getLogger(__name__)

# --- texts -------------------------------------------------------------------------------

#: The subject of each alert, by code; other codes get a subject by severity.
ALERT_TITLES: dict[str, Any] = {
    "security.lockout": _("Account locked after failed sign-ins"),
    "security.lockout_burst": _("Many accounts locked in a short time"),
    "security.second_factor_locked": _("Second factor locked after wrong codes"),
    "security.second_factor_locked_burst": _("Many second factors locked in a short time"),
    "security.admin_role_granted": _("Administrative role granted"),
    "security.admin_role_revoked": _("Administrative role taken away"),
    "audit.verify_failed": _("The audit trail check failed"),
    # Raised by other modules (their texts are translated in their own catalogues).
    "audit.seal_problem": _("The audit trail could not be sealed"),
    "accounts.stale_disabled": _("Inactive accounts disabled"),
    "accounts.stale_warning": _("Accounts about to be disabled for inactivity"),
    "workdays.provisional_year": _("Working-day calendar not confirmed"),
    "outbox.failed": _("Background work failed and was given up"),
}
SEVERITY_TITLES: dict[str, Any] = {
    Severity.INFO: _("Notice from the platform"),
    Severity.WARNING: _("Warning from the platform"),
    Severity.CRITICAL: _("Critical alert from the platform"),
}

UNKNOWN_ACCOUNT = _("an unknown identifier")
CITIZEN_ACCOUNT = _("a citizen's account (name withheld)")
DELETED_ACCOUNT = _("a deleted account")

LOCKOUT = _(
    "Sign-ins to %(account)s were locked after %(limit)s failed attempts. The lock ends "
    "by itself after %(minutes)s minutes; a security administrator can lift it sooner."
)
LOCKOUT_BURST = _(
    "%(count)s accounts were locked after failed sign-ins within %(minutes)s minutes: "
    "someone may be guessing passwords. Further lock-outs in this period are not reported "
    "one by one; see the sign-in attempts in the administration."
)
SECOND_FACTOR_LOCKED = _(
    "The second factor of %(account)s was locked for %(minutes)s minutes after "
    "%(failures)s wrong codes."
)
SECOND_FACTOR_BURST = _(
    "%(count)s second factors were locked after wrong codes within %(minutes)s minutes. "
    "Further locks in this period are not reported one by one."
)
ROLE_GRANTED = _("The role %(role)s was granted to %(account)s.")
ROLE_REVOKED = _("The role %(role)s was taken away from %(account)s.")


# --- delivery ----------------------------------------------------------------------------


def alert_title(alert: Alert) -> Any:
    return ALERT_TITLES.get(alert.code) or SEVERITY_TITLES.get(
        str(alert.severity), SEVERITY_TITLES[Severity.WARNING]
    )


def audience_of(alert: Alert) -> list[User]:
    """Active holders of the alert's audience role (in its department, if it names one)."""
    return list(
        role_holders(
            alert.audience,
            ANYWHERE if alert.department_id is None else alert.department_id,
        )
        .select_related("notify_preference")
        .order_by("pk")
    )


def deliver_alert(sender: Any, alert: Alert, **kwargs: Any) -> None:
    """Send ``alert`` to its audience: in-app and e-mail, each in the recipient's language."""
    try:
        recipients = audience_of(alert)
    except Exception:
        logger.exception("notify: could not find the audience of alert %s", alert.code)
        return
    if not recipients:
        logger.warning(
            "notify: alert %s has nobody to go to (no active %s)", alert.code, alert.audience
        )
        return
    for user in recipients:
        try:
            services.send(
                user,
                f"alert.{alert.code}",
                alert_title(alert),
                alert.message,
                link=alert.link,
                channels=(Channel.INAPP, Channel.EMAIL),
                context=alert.params or None,
                severity=str(alert.severity),
            )
        except Exception:
            logger.exception("notify: could not deliver alert %s to user %s", alert.code, user.pk)


# --- deduplication -----------------------------------------------------------------------


def window_seconds() -> int:
    return int(getattr(settings, "TONGBAN_ALERT_WINDOW_SECONDS", 600))


def burst_threshold() -> int:
    return int(getattr(settings, "TONGBAN_ALERT_BURST_THRESHOLD", 5))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def throttle(code: str, subject: str, *, subject_seconds: int | None = None) -> tuple[str, int]:
    """Decide how to report one event of ``code`` about ``subject`` (an account …).

    Returns ``("single", n)`` to raise the event's own alert, ``("burst", n)`` to raise one
    summary alert instead (the threshold was just passed: ``n`` events in the window), or
    ``("suppressed", n)``: the same subject was reported within ``subject_seconds`` (default:
    the window), or the summary for this window has been raised already.
    """
    window = window_seconds()
    if not cache.add(f"notify:alert:{code}:{_digest(subject)}", 1, subject_seconds or window):
        return "suppressed", 0
    counter = f"notify:alert-count:{code}"
    cache.add(counter, 0, window)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, window)
        count = 1
    if count <= burst_threshold():
        return "single", count
    if cache.add(f"notify:alert-burst:{code}", 1, window):
        return "burst", count
    return "suppressed", count


# --- naming accounts without personal data -------------------------------------------------


def is_staff_account(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser or user.kind != UserKind.CITIZEN)


def account_label(user: User | None) -> Any:
    """How an alert names an account: staff by username; citizens and unknown identifiers
    not at all (a sign-in identifier may be an ID or mobile number)."""
    if user is None:
        return UNKNOWN_ACCOUNT
    return user.username if is_staff_account(user) else CITIZEN_ACCOUNT


def _admin_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- sources -----------------------------------------------------------------------------


def on_user_locked_out(
    sender: Any, request: Any = None, username: str | None = None, **kwargs: Any
) -> None:
    """django-axes locked an account (``user_locked_out``)."""
    try:
        name = username or ""
        user = None
        if name and not name.startswith(UNKNOWN_PREFIX):
            user = User.objects.filter(username=name).first()
        cooloff = (
            int(settings.AXES_COOLOFF_TIME.total_seconds()) if settings.AXES_COOLOFF_TIME else 0
        )
        verdict, count = throttle("security.lockout", name, subject_seconds=cooloff or None)
        if verdict == "single":
            raise_alert(
                "security.lockout",
                audience=Role.SECURITY_ADMIN,
                message=LOCKOUT,
                params={
                    "account": account_label(user),
                    "limit": settings.AXES_FAILURE_LIMIT,
                    "minutes": cooloff // 60,
                },
                severity=Severity.WARNING,
                link=_admin_url("admin:axes_accessattempt_changelist"),
            )
        elif verdict == "burst":
            raise_alert(
                "security.lockout_burst",
                audience=Role.SECURITY_ADMIN,
                message=LOCKOUT_BURST,
                params={"count": count, "minutes": window_seconds() // 60},
                severity=Severity.CRITICAL,
                link=_admin_url("admin:axes_accessattempt_changelist"),
            )
    except Exception:
        logger.exception("notify: could not raise the lock-out alert")


def on_second_factor_lock_saved(
    sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    """A wrong second-factor code was counted; alert when it locked the second factor."""
    update_fields = kwargs.get("update_fields")
    if raw or instance.locked_until is None or instance.locked_until <= timezone.now():
        return
    if update_fields is not None and "last_failure_at" not in update_fields:
        return  # not the save of a failure (e.g. an administrator's edit)
    try:
        user = User.objects.filter(pk=instance.user_id).first()
        minutes = max(int((instance.locked_until - timezone.now()).total_seconds() + 59) // 60, 1)
        verdict, count = throttle(
            "security.second_factor_locked",
            f"{instance.user_id}:{instance.locked_until.isoformat()}",
        )
        if verdict == "single":
            raise_alert(
                "security.second_factor_locked",
                audience=Role.SECURITY_ADMIN,
                message=SECOND_FACTOR_LOCKED,
                params={
                    "account": account_label(user),
                    "minutes": minutes,
                    "failures": instance.failures,
                },
                severity=Severity.WARNING,
                link=_admin_url("admin:accounts_secondfactorlock_changelist"),
            )
        elif verdict == "burst":
            raise_alert(
                "security.second_factor_locked_burst",
                audience=Role.SECURITY_ADMIN,
                message=SECOND_FACTOR_BURST,
                params={"count": count, "minutes": window_seconds() // 60},
                severity=Severity.CRITICAL,
                link=_admin_url("admin:accounts_secondfactorlock_changelist"),
            )
    except Exception:
        logger.exception("notify: could not raise the second-factor lock alert")


def _role_alert(instance: RoleAssignment, *, granted: bool) -> None:
    if instance.role not in ADMIN_DUTIES:
        return
    try:
        username = (
            User.objects.filter(pk=instance.user_id).values_list("username", flat=True).first()
        )
        raise_alert(
            "security.admin_role_granted" if granted else "security.admin_role_revoked",
            audience=Role.SECURITY_ADMIN,
            message=ROLE_GRANTED if granted else ROLE_REVOKED,
            params={
                "role": Role(instance.role).label,
                "account": username or DELETED_ACCOUNT,
            },
            severity=Severity.WARNING,
            link=_admin_url("admin:accounts_roleassignment_changelist"),
        )
    except Exception:
        logger.exception("notify: could not raise the role alert")


def on_role_assignment_saved(
    sender: Any, instance: RoleAssignment, created: bool = False, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        _role_alert(instance, granted=True)


def on_role_assignment_deleted(sender: Any, instance: RoleAssignment, **_: Any) -> None:
    _role_alert(instance, granted=False)
