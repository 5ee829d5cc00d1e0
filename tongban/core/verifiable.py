"""Verifiable documents: a registry the public verification page (证照核验) consults.

Licences are not the only signed documents the platform hands out: cases issue acceptance
notices (受理通知书), signed with the department's key. The verification page belongs to
licences, and cases must not import licences (layers), nor licences know every kind of
document. So each app that issues a signed document registers a *verifier* here, in its
``AppConfig.ready``; the page asks ``check(text)`` first and falls back to its own licence
check when no verifier recognises the text.

A verifier takes the text a person pasted or scanned and returns ``None`` when the text is
not a document of its kind (the next verifier is asked), else a ``Finding``: genuine or not,
why, and the public facts to show. A finding never carries personal data: only what a
licence verification shows (number, document type, issuer, dates, the matter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Finding:
    """What a verifier found. ``rows``: (label, value) pairs of public facts, in order."""

    genuine: bool
    kind: StrOrPromise
    message: StrOrPromise
    reason: StrOrPromise = ""
    rows: list[tuple[StrOrPromise, str]] = field(default_factory=list)
    key_id: str = ""
    alg: str = ""


Verifier = Callable[[str], Finding | None]

_verifiers: dict[str, Verifier] = {}


def register(name: str, verifier: Verifier) -> None:
    """Register ``verifier`` under ``name`` (idempotent for the same function; a second
    function under a taken name raises ``ImproperlyConfigured``)."""
    known = _verifiers.get(name)
    if known is not None and known is not verifier:
        raise ImproperlyConfigured(f"two verifiers registered as {name!r}")
    _verifiers[name] = verifier


def names() -> list[str]:
    return sorted(_verifiers)


def check(text: str) -> Finding | None:
    """The finding of the first verifier that recognises ``text``; ``None`` when none
    does (the caller then treats the text as its own kind, e.g. a licence payload)."""
    text = (text or "").strip()
    if not text:
        return None
    for name in sorted(_verifiers):
        finding = _verifiers[name](text)
        if finding is not None:
            return finding
    return None
