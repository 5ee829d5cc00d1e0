"""Time-based one-time passwords (RFC 6238) on top of ``cryptography``'s HOTP/TOTP.

Six digits, 30-second steps, HMAC-SHA1: the profile every authenticator app (Google
Authenticator, Microsoft Authenticator, FreeOTP, 腾讯身份验证器 …) understands. Codes of
the previous and next step are accepted too (clock drift), and a step once used is never
accepted again (``last_step``), so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import base64
import secrets
import time
import unicodedata
from dataclasses import dataclass

import segno
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
DRIFT_STEPS = 1


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _totp(secret: bytes) -> TOTP:
    # SHA-1 is what authenticator apps implement; as an HMAC key it is not the weak part.
    return TOTP(secret, DIGITS, SHA1(), STEP_SECONDS, enforce_key_length=True)  # noqa: S303


def secret_text(secret: bytes) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    text = base64.b32encode(secret).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(secret: bytes, *, account: str, issuer: str) -> str:
    """The ``otpauth://`` address a QR code carries."""
    return _totp(secret).get_provisioning_uri(account, issuer)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code of ``uri`` (no XML declaration, scalable, titled)."""
    qr = segno.make(uri, error="m")
    return qr.svg_inline(scale=4, dark="#0b0c0c", light="#ffffff", border=2)


def code_at(secret: bytes, when: float) -> str:
    """The code valid at Unix time ``when`` (for tests and the demo)."""
    return _totp(secret).generate(int(when)).decode()


def step_of(when: float) -> int:
    return int(when) // STEP_SECONDS


def normalise_code(code: str) -> str:
    """Digits only: people type spaces and dashes, and phones offer fullwidth digits."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code or "") if ch.isdigit())


@dataclass(frozen=True)
class Match:
    step: int


def match(secret: bytes, code: str, *, after_step: int, now: float | None = None) -> Match | None:
    """The time step ``code`` belongs to (now ± one step, later than ``after_step``), or
    ``None`` when it is wrong, expired, malformed or already used."""
    code = normalise_code(code)
    if len(code) != DIGITS:
        return None
    now = time.time() if now is None else now
    totp = _totp(secret)
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step <= after_step:
            continue
        try:
            totp.verify(code.encode(), step * STEP_SECONDS)
        except InvalidToken:
            continue
        return Match(step)
    return None
