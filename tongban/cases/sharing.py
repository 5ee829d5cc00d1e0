"""Materials and form values the platform fetches instead of asking for them (免提交, 预填).

Two extension points, filled by later apps when they load (``cases`` imports none of them):

- **material sources** (``MaterialSource``): a required material the catalogue marks as
  obtainable through sharing (``Material.can_be_waived``) is fetched at submission from the
  department that holds it, on the applicant's behalf, instead of being uploaded. The
  exchange registers the base registries (人口库, 法人库: ``tongban.exchange.prefill``); the
  licences app may register the held e-licences.
- **prefill providers** (``PrefillProvider``): values of the form's data elements read from a
  registry, each marked with its source, for the applicant to confirm or correct.

At submission (``fetch_for_submission``) every waivable material without an upload is
fetched from its source. Obtained: it is recorded as a ``SharedMaterial`` of the case (where
from, when, how it was verified, the exchange id), no file. Refused (no record, a record of
another person, an expired grant, a relation that is not allowed): the submission is refused
with the reason beside the material, so the applicant uploads it; the draft stays as it was.
The source down or slow: the same, and the applicant may instead submit and let the
platform fetch it later (``fetch_later``): the case is made with the material ``pending``
and the outbox (``cases.shared_material_fetch``) retries until it is obtained or given up.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.catalog.models import Bundle, ServiceItem
from tongban.core import outbox
from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.transitions import move

from .materials import RequiredMaterial, required_materials
from .models import Case, SharedMaterial, SharedStatus
from .transitions import SHARED, SharedAction

logger = logging.getLogger(__name__)

FETCH_KIND = "cases.shared_material_fetch"


# --- what a source answers ------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """Whom a material or a value is fetched for: the person applying and, when they act
    for a business (an agent, 经办人), that organisation."""

    user: User
    organisation: Any = None


@dataclass(frozen=True)
class SharedResult:
    """A source's answer for one material.

    ``status``: ``obtained`` (the record is the applicant's and was verified),
    ``unavailable`` (no record, grant expired or refused, relation not allowed: upload it),
    ``mismatch`` (the record returned belongs to someone else: refused, upload it) or
    ``pending`` (the source is down or slow: try again later). ``reason`` says why in the
    user's language; ``verification`` how an obtained record was checked; ``exchange_id`` the
    exchange's id of the call (evidence). No value of the record is carried."""

    status: str
    source_label: str
    verification: str = ""
    reason: str = ""
    exchange_id: str = ""
    fetched_at: datetime | None = None

    @property
    def obtained(self) -> bool:
        return self.status == SharedStatus.OBTAINED


@runtime_checkable
class MaterialSource(Protocol):
    """A holder of materials the platform may fetch instead of asking for an upload."""

    #: A stable code (``exchange.population``), recorded with each fetched material.
    code: str

    def label(self) -> str:
        """The source's name for people (the department and its registry)."""

    def provides(self, material_code: str) -> bool:
        """Whether this source can give the material ``material_code`` at all."""

    def fetch(
        self, case: Case | None, material: RequiredMaterial, applicant: Applicant
    ) -> SharedResult:
        """Fetch ``material`` for ``applicant`` (``case`` is None before the case exists, at
        submission). Never raises for a source that is down: answers ``pending``."""


@dataclass(frozen=True)
class PrefilledValue:
    """One form value read from a registry: the value and where it came from
    (``provider_code``: the provider that gave it, stamped by ``prefilled_values``)."""

    value: str
    source_code: str
    source_label: str
    exchange_id: str = ""
    provider_code: str = ""


@runtime_checkable
class PrefillProvider(Protocol):
    """A registry that can fill data elements of a form for the applicant to confirm."""

    code: str

    def prefill(
        self, element_codes: Iterable[str], applicant: Applicant
    ) -> dict[str, PrefilledValue]:
        """Values for those of ``element_codes`` it holds for ``applicant`` (element code ->
        value). Returns ``{}`` when the registry is down: the applicant types them."""

    def report_correction(
        self, element_code: str, wrong: PrefilledValue, corrected: str, applicant: Applicant
    ) -> None:
        """The applicant corrected a value it gave: tell the provider (数据纠错)."""


# --- the registries -------------------------------------------------------------------------

# Filled once when the apps load (like the outbox handlers): read-only afterwards.
_MATERIAL_SOURCES: list[MaterialSource] = []
_PREFILL_PROVIDERS: list[PrefillProvider] = []


def register_material_source(source: MaterialSource) -> None:
    """Add ``source`` (replacing one of the same code: ``ready`` may run twice)."""
    _MATERIAL_SOURCES[:] = [s for s in _MATERIAL_SOURCES if s.code != source.code] + [source]


def register_prefill_provider(provider: PrefillProvider) -> None:
    """Add ``provider`` (replacing one of the same code)."""
    _PREFILL_PROVIDERS[:] = [p for p in _PREFILL_PROVIDERS if p.code != provider.code] + [provider]


def material_sources() -> list[MaterialSource]:
    return list(_MATERIAL_SOURCES)


def prefill_providers() -> list[PrefillProvider]:
    return list(_PREFILL_PROVIDERS)


@contextmanager
def sources_override(
    *sources: MaterialSource, providers: Iterable[PrefillProvider] = ()
) -> Iterator[None]:
    """Inside the block only ``sources`` and ``providers`` are registered (tests)."""
    saved = list(_MATERIAL_SOURCES), list(_PREFILL_PROVIDERS)
    _MATERIAL_SOURCES[:] = list(sources)
    _PREFILL_PROVIDERS[:] = list(providers)
    try:
        yield
    finally:
        _MATERIAL_SOURCES[:], _PREFILL_PROVIDERS[:] = saved


def source_for(material_code: str) -> MaterialSource | None:
    """The first registered source that provides ``material_code``."""
    for source in _MATERIAL_SOURCES:
        if source.provides(material_code):
            return source
    return None


def source_by_code(code: str) -> MaterialSource | None:
    return next((s for s in _MATERIAL_SOURCES if s.code == code), None)


def fetchable(target: ServiceItem | Bundle) -> dict[str, MaterialSource]:
    """Material code -> its source, for the required materials of ``target`` the catalogue
    marks obtainable through sharing and a registered source provides (the apply page says
    "we will fetch this from …" for them)."""
    found: dict[str, MaterialSource] = {}
    for material in required_materials(target):
        if material.required and material.can_be_waived:
            source = source_for(material.code)
            if source is not None:
                found[material.code] = source
    return found


# --- at submission --------------------------------------------------------------------------


class SharingRefused(ServiceError):
    """The submission cannot go on as it is: some materials could not be fetched. The
    messages name the fields ``material_<code>``; ``down`` are the codes whose source did
    not answer (the applicant may upload them or let the platform fetch them later)."""

    def __init__(self, errors: dict[str, list[str]], down: set[str]) -> None:
        super().__init__(errors)
        self.down = down


@dataclass
class SharingPlan:
    """What ``fetch_for_submission`` found: obtained results and materials to fetch later
    (by code, with their source), and the problems to show."""

    obtained: dict[str, tuple[MaterialSource, SharedResult]] = field(default_factory=dict)
    later: dict[str, MaterialSource] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)


