"""The platform's own member system: materials and form values from the base registries.

The one-network platform (一网通办) is a member of its own exchange, run by the data
authority (``zssj``): ``zssj.one-network``, 等保 level 3, key in an HSM in production. Its
calls go through the same gateway as anyone's (``ExchangeClient`` over ``DjangoTransport``,
in process): signed, decided against its grants, audited, with requester-side evidence kept
(``keep_evidence=True``). The originator is the data authority and the system account
``one-network`` (an official account of the platform, not the clerk who later handles the
case: at submission no clerk is involved yet, and the call is made on the applicant's
behalf under the platform's grant).

Registered in ``ExchangeConfig.ready`` (``register()``):

- material sources for ``tongban.cases.sharing``: the population registry gives the
  applicant's resident ID card and household register (居民身份证, 居民户口簿); the
  legal-person registry the business licence data of the business an agent acts for;
- a prefill provider: the applicant's name and household data, a business's registration.

Checks before anything counts as obtained: the record returned must be the applicant's (the
name and the masked ID number, or the credit code, must match; a record of another person
is refused as ``mismatch``); an agent must be an active member of the business whose credit
code is the key; a parent reads a newborn's record only through the parent's own household
(``household_member``). A refusal of the gateway (grant expired or revoked, field not
granted) makes the material ``unavailable`` with the reason; the gateway down, slow or rate
limited makes it ``pending``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import OrganisationMember, Role, RoleAssignment, User, UserKind
from tongban.cases import sharing
from tongban.cases.materials import RequiredMaterial
from tongban.cases.models import Case, SharedStatus
from tongban.core.identifiers import mask_resident_id
from tongban.org.models import Department

from . import services
from .client import (
    DjangoTransport,
    ExchangeClient,
    ExchangeRefused,
    TransportError,
)
from .levels import KeyProtection
from .models import DataResource, Grant, MemberSystem
from .signing import Originator, SignatureRefused, SigningKey

MEMBER_CODE = "zssj.one-network"
SYSTEM_ACCOUNT = "one-network"
AUTHORITY = "zssj"
PURPOSE = "一件事一次办：材料免提交与表单预填"
LEGAL_BASIS = (
    "《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（国发〔2018〕27号）；"
    "《国务院关于在线政务服务的若干规定》（国务院令第716号）；"
    "《中华人民共和国个人信息保护法》第十三条第一款第（三）项"
)
POPULATION = "zs.ga.population"
LEGAL_PERSONS = "zs.scjg.legal-persons"
POPULATION_FIELDS = (
    "person.name",
    "person.id_number",
    "household.address",
    "household.number",
    "household.relationship",
)
LEGAL_PERSON_FIELDS = (
    "enterprise.uscc",
    "enterprise.name",
    "enterprise.legal_representative",
    "enterprise.address",
    "enterprise.registration_status",
)
#: Gateway answers that mean "try again later", not "no".
_TRANSIENT = {429, 500, 502, 503, 504}


def _key_path() -> Path:
    return Path(settings.VAR_DIR) / "exchange" / f"{MEMBER_CODE}.key"


# --- the member and its grants --------------------------------------------------------------


@transaction.atomic
def load_platform_member() -> MemberSystem | None:
    """Create (once) the platform's member system of the data authority, its system
    account, its key (the private key written to ``VAR_DIR/exchange/`` with mode 600; an
    HSM holds it in production) and grants for the registries' fields under ``PURPOSE``.
    Returns None when the data authority or the registries are not loaded. Idempotent."""
    authority = Department.objects.filter(code=AUTHORITY).first()
    if authority is None:
        return None
    member, _created = MemberSystem.objects.update_or_create(
        code=MEMBER_CODE,
        defaults={
            "department": authority,
            "name": "一网通办平台",
            "name_en": "One-network service platform",
            "dengbao_grade": 3,
            "key_protection": KeyProtection.HSM,
        },
    )
    account, _new = User.objects.get_or_create(
        username=SYSTEM_ACCOUNT,
        defaults={
            "kind": UserKind.OFFICIAL,
            "real_name": "一网通办平台（系统账号）",
            "department": authority,
            "clearance": 3,
        },
    )
    if _new:
        account.set_unusable_password()
        account.save()
    RoleAssignment.objects.get_or_create(user=account, role=Role.CLERK, department=authority)
    path = _key_path()
    if not path.exists() or not member.keys.filter(valid_until__isnull=True).exists():
        issued = services.issue_member_key(
            member,
            actor=None,
            retire_others=True,
            now=timezone.now() - timedelta(minutes=1),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(f"{issued.key.key_id}\n{issued.key.algorithm}\n{issued.private_pem}")
        os.chmod(path, 0o600)
    for code, fields in ((POPULATION, POPULATION_FIELDS), (LEGAL_PERSONS, LEGAL_PERSON_FIELDS)):
        resource = DataResource.objects.filter(code=code).first()
        if resource is None or Grant.objects.filter(member=member, resource=resource).exists():
            continue
        grant = Grant.objects.create(
            member=member,
            resource=resource,
            purpose=PURPOSE,
            legal_basis=LEGAL_BASIS,
            expires_at=services.grant_expiry(timezone.now(), 365),
            rate_per_minute=600,
            rate_per_day=200_000,
        )
        grant.fields.set(list(resource.items.filter(code__in=fields)))
    return member


def platform_key() -> SigningKey | None:
    """The platform member's signing key from ``VAR_DIR`` (None before it is loaded)."""
    try:
        key_id, algorithm, pem = _key_path().read_text().split("\n", 2)
    except (OSError, ValueError):
        return None
    return SigningKey.from_pem(key_id, pem, algorithm)


