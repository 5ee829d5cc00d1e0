"""Retention of exchange evidence (P14).

``ExchangeEvidence`` rows (the signed request, response and seal reference of each
exchange, P11) are kept ``TONGBAN_EXCHANGE_RETENTION_DAYS`` (default 365, at least 180:
``tongban.exchange.checks``) and then deleted by ``purge_evidence``, run daily by the job
``exchange.purge_evidence``. The purge is audited with its counts. Its admin page is
read-only for everyone, superusers included.

Early deletion, before the retention has passed, takes two audit administrators
(审计管理员): one asks (``request_early_deletion``), another approves and the rows go
(``approve_early_deletion``). The approval record is the pair of audit records in the
append-only, hash-chained audit trail (``exchange.evidence.early_deletion.request`` naming
the exchange ids, ``…approve`` naming the request), so the deletion proves who asked, who
agreed, and when. A request lapses after ``REQUEST_VALID``.

The audit chain is not purged at all: it is append-only in the database (triggers) and kept
for the life of the installation, which is more than P14's six months.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import Role
from tongban.accounts.queries import holds_role
from tongban.core.audit import record_audit
from tongban.core.errors import refuse
from tongban.core.models import AuditRecord

from .checks import MINIMUM_RETENTION_DAYS, retention_days
from .models import ExchangeEvidence

PURGE_ACTION = "exchange.evidence.purge"
REQUEST_ACTION = "exchange.evidence.early_deletion.request"
APPROVE_ACTION = "exchange.evidence.early_deletion.approve"
#: How long a request for early deletion waits for the second audit administrator.
REQUEST_VALID = dt.timedelta(days=7)
#: At most so many exchanges in one request.
REQUEST_MAX = 1000
#: Rows deleted per statement, so a first purge of a large table holds no long lock.
BATCH = 1000


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Evidence that occurred before this moment is past its retention. Raises
    ``ImproperlyConfigured`` when the retention is under 180 days or not a number."""
    days = retention_days()
    if days is None or days < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"TONGBAN_EXCHANGE_RETENTION_DAYS must be at least {MINIMUM_RETENTION_DAYS}; "
            "no evidence was deleted"
        )
    return (now or timezone.now()) - dt.timedelta(days=days)


def purge_evidence(now: dt.datetime | None = None) -> int:
    """Delete the evidence older than the retention; return how many rows went. Writes one
    ``exchange.evidence.purge`` audit record (counts by side, the cut-off, the retention),
    also when nothing was old enough, so the audit shows the purge ran."""
    before = cutoff(now)
    by_side: dict[str, int] = {}
    with transaction.atomic():
        while True:
            batch = list(
                ExchangeEvidence.objects.filter(occurred_at__lt=before)
                .order_by("pk")
                .values_list("pk", "side")[:BATCH]
            )
            if not batch:
                break
            for _pk, side in batch:
                by_side[side] = by_side.get(side, 0) + 1
            ExchangeEvidence.objects.filter(pk__in=[pk for pk, _side in batch]).delete()
        deleted = sum(by_side.values())
        record_audit(
            None,
            PURGE_ACTION,
            object_type="exchange.exchangeevidence",
            meta={
                "deleted": deleted,
                "by_side": by_side,
                "before": before.isoformat(),
                "retention_days": retention_days(),
            },
        )
    return deleted


# --- early deletion: two audit administrators ---------------------------------------------


def _audit_admin(actor: Any) -> None:
    if not getattr(actor, "is_active", False) or not holds_role(actor, Role.AUDIT_ADMIN):
        raise PermissionDenied


@transaction.atomic
def request_early_deletion(exchange_ids: Iterable[str], *, actor: Any) -> str:
    """An audit administrator asks to delete the evidence of ``exchange_ids`` before its
    retention has passed; returns the request's number, which a second audit administrator
    approves with ``approve_early_deletion``. Nothing is deleted yet.

    Raises ``PermissionDenied`` unless ``actor`` is an active audit administrator, and
    ``ServiceError`` (field ``exchange_ids``) when no id, too many, or an unknown one is
    named."""
    _audit_admin(actor)
    ids = sorted({str(i).strip() for i in exchange_ids if str(i).strip()})
    if not ids:
        raise refuse(_("Name at least one exchange."), "exchange_ids")
    if len(ids) > REQUEST_MAX:
        raise refuse(
            _("At most %(n)d exchanges in one request.") % {"n": REQUEST_MAX}, "exchange_ids"
        )
    known = set(
        ExchangeEvidence.objects.filter(exchange_id__in=ids).values_list("exchange_id", flat=True)
    )
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise refuse(
            _("No evidence is kept for these exchanges: %(ids)s.")
            % {"ids": ", ".join(unknown[:5])},
            "exchange_ids",
        )
    token = secrets.token_hex(8)
    record_audit(
        actor,
        REQUEST_ACTION,
        object_type="exchange.evidencedeletion",
        object_id=token,
        meta={"exchange_ids": ids, "count": len(ids)},
    )
    return token


@transaction.atomic
def approve_early_deletion(token: str, *, actor: Any, now: dt.datetime | None = None) -> int:
    """A second audit administrator approves the request ``token``: the evidence it names
    is deleted now, audited with the request, both administrators and the count. Returns
    how many rows went.

    Raises ``PermissionDenied`` unless ``actor`` is an active audit administrator, and
    ``ServiceError`` (field ``token``) when the request is unknown, was made by ``actor``,
    was already carried out, or has lapsed."""
    _audit_admin(actor)
    now = now or timezone.now()
    token = (token or "").strip()
    asked = AuditRecord.objects.filter(action=REQUEST_ACTION, object_id=token).first()
    if asked is None or not token:
        raise refuse(_("There is no request for early deletion with this number."), "token")
    if asked.actor_id == actor.pk:
        raise refuse(
            _("Another audit administrator must approve a deletion you asked for."), "token"
        )
    if AuditRecord.objects.filter(action=APPROVE_ACTION, object_id=token).exists():
        raise refuse(_("This request was already carried out."), "token")
    if now - asked.occurred_at > REQUEST_VALID:
        raise refuse(_("This request has lapsed; ask again."), "token")
    ids = [str(i) for i in asked.meta.get("exchange_ids", [])]
    by_side: dict[str, int] = {}
    for side in ExchangeEvidence.objects.filter(exchange_id__in=ids).values_list("side", flat=True):
        by_side[side] = by_side.get(side, 0) + 1
    deleted, _rows = ExchangeEvidence.objects.filter(exchange_id__in=ids).delete()
    record_audit(
        actor,
        APPROVE_ACTION,
        object_type="exchange.evidencedeletion",
        object_id=token,
        meta={
            "requested_by": asked.actor_id,
            "requested_seq": asked.seq,
            "asked": len(ids),
            "deleted": deleted,
            "by_side": by_side,
        },
    )
    return deleted
