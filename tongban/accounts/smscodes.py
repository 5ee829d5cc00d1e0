"""One SMS-code service (短信验证码) for every use: registration, sign-in, password recovery.

A code is 6 digits from ``secrets``, valid ``CODE_LIFETIME`` (5 minutes), single use, and
dead after ``MAX_WRONG`` (5) wrong tries; only the newest code of a purpose and number can
be used. Sending is limited per mobile number (one a minute, five an hour) and per source
address (twenty an hour). Nothing here stores a mobile number, an address or a code in
clear: ``SmsCode`` holds keyed digests and a keyed hash.

Purposes that reach an existing account (sign-in, password reset) answer the same whether
or not the number belongs to an eligible account: a row is written and the limits count
either way, and the text message goes out only to an active, verified citizen account that
holds no role (staff keep their second factor). See docs/security-authentication.md.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tongban.accounts.models import AssuranceLevel, SmsCode, SmsCodePurpose, User, UserKind
from tongban.accounts.queries import holds_role
from tongban.accounts.sms import get_sms_gateway, sms_signature
from tongban.core.audit import record_audit
from tongban.core.crypto import keys
from tongban.core.crypto.fields import DIGEST_PURPOSE, digest
from tongban.core.errors import ServiceError
from tongban.core.identifiers import validate_mobile

CODE_LIFETIME = timedelta(minutes=5)
MAX_WRONG = 5
MOBILE_INTERVAL = timedelta(seconds=60)
MOBILE_PER_HOUR = 5
SOURCE_PER_HOUR = 20
HOUR = timedelta(hours=1)
#: Rows older than this are purged (``purge_codes``, the daily job ``accounts.sms_codes``):
#: well past every send limit's window, long enough to look into abuse of the last day.
KEEP = timedelta(days=1)

#: Purposes whose codes go only to an existing eligible account (``account_for_code``).
ACCOUNT_PURPOSES = frozenset({SmsCodePurpose.SIGN_IN, SmsCodePurpose.PASSWORD_RESET})

CODE_WRONG = _(
    "The code is not right. Check the text message and try again: %(left)d attempts left."
)
CODE_LOCKED = _("The code was entered wrongly too many times. Ask for a new code.")
CODE_EXPIRED = _("The code has expired: codes are valid for 5 minutes. Ask for a new code.")
CODE_NONE = _("There is no code to check for this number. Ask for a new code.")
SEND_TOO_SOON = _("Wait %(seconds)d seconds before asking for a new code.")
SEND_TOO_MANY = _("Too many codes were asked for this number. Try again in an hour.")
SOURCE_TOO_MANY = _("Too many codes were asked from this network. Try again in an hour.")

TEXTS: dict[str, StrOrPromise] = {
    SmsCodePurpose.REGISTRATION: _(
        "Your registration code is %(code)s. It is valid for 5 minutes. Do not give it to anyone."
    ),
    SmsCodePurpose.SIGN_IN: _(
        "Your sign-in code is %(code)s. It is valid for 5 minutes. Do not give it to anyone, "
        "not even to staff of the service hall."
    ),
    SmsCodePurpose.PASSWORD_RESET: _(
        "Your password reset code is %(code)s. It is valid for 5 minutes. Do not give it to "
        "anyone, not even to staff of the service hall."
    ),
}


def _number(mobile: str, field: str) -> str:
    try:
        return validate_mobile(mobile or "")
    except ValidationError as error:
        raise ServiceError({field: list(error.messages)}) from None


def _source_digest(source: str) -> str:
    return (digest("text", f"source-address|{source}") or "") if source else ""


def _code_hash(row: SmsCode, code: str) -> str:
    key_id, tag = keys.mac(
        DIGEST_PURPOSE,
        f"tongban/sms-code|{row.purpose}|{row.mobile_digest}|{row.salt}|{code}".encode(),
    )
    return f"{key_id}.{tag.hex()}"


def account_for_code(mobile: str) -> User | None:
    """The account a sign-in or reset code for ``mobile`` may open, or None: an active
    citizen account whose mobile was verified (assurance VERIFIED or more), not staff, and
    holding no role (officials and administrators sign in with their second factor)."""
    user = (
        User.objects.by_phone(mobile)
        .filter(is_active=True, kind=UserKind.CITIZEN, is_staff=False, is_superuser=False)
        .first()
    )
    if user is None or user.assurance_level < AssuranceLevel.VERIFIED or holds_role(user):
        return None
    return user


def _check_send_limits(mobile_digest: str, source_digest: str, now: datetime, field: str) -> None:
    recent = SmsCode.objects.filter(mobile_digest=mobile_digest, created_at__gt=now - HOUR)
    last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now < last + MOBILE_INTERVAL:
        wait = last + MOBILE_INTERVAL - now
        seconds = int(wait.total_seconds()) + (1 if wait.microseconds else 0)
        raise ServiceError({field: [SEND_TOO_SOON % {"seconds": max(seconds, 1)}]})
    if recent.count() >= MOBILE_PER_HOUR:
        raise ServiceError({field: [SEND_TOO_MANY]})
    if source_digest:
        from_source = SmsCode.objects.filter(source_digest=source_digest, created_at__gt=now - HOUR)
        if from_source.count() >= SOURCE_PER_HOUR:
            raise ServiceError({field: [SOURCE_TOO_MANY]})


def signed_text(text: str) -> str:
    """``text`` with the city's signature (【…】) in front, as Chinese SMS rules require."""
    signature = sms_signature()
    return f"【{signature}】{text}" if signature else text


