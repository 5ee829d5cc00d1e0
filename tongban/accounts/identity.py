"""Identity proofing at registration: is this real name the holder of this ID number?

In production in China this question is put to the public-security identity service
(公安部公民身份信息核查, e.g. through the national government service platform) or to the
provincial unified identity platform (省统一身份认证平台) that the city is connected to.
Each is wrapped in an adapter implementing ``IdentityProvider``; the one used is named by
the ``TONGBAN_IDENTITY_PROVIDER`` setting (a dotted path to a class). ``FakeIdentityProvider``
is the default for development, tests and the demo; it never leaves the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from tongban.core.identifiers import parse_resident_id

DEFAULT_PROVIDER = "tongban.accounts.identity.FakeIdentityProvider"


class RefusalReason:
    """Why a provider refused: codes, safe to log and to audit (no personal values)."""

    INVALID_NUMBER = "invalid_number"
    NO_NAME = "no_name"
    MISMATCH = "mismatch"
    DECEASED = "deceased"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Verdict:
    """The provider's answer: ``ok``, or not ok with a ``reason`` code (``RefusalReason``)."""

    ok: bool
    reason: str = ""


class IdentityProvider(Protocol):
    """Checks that ``real_name`` is the name of the holder of ``id_number``."""

    def verify(self, real_name: str, id_number: str) -> Verdict: ...


class FakeIdentityProvider:
    """Accepts every checksum-valid ID number with a non-empty name, except the test numbers
    below, which it refuses as a real service would. They are all checksum-valid numbers of
    Zhongshan (442000), born 1 January 1990::

        442000199001019016  "deceased" (the holder is recorded as dead)
        442000199001019024  "mismatch" (the name does not match the number)
    """

    DECEASED_NUMBERS = frozenset({"442000199001019016"})
    MISMATCH_NUMBERS = frozenset({"442000199001019024"})

    def verify(self, real_name: str, id_number: str) -> Verdict:
        try:
            number = parse_resident_id(id_number).number
        except ValidationError:
            return Verdict(False, RefusalReason.INVALID_NUMBER)
        if not " ".join((real_name or "").split()):
            return Verdict(False, RefusalReason.NO_NAME)
        if number in self.DECEASED_NUMBERS:
            return Verdict(False, RefusalReason.DECEASED)
        if number in self.MISMATCH_NUMBERS:
            return Verdict(False, RefusalReason.MISMATCH)
        return Verdict(True)


def get_identity_provider() -> IdentityProvider:
    """The provider named by ``TONGBAN_IDENTITY_PROVIDER`` (the fake by default)."""
    path = getattr(settings, "TONGBAN_IDENTITY_PROVIDER", DEFAULT_PROVIDER)
    provider: IdentityProvider = import_string(path)()
    return provider
