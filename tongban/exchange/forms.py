"""Forms of the officials' exchange pages. The services check everything again; the forms
only turn posted text into values and keep what was entered."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
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

    confidential_until = forms.DateField(
        label=_("Legal basis confidential until"),
        help_text=_(
            "Only for an investigation or a discipline inspection whose basis must not be "
            "disclosed yet. Until this date, the people whose data your system reads do not "
            "see these reads in their data-access log; from this date on they do. Leave it "
            "empty otherwise. For example, 2027-06-30."
        ),
        required=False,
        widget=forms.DateInput(attrs={"class": "tb-input tb-input--short", "type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2027-06-30.")},
    )

    def clean_confidential_until(self) -> date | None:
        value: date | None = self.cleaned_data.get("confidential_until")
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("The disclosure date must be in the future."))
        return value

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


# --- the person's data-access log (helper "dal") -------------------------------------------


class AccessReportForm(forms.Form):
    """Why a person thinks a read of their data wrong."""

    reason = forms.CharField(
        label=_("Why you think this access was wrong"),
        help_text=_(
            "For example: you have no matter with this department, or the purpose does not "
            "match anything you applied for. At most 2000 characters."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "tb-textarea"}),
        error_messages={
            "required": _("Say why you think this access was wrong."),
            "max_length": _("At most 2000 characters."),
        },
    )


class AccessAnswerForm(forms.Form):
    """The data authority's answer to a report of an access."""

    answer = forms.CharField(
        label=_("Your answer to the person"),
        help_text=_(
            "What you found: whether the read was lawful and for what, or what was done "
            "about it. The person reads this answer in their personal space."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "tb-textarea"}),
        error_messages={
            "required": _("Write your answer to the person."),
            "max_length": _("At most 2000 characters."),
        },
    )
