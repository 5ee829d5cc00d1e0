"""Use cases of authentication and administration: second factors, sessions, roles.

Same contract as ``services``: one transaction per function, plain arguments and the
acting user, an audit record for every write (metadata only: kinds, counts, never a
code, a secret or a key), ``ServiceError`` keyed by field for bad input and
``PermissionDenied`` for an actor without the right.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts import totp
from tongban.accounts.models import (
    ADMIN_DUTIES,
    AccountSession,
    RecoveryCode,
    Role,
    RoleAssignment,
    SecondFactorKind,
    SecondFactorLock,
    SecurityKey,
    TotpDevice,
    User,
)
from tongban.accounts.second_factor import (
    RECOVERY_CODE_COUNT,
    NewSecurityKey,
    encrypt_totp_secret,
    factor_summary,
    get_provider,
    new_recovery_code,
    recovery_code_hash,
)
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.org.models import Department, Region

DUTY_CONFLICT = _(
    "This person already holds one of the system, security and audit administrator roles; "
    "nobody may hold two of them."
)
OWN_ROLES = _("Nobody can grant or take away their own roles. Ask another administrator.")
LAST_FACTOR = _(
    "You must keep at least one second factor: add another authenticator app or security "
    "key before removing this one."
)


class SecondFactorLocked(Exception):
    """Too many wrong second-factor responses: no response is checked until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"second factor locked until {until.isoformat()}")
        self.until = until


def failure_limit() -> int:
    return int(getattr(settings, "TONGBAN_SECOND_FACTOR_FAILURE_LIMIT", 5))


def lock_duration() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "TONGBAN_SECOND_FACTOR_LOCK_MINUTES", 15)))


def locked_until(user: User) -> datetime | None:
    """When the second factor of ``user`` unlocks, or ``None`` if it is not locked."""
    lock = SecondFactorLock.objects.filter(user_id=user.pk).first()
    if lock is None or lock.locked_until is None or lock.locked_until <= timezone.now():
        return None
    return lock.locked_until


def _require(actor: User | None, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied


# --- verifying -----------------------------------------------------------------------------


@transaction.atomic
def verify_second_factor(
    user: User,
    kind: str,
    response: Mapping[str, Any],
    *,
    state: Mapping[str, Any] | None = None,
    rp_id: str = "",
    origin: str = "",
) -> bool:
    """Check a second-factor response of ``user`` with the provider of ``kind``.

    Returns whether it was accepted. Every wrong response counts: the limit
    (``TONGBAN_SECOND_FACTOR_FAILURE_LIMIT``, 5) locks the second factor for
    ``TONGBAN_SECOND_FACTOR_LOCK_MINUTES`` (15). Raises ``SecondFactorLocked`` while locked
    (the response is not even looked at) and ``KeyError`` for an unknown kind.
    """
    provider = get_provider(kind)
    lock, _created = SecondFactorLock.objects.select_for_update().get_or_create(user=user)
    now = timezone.now()
    if lock.locked_until is not None:
        if lock.locked_until > now:
            raise SecondFactorLocked(lock.locked_until)
        lock.failures, lock.locked_until = 0, None
    if provider.verify(user, response, state=state, rp_id=rp_id, origin=origin):
        lock.failures, lock.locked_until = 0, None
        lock.save(update_fields=["failures", "locked_until"])
        record_audit(user, "accounts.second_factor.verify", user, meta={"kind": kind})
        return True
    lock.failures += 1
    lock.last_failure_at = now
    meta: dict[str, Any] = {"kind": kind, "failures": lock.failures}
    if lock.failures >= failure_limit():
        lock.locked_until = now + lock_duration()
        meta["locked_minutes"] = int(lock_duration().total_seconds() // 60)
    lock.save(update_fields=["failures", "locked_until", "last_failure_at"])
    record_audit(user, "accounts.second_factor.fail", user, meta=meta)
    return False


@transaction.atomic
def unlock_second_factor(user: User, *, actor: User | None) -> None:
    """Lift a second-factor lock-out of ``user`` (security administrator)."""
    _require(actor, "accounts.change_secondfactorlock")
    SecondFactorLock.objects.filter(user=user).update(failures=0, locked_until=None)
    record_audit(actor, "accounts.second_factor.unlock", user)


# --- enrolling -----------------------------------------------------------------------------


def _may_enrol(user: User, session_verified: bool) -> None:
    """Adding a factor to an account that has one needs that factor first: a stolen
    password alone must not be enough to add the thief's authenticator."""
    if not session_verified and factor_summary(user).enrolled:
        raise PermissionDenied


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=recovery_code_hash(user.pk, code)) for code in codes
    )
    return codes


def _codes_if_first_factor(user: User, had_factor: bool) -> list[str]:
    return [] if had_factor else _new_recovery_codes(user)


@transaction.atomic
def enrol_totp(
    user: User, *, secret: bytes, code: str, actor: User, session_verified: bool
) -> list[str]:
    """Confirm an authenticator app holding ``secret`` with its first ``code``.

    Returns the ten new recovery codes when this is the account's first second factor
    (shown once, stored hashed), else an empty list. Raises ``ServiceError`` keyed ``code``
    when the code is wrong, ``PermissionDenied`` when the account already has a second
    factor that this session has not given, or when ``actor`` is not ``user``.
    """
    if actor.pk != user.pk:
        raise PermissionDenied
    _may_enrol(user, session_verified)
    found = totp.match(secret, code, after_step=0)
    if found is None:
        raise ServiceError(
            {
                "code": [
                    _(
                        "The code is not right. Check that the app shows the account you just "
                        "added, and type the 6 digits it shows now."
                    )
                ]
            }
        )
    had_factor = factor_summary(user).enrolled
    TotpDevice.objects.filter(user=user).delete()
    TotpDevice.objects.create(
        user=user,
        encrypted_secret=encrypt_totp_secret(user.pk, secret),
        confirmed=True,
        confirmed_at=timezone.now(),
        last_step=found.step,
    )
    codes = _codes_if_first_factor(user, had_factor)
    record_audit(
        actor,
        "accounts.second_factor.enrol",
        user,
        meta={"kind": SecondFactorKind.TOTP, "recovery_codes": len(codes)},
    )
    return codes


@transaction.atomic
def add_security_key(
    user: User, *, name: str, key: NewSecurityKey, actor: User, session_verified: bool
) -> tuple[SecurityKey, list[str]]:
    """Store a verified WebAuthn credential (``second_factor.check_registration``).

    Returns the key and, when it is the account's first second factor, ten recovery codes.
    Raises ``ServiceError`` keyed ``name`` for a missing or too long name, or when the
    credential is already registered; ``PermissionDenied`` as ``enrol_totp``.
    """
    if actor.pk != user.pk:
        raise PermissionDenied
    _may_enrol(user, session_verified)
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError({"name": [_("Give the security key a name, such as 'blue key'.")]})
    if len(name) > 60:
        raise ServiceError({"name": [_("The name must be 60 characters or fewer.")]})
    had_factor = factor_summary(user).enrolled
    try:
        with transaction.atomic():
            row = SecurityKey.objects.create(
                user=user,
                name=name,
                credential_id=key.credential_id,
                public_key=key.public_key,
                sign_count=key.sign_count,
                transports=key.transports,
            )
    except IntegrityError:
        raise ServiceError({"name": [_("This security key is already registered.")]}) from None
    codes = _codes_if_first_factor(user, had_factor)
    record_audit(
        actor,
        "accounts.second_factor.enrol",
        user,
        meta={"kind": SecondFactorKind.WEBAUTHN, "recovery_codes": len(codes)},
    )
    return row, codes


def _after_removal(user: User, actor: User, kind: str) -> None:
    summary = factor_summary(user)
    if summary.must_have and not summary.enrolled:
        raise ServiceError({"factor": [LAST_FACTOR]})
    if not summary.enrolled:  # a citizen turned two-factor off: the codes go too
        RecoveryCode.objects.filter(user=user).delete()
    record_audit(actor, "accounts.second_factor.remove", user, meta={"kind": kind})


@transaction.atomic
def remove_totp(user: User, *, actor: User) -> None:
    """Remove the authenticator app of ``user`` (themselves). Raises ``ServiceError``
    keyed ``factor`` when an official would be left without a second factor."""
    if actor.pk != user.pk:
        raise PermissionDenied
    if not TotpDevice.objects.filter(user=user).delete()[0]:
        raise ServiceError({"factor": [_("There is no authenticator app to remove.")]})
    _after_removal(user, actor, SecondFactorKind.TOTP)


@transaction.atomic
def remove_security_key(user: User, key_id: int, *, actor: User) -> None:
    """Remove one security key of ``user`` (themselves); rules as ``remove_totp``."""
    if actor.pk != user.pk:
        raise PermissionDenied
    if not SecurityKey.objects.filter(user=user, pk=key_id).delete()[0]:
        raise ServiceError({"factor": [_("There is no such security key.")]})
    _after_removal(user, actor, SecondFactorKind.WEBAUTHN)


@transaction.atomic
def regenerate_recovery_codes(user: User, *, actor: User) -> list[str]:
    """Replace every recovery code of ``user`` with ten new ones and return them.
    Raises ``ServiceError`` keyed ``factor`` when the account has no second factor."""
    if actor.pk != user.pk:
        raise PermissionDenied
    if not factor_summary(user).enrolled:
        raise ServiceError({"factor": [_("Set up an authenticator app or a security key first.")]})
    codes = _new_recovery_codes(user)
    record_audit(actor, "accounts.second_factor.recovery_codes", user, meta={"count": len(codes)})
    return codes


