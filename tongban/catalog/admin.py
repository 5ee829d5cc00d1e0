"""Admin for the service catalogue: items with their materials, fees, steps and FAQs
inline, bundles with their member items inline, themes, quality rules and imports."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from tongban.catalog.models import (
    FAQ,
    Bundle,
    BundleMember,
    CatalogImport,
    FeeItem,
    Material,
    ProcessStep,
    QualityRuleSetting,
    ServiceItem,
    Theme,
)


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


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = (
        "name", "implementation_code", "item_type", "department", "handling_type",
        "visits_on_site", "status", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "item_type", "handling_type", "exercise_level", "department")
    search_fields = ("name", "name_en", "basic_code", "implementation_code")
    autocomplete_fields = ("department",)
    filter_horizontal = ("themes", "regions")
    list_select_related = ("department",)
    readonly_fields = ("created_at", "updated_at", "published_at", "popularity")
    inlines = (MaterialInline, FeeItemInline, ProcessStepInline, FAQInline)
    formfield_overrides = URL_FIELDS


class BundleMemberInline(admin.TabularInline):
    model = BundleMember
    extra = 0
    fields = ("item", "sort_order")
    autocomplete_fields = ("item",)


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "audience", "lead_department", "promised_limit", "status")
    list_filter = ("status", "audience", "lead_department")
    search_fields = ("name", "name_en", "code")
    autocomplete_fields = ("lead_department",)
    filter_horizontal = ("partner_departments", "themes")
    list_select_related = ("lead_department",)
    readonly_fields = ("popularity", "updated_at")
    inlines = (BundleMemberInline,)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "audience", "sort_order")
    list_filter = ("audience",)
    search_fields = ("name", "name_en", "code")


@admin.register(QualityRuleSetting)
class QualityRuleSettingAdmin(admin.ModelAdmin):
    list_display = ("code", "severity", "updated_at")
    list_filter = ("severity",)
    search_fields = ("code",)


@admin.register(CatalogImport)
class CatalogImportAdmin(admin.ModelAdmin):
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
