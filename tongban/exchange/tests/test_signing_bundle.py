"""Evidence bundles (P11): with public keys only, a third party can check that a response
answered a request (``tongban.exchange.bundle_verify``)."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tongban.exchange import bundle_verify
from tongban.exchange.bundle_verify import (
    FORMAT,
    keys_from_json,
    make_bundle,
    public_key_entry,
    verify_bundle,
    verify_files,
)
from tongban.exchange.signing import SignatureRefused, SigningKey, sign_request

from .test_signing import ALICE, NOW, Node


@pytest.fixture(params=["intl", "gm"])
def node(request: pytest.FixtureRequest) -> Node:
    return Node(request.param)


def exchange(node: Node, body: bytes = b'{"id": "1"}') -> dict:
    request = node.request(body)
    node.verify(request)  # the gateway took it
    response = node.answer(request, b'{"name": "Wang Li"}')
    # what each side keeps goes through JSON, as it would to a file
    return json.loads(json.dumps(make_bundle(request, response)))


def public_keys(node: Node) -> dict:
    """The key file a third party is given (public keys only)."""
    return {"keys": [public_key_entry(kid, key) for kid, key in node.keys.keys.items()]}


def test_p11_bundle_proves_the_exchange(node: Node):
    report = verify_bundle(exchange(node), keys_from_json(public_keys(node)))
    assert report.ok, report
    assert report.request is not None and report.response is not None
    assert report.request.member == "gaj-rk" and report.request.originator == ALICE
    assert report.response.member == "gateway" and report.response.status == 200
    assert report.request_body_checked and report.response_body_checked
    as_dict = report.as_dict()
    assert as_dict["request"]["originator"] == {"department": "gaj", "official": "wang.li"}
    json.dumps(as_dict)  # printable


def test_p11_bundle_without_bodies_still_proves_the_digests(node: Node):
    request = node.request()
    response = node.answer(request)
    bundle = make_bundle(request, response, bodies=False)
    assert "body" not in bundle["request"] and "body" not in bundle["response"]
    report = verify_bundle(bundle, node.keys)
    assert report.ok
    assert not report.request_body_checked and not report.response_body_checked
    assert report.response is not None
    assert report.response.content_digest == response.headers["Content-Digest"]


def test_p11_response_moved_to_another_request_fails(node: Node):
    first, second = exchange(node, b'{"id": "1"}'), exchange(node, b'{"id": "2"}')
    forged = {**first, "response": second["response"]}
    report = verify_bundle(forged, node.keys)
    assert not report.ok
    assert (report.failed, report.code) == ("response", "bad_signature")
    assert report.request is not None  # the request itself was fine


def test_p11_altered_response_body_fails(node: Node):
    bundle = exchange(node)
    bundle["response"]["body"] = base64.b64encode(b'{"name": "Someone Else"}').decode()
    report = verify_bundle(bundle, node.keys)
    assert (report.ok, report.failed, report.code) == (False, "response", "digest_mismatch")


def test_p11_altered_originator_fails(node: Node):
    bundle = exchange(node)
    for pair in bundle["request"]["headers"]:
        if pair[0] == "X-Tongban-Originator":
            pair[1] = 'dept="gaj", official="admin"'
    report = verify_bundle(bundle, node.keys)
    assert (report.ok, report.failed, report.code) == (False, "request", "bad_signature")


def test_p11_keys_of_someone_else_fail(node: Node):
    report = verify_bundle(exchange(node), Node(node.suite).keys)
    assert (report.ok, report.failed, report.code) == (False, "request", "bad_signature")
    report = verify_bundle(exchange(node), keys_from_json({"keys": []}))
    assert (report.ok, report.code) == (False, "unknown_key")


def test_p11_old_evidence_still_verifies(node: Node):
    # evidence is read long after the window: no clock, no nonce (the gateway checked them)
    bundle = exchange(node)
    assert verify_bundle(bundle, node.keys).ok
    assert verify_bundle(bundle, node.keys).ok  # and again: no nonce is spent


def test_verify_files(node: Node, tmp_path):
    (tmp_path / "bundle.json").write_text(json.dumps(exchange(node)), encoding="utf-8")
    (tmp_path / "keys.json").write_text(json.dumps(public_keys(node)), encoding="utf-8")
    assert verify_files(str(tmp_path / "bundle.json"), str(tmp_path / "keys.json")).ok
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    report = verify_files(str(tmp_path / "broken.json"), str(tmp_path / "keys.json"))
    assert (report.ok, report.failed, report.code) == (False, "bundle", "malformed")
    missing = verify_files(str(tmp_path / "none.json"), str(tmp_path / "keys.json"))
    assert not missing.ok and missing.failed == "bundle"


def test_the_verify_command_proves_an_exchange_and_refuses_a_tampered_one(node: Node, tmp_path):
    """``tongban exchange verify BUNDLE --keys KEYS``: public keys only, exit 0 when proven."""
    bundle, keys = tmp_path / "bundle.json", tmp_path / "keys.json"
    evidence = exchange(node)
    bundle.write_text(json.dumps(evidence), encoding="utf-8")
    keys.write_text(json.dumps(public_keys(node)), encoding="utf-8")
    out = io.StringIO()
    call_command("exchange", "verify", str(bundle), "--keys", str(keys), stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
    evidence["response"]["status"] = 500  # the answer now claims another outcome
    bundle.write_text(json.dumps(evidence), encoding="utf-8")
    with pytest.raises(CommandError, match="not proven"):
        call_command("exchange", "verify", str(bundle), "--keys", str(keys), stdout=io.StringIO())


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"keys": {}},
        {"keys": [1]},
        {"keys": [{"key_id": "bad id!"}]},
        {"keys": [{"key_id": "k", "alg": "rsa", "member": "m", "public_key": "AA=="}]},
        {"keys": [{"key_id": "k", "alg": "ed25519", "member": "m", "public_key": "%%"}]},
    ],
)
def test_bad_key_files_are_refused(document):
    with pytest.raises(SignatureRefused) as caught:
        keys_from_json(document)
    assert caught.value.code == "malformed"


def test_signing_key_from_the_pem_member_key_prints(node: Node):
    der = node.member_key.private_key
    pem = (
        "-----BEGIN PRIVATE KEY-----\n"
        + base64.encodebytes(der).decode()
        + "-----END PRIVATE KEY-----\n"
    )
    key = SigningKey.from_pem("gaj-rk-1", pem, node.member_key.alg)
    assert key.private_key == der and "PRIVATE" not in repr(key)
    request = node.request()
    sign_request(request, key, ALICE, now=NOW)
    assert node.verify(request).member == "gaj-rk"
    other = "sm2-sm3" if node.member_key.alg == "ed25519" else "ed25519"
    with pytest.raises(Exception):  # noqa: B017 (the key is of the other kind)
        SigningKey.from_pem("gaj-rk-1", pem, other)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@hsettings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_arbitrary_bundles_give_a_report_never_an_exception(node: Node, data: st.DataObject):
    bundle = exchange(node)
    where = data.draw(st.sampled_from(["request", "response"]))
    field = data.draw(st.sampled_from(["method", "url", "headers", "body", "status", "x"]))
    bundle[where][field] = data.draw(_json)
    if data.draw(st.booleans()):
        bundle = data.draw(_json | st.just({"format": FORMAT}))
    report = verify_bundle(bundle, node.keys)
    assert isinstance(report, bundle_verify.BundleReport)
    if not report.ok:
        assert report.code and report.message and report.failed
