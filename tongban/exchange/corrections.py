"""Data correction (数据纠错): a consumer reports a wrong value, the provider answers.

An official of a government department who sees a wrong value of another department's
resource (a wrong address in the population registry) reports it: which data item, which
record (its key, e.g. the ID number), what is wrong and, if known, the right value. The
providing department's reviewers and leaders answer within
``TONGBAN_EXCHANGE_CORRECTION_DAYS`` working days (``clocks.correction_clock``): the value
is corrected (the answer says what was changed) or confirmed (the answer says why it
stands). The reporting department may withdraw its report while it waits. The data
authority sees every correction.

A corrected answer may also change the value held here (``DataRecord.values``) when the
record is held by this node. That fix is honest only until the next sync: a sync that reads
the old value from the source system writes it back. So, unless the resource has no source,
the provider is told to fix the source system, whose next sync brings the right value.

Every write checks who acts (``PermissionDenied``) and what is asked (``ServiceError`` naming
the field), writes in one transaction with its audit record (no values in it), and tells the
other side through ``tongban.notify`` (in-app message and e-mail, sent after commit by the
outbox).
"""

from __future__ import annotations

import datetime as dt
import json
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
from tongban.accounts.queries import role_holders
from tongban.core import auditlabels
from tongban.core.audit import record_audit
from tongban.core.crypto.fields import digest
from tongban.core.errors import ErrorCollector, refuse
from tongban.core.transitions import move
from tongban.org.models import Department

from . import clocks, queries, sync
from .models import (
    CorrectionStatus,
    DataCorrection,
    DataItem,
    DataRecord,
    DataResource,
    ResourceStatus,
    ShareClass,
)
from .transitions import CORRECTION, CorrectionAction

TEXT_MAX = 2000
VALUE_MAX = 500
KEY_MAX = 100
NOTIFY_CHANNELS = ("inapp", "email")

auditlabels.register(
    {
        "exchange.correction.report": gettext_lazy("Wrong value of a data resource reported"),
        "exchange.record.correct": gettext_lazy("Value held on the platform corrected"),
    }
)


# --- what a correction holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """The record key and the proposed value of a correction, both encrypted at rest
    (``DataCorrection.record_key`` and ``proposed_value``)."""

    key: str
    value: str


def proposal_of(correction: DataCorrection) -> Proposal:
    """The record key and proposed value of ``correction``."""
    return Proposal(
        key=str(correction.record_key or ""), value=str(correction.proposed_value or "")
    )


def mask_key(key: str) -> str:
    """A record key as shown to those who need not read it in full: the first three and the
    last two characters of a long key, the first of a short one."""
    key = key or ""
    if len(key) >= 8:
        return key[:3] + "*" * (len(key) - 5) + key[-2:]
    if len(key) > 1:
        return key[0] + "*" * (len(key) - 1)
    return key


def record_key_digest(key: str) -> str | None:
    """The digest a record of this key is stored under (``sync.key_digest``: the key
    normalised as the sync normalises it)."""
    return sync.key_digest(key or "")


def find_record(resource: DataResource, key: str) -> DataRecord | None:
    """The record of ``resource`` held here under ``key`` (``None``: not held, or removed
    from the source)."""
    found = record_key_digest(key)
    if not found:
        return None
    return DataRecord.objects.filter(
        resource=resource, key_digest=found, removed_at__isnull=True
    ).first()


def record_value(record: DataRecord | None, item: DataItem) -> str | None:
    """The value ``record`` holds for ``item`` (``None``: no record, or no such value)."""
    if record is None:
        return None
    try:
        values = json.loads(str(record.values or "{}"))
    except ValueError:
        return None
    if not isinstance(values, dict) or item.code not in values:
        return None
    value = values[item.code]
    return "" if value is None else str(value)


def canonical_values(values: dict[str, Any]) -> str:
    """A record's values as the sync writes them: compact JSON, keys sorted."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def values_fingerprint(values: dict[str, Any]) -> str:
    """The keyed digest of a record's values, as the sync computes it (so that the next sync
    tells the source's value from the one fixed here)."""
    return digest("text", canonical_values(values)) or ""


def has_source(resource: DataResource) -> bool:
    """Does a sync bring this resource's records from a source system?"""
    return resource.sources.exists()


# --- who sees what -------------------------------------------------------------------------


def reporting_department(user: Any, resource: DataResource) -> Department | None:
    """The department ``user`` reports for: one of their government departments other than
    the provider (``None``: they act only for the provider, or for none)."""
    return (
        queries.exchange_departments(user)
        .exclude(pk=resource.department_id)
        .order_by("sort_order", "code")
        .first()
    )


def to_answer(user: Any) -> QuerySet[DataCorrection]:
    """Corrections of resources of the departments ``user`` answers for."""
    deciding = queries.exchange_departments(user, queries.DECIDING_ROLES).values("pk")
    return DataCorrection.objects.filter(resource__department__in=deciding).select_related(
        "resource__department", "item", "department"
    )


