from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of your messages"),
        choices=settings.LANGUAGES,
        widget=forms.Select(attrs={"class": "tb-select", "aria-describedby": "id_language-hint"}),
        help_text=_("Messages, e-mails and text messages are written in this language."),
    )
