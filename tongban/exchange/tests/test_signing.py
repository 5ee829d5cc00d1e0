"""The signature layer of the exchange gateway (issue 13: P3, P4, P5, P9; P11 in
test_signing_bundle.py): RFC 9421 signatures made and checked with the
``http-message-signatures`` package, Ed25519 and the registered SM2-SM3 algorithm."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from typing import Any

import gmalg
import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    MappingKeyResolver,
)
from http_message_signatures.algorithms import ED25519
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tongban.core.crypto import keys as keystore
from tongban.core.crypto.providers import Sm2Provider
from tongban.core.errors import ServiceError
from tongban.exchange import signing
from tongban.exchange.nonces import CacheNonceStore, MemoryNonceStore
from tongban.exchange.signing import (
    REFUSAL_CODES,
    ExchangeRequest,
    ExchangeResponse,
    InMemoryKeyResolver,
    Originator,
    PublicKey,
    SignatureRefused,
    generate_signing_key,
    sign_request,
    sign_response,
    verify_request,
    verify_response,
)

NOW = 1_796_000_000  # a fixed clock (epoch seconds) for every signature below
URL = "https://gateway.example.gov.cn/exchange/v1/resources/population/query?fields=name"
ALICE = Originator(department="gaj", official="wang.li")
SUITES = ("intl", "gm")


class Node:
    """A member system's key, the gateway's key and a resolver that knows both."""

    def __init__(self, suite: str) -> None:
        self.suite = suite
        self.member_key, member_public = generate_signing_key("gaj-rk-1", suite)
        self.gateway_key, gateway_public = generate_signing_key("gw-1", suite)
        self.keys = InMemoryKeyResolver(
            {
                "gaj-rk-1": PublicKey(member_public, self.member_key.alg, "gaj-rk"),
                "gw-1": PublicKey(gateway_public, self.gateway_key.alg, "gateway"),
            }
        )
        self.nonces = MemoryNonceStore()

    def request(
        self,
        body: bytes = b'{"id": "1"}',
        *,
        now: int = NOW,
        url: str = URL,
        originator: Originator = ALICE,
    ) -> ExchangeRequest:
        req = ExchangeRequest("POST", url, {"Content-Type": "application/json"}, body)
        return sign_request(req, self.member_key, originator, now=now)

    def verify(self, req: ExchangeRequest, *, now: int = NOW) -> signing.Verified:
        return verify_request(req, keys=self.keys, nonces=self.nonces, now=now, window=300)

    def answer(
        self, req: ExchangeRequest, body: bytes = b'{"name": "x"}', *, status: int = 200
    ) -> ExchangeResponse:
        resp = ExchangeResponse(status, req, {"Content-Type": "application/json"}, body)
        return sign_response(resp, self.gateway_key, now=NOW + 1)


@pytest.fixture(params=SUITES)
def node(request: pytest.FixtureRequest) -> Node:
    return Node(request.param)


def refusal(call: Callable[..., object], *args: Any, **kwargs: Any) -> str:
    with pytest.raises(SignatureRefused) as caught:
        call(*args, **kwargs)
    exc = caught.value
    assert isinstance(exc, ServiceError)
    (error,) = exc.error_dict["signature"]
    assert error.code == exc.code and str(error.message)
    return exc.code


# --- the algorithms -----------------------------------------------------------------------

# RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.2.6: a deterministic signature.
RFC_PRIVATE = base64.b64decode("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF")
RFC_PUBLIC = base64.b64decode("MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=")
RFC_B26 = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="


def _rfc_message() -> ExchangeRequest:
    return ExchangeRequest(
        "POST",
        "https://example.com/foo?param=Value&Pet=dog",
        {
            "Host": "example.com",
            "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
            "Content-Type": "application/json",
            "Content-Length": "18",
        },
        b'{"hello": "world"}',
    )


def test_ed25519_reproduces_rfc9421_b26():
    message = _rfc_message()
    signer = HTTPMessageSigner(
        signature_algorithm=signing.Ed25519,
        key_resolver=MappingKeyResolver(
            public_keys={}, private_keys={"test-key-ed25519": RFC_PRIVATE}
        ),
    )
    signer.sign(
        message,
        key_id="test-key-ed25519",
        created=datetime.datetime.fromtimestamp(1618884473, tz=datetime.UTC),
        label="sig-b26",
        include_alg=False,
        covered_component_ids=(
            "date",
            "@method",
            "@path",
            "@authority",
            "content-type",
            "content-length",
        ),
    )
    assert message.headers["Signature"] == f"sig-b26=:{RFC_B26}:"
    # and the RFC's public key verifies it through the same algorithm class
    signing.Ed25519(public_key=RFC_PUBLIC).verify(
        base64.b64decode(RFC_B26),
        signer.prepare(
            _rfc_message(),
            key_id="test-key-ed25519",
            created=datetime.datetime.fromtimestamp(1618884473, tz=datetime.UTC),
            label="sig-b26",
            include_alg=False,
            covered_component_ids=(
                "date",
                "@method",
                "@path",
                "@authority",
                "content-type",
                "content-length",
            ),
        ).signature_base,
    )


def test_ed25519_signatures_verify_with_the_packages_own_ed25519():
    key, public = generate_signing_key("k-1", "intl")
    req = sign_request(ExchangeRequest("GET", URL), key, ALICE)
    pem = (
        b"-----BEGIN PUBLIC KEY-----\n" + base64.encodebytes(public) + b"-----END PUBLIC KEY-----\n"
    )
    verifier = HTTPMessageVerifier(
        signature_algorithm=ED25519,
        key_resolver=MappingKeyResolver(public_keys={"k-1": pem}, private_keys={}),
    )
    (result,) = verifier.verify(req, max_age=None)
    assert result.parameters["keyid"] == "k-1"


def test_sm2_sm3_signature_is_r_s_and_verifies_with_gmalg():
    key, public = generate_signing_key("k-gm", "gm")
    algorithm = signing.Sm2Sm3(private_key=key.private_key)
    base = b'"@method": POST\n"@signature-params": ("@method");created=1'
    value = algorithm.sign(base)
    assert len(value) == 64
    x, y = Sm2Provider.public_point(public)
    referee = gmalg.SM2(
        uid=b"1234567812345678", pk=b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
    )
    assert referee.verify(base, value[:32], value[32:])
    assert not referee.verify(base + b" ", value[:32], value[32:])
    signing.Sm2Sm3(public_key=public).verify(value, base)  # raises if not valid


@given(st.integers(0, 2**256 - 1), st.integers(0, 2**256 - 1))
def test_der_r_s_round_trip(r: int, s: int):
    assert signing.der_to_rs(signing.rs_to_der(r, s)) == (r, s)


@pytest.mark.parametrize(
    "der",
    [
        b"",
        b"\x30\x06\x02\x01\x01\x02\x01\x01\x00",  # trailing byte
        b"\x30\x07\x02\x02\x00\x01\x02\x01\x01",  # non-minimal integer
        b"\x30\x06\x02\x01\x81\x02\x01\x01",  # negative integer
        b"\x31\x06\x02\x01\x01\x02\x01\x01",  # not a sequence
    ],
)
def test_der_reader_is_strict(der: bytes):
    with pytest.raises(ValueError):
        signing.der_to_rs(der)


# --- P3: signed requests; any change is refused --------------------------------------------


def test_p3_signed_request_verifies(node: Node):
    req = node.request()
    verified = node.verify(req)
    assert verified.member == "gaj-rk" and verified.key_id == "gaj-rk-1"
    assert verified.alg == node.member_key.alg
    assert verified.created == NOW and verified.originator == ALICE
    assert verified.content_digest == req.headers["Content-Digest"]
    covered = req.headers["Signature-Input"]
    for component in signing.REQUEST_COMPONENTS:
        assert f'"{component}"' in covered
    for param in ("created=", "nonce=", "keyid=", "alg="):
        assert param in covered


def test_p3_empty_body_is_digested_and_signed(node: Node):
    req = node.request(body=b"")
    assert req.headers["Content-Digest"] == signing.content_digest(b"")
    assert node.verify(req).originator == ALICE


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda r: setattr(r, "method", "PUT"), "bad_signature"),
        (lambda r: setattr(r, "url", URL.replace("population", "legal-persons")), "bad_signature"),
        (lambda r: setattr(r, "url", URL + "&fields=id_number"), "bad_signature"),
        (lambda r: setattr(r, "url", URL.replace("gateway.", "evil.")), "bad_signature"),
        (lambda r: setattr(r, "body", b'{"id": "2"}'), "digest_mismatch"),
        (
            lambda r: r.headers.update({"Content-Digest": signing.content_digest(b"x")}),
            "bad_signature",
        ),
        (
            lambda r: r.headers.update({"Signature": "tongban=:" + "A" * 86 + "==:"}),
            "bad_signature",
        ),
        (
            lambda r: r.headers.update(
                {"Signature-Input": r.headers["Signature-Input"].replace("created=", "created=1")}
            ),
            "bad_signature",
        ),
    ],
)
def test_p3_altered_request_refused(node: Node, change, code: str):
    req = node.request()
    change(req)
    assert refusal(node.verify, req) == code


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_p3_any_flipped_bit_is_refused(node: Node, data: st.DataObject):
    req = node.request(body=b'{"id": "440100199001011234", "fields": ["name"]}')
    target = data.draw(
        st.sampled_from(
            ["body", "Signature", "Content-Digest", "X-Tongban-Originator", "Signature-Input"]
        )
    )
    raw = bytearray(req.body if target == "body" else req.headers[target].encode())
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    if target == "body":
        req.body = bytes(raw)
    else:
        req.headers[target] = raw.decode("latin-1")
    with pytest.raises(SignatureRefused):
        node.verify(req)


def test_p3_unsigned_request_refused(node: Node):
    req = ExchangeRequest("POST", URL, {"Content-Type": "application/json"}, b"{}")
    assert refusal(node.verify, req) == "unsigned"
    signed = node.request()
    del signed.headers["Signature"]
    assert refusal(node.verify, signed) == "unsigned"


def _sign_with_package(node: Node, components: tuple[str, ...], **params: Any) -> ExchangeRequest:
    """A request signed correctly but outside the profile (fewer components or params)."""
    req = ExchangeRequest("POST", URL, {"X-Tongban-Originator": ALICE.header_value()}, b"{}")
    signer = HTTPMessageSigner(
        signature_algorithm=signing.ALGORITHMS[node.member_key.alg],
        key_resolver=MappingKeyResolver(
            public_keys={}, private_keys={"gaj-rk-1": node.member_key.private_key}
        ),
    )
    options = {"nonce": signing.new_nonce(), "tag": signing.REQUEST_TAG, **params}
    signer.sign(
        req,
        key_id="gaj-rk-1",
        created=datetime.datetime.fromtimestamp(NOW, tz=datetime.UTC),
        label="tongban",
        covered_component_ids=components,
        body=req.body,
        **options,
    )
    return req


@pytest.mark.parametrize("left_out", signing.REQUEST_COMPONENTS)
def test_p3_request_missing_a_component_refused(node: Node, left_out: str):
    components = tuple(c for c in signing.REQUEST_COMPONENTS if c != left_out)
    if left_out == "content-digest":
        # the package adds the digest whenever it signs a body; sign none
        req = _sign_with_package(node, components)
        req.headers["Signature-Input"] = req.headers["Signature-Input"].replace(
            ' "content-digest"', ""
        )
    else:
        req = _sign_with_package(node, components)
    assert refusal(node.verify, req) == "missing_component"


def test_p3_request_without_nonce_refused(node: Node):
    req = _sign_with_package(node, signing.REQUEST_COMPONENTS, nonce=None)
    assert refusal(node.verify, req) == "missing_component"


def test_p3_request_without_alg_refused(node: Node):
    req = _sign_with_package(node, signing.REQUEST_COMPONENTS, include_alg=False)
    assert refusal(node.verify, req) == "missing_component"


def test_p3_request_in_profile_signed_by_the_package_verifies(node: Node):
    req = _sign_with_package(node, signing.REQUEST_COMPONENTS)
    assert node.verify(req).originator == ALICE


def test_unknown_key_refused(node: Node):
    req = node.request()
    del node.keys.keys["gaj-rk-1"]  # never registered, revoked or its member suspended
    assert refusal(node.verify, req) == "unknown_key"


def test_key_of_another_algorithm_refused(node: Node):
    other = "gm" if node.member_key.alg == "ed25519" else "intl"
    req = Node(other).request()
    # the same key id, registered here under this node's algorithm
    assert refusal(node.verify, req) == "bad_signature"


def test_a_key_used_by_another_member_does_not_verify(node: Node):
    req = node.request()
    thief = Node(node.suite)
    req.headers["Signature"] = thief.request().headers["Signature"]
    assert refusal(node.verify, req) == "bad_signature"


# --- P4: replays and clock skew ------------------------------------------------------------


def test_p4_replay_refused(node: Node):
    req = node.request()
    node.verify(req)
    assert refusal(node.verify, req) == "replayed"
    # a fresh request of the same member passes
    node.verify(node.request())


def test_p4_nonces_are_kept_per_key():
    store = MemoryNonceStore()
    assert store.remember("a", "n" * 24, 10)
    assert store.remember("b", "n" * 24, 10)
    assert not store.remember("a", "n" * 24, 10)


def test_p4_nonce_forgotten_only_after_its_time():
    now = [0.0]
    store = MemoryNonceStore(clock=lambda: now[0])
    assert store.remember("k", "n" * 24, 601)
    now[0] = 600.0
    assert not store.remember("k", "n" * 24, 601)
    now[0] = 601.5
    assert store.remember("k", "n" * 24, 601)


@pytest.mark.parametrize(
    ("offset", "code"),
    [(301, "skewed"), (3600, "skewed"), (-301, "expired"), (-86400, "expired")],
)
def test_p4_skew_refused(node: Node, offset: int, code: str):
    req = node.request(now=NOW + offset)
    assert refusal(node.verify, req) == code
    # the refusal did not spend the nonce: the same request is fine at its own time
    assert node.verify(req, now=NOW + offset).nonce


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_p4_skew_within_the_window_accepted(node: Node, offset: int):
    assert node.verify(node.request(now=NOW + offset)).created == NOW + offset


@override_settings(TONGBAN_EXCHANGE_SIGNATURE_WINDOW=30)
def test_p4_window_comes_from_settings(node: Node):
    req = node.request(now=NOW - 31)
    assert refusal(verify_request, req, keys=node.keys, nonces=node.nonces, now=NOW) == "expired"
    assert signing.window_seconds() == 30


def test_p4_cache_nonce_store_refuses_replay(node: Node):
    caches["default"].clear()
    store = CacheNonceStore()
    req = node.request()
    verify_request(req, keys=node.keys, nonces=store, now=NOW)
    again = refusal(verify_request, req, keys=node.keys, nonces=store, now=NOW)
    assert again == "replayed"
    assert store.shared_between_processes is False  # the default local memory cache


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "nowhere": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
)
def test_p4_a_cache_that_remembers_nothing_is_refused():
    with pytest.raises(ImproperlyConfigured):
        CacheNonceStore("nowhere")


# --- P5: responses signed and bound to their request ---------------------------------------


def test_p5_response_bound_to_request(node: Node):
    first, second = node.request(b'{"id": "1"}'), node.request(b'{"id": "2"}')
    answer_first, answer_second = node.answer(first), node.answer(second, b'{"name": "y"}')
    assert verify_response(answer_first, keys=node.keys, now=NOW).member == "gateway"
    assert verify_response(answer_second, keys=node.keys, now=NOW).status == 200
    # swapped between two requests in flight: both refused
    answer_first.request, answer_second.request = second, first
    assert refusal(verify_response, answer_first, keys=node.keys, now=NOW) == "bad_signature"
    assert refusal(verify_response, answer_second, keys=node.keys, now=NOW) == "bad_signature"


def test_p5_response_covers_the_request_signature(node: Node):
    answer = node.answer(node.request())
    covered = answer.headers["Signature-Input"]
    assert '"signature";req;key="tongban"' in covered
    assert '"content-digest";req' in covered and '"@status"' in covered
    # a request with the same URL and body but another signature (a fresh nonce)
    twin = node.request()
    answer.request = twin
    assert refusal(verify_response, answer, keys=node.keys, now=NOW) == "bad_signature"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda a: setattr(a, "status_code", 404), "bad_signature"),
        (lambda a: setattr(a, "body", b'{"name": "z"}'), "digest_mismatch"),
        (lambda a: a.headers.pop("Signature"), "unsigned"),
        (lambda a: a.request.headers.pop("Signature"), "missing_component"),
    ],
)
def test_p5_altered_response_refused(node: Node, change, code: str):
    answer = node.answer(node.request())
    change(answer)
    assert refusal(verify_response, answer, keys=node.keys, now=NOW) == code


def test_p5_a_request_signature_is_no_response_signature(node: Node):
    req = node.request()
    fake = ExchangeResponse(200, req, dict(req.headers), req.body)
    assert refusal(verify_response, fake, keys=node.keys, now=NOW) == "malformed"


def test_p5_stale_response_refused(node: Node):
    answer = node.answer(node.request())
    assert refusal(verify_response, answer, keys=node.keys, now=NOW + 400) == "expired"


# --- P9: the originator travels signed -----------------------------------------------------


def test_p9_originator_signed(node: Node):
    req = node.request(originator=Originator("sbj", "li.ming"))
    assert req.headers["X-Tongban-Originator"] == 'dept="sbj", official="li.ming"'
    assert node.verify(req).originator == Originator("sbj", "li.ming")


def test_p9_forged_originator_refused(node: Node):
    req = node.request()
    req.headers["X-Tongban-Originator"] = 'dept="gaj", official="admin"'
    assert refusal(node.verify, req) == "bad_signature"


def test_p9_missing_originator_refused(node: Node):
    req = node.request()
    del req.headers["X-Tongban-Originator"]
    assert refusal(node.verify, req) == "missing_component"


def test_p9_unsigned_originator_refused(node: Node):
    components = tuple(c for c in signing.REQUEST_COMPONENTS if c != "x-tongban-originator")
    req = _sign_with_package(node, components)  # the header is there, not signed
    assert refusal(node.verify, req) == "missing_component"


def test_p9_malformed_originator_refused(node: Node):
    req = ExchangeRequest("POST", URL, {"X-Tongban-Originator": "gaj/wang.li"}, b"{}")
    req = _sign_with_package_headers(node, req)
    assert refusal(node.verify, req) == "malformed"


def _sign_with_package_headers(node: Node, req: ExchangeRequest) -> ExchangeRequest:
    signer = HTTPMessageSigner(
        signature_algorithm=signing.ALGORITHMS[node.member_key.alg],
        key_resolver=MappingKeyResolver(
            public_keys={}, private_keys={"gaj-rk-1": node.member_key.private_key}
        ),
    )
    signer.sign(
        req,
        key_id="gaj-rk-1",
        created=datetime.datetime.fromtimestamp(NOW, tz=datetime.UTC),
        nonce=signing.new_nonce(),
        label="tongban",
        tag=signing.REQUEST_TAG,
        covered_component_ids=signing.REQUEST_COMPONENTS,
        body=req.body,
    )
    return req


def test_p9_originator_must_be_well_formed():
    with pytest.raises(SignatureRefused):
        Originator("gaj", 'x", official="admin')


# --- robustness: nothing but refusals ------------------------------------------------------

_text = st.text(max_size=200) | st.sampled_from(
    [
        "",
        "tongban=",
        'tongban=("@method");created=1;keyid="k";alg="ed25519";nonce="n"',
        "tongban=:AAAA:",
        "tongban=:!!:",
        'tongban=();created=-1;keyid="gaj-rk-1";alg="sm2-sm3";nonce="' + "a" * 30 + '";'
        'tag="tongban-request"',
        "a=1, a=2",
        "sha-256=:" + "A" * 43 + "=:",
    ]
)


@hsettings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sig_input=_text,
    signature=_text,
    digest=_text,
    originator=_text,
    url=_text | st.just(URL),
    method=st.sampled_from(["POST", "get", "", "PO ST"]),
    keep=st.booleans(),
)
def test_arbitrary_headers_only_ever_refused(
    node: Node, sig_input, signature, digest, originator, url, method, keep
):
    req = node.request()
    if not keep:
        req.headers.update({"Signature-Input": sig_input, "Signature": signature})
    req.headers.update({"Content-Digest": digest, "X-Tongban-Originator": originator})
    req.url, req.method = url, method
    with pytest.raises(SignatureRefused) as caught:
        node.verify(req)
    assert caught.value.code in REFUSAL_CODES
    with pytest.raises(SignatureRefused):
        verify_response(ExchangeResponse(200, req, dict(req.headers)), keys=node.keys, now=NOW)


def test_every_refusal_code_is_documented():
    assert set(REFUSAL_CODES) == {
        "unsigned",
        "bad_signature",
        "replayed",
        "expired",
        "skewed",
        "unknown_key",
        "digest_mismatch",
        "missing_component",
        "malformed",
    }
    with pytest.raises(AssertionError):
        SignatureRefused("nope", "x")


def test_request_from_django(rf: RequestFactory):
    django_request = rf.post(
        "/exchange/v1/resources/population/query?fields=name",
        data=b'{"id": "1"}',
        content_type="application/json",
        HTTP_HOST="gateway.example.gov.cn",
        HTTP_X_TONGBAN_ORIGINATOR=ALICE.header_value(),
    )
    with override_settings(ALLOWED_HOSTS=["gateway.example.gov.cn"]):
        req = signing.request_from_django(django_request)
    assert req.method == "POST" and req.body == b'{"id": "1"}'
    assert (
        req.url
        == "http://gateway.example.gov.cn/exchange/v1/resources/population/query?fields=name"
    )
    assert signing.header(req.headers, "x-tongban-originator") == ALICE.header_value()


def _sf_value(value: object) -> str:
    if isinstance(value, bool):
        return "" if value else "=?0"
    if isinstance(value, int):
        return f"={value}"
    if isinstance(value, bytes):
        return "=:" + base64.b64encode(value).decode() + ":"
    return f'="{value}"'


_component = st.sampled_from(
    [
        '"@method"',
        '"@authority"',
        '"@path"',
        '"@query"',
        '"content-digest"',
        '"x-tongban-originator"',
        '"@status"',
        '"signature";req;key="tongban"',
        '"@query-param";name="fields"',
        '"date"',
        '"content-digest";key="sha-256"',
        '"x-tongban-originator";sf',
        '"content-digest";bs',
        '"@method";req',
        '"@target-uri"',
    ]
)
_param_value = (
    st.integers(-(2**40), 2**40)
    | st.booleans()
    | st.binary(max_size=40)
    | st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters='"\\'), max_size=40
    )
    | st.sampled_from(["gaj-rk-1", "ed25519", "sm2-sm3", "tongban-request", "x" * 24])
)
_params = st.dictionaries(
    st.sampled_from(["created", "nonce", "keyid", "alg", "tag", "expires", "foo"]),
    _param_value,
    max_size=7,
)


@hsettings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    components=st.lists(_component, max_size=9),
    params=_params,
    value=st.binary(max_size=80),
)
def test_well_formed_but_wrong_signatures_only_refused(node: Node, components, params, value):
    req = node.request()
    inner = "(" + " ".join(components) + ")"
    inner += "".join(f";{name}{_sf_value(v)}" for name, v in params.items())
    req.headers["Signature-Input"] = f"tongban={inner}"
    req.headers["Signature"] = "tongban=:" + base64.b64encode(value).decode() + ":"
    with pytest.raises(SignatureRefused) as caught:
        node.verify(req)
    assert caught.value.code in REFUSAL_CODES
    answer = ExchangeResponse(
        200, req, {"Signature-Input": f"tongban={inner}", "Signature": req.headers["Signature"]}
    )
    with pytest.raises(SignatureRefused):
        verify_response(answer, keys=node.keys, now=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize("suite", SUITES)
def test_p5_gateway_signs_responses_with_its_key_store_key(suite: str):
    with override_settings(TONGBAN_CRYPTO_SUITE=suite):
        node = Node(suite)
        signer = signing.KeyStoreSigner()
        assert signer.alg == node.member_key.alg
        answer = ExchangeResponse(200, node.request(), {}, b"[]")
        sign_response(answer, signer, now=NOW)
        info = keystore.active_key("exchange")
        node.keys.add(info.key_id, PublicKey(info.public_key, info.alg, "gateway"))
        verified = verify_response(answer, keys=node.keys, now=NOW)
    assert verified.key_id == info.key_id and verified.member == "gateway"
