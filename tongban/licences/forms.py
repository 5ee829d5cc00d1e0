"""Forms of the licence pages: paste a payload, change a status, record a legacy licence."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LicenceType
from .payload import MAX_PAYLOAD_CHARS


class VerifyForm(forms.Form):
    p = forms.CharField(
        label=_("Licence code"),
        max_length=MAX_PAYLOAD_CHARS,
        help_text=_(
            "Scan the QR code on the licence with your phone's camera, or paste the text it "
            "contains (the part after p= in the address)."
        ),
        widget=forms.Textarea(
            attrs={"rows": 4, "class": "tb-textarea", "spellcheck": "false", "autocomplete": "off"}
        ),
    )


STATUS_ACTIONS = (
    ("suspend", _("Suspend")),
    ("reinstate", _("Reinstate")),
    ("revoke", _("Revoke")),
)


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Change"),
        choices=STATUS_ACTIONS,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_("The holder and anyone who verifies the licence see this reason."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "tb-textarea"}),
    )


class LegacyIssueForm(forms.Form):
    """A licence from the paper register: the holder and one field per face field."""

    holder_id = forms.CharField(
        label=_("Holder's ID number or credit code"),
        max_length=18,
        widget=forms.TextInput(attrs={"class": "tb-input", "autocomplete": "off"}),
    )
    holder_name = forms.CharField(
        label=_("Holder's name"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
    )
    issued_on = forms.DateField(
        label=_("Issued on"),
        widget=forms.DateInput(attrs={"type": "date", "class": "tb-input"}),
    )

    def __init__(self, licence_type: LicenceType, *args: Any, english: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.licence_type = licence_type
        for spec in licence_type.fields():
            label = spec["label_en"] if english and spec["label_en"] else spec["label"]
            self.fields[f"face_{spec['key']}"] = forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                widget=forms.TextInput(attrs={"class": "tb-input"}),
            )

    def face(self) -> dict[str, str]:
        return {
            spec["key"]: self.cleaned_data.get(f"face_{spec['key']}", "")
            for spec in self.licence_type.fields()
        }