def platform_client() -> ExchangeClient:
    """A client of this node's gateway as the platform member, keeping evidence. The
    transport is in process (``django.test.Client`` keeps the outer request's database
    connection open, which a nested WSGI call would close)."""
    key = platform_key()
    if key is None:
        raise TransportError("not_configured", _("The platform is not a member of the exchange."))
    return ExchangeClient(
        "http://localhost/exchange/v1/",
        key,
        Originator(department=AUTHORITY, official=SYSTEM_ACCOUNT),
        DjangoTransport(Client()),
        keep_evidence=True,
    )


# --- asking, with the checks --------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: str
    record: dict[str, str]
    reason: str = ""
    exchange_id: str = ""


def ask(resource: str, fields: Iterable[str], key: str, *, case: Case | None = None) -> Answer:
    """Query ``resource`` for ``key``; every failure is an ``Answer`` with a status
    (``pending`` for the gateway down or slow, ``unavailable`` for a refusal)."""
    wanted = list(fields)
    try:
        client = platform_client()
        number = case.number if case is not None else ""  # for the person's data-access log
        result = client.query(resource, wanted, PURPOSE, key, case=number)
    except ExchangeRefused as refused:
        status = SharedStatus.PENDING if refused.status in _TRANSIENT else SharedStatus.UNAVAILABLE
        return Answer(status, {}, _refusal_reason(refused.code or ""), refused.exchange_id or "")
    except (TransportError, SignatureRefused, OSError):
        return Answer(SharedStatus.PENDING, {}, _("the registry did not answer"))
    if not result.found:
        return Answer(
            SharedStatus.UNAVAILABLE,
            {},
            _("the registry holds no record for you."),
            result.exchange_id,
        )
    return Answer(SharedStatus.OBTAINED, result.record, "", result.exchange_id)


def _refusal_reason(code: str) -> str:
    if code in ("grant_expired", "grant_revoked", "no_grant"):
        return _("the platform's permission to read this registry has expired or was withdrawn.")
    if code == "rate_limited":
        return _("the registry is busy")
    return _("the registry refused the request (%(code)s).") % {"code": code}


