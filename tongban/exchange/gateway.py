"""The exchange gateway's pipeline: one signed call from a member system, answered or refused.

``answer_query`` and ``answer_catalogue`` take a Django request (the ninja endpoints in
``gateway_api`` are thin) and run, in this order, each step refusing with its own status and
``code`` (RFC 9457 problem details, ``exchange_id`` included):

1. **size cap** (413 ``too_large``): ``Content-Length`` or the body above
   ``TONGBAN_EXCHANGE_MAX_BODY`` is refused before the body is read;
2. **signature** (401): ``signing.verify_request`` over ``MemberKey`` rows
   (``MemberKeyResolver``: an active member, a key valid when the request was made and not
   revoked) and the ``SeenNonce`` table (``nonces.DatabaseNonceStore``), before anything
   else is read (P2–P4); the code is the refusal's (``bad_signature``, ``replayed`` …) or
   ``member_suspended`` / ``key_revoked`` / ``unknown_member``;
3. **audit health** (503 ``seal_stale``, ``auditguard``; P13);
4. **body** (422 ``malformed``, naming the field);
5. **originator** (403 ``originator_not_of_member`` / ``originator_unknown``; P9): the signed
   department must be the member's, and the official must exist, be active and hold an
   office role there;
6. **resource** (404 ``unknown_resource``: unknown or not published);
7. **decision** (403, the ``decision.Reason`` code; P6): ``decision.decide`` over the items,
   the member's grant and the official's clearance, all read afresh (P8);
8. **rate limits** (429 ``rate_limited`` with ``Retry-After``): the grant's calls per minute
   and per day (``ratelimit``);
9. **audit** (P10–P12): one ``exchange.query`` / ``exchange.catalogue`` / ``exchange.refused``
   record per call with the P12 keys and no values; if it cannot be written the call's
   transaction rolls back and the answer is 503 ``audit_unavailable`` (P13);
10. **read** the record (``DataRecord`` by key digest, or the upstream platform for a
    resource held there), keep exactly the released fields and **mask** personal numbers
    the grant does not name in full (P7);
11. **sign** the answer bound to the request (``signing.sign_response``, P5) and keep the
    **evidence** (``ExchangeEvidence``, side ``provider``, P11).

Everything from step 2 on runs in one database transaction, so the nonce, the counts, the
audit record and the evidence commit together or not at all.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, transaction
from django.db.models import Value
from django.http import HttpRequest, HttpResponse, RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from tongban.accounts.models import User
from tongban.accounts.queries import OFFICE_ROLES, role_holder_exists
from tongban.core.crypto.fields import digest
from tongban.core.identifiers import mask_phone, mask_resident_id

from . import access_log, auditguard, decision, exports, queries, ratelimit, upstream
from .bundle_verify import make_bundle
from .models import (
    DataItem,
    DataRecord,
    DataResource,
    EvidenceSide,
    ExchangeEvidence,
    Grant,
    MemberKey,
    MemberStatus,
    MemberSystem,
    ResourceStatus,
)
from .nonces import DatabaseNonceStore
from .signing import (
    ExchangeRequest,
    ExchangeResponse,
    KeyRotated,
    KeyStoreSigner,
    PublicKey,
    SignatureRefused,
    Verified,
    header,
    request_from_django,
    sign_response,
    verify_request,
)

logger = logging.getLogger(__name__)

EXCHANGE_ID_HEADER = "X-Tongban-Exchange-Id"
PROBLEM_MEDIA_TYPE = "application/problem+json"
JSON_MEDIA_TYPE = "application/json"
JSONLD_MEDIA_TYPE = "application/ld+json"
DEFAULT_MAX_BODY = 64 * 1024

QUERY = "query"
CATALOGUE = "catalogue"

#: The keys of every exchange audit record (P12).
P12_KEYS = (
    "node",
    "member",
    "key_id",
    "department",
    "official",
    "subject",
    "items",
    "share_classes",
    "grant",
    "purpose",
    "legal_basis",
    "event",
    "outcome",
    "reason",
    "exchange_id",
)


def _titles() -> dict[int, str]:
    return {
        401: _("Not authenticated"),
        403: _("Not allowed"),
        404: _("Unknown resource"),
        413: _("Request too large"),
        422: _("Malformed request"),
        429: _("Too many requests"),
        502: _("Upstream platform unavailable"),
        503: _("Exchange unavailable"),
    }


def problem_type(code: str) -> str:
    return f"urn:tongban:exchange:{code}"


class Refusal(Exception):
    """A call refused at some step: status, stable ``code``, a message in the caller's
    language and the field it is about (if any)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.detail, self.field = status, code, detail, field
        self.headers = dict(headers or {})


# --- the request body ----------------------------------------------------------------------


class QueryIn(BaseModel):
    """The body of ``POST /exchange/v1/query``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    resource: str = Field(
        min_length=1, max_length=60, description="The resource code, e.g. zs.ga.population."
    )
    fields: list[str] = Field(
        min_length=1, max_length=100, description="The data items asked for, by item code."
    )
    purpose: str = Field(
        min_length=1, max_length=200, description="The purpose, as the grant states it."
    )
    key: str = Field(
        min_length=1,
        max_length=100,
        description="The record's key, e.g. a resident ID number or a credit code.",
    )
    case: str = Field(
        default="",
        max_length=64,
        description="The case (办件) the read is for, if any: shown to the person in their "
        "data-access log.",
    )


def _field_message(kind: str, name: str) -> str:
    if kind == "missing":
        return _("The field %(field)s is required.") % {"field": name}
    if kind in ("string_too_short", "too_short"):
        return _("The field %(field)s must not be empty.") % {"field": name}
    if kind in ("string_too_long", "too_long"):
        return _("The field %(field)s is too long.") % {"field": name}
    return _("The field %(field)s is not valid.") % {"field": name}


def parse_query(body: bytes) -> QueryIn:
    """The query body, or a 422 ``Refusal`` naming the first field that is wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refusal(422, "malformed", _("The body is not valid JSON."), field="body") from exc
    if not isinstance(data, dict):
        raise Refusal(422, "malformed", _("The body must be a JSON object."), field="body")
    try:
        parsed = QueryIn.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first.get("loc", ())) or "body"
        raise Refusal(
            422, "malformed", _field_message(str(first.get("type", "")), name), field=name
        ) from exc
    if any(not code for code in parsed.fields):
        raise Refusal(422, "malformed", _field_message("too_short", "fields"), field="fields")
    return parsed


# --- keys ----------------------------------------------------------------------------------


class MemberKeyResolver:
    """``KeyResolver`` over ``MemberKey`` rows: the key of an active member that is not
    revoked (validity at the request's ``created`` is checked after the signature, by
    ``check_key_valid``). Remembers the row (with its member and department) for the rest
    of the call, and why a key was refused (``problem``)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.row: MemberKey | None = None
        self.problem = ""

    def resolve(self, key_id: str) -> PublicKey | None:
        # key_id is unique: no ORDER BY (the model's ordering would join the member table)
        rows = MemberKey.objects.select_related("member__department").filter(key_id=key_id)
        row = next(iter(rows.order_by()[:1]), None)
        if row is None:
            self.problem = "unknown_key"
            return None
        self.row = row
        member = row.member
        if row.revoked_at is not None and row.revoked_at <= self.now:
            self.problem = "key_revoked"
            return None
        if member.status != MemberStatus.ACTIVE:
            self.problem = "member_suspended"
            return None
        if not member.department.is_active:
            self.problem = "unknown_member"
            return None
        return PublicKey(bytes(row.public_key), row.algorithm, member.code)


def _key_problem_detail(code: str) -> str:
    if code == "key_revoked":
        return _("The key was revoked; sign with a valid key of the member system.")
    if code == "member_suspended":
        return _("The member system is suspended from the exchange.")
    if code == "unknown_member":
        return _("The key belongs to no member system that may use the exchange.")
    return _("The key was not valid when the request was made.")


# --- the call ------------------------------------------------------------------------------


@dataclass
class _Call:
    """What one call has established so far (for the audit record and the evidence)."""

    operation: str
    exchange_id: str
    now: datetime
    request: ExchangeRequest | None = None
    verified: Verified | None = None
    member: MemberSystem | None = None
    key_id: str = ""
    department: str = ""
    official: User | None = None
    official_name: str = ""
    resource: DataResource | None = None
    items: tuple[str, ...] = ()
    share_classes: tuple[str, ...] = ()
    grant: Grant | None = None
    purpose: str = ""
    legal_basis: str = ""
    subject: str = ""
    audit_seq: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def meta(self, outcome: str, reason: str, status: int) -> dict[str, Any]:
        return {
            "node": getattr(settings, "TONGBAN_SITE_CODE", "") or "local",
            "member": self.member.code if self.member is not None else "",
            "key_id": self.key_id,
            "department": self.department,
            "official": self.official_name,
            "subject": self.subject,
            "items": list(self.items),
            "share_classes": list(self.share_classes),
            "grant": self.grant.pk if self.grant is not None else None,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "event": self.operation,
            "outcome": outcome,
            "reason": reason,
            "exchange_id": self.exchange_id,
            "status": status,
        }


def new_exchange_id() -> str:
    """``ex-`` and three groups of 8 hex digits: never a run of digits that a scanner for
    ID numbers could mistake for one."""
    return "ex-" + "-".join(secrets.token_hex(4) for _group in range(3))


def max_body() -> int:
    return int(getattr(settings, "TONGBAN_EXCHANGE_MAX_BODY", DEFAULT_MAX_BODY))


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _headers_only(request: HttpRequest) -> ExchangeRequest:
    """The request without its body (a body too large is never read)."""
    raw_path = request.META.get("RAW_URI") or request.get_full_path()
    return ExchangeRequest(
        method=request.method or "GET",
        url=f"{request.scheme}://{request.get_host()}{raw_path}",
        headers=dict(request.headers.items()),
        body=b"",
    )


def answer_query(request: HttpRequest) -> HttpResponse:
    """``POST /exchange/v1/query`` (see the module doc)."""
    return _run(request, QUERY)


def answer_catalogue(request: HttpRequest) -> HttpResponse:
    """``GET /exchange/v1/catalogue``: the full catalogue as DCAT JSON-LD."""
    return _run(request, CATALOGUE)


def _run(request: HttpRequest, operation: str) -> HttpResponse:
    call = _Call(operation=operation, exchange_id=new_exchange_id(), now=timezone.now())
    try:
        with transaction.atomic():
            return _pipeline(request, call)
    except (auditguard.AuditUnavailable, DatabaseError) as exc:
        # Nothing of the call was committed: no nonce, no count, no audit record, no data.
        logger.error("exchange %s: audit or database write failed: %s", call.exchange_id, exc)
        refusal = Refusal(
            503,
            "audit_unavailable",
            _("The exchange cannot write its audit trail; no data is released. Try again later."),
            headers={"Retry-After": "60"},
        )
        status, body, headers = _problem(call, refusal)
        return _respond(call, status, body, headers, PROBLEM_MEDIA_TYPE, keep_evidence=False)


def _pipeline(request: HttpRequest, call: _Call) -> HttpResponse:
    try:
        payload, media_type = _steps(request, call)
    except Refusal as refusal:
        _audit(call, "exchange.refused", "deny", refusal.code, refusal.status)
        status, body, headers = _problem(call, refusal)
        return _respond(call, status, body, headers, PROBLEM_MEDIA_TYPE)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _respond(call, 200, body, {}, media_type, allowed=True)


def _steps(request: HttpRequest, call: _Call) -> tuple[dict[str, Any], str]:
    # 1. the size cap, before the body is read
    limit = max_body()
    if _declared_length(request) > limit:
        call.request = _headers_only(request)
        raise Refusal(413, "too_large", _too_large(limit))
    readable = True
    try:
        too_large = len(request.body) > limit
    except RequestDataTooBig:  # no Content-Length, and more than Django reads at all
        too_large = True
    except RawPostDataException:
        # A form body that a middleware already parsed: never a signed JSON query. Checked
        # as an empty body, so it is refused as unsigned or as not matching its digest.
        too_large, readable = False, False
    if too_large:
        call.request = _headers_only(request)
        raise Refusal(413, "too_large", _too_large(limit))
    call.request = request_from_django(request) if readable else _headers_only(request)

    # 2. the signature (P2-P4), before anything else is read
    verified = _verify(call)
    member = call.member
    assert member is not None and verified.originator is not None
    call.department = verified.originator.department
    call.official_name = verified.originator.official

    # 3. the audit trail is sealed (P13)
    health = auditguard.sealing_is_stale()
    if health.stale:
        auditguard.alert_seal_stale(health)
        raise Refusal(
            503,
            "seal_stale",
            _("The audit trail has not been sealed for too long; the exchange is paused."),
            headers={"Retry-After": "300"},
        )

    # 4. the body
    query = parse_query(call.request.body) if call.operation == QUERY else None
    if query is not None:
        call.items = tuple(dict.fromkeys(query.fields))
        call.purpose = query.purpose

    # 5. the originator (P9)
    official = _originator(call, member)
    call.official = official

    if query is None:
        return _catalogue(request, call), JSONLD_MEDIA_TYPE
    return _query(call, member, official, query), JSON_MEDIA_TYPE


def _too_large(limit: int) -> str:
    return _("The request body is larger than %(bytes)s bytes, the most the exchange accepts.") % {
        "bytes": limit
    }


def _verify(call: _Call) -> Verified:
    assert call.request is not None
    keys = MemberKeyResolver(call.now)
    try:
        verified = verify_request(call.request, keys=keys, nonces=DatabaseNonceStore())
    except SignatureRefused as refused:
        if keys.row is not None:
            call.member, call.key_id = keys.row.member, keys.row.key_id
        code = refused.code
        detail = str(refused.detail)
        if code == "unknown_key" and keys.problem and keys.problem != "unknown_key":
            code, detail = keys.problem, _key_problem_detail(keys.problem)
        raise Refusal(401, code, detail, field="signature") from refused
    row = keys.row
    assert row is not None
    call.verified, call.member, call.key_id = verified, row.member, row.key_id
    # The key must have been valid when the request was made. ``created`` counts whole
    # seconds, so a key is taken as valid from the second it was registered in.
    created = datetime.fromtimestamp(verified.created, tz=UTC)
    if row.revoked_at is not None and row.revoked_at <= created:
        raise Refusal(401, "key_revoked", _key_problem_detail("key_revoked"), field="signature")
    too_early = created + timedelta(seconds=1) <= row.valid_from
    if too_early or (row.valid_until is not None and created >= row.valid_until):
        raise Refusal(401, "unknown_key", _key_problem_detail("unknown_key"), field="signature")
    return verified


def _originator(call: _Call, member: MemberSystem) -> User:
    if call.department != member.department.code:
        raise Refusal(
            403,
            "originator_not_of_member",
            _("The originating department is not the department of the calling system."),
            field="originator",
        )
    office_role = role_holder_exists(OFFICE_ROLES, member.department_id)
    # username is unique: one row or none, no DISTINCT and no ORDER BY
    officials = User.objects.filter(office_role, username=call.official_name, is_active=True)
    official = next(iter(officials.order_by()[:1]), None)
    if official is None:
        raise Refusal(
            403,
            "originator_unknown",
            _("The originating official is not an active official of that department."),
            field="originator",
        )
    return official


def _resource_and_items(code: str) -> tuple[DataResource | None, dict[str, decision.Item]]:
    """The published resource ``code`` and its items as the decision sees them (as
    ``queries.decision_items``), in one query over the items joined to their resource; a
    resource without items takes a second query."""
    published = {"resource__code": code, "resource__status": ResourceStatus.PUBLISHED}
    rows = list(
        DataItem.objects.filter(**published).select_related("resource__department").order_by()
    )
    if rows:
        return rows[0].resource, {row.code: row.as_decision_item() for row in rows}
    resources = DataResource.objects.filter(code=code, status=ResourceStatus.PUBLISHED)
    return next(iter(resources.select_related("department").order_by()[:1]), None), {}


def _grant_row(
    member: MemberSystem, resource: DataResource, now: datetime
) -> tuple[Grant, decision.Grant] | None:
    """The member's grant for ``resource`` as ``queries.decision_grant`` chooses it (a grant
    valid now, else the latest), read afresh (P8), and as the decision sees it: two queries,
    the grants and the codes of both field lists (one ``UNION`` over the through tables)."""
    rows = list(Grant.objects.filter(member=member, resource=resource).order_by())
    if not rows:
        return None
    row = max(rows, key=lambda g: (g.revoked_at is None and g.expires_at > now, g.granted_at))
    fields = Grant.fields.through.objects.filter(grant_id=row.pk)
    full = Grant.full_fields.through.objects.filter(grant_id=row.pk)
    codes = fields.values_list("dataitem__code", Value(0)).order_by()
    full_codes = full.values_list("dataitem__code", Value(1)).order_by()
    named: dict[int, set[str]] = {0: set(), 1: set()}
    for code, is_full in codes.union(full_codes, all=True):
        named[int(is_full)].add(str(code))
    return row, decision.Grant(
        member=member.code,
        resource=resource.code,
        fields=frozenset(named[0]),
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        expires_at=row.expires_at,
        revoked=row.revoked_at is not None,
        full_fields=frozenset(named[1]),
    )


def _query(call: _Call, member: MemberSystem, official: User, query: QueryIn) -> dict[str, Any]:
    # 6. the resource
    resource, items = _resource_and_items(query.resource)
    if resource is None:
        raise Refusal(
            404,
            "unknown_resource",
            _("There is no published resource %(code)s.") % {"code": query.resource},
            field="resource",
        )
    call.resource = resource

    # 7. the decision (P6, P8), on everything read afresh
    call.share_classes = tuple(
        str(items[code].share_class) if code in items else "" for code in call.items
    )
    found_grant = _grant_row(member, resource, call.now)
    grant = found_grant[1] if found_grant is not None else None
    if found_grant is not None and found_grant[0].is_valid_at(call.now):
        call.grant, call.legal_basis = found_grant[0], found_grant[0].legal_basis
    requester = queries.decision_requester(member, authenticated=True)
    asked = decision.Query(
        resource=resource.code,
        fields=tuple(query.fields),
        purpose=query.purpose,
        clearance=queries.official_clearance(official),
        now=call.now,
    )
    verdict = decision.decide(requester, asked, items, grant)
    if not verdict.allowed:
        raise Refusal(403, str(verdict.reason), _denial(verdict), field=verdict.field)

    # 8. the grant's rate limits
    if call.grant is not None:
        counted = ratelimit.count_call(call.grant, now=call.now)
        if not counted.allowed:
            raise Refusal(
                429,
                "rate_limited",
                _("The grant allows no more calls this %(window)s; try again in %(seconds)s s.")
                % {"window": _window_name(counted.scope), "seconds": counted.retry_after},
                headers={"Retry-After": str(counted.retry_after)},
            )

    # 9. the audit record, then 10. the data
    key = query.key.strip().upper()
    record: DataRecord | None = None
    if not resource.upstream_id:
        records = DataRecord.objects.filter(
            resource=resource, key_digest=digest("text", key), removed_at__isnull=True
        )
        record = next(
            iter(records.only("id", "token", "values", "key_digest").order_by()[:1]), None
        )
        call.subject = record.token if record is not None else ""
    _audit(call, "exchange.query", "allow", str(verdict.reason), 200)
    values = _read_values(call, resource, record, key, verdict.released)
    found = values is not None
    values = values or {}
    released = {code: values[code] for code in verdict.released if code in values}
    masked = [code for code in verdict.released if code in verdict.masked and code in released]
    for code in masked:
        released[code] = mask_value(released[code])
    if found and released:
        # The person's data-access log (我的数据使用记录), in the transaction of the read.
        access_log.record_release(
            record=record, key=key, resource=resource, items=list(released),
            member=member, department=member.department, official=call.official_name,
            grant=call.grant, purpose=call.purpose, legal_basis=call.legal_basis,
            case_ref=query.case, exchange_id=call.exchange_id, now=call.now,
        )  # fmt: skip
    return {
        "exchange_id": call.exchange_id,
        "resource": resource.code,
        "found": found,
        "record": released,
        "masked": masked,
    }


def _read_values(
    call: _Call,
    resource: DataResource,
    record: DataRecord | None,
    key: str,
    fields: Sequence[str],
) -> dict[str, Any] | None:
    """The record's values (None: no such record); for a resource held upstream, the
    upstream platform's answer (a 502 ``Refusal`` when it cannot be had)."""
    if resource.upstream_id:
        try:
            answer = upstream.get_upstream().query(
                upstream_id=resource.upstream_id,
                key=key,
                fields=tuple(fields),
                purpose=call.purpose,
                originator={"dept": call.department, "official": call.official_name},
            )
        except Exception as exc:  # the adapter's failures are many; the caller gets one
            logger.warning("exchange %s: upstream failed: %s", call.exchange_id, exc)
            raise Refusal(
                502,
                "upstream_unavailable",
                _("The provincial or national platform did not answer; try again later."),
                headers={"Retry-After": "60"},
            ) from exc
        return dict(answer) if answer is not None else None
    if record is None:
        return None
    try:
        loaded = json.loads(str(record.values or "{}"))
    except ValueError:
        logger.error("exchange %s: record %s holds no JSON", call.exchange_id, record.pk)
        return {}
    return loaded if isinstance(loaded, dict) else {}


