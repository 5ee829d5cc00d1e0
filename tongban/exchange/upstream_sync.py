"""The city's side of the upstream platform: catalogue pull and push, forwarded requests.

- ``pull_catalogue``: the upstream's entries become local ``DataResource`` rows with
  ``upstream_id`` set, owned by the data authority (数据主管部门) and published through the
  ``RESOURCE`` transitions, so officials find them in the catalogue and request them like
  any other; an entry the upstream no longer lists is withdrawn.
- ``push_catalogue``: the city's own published resources (not the upstream ones) go up as
  the node's full set, and each is stamped ``pushed_at``; a withdrawn resource leaves the
  upstream catalogue at the next push and loses its stamp. Outbox kind
  ``exchange.upstream_push`` and the hourly job run it.
- forwarding: the outbox kind ``exchange.upstream_forward`` sends a ``ShareRequest`` for an
  upstream resource up and stores the upstream's reference (``upstream_ref``);
  ``poll_requests`` (every five minutes) reads the upstream's answers and grants or refuses
  the request through ``services.grant_request`` / ``refuse_request`` (``via_upstream``:
  recorded by the system for the data authority, which owns the local copy), audited. A
  request whose forward was lost or given up is forwarded again by the poll: none waits
  unseen.

Upstream calls happen outside database transactions (the platform may be slow); every
write after them is idempotent, because the outbox may run a row twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.models import DataElement
from tongban.core import auditlabels, outbox
from tongban.core.audit import record_audit
from tongban.core.errors import messages_of, refuse
from tongban.core.transitions import move
from tongban.org.models import Department

from . import queries, services
from .models import (
    DataFormat,
    DataItem,
    DataResource,
    RequestStatus,
    ResourceStatus,
    ShareClass,
    ShareRequest,
    UpdateFrequency,
)
from .transitions import RESOURCE, ResourceAction
from .upstream import (
    CatalogueEntry,
    Decision,
    ForwardPayload,
    ForwardStatus,
    PushReceipt,
    Upstream,
    UpstreamError,
    UpstreamItem,
    get_upstream,
    node_code,
)

logger = logging.getLogger(__name__)

FORWARD = "exchange.upstream_forward"
PUSH = "exchange.upstream_push"
LOCAL_PREFIX = "up."
#: Rate limits of a grant whose upstream answer names none.
DEFAULT_RATES = (60, 10000)

auditlabels.register(
    {
        "exchange.upstream.pull": gettext_lazy("Upstream catalogue pulled"),
        "exchange.upstream.push": gettext_lazy("Catalogue pushed to the upstream platform"),
        "exchange.upstream.forward": gettext_lazy(
            "Share request forwarded to the upstream platform"
        ),
        "exchange.upstream.forward_failed": gettext_lazy(
            "Forwarding a share request to the upstream platform given up"
        ),
        "exchange.upstream.decision": gettext_lazy(
            "Upstream platform's answer to a share request recorded"
        ),
    }
)


def _authority() -> Department:
    department = queries.data_authority()
    if department is None:
        raise refuse(
            _(
                "The data authority is not set up (TONGBAN_EXCHANGE_DATA_AUTHORITY names no "
                "department): upstream resources need an owner."
            )
        )
    return department


def local_code(upstream_id: str) -> str:
    """The local resource code of the upstream entry ``upstream_id`` ("up." + its id, in
    lower case, other characters as hyphens)."""
    body = "".join(c if c.isalnum() or c in "._-" else "-" for c in upstream_id.lower())
    return (LOCAL_PREFIX + body)[:60]


# --- pull ------------------------------------------------------------------------------------


@dataclass
class PullResult:
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "withdrawn": self.withdrawn,
            "errors": len(self.errors),
        }


def _choice(value: str, choices: Iterable[str], default: str) -> str:
    return value if value in set(choices) else default


def _write_items(resource: DataResource, items: tuple[UpstreamItem, ...]) -> None:
    elements = {e.code: e for e in DataElement.objects.filter(code__in=[i.code for i in items])}
    for order, item in enumerate(items, 1):
        row = DataItem(
            resource=resource,
            code=item.code,
            element=elements.get(item.code),
            name=item.name,
            name_en=item.name_en,
            share_class=item.share_class,
            grade=item.grade,
            legal_basis=item.legal_basis.strip(),
            personal_number=item.personal_number,
            sort_order=order * 10,
        )
        row.full_clean(exclude=["resource"], validate_unique=False)
        values = {
            f: getattr(row, f)
            for f in ("element", "name", "name_en", "share_class", "grade", "legal_basis")
        }
        values.update(personal_number=row.personal_number, sort_order=row.sort_order)
        DataItem.objects.update_or_create(resource=resource, code=item.code, defaults=values)
    # Items the upstream dropped go, unless a request, grant or correction names them (the
    # history of what was asked and granted stays readable).
    stale = resource.items.exclude(code__in=[i.code for i in items])
    stale.filter(requests__isnull=True, grants__isnull=True, corrections__isnull=True).delete()


def _pull_entry(entry: CatalogueEntry, owner: Department, actor: Any) -> bool:
    """Create or update the local copy of ``entry``; True when it was created."""
    if not entry.items:
        raise refuse(_("The upstream entry lists no data items."))
    if any(i.share_class not in ShareClass.values for i in entry.items):
        raise refuse(_("The upstream entry has an item of an unknown share class."))
    resource = DataResource.objects.filter(upstream_id=entry.entry_id).first()
    created = resource is None
    if resource is None:
        code = local_code(entry.entry_id)
        if DataResource.objects.filter(code=code).exists():
            raise refuse(_("A local resource already uses the code %(code)s.") % {"code": code})
        resource = DataResource(code=code, upstream_id=entry.entry_id)
    resource.department = owner
    resource.name = entry.name[:200]
    resource.name_en = entry.name_en[:200]
    resource.description = entry.description
    resource.description_en = entry.description_en
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
        source = _("Upstream platform: %(holder)s") % {"holder": entry.holder}
    resource.source_system = source[:200]
    resource.update_frequency = _choice(
        entry.update_frequency, UpdateFrequency.values, UpdateFrequency.IRREGULAR
    )
    resource.data_format = _choice(entry.data_format, DataFormat.values, DataFormat.API)
    resource.open_to_public = entry.open_to_public
    resource.full_clean(exclude=["status", "pushed_at"])
    resource.save()
    _write_items(resource, entry.items)
    if resource.status != ResourceStatus.PUBLISHED:
        move(resource, RESOURCE, ResourceAction.PUBLISH, actor=actor)
    return created


def pull_catalogue(*, actor: Any = None, upstream: Upstream | None = None) -> PullResult:
    """List the upstream's catalogue and bring the local copies up to date: new entries
    are created (owned by the data authority) and published, changed ones updated, and
    upstream resources the upstream no longer lists withdrawn. An entry that cannot be
    taken over is skipped and named in ``errors``; the others still land. Audited.

    Raises ``UpstreamError`` when the upstream cannot be listed (nothing changes) and
    ``ServiceError`` when the data authority is not set up."""
    entries = (upstream or get_upstream()).list_catalogue()
    node = node_code()
    result = PullResult()
    with transaction.atomic():
        owner = _authority()
        listed: list[str] = []
        for entry in entries:
            if entry.node == node:
                continue  # our own entries, pushed earlier: never copied back
            listed.append(entry.entry_id)
            try:
                with transaction.atomic():
                    if _pull_entry(entry, owner, actor):
                        result.created += 1
                    else:
                        result.updated += 1
            except ValidationError as exc:
                problems = "; ".join(m for ms in messages_of(exc).values() for m in ms)
                result.errors.append(f"{entry.entry_id}: {problems}")
        gone = DataResource.objects.exclude(upstream_id="").exclude(upstream_id__in=listed)
        for resource in gone.filter(status=ResourceStatus.PUBLISHED):
            move(resource, RESOURCE, ResourceAction.WITHDRAW, actor=actor)
            result.withdrawn += 1
        record_audit(actor, "exchange.upstream.pull", meta=result.as_dict(), stream="exchange")
    return result


# --- push ------------------------------------------------------------------------------------


def _entry_of(resource: DataResource, node: str) -> CatalogueEntry:
    return CatalogueEntry(
        entry_id=resource.code,
        name=resource.name,
        name_en=resource.name_en,
        holder=resource.department.name,
        description=resource.description,
        description_en=resource.description_en,
        update_frequency=resource.update_frequency,
        data_format=resource.data_format,
        open_to_public=resource.open_to_public,
        node=node,
        items=tuple(
            UpstreamItem(
                code=i.code,
                name=i.name,
                name_en=i.name_en,
                share_class=i.share_class,
                grade=int(i.grade),
                legal_basis=i.legal_basis,
                personal_number=i.personal_number,
            )
            for i in resource.items.all()
        ),
    )


@dataclass(frozen=True)
class PushResult:
    pushed: int
    unlisted: int
    receipt: PushReceipt


def push_catalogue(
    *, actor: Any = None, upstream: Upstream | None = None, now: dt.datetime | None = None
) -> PushResult:
    """Send the city's published resources (not those copied from upstream) as the node's
    full catalogue; stamp each ``pushed_at``, and clear the stamp of resources no longer
    published (the upstream dropped them with this push). Idempotent: pushing again sends
    the same set. Raises ``UpstreamError`` when the upstream refuses (nothing is stamped)."""
    node = node_code()
    own = DataResource.objects.filter(upstream_id="").select_related("department")
    published = list(own.filter(status=ResourceStatus.PUBLISHED).prefetch_related("items"))
    receipt = (upstream or get_upstream()).push_catalogue([_entry_of(r, node) for r in published])
    now = now or timezone.now()
    with transaction.atomic():
        sent = own.filter(pk__in=[r.pk for r in published])
        sent.update(pushed_at=now)
        unlisted = own.exclude(pk__in=[r.pk for r in published]).exclude(pushed_at=None)
        dropped = unlisted.update(pushed_at=None)
        record_audit(
            actor,
            "exchange.upstream.push",
            meta={
                "node": node,
                "pushed": len(published),
                "unlisted": dropped,
                "receipt": receipt.receipt_id,
            },
            stream="exchange",
        )
    return PushResult(pushed=len(published), unlisted=dropped, receipt=receipt)


@outbox.handler(PUSH)
def push_handler(payload: dict[str, Any]) -> None:
    """The outbox handler of ``exchange.upstream_push`` (the payload is ignored: a push
    always sends the whole published set)."""
    push_catalogue()


def enqueue_push() -> None:
    """Record a push in the caller's transaction (one waits at a time)."""
    outbox.enqueue(PUSH, {}, key=PUSH)


