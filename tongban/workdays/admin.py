"""Admin for the working-day calendar: every change audited and every process told.

The admin's own audit (``AuditedAdmin``) records which row changed; on top, a change to a
special day re-opens its year (a draft until confirmed again) and bumps the ``workdays``
generation through ``tongban.workdays.services``. A year's status changes only through the
"confirm" action (or the calendar page), which records who confirmed it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tongban.core.admin import AuditedAdmin
from tongban.workdays import services
from tongban.workdays.forms import SpecialDayAdminForm
from tongban.workdays.models import CalendarYear, SpecialDay


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    list_display = ("year", "status", "source", "confirmed_by", "confirmed_at", "alerted_at")
    list_filter = ("status", "source")
    ordering = ("-year",)
    actions = ("confirm_years",)
    fields = ("year", "status", "source", "confirmed_by", "confirmed_at", "alerted_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        locked = ("status", "source", "confirmed_by", "confirmed_at", "alerted_at")
        return locked if obj is None else ("year", *locked)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.years_changed_in_admin(request.user, [obj.year])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        year = obj.year
        super().delete_model(request, obj)
        services.years_changed_in_admin(request.user, [year])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        years = list(queryset.values_list("year", flat=True))
        super().delete_queryset(request, queryset)
        services.years_changed_in_admin(request.user, years)

    @admin.action(
        description=_("Confirm the official schedule of the selected years"),
        permissions=["change"],
    )
    def confirm_years(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for calendar_year in queryset:
            try:
                services.confirm_year(request.user, calendar_year.year)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, _("%(year)s confirmed.") % {"year": calendar_year.year})


@admin.register(SpecialDay)
class SpecialDayAdmin(AuditedAdmin):
    form = SpecialDayAdminForm
    list_display = ("date", "kind", "name", "name_en")
    list_filter = ("kind",)
    search_fields = ("name", "name_en")
    date_hierarchy = "date"
    ordering = ("-date",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        years = {obj.date.year}
        if change and "date" in form.changed_data and form.initial.get("date"):
            years.add(form.initial["date"].year)
        super().save_model(request, obj, form, change)
        services.days_changed_in_admin(request.user, years)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        year = obj.date.year
        super().delete_model(request, obj)
        services.days_changed_in_admin(request.user, [year])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        years = {day.year for day in queryset.values_list("date", flat=True)}
        super().delete_queryset(request, queryset)
        services.days_changed_in_admin(request.user, years)


from tongban.core import auditlabels  # noqa: E402 - appended with the audit labels

auditlabels.register(
    {
        "workdays.day_added": _("Special day added to the calendar"),
        "workdays.day_removed": _("Special day removed from the calendar"),
        "workdays.year_seeded": _("Calendar year filled in"),
        "workdays.year_opened": _("Calendar year opened"),
        "workdays.year_reopened": _("Calendar year reopened"),
        "workdays.year_confirmed": _("Calendar year confirmed"),
    }
)
