"""Fixtures of the accounts tests: the session middlewares as the lead installs them."""

from __future__ import annotations

import pytest

MINE = [
    "tongban.accounts.middleware.SessionTimeoutMiddleware",
    "tongban.accounts.middleware.SecondFactorMiddleware",
]


@pytest.fixture
def session_rules(settings):
    """MIDDLEWARE with the timeout and second-factor middlewares right after messages."""
    chain = [name for name in settings.MIDDLEWARE if name not in MINE]
    at = chain.index("django.contrib.messages.middleware.MessageMiddleware") + 1
    settings.MIDDLEWARE = chain[:at] + MINE + chain[at:]
    return settings


@pytest.fixture
def fast_hashing(settings):
    """Argon2 would dominate these tests' run time; hashing is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Messages of services called directly, in English (the default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
