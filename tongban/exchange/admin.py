"""Admin pages of the exchange. The catalogue is edited here by its departments' staff with
admin rights; statuses (published, suspended, granted) change only through the services
(the admin actions below call them, audited), never by editing a field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tongban.core import auditlabels
from tongban.core.audit import record_audit

from . import adapters as _adapters
from . import services
from . import sync as _sync
from .models import (
    AccessReport,
    ConfigBundle,
    DataAccess,
    DataCorrection,
    DataItem,
    DataRecord,
    DataResource,
    DataSource,
    ExchangeEvidence,
    Grant,
    MemberKey,
    MemberSystem,
    RateWindow,
    SeenNonce,
    ShareRequest,
    SourceKind,
    SyncRun,
    SyncStatus,
)


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


# --- data sources, sync runs and records (provider adapters) -------------------------------


class DataSourceForm(forms.ModelForm):
    """Refuses a mapping to items of another resource, an unmapped key column, a file outside
    the source directory and a query that is not one SELECT, each on its field."""

    class Meta:
        model = DataSource
        fields = ("code", "resource", "kind", "location", "selector", "key_column", "mapping",
                  "interval_minutes", "enabled")  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("resource") is None:
            return data
        probe = DataSource(**{k: v for k, v in data.items() if k in self.Meta.fields})
        try:
            _sync.validate_mapping(probe)
            if probe.kind == SourceKind.SQL:
                _adapters.check_select(probe, probe.selector)
                if probe.location.strip().lower().startswith("sqlite:"):
                    _adapters.sqlite_path(probe, probe.location.strip())
            else:
                _adapters.resolve_path(probe, probe.location)
        except ValidationError as exc:
            for field, texts in exc.message_dict.items():
                for text in texts:
                    self.add_error(field if field in self.fields else None, text)
        return data


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    form = DataSourceForm
    list_display = ("code", "resource", "kind", "shown_location", "interval_minutes", "enabled",
                    "last_synced_at")  # fmt: skip
    list_filter = ("kind", "enabled")
    search_fields = ("code", "resource__code", "resource__name")
    list_select_related = ("resource",)
    readonly_fields = ("last_synced_at", "last_fingerprint")
    actions = ["sync_now"]

    @admin.display(description=_("location"))
    def shown_location(self, obj: DataSource) -> str:
        return _adapters.shown_location(obj)

    def save_model(self, request: HttpRequest, obj: DataSource, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_audit(
            request.user,
            "exchange.source.change" if change else "exchange.source.add",
            obj,
            stream="exchange",
            meta={"source": obj.code, "resource": obj.resource.code, "kind": obj.kind},
        )

    @admin.action(description=_("Sync now"), permissions=["change"])
    def sync_now(self, request: HttpRequest, queryset: QuerySet[DataSource]) -> None:
        for source in queryset.select_related("resource"):
            run = _sync.sync_source(source, actor=request.user)
            text = _(
                "%(source)s: %(status)s — %(added)s added, %(changed)s changed, "
                "%(removed)s removed, %(refused)s rows refused."
            ) % {
                "source": source.code,
                "status": run.get_status_display(),
                "added": run.added,
                "changed": run.changed,
                "removed": run.removed,
                "refused": run.refused,
            }
            if run.status == SyncStatus.FAILED:
                messages.error(request, f"{text} {run.message}")
            elif run.status == SyncStatus.PARTIAL:
                messages.warning(request, text)
            else:
                messages.success(request, text)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ("source", "started_at", "status", "rows_read", "added", "changed",
                    "unchanged", "removed", "refused")  # fmt: skip
    list_filter = ("status",)
    list_select_related = ("source",)


@admin.register(DataRecord)
class DataRecordAdmin(ReadOnlyAdmin):
    """Records show no key and no value: only where they are and when they changed."""

    list_display = ("token", "resource", "source", "updated_at", "seen_at", "removed_at")
    list_filter = ("resource",)
    list_select_related = ("resource", "source")
    fields = ("token", "resource", "source", "updated_at", "seen_at", "removed_at")
    readonly_fields = fields
    search_fields = ("token",)


auditlabels.register(
    {
        "exchange.sync": _("Data source synced"),
        "exchange.source.add": _("Data source added in the administration"),
        "exchange.source.change": _("Data source changed in the administration"),
    }
)


# --- exchange evidence and configuration bundles (P14, P20; helper "cfg") ------------------


@admin.register(ExchangeEvidence)
class ExchangeEvidenceAdmin(ReadOnlyAdmin):
    """Evidence is read here, never changed or deleted: it goes only by the retention purge
    or an early deletion two audit administrators agreed (``tongban.exchange.retention``).
    The signed bundle itself is not shown: export it with ``tongban exchange evidence``."""

    list_display = ("exchange_id", "side", "occurred_at", "member", "resource", "allowed",
                    "reason", "status_code")  # fmt: skip
    list_filter = ("side", "allowed", "reason")
    list_select_related = ("member", "resource")
    search_fields = ("exchange_id",)
    fields = ("exchange_id", "side", "occurred_at", "member", "resource", "grant", "allowed",
              "reason", "status_code", "audit_stream", "audit_seq")  # fmt: skip
    readonly_fields = fields
    actions = None


@admin.register(ConfigBundle)
class ConfigBundleAdmin(ReadOnlyAdmin):
    """Configuration bundles offered to this node, accepted or refused with the reason
    (``tongban.exchange.config``)."""

    list_display = ("serial", "outcome", "issued_at", "received_at", "signer_key_id", "reason")
    list_filter = ("outcome",)
    search_fields = ("serial", "signer_key_id", "digest")
    fields = ("serial", "outcome", "reason", "issued_at", "received_at", "signer_key_id",
              "digest", "body")  # fmt: skip
    readonly_fields = fields
    actions = None


auditlabels.register(
    {
        "exchange.config": _("Configuration bundle from the central node checked"),
        "exchange.config.export": _("Configuration bundle exported"),
        "exchange.evidence.purge": _("Exchange evidence past its retention deleted"),
        "exchange.evidence.early_deletion.request": _(
            "Early deletion of exchange evidence requested"
        ),
        "exchange.evidence.early_deletion.approve": _(
            "Early deletion of exchange evidence approved and carried out"
        ),
    }
)


# --- the gateway's bookkeeping: nonces and rate windows (read-only) -----------------------


@admin.register(SeenNonce)
class SeenNonceAdmin(admin.ModelAdmin):
    """Nonces the gateway accepted (P4); written by the gateway, purged by its job."""

    list_display = ("key_id", "expires_at")
    search_fields = ("key_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RateWindow)
class RateWindowAdmin(admin.ModelAdmin):
    """Calls counted against grants' rate limits; written by the gateway."""

    list_display = ("grant", "scope", "window_start", "count")
    list_filter = ("scope",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- data corrections (数据纠错): read-only; the record key and proposed value stay hidden ---


@admin.register(DataCorrection)
class DataCorrectionAdmin(ReadOnlyAdmin):
    """Corrections show neither the record key nor the proposed value (both encrypted):
    only who reported what about which item, and the answer."""

    list_display = ("pk", "resource", "item", "department", "status", "submitted_at", "due_on")
    list_filter = ("status",)
    list_select_related = ("resource", "item", "department")
    fields = (
        "resource", "item", "department", "reported_by", "status", "submitted_at", "due_on",
        "answered_at", "answered_by", "description", "answer",
    )  # fmt: skip
    readonly_fields = fields


# --- the person's data-access log and reports of an access (issue 14): read-only ---------


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnlyAdmin):
    """Reads of people's records through the gateway; the subject is only a keyed digest."""

    list_display = ("exchange_id", "occurred_at", "resource", "member", "department")
    list_select_related = ("resource", "member", "department")
    search_fields = ("exchange_id", "case_ref")
    fields = (
        "exchange_id", "occurred_at", "resource", "items", "member", "department",
        "official", "grant", "purpose", "legal_basis", "case_ref", "withheld_until",
    )  # fmt: skip
    readonly_fields = fields
    actions = None


@admin.register(AccessReport)
class AccessReportAdmin(ReadOnlyAdmin):
    """People's reports of a read they think wrong; answered on the officials' pages."""

    list_display = ("pk", "access", "status", "submitted_at", "due_on", "answered_at")
    list_filter = ("status",)
    fields = ("access", "reported_by", "reason", "status", "submitted_at", "due_on",
              "answered_at", "answered_by", "answer")  # fmt: skip
    readonly_fields = fields
    actions = None


auditlabels.register(
    {
        "exchange.access.report": _("Access to personal data reported as wrong"),
        "exchange.access.answer": _("Report of an access to personal data answered"),
        "exchange.access.withheld": _("Read under a confidential basis withheld from the person"),
        "exchange.evidence.export": _("Exchange evidence exported"),
        "exchange.export": _("Catalogue metadata exported"),
    }
)
