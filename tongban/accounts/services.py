"""Use cases that change people and the organisations they act for.

Every function here is one use case: it runs in one transaction, takes plain arguments and
the acting user, and writes an audit record. Bad input raises ``ServiceError`` (a
``ValidationError`` whose keys are field names, so a form shows each message beside its
field); an actor without the right raises ``PermissionDenied``. Nothing is written when an
error is raised.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts import smscodes
from tongban.accounts.identity import RefusalReason, get_identity_provider
from tongban.accounts.models import (
    AssuranceLevel,
    MemberRole,
    Organisation,
    OrganisationMember,
    OrganisationType,
    PendingRegistration,
    SmsCodePurpose,
    User,
    UserKind,
)
from tongban.accounts.passwords import password_validators
from tongban.core.audit import record_audit
from tongban.core.crypto.fields import digest
from tongban.core.errors import ErrorCollector, ServiceError
from tongban.core.identifiers import (
    INVISIBLE_CHARACTERS,
    parse_resident_id,
    validate_mobile,
    validate_uscc,
)

USERNAME_PREFIX = "u"

logger = logging.getLogger(__name__)

ID_NUMBER_UNUSABLE = _(
    "This ID number cannot be used to register. If you already have an account, sign in, "
    "or reset it at a service hall or through the 12345 hotline."
)
MOBILE_UNUSABLE = _(
    "This mobile number cannot be used to register. If you already have an account, "
    "sign in, or reset it at a service hall or through the 12345 hotline."
)
AGENT_UNUSABLE = _(
    "This person cannot be added as an agent. Check the ID number with them: they need "
    "their own citizen account on this platform."
)
ALREADY_AGENT = _("This person is already an agent of the business.")
IS_LEGAL_REPRESENTATIVE = _("This is the legal representative, who already acts for the business.")


def _new_username() -> str:
    """A short random login name that never looks like an ID or mobile number."""
    while True:
        username = USERNAME_PREFIX + secrets.token_hex(4)
        if not User.objects.filter(username=username).exists():
            return username


NAME_HIDDEN_CHARACTERS = _(
    "The name contains an invisible or text-direction control character (often copied "
    "with the text from a web page or a chat): type the name again instead of pasting it."
)


def _has_hidden_characters(value: str) -> bool:
    """True if ``value`` holds a bidi control or zero-width character (core.identifiers'
    list) or another control character: a right-to-left override makes a name read
    differently on screen than it is stored, e.g. in a business name on a licence."""
    return any(c in INVISIBLE_CHARACTERS or unicodedata.category(c) in ("Cc", "Cf") for c in value)


def _clean_text(
    value: str, field: str, errors: ErrorCollector, *, max_length: int, missing: Any, too_long: Any
) -> str:
    """Collapse whitespace; record ``missing``, ``too_long`` (with %(max)d) or
    ``NAME_HIDDEN_CHARACTERS`` as needed (every caller cleans a name)."""
    value = " ".join((value or "").split())
    if not value:
        errors.add(field, str(missing))
    elif _has_hidden_characters(value):
        errors.add(field, str(NAME_HIDDEN_CHARACTERS))
    elif len(value) > max_length:
        errors.add(field, too_long % {"max": max_length})
    return value


def _citizen_from_input(
    real_name: str, id_number: str, phone: str, password: str, email: str
) -> tuple[User, ErrorCollector]:
    """An unsaved citizen built from the input, and every problem found in it."""
    errors = ErrorCollector()
    real_name = _clean_text(
        real_name,
        "real_name",
        errors,
        max_length=60,
        missing=_("Enter your real name as it is on your ID card."),
        too_long=_("Your name must be %(max)d characters or fewer."),
    )

    number = ""
    try:
        number = parse_resident_id(id_number).number
    except ValidationError as exc:
        errors.add("id_number", exc)
    # Registration cannot help saying that a number is taken, but says no more than that.
    if number and User.objects.by_id_number(number).exists():
        errors.add("id_number", ID_NUMBER_UNUSABLE)

    mobile = ""
    try:
        mobile = validate_mobile(phone)
    except ValidationError as exc:
        errors.add("phone", exc)
    if mobile and User.objects.by_phone(mobile).exists():
        errors.add("phone", MOBILE_UNUSABLE)

    email = (email or "").strip()
    user = User(
        username=_new_username(),
        kind=UserKind.CITIZEN,
        real_name=real_name,
        id_number=number or None,
        phone=mobile or None,
        email=email,
        assurance_level=AssuranceLevel.SELF_DECLARED,
    )
    try:
        validate_password(password or "", user=user, password_validators=password_validators())
    except ValidationError as exc:
        errors.add("password", exc)
    return user, errors


def check_citizen_registration(
    *, real_name: str, id_number: str, phone: str, password: str, email: str = ""
) -> None:
    """Check a registration without writing anything (for forms that show every problem).

    Raises ``ServiceError`` exactly as ``register_citizen`` would.
    """
    _citizen_from_input(real_name, id_number, phone, password, email)[1].raise_if_any()


@transaction.atomic
def register_citizen(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    password: str,
    email: str = "",
    actor: User | None = None,
) -> User:
    """Create a citizen account with a self-declared identity and return it.

    No identity proofing and no SMS code: for staff-assisted or data-loading use. The public
    registration pages use ``start_citizen_registration`` and ``confirm_citizen_registration``,
    which create accounts with a verified identity.

    The login name is generated (never the ID number). Raises ``ServiceError`` keyed by
    ``real_name``, ``id_number``, ``phone`` or ``password`` when a value is invalid or the
    ID number or mobile number cannot be used (it belongs to an account; the message does
    not say so outright).
    """
    user, errors = _citizen_from_input(real_name, id_number, phone, password, email)
    errors.raise_if_any()
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent registration took the ID number or phone
        raise ServiceError({"id_number": [ID_NUMBER_UNUSABLE]}) from None
    record_audit(
        actor or user,
        "accounts.citizen.register",
        user,
        meta={"assurance_level": int(user.assurance_level), "email_given": bool(user.email)},
    )
    return user


def _organisation_from_input(
    user: User,
    name: str,
    uscc: str,
    org_type: str,
    legal_representative: str,
    address: str,
) -> tuple[Organisation, ErrorCollector]:
    """An unsaved organisation built from the input, and every problem found in it."""
    errors = ErrorCollector()
    name = _clean_text(
        name,
        "name",
        errors,
        max_length=200,
        missing=_("Enter the business name as it is on the business licence."),
        too_long=_("The business name must be %(max)d characters or fewer."),
    )
    legal_representative = _clean_text(
        legal_representative,
        "legal_representative",
        errors,
        max_length=60,
        missing=_("Enter the name of the legal representative."),
        too_long=_("The legal representative's name must be %(max)d characters or fewer."),
    )
    address = " ".join((address or "").split())
    if len(address) > 200:
        errors.add("address", _("The address must be 200 characters or fewer."))

    code = ""
    try:
        code = validate_uscc(uscc)
    except ValidationError as exc:
        errors.add("uscc", exc)
    if code and Organisation.objects.filter(uscc=code).exists():
        errors.add(
            "uscc",
            _(
                "This business is already registered. Ask its legal representative to add "
                "you as an agent."
            ),
        )
    if org_type not in OrganisationType.values:
        errors.add("org_type", _("Choose the type of organisation."))
    # Until identity proofing against the business register exists, only the legal
    # representative may add a business, and agents are added by them (``add_agent``).
    if legal_representative and legal_representative != user.real_name:
        errors.add(
            "legal_representative",
            _(
                "Only the legal representative can add a business, so this must be the real "
                "name on your account. If someone else is the legal representative, ask them "
                "to add the business and then add you as an agent."
            ),
        )
    org = Organisation(
        name=name,
        uscc=code,
        org_type=org_type,
        legal_representative=legal_representative,
        address=address,
    )
    return org, errors


def check_organisation_registration(
    *,
    user: User,
    name: str,
    uscc: str,
    org_type: str,
    legal_representative: str,
    address: str,
) -> None:
    """Check a business registration without writing anything.

    Raises ``ServiceError`` exactly as ``register_organisation`` would.
    """
    _organisation_from_input(user, name, uscc, org_type, legal_representative, address)[
        1
    ].raise_if_any()


@transaction.atomic
def register_organisation(
    *,
    user: User,
    name: str,
    uscc: str,
    org_type: str,
    legal_representative: str,
    address: str,
) -> Organisation:
    """Register a business (or other organisation) by its credit code, for ``user``.

    ``user`` becomes its legal representative: self-registration as an agent is not
    offered, since nothing yet proves a claim to act for someone else's business. Raises
    ``PermissionDenied`` if ``user`` is not a citizen, and ``ServiceError`` keyed by field
    when the credit code is invalid or already registered, or when the legal
    representative named is not ``user``'s real name.
    """
    if not user.is_authenticated or user.kind != UserKind.CITIZEN:
        raise PermissionDenied(_("Only citizen accounts can register a business."))
    org, errors = _organisation_from_input(
        user, name, uscc, org_type, legal_representative, address
    )
    errors.raise_if_any()
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise ServiceError({"uscc": [_("This business is already registered.")]}) from None
    role = MemberRole.LEGAL_REPRESENTATIVE
    OrganisationMember.objects.create(organisation=org, user=user, role=role)
    record_audit(
        user,
        "accounts.organisation.register",
        org,
        meta={"org_type": org_type, "role": role},
    )
    return org


def _require_legal_representative(org: Organisation, actor: User) -> None:
    if not OrganisationMember.objects.filter(
        organisation=org, user_id=actor.pk, role=MemberRole.LEGAL_REPRESENTATIVE, is_active=True
    ).exists():
        raise PermissionDenied(_("Only the legal representative can manage agents."))


def _membership(org: Organisation, user: User) -> OrganisationMember | None:
    """``user``'s membership of ``org``, active or not, locked for update."""
    return (
        OrganisationMember.objects.select_for_update().filter(organisation=org, user=user).first()
    )


@transaction.atomic
def add_agent(org: Organisation, *, id_number: str, actor: User) -> OrganisationMember:
    """Let the registered citizen with ``id_number`` act for ``org`` as an agent.

    Raises ``PermissionDenied`` unless ``actor`` is the organisation's active legal
    representative; ``ServiceError`` keyed ``id_number`` when the number is invalid, when
    it names no active citizen (one message whether or not it is registered at all, so the
    form does not tell who has an account), or when that person already acts for the
    organisation (also when a simultaneous request added them first).
    """
    _require_legal_representative(org, actor)
    try:
        number = parse_resident_id(id_number).number
    except ValidationError as exc:
        raise ServiceError({"id_number": exc.error_list}) from None
    agent = User.objects.by_id_number(number).filter(kind=UserKind.CITIZEN, is_active=True).first()
    if agent is None:
        raise ServiceError({"id_number": [AGENT_UNUSABLE]})
    member = _membership(org, agent)
    if member is not None and member.is_active:
        if member.role == MemberRole.LEGAL_REPRESENTATIVE:
            raise ServiceError({"id_number": [IS_LEGAL_REPRESENTATIVE]})
        raise ServiceError({"id_number": [ALREADY_AGENT]})
    if member is None:
        try:
            with transaction.atomic():  # a savepoint, so the error leaves the transaction usable
                member = OrganisationMember.objects.create(
                    organisation=org, user=agent, role=MemberRole.AGENT
                )
        except IntegrityError:  # a simultaneous request added the same person
            raise ServiceError({"id_number": [ALREADY_AGENT]}) from None
    else:
        member.role = MemberRole.AGENT
        member.is_active = True
        member.save(update_fields=["role", "is_active"])
    record_audit(actor, "accounts.organisation.agent_add", member, meta={"role": member.role})
    return member


