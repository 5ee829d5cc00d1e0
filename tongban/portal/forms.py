"""GET forms of the portal: the search box and the catalogue filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tongban.catalog.models import Audience, HandlingType, ItemType, ProvincialLevel
from tongban.catalog.queries import ItemFilter
from tongban.portal.queries import MAX_QUERY_LENGTH, clean_query


def _any(label: StrOrPromise) -> list[tuple[str, StrOrPromise]]:
    return [("", label)]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for a service"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_("For example: business licence, birth, social insurance"),
        widget=forms.TextInput(
            attrs={"class": "tb-input", "type": "search", "autocomplete": "off"}
        ),
    )

    def clean_q(self) -> str:
        return clean_query(self.cleaned_data.get("q", ""))


class CatalogueFilterForm(SearchForm):
    """Filters of ``/services/``. Each choice lists only values that exist."""

    theme = forms.ChoiceField(label=_("Theme"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    town = forms.ChoiceField(label=_("Town or street"), required=False)
    item_type = forms.ChoiceField(label=_("Item type"), required=False)
    handling_type = forms.ChoiceField(label=_("Immediate or promised"), required=False)
    audience = forms.ChoiceField(label=_("For"), required=False)
    online = forms.BooleanField(
        label=_("Fully online only (level IV)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "tb-checkbox"}),
    )

    def __init__(
        self, *args: Any, themes: Any = (), departments: Any = (), towns: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Words")
        self.fields["q"].help_text = ""
        fields = {
            name: cast(forms.ChoiceField, self.fields[name])
            for name in ("theme", "department", "town", "item_type", "handling_type", "audience")
        }
        fields["theme"].choices = _any(_("Any theme")) + [
            (t.code, f"{t.display_name} ({t.item_count})") for t in themes
        ]
        fields["department"].choices = _any(_("Any department")) + [
            (d.code, f"{d.display_name} ({d.item_count})") for d in departments
        ]
        fields["town"].choices = _any(_("Any town or street")) + [
            (r.code, f"{r.display_name} ({r.item_count})") for r in towns
        ]
        fields["item_type"].choices = _any(_("Any type")) + list(ItemType.choices)
        fields["handling_type"].choices = [
            *_any(_("Either")),
            (HandlingType.IMMEDIATE.value, _("Immediate (same day)")),
            (HandlingType.PROMISED.value, _("Promised (within a time limit)")),
        ]
        fields["audience"].choices = _any(_("Everyone")) + list(Audience.choices)
        for field in fields.values():
            field.widget.attrs["class"] = "tb-select"

    def item_filter(self) -> ItemFilter:
        """The filters that were valid; an invalid one is reported and left out."""
        data = self.cleaned_data if self.is_bound else {}
        return ItemFilter(
            theme=data.get("theme", ""),
            department=data.get("department", ""),
            town=data.get("town", ""),
            item_type=data.get("item_type", ""),
            handling_type=data.get("handling_type", ""),
            audience=data.get("audience", ""),
            online_level=ProvincialLevel.IV if data.get("online") else None,
        )