def safe_fetch(
    source: MaterialSource, case: Case | None, material: RequiredMaterial, applicant: Applicant
) -> SharedResult:
    """``source.fetch``; an exception of a badly behaved source counts as the source down."""
    try:
        return source.fetch(case, material, applicant)
    except Exception:  # a source's bug must not lose the application
        logger.exception("material source %s failed", source.code)
        return SharedResult(
            SharedStatus.PENDING,
            source.label(),
            reason=_("the source did not answer"),
            fetched_at=timezone.now(),
        )


def fetch_for_submission(
    target: ServiceItem | Bundle,
    applicant: Applicant,
    uploaded: Iterable[str],
    *,
    fetch_later: Iterable[str] = (),
) -> SharingPlan:
    """Fetch every required, waivable material of ``target`` that was not uploaded and that
    a source provides. ``fetch_later``: codes the applicant agreed to let the platform fetch
    after submission (their source was down); they are not fetched now."""
    plan = SharingPlan()
    have = set(uploaded)
    later = set(fetch_later)
    for material in required_materials(target):
        if not (material.required and material.can_be_waived) or material.code in have:
            continue
        source = source_for(material.code)
        if source is None:
            continue
        if material.code in later:
            plan.later[material.code] = source
            continue
        result = safe_fetch(source, None, material, applicant)
        key = f"material_{material.code}"
        names = {"material": material.name, "source": result.source_label or source.label()}
        if result.obtained:
            plan.obtained[material.code] = (source, result)
        elif result.status == SharedStatus.PENDING:
            plan.down.add(material.code)
            plan.problems[key] = [
                _(
                    "%(material)s: %(source)s could not be reached just now (%(reason)s). "
                    "Upload the file, or choose to let us fetch it after you submit."
                )
                % {**names, "reason": result.reason or _("no answer")}
            ]
        else:
            plan.problems[key] = [
                _("%(material)s: %(source)s could not give it to us: %(reason)s Upload the file.")
                % {**names, "reason": result.reason or _("no record was found.")}
            ]
    return plan


def record_plan(case: Case, plan: SharingPlan, *, actor: User) -> list[SharedMaterial]:
    """In the submission's transaction: one ``SharedMaterial`` per obtained material and one
    ``pending`` per material to fetch later, each of these with an outbox row."""
    rows = []
    now = timezone.now()
    for code, (source, result) in plan.obtained.items():
        rows.append(
            SharedMaterial.objects.create(
                case=case,
                material_code=code,
                source_code=source.code,
                source_label=result.source_label[:200],
                status=SharedStatus.OBTAINED,
                verification=result.verification[:300],
                exchange_id=result.exchange_id[:64],
                fetched_at=result.fetched_at or now,
                attempts=1,
            )
        )
    for code, source in plan.later.items():
        row = SharedMaterial.objects.create(
            case=case,
            material_code=code,
            source_code=source.code,
            source_label=source.label()[:200],
            status=SharedStatus.PENDING,
        )
        rows.append(row)
        outbox.enqueue(FETCH_KIND, {"shared": row.pk}, key=f"{FETCH_KIND}:{row.pk}")
    if rows:
        record_audit(
            actor,
            "cases.shared_materials",
            case,
            meta={
                "case": case.number,
                "obtained": sorted(plan.obtained),
                "pending": sorted(plan.later),
                "exchanges": [r.exchange_id for _s, r in plan.obtained.values() if r.exchange_id],
            },
        )
    return rows


