"""Signing and verifying licence payloads under both suites; any change fails.

The offline checks use only the published keys document (``/licences/keys.json``) and
``payload.verify_payload``, as a third party would; the online check adds the register.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tongban.core.crypto import keys
from tongban.core.crypto.suites import get_suite
from tongban.core.models import KeyPurpose
from tongban.licences import payload as pl
from tongban.licences import services

from .conftest import issue_direct

pytestmark = pytest.mark.django_db


def published_resolver():
    document = pl.keys_document(keys.public_keys(KeyPurpose.LICENCE))
    # Round-trip through JSON: exactly what a third party downloads.
    return pl.resolver_from_document(json.loads(json.dumps(document)))


def fields_of(text: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@pytest.mark.parametrize(
    ("suite", "alg", "hash_len"), [("intl", "ed25519", 32), ("gm", "sm2-sm3", 32)]
)
def test_sign_and_verify_offline_and_online_under_both_suites(lw, settings, suite, alg, hash_len):
    settings.TONGBAN_CRYPTO_SUITE = suite
    lic = issue_direct(lw)
    assert lic.algorithm == alg
    text = services.payload_of(lic)
    claims = pl.verify_payload(text, published_resolver())
    assert (claims.number, claims.type_code, claims.issuer) == (lic.number, "11100000MB01", "scjg")
    assert claims.alg == alg and claims.key_id == lic.key_id
    # The digests are the suite's hash (SHA-256 or SM3), recomputable from the register.
    the_suite = get_suite(suite)
    assert lic.face_digest == pl.face_digest(the_suite, services.face_values(lic))
    assert len(base64.urlsafe_b64decode(lic.face_digest + "=")) == hash_len
    assert services.check(text).outcome == "valid"
    # The key store verifies the same bytes (independent path through keys.verify).
    signature = f"{alg}.{lic.key_id}.{fields_of(text)['s']}"
    assert keys.verify(KeyPurpose.LICENCE, pl.signed_bytes(fields_of(text)), signature)


def test_payload_has_no_personal_data_in_clear(lw):
    lic = issue_direct(lw)
    text = services.payload_of(lic)
    decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    for secret in (lw.applicant.id_number, lw.applicant.real_name, lic.holder_digest):
        assert secret not in decoded
    assert set(fields_of(text)) == set(pl.FIELDS)
    assert len(text) < 600  # fits a QR code a phone reads easily


def test_holder_hash_differs_between_two_licences_of_one_holder(lw):
    one, two = issue_direct(lw), issue_direct(lw)
    assert one.holder_digest == two.holder_digest
    assert one.holder_hash != two.holder_hash


def test_key_rotation_keeps_old_licences_valid(lw, settings):
    old = issue_direct(lw)
    keys.rotate(KeyPurpose.LICENCE, lw.type_a.department, actor=None)
    new = issue_direct(lw)
    assert old.key_id != new.key_id
    for lic in (old, new):
        assert services.check(services.payload_of(lic)).outcome == "valid"
        pl.verify_payload(services.payload_of(lic), published_resolver())
    # A switch to the other suite also leaves the old licences valid.
    settings.TONGBAN_CRYPTO_SUITE = "gm"
    gm = issue_direct(lw)
    assert gm.algorithm == "sm2-sm3"
    assert {services.check(services.payload_of(x)).outcome for x in (old, new, gm)} == {"valid"}


def _reencode(fields: dict) -> str:
    return pl.encode(fields)


@pytest.mark.parametrize("suite", ["intl", "gm"])
def test_changed_fields_unknown_key_and_wrong_algorithm_fail_with_clear_messages(
    lw, settings, suite
):
    settings.TONGBAN_CRYPTO_SUITE = suite
    lic = issue_direct(lw)
    good = fields_of(services.payload_of(lic))
    resolver = published_resolver()
    cases = {
        "n": lic.number[:-1] + ("0" if lic.number[-1] != "0" else "1"),
        "u": "2099-12-31",
        "d": "2001-01-01",
        "g": good["h"],
        "h": good["g"],
        "t": "11100000MB02",
    }
    for name, value in cases.items():
        with pytest.raises(pl.PayloadError) as err:
            pl.verify_payload(_reencode({**good, name: value}), resolver)
        assert err.value.code == "bad-signature", name
        assert services.check(_reencode({**good, name: value})).outcome == "invalid"
    with pytest.raises(pl.PayloadError) as err:
        pl.verify_payload(_reencode({**good, "k": "0123456789abcdef"}), resolver)
    assert err.value.code == "unknown-key" and "0123456789abcdef" in str(err.value)
    other_alg = "sm2-sm3" if suite == "intl" else "ed25519"
    with pytest.raises(pl.PayloadError) as err:
        pl.verify_payload(_reencode({**good, "a": other_alg}), resolver)
    assert err.value.code == "wrong-algorithm"
    with pytest.raises(pl.PayloadError) as err:
        pl.verify_payload(_reencode({**good, "i": "ga"}), resolver)
    assert err.value.code == "wrong-issuer"
    with pytest.raises(pl.PayloadError) as err:
        pl.verify_payload(_reencode({**good, "x": "1"}), resolver)
    assert err.value.code == "fields"
    for junk in ("", "%%%", "abc", "A" * 3000, base64.urlsafe_b64encode(b"[1,2]").decode()):
        with pytest.raises(pl.PayloadError):
            pl.verify_payload(junk, resolver)
        assert services.check(junk).outcome == "invalid"


def test_a_genuine_signature_of_a_licence_missing_from_the_register_is_not_valid(lw):
    lic = issue_direct(lw)
    text = services.payload_of(lic)
    type(lic).objects.filter(pk=lic.pk).update(number=lic.number + "X")
    result = services.check(text)
    assert (result.outcome, result.code) == ("invalid", "not-registered")


def test_altered_face_data_in_the_register_is_detected(lw):
    lic = issue_direct(lw)
    type(lic).objects.filter(pk=lic.pk).update(face_data={**lic.face_data, "area": "999"})
    result = services.check(services.payload_of(lic))
    assert (result.outcome, result.code) == ("invalid", "mismatch")


@pytest.mark.parametrize("suite", ["intl", "gm"])
def test_any_byte_or_character_change_fails_verification(lw, settings, suite):
    settings.TONGBAN_CRYPTO_SUITE = suite
    text = services.payload_of(issue_direct(lw))
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    resolver = published_resolver()
    pl.verify_payload(text, resolver)  # the original is fine

    @hsettings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def changed_bytes(data):
        n = data.draw(st.integers(1, 3))
        mutated = bytearray(raw)
        for _ in range(n):
            pos = data.draw(st.integers(0, len(raw) - 1))
            mutated[pos] = data.draw(st.integers(0, 255).filter(lambda b, p=pos: b != raw[p]))
        if bytes(mutated) == raw:
            return
        with pytest.raises(pl.PayloadError):
            pl.verify_payload(pl.b64url(bytes(mutated)), resolver)

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    @hsettings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(pos=st.integers(0, len(text) - 1), char=st.sampled_from(alphabet))
    def changed_characters(pos, char):
        if text[pos] == char:
            return
        with pytest.raises(pl.PayloadError):
            pl.verify_payload(text[:pos] + char + text[pos + 1 :], resolver)

    @hsettings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        name=st.sampled_from([f for f in pl.FIELDS if f != "v"]),
        value=st.text(alphabet, min_size=1, max_size=40),
    )
    def changed_fields(name, value):
        fields = fields_of(text)
        if fields[name] == value:
            return
        with pytest.raises(pl.PayloadError):
            pl.verify_payload(pl.encode({**fields, name: value}), resolver)

    changed_bytes()
    changed_characters()
    changed_fields()


@pytest.mark.parametrize("suite", ["intl", "gm"])
def test_every_position_with_every_bit_of_its_base64_character_changed_fails(lw, settings, suite):
    """Deterministic sweep: flipping any one of the six bits of any character of the
    payload text fails (this found unused trailing bits of the signature's base64url)."""
    settings.TONGBAN_CRYPTO_SUITE = suite
    text = services.payload_of(issue_direct(lw))
    resolver = published_resolver()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    accepted = []
    for pos, char in enumerate(text):
        for bit in range(6):
            changed = alphabet[alphabet.index(char) ^ (1 << bit)]
            try:
                pl.verify_payload(text[:pos] + changed + text[pos + 1 :], resolver)
            except pl.PayloadError:
                continue
            accepted.append((pos, changed))
    assert accepted == []