def mask_value(value: Any) -> str:
    """A personal number masked as ``tongban.core.identifiers`` masks them: a mobile number
    keeps 3 + 4 digits, anything else (ID numbers) the first 6 and last 4 characters."""
    text = "" if value is None else str(value)
    if len(text) == 11 and text.isdigit():
        return mask_phone(text)
    return mask_resident_id(text)


def _window_name(scope: str) -> str:
    return _("minute") if scope == ratelimit.Scope.MINUTE else _("day")


def _denial(verdict: decision.Decision) -> str:
    reason = verdict.reason
    messages = {
        decision.Reason.UNAUTHENTICATED: _("The calling system is not authenticated."),
        decision.Reason.NOT_GOVERNMENT: _("Only systems of government departments may ask."),
        decision.Reason.NO_FIELDS: _("Ask for at least one field."),
        decision.Reason.UNKNOWN_FIELD: _("The resource has no field %(field)s."),
        decision.Reason.NOT_SHARED: _("The field %(field)s is not shared."),
        decision.Reason.GRADE_TOO_HIGH: _(
            "The field %(field)s is graded above the level of this call."
        ),
        decision.Reason.NO_GRANT: _("Fields shared on conditions need a grant; there is none."),
        decision.Reason.GRANT_REVOKED: _("The grant was revoked."),
        decision.Reason.GRANT_EXPIRED: _("The grant has expired."),
        decision.Reason.GRANT_OTHER_MEMBER: _("The grant is for another system."),
        decision.Reason.GRANT_OTHER_RESOURCE: _("The grant is for another resource."),
        decision.Reason.PURPOSE_MISMATCH: _("The purpose is not the purpose of the grant."),
        decision.Reason.NO_LEGAL_BASIS: _("The grant records no legal basis."),
        decision.Reason.FIELD_NOT_GRANTED: _("The grant does not name the field %(field)s."),
    }
    text = messages.get(reason, _("The query is not allowed."))
    return text % {"field": verdict.field} if "%(field)s" in text else text