# --- forwarding ------------------------------------------------------------------------------


def forward_payload(request: ShareRequest) -> ForwardPayload:
    """What the upstream is told of ``request``."""
    return ForwardPayload(
        node=node_code(),
        local_ref=str(request.pk),
        upstream_id=request.resource.upstream_id,
        department=request.department.code,
        department_name=request.department.name,
        member=request.member.code,
        fields=tuple(sorted(request.fields.values_list("code", flat=True))),
        full_fields=tuple(sorted(request.full_fields.values_list("code", flat=True))),
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        duration_days=request.duration_days,
    )


def forward_request(request_id: int, *, upstream: Upstream | None = None) -> str:
    """Forward the share request ``request_id`` for an upstream resource and store the
    upstream's reference; returns it ("" when there is nothing to forward: a local
    resource, or a request no longer waiting). Idempotent: a forwarded request is not sent
    again. Raises ``UpstreamError`` when the upstream fails (the outbox retries)."""
    request = (
        ShareRequest.objects.select_related("resource", "department", "member")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not request.resource.upstream_id:
        return ""
    if request.upstream_ref:
        return request.upstream_ref
    if request.status != RequestStatus.SUBMITTED:
        return ""
    ref = (upstream or get_upstream()).forward_request(forward_payload(request))
    if not ref:
        raise UpstreamError("the upstream answered a forward without a reference")
    with transaction.atomic():
        stored = ShareRequest.objects.filter(pk=request.pk, upstream_ref="").update(
            upstream_ref=ref[:100]
        )
        if stored:
            record_audit(
                None,
                "exchange.upstream.forward",
                request,
                meta={
                    "resource": request.resource.code,
                    "member": request.member.code,
                    "upstream_ref": ref[:100],
                },
                stream="exchange",
            )
    return ref[:100]


def _forward_failed(failure: outbox.Failure) -> None:
    """Put a given-up forward on the audit chain: the poll forwards it again, and the
    outbox has alerted the administrators."""
    if not failure.gave_up:
        return
    record_audit(
        None,
        "exchange.upstream.forward_failed",
        object_type="exchange.sharerequest",
        object_id=str(failure.payload.get("request", "")),
        meta={"attempts": failure.attempts},
        stream="exchange",
    )


@outbox.handler(FORWARD, on_failure=_forward_failed)
def forward_handler(payload: dict[str, Any]) -> None:
    """The outbox handler of ``exchange.upstream_forward`` (payload ``{"request": id}``)."""
    forward_request(int(payload["request"]))


def enqueue_forward(request: ShareRequest) -> None:
    """Record the forward of ``request`` in the caller's transaction, if its resource is
    held upstream (one waits per request)."""
    if request.resource.upstream_id:
        outbox.enqueue(FORWARD, {"request": request.pk}, key=f"{FORWARD}:{request.pk}")


# --- poll ------------------------------------------------------------------------------------


@dataclass
class PollResult:
    granted: int = 0
    refused: int = 0
    pending: int = 0
    forwards_queued: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "granted": self.granted,
            "refused": self.refused,
            "pending": self.pending,
            "forwards_queued": self.forwards_queued,
            "errors": len(self.errors),
        }