@transaction.atomic
def remove_agent(org: Organisation, *, agent: User, actor: User) -> OrganisationMember:
    """Stop ``agent`` acting for ``org``; the membership is kept, inactive, for history.

    Raises ``PermissionDenied`` unless ``actor`` is the active legal representative;
    ``ServiceError`` when ``agent`` is not an active agent of the organisation.
    """
    _require_legal_representative(org, actor)
    member = OrganisationMember.objects.filter(
        organisation=org, user=agent, role=MemberRole.AGENT, is_active=True
    ).first()
    if member is None:
        raise ServiceError({"agent": [_("This person is not an agent of the business.")]})
    member.is_active = False
    member.save(update_fields=["is_active"])
    record_audit(actor, "accounts.organisation.agent_remove", member, meta={"role": member.role})
    return member


# --- Registration with identity proofing (two steps: identity + SMS code) -------------------

PENDING_KEPT = timedelta(days=1)  # abandoned registrations are deleted after this

IDENTITY_REFUSED = _(
    "The identity service could not confirm this name and ID number. Check that both are "
    "exactly as on your resident ID card."
)
IDENTITY_NAME_REFUSED = _("Check that your name is exactly as on your resident ID card.")
IDENTITY_UNAVAILABLE = _(
    "The identity service cannot be reached at the moment. Nothing has been saved: try "
    "again in a few minutes."
)
REGISTRATION_GONE = _(
    "This registration has ended or was not found. Start again: enter your details once more."
)