@transaction.atomic
def send_code(
    purpose: str,
    mobile: str,
    *,
    source: str = "",
    actor: User | None = None,
    now: datetime | None = None,
    field: str = "mobile",
) -> SmsCode:
    """Make a new code for ``purpose`` and ``mobile`` and send it by text message.

    ``source`` is the client's address (counted, stored only as a digest). The new code
    replaces any earlier one of the same purpose and number. For a purpose in
    ``ACCOUNT_PURPOSES`` the message goes out only if ``account_for_code`` finds an account,
    but everything else (row, limits, audit, return value) is the same, so a caller can
    answer identically. Raises ``ServiceError`` keyed by ``field`` when the number is not a
    mobile number, or when a send limit is reached (nothing is written or sent then).
    """
    now = now or timezone.now()
    number = _number(mobile, field)
    mobile_digest = digest("mobile", number) or ""
    source_digest = _source_digest(source)
    _check_send_limits(mobile_digest, source_digest, now, field)
    deliver = purpose not in ACCOUNT_PURPOSES or account_for_code(number) is not None
    code = f"{secrets.randbelow(10**6):06d}"
    row = SmsCode(
        purpose=purpose,
        mobile_digest=mobile_digest,
        source_digest=source_digest,
        salt=secrets.token_hex(16),
        delivered=deliver,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    row.code_hash = _code_hash(row, code)
    row.save()
    text = signed_text(str(TEXTS[purpose] % {"code": code}))
    if deliver:
        get_sms_gateway().send(number, text)
    # The audit names the purpose only: whether a message went out is on the row, for
    # administrators, and the number is in neither.
    record_audit(actor, "accounts.sms_code.send", row, meta={"purpose": str(purpose)})
    return row


def check_code(
    purpose: str,
    mobile: str,
    code: str,
    *,
    source: str = "",
    actor: User | None = None,
    now: datetime | None = None,
    field: str = "code",
) -> SmsCode:
    """Use the newest code of ``purpose`` for ``mobile`` if ``code`` is it; returns its row,
    now marked used.

    Raises ``ServiceError`` keyed by ``field`` when there is no usable code (none, used,
    or expired after ``CODE_LIFETIME``), when the code is wrong (counted: after
    ``MAX_WRONG`` wrong tries even the right code is refused), or when the number is not a
    mobile number. A wrong try is committed before raising, so this function must not run
    inside a caller's transaction that a raise would roll back.
    """
    now = now or timezone.now()
    number = _number(mobile, field)
    given = "".join((code or "").split())
    failure: StrOrPromise
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(purpose=purpose, mobile_digest=digest("mobile", number))
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None or row.used_at is not None:
            failure = CODE_NONE
        elif row.attempts >= MAX_WRONG:
            failure = CODE_LOCKED
        elif now >= row.expires_at:
            failure = CODE_EXPIRED
        else:
            right = hmac.compare_digest(row.code_hash, _code_hash(row, given))
            if right and row.delivered:
                # Compare-and-set: of two requests with the same code, one wins.
                if SmsCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
                    row.used_at = now
                    record_audit(
                        actor, "accounts.sms_code.use", row, meta={"purpose": str(purpose)}
                    )
                    return row
                failure = CODE_NONE
            else:
                row.attempts += 1
                row.save(update_fields=["attempts"])
                record_audit(
                    actor,
                    "accounts.sms_code.wrong",
                    row,
                    meta={"purpose": str(purpose), "attempts": row.attempts},
                )
                left = MAX_WRONG - row.attempts
                failure = CODE_WRONG % {"left": left} if left > 0 else CODE_LOCKED
    raise ServiceError({field: [failure]})


def sign_in_with_code(
    mobile: str, code: str, *, source: str = "", now: datetime | None = None
) -> User:
    """The account that a right sign-in code for ``mobile`` opens (the caller logs it in).

    Works while password sign-in is locked out (django-axes counts passwords only), and only
    for the accounts ``account_for_code`` allows. Audited as ``accounts.sign_in.sms_code``.
    Raises ``ServiceError`` keyed by ``code`` like ``check_code``; when the account stopped
    being eligible after the code was sent, with the neutral "ask for a new code".
    """
    check_code(SmsCodePurpose.SIGN_IN, mobile, code, source=source, now=now)
    user = account_for_code(_number(mobile, "code"))
    if user is None:
        raise ServiceError({"code": [CODE_NONE]})
    with transaction.atomic():
        record_audit(user, "accounts.sign_in.sms_code", user, meta={"method": "sms_code"})
    return user


def purge_codes(*, now: datetime | None = None) -> int:
    """Delete the code rows created more than ``KEEP`` ago (used, expired and dead alike:
    none of them can be used or counts towards a send limit any more). Returns how many.
    Bookkeeping of digests, not audited: the sends and uses themselves are."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _by_model = SmsCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted
