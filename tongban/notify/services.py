"""Use cases of notifications: send one, read one, read all, choose the language.

``send`` is what other modules call (also as ``tongban.notify.send``). It writes the in-app
message and, for each e-mail and SMS, a delivery and its outbox row (``notify.deliver``) in
the caller's transaction, so a rolled-back change tells nobody anything and a committed one
is sent even if the process dies right after the commit. The outbox sends, retries and
gives up (``tongban.notify.tasks``); nothing a channel does can raise into the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from tongban.core.audit import record_audit
from tongban.core.errors import ServiceError
from tongban.core.observability.logs import redact
from tongban.notify.channels import get_adapter
from tongban.notify.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Message,
    Preference,
    Severity,
)
from tongban.notify.tasks import enqueue_delivery

ALL_CHANNELS: tuple[str, ...] = (Channel.INAPP, Channel.EMAIL, Channel.SMS)
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def recipient_language(user: Any) -> str:
    """The language ``user`` reads their messages in.

    A language field of the account if it has one (``language`` or
    ``preferred_language``), else the choice made on the inbox page, else the site's
    default (zh-Hans).
    """
    for attribute in ("preferred_language", "language"):
        value = getattr(user, attribute, "")
        if isinstance(value, str) and value in LANGUAGE_CODES:
            return value
    try:
        preference = user.notify_preference
    except Preference.DoesNotExist:
        return str(settings.LANGUAGE_CODE)
    if preference.language in LANGUAGE_CODES:
        return preference.language
    return str(settings.LANGUAGE_CODE)


def render(text: Any, context: Mapping[str, Any] | None, language: str) -> str:
    """``text`` (a string or lazy translation with ``%(name)s`` placeholders) in
    ``language``, filled from ``context``, with ID and mobile numbers masked."""
    with translation.override(language):
        rendered = str(text)
        if context:
            try:
                rendered = rendered % dict(context)
            except (KeyError, ValueError, TypeError):
                raise ServiceError(
                    {
                        "context": [
                            _("The text and its values do not match: %(text)s")
                            % {"text": rendered[:80]}
                        ]
                    }
                ) from None
    return redact(rendered)


def _check_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    on_site = link.startswith("/") and not link.startswith("//") and len(link) <= 500
    if on_site and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    raise ServiceError({"link": [_("The link must be a path on this site, starting with /.")]})


def _check_channels(channels: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(channels))
    unknown = [c for c in wanted if c not in ALL_CHANNELS]
    if unknown or not wanted:
        raise ServiceError(
            {"channels": [_("Choose one or more of the channels: inapp, email, sms.")]}
        )
    return wanted


@transaction.atomic
def send(
    recipient: Any,
    code: str,
    subject: Any,
    body: Any,
    *,
    link: str = "",
    channels: Iterable[str] = ALL_CHANNELS,
    context: Mapping[str, Any] | None = None,
    severity: str = Severity.INFO,
    actor: Any = None,
    once: str = "",
) -> Message:
    """Tell ``recipient`` something, in their language, by the ``channels`` asked for.

    ``subject`` and ``body`` are (lazily translated) texts with ``%(name)s`` placeholders
    filled from ``context``; pass masked values only (ID and mobile numbers are masked here
    anyway). ``link`` is a path on this site. The in-app message is written in the
    caller's transaction; e-mail and SMS go out after it commits, through the outbox
    (``notify.deliver`` rows written here), and channels the recipient cannot be reached
    by (no e-mail address, no mobile number, inactive account) are recorded as skipped.

    ``once`` (a key such as ``cases.completed:42``) makes the message at most one: when
    ``recipient`` already has a message of that key, it is returned and nothing is sent
    (retries and concurrent senders included: the database holds the key unique).
    """
    wanted = _check_channels(channels)
    link = _check_link(link)
    if severity not in Severity.values:
        raise ServiceError({"severity": [_("Unknown severity.")]})
    code = (code or "").strip()[:80]
    if not code:
        raise ServiceError(
            {"code": [_("Give the kind of message (a code such as case.received).")]}
        )
    once = (once or "").strip()[:120]
    if once:
        earlier = Message.objects.filter(recipient=recipient, once_key=once).first()
        if earlier is not None:
            return earlier
    language = recipient_language(recipient)
    fields = {
        "recipient": recipient,
        "code": code,
        "subject": render(subject, context, language)[:200],
        "body": render(body, context, language),
        "link": link,
        "severity": severity,
        "language": language,
        "in_inbox": Channel.INAPP in wanted,
        "once_key": once,
    }
    if once:
        try:
            with transaction.atomic():  # a savepoint: a twin written meanwhile fails only this
                message = Message.objects.create(**fields)
        except IntegrityError:
            earlier = Message.objects.filter(recipient=recipient, once_key=once).first()
            if earlier is None:
                raise
            return earlier
    else:
        message = Message.objects.create(**fields)
    queued = 0
    for channel in wanted:
        if channel == Channel.INAPP:
            continue
        adapter = get_adapter(channel)
        address = adapter.address(recipient) if recipient.is_active else ""
        delivery = Delivery.objects.create(
            message=message,
            channel=channel,
            status=DeliveryStatus.PENDING if address else DeliveryStatus.SKIPPED,
            address_hint=adapter.hint(address) if address else "",
        )
        if address:
            enqueue_delivery(delivery)  # an outbox row, committed with the message
            queued += 1
    record_audit(
        actor,
        "notify.send",
        message,
        meta={"code": code, "recipient": recipient.pk, "channels": wanted, "queued": queued},
    )
    return message


def was_sent(recipient_id: int, once: str) -> bool:
    """Whether the message of key ``once`` (see ``send``) was written for the recipient."""
    return Message.objects.filter(recipient_id=recipient_id, once_key=once).exists()


@transaction.atomic
def mark_read(message: Message, *, actor: Any) -> Message:
    """Mark ``message`` read by its recipient (``actor``); reading it again changes nothing."""
    if message.recipient_id != getattr(actor, "pk", None):
        raise ServiceError({"message": [_("This message is not yours.")]})
    if message.read_at is None:
        now = timezone.now()
        updated = Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
        if updated:
            record_audit(actor, "notify.read", message, meta={"code": message.code})
    return message


@transaction.atomic
def mark_all_read(user: Any, *, actor: Any) -> int:
    """Mark every unread message of ``user`` read; returns how many there were."""
    if user.pk != getattr(actor, "pk", None):
        raise ServiceError({"user": [_("You can only mark your own messages read.")]})
    count = Message.objects.filter(recipient=user, read_at__isnull=True, in_inbox=True).update(
        read_at=timezone.now()
    )
    if count:
        record_audit(
            actor, "notify.read_all", object_type="accounts.user", object_id=str(user.pk),
            meta={"count": count},
        )  # fmt: skip
    return count


@transaction.atomic
def set_language(user: Any, language: str, *, actor: Any) -> Preference:
    """Choose the language ``user``'s messages are written in (from now on)."""
    if user.pk != getattr(actor, "pk", None):
        raise ServiceError({"language": [_("You can only choose your own language.")]})
    if language not in LANGUAGE_CODES:
        raise ServiceError({"language": [_("Choose one of the languages offered.")]})
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    record_audit(actor, "notify.language", preference, meta={"language": language})
    return preference
