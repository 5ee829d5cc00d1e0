"""Small presentation helpers for portal templates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django import template
from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tongban.catalog.models import HandlingForm, ServiceObject, TimeUnit

register = template.Library()


@register.filter
def highlight(text: object, tokens: Iterable[str] | None) -> SafeString:
    """``text`` escaped, with every occurrence of a token wrapped in ``<mark>``.

    The text is split on the tokens first and each piece escaped on its own, so neither
    the text nor the tokens can inject markup.
    """
    value = "" if text is None else str(text)
    words = sorted({t for t in (tokens or []) if t and t.strip()}, key=len, reverse=True)
    if not words or not value:
        return escape(value)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(value):
        out.append(escape(value[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(value[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@register.filter
def tel_href(phone: object) -> str:
    """A ``tel:`` address: digits, plus and hyphens only."""
    digits = re.sub(r"[^0-9+\-]", "", str(phone or ""))
    return f"tel:{digits}"


@register.simple_tag
def time_limit(amount: int | None, unit: str) -> str:
    """ "20 working days" (zh: "20 个工作日"); an empty string when there is no limit."""
    if amount is None:
        return ""
    if unit == TimeUnit.CALENDAR_DAYS:
        return _("%(n)s calendar days") % {"n": amount}
    if unit == TimeUnit.MONTHS:
        return _("%(n)s months") % {"n": amount}
    return _("%(n)s working days") % {"n": amount}


def _labels(codes: Iterable[str] | None, choices: type[models.Choices]) -> list[str]:
    known = dict(choices.choices)
    return [str(known[c]) for c in (codes or []) if c in known]


@register.filter
def service_object_labels(codes: Iterable[str] | None) -> list[str]:
    return _labels(codes, ServiceObject)


@register.filter
def handling_form_labels(codes: Iterable[str] | None) -> list[str]:
    return _labels(codes, HandlingForm)


@register.filter
def yuan(fen: int | None) -> str:
    """Money in fen shown as yuan with two decimals."""
    if fen is None:
        return ""
    return f"{fen // 100}.{fen % 100:02d}"


@register.filter
def is_link(value: object) -> bool:
    """True for an http(s) address or a path on this site, which the page may link to.

    ``//host`` and ``/\\host`` are other sites to a browser, and so is anything with a
    control character or backslash in it: those are shown as text, never linked.
    """
    text = str(value or "")
    if any(ch in text for ch in "\\\t\r\n") or text.startswith("//"):
        return False
    if text.startswith("/"):
        return True
    return text.startswith(("https://", "http://")) and bool(urlsplit(text).netloc)
