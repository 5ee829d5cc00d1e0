"""Password recovery (找回密码) by a code sent by text message to the verified mobile.

Three use cases, one transaction each, through the one SMS-code service (``smscodes``):

1. ``request_reset(mobile)``: a ``password_reset`` code is made and counted whether or not
   the number belongs to an account that may reset this way, and the text message goes out
   only to one that may (``smscodes.account_for_code``: an active citizen account whose
   mobile was verified, holding no role). The caller answers the same either way.
2. ``check_reset_code(mobile, code)``: uses the code (single use, 5 tries, 5 minutes) and
   returns a *reset grant*: a signed, short-lived token naming the account and the state of
   its password. A code asked for a number without such an account never checks out (no
   message carried it), so this step reveals nothing either.
3. ``reset_password(grant, password)``: checks the new password with the configured
   validators (messages keyed ``password``), sets it, ends every session of the account,
   writes ``accounts.password.reset`` to the audit chain and queues the "your password was
   changed" text message (outbox kind ``accounts.password_changed``). A grant works once:
   it is bound to the old password, and for ``GRANT_LIFETIME``.

Staff accounts are refused at step 1 with the neutral answer, like SMS sign-in: their
password is reset by an administrator (their second factor stays theirs either way).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts import smscodes
from tongban.accounts.models import SmsCode, SmsCodePurpose, User
from tongban.accounts.passwords import password_validators
from tongban.accounts.services_security import end_sessions
from tongban.core import outbox
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.identifiers import validate_mobile

PURPOSE = SmsCodePurpose.PASSWORD_RESET
#: How long after the right code the new password may be set.
GRANT_LIFETIME = timedelta(minutes=10)
_GRANT_SALT = "tongban.accounts.password-reset-grant"
NOTICE_KIND = "accounts.password_changed"
RESET_ACTION = "accounts.password.reset"

GRANT_GONE = _(
    "The time to set a new password has run out, or the password was already changed. "
    "Ask for a new code."
)


def request_reset(
    mobile: str, *, source: str = "", now: datetime | None = None, field: str = "mobile"
) -> SmsCode:
    """Send a password-reset code to ``mobile`` if an account may reset with it.

    Raises ``ServiceError`` keyed ``field`` for a number that is not a mobile number or a
    reached send limit; otherwise returns the same kind of row whatever the number.
    """
    return smscodes.send_code(PURPOSE, mobile, source=source, now=now, field=field)


def _password_state(user: User) -> str:
    """A short digest of the stored password hash: changes whenever the password does."""
    return hashlib.sha256(f"{user.pk}|{user.password}".encode()).hexdigest()[:32]


def check_reset_code(
    mobile: str, code: str, *, source: str = "", now: datetime | None = None
) -> str:
    """Use the reset code ``code`` of ``mobile``; returns the grant for ``reset_password``.

    Raises ``ServiceError`` keyed ``code`` like ``smscodes.check_code`` (a wrong try is
    committed, so do not call this inside a transaction), and with the neutral "ask for a
    new code" when the account stopped being eligible after the code was sent.
    """
    smscodes.check_code(PURPOSE, mobile, code, source=source, now=now)
    user = smscodes.account_for_code(validate_mobile(mobile))
    if user is None:
        raise ServiceError({"code": [smscodes.CODE_NONE]})
    return signing.dumps({"u": user.pk, "p": _password_state(user)}, salt=_GRANT_SALT)


def account_for_grant(grant: str) -> User | None:
    """The account ``grant`` still allows to reset, or None (expired, used, not eligible)."""
    try:
        data = signing.loads(grant, salt=_GRANT_SALT, max_age=GRANT_LIFETIME)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None or not user.phone or _password_state(user) != data.get("p"):
        return None
    if smscodes.account_for_code(user.phone) != user:
        return None
    return user


@transaction.atomic
def reset_password(grant: str, password: str) -> User:
    """Set ``password`` for the account of ``grant``; ends all its sessions. Returns it.

    Raises ``ServiceError`` keyed ``password`` with the validators' messages (nothing
    changes then, and the grant stays usable), or keyed ``code`` with ``GRANT_GONE``.
    """
    user = account_for_grant(grant)
    if user is None:
        raise ServiceError({"code": [GRANT_GONE]})
    try:
        validate_password(password or "", user=user, password_validators=password_validators())
    except ValidationError as error:
        raise ServiceError({"password": error.error_list}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = end_sessions(user, actor=user)
    record_audit(user, RESET_ACTION, user, meta={"method": "sms_code", "sessions": ended})
    outbox.enqueue(
        NOTICE_KIND,
        {"user": user.pk, "at": timezone.now().isoformat()},
        key=f"{NOTICE_KIND}:{user.pk}:{_password_state(user)}",
    )
    return user
