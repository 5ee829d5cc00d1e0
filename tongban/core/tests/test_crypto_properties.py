"""Properties of both suites (Hypothesis): signatures break on any one-byte change, and
authenticated encryption round-trips and rejects any tampering."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core.crypto import (
    DecryptionError,
    GmSuite,
    IntlSuite,
    KeyFormatError,
    Signature,
    SignatureFormatError,
)
from tongban.core.crypto.suites import NONCE_SIZE

SUITES = [IntlSuite(), GmSuite()]
KEYS = {suite.name: suite.generate_signing_key() for suite in SUITES}
OTHER_KEYS = {suite.name: suite.generate_signing_key() for suite in SUITES}
SECRETS = {suite.name: suite.generate_secret_key() for suite in SUITES}

by_suite = pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.name)
quick = settings(max_examples=60, deadline=None)


def _change(data: bytes, index: int, delta: int) -> bytes:
    index %= len(data)
    return data[:index] + bytes([(data[index] + delta) % 256]) + data[index + 1 :]


@by_suite
@quick
@given(data=st.binary(min_size=1, max_size=300), index=st.integers(0), delta=st.integers(1, 255))
def test_changing_one_byte_of_the_data_fails_verification(suite, data, index, delta):
    pair = KEYS[suite.name]
    signature = suite.sign(pair.private, data, key_id="k1")
    assert suite.verify(pair.public, data, signature)
    assert not suite.verify(pair.public, _change(data, index, delta), signature)


@by_suite
@quick
@given(data=st.binary(max_size=300), index=st.integers(0), delta=st.integers(1, 255))
def test_changing_one_byte_of_the_signature_fails_verification(suite, data, index, delta):
    pair = KEYS[suite.name]
    signature = suite.sign(pair.private, data, key_id="k1")
    altered = Signature(signature.alg, signature.key_id, _change(signature.value, index, delta))
    assert not suite.verify(pair.public, data, altered)


@by_suite
@quick
@given(data=st.binary(max_size=100), cut=st.integers(0, 200), extra=st.binary(max_size=4))
def test_truncated_or_extended_signatures_fail(suite, data, cut, extra):
    pair = KEYS[suite.name]
    value = suite.sign(pair.private, data).value
    truncated = value[: 1 + cut % (len(value) - 1)]
    assert not suite.verify(pair.public, data, Signature(suite.signature_alg, "k", truncated))
    if extra:
        longer = Signature(suite.signature_alg, "k", value + extra)
        assert not suite.verify(pair.public, data, longer)


@by_suite
def test_another_key_or_another_algorithm_does_not_verify(suite):
    pair, other = KEYS[suite.name], OTHER_KEYS[suite.name]
    signature = suite.sign(pair.private, b"licence 17")
    assert not suite.verify(other.public, b"licence 17", signature)
    relabelled = Signature("ed25519" if suite.name == "gm" else "sm2-sm3", "k", signature.value)
    assert not suite.verify(pair.public, b"licence 17", relabelled)
    foreign = KEYS["gm" if suite.name == "intl" else "intl"].public
    with pytest.raises(KeyFormatError):
        suite.verify(foreign, b"licence 17", signature)


@by_suite
def test_signing_is_randomised_for_sm2_and_deterministic_for_ed25519(suite):
    pair = KEYS[suite.name]
    first, second = (suite.sign(pair.private, b"same").value for _ in range(2))
    assert (first == second) is (suite.name == "intl")


@by_suite
@quick
@given(plaintext=st.binary(max_size=500), aad=st.binary(max_size=64))
def test_encrypt_decrypt_round_trip(suite, plaintext, aad):
    key = SECRETS[suite.name]
    blob = suite.encrypt(key, plaintext, aad)
    assert len(blob) == NONCE_SIZE + len(plaintext) + 16
    assert suite.decrypt(key, blob, aad) == plaintext
    assert suite.encrypt(key, plaintext, aad)[:NONCE_SIZE] != blob[:NONCE_SIZE]  # fresh nonce


@by_suite
@quick
@given(
    plaintext=st.binary(max_size=200),
    aad=st.binary(max_size=32),
    index=st.integers(0),
    delta=st.integers(1, 255),
)
def test_tampered_nonce_ciphertext_or_tag_is_rejected(suite, plaintext, aad, index, delta):
    key = SECRETS[suite.name]
    blob = suite.encrypt(key, plaintext, aad)
    with pytest.raises(DecryptionError):
        suite.decrypt(key, _change(blob, index, delta), aad)


@by_suite
@quick
@given(plaintext=st.binary(max_size=100), aad=st.binary(max_size=32), other=st.binary(max_size=32))
def test_other_aad_is_rejected(suite, plaintext, aad, other):
    if aad == other:
        return
    key = SECRETS[suite.name]
    with pytest.raises(DecryptionError):
        suite.decrypt(key, suite.encrypt(key, plaintext, aad), other)


@by_suite
def test_wrong_key_short_blob_and_bad_key_size(suite):
    key = SECRETS[suite.name]
    blob = suite.encrypt(key, b"id number", b"aad")
    with pytest.raises(DecryptionError):
        suite.decrypt(suite.generate_secret_key(), blob, b"aad")
    with pytest.raises(DecryptionError):
        suite.decrypt(key, blob[: NONCE_SIZE + 15], b"aad")
    with pytest.raises(KeyFormatError):
        suite.encrypt(key + b"\x00", b"x")


@quick
@given(
    alg=st.sampled_from(["ed25519", "sm2-sm3"]),
    key_id=st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
    value=st.binary(min_size=1, max_size=80),
)
def test_signature_serialisation_round_trip(alg, key_id, value):
    signature = Signature(alg, key_id, value)
    text = signature.serialise()
    assert text.count(".") == 2 and "=" not in text
    assert Signature.parse(text) == signature


@pytest.mark.parametrize(
    "text", ["", "ed25519", "ed25519.k1", "ed25519..AAAA", "ed25519.k1.AA.AA", "ED.k1.AA",
             "ed25519.k/1.AA", "ed25519.k1.A+A", "ed25519.k1.A==A", "ed25519.k1."],
)  # fmt: skip
def test_malformed_signatures_are_refused(text):
    with pytest.raises(SignatureFormatError):
        Signature.parse(text)