@transaction.atomic
def start_citizen_registration(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    password: str,
    email: str = "",
    source: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> PendingRegistration:
    """Check a registration, prove the identity and send a 6-digit code to the mobile.

    The identity provider (``identity.get_identity_provider()``) must confirm the real name
    and ID number; the code comes from ``smscodes.send_code`` (``source`` is the client's
    address, for its limits). Returns the pending registration; its ``token`` identifies it
    to ``confirm_citizen_registration``. Raises ``ServiceError`` like ``register_citizen``,
    or keyed by ``real_name`` and ``id_number`` when the provider refuses (or by
    ``id_number`` when it cannot be reached), or keyed by ``phone`` when a send limit of the
    mobile number or source is reached; nothing is written or sent then. An earlier pending
    registration of the same ID number or mobile number is replaced, and pending
    registrations older than a day are deleted.
    """
    now = now or timezone.now()
    user, errors = _citizen_from_input(real_name, id_number, phone, password, email)
    errors.raise_if_any()
    try:
        verdict = get_identity_provider().verify(user.real_name, user.id_number or "")
    except Exception:  # an adapter's network or protocol failure must not become a 500
        logger.exception("Identity provider failed")
        raise ServiceError({"id_number": [IDENTITY_UNAVAILABLE]}) from None
    if not verdict.ok:
        if verdict.reason == RefusalReason.UNAVAILABLE:
            raise ServiceError({"id_number": [IDENTITY_UNAVAILABLE]})
        raise ServiceError({"real_name": [IDENTITY_NAME_REFUSED], "id_number": [IDENTITY_REFUSED]})
    same_person = Q(created_at__lt=now - PENDING_KEPT)
    for column, found in (
        ("id_number_digest", digest("resident_id", user.id_number)),
        ("phone_digest", digest("mobile", user.phone)),
    ):
        if found:  # (never None here: both were validated; None would mean IS NULL)
            same_person |= Q(**{column: found})
    PendingRegistration.objects.filter(same_person).delete()
    pending = PendingRegistration(
        token=secrets.token_urlsafe(32),
        real_name=user.real_name,
        id_number=user.id_number or "",
        phone=user.phone or "",
        email=user.email,
        password_hash=make_password(password),
    )
    smscodes.send_code(
        SmsCodePurpose.REGISTRATION, pending.phone, source=source, actor=actor, now=now,
        field="phone",
    )  # fmt: skip
    pending.save()
    record_audit(actor, "accounts.registration.start", pending, meta={"identity": "verified"})
    return pending


def pending_registration(token: str) -> PendingRegistration | None:
    """The pending registration with this token, or None."""
    if not token:
        return None
    return PendingRegistration.objects.filter(token=token).first()


@transaction.atomic
def resend_registration_code(
    *, token: str, source: str = "", actor: User | None = None, now: datetime | None = None
) -> PendingRegistration:
    """Send a new code for a pending registration (the old one stops working).

    Raises ``ServiceError`` keyed by ``code`` when the registration is gone, or when a send
    limit of ``smscodes.send_code`` is reached (one a minute, five an hour per number).
    """
    pending = PendingRegistration.objects.select_for_update().filter(token=token).first()
    if pending is None:
        raise ServiceError({"code": [REGISTRATION_GONE]})
    smscodes.send_code(
        SmsCodePurpose.REGISTRATION, pending.phone, source=source, actor=actor, now=now,
        field="code",
    )  # fmt: skip
    record_audit(actor, "accounts.registration.resend", pending)
    return pending


def confirm_citizen_registration(
    *,
    token: str,
    code: str,
    source: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> User:
    """Create the account of a pending registration, with assurance VERIFIED, if ``code``
    is the code last sent to its mobile; the pending registration is then deleted.

    Raises ``ServiceError`` keyed by ``code`` when the registration is gone, or when
    ``smscodes.check_code`` refuses the code (none, expired, wrong, or too many wrong
    tries); or keyed by ``id_number`` when the ID or mobile number was registered in the
    meantime. No account is created then, but a wrong code is counted: the count is
    committed before raising, so this function is not wrapped in a single transaction.
    """
    pending = pending_registration(token)
    if pending is None:
        raise ServiceError({"code": [REGISTRATION_GONE]})
    smscodes.check_code(
        SmsCodePurpose.REGISTRATION, pending.phone, code, source=source, actor=actor, now=now
    )
    with transaction.atomic():
        return _create_verified_citizen(pending, actor)


def _create_verified_citizen(pending: PendingRegistration, actor: User | None) -> User:
    taken = (
        User.objects.by_id_number(pending.id_number).exists()
        or User.objects.by_phone(pending.phone).exists()
    )
    if taken:
        raise ServiceError({"id_number": [ID_NUMBER_UNUSABLE]})
    user = User(
        username=_new_username(),
        kind=UserKind.CITIZEN,
        real_name=pending.real_name,
        id_number=pending.id_number,
        phone=pending.phone,
        email=pending.email,
        assurance_level=AssuranceLevel.VERIFIED,
        password=pending.password_hash,
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent registration took the ID number or phone
        raise ServiceError({"id_number": [ID_NUMBER_UNUSABLE]}) from None
    record_audit(
        actor or user,
        "accounts.citizen.register",
        user,
        meta={
            "assurance_level": int(user.assurance_level),
            "email_given": bool(user.email),
            "identity_proofed": True,
        },
    )
    pending.delete()
    return user