def same_person(record: dict[str, str], user: Any) -> bool:
    """The record is ``user``'s: the same name and the same (masked) ID number."""
    own = (user.id_number or "").strip().upper()
    given = (record.get("person.id_number") or "").strip().upper()
    name_ok = (record.get("person.name") or "").strip() == (user.real_name or "").strip()
    if not own or not given or not name_ok:
        return False
    return given == own or given == mask_resident_id(own)


def household_member(parent: User, child_key: str) -> Answer:
    """The newborn's (or another family member's) record, read only through the parent's
    household: refused unless both records carry the same household number."""
    own = ask(POPULATION, POPULATION_FIELDS, parent.id_number or "")
    if own.status != SharedStatus.OBTAINED:
        return own
    if not same_person(own.record, parent):
        return Answer(SharedStatus.MISMATCH, {}, _("the record returned is not yours."))
    child = ask(POPULATION, POPULATION_FIELDS, child_key)
    if child.status != SharedStatus.OBTAINED:
        return child
    household = own.record.get("household.number", "")
    if not household or child.record.get("household.number", "") != household:
        return Answer(
            SharedStatus.MISMATCH,
            {},
            _("that person is not registered in your household."),
            child.exchange_id,
        )
    return child


# --- the material sources -----------------------------------------------------------------


class PopulationSource:
    """居民身份证 and 居民户口簿 from the population registry (公安人口库)."""

    code = "exchange.population"
    materials = frozenset({"M-ID-CARD", "M-HOUSEHOLD-BOOK"})

    def label(self) -> str:
        return _("the population registry (public security bureau)")

    def provides(self, material_code: str) -> bool:
        # Not a member yet (no key loaded): the platform fetches nothing; files are uploaded.
        return material_code in self.materials and _key_path().exists()

    def fetch(
        self, case: Case | None, material: RequiredMaterial, applicant: sharing.Applicant
    ) -> sharing.SharedResult:
        user = applicant.user
        if not user.id_number:
            return self._result(SharedStatus.UNAVAILABLE, reason=_("your ID number is not known."))
        answer = ask(POPULATION, POPULATION_FIELDS, user.id_number, case=case)
        if answer.status != SharedStatus.OBTAINED:
            return self._result(answer.status, reason=answer.reason, exchange_id=answer.exchange_id)
        if not same_person(answer.record, user):
            return self._result(
                SharedStatus.MISMATCH,
                reason=_("the record returned is not yours, so it was not used."),
                exchange_id=answer.exchange_id,
            )
        check = _("name and ID number match the applicant")
        if material.code == "M-HOUSEHOLD-BOOK":
            if not answer.record.get("household.number"):
                return self._result(
                    SharedStatus.UNAVAILABLE,
                    reason=_("no household registration was found for you."),
                    exchange_id=answer.exchange_id,
                )
            check = _("household registration found; name and ID number match the applicant")
        return self._result(
            SharedStatus.OBTAINED, verification=check, exchange_id=answer.exchange_id
        )

    def _result(self, status: str, **kwargs: Any) -> sharing.SharedResult:
        return sharing.SharedResult(status, self.label(), fetched_at=timezone.now(), **kwargs)


class LegalPersonSource(PopulationSource):
    """The business's registration (营业执照 data) from the legal-person registry (法人库), for
    an agent who is an active member of that business; the credit code is the key."""

    code = "exchange.legal-persons"
    materials = frozenset({"M-BIZ-LICENCE"})

    def label(self) -> str:
        return _("the legal-person registry (market regulation bureau)")

    def fetch(
        self, case: Case | None, material: RequiredMaterial, applicant: sharing.Applicant
    ) -> sharing.SharedResult:
        organisation = applicant.organisation
        if organisation is None:
            return self._result(
                SharedStatus.UNAVAILABLE, reason=_("you are not applying for a business.")
            )
        if not OrganisationMember.objects.filter(
            organisation=organisation, user=applicant.user, is_active=True
        ).exists():
            return self._result(
                SharedStatus.UNAVAILABLE,
                reason=_("you are not registered as acting for this business."),
            )
        uscc = organisation.uscc.strip().upper()
        answer = ask(LEGAL_PERSONS, LEGAL_PERSON_FIELDS, uscc, case=case)
        if answer.status != SharedStatus.OBTAINED:
            return self._result(answer.status, reason=answer.reason, exchange_id=answer.exchange_id)
        if (answer.record.get("enterprise.uscc") or "").strip().upper() != uscc:
            return self._result(
                SharedStatus.MISMATCH,
                reason=_("the record returned is of another business, so it was not used."),
                exchange_id=answer.exchange_id,
            )
        return self._result(
            SharedStatus.OBTAINED,
            verification=_("credit code matches; registration status: %(status)s")
            % {"status": answer.record.get("enterprise.registration_status", "—")},
            exchange_id=answer.exchange_id,
        )