def _rates(decision: Decision) -> tuple[int, int]:
    grant = decision.grant or {}
    try:
        per_minute = int(grant.get("rate_per_minute") or DEFAULT_RATES[0])
        per_day = int(grant.get("rate_per_day") or DEFAULT_RATES[1])
    except (TypeError, ValueError):
        return DEFAULT_RATES
    if per_minute < 1 or per_day < per_minute:
        return DEFAULT_RATES
    return per_minute, per_day


def _apply(request_id: int, decision: Decision, now: dt.datetime) -> str:
    """Record the upstream's ``decision`` on the request; returns "granted", "refused" or
    "" (the request moved meanwhile).

    The upstream decided, not an official of the city: the moves are recorded by the system
    (``actor=None``, ``via_upstream``) on behalf of the data authority, which owns the local
    copy of the resource, and the audit record names the upstream's reference."""
    actor = None
    with transaction.atomic():
        request = ShareRequest.objects.select_related("resource").get(pk=request_id)
        if request.status != RequestStatus.SUBMITTED:
            return ""
        if decision.status == ForwardStatus.GRANTED:
            per_minute, per_day = _rates(decision)
            services.grant_request(
                request,
                actor=actor,
                rate_per_minute=per_minute,
                rate_per_day=per_day,
                now=now,
                via_upstream=True,
            )
            outcome = "granted"
        else:
            with translation.override(settings.LANGUAGE_CODE):  # stored, shown to officials
                reasons = _("Answer of the upstream platform (%(ref)s): %(reasons)s") % {
                    "ref": request.upstream_ref,
                    "reasons": decision.reasons.strip() or _("no reasons given"),
                }
            services.refuse_request(
                request, actor=actor, reasons=reasons, now=now, via_upstream=True
            )
            outcome = "refused"
        record_audit(
            actor,
            "exchange.upstream.decision",
            request,
            meta={
                "upstream_ref": request.upstream_ref,
                "outcome": outcome,
                "resource": request.resource.code,
                "on_behalf_of": str(getattr(queries.data_authority(), "code", "")),
            },
            stream="exchange",
        )
    return outcome