def _catalogue(request: HttpRequest, call: _Call) -> dict[str, Any]:
    resources = exports.with_export_data(
        DataResource.objects.filter(status=ResourceStatus.PUBLISHED).order_by("code")
    )
    _audit(call, "exchange.catalogue", "allow", str(decision.Reason.ALLOW), 200)

    base_url = f"{request.scheme}://{request.get_host()}"
    document: dict[str, Any] = exports.dcat_catalogue(list(resources), base_url=base_url, full=True)
    return document


# --- audit, answers, evidence -------------------------------------------------------------


def _audit(call: _Call, action: str, outcome: str, reason: str, status: int) -> None:
    record = auditguard.write_exchange_audit(
        call.official,
        action,
        meta=call.meta(outcome, reason, status),
        object_id=call.exchange_id,
    )
    call.audit_seq = int(record.seq)


def _problem(call: _Call, refusal: Refusal) -> tuple[int, bytes, dict[str, str]]:
    body = {
        "type": problem_type(refusal.code),
        "title": _titles().get(refusal.status, _("Refused")),
        "status": refusal.status,
        "detail": refusal.detail,
        "code": refusal.code,
        "field": refusal.field,
        "exchange_id": call.exchange_id,
    }
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return refusal.status, data, refusal.headers


def _signable(request: ExchangeRequest | None) -> bool:
    return (
        request is not None
        and bool(header(request.headers, "Signature"))
        and bool(header(request.headers, "Signature-Input"))
    )


