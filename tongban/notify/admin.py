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
