"""The exchange gateway end to end, through Django's test client with real keys: every
promise it keeps (P1, P3–P9, P12, P13) and every error it answers.

Every response body these tests receive is scanned for a resident ID number with a valid
check character (P7), and every exchange audit record they cause is checked for the P12
keys and for raw ID numbers (``_p12_every_exchange_record``, autouse)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from conftest import make_resident_id
from tongban.core.crypto import keys as keystore
from tongban.core.identifiers import resident_id_check_char
from tongban.core.models import AuditRecord
from tongban.exchange import auditguard, gateway
from tongban.exchange.bundle_verify import verify_bundle
from tongban.exchange.models import (
    DataRecord,
    ExchangeEvidence,
    Grant,
    MemberKey,
    MemberStatus,
    RateWindow,
    SeenNonce,
)
from tongban.exchange.signing import (
    ExchangeRequest,
    ExchangeResponse,
    InMemoryKeyResolver,
    Originator,
    PublicKey,
    SignatureRefused,
    generate_signing_key,
    sign_request,
    verify_response,
)

pytestmark = pytest.mark.django_db

HOST = "testserver"
QUERY = "/exchange/v1/query"
CATALOGUE = "/exchange/v1/catalogue"
PURPOSE = "企业登记核验"
ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
ID_NUMBER = make_resident_id(seq=456)
ADDRESS = "中山市石岐区孙文中路1号"


def valid_ids(text: str) -> list[str]:
    """18-character resident ID numbers with a valid check character found in ``text``."""
    return [m for m in ID_RE.findall(text) if resident_id_check_char(m[:17]) == m[17]]


# --- the caller ---------------------------------------------------------------------------


@dataclass
class Caller:
    """A member system with a registered key, calling through Django's test client."""

    key: Any
    client: Client
    full_ids_allowed: bool = False

    def sign(
        self,
        body: Any = None,
        *,
        path: str = QUERY,
        method: str = "POST",
        originator: Originator | None = None,
        now: float | None = None,
        raw: bytes | None = None,
    ) -> ExchangeRequest:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        req = ExchangeRequest(
            method, f"http://{HOST}{path}", {"Content-Type": "application/json"}, data
        )
        return sign_request(req, self.key, originator or Originator("scjg", "official-a"), now=now)

    def send(self, req: ExchangeRequest) -> Any:
        path = req.url.split(HOST, 1)[1]
        headers = {k: v for k, v in req.headers.items() if k.lower() != "content-type"}
        response = self.client.generic(
            req.method, path, data=req.body, content_type="application/json", headers=headers
        )
        text = response.content.decode("utf-8", "replace")
        if not self.full_ids_allowed:
            assert valid_ids(text) == [], f"an unmasked ID number left the gateway: {text}"
        assert "Set-Cookie" not in response, "the gateway must not use the session"
        return response

    def query(self, fields: list[str], **extra: Any) -> Any:
        body = {"resource": "zs.ga.population", "fields": fields, "purpose": PURPOSE,
                "key": ID_NUMBER.lower()}  # fmt: skip
        body.update(extra)
        return self.send(self.sign(body))


def gateway_keys() -> InMemoryKeyResolver:
    info = keystore.active_key("exchange")
    return InMemoryKeyResolver({info.key_id: PublicKey(info.public_key, info.alg, "gateway")})


def as_response(req: ExchangeRequest, response: Any) -> ExchangeResponse:
    return ExchangeResponse(response.status_code, req, dict(response.headers), response.content)


@pytest.fixture
def gw(world) -> Any:
    world.requester_official.clearance = 3
    world.requester_official.save()
    return world


@pytest.fixture
def caller(gw) -> Caller:
    key, public = generate_signing_key("scjg-reg-1")
    MemberKey.objects.create(
        member=gw.member, key_id=key.key_id, algorithm=key.alg, public_key=public
    )
    return Caller(key=key, client=Client())


@pytest.fixture
def grant(gw) -> Grant:
    row = Grant.objects.create(
        member=gw.member,
        resource=gw.resource,
        purpose=PURPOSE,
        legal_basis="《市场主体登记管理条例》第十二条",
        expires_at=timezone.now() + timedelta(days=30),
        rate_per_minute=5,
        rate_per_day=100,
    )
    row.fields.set([gw.name, gw.id_number, gw.address])
    return row


@pytest.fixture
def record(gw) -> DataRecord:
    row = DataRecord(
        resource=gw.resource,
        key=ID_NUMBER.upper(),
        values=json.dumps(
            {
                "person.name": "林小雨",
                "person.id_number": ID_NUMBER,
                "household.address": ADDRESS,
                "person.record": "secret",
            }
        ),
        fingerprint="f",
    )
    row.save()
    return row


@pytest.fixture(autouse=True)
def _p12_every_exchange_record(db):
    """P12: every exchange audit record written by a test has every P12 key and no raw ID."""
    yield
    for row in AuditRecord.objects.filter(stream="exchange"):
        missing = set(gateway.P12_KEYS) - set(row.meta)
        assert not missing, f"{row.action} lacks {missing}"
        assert valid_ids(json.dumps(row.meta, ensure_ascii=False)) == [], row.meta
        assert ID_NUMBER.lower() not in json.dumps(row.meta).lower()


def refused_records(code: str) -> list[AuditRecord]:
    return [
        r
        for r in AuditRecord.objects.filter(stream="exchange", action="exchange.refused")
        if r.meta["reason"] == code
    ]


# --- P1: every route refuses without credentials ------------------------------------------


ALLOW_LIST = {"/exchange/v1/openapi.json", "/exchange/v1/docs"}


def _routes(patterns: list[Any], prefix: str = "/") -> set[str]:
    keys: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            keys |= _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            keys.add(prefix + str(pattern.pattern))
    return keys


def _gateway_routes() -> set[str]:
    """Every route of the URL resolver under the gateway."""
    return {key for key in _routes(get_resolver().url_patterns) if key.startswith("/exchange/v1/")}