def reported(user: Any) -> QuerySet[DataCorrection]:
    """Corrections reported by the user's departments."""
    own = queries.exchange_departments(user).values("pk")
    return DataCorrection.objects.filter(department__in=own).select_related(
        "resource__department", "item", "department"
    )


def every_correction(user: Any) -> QuerySet[DataCorrection]:
    """Every correction, for the data authority; nothing for anyone else."""
    if not queries.is_data_authority(user):
        return DataCorrection.objects.none()
    return DataCorrection.objects.select_related("resource__department", "item", "department")


def visible_correction(user: Any, pk: int) -> DataCorrection | None:
    """The correction ``pk`` if ``user`` acts for either side or is the data authority."""
    if not queries.is_exchange_official(user):
        return None
    row = (
        DataCorrection.objects.select_related(
            "resource__department", "item", "department", "record", "reported_by", "answered_by"
        )
        .filter(pk=pk)
        .first()
    )
    if row is None:
        return None
    own = queries.exchange_departments(user).values("pk")
    if DataCorrection.objects.filter(pk=pk).filter(
        Q(department__in=own) | Q(resource__department__in=own)
    ).exists() or queries.is_data_authority(user):
        return row
    return None


def reportable_items(resource: DataResource) -> QuerySet[DataItem]:
    """The items a consumer may report a value of: every item that is shared at all (the
    values of items not shared are never seen outside the provider)."""
    return resource.items.exclude(share_class=ShareClass.NOT_SHARED)


# --- the use cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    item: DataItem | None
    record_key: str = ""
    description: str = ""
    proposed_value: str = ""


