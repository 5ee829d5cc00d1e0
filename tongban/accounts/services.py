"""Use cases that change people and the organisations they act for.

Every function here is one use case: it runs in one transaction, takes plain arguments and
the acting user, and writes an audit record. Bad input raises ``ServiceError`` (a
``ValidationError`` whose keys are field names, so a form shows each message beside its
field); an actor without the right raises ``PermissionDenied``. Nothing is written when an
error is raised.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tongban.accounts.models import (
    AssuranceLevel,
    MemberRole,
    Organisation,
    OrganisationMember,
    OrganisationType,
    User,
    UserKind,
)
from tongban.accounts.passwords import password_validators
from tongban.core.audit import record_audit
from tongban.core.identifiers import parse_resident_id, validate_mobile, validate_uscc

USERNAME_PREFIX = "u"

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


class ServiceError(ValidationError):
    """Invalid input for a use case; ``message_dict`` maps field names to messages."""


class _Errors:
    """Collects field errors so that a form shows every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = defaultdict(list)

    def add(self, field: str, error: ValidationError | StrOrPromise) -> None:
        if isinstance(error, ValidationError):
            self.by_field[field].extend(error.error_list)
        else:
            self.by_field[field].append(ValidationError(error))

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ServiceError(dict(self.by_field))


def _new_username() -> str:
    """A short random login name that never looks like an ID or mobile number."""
    while True:
        username = USERNAME_PREFIX + secrets.token_hex(4)
        if not User.objects.filter(username=username).exists():
            return username


def _clean_text(
    value: str, field: str, errors: _Errors, *, max_length: int, missing: Any, too_long: Any
) -> str:
    """Collapse whitespace; record ``missing`` or ``too_long`` (with %(max)d) as needed."""
    value = " ".join((value or "").split())
    if not value:
        errors.add(field, str(missing))
    elif len(value) > max_length:
        errors.add(field, too_long % {"max": max_length})
    return value


def _citizen_from_input(
    real_name: str, id_number: str, phone: str, password: str, email: str
) -> tuple[User, _Errors]:
    """An unsaved citizen built from the input, and every problem found in it."""
    errors = _Errors()
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
    if number and User.objects.filter(id_number=number).exists():
        errors.add("id_number", ID_NUMBER_UNUSABLE)

    mobile = ""
    try:
        mobile = validate_mobile(phone)
    except ValidationError as exc:
        errors.add("phone", exc)
    if mobile and User.objects.filter(phone=mobile).exists():
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
) -> tuple[Organisation, _Errors]:
    """An unsaved organisation built from the input, and every problem found in it."""
    errors = _Errors()
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
    agent = User.objects.filter(id_number=number, kind=UserKind.CITIZEN, is_active=True).first()
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
