"""Forms of the calendar page and the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.workdays.models import DayKind, SpecialDay


class SpecialDayForm(forms.Form):
    """Add one holiday or make-up working day to the year shown."""

    date = forms.DateField(
        label=_("Date"),
        help_text=_("For example 2027-02-06."),
        widget=forms.DateInput(attrs={"type": "date", "class": "tb-input"}),
        error_messages={"required": _("Enter the date."), "invalid": _("Enter a real date.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of day"),
        choices=DayKind.choices,
        widget=forms.Select(attrs={"class": "tb-select"}),
        error_messages={
            "required": _("Choose whether the day is a holiday or a make-up working day.")
        },
    )
    name = forms.CharField(
        label=_("Name (Chinese)"),
        help_text=_(
            "As in the State Council notice. Make-up working days take the name of their holiday."
        ),
        max_length=60,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
        error_messages={"required": _("Enter the name of the holiday in Chinese.")},
    )
    name_en = forms.CharField(
        label=_("Name (English)"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
    )


class SpecialDayAdminForm(forms.ModelForm):
    class Meta:
        model = SpecialDay
        fields = ("date", "kind", "name", "name_en")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, kind = data.get("date"), data.get("kind")
        if kind == DayKind.MAKEUP_WORKDAY and day is not None and day.weekday() < 5:
            self.add_error("date", _("A make-up working day must be a Saturday or a Sunday."))
        return data
