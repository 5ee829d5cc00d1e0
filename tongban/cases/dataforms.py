"""One form (一表申请): form definitions over the data-element dictionary.

A service item's form lists data elements; a bundle's form is the union of its members'
forms with every shared element asked once (required if any member requires it), in the
order the members list them. Values are validated by element type with the same
validators as registration (GB 11643 check digit, GB 32100 credit code, mobile numbers),
so an application cannot carry a number registration would refuse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import Bundle, ServiceItem
from tongban.core.identifiers import (
    mask_phone,
    mask_resident_id,
    normalise,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)

from .elements import Bounds, bounds_for, resolve_day
from .models import DataElement, DataType, DefinitionStatus, FormDefinition

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class FormField:
    """One question of a form: a data element, whether it is required, its section."""

    element: DataElement
    required: bool
    section: str = ""
    items: list[str] = field(default_factory=list)  # implementation codes asking for it

    @property
    def code(self) -> str:
        return self.element.code

    @property
    def html_name(self) -> str:
        return "f_" + self.element.code.replace(".", "__")

    @property
    def label(self) -> str:
        english = (get_language() or "").startswith("en")
        return self.element.name_en if english and self.element.name_en else self.element.name

    @property
    def hint(self) -> str:
        english = (get_language() or "").startswith("en")
        return self.element.help_text_en if english else self.element.help_text_zh

    @property
    def choice_options(self) -> list[tuple[str, str]]:
        english = (get_language() or "").startswith("en")
        return [
            (c["value"], c.get("label_en") if english and c.get("label_en") else c["label"])
            for c in self.element.choices
        ]


@dataclass
class ApplicationForm:
    """The form for one item or one bundle, with the definitions it was built from."""

    fields: list[FormField]
    versions: dict[str, int]

    def by_code(self) -> dict[str, FormField]:
        return {f.code: f for f in self.fields}


def published_form(item: ServiceItem) -> FormDefinition | None:
    return (
        FormDefinition.objects.filter(item=item, status=DefinitionStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )


def build_form(target: ServiceItem | Bundle) -> ApplicationForm:
    """The form for an item, or the de-duplicated union of a bundle's member forms."""
    if isinstance(target, Bundle):
        items = [m.item for m in target.memberships.select_related("item").order_by("sort_order")]
    else:
        items = [target]
    definitions = [(item, published_form(item)) for item in items]
    codes: list[str] = []
    for _item, definition in definitions:
        for spec in definition.fields if definition else []:
            if spec["element"] not in codes:
                codes.append(spec["element"])
    elements = {e.code: e for e in DataElement.objects.filter(code__in=codes)}
    merged: dict[str, FormField] = {}
    versions: dict[str, int] = {}
    for item, definition in definitions:
        if definition is None:
            continue
        versions[item.implementation_code] = definition.version
        for spec in definition.fields:
            element = elements.get(spec["element"])
            if element is None:
                continue
            entry = merged.get(element.code)
            if entry is None:
                entry = merged[element.code] = FormField(
                    element=element, required=False, section=spec.get("section", "")
                )
            entry.required = entry.required or bool(spec.get("required"))
            entry.items.append(item.implementation_code)
    return ApplicationForm(fields=[merged[c] for c in codes if c in merged], versions=versions)


