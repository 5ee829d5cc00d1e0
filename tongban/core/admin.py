"""Admin for the kernel: the audit trail is shown read-only to everyone.

Nobody, not even a superuser, can add, change or delete an audit record or a stream head
through the admin: the chain is written only by ``record_audit`` and checked by
``tongban audit verify``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tongban.core.models import AuditRecord, AuditStreamHead, Generation

admin.site.site_header = _("tongban administration")
admin.site.site_title = _("tongban administration")
admin.site.index_title = _("Platform administration")


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: no add, change or delete permission for anyone."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at", "stream", "seq", "actor_label", "action", "object_type", "object_id",
    )  # fmt: skip
    list_filter = ("stream", "occurred_at")
    search_fields = ("action", "object_type", "object_id", "actor_label")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    list_per_page = 50
    readonly_fields = (
        "stream", "seq", "occurred_at", "actor_id", "actor_label", "action", "object_type",
        "object_id", "meta", "alg", "prev_hash", "hash",
    )  # fmt: skip


@admin.register(AuditStreamHead)
class AuditStreamHeadAdmin(ReadOnlyAdmin):
    list_display = ("stream", "seq", "hash")
    search_fields = ("stream",)
    readonly_fields = ("stream", "seq", "hash")


@admin.register(Generation)
class GenerationAdmin(ReadOnlyAdmin):
    list_display = ("name", "value")
