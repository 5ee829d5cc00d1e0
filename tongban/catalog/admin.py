"""Admin for the service catalogue: items with their materials, fees, steps and FAQs
inline, bundles with their member items inline, themes, quality rules and imports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalog import publishing, services
from tongban.catalog.models import (
    FAQ,
    Bundle,
    BundleMember,
    CatalogExport,
    CatalogImport,
    FeeItem,
    ItemStatus,
    Material,
    ProcessStep,
    QualityRuleSetting,
    SearchSynonym,
    ServiceItem,
    Theme,
    cycle_message,
    dependency_cycle,
)
from tongban.catalog.services import CatalogValidationError
from tongban.catalog.transitions import BUNDLE, IMPORT, ITEM
from tongban.core import auditlabels
from tongban.core.admin import AuditedAdmin
from tongban.core.classification import ClassifiedQuerySet, clearance_of
from tongban.core.errors import ServiceError
from tongban.core.models import ClassificationLevel


class MaterialInline(admin.StackedInline):
    model = Material
    extra = 0
    fields = (
        ("code", "name"), ("necessity", "form", "source"), "source_note",
        ("paper_spec", "copies"), ("blank_form", "sample"), "requirements", "can_be_waived",
        "sort_order",
    )  # fmt: skip


class FeeItemInline(admin.StackedInline):
    model = FeeItem
    extra = 0
    fields = (
        ("name", "amount_fen"), "standard", "basis", ("can_reduce", "reduce_basis"), "sort_order"
    )  # fmt: skip


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    fields = ("seq", "name", "handler", "time_limit", "result")


class FAQInline(admin.StackedInline):
    model = FAQ
    extra = 0
    fields = ("question", "answer", "sort_order")


# Addresses typed without a scheme are read as https (Django 6's default).
URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def _apply_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    change: Callable[..., Any],
    done_message: str,
) -> None:
    """Run a catalogue service on each selected row; report refusals one by one."""
    done = 0
    for obj in queryset:
        try:
            change(obj, actor=request.user)
            done += 1
        except CatalogValidationError as exc:
            text = "; ".join(f"{field}: {msg}" for field, msg in exc.findings) or str(exc)
            modeladmin.message_user(request, f"{obj}: {text}", level=messages.ERROR)
        except ServiceError as exc:  # a refused move, or someone else moved it meanwhile
            text = "; ".join(exc.messages)
            modeladmin.message_user(request, f"{obj}: {text}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"n": done})


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditedAdmin):
    """Items are edited here, but published and withdrawn only through the catalogue
    services (the actions below), which check the guide elements and quality rules."""

    list_display = (
        "name", "implementation_code", "item_type", "department", "handling_type",
        "visits_on_site", "required_assurance", "classification", "status", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "classification", "required_assurance", "item_type",
                   "handling_type", "exercise_level", "department")  # fmt: skip
    search_fields = ("name", "name_en", "basic_code", "implementation_code")
    autocomplete_fields = ("department",)
    filter_horizontal = ("themes", "regions")
    list_select_related = ("department",)
    readonly_fields = ("status", "created_at", "updated_at", "published_at", "popularity")
    inlines = (MaterialInline, FeeItemInline, ProcessStepInline, FAQInline)
    formfield_overrides = URL_FIELDS
    actions = ("publish_selected", "withdraw_selected")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceItem]:
        """Only the items this administrator's clearance reaches (data classification)."""
        queryset = cast(ClassifiedQuerySet, super().get_queryset(request))
        return queryset.visible_to(request.user)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Nobody classifies an item above their own clearance (they would lose it)."""
        if db_field.name == "classification":
            ceiling = clearance_of(request.user)
            kwargs["choices"] = [c for c in ClassificationLevel.choices if c[0] <= ceiling]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.action(description=gettext_lazy("Publish the selected items"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        _apply_each(self, request, queryset, services.publish_item, _("%(n)d items published."))

    @admin.action(description=gettext_lazy("Withdraw the selected items"))
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        _apply_each(self, request, queryset, services.withdraw_item, _("%(n)d items withdrawn."))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A published item edited into breaking the rules goes back to draft, and says why."""
        super().save_related(request, form, formsets, change)
        item = form.instance
        if item.status != ItemStatus.PUBLISHED:
            return
        problems = publishing.publish_problems(item)
        if problems:
            publishing.unpublish_invalid(item, actor=request.user)
            text = "; ".join(f"{field}: {message}" for field, message in problems)
            self.message_user(
                request,
                _("The item no longer meets the publishing rules and is now a draft: %(why)s")
                % {"why": text},
                level=messages.WARNING,
            )