@transaction.atomic
def reset_second_factors(user: User, *, actor: User | None) -> int:
    """Remove every second factor and recovery code of ``user`` and end their sessions
    (a lost phone and key, after checking who asks). They enrol again at next sign-in.
    Returns how many factors were removed. Security administrators only."""
    _require(actor, "accounts.delete_totpdevice")
    removed = TotpDevice.objects.filter(user=user).delete()[0]
    removed += SecurityKey.objects.filter(user=user).delete()[0]
    RecoveryCode.objects.filter(user=user).delete()
    SecondFactorLock.objects.filter(user=user).delete()
    ended = _end_sessions(user)
    record_audit(
        actor, "accounts.second_factor.reset", user, meta={"factors": removed, "sessions": ended}
    )
    return removed


# --- sessions and accounts -------------------------------------------------------------------


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


@transaction.atomic
def record_sign_in(user: User, *, session_key: str) -> None:
    """Note that ``session_key`` belongs to ``user`` (called at every sign-in), and forget
    this account's sessions that have ended since. Bookkeeping, not audited here: django-axes
    logs every sign-in (``AccessLog``), which the audit administrator reads."""
    store = _session_store()
    for row in AccountSession.objects.filter(user=user).exclude(session_key=session_key):
        if not store().exists(row.session_key):
            row.delete()
    AccountSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def forget_session(session_key: str | None) -> None:
    """Drop the record of a session that ended (sign-out); nothing to audit."""
    if session_key:
        AccountSession.objects.filter(session_key=session_key).delete()


def session_rekeyed(old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key changed (after the second factor); bookkeeping only."""
    if old_key and new_key:
        AccountSession.objects.filter(session_key=old_key).update(session_key=new_key)


def _end_sessions(user: User) -> int:
    store = _session_store()
    keys = list(AccountSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    AccountSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def end_sessions(user: User, *, actor: User | None) -> int:
    """Sign ``user`` out everywhere: delete every session of theirs. Returns how many."""
    if actor is None or actor.pk != user.pk:
        _require(actor, "accounts.delete_accountsession")
    ended = _end_sessions(user)
    record_audit(actor, "accounts.session.end_all", user, meta={"sessions": ended})
    return ended


@transaction.atomic
def end_session(row: AccountSession, *, actor: User | None) -> None:
    """Sign one browser of ``row.user`` out (administrators; ASVS 7.4.5)."""
    _require(actor, "accounts.delete_accountsession")
    _session_store()().delete(row.session_key)
    record_audit(actor, "accounts.session.end", row.user, meta={"sessions": 1})
    row.delete()


@transaction.atomic
def disable_account(user: User, *, actor: User | None) -> int:
    """Disable ``user`` (``is_active=False``) and end all their sessions at once.
    Returns how many sessions ended. Raises ``PermissionDenied`` unless ``actor`` may
    change accounts, and for one's own account."""
    _require(actor, "accounts.change_user")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    ended = _end_sessions(user)
    record_audit(actor, "accounts.user.disable", user, meta={"sessions": ended})
    return ended


# --- roles (三员) ------------------------------------------------------------------------------


def duty_conflict(user_id: int | None, roles: set[str], *, exclude_pk: int | None = None) -> bool:
    """Whether ``roles`` (to be held together with the user's other assignments) combine
    two of the three administrative duties."""
    held = set(roles)
    if user_id is not None:
        others = RoleAssignment.objects.filter(user_id=user_id, role__in=ADMIN_DUTIES)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        held.update(others.values_list("role", flat=True))
    return len(held & set(ADMIN_DUTIES)) > 1


@transaction.atomic
def assign_role(
    user: User,
    role: str,
    *,
    actor: User | None,
    department: Department | None = None,
    region: Region | None = None,
) -> RoleAssignment:
    """Give ``user`` a role. Raises ``ServiceError`` keyed ``role`` for an unknown role,
    when it would combine two of system, security and audit administrator (checked here
    and by a database constraint), or when the user already holds it; ``PermissionDenied``
    unless ``actor`` may assign roles, and for one's own account."""
    _require(actor, "accounts.add_roleassignment")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(OWN_ROLES)
    if role not in Role.values:
        raise ServiceError({"role": [_("Choose a role.")]})
    User.objects.select_for_update().filter(pk=user.pk).first()  # one change at a time
    if duty_conflict(user.pk, {role}):
        raise ServiceError({"role": [DUTY_CONFLICT]})
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, department=department, region=region
            )
    except IntegrityError:
        raise ServiceError({"role": [_("This person already holds this role.")]}) from None
    record_audit(actor, "accounts.role.assign", assignment, meta={"role": role})
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, actor: User | None) -> None:
    """Take a role away. ``PermissionDenied`` unless ``actor`` may, and for one's own."""
    _require(actor, "accounts.delete_roleassignment")
    if actor is not None and actor.pk == assignment.user_id:
        raise PermissionDenied(OWN_ROLES)
    record_audit(actor, "accounts.role.revoke", assignment, meta={"role": assignment.role})
    assignment.delete()