# --- after submission: the outbox retries -----------------------------------------------------


class FetchNotYet(Exception):
    """The source did not answer yet: the outbox tries again later."""


def _material_of(row: SharedMaterial) -> RequiredMaterial | None:
    target = row.case.bundle or row.case.item
    if target is None:
        return None
    return next((m for m in required_materials(target) if m.code == row.material_code), None)


@outbox.handler(
    FETCH_KIND, on_failure=lambda failure: _gave_up(failure) if failure.gave_up else None
)
def fetch_pending(payload: dict[str, Any]) -> str:
    """Fetch a pending material of a case again; raises ``FetchNotYet`` while its source is
    down (the outbox retries with back-off). A refusal ends the retries: the material is
    recorded as unavailable with the reason, for the official to ask for the file."""
    row = SharedMaterial.objects.select_related("case").filter(pk=payload["shared"]).first()
    if row is None or row.status != SharedStatus.PENDING:
        return "nothing to do"
    source = source_by_code(row.source_code)
    material = _material_of(row)
    if source is None or material is None:
        _settle(row, SharedAction.GIVE_UP, reason=_("the source is no longer available."))
        return "given up"
    applicant = Applicant(row.case.applicant, row.case.organisation)
    result = safe_fetch(source, row.case, material, applicant)
    if result.status == SharedStatus.PENDING:
        SharedMaterial.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1, reason=(result.reason or "")[:300]
        )
        raise FetchNotYet(result.reason or "source down")
    if result.obtained:
        _settle(row, SharedAction.OBTAIN, result=result)
        return "obtained"
    _settle(row, SharedAction.GIVE_UP, reason=result.reason, result=result)
    return "refused"


def _settle(
    row: SharedMaterial, action: str, *, reason: str = "", result: SharedResult | None = None
) -> None:
    also: dict[str, Any] = {"attempts": row.attempts + 1, "reason": (reason or "")[:300]}
    if result is not None:
        also.update(
            verification=result.verification[:300],
            exchange_id=result.exchange_id[:64],
            fetched_at=result.fetched_at or timezone.now(),
        )
    with transaction.atomic():
        move(row, SHARED, action, actor=None, also=also, meta={"case": row.case.number})


def _gave_up(failure: outbox.Failure) -> None:
    row = SharedMaterial.objects.select_related("case").filter(pk=failure.payload["shared"]).first()
    if row is not None and row.status == SharedStatus.PENDING:
        _settle(row, SharedAction.GIVE_UP, reason=_("the source did not answer in time."))


# --- what the pages show ----------------------------------------------------------------------


def shared_materials(case: Case) -> dict[str, SharedMaterial]:
    """Material code -> what was fetched for it (or is being fetched)."""
    return {row.material_code: row for row in case.shared_materials.all()}


# --- prefill ------------------------------------------------------------------------------------


def prefilled_values(
    element_codes: Iterable[str], applicant: Applicant
) -> dict[str, PrefilledValue]:
    """Values of ``element_codes`` the registered providers hold for ``applicant``, the
    first provider's value winning; a provider that fails gives nothing."""
    wanted = list(dict.fromkeys(element_codes))
    found: dict[str, PrefilledValue] = {}
    for provider in _PREFILL_PROVIDERS:
        missing = [c for c in wanted if c not in found]
        if not missing:
            break
        try:
            values = provider.prefill(missing, applicant)
        except Exception:  # a registry down: the applicant types the values
            logger.exception("prefill provider %s failed", provider.code)
            continue
        for code, value in values.items():
            if code in missing:
                found.setdefault(code, dataclasses.replace(value, provider_code=provider.code))
    return found


def report_corrections(
    prefilled: dict[str, PrefilledValue], submitted: dict[str, Any], applicant: Applicant
) -> list[str]:
    """For each prefilled value the applicant changed, tell its provider (数据纠错); returns
    the element codes reported. A provider that fails is skipped: the application goes on."""
    providers = {p.code: p for p in _PREFILL_PROVIDERS}
    reported = []
    for code, given in prefilled.items():
        now = str(submitted.get(code, "") or "").strip()
        if not now or now == given.value.strip():
            continue
        provider = providers.get(given.provider_code or given.source_code)
        if provider is None:
            continue
        try:
            provider.report_correction(code, given, now, applicant)
        except Exception:  # the correction is a courtesy to the provider, never a blocker
            logger.exception("prefill provider %s could not take a correction", provider.code)
            continue
        reported.append(code)
    return reported
