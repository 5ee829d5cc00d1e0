"""Sending text messages (SMS) to mobile numbers.

In production an adapter wraps the city's SMS platform (the government SMS gateway or a
carrier's enterprise SMS service); the one used is named by the ``TONGBAN_SMS_GATEWAY``
setting (a dotted path to a class). ``FakeSmsGateway``, the default, sends nothing: it writes
each message to a file under ``TONGBAN_VAR_DIR/outbox/sms/`` and logs it with the number
masked, so that developers and the demo can read the codes.
"""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from tongban.core.identifiers import mask_phone
from tongban.org.queries import city_region

DEFAULT_GATEWAY = "tongban.accounts.sms.FakeSmsGateway"

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    """Sends ``text`` to the mobile number ``phone`` (11 digits)."""

    def send(self, phone: str, text: str) -> None: ...


def outbox_dir() -> Path:
    """Where the fake gateway writes messages: ``<TONGBAN_VAR_DIR>/outbox/sms``."""
    return Path(settings.VAR_DIR) / "outbox" / "sms"


class FakeSmsGateway:
    """Writes each message as one JSON file (phone, text, sent_at) to ``outbox_dir()``."""

    def send(self, phone: str, text: str) -> None:
        directory = outbox_dir()
        directory.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        name = f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.json"
        record = {"phone": phone, "text": text, "sent_at": now.isoformat()}
        (directory / name).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def get_sms_gateway() -> SmsGateway:
    """The gateway named by ``TONGBAN_SMS_GATEWAY`` (the fake by default)."""
    path = getattr(settings, "TONGBAN_SMS_GATEWAY", DEFAULT_GATEWAY)
    gateway: SmsGateway = import_string(path)()
    return gateway


def sms_signature() -> str:
    """The signature text messages carry (without the brackets): ``TONGBAN_SMS_SIGNATURE``,
    else ``TONGBAN_CITY_NAME``, else the name of the city in the region tree (the first
    prefecture), else nothing. Always the registered Chinese name, whatever the language."""
    for name in ("TONGBAN_SMS_SIGNATURE", "TONGBAN_CITY_NAME"):
        value = str(getattr(settings, name, "") or "").strip().strip("【】").strip()
        if value:
            return value
    region = city_region()
    return region.name if region is not None else ""
