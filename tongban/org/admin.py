"""Admin for regions, departments, service halls and their windows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from tongban.core.admin import AuditedAdmin
from tongban.org.models import Department, Region, ServiceHall, ServiceWindow

# Addresses typed without a scheme are read as https (Django 6's default).
URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "level", "parent", "sort_order")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("parent",)
    ordering = ("code",)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("code", "name", "short_name", "kind", "region", "is_active", "sort_order")
    list_filter = ("kind", "is_active", "region")
    search_fields = ("code", "name", "name_en", "short_name", "uscc")
    autocomplete_fields = ("parent", "region")
    formfield_overrides = URL_FIELDS


class ServiceWindowInline(admin.TabularInline):
    model = ServiceWindow
    extra = 0
    fields = ("number", "name", "name_en", "department", "is_comprehensive", "opening_hours")
    autocomplete_fields = ("department",)


@admin.register(ServiceHall)
class ServiceHallAdmin(AuditedAdmin):
    list_display = ("name", "region", "address", "phone", "opening_hours")
    list_filter = ("region",)
    search_fields = ("name", "name_en", "address")
    autocomplete_fields = ("region",)
    inlines = (ServiceWindowInline,)


@admin.register(ServiceWindow)
class ServiceWindowAdmin(AuditedAdmin):
    list_display = ("number", "name", "hall", "department", "is_comprehensive")
    list_filter = ("is_comprehensive", "hall")
    search_fields = ("number", "name", "name_en", "hall__name", "department__name")
    autocomplete_fields = ("hall", "department")
    list_select_related = ("hall", "department")