_SCHEMA_TYPES: dict[str, dict[str, Any]] = {
    DataType.TEXT: {"type": "string"},
    DataType.LONG_TEXT: {"type": "string"},
    DataType.DATE: {"type": "string", "format": "date"},
    DataType.NUMBER: {"type": "number"},
    DataType.CHOICE: {"type": "string"},
    DataType.YES_NO: {"type": "boolean"},
    DataType.ID_NUMBER: {"type": "string", "pattern": "^[0-9]{17}[0-9X]$"},
    DataType.PHONE: {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
    DataType.USCC: {"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"},
    DataType.ADDRESS: {"type": "string"},
    DataType.EMAIL: {"type": "string", "format": "email"},
}


def _json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _schema_bounds(element: DataElement) -> dict[str, Any]:
    """The element's bounds as JSON Schema keywords (dates as ``x-earliest``/``x-latest``,
    worked out today)."""
    bounds = bounds_for(element.code, element.data_type)
    if bounds is None:
        return {}
    out: dict[str, Any] = {}
    if element.data_type == DataType.NUMBER:
        if bounds.minimum is not None:
            out["minimum"] = _json_number(bounds.minimum)
        if bounds.maximum is not None:
            out["maximum"] = _json_number(bounds.maximum)
        if bounds.places == 0:
            out["multipleOf"] = 1
        return out
    if bounds.month:
        out["pattern"] = _MONTH_RE.pattern
    today = _today()
    for key, spec in (("x-earliest", bounds.earliest), ("x-latest", bounds.latest)):
        day = resolve_day(spec, today)
        if day is not None:
            out[key] = day.strftime("%Y-%m") if bounds.month else day.isoformat()
    return out


def date_limits(element: DataElement) -> tuple[str, str]:
    """The earliest and latest plausible day of a date element, as ISO dates ("" for no
    limit): the ``min`` and ``max`` of its date input."""
    bounds = bounds_for(element.code, element.data_type)
    if bounds is None or element.data_type != DataType.DATE:
        return "", ""
    today = _today()
    earliest = resolve_day(bounds.earliest, today)
    latest = resolve_day(bounds.latest, today)
    return (earliest.isoformat() if earliest else "", latest.isoformat() if latest else "")


def json_schema(form: ApplicationForm) -> dict[str, Any]:
    """JSON Schema (2020-12) of a form, with ``x-element`` naming each data element."""
    properties: dict[str, Any] = {}
    for f in form.fields:
        prop = dict(_SCHEMA_TYPES[f.element.data_type])
        prop["title"] = f.element.name
        prop["x-element"] = f.code
        if prop["type"] == "string" and f.element.data_type != DataType.DATE:
            prop["maxLength"] = f.element.max_length
        if f.element.data_type == DataType.CHOICE:
            prop["enum"] = [c["value"] for c in f.element.choices]
        prop.update(_schema_bounds(f.element))
        properties[f.code] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": [f.code for f in form.fields if f.required],
        "additionalProperties": False,
    }


def field_message(label: str, problem: str) -> str:
    """A problem with a field's value, naming the field once: "出生日期：…"."""
    return str(_("%(field)s: %(problem)s") % {"field": label, "problem": problem})


def problem_of(label: str, message: str) -> str:
    """``message`` without the field name ``field_message`` put in front of it, for a
    page that shows the message under the field's own label."""
    prefix = field_message(label, "")
    return message[len(prefix) :] if message.startswith(prefix) else message


def _today() -> dt.date:
    return timezone.localdate()


