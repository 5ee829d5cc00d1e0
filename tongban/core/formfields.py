"""Form fields shared by every app's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.widgets import Widget

from tongban.core.identifiers import normalise


class IdentifierField(forms.CharField):
    """A text field for an identifier (ID number, credit code, mobile number): the value is
    brought to ``core.identifiers.normalise``'s one spelling before any check, so a number
    typed in fullwidth digits or pasted with a zero-width space passes ``max_length`` as the
    18 characters it is. The page's ``maxlength`` is left out: a browser would cut a pasted
    number short by its invisible characters, silently dropping the check character."""

    def to_python(self, value: Any) -> str:
        return normalise(super().to_python(value))

    def widget_attrs(self, widget: Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs
