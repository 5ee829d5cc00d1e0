"""The member-side client (``tongban.exchange.client``) against a stub gateway: it signs
what it sends, accepts only the gateway's signed answer to the very request it sent (P5),
turns signed refusals into ``ExchangeRefused`` with the problem's code, and carries its
messages over real HTTP (``UrllibTransport``) and in-process (``DjangoTransport``).

The stub checks requests and signs answers with ``signing`` alone (no database); the real
gateway is exercised in test_client_gateway.py and test_p11_evidence.py."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from tongban.core.errors import ServiceError
from tongban.exchange import signing
from tongban.exchange.client import (
    DjangoTransport,
    ExchangeClient,
    ExchangeRefused,
    QueryResult,
    TransportError,
    UrllibTransport,
)
from tongban.exchange.nonces import MemoryNonceStore
from tongban.exchange.signing import (
    ExchangeRequest,
    ExchangeResponse,
    InMemoryKeyResolver,
    Originator,
    PublicKey,
    SignatureRefused,
    generate_signing_key,
)

ALICE = Originator(department="scjg", official="official-a")
RESOURCE = "zs.ga.population"
Answer = tuple[int, dict[str, str], Any]


class Stub:
    """A gateway in miniature: checks a request like the real one (signature, digest,
    clock, nonce) and signs its answer bound to it. ``answer`` decides what to say."""

    def __init__(self, suite: str) -> None:
        self.member_key, member_public = generate_signing_key("mk-stub", suite)
        self.gateway_key, gateway_public = generate_signing_key("gw-stub", suite)
        self.rogue_key, _rogue_public = generate_signing_key("gw-rogue", suite)
        self.member_keys = InMemoryKeyResolver(
            {"mk-stub": PublicKey(member_public, self.member_key.alg, "scjg.registration")}
        )
        self.gateway_keys = InMemoryKeyResolver(
            {"gw-stub": PublicKey(gateway_public, self.gateway_key.alg, "gateway:test")}
        )
        self.nonces = MemoryNonceStore()
        self.seen: list[tuple[signing.Verified, Any]] = []
        self.answer: Callable[[Any], Answer] = self.found
        self.signer: signing.Signer = self.gateway_key
        self.count = 0
        self.sign_now: float | None = None

    def found(self, asked: Any) -> Answer:
        if asked is None:  # the catalogue
            return 200, {}, {"@context": {}, "dataset": []}
        record = {
            f: {"person.name": "王小明", "person.id_number": "4420**********123X"}[f]
            for f in asked["fields"]
        }
        masked = [f for f in asked["fields"] if f == "person.id_number"]
        return (
            200,
            {},
            {"resource": asked["resource"], "found": True, "record": record, "masked": masked},
        )

    def handle(self, request: ExchangeRequest) -> tuple[int, dict[str, str], bytes]:
        self.count += 1
        exchange_id = f"ex-{self.count:04d}"
        verified = signing.verify_request(request, keys=self.member_keys, nonces=self.nonces)
        asked = json.loads(request.body) if request.body else None
        self.seen.append((verified, asked))
        status, headers, document = self.answer(asked)
        if isinstance(document, dict):
            document = {**document, "exchange_id": exchange_id}
        body = (
            document
            if isinstance(document, bytes)
            else json.dumps(document, ensure_ascii=False).encode()
        )
        response = ExchangeResponse(
            status,
            request,
            {"Content-Type": "application/json", "X-Tongban-Exchange-Id": exchange_id, **headers},
            body,
        )
        signing.sign_response(response, self.signer, now=self.sign_now)
        return status, response.headers, body

    def client(self, transport: Any, base: str = "http://testserver/stub/v1/") -> ExchangeClient:
        return ExchangeClient(
            base, self.member_key, ALICE, transport, gateway_keys=self.gateway_keys
        )


class DirectTransport:
    """Hands the signed request to the stub as an ``ExchangeRequest`` (no HTTP)."""

    def __init__(self, stub: Stub) -> None:
        self.stub = stub

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        return self.stub.handle(ExchangeRequest(method, url, dict(headers), body))


@pytest.fixture(params=["intl", "gm"])
def stub(request: pytest.FixtureRequest) -> Stub:
    return Stub(request.param)


# --- signing and checking -------------------------------------------------------------------


def test_query_is_signed_for_the_originator_and_the_answer_checked(stub: Stub):
    result = stub.client(DirectTransport(stub)).query(
        RESOURCE, ["person.name", "person.id_number"], "入学资格审核", "44200019900101123X"
    )
    assert result == QueryResult(
        exchange_id="ex-0001",
        resource=RESOURCE,
        found=True,
        record={"person.name": "王小明", "person.id_number": "4420**********123X"},
        masked=("person.id_number",),
    )
    ((verified, asked),) = stub.seen
    assert verified.originator == ALICE and verified.member == "scjg.registration"
    assert asked == {
        "resource": RESOURCE,
        "fields": ["person.name", "person.id_number"],
        "purpose": "入学资格审核",
        "key": "44200019900101123X",
    }


def test_catalogue_is_a_signed_get_with_an_empty_body(stub: Stub):
    stub.answer = lambda asked: (200, {}, {"@context": {}, "dataset": []})
    catalogue = stub.client(DirectTransport(stub)).catalogue()
    assert catalogue["dataset"] == []
    ((verified, asked),) = stub.seen
    assert asked is None and verified.content_digest == signing.content_digest(b"")


def test_a_signed_refusal_is_a_service_error_with_the_problems_code(stub: Stub):
    stub.answer = lambda asked: (
        403,
        {"Content-Type": "application/problem+json"},
        {
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
            "detail": "授权已撤销。",
            "code": "grant_revoked",
            "field": "resource",
        },
    )
    with pytest.raises(ExchangeRefused) as caught:
        stub.client(DirectTransport(stub)).query(RESOURCE, ["person.name"], "核验", "K1")
    refusal = caught.value
    assert isinstance(refusal, ServiceError)
    assert (refusal.code, refusal.status, refusal.exchange_id) == ("grant_revoked", 403, "ex-0001")
    assert refusal.message_dict == {"resource": ["授权已撤销。"]}
    assert refusal.error_dict["resource"][0].code == "grant_revoked"


def test_rate_limited_carries_retry_after(stub: Stub):
    stub.answer = lambda asked: (
        429,
        {"Retry-After": "17"},
        {"title": "Too many requests", "status": 429, "code": "rate_limited", "detail": "稍后再试"},
    )
    with pytest.raises(ExchangeRefused) as caught:
        stub.client(DirectTransport(stub)).query(RESOURCE, ["person.name"], "核验", "K1")
    assert (caught.value.code, caught.value.retry_after) == ("rate_limited", 17)


# --- answers the client refuses ---------------------------------------------------------------


def refusal_code(stub: Stub, transport: Any = None) -> str:
    with pytest.raises(SignatureRefused) as caught:
        stub.client(transport or DirectTransport(stub)).query(
            RESOURCE, ["person.name"], "核验", "K1"
        )
    return caught.value.code


def test_an_unsigned_answer_is_refused_even_an_error(stub: Stub):
    class Proxy502:
        def send(self, method, url, headers, body):
            return 502, {"Content-Type": "text/html"}, b"<h1>Bad gateway</h1>"

    assert refusal_code(stub, Proxy502()) == "unsigned"


def test_an_answer_signed_by_another_key_is_refused(stub: Stub):
    stub.signer = stub.rogue_key  # a key the client does not take for the gateway's
    assert refusal_code(stub) == "unknown_key"
    stub.signer = stub.member_key  # nor the member's own key
    assert refusal_code(stub) == "unknown_key"


def test_an_altered_answer_is_refused(stub: Stub):
    class Tamper(DirectTransport):
        def send(self, method, url, headers, body):
            status, answer_headers, answer = super().send(method, url, headers, body)
            return status, answer_headers, answer.replace("王小明".encode(), "李小红".encode())

    assert refusal_code(stub, Tamper(stub)) == "digest_mismatch"


def test_an_answer_with_another_status_is_refused(stub: Stub):
    class Downgrade(DirectTransport):
        def send(self, method, url, headers, body):
            _status, answer_headers, answer = super().send(method, url, headers, body)
            return 404, answer_headers, answer

    assert refusal_code(stub, Downgrade(stub)) == "bad_signature"


def test_p5_an_answer_replayed_to_a_later_request_is_refused(stub: Stub):
    class Replay(DirectTransport):
        kept: tuple[int, dict[str, str], bytes] | None = None

        def send(self, method, url, headers, body):
            answer = super().send(method, url, headers, body)
            if self.kept is None:
                self.kept = answer
            return self.kept

    transport = Replay(stub)
    client = stub.client(transport)
    client.query(RESOURCE, ["person.name"], "核验", "K1")  # the first answer is right
    with pytest.raises(SignatureRefused) as caught:
        client.query(RESOURCE, ["person.name"], "核验", "K1")  # same question, old answer
    assert caught.value.code == "bad_signature"


def test_p5_two_requests_in_flight_with_swapped_answers_are_both_refused(stub: Stub):
    """Two threads ask at once; the transport hands each the other's signed answer."""

    class Swap(DirectTransport):
        def __init__(self, stub: Stub) -> None:
            super().__init__(stub)
            self.lock = threading.Lock()
            self.barrier = threading.Barrier(2, timeout=10)
            self.answers: dict[str, tuple[int, dict[str, str], bytes]] = {}

        def send(self, method, url, headers, body):
            with self.lock:  # the stub's counters are not thread-safe; the swap is the point
                answer = super().send(method, url, headers, body)
            me = threading.current_thread().name
            self.answers[me] = answer
            self.barrier.wait()  # both answers are in: swap them
            (other,) = [a for name, a in self.answers.items() if name != me]
            return other

    transport = Swap(stub)
    client = stub.client(transport)
    outcomes: dict[str, object] = {}

    def ask(key: str) -> None:
        try:
            outcomes[key] = client.query(RESOURCE, ["person.name"], "核验", key)
        except ServiceError as exc:
            outcomes[key] = exc

    threads = [threading.Thread(target=ask, args=(k,), name=k) for k in ("K1", "K2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(stub.seen) == 2  # the gateway answered both
    assert set(outcomes) == {"K1", "K2"}
    for outcome in outcomes.values():
        assert isinstance(outcome, SignatureRefused) and outcome.code == "bad_signature"


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ({"resource": "zs.scjg.legal", "found": True, "record": {}, "masked": []}, "resource"),
        (
            {"resource": RESOURCE, "found": True, "record": {"person.address": "x"}, "masked": []},
            "fields",
        ),
        ({"resource": RESOURCE, "record": {}, "masked": []}, "found"),
        ({"resource": RESOURCE, "found": True, "record": {"person.name": {"a": 1}}}, "value"),
        (b"not json", "json"),
    ],
)
def test_a_signed_answer_that_does_not_answer_the_question_is_refused(stub, document, why):
    stub.answer = lambda asked: (200, {}, document)
    assert refusal_code(stub) == "malformed", why


