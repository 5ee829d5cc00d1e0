"""Notifications: what a person is told (``Message``) and each attempt to reach them
outside the site (``Delivery``).

A message is written in the recipient's language when it is created and is never edited
afterwards (only ``read_at`` changes). Bodies carry masked values only: a resident ID or
mobile number in a subject or body is masked before it is stored (``services.send``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """Same values as ``tongban.core.alerts.Severity``."""

    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app message")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notify_messages",
    )
    code = models.CharField(_("kind"), max_length=80)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.INFO
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    # False when the caller asked for e-mail or SMS only: the row still records what was
    # sent, but the inbox does not show it.
    in_inbox = models.BooleanField(_("shown in the inbox"), default=True)
    # Set when a message must reach its recipient at most once (``send(..., once=…)``):
    # "the case 442000-… is complete" is one message, whatever retries and races happen.
    once_key = models.CharField(_("sent once as"), max_length=120, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_msg_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="notify_msg_recipient_new"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "once_key"],
                condition=~models.Q(once_key=""),
                name="notify_msg_once",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will try again")
    FAILED = "failed", _("Failed, gave up")
    SKIPPED = "skipped", _("Not sent: no address")


class Delivery(models.Model):
    """One message by one channel outside the site (e-mail, SMS), and how sending went.

    The address is read from the account when sending, never copied here; ``address_hint``
    is a masked form of it, so that an administrator can see where it went.
    """

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    address_hint = models.CharField(_("address (masked)"), max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_status_display()}"


class Language(models.TextChoices):
    """The languages of ``settings.LANGUAGES``, with names translated for the admin."""

    ZH_HANS = "zh-hans", _("Chinese (Simplified)")
    EN = "en", _("English")


class Preference(models.Model):
    """What a person chose about their notifications: the language they are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    language = models.CharField(_("language"), max_length=16, choices=Language.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"
