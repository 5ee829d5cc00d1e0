"""Messages and deliveries in the admin, read-only for everyone.

Message texts hold masked values only; deliveries show where a message went (masked) and
why sending failed, so that failures are visible. Nothing here can be edited: messages are
written by ``services.send`` and deliveries by the background task.
"""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin
from tongban.notify.models import Delivery, Message, Preference


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "channel", "status", "address_hint", "attempts", "last_error", "next_attempt_at",
        "sent_at",
    )  # fmt: skip

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "code", "severity", "subject", "read_at")
    list_filter = ("severity", "code", "created_at")
    search_fields = ("code",)
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    list_per_page = 50
    fields = readonly_fields = (
        "recipient", "code", "severity", "subject", "body", "link", "language", "in_inbox",
        "created_at", "read_at",
    )  # fmt: skip
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "channel", "status", "address_hint", "attempts", "next_attempt_at",
        "sent_at",
    )  # fmt: skip
    list_filter = ("status", "channel")
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = readonly_fields = (
        "message", "channel", "status", "address_hint", "attempts", "last_error",
        "next_attempt_at", "created_at", "sent_at",
    )  # fmt: skip


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "language", "updated_at")
    list_filter = ("language",)
    fields = readonly_fields = ("user", "language", "updated_at")


from django.utils.translation import gettext_lazy as _  # noqa: E402 - with the audit labels

from tongban.core import auditlabels  # noqa: E402
from tongban.notify.alerting import ALERT_TITLES  # noqa: E402
from tongban.notify.models import DeliveryStatus  # noqa: E402


def _alert_label(code: str) -> str | None:
    title = ALERT_TITLES.get(code.removeprefix("alert."))
    if title is None:
        return _("Alert raised: %(code)s") % {"code": code.removeprefix("alert.")}
    return _("Alert raised: %(title)s") % {"title": title}


auditlabels.register(
    {
        "notify.send": _("Message sent"),
        "notify.read": _("Message read"),
        "notify.read_all": _("All messages marked as read"),
        "notify.language": _("Message language changed"),
        "notify.delivery.failed": _("Message delivery given up"),
        "notify.delivery.retry": _("Message delivery failed, will try again"),
    }
)
auditlabels.register_family("alert.", _alert_label)


def _delivery_label(code: str) -> str | None:
    status = code.removeprefix("notify.delivery.")
    if status not in DeliveryStatus.values:
        return None
    return _("Message delivery: %(status)s") % {"status": DeliveryStatus(status).label}


auditlabels.register_family("notify.delivery.", _delivery_label)
