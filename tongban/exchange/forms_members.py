"""Forms of the data authority's member-system pages. The services check everything again;
the forms turn posted text into values and keep what was entered."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.org.models import Department

from .levels import KeyProtection
from .models import CODE_RE, MemberStatus

TEXTAREA = {"rows": 3, "class": "tb-textarea"}
#: Path words under ``members/`` that a member code may not take.
RESERVED_CODES = frozenset({"register"})

DENGBAO_CHOICES = [
    (1, _("Level 1: damage to the interests of citizens or organisations")),
    (2, _("Level 2: serious damage to them, or damage to public order")),
    (3, _("Level 3: serious damage to public order, or damage to national security")),
    (4, _("Level 4: especially serious damage to public order")),
    (5, _("Level 5: especially serious damage to national security")),
]


class Radios(forms.RadioSelect):
    """Radio buttons whose group label points at the first option, so that the error
    summary's link lands on the question."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if not id_:
            return id_
        return f"{id_}_{index if index is not None else 0}"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class MemberFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *MemberStatus.choices],
        widget=forms.Select(attrs={"class": "tb-select"}),
    )


class RegisterMemberForm(forms.Form):
    department = DepartmentChoiceField(
        label=_("Department"),
        help_text=_(
            "The government department that runs the system. Public service institutions "
            "cannot be members."
        ),
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
        widget=forms.Select(attrs={"class": "tb-select"}),
        error_messages={"required": _("Choose the department that runs the system.")},
    )
    code = forms.CharField(
        label=_("System code"),
        help_text=_(
            "Lower-case letters, digits, dots, hyphens and underscores, starting with the "
            "department's code, e.g. jy.enrolment. It cannot be changed later."
        ),
        max_length=60,
        widget=forms.TextInput(
            attrs={"class": "tb-input", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(
        label=_("System name"),
        help_text=_("As the department calls it, e.g. the compulsory education enrolment system."),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
    )
    name_en = forms.CharField(
        label=_("English name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
    )
    dengbao_grade = forms.TypedChoiceField(
        label=_("Cybersecurity protection grade (MLPS)"),
        help_text=_("The grade on the system's filing certificate under GB/T 22239-2019."),
        choices=DENGBAO_CHOICES,
        coerce=int,
        widget=Radios(attrs={"class": "tb-checkbox"}),
        error_messages={"required": _("Choose the system's protection grade.")},
    )
    key_protection = forms.ChoiceField(
        label=_("How the system's signing key is kept"),
        choices=KeyProtection.choices,
        widget=Radios(attrs={"class": "tb-checkbox"}),
        error_messages={"required": _("Choose how the system's key is protected.")},
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip().lower()
        if not re.match(CODE_RE, code):
            raise forms.ValidationError(
                _("Use lower-case letters, digits, dots, hyphens and underscores.")
            )
        if code in RESERVED_CODES:
            raise forms.ValidationError(_("This code is reserved; choose another."))
        return code


class IssueKeyForm(forms.Form):
    """Issue a key. ``token`` is the one-time token the page put in the session: a form
    sent twice (a reload, a double click) issues one key."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    retire_others = forms.BooleanField(
        label=_("Retire the system's other keys now"),
        help_text=_(
            "Only when the system has already switched to the new key: calls signed with an "
            "old key are refused from now on. Otherwise retire old keys later, one by one."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "tb-checkbox"}),
    )


class MemberReasonForm(forms.Form):
    """The written reason for suspending or reactivating a system."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args: Any, label: Any = None, help_text: Any = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text