def _plain(number: Decimal) -> str:
    """A bound as people write it: 10000000, 0.0001, 12."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_number(number: Decimal, bounds: Bounds) -> None:
    whole = bounds.places == 0
    low, high = bounds.minimum, bounds.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        values = {"min": _plain(low or Decimal(0)), "max": _plain(high or Decimal(0))}
        if low is not None and high is not None:
            message = (
                _("Enter a whole number from %(min)s to %(max)s.")
                if whole
                else _("Enter a number from %(min)s to %(max)s.")
            )
        elif low is not None:
            message = _("Enter a number of at least %(min)s.")
        else:
            message = _("Enter a number of at most %(max)s.")
        raise ValidationError(message % values)
    exponent = number.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if bounds.places is not None and places > bounds.places:
        if whole:
            raise ValidationError(_("Enter a whole number."))
        raise ValidationError(
            _("Use at most %(n)s decimal places.") % {"n": bounds.places},
        )


def _check_day(day: dt.date, bounds: Bounds, *, month: bool = False) -> None:
    today = _today()
    earliest = resolve_day(bounds.earliest, today)
    latest = resolve_day(bounds.latest, today)
    if month:
        earliest = earliest.replace(day=1) if earliest else None
        latest = latest.replace(day=1) if latest else None
    if (earliest is None or day >= earliest) and (latest is None or day <= latest):
        return
    if month:
        first = earliest.strftime("%Y-%m") if earliest else ""
        last = latest.strftime("%Y-%m") if latest else ""
        raise ValidationError(
            _("Enter a month from %(first)s to %(last)s.") % {"first": first, "last": last}
        )
    if bounds.latest == "today":
        if earliest is not None and day < earliest:
            raise ValidationError(
                _("Enter a date from %(first)s to today.") % {"first": earliest.isoformat()}
            )
        raise ValidationError(_("The date cannot be in the future."))
    raise ValidationError(
        _("Enter a date from %(first)s to %(last)s.")
        % {
            "first": earliest.isoformat() if earliest else "",
            "last": latest.isoformat() if latest else "",
        }
    )


def _clean_value(element: DataElement, raw: Any) -> Any:
    """The normalised value, or ValidationError with a message for the applicant (which
    does not name the field: ``clean_data`` does, once)."""
    kind = element.data_type
    bounds = bounds_for(element.code, kind)
    if kind == DataType.YES_NO:
        if isinstance(raw, bool):
            return raw
        if str(raw).strip().lower() in {"yes", "true", "1", "on"}:
            return True
        if str(raw).strip().lower() in {"no", "false", "0", "off"}:
            return False
        raise ValidationError(_("Choose yes or no."))
    text = normalise(str(raw)) if kind not in {DataType.LONG_TEXT} else str(raw).strip()
    if len(text) > element.max_length:
        raise ValidationError(_("Use at most %(n)s characters.") % {"n": element.max_length})
    if kind == DataType.DATE:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("Enter a date like 2026-03-15.")) from None
        if bounds is not None:
            _check_day(day, bounds)
        return day.isoformat()
    if kind == DataType.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        if bounds is not None:
            _check_number(number, bounds)
        return str(number)
    if bounds is not None and bounds.month:
        if not _MONTH_RE.match(text):
            raise ValidationError(_("Enter a month like 2026-12."))
        _check_day(dt.date(int(text[:4]), int(text[5:]), 1), bounds, month=True)
        return text
    if kind == DataType.CHOICE:
        if text not in {c["value"] for c in element.choices}:
            raise ValidationError(_("Choose one of the options."))
        return text
    if kind == DataType.ID_NUMBER:
        return validate_resident_id(text)
    if kind == DataType.PHONE:
        return validate_mobile(text)
    if kind == DataType.USCC:
        return validate_uscc(text)
    if kind == DataType.EMAIL:
        validate_email(text)
        return text
    return text


def clean_data(
    form: ApplicationForm, raw: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate ``raw`` (keyed by element code) against the form.

    Returns ``(cleaned, errors)``; ``errors`` maps element codes to messages. With
    ``partial`` (saving a draft) missing required values are not errors and invalid
    values are kept as typed so the applicant can fix them. Each message names its field
    once, in front (``field_message``); numbers and dates are held to the element's
    bounds (``elements.bounds_for``).
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in form.fields:
        value = raw.get(f.code)
        if value is None or (isinstance(value, str) and not value.strip()):
            if f.required and not partial:
                errors[f.code] = field_message(f.label, str(_("Please fill this in.")))
            continue
        try:
            cleaned[f.code] = _clean_value(f.element, value)
        except ValidationError as exc:
            errors[f.code] = field_message(f.label, " ".join(str(m) for m in exc.messages))
            if partial:
                cleaned[f.code] = str(value)[: f.element.max_length]
    return cleaned, errors


def mask_value(element: DataElement, value: Any) -> str:
    """How a value appears to someone not allowed the full personal value."""
    text = "" if value is None else str(value)
    if element.data_type == DataType.ID_NUMBER:
        return mask_resident_id(text)
    if element.data_type == DataType.PHONE:
        return mask_phone(text)
    if element.data_type == DataType.ADDRESS:
        return text[:6] + "…" if len(text) > 6 else text
    return text


def locked_values(form: ApplicationForm, user: Any) -> dict[str, Any]:
    """Personal values taken from the applicant's verified account: shown masked, never
    retyped or sent back by the browser (the service fills them in)."""
    values = prefill(form, user)
    return {
        f.code: values[f.code]
        for f in form.fields
        if f.element.personal and f.element.prefill.startswith("user.") and f.code in values
    }


def prefill(form: ApplicationForm, user: Any, organisation: Any = None) -> dict[str, Any]:
    """Values the applicant only has to confirm: from their profile and business record."""
    sources = {"user": user, "organisation": organisation}
    values: dict[str, Any] = {}
    for f in form.fields:
        source, _dot, attr = f.element.prefill.partition(".")
        obj = sources.get(source)
        if obj is None or not attr:
            continue
        value = getattr(obj, attr, None)
        if value not in (None, ""):
            values[f.code] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return values
