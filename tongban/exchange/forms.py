"""Forms of the officials' exchange pages. The services check everything again; the forms
only turn posted text into values and keep what was entered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DataItem, DataResource, MemberSystem, ShareClass

TEXTAREA = {"rows": 3, "class": "tb-textarea"}


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search the catalogue"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "tb-input", "type": "search"}),
    )
    department = forms.ChoiceField(
        label=_("Owning department"),
        required=False,
        widget=forms.Select(attrs={"class": "tb-select"}),
    )
    share_class = forms.ChoiceField(
        label=_("Has items"),
        required=False,
        choices=[("", _("Any share class")), *ShareClass.choices],
        widget=forms.Select(attrs={"class": "tb-select"}),
    )

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All departments")), *departments]


class RequestForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Receiving system"),
        help_text=_("The system of your department that will call the exchange for this data."),
        queryset=MemberSystem.objects.none(),
        empty_label=_("Choose a system"),
        widget=forms.Select(attrs={"class": "tb-select"}),
        error_messages={"required": _("Choose the system that will receive the data.")},
    )
    items = forms.ModelMultipleChoiceField(
        label=_("Data items"),
        queryset=DataItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one field.")},
    )
    full_items = forms.ModelMultipleChoiceField(
        label=_("Personal numbers needed unmasked"),
        help_text=_("Only if the purpose needs the full number; otherwise it is masked."),
        queryset=DataItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        help_text=_(
            "What the data is used for, e.g. 'checking household registration for school places'."
        ),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis for sharing"),
        help_text=_("The law, regulation or policy and its article that allow this use."),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    duration_days = forms.IntegerField(
        label=_("Duration in days"),
        min_value=1,
        max_value=1095,
        initial=365,
        widget=forms.NumberInput(
            attrs={"class": "tb-input tb-input--short", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args: Any, resource: DataResource, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = resource.items.exclude(share_class=ShareClass.NOT_SHARED)
        choices = {
            "member": members,
            "items": items,
            "full_items": items.filter(personal_number=True),
        }
        for name, queryset in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class GrantForm(forms.Form):
    rate_per_minute = forms.IntegerField(
        label=_("Calls per minute"), min_value=1, max_value=100000, initial=60,
        widget=forms.NumberInput(attrs={"class": "tb-input tb-input--short"}),
    )  # fmt: skip
    rate_per_day = forms.IntegerField(
        label=_("Calls per day"), min_value=1, max_value=10000000, initial=10000,
        widget=forms.NumberInput(attrs={"class": "tb-input tb-input--short"}),
    )  # fmt: skip


class ReasonForm(forms.Form):
    """One written reason: a refusal, a dispute, a data authority's decision, a revocation."""

    text = forms.CharField(
        label=_("Reasons"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args: Any, label: Any = None, help_text: Any = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["text"].label = label
        self.fields["text"].help_text = help_text