def _respond(
    call: _Call,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    media_type: str,
    *,
    allowed: bool = False,
    keep_evidence: bool = True,
) -> HttpResponse:
    """The HTTP answer, signed when the request carried a signature (P5), and its evidence
    kept (P11) in the call's transaction."""
    out_headers = {"Content-Type": media_type, EXCHANGE_ID_HEADER: call.exchange_id, **headers}
    request = call.request
    if _signable(request):
        assert request is not None
        try:
            signed = _signed(status, request, out_headers, body)
        except Exception:
            if allowed:  # an answer with data never leaves unsigned
                raise
            logger.warning("exchange %s: refusal left unsigned", call.exchange_id, exc_info=True)
        else:
            out_headers = dict(signed.headers)
            if keep_evidence:
                _keep_evidence(call, request, signed, allowed)
    response = HttpResponse(body, status=status, content_type=media_type)
    for name, value in out_headers.items():
        if name.lower() != "content-type":
            response[name] = value
    return response


def _signed(
    status: int, request: ExchangeRequest, headers: Mapping[str, str], body: bytes
) -> ExchangeResponse:
    """The answer signed with the node's active exchange key; signed again, once, when the
    key was rotated since this process last read its id (``signing.KeyRotated``)."""
    for attempt in (1, 2):
        signed = ExchangeResponse(status, request, dict(headers), body)
        try:
            return sign_response(signed, KeyStoreSigner())
        except KeyRotated:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _keep_evidence(
    call: _Call, request: ExchangeRequest, response: ExchangeResponse, allowed: bool
) -> None:
    bodies = response.status_code != 413  # the body of a refused oversize request was not read
    bundle = make_bundle(request, response, bodies=bodies)
    reason = ""
    if call.audit_seq is not None:
        reason = "allow" if allowed else _reason_of(response.body)
    ExchangeEvidence.objects.create(
        exchange_id=call.exchange_id,
        side=EvidenceSide.PROVIDER,
        occurred_at=call.now,
        member=call.member,
        resource=call.resource,
        grant=call.grant,
        allowed=allowed,
        reason=reason[:40],
        status_code=response.status_code,
        audit_stream=auditguard.STREAM if call.audit_seq is not None else "",
        audit_seq=call.audit_seq,
        bundle=json.dumps(bundle, ensure_ascii=False, separators=(",", ":")),
    )


def _reason_of(body: bytes) -> str:
    try:
        return str(json.loads(body).get("code", ""))
    except (ValueError, AttributeError):
        return ""
