"""System checks of the exchange (``tongban check``): evidence is kept at least six months.

P14: audit data is kept ≥ 6 months. The audit chain itself is append-only and never
deleted (stronger than required); exchange evidence (``ExchangeEvidence``: the signed
request and response of each exchange) is purged after ``TONGBAN_EXCHANGE_RETENTION_DAYS``
by ``tongban.exchange.retention``. A value under 180 days is an error: ``tongban check``
fails and the purge refuses to run.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

#: Six months, rounded up: the least retention P14 (网络安全法 Art. 21) allows.
MINIMUM_RETENTION_DAYS = 180


def retention_days() -> int | None:
    """``TONGBAN_EXCHANGE_RETENTION_DAYS`` as an integer, ``None`` when it is not one."""
    value = getattr(settings, "TONGBAN_EXCHANGE_RETENTION_DAYS", 365)
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@register()
def evidence_retention(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``tongban.exchange.E001`` when evidence would be kept under 180 days."""
    days = retention_days()
    if days is not None and days >= MINIMUM_RETENTION_DAYS:
        return []
    shown = getattr(settings, "TONGBAN_EXCHANGE_RETENTION_DAYS", None)
    return [
        Error(
            f"TONGBAN_EXCHANGE_RETENTION_DAYS is {shown!r}: exchange evidence must be kept "
            f"at least {MINIMUM_RETENTION_DAYS} days (six months).",
            hint=f"Set TONGBAN_EXCHANGE_RETENTION_DAYS to {MINIMUM_RETENTION_DAYS} or more "
            "(default 365).",
            id="tongban.exchange.E001",
        )
    ]