def test_an_exchange_id_header_that_disagrees_with_the_signed_body_is_refused(stub: Stub):
    class Relabel(DirectTransport):
        def send(self, method, url, headers, body):
            status, answer_headers, answer = super().send(method, url, headers, body)
            return status, {**answer_headers, "X-Tongban-Exchange-Id": "ex-9999"}, answer

    assert refusal_code(stub, Relabel(stub)) == "malformed"


def test_a_stale_answer_is_refused(stub: Stub):
    stub.sign_now = time.time() - 3600  # signed an hour ago: kept and played back later
    assert refusal_code(stub) == "expired"


# --- transports -------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    stub: Stub
    mode = "answer"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.mode == "slow":
            time.sleep(1.5)
        if self.mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        url = f"http://{self.headers['Host']}{self.path}"
        request = ExchangeRequest(self.command, url, dict(self.headers.items()), body)
        status, headers, answer = self.stub.handle(request)
        if self.mode == "huge":
            answer = answer + b" " * 5000
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        # The client may have given up (timeout, size cap): what those tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(answer)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def http_stub() -> Iterator[tuple[Stub, str, type[_Handler]]]:
    """The stub behind a real HTTP server on a free port (one suite: the transport does not
    care which)."""
    stub = Stub("intl")
    handler = type("Handler", (_Handler,), {"stub": stub})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub, f"http://127.0.0.1:{server.server_address[1]}/exchange/v1/", handler
    finally:
        server.shutdown()
        server.server_close()


def test_urllib_transport_carries_a_signed_exchange_over_http(http_stub):
    stub, base, _handler = http_stub
    client = stub.client(UrllibTransport(timeout=5), base)
    assert client.query(RESOURCE, ["person.name"], "核验", "K1").record == {"person.name": "王小明"}
    stub.answer = lambda asked: (404, {}, {"status": 404, "code": "unknown_resource"})
    with pytest.raises(ExchangeRefused) as caught:
        client.query("nope", ["person.name"], "核验", "K1")
    assert (caught.value.code, caught.value.status) == ("unknown_resource", 404)


def test_urllib_transport_times_out(http_stub):
    stub, base, handler = http_stub
    handler.mode = "slow"
    with pytest.raises(TransportError) as caught:
        stub.client(UrllibTransport(timeout=0.3), base).query(RESOURCE, ["person.name"], "p", "K")
    assert caught.value.code == "timeout"


def test_urllib_transport_caps_the_answer(http_stub):
    stub, base, handler = http_stub
    handler.mode = "huge"
    with pytest.raises(TransportError) as caught:
        stub.client(UrllibTransport(max_response=4096), base).query(
            RESOURCE, ["person.name"], "p", "K"
        )
    assert caught.value.code == "response_too_large"


def test_urllib_transport_follows_no_redirect(http_stub):
    stub, base, handler = http_stub
    handler.mode = "redirect"
    with pytest.raises(SignatureRefused) as caught:
        stub.client(UrllibTransport(timeout=5), base).query(RESOURCE, ["person.name"], "p", "K")
    assert caught.value.code == "unsigned"


