"""Benchmark: RFC 9421 signing and verification of exchange messages, beside floors.

Run as ``.venv/bin/python bench/exchange_signing.py [--seconds 1.0] [--suite intl|gm]``;
without ``--suite`` it runs both suites in one process (the algorithm follows the key:
``ed25519`` for ``intl``, ``sm2-sm3`` through Tongsuo for ``gm``).

For each suite, alternating in chunks of 50 so that other load on the machine falls on
every path alike, over a request with a 1 KB JSON body:

- **request**: ``sign_request`` then ``verify_request`` (in-memory key resolver and nonce
  store, every check of the gateway's profile: parse, coverage, key, signature, digest,
  clock, nonce). One op = one sign + one verify.
- **response**: ``sign_response`` then ``verify_response`` of an answer bound to a signed
  request (the ``req`` components).
- **bare signature** (floor): the suite's ``sign`` + ``verify`` over the same number of
  bytes as a request's signature base: what the cryptography alone costs.
- **hash** (floor): SHA-256 of the body and of a signature base, the digest work every
  message does anyway.

Prints ops/s (wall clock) for each path and the ratios request/bare and request/hash: the
first says how much the RFC 9421 machinery (Structured Fields parsing, the signature base,
Content-Digest, our checks) adds to the signature itself. Not a test; never part of
``make test``.

What dominates the gap (cProfile, December 2026): not the cryptography but pure-Python
Structured Fields work in ``http_sf``. The package builds the signature base twice when
signing (``prepare``, then ``apply`` checks that nothing changed) and once when verifying,
and each build serialises every component and parameter. With Ed25519 (~0.3 ms for a
sign + verify) that is 80–90 % of a request's cost (request/bare ≈ 0.1–0.2); with SM2
(~1.8 ms) about half (≈ 0.5). Either way a core signs and checks a few hundred requests per
second, well above P24's 100 requests/s.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 50
NOW = 1_796_000_000


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TONGBAN_VAR_DIR", tempfile.mkdtemp(prefix="tongban-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.config.settings")
    import django

    django.setup()


def run_suite(suite_name: str, seconds: float) -> dict[str, float]:
    from tongban.core.crypto.suites import get_suite
    from tongban.exchange import signing
    from tongban.exchange.nonces import MemoryNonceStore

    suite = get_suite(suite_name)
    member, member_public = signing.generate_signing_key("bench-member", suite_name)
    gateway, gateway_public = signing.generate_signing_key("bench-gateway", suite_name)
    keys = signing.InMemoryKeyResolver(
        {
            "bench-member": signing.PublicKey(member_public, member.alg, "member"),
            "bench-gateway": signing.PublicKey(gateway_public, gateway.alg, "gateway"),
        }
    )
    nonces = MemoryNonceStore()
    originator = signing.Originator("gaj", "wang.li")
    body = (b'{"fields": ["name", "birth_date", "address"], "id": "%06d"}' % 1).ljust(1024)
    url = "https://gateway.example.gov.cn/exchange/v1/resources/population/query?f=1"
    answer_body = b'{"name": "Wang Li", "birth_date": "1990-01-01"}'.ljust(1024)

    def new_request() -> signing.ExchangeRequest:
        req = signing.ExchangeRequest("POST", url, {"Content-Type": "application/json"}, body)
        return signing.sign_request(req, member, originator, now=NOW)

    sample = new_request()
    base = sample.headers["Signature-Input"].encode().ljust(400)  # about a base's size
    answered = new_request()

    def request() -> None:
        req = new_request()
        signing.verify_request(req, keys=keys, nonces=nonces, now=NOW, window=300)

    def response() -> None:
        resp = signing.ExchangeResponse(200, answered, {}, answer_body)
        signing.sign_response(resp, gateway, now=NOW)
        signing.verify_response(resp, keys=keys, now=NOW, window=300)

    def bare() -> None:
        signature = suite.sign(member.private_key, base, key_id="bench")
        assert suite.verify(member_public, base, signature)

    def hashing() -> None:
        hashlib.sha256(body).digest()
        hashlib.sha256(base).digest()

    paths: dict[str, Callable[[], None]] = {
        "request": request,
        "response": response,
        "bare signature": bare,
        "hash": hashing,
    }
    spent = dict.fromkeys(paths, 0.0)
    done = dict.fromkeys(paths, 0)
    for fn in paths.values():  # warm up
        fn()
    deadline = time.perf_counter() + seconds * len(paths)
    while time.perf_counter() < deadline:
        for name, fn in paths.items():
            start = time.perf_counter()
            for _i in range(CHUNK):
                fn()
            spent[name] += time.perf_counter() - start
            done[name] += CHUNK
    return {name: done[name] / spent[name] for name in paths}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per path and suite")
    parser.add_argument("--suite", choices=["intl", "gm"], default=None)
    args = parser.parse_args()
    setup()
    for suite_name in [args.suite] if args.suite else ["intl", "gm"]:
        rates = run_suite(suite_name, args.seconds)
        alg = "ed25519" if suite_name == "intl" else "sm2-sm3"
        print(f"suite {suite_name} ({alg}), ops/s (one op = sign + verify):")
        for name, rate in rates.items():
            print(f"  {name:<15} {rate:>12,.0f}")
        print(
            f"  request / bare signature = {rates['request'] / rates['bare signature']:.2f}; "
            f"request / hash = {rates['request'] / rates['hash']:.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