def poll_requests(
    *, upstream: Upstream | None = None, now: dt.datetime | None = None
) -> PollResult:
    """Read the upstream's answers to the forwarded requests still waiting and record them
    (granted or refused through the services, for the data authority); queue the forward of
    waiting requests that have no upstream reference yet. A request the upstream cannot
    answer now stays waiting and is named in ``errors`` (the periodic job then fails, so the
    scheduler shows it)."""
    adapter = upstream or get_upstream()
    result = PollResult()
    waiting = (
        ShareRequest.objects.filter(status=RequestStatus.SUBMITTED)
        .exclude(resource__upstream_id="")
        .select_related("resource")
        .order_by("pk")
    )
    for request in waiting:
        if not request.upstream_ref:
            with transaction.atomic():
                enqueue_forward(request)
            result.forwards_queued += 1
            continue
        try:
            decision = adapter.request_status(request.upstream_ref)
        except UpstreamError as exc:
            result.errors.append(f"#{request.pk} {request.upstream_ref}: {exc}")
            continue
        if decision.status not in (ForwardStatus.GRANTED, ForwardStatus.REFUSED):
            result.pending += 1
            continue
        try:
            outcome = _apply(request.pk, decision, now or timezone.now())
        except ValidationError as exc:
            problems = "; ".join(m for ms in messages_of(exc).values() for m in ms)
            result.errors.append(f"#{request.pk} {request.upstream_ref}: {problems}")
            continue
        if outcome == "granted":
            result.granted += 1
        elif outcome == "refused":
            result.refused += 1
    return result


class PollFailed(Exception):
    """Some answers could not be read or recorded (the periodic job fails with this)."""


def poll_job() -> PollResult:
    """The periodic poll: raises ``PollFailed`` naming the requests it could not settle."""
    result = poll_requests()
    if result.errors:
        raise PollFailed("; ".join(result.errors)[:2000])
    return result


# --- demo ------------------------------------------------------------------------------------


def load_upstream_demo() -> dict[str, int]:
    """Pull the (fake) upstream catalogue into the demo city; returns counts. Skipped when
    the data authority is missing."""
    if queries.data_authority() is None:
        return {}
    result = pull_catalogue()
    return {
        "upstream resources": DataResource.objects.exclude(upstream_id="").count(),
        "upstream resources created": result.created,
    }