def _text(
    errors: ErrorCollector, value: str | None, field: str, limit: int, *, required: bool
) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > limit:
        errors.add(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _tell(recipients: Any, code: str, subject: Any, body: Any, *, context: dict[str, Any],
          link: str, actor: Any, once: str) -> None:  # fmt: skip
    for person in recipients:
        notify.send(
            person, code, subject, body, link=link, channels=NOTIFY_CHANNELS,
            context=context, actor=actor, once=f"{once}:{person.pk}",
        )  # fmt: skip


@transaction.atomic
def report(
    resource: DataResource, data: ReportInput, *, actor: Any, now: dt.datetime | None = None
) -> DataCorrection:
    """Report a wrong value of ``resource`` for the actor's department. The provider's
    answer is due ``TONGBAN_EXCHANGE_CORRECTION_DAYS`` working days later; its reviewers and
    leaders are told. Raises ``PermissionDenied`` for anyone but an exchange official and
    ``ServiceError`` (fields ``item``, ``record_key``, ``description``, ``proposed_value``,
    or ``__all__`` when the resource is the actor's own or not published)."""
    if not queries.is_exchange_official(actor):
        raise PermissionDenied
    now = now or timezone.now()
    department = reporting_department(actor, resource)
    if department is None:
        raise refuse(
            _(
                "Your department provides this resource: correct the value in its source "
                "system %(system)s instead of reporting it."
            )
            % {"system": resource.source_system or "—"}
        )
    if resource.status != ResourceStatus.PUBLISHED:
        raise refuse(_("This resource is not published in the catalogue."))
    errors = ErrorCollector()
    item = data.item
    if item is None:
        errors.add("item", _("Choose the data item whose value is wrong."))
    elif item.resource_id != resource.pk or item.share_class == ShareClass.NOT_SHARED:
        errors.add("item", _("Choose a shared data item of this resource."))
    key = _text(errors, data.record_key, "record_key", KEY_MAX, required=True)
    description = _text(errors, data.description, "description", TEXT_MAX, required=True)
    value = _text(errors, data.proposed_value, "proposed_value", VALUE_MAX, required=False)
    errors.raise_if_any()
    assert item is not None
    record = find_record(resource, key)
    correction = DataCorrection.objects.create(
        resource=resource,
        item=item,
        record=record,
        department=department,
        reported_by=_user_or_none(actor),
        description=description,
        record_key=key,
        proposed_value=value,
        submitted_at=now,
        due_on=clocks.correction_clock(now).due(now).date,
    )
    record_audit(
        actor,
        "exchange.correction.report",
        correction,
        meta={
            "resource": resource.code,
            "item": item.code,
            "department": department.code,
            "record_held": record is not None,
            "record": record.token if record is not None else "",
        },
    )
    _tell(
        role_holders(queries.DECIDING_ROLES, resource.department),
        "exchange.correction.reported",
        gettext_lazy("Data correction #%(n)s: a wrong value reported in %(resource)s"),
        gettext_lazy(
            "%(department)s reports a wrong value of “%(item)s” in %(resource)s. "
            "Please check it and answer by %(due)s."
        ),
        context={
            "n": correction.pk,
            "resource": resource.display_name,
            "department": department.display_name,
            "item": item.display_name,
            "due": correction.due_on.isoformat(),
        },
        link=reverse("exchange:correction", args=[correction.pk]),
        actor=actor,
        once=f"exchange.correction:{correction.pk}:reported",
    )
    return correction


@dataclass(frozen=True)
class AnswerInput:
    outcome: str = ""  # CorrectionStatus.CORRECTED or CorrectionStatus.REJECTED
    answer: str = ""
    fix_record: bool = False
    new_value: str = ""


def _fix_record(correction: DataCorrection, value: str, *, actor: Any, now: dt.datetime) -> None:
    record = correction.record
    assert record is not None
    try:
        values = json.loads(str(record.values or "{}"))
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    values[correction.item.code] = value
    record.values = canonical_values(values)
    record.fingerprint = values_fingerprint(values)
    record.updated_at = now
    record.save(update_fields=["values", "fingerprint", "updated_at"])
    record_audit(
        actor,
        "exchange.record.correct",
        record,
        meta={
            "resource": correction.resource.code,
            "item": correction.item.code,
            "correction": correction.pk,
        },
    )


@transaction.atomic
def answer(
    correction: DataCorrection,
    data: AnswerInput,
    *,
    actor: Any,
    now: dt.datetime | None = None,
) -> DataCorrection:
    """The provider answers ``correction``: ``corrected`` (the answer says what was
    changed; with ``fix_record`` the value held here is changed too) or ``rejected`` (the
    answer says why the value stands). The reporter is told. Raises ``PermissionDenied``
    unless the actor decides for the providing department, and ``ServiceError`` (fields
    ``outcome``, ``answer``, ``new_value``, ``fix_record``, or ``__all__`` when the
    correction is no longer open)."""
    resource = correction.resource
    if not queries.decides_for(actor, resource.department_id):
        raise PermissionDenied
    now = now or timezone.now()
    errors = ErrorCollector()
    outcomes: dict[str, str] = {
        str(CorrectionStatus.CORRECTED): CorrectionAction.CORRECT,
        str(CorrectionStatus.REJECTED): CorrectionAction.REJECT,
    }
    action = outcomes.get(data.outcome or "")
    if action is None:
        errors.add("outcome", _("Say whether the value was corrected or is right."))
    text = (data.answer or "").strip()
    if not text:
        errors.add(
            "answer",
            _("Say why the value is right.")
            if action == CorrectionAction.REJECT
            else _("Say what was changed."),
        )
    elif len(text) > TEXT_MAX:
        errors.add("answer", _("At most %(n)d characters.") % {"n": TEXT_MAX})
    new_value = ""
    if data.fix_record:
        if action != CorrectionAction.CORRECT:
            errors.add("fix_record", _("Only a corrected value can be changed here."))
        elif correction.record is None or correction.record.removed_at is not None:
            errors.add("fix_record", _("The record is not held here; fix it in the source system."))
        new_value = _text(errors, data.new_value, "new_value", VALUE_MAX, required=True)
    errors.raise_if_any()
    assert action is not None
    move(
        correction,
        CORRECTION,
        action,
        actor=actor,
        also={"answered_at": now, "answered_by": _user_or_none(actor), "answer": text},
        meta={"resource": resource.code, "item": correction.item.code},
    )
    if data.fix_record:
        _fix_record(correction, new_value, actor=actor, now=now)
    reporter = correction.reported_by
    if reporter is not None and reporter.is_active:
        _tell(
            [reporter],
            "exchange.correction.answered",
            gettext_lazy("Data correction #%(n)s answered: %(outcome)s"),
            gettext_lazy("%(provider)s answered your report on %(resource)s:\n\n%(answer)s"),
            context={
                "n": correction.pk,
                "outcome": correction.get_status_display(),
                "provider": resource.department.display_name,
                "resource": resource.display_name,
                "answer": text,
            },
            link=reverse("exchange:correction", args=[correction.pk]),
            actor=actor,
            once=f"exchange.correction:{correction.pk}:answered",
        )
    return correction


@transaction.atomic
def withdraw(correction: DataCorrection, *, actor: Any, reason: str) -> DataCorrection:
    """The reporting department withdraws ``correction`` while it waits, saying why.
    Raises ``PermissionDenied`` for anyone else and ``ServiceError`` (``reason``, or
    ``__all__`` when it is no longer open)."""
    if not queries.acts_for(actor, correction.department_id):
        raise PermissionDenied
    errors = ErrorCollector()
    text = _text(errors, reason, "reason", TEXT_MAX, required=True)
    errors.raise_if_any()
    move(
        correction,
        CORRECTION,
        CorrectionAction.WITHDRAW,
        actor=actor,
        note=text,
        also={"answer": text},
        meta={"resource": correction.resource.code},
    )
    return correction