class MemberChoiceField(ModelChoiceField):
    """A sibling member, named by its item (the bundle is the one being edited)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.item.name)


class BundleMemberFormSet(BaseInlineFormSet):
    """Checks the members' waits together: the rows are saved at once, so a circle may only
    show across rows (A waits for B in one row, B for A in another)."""

    def clean(self) -> None:
        super().clean()
        edges: dict[Any, Any] = {}
        names: dict[Any, str] = {}
        forms: dict[Any, Any] = {}
        deleted = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (form.instance.pk is None and not form.has_changed()):
                continue
            key = form.instance.pk or id(form)
            if data.get("DELETE"):
                deleted.add(key)
                continue
            other = data.get("depends_on")
            edges[key] = other.pk if other is not None else None
            item = data.get("item")
            names[key] = item.name if item is not None else str(key)
            forms[key] = form
        for key, other in edges.items():
            if other in deleted:
                forms[key].add_error(
                    "depends_on", _("The member this one waits for is being removed.")
                )
        circle = dependency_cycle(edges)
        if circle:
            forms[circle[0]].add_error(
                "depends_on", cycle_message([names.get(k, str(k)) for k in circle])
            )


class BundleMemberInline(admin.TabularInline):
    model = BundleMember
    formset = BundleMemberFormSet
    extra = 0
    fields = ("item", "sort_order", "depends_on")
    autocomplete_fields = ("item",)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "depends_on":
            # Only this bundle's own members (saved ones: a new row can be chosen after saving).
            match = request.resolver_match
            bundle_id = str(match.kwargs.get("object_id", "")) if match is not None else ""
            members = BundleMember.objects.select_related("item")
            kwargs["queryset"] = (
                members.filter(bundle_id=int(bundle_id)) if bundle_id.isdigit() else members.none()
            )
            kwargs["form_class"] = MemberChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Bundle)
class BundleAdmin(AuditedAdmin):
    list_display = ("name", "code", "audience", "lead_department", "promised_limit", "status")
    list_filter = ("status", "audience", "lead_department")
    search_fields = ("name", "name_en", "code")
    autocomplete_fields = ("lead_department",)
    filter_horizontal = ("partner_departments", "themes")
    list_select_related = ("lead_department",)
    readonly_fields = ("status", "popularity", "updated_at")
    inlines = (BundleMemberInline,)
    actions = ("publish_selected", "withdraw_selected")

    @admin.action(description=gettext_lazy("Publish the selected bundles"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        _apply_each(self, request, queryset, services.publish_bundle, _("%(n)d bundles published."))

    @admin.action(description=gettext_lazy("Withdraw the selected bundles"))
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        _apply_each(
            self, request, queryset, services.withdraw_bundle, _("%(n)d bundles withdrawn.")
        )


@admin.register(Theme)
class ThemeAdmin(AuditedAdmin):
    list_display = ("name", "code", "audience", "sort_order")
    list_filter = ("audience",)
    search_fields = ("name", "name_en", "code")


@admin.register(QualityRuleSetting)
class QualityRuleSettingAdmin(AuditedAdmin):
    list_display = ("code", "severity", "updated_at")
    list_filter = ("severity",)
    search_fields = ("code",)


@admin.register(CatalogImport)
class CatalogImportAdmin(AuditedAdmin):
    """Imports are made on the catalogue import page, which validates them; here they are
    only looked at (and old ones deleted)."""

    list_display = ("created_at", "file_format", "status", "processed_rows", "total_rows",
                    "created_by")  # fmt: skip
    list_filter = ("status", "file_format")
    search_fields = ("file", "created_by__username")
    list_select_related = ("created_by",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CatalogExport)
class CatalogExportAdmin(AuditedAdmin):
    """Exports are made and downloaded on the catalogue export page (which checks the
    downloader's clearance); here they are only listed (and old ones deleted)."""

    list_display = ("created_at", "file_format", "item_count", "classification", "public_only",
                    "created_by")  # fmt: skip
    list_filter = ("classification", "public_only", "file_format")
    list_select_related = ("created_by",)
    exclude = ("file",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SearchSynonym)
class SearchSynonymAdmin(AuditedAdmin):
    """The everyday words search widens to the catalogue's words (驾照 → 驾驶证)."""

    list_display = ("term", "expands_to", "note", "updated_at")
    search_fields = ("term", "expands_to", "note")


auditlabels.register(
    {
        "catalog.item.create": gettext_lazy("Service item created"),
        "catalog.item.update": gettext_lazy("Service item changed"),
        "catalog.item.unpublish_invalid": gettext_lazy("Invalid service item put back to draft"),
        "catalog.bundle.create": gettext_lazy("Bundle created"),
        "catalog.bundle.update": gettext_lazy("Bundle changed"),
        "catalog.catalogue.import": gettext_lazy("Catalogue imported"),
        "catalog.import.start": gettext_lazy("Catalogue import started"),
        "catalog.export.create": gettext_lazy("Catalogue export made"),
        "catalog.export.download": gettext_lazy("Catalogue export downloaded"),
        "catalog.export.refused": gettext_lazy("Catalogue export refused"),
        "catalog.export.download_refused": gettext_lazy("Catalogue export download refused"),
        "catalog.quality_rule.set": gettext_lazy("Catalogue quality rule set"),
    }
)
auditlabels.register_table_family("catalog.item.", ITEM)
auditlabels.register_table_family("catalog.bundle.", BUNDLE)
auditlabels.register_table_family("catalog.import.", IMPORT)