# --- the prefill provider -----------------------------------------------------------------


class RegistryPrefill:
    """Household address (population registry) and a business's registration (legal-person
    registry), each marked with its source; a value the applicant corrects is reported to
    the provider as a data correction (数据纠错) by the platform's system account."""

    code = "exchange.registries"
    PERSON = {"household.address": "household.address"}
    BUSINESS = {
        "enterprise.name": "enterprise.name",
        "enterprise.address": "enterprise.address",
        "enterprise.legal_representative": "enterprise.legal_representative",
    }

    def prefill(
        self, element_codes: Iterable[str], applicant: sharing.Applicant
    ) -> dict[str, sharing.PrefilledValue]:
        wanted = set(element_codes)
        out: dict[str, sharing.PrefilledValue] = {}
        user = applicant.user
        person = {e: i for e, i in self.PERSON.items() if e in wanted}
        if person and user.id_number:
            answer = ask(POPULATION, POPULATION_FIELDS, user.id_number)
            if answer.status == SharedStatus.OBTAINED and same_person(answer.record, user):
                label = PopulationSource().label()
                for element, item in person.items():
                    if answer.record.get(item):
                        out[element] = sharing.PrefilledValue(
                            answer.record[item], PopulationSource.code, label, answer.exchange_id
                        )
        business = {e: i for e, i in self.BUSINESS.items() if e in wanted}
        organisation = applicant.organisation
        if business and organisation is not None:
            uscc = organisation.uscc.strip().upper()
            answer = ask(LEGAL_PERSONS, LEGAL_PERSON_FIELDS, uscc)
            if (
                answer.status == SharedStatus.OBTAINED
                and (answer.record.get("enterprise.uscc") or "").upper() == uscc
            ):
                label = LegalPersonSource().label()
                for element, item in business.items():
                    if answer.record.get(item):
                        out[element] = sharing.PrefilledValue(
                            answer.record[item], LegalPersonSource.code, label, answer.exchange_id
                        )
        return out

    def report_correction(
        self,
        element_code: str,
        wrong: sharing.PrefilledValue,
        corrected: str,
        applicant: sharing.Applicant,
    ) -> None:
        from .corrections import ReportInput, report

        if element_code in self.PERSON:
            resource_code, item_code = POPULATION, self.PERSON[element_code]
            key = applicant.user.id_number or ""
        else:
            resource_code, item_code = LEGAL_PERSONS, self.BUSINESS[element_code]
            key = applicant.organisation.uscc if applicant.organisation else ""
        resource = DataResource.objects.get(code=resource_code)
        actor = User.objects.get(username=SYSTEM_ACCOUNT)
        report(
            resource,
            ReportInput(
                item=resource.items.get(code=item_code),
                record_key=key,
                description=_("The applicant corrected this value while applying online."),
                proposed_value=corrected,
            ),
            actor=actor,
        )


def register() -> None:
    """Called from ``ExchangeConfig.ready``: the exchange's sources and provider."""
    sharing.register_material_source(PopulationSource())
    sharing.register_material_source(LegalPersonSource())
    sharing.register_prefill_provider(RegistryPrefill())
