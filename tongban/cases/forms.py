"""Django forms for the application pages and the officials' actions.

The application form is built at request time from the item's (or bundle's) form
definition, so ``includes/field.html`` and the error summary work as on every other page;
values are validated by ``dataforms.clean_data`` in the service layer, whose messages
are put back on the fields here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.core.errors import ServiceError, messages_of, put_errors
from tongban.org.models import Department

from .dataforms import ApplicationForm, FormField, date_limits, problem_of
from .models import DataType, PauseKind


def _form_field(f: FormField) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": False, "help_text": f.hint}
    kind = f.element.data_type
    if kind == DataType.LONG_TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4, "class": "tb-textarea"}), **common
        )
    if kind == DataType.DATE:
        date_attrs = {"type": "date", "class": "tb-input"}
        earliest, latest = date_limits(f.element)
        if earliest:
            date_attrs["min"] = earliest
        if latest:
            date_attrs["max"] = latest
        return forms.CharField(widget=forms.DateInput(attrs=date_attrs), **common)
    if kind == DataType.CHOICE:
        return forms.ChoiceField(
            choices=[("", _("Choose…")), *f.choice_options],
            widget=forms.Select(attrs={"class": "tb-select"}),
            **common,
        )
    if kind == DataType.YES_NO:
        return forms.ChoiceField(
            choices=[
                ("yes", pgettext_lazy("answer", "Yes")),
                ("no", pgettext_lazy("answer", "No")),
            ],
            widget=forms.RadioSelect,
            **common,
        )
    attrs: dict[str, str] = {"autocomplete": "off", "class": "tb-input"}
    if kind in {DataType.ID_NUMBER, DataType.PHONE, DataType.NUMBER}:
        attrs["inputmode"] = "numeric" if kind != DataType.ID_NUMBER else "text"
        attrs["spellcheck"] = "false"
    if kind == DataType.EMAIL:
        attrs["inputmode"] = "email"
    return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)


class ApplicationDjangoForm(forms.Form):
    """Fields named ``f_<element code with __ for dots>``; required marks come from the
    definition (shown in the label, enforced by the service on submission)."""

    def __init__(
        self,
        app_form: ApplicationForm,
        *args: Any,
        locked: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.app_form = app_form
        self.locked = locked or {}
        for f in app_form.fields:
            if f.code in self.locked:
                continue
            field = _form_field(f)
            field.required = False
            field.widget.is_required = False
            self.fields[f.html_name] = field
            self.fields[f.html_name].tb_required = f.required  # type: ignore[attr-defined]

    def raw_values(self) -> dict[str, Any]:
        """Element code -> the value as typed (validation is the service's job)."""
        values: dict[str, Any] = dict(self.locked)
        for f in self.app_form.fields:
            if f.code in self.locked:
                continue
            value = self.data.get(self.add_prefix(f.html_name), "")
            values[f.code] = value.strip() if isinstance(value, str) else value
        return values

    def put_errors(self, errors: ValidationError | dict[str, Any]) -> None:
        """A service's errors (keyed by element code) beside the inputs they name.

        The service's messages name their field ("出生日期：…"); beside an input, under its
        label, and in the error summary, which puts the label in front, the name is left
        out, so every line names its field once. A field the applicant cannot edit (taken
        from their verified account) keeps the name: its message is shown at the top.
        """
        if isinstance(errors, ValidationError):
            errors = messages_of(errors)
        fields = self.app_form.by_code()
        shown: dict[str, list[str]] = {}
        for code, value in errors.items():
            msgs = [str(m) for m in (value if isinstance(value, list) else [value])]
            f = fields.get(code)
            if f is not None and f.html_name in self.fields:
                msgs = [problem_of(f.label, m) for m in msgs]
            shown[code] = msgs
        put_errors(self, ServiceError(shown), names={c: f.html_name for c, f in fields.items()})

    @staticmethod
    def initial_from(app_form: ApplicationForm, values: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for f in app_form.fields:
            if f.code not in values:
                continue
            value = values[f.code]
            if f.element.data_type == DataType.YES_NO and isinstance(value, bool):
                value = "yes" if value else "no"
            initial[f.html_name] = value
        return initial


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Reason or opinion"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "tb-textarea"}),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis of the decision"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "tb-input"}),
        help_text=_("Required when refusing or not accepting: the law and article."),
    )
    corrections = forms.CharField(
        label=_("What to correct"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "tb-textarea"}),
        help_text=_(
            "One line per material, all at once: the material's full name as listed, a colon, "
            "what is missing or wrong. The applicant is asked for exactly the materials named; "
            "a line without a colon asks for anything else."
        ),
    )
    department = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Department.objects.order_by("code"),
        required=False,
        widget=forms.Select(attrs={"class": "tb-select"}),
    )
    pause_kind = forms.ChoiceField(
        label=_("Special procedure"),
        required=False,
        choices=[("", _("Choose…"))]
        + [(k.value, k.label) for k in PauseKind if k != PauseKind.CORRECTION],
        widget=forms.Select(attrs={"class": "tb-select"}),
    )

    def correction_lines(self) -> list[dict[str, str]]:
        lines = []
        for raw in (self.cleaned_data.get("corrections") or "").splitlines():
            raw = raw.strip()
            if not raw:
                continue
            # The first colon, full-width or not, ends the material's name.
            cut = min((i for i in (raw.find("："), raw.find(":")) if i >= 0), default=-1)
            material, reason = (raw[:cut], raw[cut + 1 :]) if cut >= 0 else ("", raw)
            lines.append({"material": material.strip()[:200], "reason": reason.strip()[:500]})
        return lines


class StatusLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=32,
        help_text=_("As printed on your receipt, e.g. 442000-20261128-000123-4"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "tb-input"}
        ),
    )
    code = forms.CharField(
        label=_("Query code"),
        max_length=8,
        help_text=_("The 6 characters under the case number on your receipt."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "tb-input"}
        ),
    )


class WithdrawForm(forms.Form):
    """The confirmation step of withdrawing an application: an optional reason."""

    reason = forms.CharField(
        label=_("Why are you withdrawing it?"),
        required=False,
        max_length=2000,
        help_text=_("The departments handling your application will see this."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "tb-textarea"}),
    )
