"""Admin pages of the exchange. The catalogue is edited here by its departments' staff with
admin rights; statuses (published, suspended, granted) change only through the services
(the admin actions below call them, audited), never by editing a field."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tongban.core import auditlabels
from tongban.core.audit import record_audit

from . import services
from .models import DataItem, DataResource, Grant, MemberKey, MemberSystem, ShareRequest


class DataItemInline(admin.TabularInline):
    model = DataItem
    extra = 0
    fields = ("sort_order", "code", "element", "name", "name_en", "share_class", "grade",
              "personal_number", "legal_basis")  # fmt: skip
    autocomplete_fields = ()
    raw_id_fields = ("element",)


def _run(request: HttpRequest, rows: QuerySet[Any], action: Any) -> None:
    for row in rows:
        try:
            action(row, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(getattr(exc, "messages", [])) or str(_("You may not do this."))
            messages.error(request, f"{row}: {text}")


@admin.register(DataResource)
class DataResourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "update_frequency", "open_to_public", "status")
    list_filter = ("status", "open_to_public", "update_frequency", "department")
    search_fields = ("code", "name", "name_en", "items__name")
    list_select_related = ("department",)
    readonly_fields = ("status", "created_at")
    inlines = [DataItemInline]
    actions = ["publish", "withdraw"]

    @admin.action(description=_("Publish in the catalogue"))
    def publish(self, request: HttpRequest, queryset: QuerySet[DataResource]) -> None:
        _run(request, queryset, services.publish_resource)

    @admin.action(description=_("Withdraw from the catalogue"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[DataResource]) -> None:
        _run(request, queryset, services.withdraw_resource)


class MemberKeyInline(admin.TabularInline):
    model = MemberKey
    extra = 0
    can_delete = False
    fields = ("key_id", "algorithm", "valid_from", "valid_until", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys are made by `tongban exchange member-key`


@admin.register(MemberSystem)
class MemberSystemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "dengbao_grade", "key_protection",
                    "assurance_level", "status")  # fmt: skip
    list_filter = ("status", "assurance_level", "key_protection")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("department",)
    readonly_fields = ("assurance_level", "status", "registered_at", "registered_by")
    inlines = [MemberKeyInline]

    def save_model(self, request: HttpRequest, obj: MemberSystem, form: Any, change: bool) -> None:
        if not change:
            obj.registered_by_id = request.user.pk
        super().save_model(request, obj, form, change)
        record_audit(
            request.user,
            "exchange.member.change" if change else "exchange.member.register",
            obj,
            meta={"department": obj.department.code, "level": obj.assurance_level},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ShareRequest)
class ShareRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "resource", "member", "department", "status", "submitted_at", "due_on")
    list_filter = ("status",)
    list_select_related = ("resource", "member", "department")


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ("pk", "resource", "member", "purpose", "expires_at", "revoked_at")
    list_select_related = ("resource", "member")


@admin.register(MemberKey)
class MemberKeyAdmin(ReadOnlyAdmin):
    list_display = ("key_id", "member", "algorithm", "valid_from", "valid_until", "revoked_at")
    list_select_related = ("member",)
    exclude = ("public_key",)


auditlabels.register(
    {
        "exchange.member.register": _("Member system registered with the exchange"),
        "exchange.member.change": _("Member system changed in the administration"),
        "exchange.member.key_issued": _("Member system key issued"),
        "exchange.member.key_retired": _("Member system key retired"),
        "exchange.member.key_revoked": _("Member system key revoked"),
        "exchange.request.submit": _("Share request submitted"),
        "exchange.grant.revoke": _("Share grant revoked"),
    }
)
