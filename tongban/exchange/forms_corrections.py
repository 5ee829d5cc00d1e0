"""Forms of the data-correction pages (数据纠错). The services check everything again; the
forms only turn posted text into values and keep what was entered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .corrections import KEY_MAX, TEXT_MAX, VALUE_MAX
from .forms import TEXTAREA
from .models import CorrectionStatus, DataItem


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ReportForm(forms.Form):
    item = ItemChoiceField(
        label=_("Data item with the wrong value"),
        queryset=DataItem.objects.none(),
        empty_label=_("Choose a data item"),
        widget=forms.Select(attrs={"class": "tb-select"}),
        error_messages={"required": _("Choose the data item whose value is wrong.")},
    )
    record_key = forms.CharField(
        label=_("Record key"),
        help_text=_(
            "What identifies the record in this resource, e.g. the ID number or the unified "
            "social credit code."
        ),
        max_length=KEY_MAX,
        widget=forms.TextInput(attrs={"class": "tb-input", "autocomplete": "off"}),
        error_messages={"required": _("Give the key of the record whose value is wrong.")},
    )
    description = forms.CharField(
        label=_("What is wrong"),
        help_text=_("What you saw, where, and why you think it is wrong."),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Say what is wrong with the value.")},
    )
    proposed_value = forms.CharField(
        label=_("The right value, if you know it"),
        required=False,
        max_length=VALUE_MAX,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = items


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the check"),
        choices=[
            (CorrectionStatus.CORRECTED, _("Yes: we corrected it")),
            (CorrectionStatus.REJECTED, _("No: the value is right")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the value was corrected or is right.")},
    )
    answer = forms.CharField(
        label=_("Your answer"),
        help_text=_(
            "If corrected: what was changed, and where. If the value is right: why it stands "
            "(the record or document it rests on). The reporting department reads this."
        ),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Give your answer.")},
    )
    fix_record = forms.BooleanField(
        label=_("Also change the value held on this platform now"),
        required=False,
    )
    new_value = forms.CharField(
        label=_("New value held here"),
        required=False,
        max_length=VALUE_MAX,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Say why the report is withdrawn.")},
    )
