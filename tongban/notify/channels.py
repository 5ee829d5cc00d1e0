"""Channel adapters: how a message leaves the site.

- ``EmailChannel``: Django's mail framework (``EMAIL_BACKEND``, ``EMAIL_HOST`` …,
  ``DEFAULT_FROM_EMAIL``): SMTP in production, the console or locmem backend in development
  and tests.
- ``SmsChannel``: the SMS gateway adapter of ``tongban.accounts.sms`` (``TONGBAN_SMS_GATEWAY``;
  the fake gateway writes to ``<TONGBAN_VAR_DIR>/outbox/sms/``). A text message carries the
  city's signature in front (【…】, ``TONGBAN_SMS_SIGNATURE``, else the city's name), as
  Chinese SMS rules require, then the subject and the absolute link of the page it is about
  (``TONGBAN_SITE_URL``); when it is too long the subject is shortened, never the link.

An adapter reads the address from the account when it sends (addresses are never copied
into notification tables) and raises on failure; ``tasks`` records and retries failures.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from tongban.accounts.sms import get_sms_gateway, sms_signature
from tongban.core.identifiers import mask_phone, validate_mobile
from tongban.notify.models import Channel, Message

# A notice with its signature and link fits three billed segments of a long SMS (67
# characters each in Chinese); a longer subject is shortened, never the link.
SMS_MAX_CHARS = 201


class ChannelAdapter(Protocol):
    channel: str

    def address(self, user: object) -> str:
        """Where this channel reaches ``user``, or "" when it cannot."""

    def hint(self, address: str) -> str:
        """A masked form of ``address`` that may be stored and shown to administrators."""

    def send(self, message: Message, address: str) -> None:
        """Send ``message`` to ``address``; raise on any failure."""


def absolute_link(link: str) -> str:
    """``link`` as an address people can open from outside the site (``TONGBAN_SITE_URL``)."""
    if not link or "://" in link:
        return link
    base = str(getattr(settings, "TONGBAN_SITE_URL", "") or "").rstrip("/")
    return f"{base}{link}" if base else ""


def sms_text(subject: str, link: str, signature: str) -> str:
    """``【signature】subject Details: link`` within ``SMS_MAX_CHARS``: the subject is
    shortened (with "…") when needed, never the signature or the link. Call it in the
    recipient's language."""
    head = f"【{signature}】" if signature else ""

    def text(shown: str) -> str:
        if link:
            return head + _("%(subject)s Details: %(link)s") % {"subject": shown, "link": link}
        return head + _("%(subject)s Sign in to the portal to read the details.") % {
            "subject": shown
        }

    full = text(subject)
    overflow = len(full) - SMS_MAX_CHARS
    if overflow <= 0:
        return full
    keep = max(len(subject) - overflow - 1, 0)
    return text(subject[:keep] + "…")


def mask_email(address: str) -> str:
    local, sep, domain = address.partition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


class EmailChannel:
    channel: str = Channel.EMAIL

    def address(self, user: object) -> str:
        return str(getattr(user, "email", "") or "").strip()

    def hint(self, address: str) -> str:
        return mask_email(address)

    def send(self, message: Message, address: str) -> None:
        with translation.override(message.language or settings.LANGUAGE_CODE):
            text = message.body
            link = absolute_link(message.link)
            if link:
                text = f"{text}\n\n{_('Read it online: %(link)s') % {'link': link}}"
            footer = _("This message was sent by the government service portal. Do not reply.")
        email = EmailMessage(
            subject=message.subject,
            body=f"{text}\n\n--\n{footer}",
            to=[address],
        )
        email.send(fail_silently=False)


class SmsChannel:
    channel: str = Channel.SMS

    def address(self, user: object) -> str:
        phone = str(getattr(user, "phone", "") or "")
        if not phone:
            return ""
        try:
            return validate_mobile(phone)
        except ValidationError:  # e.g. a landline
            return ""

    def hint(self, address: str) -> str:
        return mask_phone(address)

    def send(self, message: Message, address: str) -> None:
        with translation.override(message.language or settings.LANGUAGE_CODE):
            text = sms_text(message.subject, absolute_link(message.link), sms_signature())
        get_sms_gateway().send(address, text[:SMS_MAX_CHARS])


ADAPTERS: dict[str, ChannelAdapter] = {
    Channel.EMAIL.value: EmailChannel(),
    Channel.SMS.value: SmsChannel(),
}


def get_adapter(channel: str) -> ChannelAdapter:
    return ADAPTERS[channel]