def test_urllib_transport_unreachable():
    stub = Stub("intl")
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    server.server_close()  # nothing listens there now
    client = stub.client(UrllibTransport(timeout=2), f"http://127.0.0.1:{port}/exchange/v1/")
    with pytest.raises(TransportError) as caught:
        client.query(RESOURCE, ["person.name"], "p", "K")
    assert caught.value.code == "unreachable"


# The stub behind Django's own request handling (tests set ROOT_URLCONF to this module).
_CURRENT: dict[str, Stub] = {}


@csrf_exempt
def stub_view(request: HttpRequest, name: str) -> HttpResponse:
    status, headers, body = _CURRENT["stub"].handle(signing.request_from_django(request))
    response = HttpResponse(body, status=status)
    for key, value in headers.items():
        response[key] = value
    return response


urlpatterns = [path("stub/v1/<str:name>", stub_view)]


@pytest.fixture
def django_stub(stub: Stub, settings) -> Iterator[Stub]:
    settings.ROOT_URLCONF = __name__
    _CURRENT["stub"] = stub
    yield stub
    _CURRENT.clear()


@pytest.mark.parametrize("kind", ["client", "handler"])
def test_django_transport_through_the_test_client_and_a_wsgi_handler(django_stub, kind, db):
    transport = (
        DjangoTransport(Client()) if kind == "client" else DjangoTransport(handler=WSGIHandler())
    )
    client = django_stub.client(transport)
    assert client.query(RESOURCE, ["person.name"], "核验", "K1").found
    assert client.catalogue()["exchange_id"] == "ex-0002"
    (verified, _asked) = django_stub.seen[-1]
    assert verified.originator == ALICE


def test_django_transport_over_https_signs_the_scheme_free_authority(django_stub, db):
    client = django_stub.client(DjangoTransport(Client()), "https://testserver/stub/v1/")
    assert client.query(RESOURCE, ["person.name"], "核验", "K1").found


def test_bad_construction_is_refused(stub: Stub):
    with pytest.raises(ValueError):
        stub.client(DirectTransport(stub), "ftp://gateway/exchange/v1/")
    with pytest.raises(ValueError):
        DjangoTransport()
    with pytest.raises(ValueError):
        UrllibTransport().send("GET", "file:///etc/passwd", {}, b"")
