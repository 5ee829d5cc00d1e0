"""Known-answer tests for the crypto suites, Wycheproof vectors and SM2 interoperability.

Vectors used:
- SHA-256 "abc" (FIPS 180-2 B.1); HMAC-SHA256 RFC 4231 test case 2; AES-256-GCM test
  cases 13 and 14 of the GCM specification (McGrew & Viega);
- SM3 "abc" and the 64-byte "abcd"*16 example (GB/T 32905-2016 Annex A);
- SM4 example 1 (GB/T 32907-2016 Annex A): key = plaintext = 0123456789abcdeffedcba9876543210;
- SM2 signature example on the recommended curve (GB/T 32918.5-2017 Annex A / GM/T 0003.5):
  d = 3945208F..., ID = 1234567812345678 (the default ID), message "message digest",
  published (r, s) = (F5A03B06..., B1B6AA29...). Verified through the production path
  (tongsuopy), and reproduced bit for bit by gmalg with the published nonce k;
- SM2 signature example on the GB/T 32918.2 test curve (p = 8542D69E...) with ID
  ALICE123@YAHOO.COM, message "message digest", (r, s) = (40F1EC59..., 6FC6DAC3...):
  tongsuopy only knows the recommended curve, so this one checks gmalg, the referee of the
  interop tests below;
- RFC 8032 section 7.1 TEST 1 (Ed25519, empty message);
- Wycheproof SM4-GCM and HMAC-SM3 (a transcribed subset, see vectors/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import gmalg
import gmalg.ellipticcurve
import gmalg.sm2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tongban.core.crypto import DecryptionError, GmSuite, IntlSuite, Signature, providers

VECTORS = Path(__file__).parent / "vectors"
intl, gm = IntlSuite(), GmSuite()


# --- hashes, MACs, block cipher ------------------------------------------------------------


def test_sha256_abc():
    assert intl.hash(b"abc").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_sm3_abc_and_64_byte_example():
    assert gm.hash(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert gm.hash(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_hmac_sha256_rfc4231_case_2():
    tag = intl.hmac(b"Jefe", b"what do ya want for nothing?")
    assert tag.hex() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert intl.hmac_verify(b"Jefe", b"what do ya want for nothing?", tag)
    assert not intl.hmac_verify(b"Jefe", b"what do ya want for nothing!", tag)


def test_sm4_block_gbt32907_example_1():
    key = plaintext = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - the block vector
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    assert ciphertext.hex() == "681edf34d206965e86b3e94f536e4246"
    # the same vector through the GCM path: counter block 2 of an all-zero 96-bit IV is
    # E_K(0^96 || 00000002); GCM with that key must agree with the ECB core.
    nonce = bytes(12)
    sealed = providers.gcm_encrypt("sm4", key, nonce, bytes(16), b"")
    ecb = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    keystream = ecb.update(nonce + (2).to_bytes(4, "big")) + ecb.finalize()
    assert sealed[:16] == keystream


def test_aes_256_gcm_spec_cases_13_and_14():
    key, nonce = bytes(32), bytes(12)
    assert providers.gcm_encrypt("aes", key, nonce, b"", b"").hex() == (
        "530f8afbc74536b9a963b4f1c4cb738b"
    )
    assert providers.gcm_encrypt("aes", key, nonce, bytes(16), b"").hex() == (
        "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
    )


# --- Wycheproof ----------------------------------------------------------------------------


def _wycheproof(name: str) -> list[tuple[dict, dict]]:
    document = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    cases = [(group, test) for group in document["testGroups"] for test in group["tests"]]
    assert len(cases) == document["numberOfTests"]
    return cases


SM4_GCM = _wycheproof("sm4_gcm_test.json")
HMAC_SM3 = _wycheproof("hmac_sm3_test.json")


def test_the_vector_files_hold_valid_and_invalid_cases():
    for cases in (SM4_GCM, HMAC_SM3):
        results = {test["result"] for _, test in cases}
        assert results == {"valid", "invalid"}


@pytest.mark.parametrize(("group", "test"), SM4_GCM, ids=lambda v: str(v.get("tcId", "")))
def test_wycheproof_sm4_gcm(group, test):
    key, iv, aad, msg, ct, tag = (
        bytes.fromhex(test[f]) for f in ("key", "iv", "aad", "msg", "ct", "tag")
    )
    assert len(tag) * 8 == group["tagSize"]
    if test["result"] == "valid":
        assert providers.gcm_encrypt("sm4", key, iv, msg, aad) == ct + tag
        assert providers.gcm_decrypt("sm4", key, iv, ct + tag, aad) == msg
    else:
        with pytest.raises(DecryptionError):
            providers.gcm_decrypt("sm4", key, iv, ct + tag, aad)


@pytest.mark.parametrize(("group", "test"), HMAC_SM3, ids=lambda v: str(v.get("tcId", "")))
def test_wycheproof_hmac_sm3(group, test):
    key, msg, tag = (bytes.fromhex(test[f]) for f in ("key", "msg", "tag"))
    valid = test["result"] == "valid"
    assert gm.hmac_verify(key, msg, tag) is valid
    assert (gm.hmac(key, msg) == tag) is valid


# --- Ed25519 -------------------------------------------------------------------------------

RFC8032_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC8032_SIG = (
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def test_ed25519_rfc8032_test_1():
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_SECRET))
    private = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )  # fmt: skip
    public = intl.public_key_of(private)
    raw_public = serialization.load_der_public_key(public).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert raw_public.hex() == RFC8032_PUBLIC
    signature = intl.sign(private, b"", key_id="rfc8032")
    assert signature.value.hex() == RFC8032_SIG
    assert intl.verify(public, b"", signature)
    assert not intl.verify(public, b"\x00", signature)


# --- SM2 -----------------------------------------------------------------------------------

GBT_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
GBT_X = 0x09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020
GBT_Y = 0xCCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13
GBT_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
GBT_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
GBT_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
MESSAGE = b"message digest"


def _gmalg_public(x: int, y: int) -> bytes:
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def test_sm2_gbt32918_5_example_verifies_with_tongsuopy():
    public = providers.Sm2Provider.public_from_point(GBT_X, GBT_Y)
    published = Signature("sm2-sm3", "gbt32918", encode_dss_signature(GBT_R, GBT_S))
    assert gm.verify(public, MESSAGE, published)
    assert not gm.verify(public, b"message digesT", published)
    wrong_s = Signature("sm2-sm3", "gbt32918", encode_dss_signature(GBT_R, GBT_S ^ 1))
    assert not gm.verify(public, MESSAGE, wrong_s)
    # the published private key gives the published public key
    private = providers.Sm2Provider.private_from_scalar(GBT_D)
    assert providers.Sm2Provider.public_point(gm.public_key_of(private)) == (GBT_X, GBT_Y)


def test_sm2_gbt32918_5_example_is_reproduced_by_gmalg():
    signer = gmalg.SM2(
        GBT_D.to_bytes(32, "big"), b"1234567812345678", _gmalg_public(GBT_X, GBT_Y),
        rnd_fn=lambda _bits: GBT_K,
    )  # fmt: skip
    r, s = signer.sign(MESSAGE)
    assert (int.from_bytes(r, "big"), int.from_bytes(s, "big")) == (GBT_R, GBT_S)


def test_sm2_gbt32918_2_test_curve_example_alice():
    curve = gmalg.ellipticcurve.ECDLP(
        0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
        0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
        0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
        (
            0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
            0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
        ),
        0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
    )
    core = gmalg.sm2.SM2Core(curve, gmalg.SM3())
    d = 0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263
    public = (
        0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
        0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857,
    )
    r = 0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1
    s = 0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7
    user_id = b"ALICE123@YAHOO.COM"
    assert core.generate_pk(d) == public
    assert core.verify(MESSAGE, r, s, user_id, public)
    assert not core.verify(MESSAGE, r, s, b"BILL456@YAHOO.COM", public)
    assert not core.verify(b"message digesT", r, s, user_id, public)


def _scalar(private_der: bytes) -> int:
    from tongsuopy.crypto import serialization as t_ser

    return t_ser.load_der_private_key(private_der, None).private_numbers().private_value


def test_sm2_interop_tongsuopy_signature_verified_by_gmalg():
    pair = gm.generate_signing_key()
    data = "营业执照 91442000MA4X00001X".encode()
    signature = gm.sign(pair.private, data, key_id="interop")
    r, s = decode_dss_signature(signature.value)
    verifier = gmalg.SM2(
        uid=b"1234567812345678", pk=_gmalg_public(*providers.Sm2Provider.public_point(pair.public))
    )
    assert verifier.verify(data, r.to_bytes(32, "big"), s.to_bytes(32, "big"))
    assert not verifier.verify(data + b".", r.to_bytes(32, "big"), s.to_bytes(32, "big"))


def test_sm2_interop_gmalg_signature_verified_by_tongsuopy():
    d_bytes, public_raw = gmalg.SM2().generate_keypair()
    signer = gmalg.SM2(d_bytes, b"1234567812345678", public_raw)
    data = b"exchange message 42"
    r, s = signer.sign(data)
    x, y = int.from_bytes(public_raw[1:33], "big"), int.from_bytes(public_raw[33:], "big")
    public = providers.Sm2Provider.public_from_point(x, y)
    der = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
    assert gm.verify(public, data, Signature("sm2-sm3", "gmalg", der))
    assert not gm.verify(public, b"exchange message 43", Signature("sm2-sm3", "gmalg", der))
    # a signature made with another user ID does not verify under the default ID
    other = gmalg.SM2(d_bytes, b"ALICE123@YAHOO.COM", public_raw)
    r2, s2 = other.sign(data)
    der2 = encode_dss_signature(int.from_bytes(r2, "big"), int.from_bytes(s2, "big"))
    assert not gm.verify(public, data, Signature("sm2-sm3", "gmalg", der2))
