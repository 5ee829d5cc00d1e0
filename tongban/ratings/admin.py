"""Admin pages of ratings: read-only. Ratings, tickets and appeals change only through the
rating pages, the department's ticket page and the appeal decision page (each audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tongban.core import auditlabels
from tongban.ratings.transitions import TICKET

from .models import Appeal, FollowUp, Rating, Rectification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FollowUpInline(admin.StackedInline):
    model = FollowUp
    extra = 0
    can_delete = False
    readonly_fields = ("level", "reason", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("case", "step", "level", "department", "channel", "created_at", "excluded")
    list_filter = ("level", "step", "excluded", "channel")
    search_fields = ("case__number",)
    list_select_related = ("case", "department")
    exclude = ("rater",)
    inlines = [FollowUpInline]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ("rating", "department", "status", "due_on", "replied_at", "escalated_at")
    list_filter = ("status",)
    list_select_related = ("rating__case", "department")
    exclude = ("called_back_by", "fixed_by", "replied_by")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("rating", "department", "status", "requested_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("rating__case", "department")
    exclude = ("requested_by", "decided_by")


auditlabels.register(
    {
        "ratings.rate": _("Service rated"),
        "ratings.invite": _("Invited to rate a service"),
        "ratings.follow_up": _("Follow-up rating given"),
        "ratings.appeal": _("Appeal against a rating lodged"),
        "ratings.appeal_decided": _("Appeal against a rating decided"),
        "ratings.ticket_opened": _("Rectification ticket opened"),
        "ratings.ticket_excluded": _("Rectification ticket closed after an appeal"),
        "ratings.export": _("Ratings exported"),
    }
)
auditlabels.register_table_family("ratings.", TICKET)