def test_p1_every_gateway_route_refuses_without_credentials(gw):
    client = Client()
    document = client.get("/exchange/v1/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    documented = {p: set(ops) for p, ops in paths.items()}
    routes = _gateway_routes()
    # The resolver and the document agree: every route is documented or allow-listed.
    assert set(documented) <= routes
    assert routes - set(documented) - ALLOW_LIST == {"/exchange/v1/"}
    assert documented, "the OpenAPI document lists no operation"
    for route in routes - ALLOW_LIST:
        methods = documented.get(route, {"get", "post"})
        for method in methods:
            response = client.generic(method.upper(), route)
            assert response.status_code == 401, (route, method, response.content)
            assert response.json()["code"] == "unsigned"
    for route in ALLOW_LIST:
        assert client.get(route).status_code == 200, route


def test_p1_wrong_method_is_a_problem_not_a_page(caller):
    response = caller.client.get(QUERY)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")


# --- P3: any change to what is signed is refused and audited ------------------------------


@hsettings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_p3_flipped_bytes_refused_and_audited(caller, grant, data):
    req = caller.sign({"resource": "zs.ga.population", "fields": ["person.name"],
                       "purpose": PURPOSE, "key": ID_NUMBER})  # fmt: skip
    target = data.draw(st.sampled_from(["body", "originator", "signature"]))
    if target == "body":
        # Positions are drawn as numbers and reduced: the signed message differs from run
        # to run (fresh nonce), and the draws must not depend on it.
        body = bytearray(req.body)
        pos = data.draw(st.integers(0, 10**6)) % len(body)
        body[pos] ^= data.draw(st.integers(1, 127))
        req.body = bytes(body)
        expected = {"digest_mismatch"}
    else:
        name = "X-Tongban-Originator" if target == "originator" else "Signature"
        value = req.headers[name]
        if target == "signature":  # inside :…:, not the last characters (padding bits)
            lo, hi = value.index(":") + 1, len(value) - 5
        else:
            lo, hi = 0, len(value) - 1
        spots = [i for i in range(lo, hi + 1) if value[i].isalnum()]
        pos = spots[data.draw(st.integers(0, 10**6)) % len(spots)]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        choices = [c for c in alphabet if c != value[pos]]
        new = choices[data.draw(st.integers(0, 10**6)) % len(choices)]
        req.headers[name] = value[:pos] + new + value[pos + 1 :]
        expected = {"bad_signature", "malformed"}
    before = AuditRecord.objects.filter(stream="exchange", action="exchange.refused").count()
    response = caller.send(req)
    assert response.status_code == 401, response.content
    code = response.json()["code"]
    assert code in expected
    refused = AuditRecord.objects.filter(stream="exchange", action="exchange.refused")
    assert refused.count() == before + 1
    assert refused.order_by("-seq").first().meta["reason"] == code


def test_p3_unsigned_request_reaches_no_data_and_is_audited(caller, grant, record):
    response = caller.client.post(
        QUERY, data=json.dumps({"resource": "zs.ga.population"}), content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["code"] == "unsigned"
    assert "林小雨" not in response.content.decode()
    assert refused_records("unsigned")


# --- P4: replay and clock -----------------------------------------------------------------


def test_p4_replay_refused(caller, grant, record):
    req = caller.sign({"resource": "zs.ga.population", "fields": ["person.name"],
                       "purpose": PURPOSE, "key": ID_NUMBER})  # fmt: skip
    assert caller.send(req).status_code == 200
    again = caller.send(req)
    assert again.status_code == 401 and again.json()["code"] == "replayed"
    assert SeenNonce.objects.count() == 1
    assert refused_records("replayed")


@pytest.mark.parametrize(("offset", "code"), [(-301, "expired"), (301, "skewed")])
def test_p4_outside_the_window_refused(caller, grant, offset, code):
    req = caller.sign({"resource": "zs.ga.population", "fields": ["person.name"],
                       "purpose": PURPOSE, "key": ID_NUMBER}, now=time.time() + offset)  # fmt: skip
    response = caller.send(req)
    assert response.status_code == 401 and response.json()["code"] == code


def test_p4_a_refused_request_spends_no_nonce(caller, grant):
    req = caller.sign({"resource": "zs.ga.population", "fields": ["person.name"],
                       "purpose": PURPOSE, "key": ID_NUMBER}, now=time.time() - 301)  # fmt: skip
    caller.send(req)
    assert SeenNonce.objects.count() == 0


# --- P5: an answer verifies only beside its own request -----------------------------------


def test_p5_swapped_responses_do_not_verify(caller, grant, record):
    keys = gateway_keys()
    first = caller.sign({"resource": "zs.ga.population", "fields": ["person.name"],
                         "purpose": PURPOSE, "key": ID_NUMBER})  # fmt: skip
    second = caller.sign({"resource": "zs.ga.population", "fields": ["household.address"],
                          "purpose": PURPOSE, "key": ID_NUMBER})  # fmt: skip
    one, two = caller.send(first), caller.send(second)
    assert one.status_code == two.status_code == 200
    assert one["X-Tongban-Exchange-Id"] != two["X-Tongban-Exchange-Id"]
    verify_response(as_response(first, one), keys=keys)
    verify_response(as_response(second, two), keys=keys)
    for req, resp in ((first, two), (second, one)):
        with pytest.raises(SignatureRefused):
            verify_response(as_response(req, resp), keys=keys)


def test_p5_refusals_are_signed_too(caller, gw):
    req = caller.sign({"resource": "zs.ga.population", "fields": ["person.record"],
                       "purpose": PURPOSE, "key": ID_NUMBER})  # fmt: skip
    response = caller.send(req)
    assert response.status_code == 403
    verify_response(as_response(req, response), keys=gateway_keys())


# --- P6: the decision, through the gateway -----------------------------------------------


def test_p6_not_shared_denied(caller, grant, record):
    response = caller.query(["person.name", "person.record"])
    assert response.status_code == 403
    assert response.json()["code"] == "not_shared" and response.json()["field"] == "person.record"
    assert "secret" not in response.content.decode()


def test_p6_conditional_without_grant_denied(caller, record):
    response = caller.query(["household.address"])
    assert response.status_code == 403 and response.json()["code"] == "no_grant"
    assert ADDRESS not in response.content.decode()


def test_p6_unconditional_allowed_for_an_authenticated_member_and_logged(caller, record):
    response = caller.query(["person.name"])
    assert response.status_code == 200, response.content
    assert response.json()["record"] == {"person.name": "林小雨"}
    logged = AuditRecord.objects.get(stream="exchange", action="exchange.query")
    assert logged.meta["outcome"] == "allow" and logged.meta["items"] == ["person.name"]
    assert logged.meta["grant"] is None and logged.meta["subject"] == record.token


def test_p6_grade_above_the_officials_clearance_denied(caller, grant, record, gw):
    gw.requester_official.clearance = 2  # member level 3, official 2: effective 2
    gw.requester_official.save()
    response = caller.query(["household.address"])
    assert response.status_code == 403
    assert response.json() | {} and response.json()["code"] == "grade_too_high"


def test_p6_grade_above_the_members_level_denied(caller, grant, record, gw):
    gw.member.dengbao_grade = 2  # level 2 now, official 3
    gw.member.save()
    response = caller.query(["household.address"])
    assert response.status_code == 403 and response.json()["code"] == "grade_too_high"


# --- P7: exactly the granted fields, personal numbers masked -----------------------------


def test_p7_exactly_the_released_fields_and_id_masked(caller, grant, record):
    response = caller.query(["person.id_number", "person.name", "person.name"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body["record"]) == ["person.id_number", "person.name"]
    assert set(body["record"]) <= {f.code for f in grant.fields.all()}
    assert body["masked"] == ["person.id_number"]
    assert body["record"]["person.id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert body["found"] is True


def test_p7_full_number_only_when_the_grant_names_it(caller, grant, record, gw):
    grant.full_fields.set([gw.id_number])
    caller.full_ids_allowed = True
    response = caller.query(["person.id_number"])
    assert response.status_code == 200
    assert response.json()["record"] == {"person.id_number": ID_NUMBER}
    assert response.json()["masked"] == []
    assert valid_ids(response.content.decode()) == [ID_NUMBER]  # the scanner does see it


def test_p7_unknown_key_is_not_found(caller, grant, record):
    response = caller.query(["person.name"], key=make_resident_id(seq=999))
    assert response.status_code == 200
    assert response.json() | {} == {**response.json(), "found": False, "record": {}}


# --- P8: revocation and expiry count on the next call -------------------------------------


def test_p8_revoked_grant_refused_on_the_next_call(caller, grant, record):
    assert caller.query(["household.address"]).status_code == 200
    grant.revoked_at = timezone.now()
    grant.save()
    response = caller.query(["household.address"])
    assert response.status_code == 403 and response.json()["code"] == "grant_revoked"


def test_p8_expired_grant_refused(caller, grant, record):
    assert caller.query(["household.address"]).status_code == 200
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    response = caller.query(["household.address"])
    assert response.status_code == 403 and response.json()["code"] == "grant_expired"


# --- P9: the originator is authorised, not the system ------------------------------------


def _p9(caller: Caller, originator: Originator) -> Any:
    req = caller.sign({"resource": "zs.ga.population", "fields": ["person.name"],
                       "purpose": PURPOSE, "key": ID_NUMBER}, originator=originator)  # fmt: skip
    return caller.send(req)


def test_p9_other_department_refused_and_audited(caller, record):
    response = _p9(caller, Originator("ga", "official-b"))
    assert response.status_code == 403 and response.json()["code"] == "originator_not_of_member"
    assert refused_records("originator_not_of_member")


def test_p9_forged_official_refused_and_audited(caller, record):
    # official-b exists, but is an official of ga, not of scjg
    response = _p9(caller, Originator("scjg", "official-b"))
    assert response.status_code == 403 and response.json()["code"] == "originator_unknown"
    assert refused_records("originator_unknown")


def test_p9_missing_official_refused(caller, record):
    response = _p9(caller, Originator("scjg", "nobody-here"))
    assert response.status_code == 403 and response.json()["code"] == "originator_unknown"


def test_p9_inactive_official_refused(caller, record, gw):
    gw.requester_official.is_active = False
    gw.requester_official.save()
    response = _p9(caller, Originator("scjg", "official-a"))
    assert response.status_code == 403 and response.json()["code"] == "originator_unknown"


def test_p9_request_without_originator_header_refused(caller, record):
    req = caller.sign({"resource": "zs.ga.population", "fields": ["person.name"],
                       "purpose": PURPOSE, "key": ID_NUMBER})  # fmt: skip
    del req.headers["X-Tongban-Originator"]
    response = caller.send(req)
    assert response.status_code == 401 and response.json()["code"] == "missing_component"
    assert refused_records("missing_component")


# --- P12: the audit record ---------------------------------------------------------------


def test_p12_allowed_query_audited_with_every_key(caller, grant, record):
    response = caller.query(["person.id_number", "household.address"])
    assert response.status_code == 200
    row = AuditRecord.objects.get(stream="exchange", action="exchange.query")
    meta = row.meta
    assert set(gateway.P12_KEYS) <= set(meta)
    assert meta["member"] == "scjg.registration" and meta["key_id"] == "scjg-reg-1"
    assert meta["department"] == "scjg" and meta["official"] == "official-a"
    assert meta["items"] == ["person.id_number", "household.address"]
    assert meta["share_classes"] == ["conditional", "conditional"]
    assert meta["grant"] == grant.pk and meta["purpose"] == PURPOSE
    assert meta["legal_basis"] == grant.legal_basis
    assert meta["exchange_id"] == response["X-Tongban-Exchange-Id"]
    assert meta["subject"] == record.token and meta["outcome"] == "allow"
    text = json.dumps(meta, ensure_ascii=False)
    assert ADDRESS not in text and "林小雨" not in text


def test_p12_evidence_kept_and_verifiable(caller, grant, record, gw):
    response = caller.query(["person.name"])
    row = ExchangeEvidence.objects.get(exchange_id=response["X-Tongban-Exchange-Id"])
    assert row.side == "provider" and row.allowed and row.status_code == 200
    assert row.audit_stream == "exchange" and row.audit_seq is not None
    keys = gateway_keys()
    keys.add("scjg-reg-1", PublicKey(bytes(MemberKey.objects.get().public_key), caller.key.alg,
                                     gw.member.code))  # fmt: skip
    report = verify_bundle(json.loads(str(row.bundle)), keys)
    assert report is not None


# --- P13: no exchange without an audit trail ---------------------------------------------


def test_p13_audit_write_failure_is_503_and_nothing_leaves(caller, grant, record, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(AuditRecord, "save", broken)
    response = caller.query(["person.name", "household.address"])
    assert response.status_code == 503 and response.json()["code"] == "audit_unavailable"
    text = response.content.decode()
    assert "林小雨" not in text and ADDRESS not in text
    assert not ExchangeEvidence.objects.exists()
    assert not RateWindow.objects.exists() and not SeenNonce.objects.exists()
    monkeypatch.undo()
    assert caller.query(["person.name"]).status_code == 200


def test_p13_stale_sealing_is_503_with_an_alert_and_resumes_after_repair(
    caller, grant, record, monkeypatch
):
    from tongban.core.audit import seal_streams

    assert caller.query(["person.name"]).status_code == 200
    period = auditguard.period_seconds()
    later = timezone.now() + timedelta(seconds=period + 60)
    monkeypatch.setattr(auditguard, "clock", lambda: later)
    from django.core.cache import cache

    cache.delete(auditguard.HEALTHY_CACHE_KEY)
    response = caller.query(["person.name"])
    assert response.status_code == 503 and response.json()["code"] == "seal_stale"
    assert "林小雨" not in response.content.decode()
    alerts = AuditRecord.objects.filter(stream="alert", action="alert.exchange.seal_stale")
    assert alerts.count() == 1
    assert caller.query(["person.name"]).status_code == 503
    assert alerts.count() == 1, "one alert per failure, not one per call"
    run = seal_streams()  # the repair: sealing works again
    assert not run.problems
    response = caller.query(["person.name"])
    assert response.status_code == 200, response.content


def test_p13_fresh_unsealed_records_are_not_stale(caller, grant, record):
    assert not auditguard.seal_health().stale
    assert caller.query(["person.name"]).status_code == 200


# --- errors -------------------------------------------------------------------------------


def test_oversize_body_413(caller, settings):
    settings.TONGBAN_EXCHANGE_MAX_BODY = 200
    req = caller.sign(raw=b'{"pad": "' + b"x" * 300 + b'"}')
    response = caller.send(req)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    verify_response(as_response(req, response), keys=gateway_keys())
    assert refused_records("too_large")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (
            json.dumps(
                {"resource": "zs.ga.population", "fields": ["person.name"], "key": "1"}
            ).encode(),
            "purpose",
        ),
        (
            json.dumps(
                {"resource": "zs.ga.population", "fields": [], "purpose": "p", "key": "1"}
            ).encode(),
            "fields",
        ),
    ],
)
def test_malformed_body_422_names_the_field(caller, raw, field):
    response = caller.send(caller.sign(raw=raw))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "malformed" and response.json()["field"] == field


def test_unknown_resource_404(caller):
    response = caller.query(["person.name"], resource="zs.nothing")
    assert response.status_code == 404 and response.json()["code"] == "unknown_resource"


def test_over_the_minute_limit_429_with_retry_after(caller, grant, record):
    for _i in range(grant.rate_per_minute):
        assert caller.query(["person.name"]).status_code == 200
    response = caller.query(["person.name"])
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_over_the_day_limit_429(caller, grant, record):
    grant.rate_per_day = 2
    grant.save()
    assert caller.query(["person.name"]).status_code == 200
    assert caller.query(["person.name"]).status_code == 200
    response = caller.query(["person.name"])
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    minute = RateWindow.objects.get(scope="minute")
    assert minute.count == 2, "a call refused for the day does not use a minute slot"


def test_unknown_key_401(gw):
    key, _public = generate_signing_key("never-registered")
    stranger = Caller(key=key, client=Client())
    response = stranger.send(stranger.sign({"resource": "x"}))
    assert response.status_code == 401 and response.json()["code"] == "unknown_key"


def test_suspended_member_401(caller, gw):
    gw.member.status = MemberStatus.SUSPENDED
    gw.member.save()
    response = caller.query(["person.name"])
    assert response.status_code == 401 and response.json()["code"] == "member_suspended"
    assert refused_records("member_suspended")[0].meta["member"] == gw.member.code


def test_revoked_key_401(caller):
    MemberKey.objects.update(revoked_at=timezone.now())
    response = caller.query(["person.name"])
    assert response.status_code == 401 and response.json()["code"] == "key_revoked"


def test_retired_key_401(caller):
    MemberKey.objects.update(valid_until=timezone.now() - timedelta(minutes=1))
    response = caller.query(["person.name"])
    assert response.status_code == 401 and response.json()["code"] == "unknown_key"


# --- the catalogue and the cost of a call -------------------------------------------------


def test_catalogue_signed_and_audited(caller):
    req = caller.sign(path=CATALOGUE, method="GET")
    response = caller.send(req)
    assert response.status_code == 200, response.content
    document = response.json()
    # The full catalogue, for members: not only resources open to the public.
    assert [d["identifier"] for d in document["dataset"]] == ["zs.ga.population"]
    assert document["@id"] == f"http://{HOST}/exchange/v1/catalogue"
    verify_response(as_response(req, response), keys=gateway_keys())
    assert AuditRecord.objects.filter(stream="exchange", action="exchange.catalogue").exists()


def test_a_call_costs_a_bounded_number_of_queries(caller, grant, record):
    caller.query(["person.name"])  # the gateway's key and the audit stream exist now
    with CaptureQueriesContext(connection) as queries:
        assert caller.query(["person.name", "person.id_number"]).status_code == 200
    assert len(queries) <= 25, [q["sql"][:80] for q in queries.captured_queries]


def test_every_route_is_in_the_resolver(gw):
    names = {
        p.name for p in get_resolver("tongban.exchange.gateway_urls").url_patterns[0].url_patterns
    }
    assert {"query", "catalogue", "openapi-json", "openapi-view"} <= names
