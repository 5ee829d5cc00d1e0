"""The catalogue as plain data: the shape shared by JSON files, spreadsheets and services.

One catalogue document is ``{"format": "tongban-catalogue", "version": 1, "themes": [...],
"items": [...], "bundles": [...]}`` (see ``docs/catalogue-format.md``). Each record is a dict
keyed by model field names; references use codes (department ``code``, theme ``code``, region
division code, item ``implementation_code``).

``clean_*`` turn loosely typed input (JSON, spreadsheet cells, form data) into the normalised
shape that ``*_to_dict`` produces from the database, so that comparing the two tells whether an
import changes anything. Problems come back as ``(path, message)`` pairs, where ``path`` is a
tuple such as ``("consult_phone",)`` or ``("materials", 2, "name")``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import (
    FAQ,
    Bundle,
    FeeItem,
    HandlingForm,
    Material,
    OnlineDepth,
    ProcessStep,
    ServiceItem,
    ServiceObject,
    Theme,
    cycle_message,
    dependency_cycle,
)
from tongban.core.identifiers import normalise, validate_uscc
from tongban.org.models import Department, Region

FORMAT_NAME = "tongban-catalogue"
FORMAT_VERSION = 1

Path = tuple[str | int, ...]
Problem = tuple[Path, Any]  # (path, translated message)

# Kinds of values in a record.
STR, INT, INT_NULL, BOOL, CHOICE, CODES, REF, REFS = (
    "str", "int", "int_null", "bool", "choice", "codes", "ref", "refs",
)  # fmt: skip


@dataclass(frozen=True)
class FieldSpec:
    """How one key of a record is read, checked and written."""

    name: str
    kind: str
    label: Any
    required: bool = False
    default: Any = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    ref: str = ""  # "department", "theme", "region" or "item" for REF/REFS
    is_url: bool = False
    ordered: bool = False  # REFS: keep the given order (bundle members) instead of sorting
    max_value: int | None = None  # INT/INT_NULL: the largest value the column holds


def _spec(model: type[models.Model], name: str, kind: str | None = None, **extra: Any) -> FieldSpec:
    f: Any = model._meta.get_field(name)
    label = getattr(f, "verbose_name", name)
    if kind is None:
        if isinstance(f, models.BooleanField):
            kind = BOOL
        elif isinstance(f, models.IntegerField):
            kind = INT_NULL if f.null else INT
        elif f.choices:
            kind = CHOICE
        else:
            kind = STR
    default = f.get_default() if kind not in (REF, REFS, CODES) else None
    if kind == CODES:
        default = []
    if kind == REFS:
        default = []
    required = False
    if kind in (STR, CHOICE):
        required = not f.blank and not f.has_default()
    elif kind == INT:
        required = not f.has_default()
    elif kind == REF:
        required = True
    choices = tuple(str(c[0]) for c in (f.choices or []))
    max_value = None
    if kind in (INT, INT_NULL):
        # The portable range Django documents for the field type (same on every database).
        max_value = BaseDatabaseOperations.integer_field_ranges[f.get_internal_type()][1]
    return FieldSpec(
        name=name,
        kind=kind,
        label=label,
        required=required,
        default=default,
        max_length=getattr(f, "max_length", None) if kind == STR else None,
        choices=extra.pop("choices", choices),
        is_url=isinstance(f, models.URLField),
        max_value=max_value,
        **extra,
    )


def _choices(enum: type[models.TextChoices]) -> tuple[str, ...]:
    return tuple(str(v) for v in enum.values)


ITEM_FIELDS: tuple[FieldSpec, ...] = (
    _spec(ServiceItem, "implementation_code"),
    _spec(ServiceItem, "name"),
    _spec(ServiceItem, "name_en"),
    _spec(ServiceItem, "basic_code"),
    _spec(ServiceItem, "item_type"),
    _spec(ServiceItem, "department", REF, ref="department"),
    _spec(ServiceItem, "exercise_level"),
    _spec(ServiceItem, "status"),
    _spec(ServiceItem, "version"),
    _spec(ServiceItem, "summary"),
    _spec(ServiceItem, "summary_en"),
    _spec(ServiceItem, "acceptance_conditions"),
    _spec(ServiceItem, "acceptance_conditions_en"),
    _spec(ServiceItem, "legal_basis"),
    _spec(ServiceItem, "legal_basis_en"),
    _spec(ServiceItem, "legal_limit"),
    _spec(ServiceItem, "legal_limit_unit"),
    _spec(ServiceItem, "legal_limit_note"),
    _spec(ServiceItem, "legal_limit_note_en"),
    _spec(ServiceItem, "promised_limit"),
    _spec(ServiceItem, "promised_limit_unit"),
    _spec(ServiceItem, "promised_limit_note"),
    _spec(ServiceItem, "promised_limit_note_en"),
    _spec(ServiceItem, "handling_type"),
    _spec(ServiceItem, "has_fee"),
    _spec(ServiceItem, "fee_basis"),
    _spec(ServiceItem, "fee_basis_en"),
    _spec(ServiceItem, "handling_forms", CODES, choices=_choices(HandlingForm)),
    _spec(ServiceItem, "visits_on_site"),
    _spec(ServiceItem, "on_site_reason"),
    _spec(ServiceItem, "on_site_reason_en"),
    _spec(ServiceItem, "location"),
    _spec(ServiceItem, "location_en"),
    _spec(ServiceItem, "hours"),
    _spec(ServiceItem, "hours_en"),
    _spec(ServiceItem, "online_depth", CODES, choices=_choices(OnlineDepth)),
    _spec(ServiceItem, "online_url"),
    _spec(ServiceItem, "mobile_url"),
    _spec(ServiceItem, "supports_appointment"),
    _spec(ServiceItem, "supports_online_payment"),
    _spec(ServiceItem, "supports_express"),
    _spec(ServiceItem, "supports_kiosk"),
    _spec(ServiceItem, "in_service_hall"),
    _spec(ServiceItem, "scope"),
    _spec(ServiceItem, "quantity_limit"),
    _spec(ServiceItem, "quantity_limit_en"),
    _spec(ServiceItem, "special_procedures"),
    _spec(ServiceItem, "special_procedures_en"),
    _spec(ServiceItem, "intermediary_services"),
    _spec(ServiceItem, "intermediary_services_en"),
    _spec(ServiceItem, "consult_phone"),
    _spec(ServiceItem, "complaint_phone"),
    _spec(ServiceItem, "service_objects", CODES, choices=_choices(ServiceObject)),
    _spec(ServiceItem, "themes", REFS, ref="theme"),
    _spec(ServiceItem, "regions", REFS, ref="region"),
    _spec(ServiceItem, "result_name"),
    _spec(ServiceItem, "result_name_en"),
    _spec(ServiceItem, "result_type"),
    _spec(ServiceItem, "result_type_en"),
    _spec(ServiceItem, "result_sample"),
    _spec(ServiceItem, "result_sample_en"),
    _spec(ServiceItem, "popularity"),
    # Added after version 1 was first published: a file without them stays importable (a new
    # item gets the default, a stored item keeps its value: see ``KEEP_WHEN_ABSENT``).
    _spec(ServiceItem, "required_assurance"),
    _spec(ServiceItem, "classification"),
)

#: Item keys that a file may leave out (or leave blank in a spreadsheet): a stored item then
#: keeps its value, so importing an old file never lowers an item's classification or the
#: identity it requires; a new item gets the field's default.
KEEP_WHEN_ABSENT: tuple[str, ...] = ("required_assurance", "classification")

# English twins (``<field>_en``) follow their field. Added after version 1 was first
# published: a file without them stays importable and leaves them blank.
MATERIAL_FIELDS: tuple[FieldSpec, ...] = tuple(
    _spec(Material, n)
    for n in (
        "code", "name", "name_en", "necessity", "form", "source", "source_note",
        "source_note_en", "paper_spec", "copies", "blank_form", "blank_form_en", "sample",
        "sample_en", "requirements", "requirements_en", "can_be_waived", "sort_order",
    )
)  # fmt: skip
FEE_FIELDS: tuple[FieldSpec, ...] = tuple(
    _spec(FeeItem, n)
    for n in (
        "name", "name_en", "standard", "standard_en", "amount_fen", "basis", "basis_en",
        "can_reduce", "reduce_basis", "reduce_basis_en", "sort_order",
    )
)  # fmt: skip
STEP_FIELDS: tuple[FieldSpec, ...] = tuple(
    _spec(ProcessStep, n)
    for n in (
        "seq", "name", "name_en", "description", "description_en", "handler", "handler_en",
        "time_limit", "time_limit_en", "standard", "standard_en", "result", "result_en",
    )
)  # fmt: skip
FAQ_FIELDS: tuple[FieldSpec, ...] = tuple(
    _spec(FAQ, n) for n in ("question", "question_en", "answer", "answer_en", "sort_order")
)
THEME_FIELDS: tuple[FieldSpec, ...] = tuple(
    _spec(Theme, n) for n in ("code", "name", "name_en", "audience", "description", "sort_order")
)
BUNDLE_FIELDS: tuple[FieldSpec, ...] = (
    _spec(Bundle, "code"),
    _spec(Bundle, "name"),
    _spec(Bundle, "name_en"),
    _spec(Bundle, "summary"),
    _spec(Bundle, "summary_en"),
    _spec(Bundle, "audience"),
    _spec(Bundle, "lead_department", REF, ref="department"),
    _spec(Bundle, "partner_departments", REFS, ref="department"),
    _spec(Bundle, "members", REFS, ref="item", ordered=True),
    _spec(Bundle, "themes", REFS, ref="theme"),
    _spec(Bundle, "promised_limit"),
    _spec(Bundle, "visits_on_site"),
    _spec(Bundle, "location"),
    _spec(Bundle, "location_en"),
    _spec(Bundle, "consult_phone"),
    _spec(Bundle, "status"),
    _spec(Bundle, "popularity"),
)

# Nested lists of an item: key -> (fields, model, ordering key of the export).
CHILDREN: dict[str, tuple[tuple[FieldSpec, ...], type[models.Model]]] = {
    "materials": (MATERIAL_FIELDS, Material),
    "fees": (FEE_FIELDS, FeeItem),
    "steps": (STEP_FIELDS, ProcessStep),
    "faqs": (FAQ_FIELDS, FAQ),
}

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "f"})


@dataclass
class Refs:
    """Codes that records may refer to, loaded once (no queries per row)."""

    departments: set[str] = field(default_factory=set)
    themes: dict[str, str] = field(default_factory=dict)  # code -> audience
    regions: set[str] = field(default_factory=set)
    items: dict[str, str] = field(default_factory=dict)  # implementation code -> status

    @classmethod
    def load(cls) -> Refs:
        return cls(
            departments=set(Department.objects.values_list("code", flat=True)),
            themes=dict(Theme.objects.values_list("code", "audience")),
            regions=set(Region.objects.values_list("code", flat=True)),
            items=dict(ServiceItem.objects.values_list("implementation_code", "status")),
        )

    def known(self, ref: str) -> Iterable[str]:
        return {
            "department": self.departments,
            "theme": self.themes,
            "region": self.regions,
            "item": self.items,
        }[ref]


def field_path(path: Path) -> str:
    """How a problem's path is shown: ``("materials", 1, "name")`` -> ``materials[2].name``."""
    if len(path) >= 2 and isinstance(path[1], int):
        rest = ".".join(str(p) for p in path[2:] if p != "")
        return f"{path[0]}[{path[1] + 1}]" + (f".{rest}" if rest else "")
    return ".".join(str(p) for p in path)


class CatalogueFormatError(Exception):
    """The file as a whole cannot be read (not JSON, wrong format name or version, …)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# Digits as typed: ASCII, or the fullwidth digits of Chinese input methods (NFKC makes them
# ASCII). Other characters that str.isdigit() accepts ("²", "①", Arabic-Indic digits) are not.
_DIGITS = re.compile(r"[0-9\uff10-\uff19]+")
# A number written with more digits than this is beyond every integer column; it is read as
# TOO_LARGE instead of converting thousands of digits.
_MAX_DIGITS = 30
TOO_LARGE = 10**_MAX_DIGITS


def digit_text(value: str) -> str | None:
    """``value`` as plain ASCII digits without leading zeros, or None if it is not digits."""
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        return None
    return unicodedata.normalize("NFKC", text).lstrip("0") or "0"


def whole_number(value: Any) -> int | None:
    """Read a whole number of 0 or more: an int (or an integral float, as spreadsheets give)
    or text of digits. Returns None for anything else: "²", "-1", "1.5", booleans. A number
    of more than 30 digits is returned as ``TOO_LARGE``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        return value if value >= 0 else None
    if not isinstance(value, str):
        return None
    digits = digit_text(value)
    if digits is None:
        return None
    return TOO_LARGE if len(digits) > _MAX_DIGITS else int(digits)


def split_multi(value: Any) -> list[Any]:
    """A list stays a list; "3^4^5" (the national multi-value style) becomes three codes."""
    if _blank(value):
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if not _blank(v)]
    return [p.strip() for p in _as_text(value).split("^") if p.strip()]


NUL_REFUSED = _("This value contains a NUL character (U+0000), which is not allowed.")


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


#: Keys holding codes and numbers that are written in many ways (fullwidth digits, pasted
#: zero-width or bidi characters): stored in core.identifiers' one spelling.
IDENTIFIER_KEYS = frozenset(
    {"implementation_code", "basic_code", "consult_phone", "complaint_phone", "members"}
)


def _clean_value(spec: FieldSpec, value: Any, refs: Refs) -> tuple[Any, Any]:
    """Return ``(clean value, error message or None)``."""
    kind = spec.kind
    if _holds_nul(value):
        # Never stored, never echoed: a NUL shown raw breaks pages, JSON and PostgreSQL.
        return spec.default, NUL_REFUSED
    if spec.name in IDENTIFIER_KEYS and value is not None:
        # Any shape becomes normalised text here, so cleaning twice changes nothing.
        if isinstance(value, list):
            value = [normalise(str(v)) for v in value]
        else:
            value = normalise(_as_text(value))
    if kind in (CODES, REFS):
        codes = [_as_text(v) for v in split_multi(value)]
        if kind == CODES:
            codes = [_pad_code(c, spec.choices) for c in codes]
            bad = [c for c in codes if c not in spec.choices]
            if bad:
                return [], _("Unknown code %(codes)s; allowed codes are %(allowed)s.") % {
                    "codes": "^".join(bad), "allowed": "^".join(spec.choices),
                }  # fmt: skip
        else:
            known = refs.known(spec.ref)
            bad = [c for c in codes if c not in known]
            if bad:
                return [], _("Unknown code %(codes)s: nothing with this code exists.") % {
                    "codes": "^".join(bad)
                }
        unique = list(dict.fromkeys(codes))
        return (unique if spec.ordered or kind == CODES else sorted(unique)), None
    if _blank(value):
        if spec.required:
            return spec.default, _("This field is required.")
        return spec.default, None
    if kind in (STR, REF):
        text = _as_text(value)
        if spec.max_length and len(text) > spec.max_length:
            return text, _("Use at most %(max)d characters (this has %(len)d).") % {
                "max": spec.max_length, "len": len(text),
            }  # fmt: skip
        if spec.is_url:
            try:
                URLValidator(schemes=["http", "https"])(text)
            except ValidationError:
                return text, _("Enter a full web address starting with http:// or https://.")
        if kind == REF and text not in refs.known(spec.ref):
            return text, _("Unknown code %(codes)s: nothing with this code exists.") % {
                "codes": text
            }
        return text, None
    if kind in (INT, INT_NULL):
        number = whole_number(value)
        if number is None:
            return spec.default, _("Enter a whole number of 0 or more.")
        if spec.max_value is not None and number > spec.max_value:
            return spec.default, _("Enter a whole number from 0 to %(max)s.") % {
                "max": spec.max_value
            }
        if spec.choices and str(number) not in spec.choices:
            return spec.default, _("Unknown code %(codes)s; allowed codes are %(allowed)s.") % {
                "codes": number, "allowed": "^".join(spec.choices),
            }  # fmt: skip
        return number, None
    if kind == BOOL:
        if isinstance(value, bool):
            return value, None
        word = _as_text(value).lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return spec.default, _("Enter yes or no.")
    # CHOICE
    code = _pad_code(_as_text(value), spec.choices)
    if code not in spec.choices:
        return spec.default, _("Unknown code %(codes)s; allowed codes are %(allowed)s.") % {
            "codes": code, "allowed": "^".join(spec.choices),
        }  # fmt: skip
    return code, None


def _pad_code(code: str, choices: Sequence[str]) -> str:
    """Spreadsheets turn "01" into 1: restore the leading zero when that names a code.

    Fullwidth digits ("０１") are read as the code too.
    """
    if code in choices:
        return code
    digits = digit_text(code)
    if digits is not None:
        for choice in choices:
            if digit_text(choice) == digits:
                return choice
    return code


def clean_record(
    raw: Mapping[str, Any], specs: Sequence[FieldSpec], refs: Refs
) -> tuple[dict[str, Any], list[Problem]]:
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in specs:
        value, error = _clean_value(spec, raw.get(spec.name), refs)
        data[spec.name] = value
        if error is not None:
            problems.append(((spec.name,), error))
    return data, problems


def implementation_code_problem(code: str) -> Any:
    """The message for an implementation code (实施编码) whose embedded credit code is
    wrong, or None.

    The national shape is ``<basic code>-<division>-<n>-<credit code of the implementing
    body>-<n>-<nn>``: an 18-character fourth part is that body's unified social credit code
    (统一社会信用代码) and must pass its check characters. Codes of another shape are
    not checked here."""
    parts = normalise(code).split("-")
    if len(parts) < 4 or len(parts[3]) != 18:
        return None
    try:
        validate_uscc(parts[3])
    except ValidationError as exc:
        message = _(
            "The credit code inside the implementation code (%(code)s) is wrong: %(reason)s"
        )
        return message % {"code": parts[3], "reason": exc.messages[0]}
    return None


def clean_item(raw: Mapping[str, Any], refs: Refs) -> tuple[dict[str, Any], list[Problem]]:
    """Normalise one item with its materials, fees, steps and FAQs."""
    data, problems = clean_record(raw, ITEM_FIELDS, refs)
    if isinstance(data.get("implementation_code"), str):
        wrong = implementation_code_problem(data["implementation_code"])
        if wrong is not None:
            problems.append((("implementation_code",), wrong))
    for key, (specs, _model) in CHILDREN.items():
        rows = raw.get(key) or []
        if not isinstance(rows, list):
            problems.append(((key,), _("Expected a list.")))
            rows = []
        cleaned: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                problems.append(((key, index, ""), _("Expected an object with fields.")))
                continue
            child, child_problems = clean_record(row, specs, refs)
            if "sort_order" in child and _blank(row.get("sort_order")):
                child["sort_order"] = index + 1
            problems.extend(((key, index, *path), msg) for path, msg in child_problems)
            cleaned.append(child)
        problems.extend(_duplicates(key, cleaned))
        if key == "steps":
            cleaned.sort(key=lambda s: s["seq"] or 0)
        else:
            cleaned = _stable_sort(cleaned)
        data[key] = cleaned
    return data, problems


def _stable_sort(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: r.get("sort_order") or 0)


def _duplicates(key: str, rows: list[dict[str, Any]]) -> list[Problem]:
    unique_field = {"materials": "code", "steps": "seq"}.get(key)
    if not unique_field:
        return []
    seen: set[Any] = set()
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        value = row.get(unique_field)
        if value in seen:
            problems.append(
                ((key, index, unique_field), _("Appears twice in the same item: %(value)s.")
                 % {"value": value})
            )  # fmt: skip
        seen.add(value)
    return problems


def clean_theme(raw: Mapping[str, Any], refs: Refs) -> tuple[dict[str, Any], list[Problem]]:
    return clean_record(raw, THEME_FIELDS, refs)


def clean_bundle(raw: Mapping[str, Any], refs: Refs) -> tuple[dict[str, Any], list[Problem]]:
    data, problems = clean_record(raw, BUNDLE_FIELDS, refs)
    if not data["members"] and not any(p[0] == ("members",) for p in problems):
        problems.append((("members",), _("A bundle needs at least one member item.")))
    dependencies, dependency_problems = clean_dependencies(
        raw.get(DEPENDENCIES), data.get("members") or []
    )
    # Left out (a file from before waits existed, or a bundle without waits): no key, and
    # the stored waits between remaining members are kept; an empty list removes them.
    if DEPENDENCIES in raw:
        data[DEPENDENCIES] = dependencies
    problems.extend(((DEPENDENCIES,), message) for message in dependency_problems)
    return data, problems


#: A bundle's key for its members' waits: "<prerequisite code>-><member code>" each, e.g.
#: the medical birth certificate before household registration (a spreadsheet cell joins
#: them with ^). Optional: left out, the stored waits are kept; an empty list removes them.
#: A member waits for at most one other member, and never in a circle.
DEPENDENCIES = "dependencies"
_ARROW = re.compile(r"\s*(?:->|→|＞|>)\s*")


def clean_dependencies(value: Any, members: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The waits of a bundle, as sorted "prerequisite->member" entries, and the problems."""
    problems: list[Any] = []
    waits: dict[str, str] = {}
    if _holds_nul(value):
        return [], [NUL_REFUSED]
    for entry in split_multi(value):
        parts = [normalise(p) for p in _ARROW.split(_as_text(entry))]
        if len(parts) != 2 or not all(parts):
            problems.append(
                _('Write each wait as "prerequisite code->member code", not "%(entry)s".')
                % {"entry": _as_text(entry)[:80]}
            )
            continue
        before, after = parts
        strangers = [c for c in (before, after) if c not in members]
        if strangers:
            problems.append(
                _("%(code)s is not a member of this bundle.") % {"code": strangers[0][:80]}
            )
        elif before == after:
            problems.append(_("A member cannot wait for itself: %(code)s.") % {"code": after})
        elif after in waits and waits[after] != before:
            problems.append(
                _("%(code)s waits for more than one member; a member waits for at most one.")
                % {"code": after}
            )
        else:
            waits[after] = before
    circle = dependency_cycle(dict(waits))
    if circle:
        problems.append(cycle_message(circle))
    return sorted(f"{before}->{after}" for after, before in waits.items()), problems


# --- From the database ----------------------------------------------------------------------


def _plain(obj: models.Model, specs: Sequence[FieldSpec]) -> dict[str, Any]:
    return {s.name: getattr(obj, s.name) for s in specs}


def item_to_dict(item: ServiceItem) -> dict[str, Any]:
    """The record of one item. Prefetch materials, fees, steps, faqs, themes and regions."""
    data: dict[str, Any] = {}
    for spec in ITEM_FIELDS:
        if spec.name == "department":
            data["department"] = item.department.code
        elif spec.name == "themes":
            data["themes"] = sorted(t.code for t in item.themes.all())
        elif spec.name == "regions":
            data["regions"] = sorted(r.code for r in item.regions.all())
        elif spec.kind == CODES:
            data[spec.name] = list(getattr(item, spec.name) or [])
        else:
            data[spec.name] = getattr(item, spec.name)
    data["materials"] = [_plain(m, MATERIAL_FIELDS) for m in item.materials.all()]
    data["fees"] = [_plain(f, FEE_FIELDS) for f in item.fees.all()]
    data["steps"] = [_plain(s, STEP_FIELDS) for s in item.steps.all()]
    data["faqs"] = [_plain(q, FAQ_FIELDS) for q in item.faqs.all()]
    return data


def theme_to_dict(theme: Theme) -> dict[str, Any]:
    return _plain(theme, THEME_FIELDS)


def bundle_to_dict(bundle: Bundle) -> dict[str, Any]:
    """Prefetch memberships__item, partner_departments and themes."""
    data: dict[str, Any] = {}
    for spec in BUNDLE_FIELDS:
        if spec.name == "lead_department":
            data[spec.name] = bundle.lead_department.code
        elif spec.name == "partner_departments":
            data[spec.name] = sorted(d.code for d in bundle.partner_departments.all())
        elif spec.name == "members":
            data[spec.name] = [m.item.implementation_code for m in bundle.memberships.all()]
        elif spec.name == "themes":
            data[spec.name] = sorted(t.code for t in bundle.themes.all())
        else:
            data[spec.name] = getattr(bundle, spec.name)
    members = {m.pk: m.item.implementation_code for m in bundle.memberships.all()}
    waits = sorted(
        f"{members[m.depends_on_id]}->{members[m.pk]}"
        for m in bundle.memberships.all()
        if m.depends_on_id in members
    )
    if waits:  # only bundles with waits carry the key (files stay as they were otherwise)
        data[DEPENDENCIES] = waits
    return data


ITEM_PREFETCH = ("materials", "fees", "steps", "faqs", "themes", "regions")
BUNDLE_PREFETCH = ("memberships__item", "partner_departments", "themes")


# A catalogue document nests at most: document > list > item > list > material > list.
MAX_DEPTH = 8


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json(fileobj: IO[bytes]) -> dict[str, Any]:
    """Read a catalogue JSON document; raise ``CatalogueFormatError`` if it is not one."""
    try:
        data = json.loads(fileobj.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueFormatError(
            _("The file is not valid JSON (%(detail)s).") % {"detail": exc}
        ) from exc
    except RecursionError as exc:
        raise CatalogueFormatError(
            _("The file is not valid JSON: lists or objects are nested too deeply.")
        ) from exc
    except ValueError as exc:  # an integer literal of more than 4,300 digits
        raise CatalogueFormatError(
            _("The file is not valid JSON: a number has too many digits.")
        ) from exc
    if _depth(data) > MAX_DEPTH:
        raise CatalogueFormatError(
            _("The file is not valid JSON: lists or objects are nested too deeply.")
        )
    check_document(data)
    return data


def check_document(data: Any) -> None:
    """Raise ``CatalogueFormatError`` unless ``data`` is a catalogue document of our version."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise CatalogueFormatError(
            _('This is not a tongban catalogue: "format" must be "%(name)s".')
            % {"name": FORMAT_NAME}
        )
    version = data.get("version")
    if "version" not in data:
        raise CatalogueFormatError(
            _('"version" is missing: it must be the number %(expected)s.')
            % {"expected": FORMAT_VERSION}
        )
    if type(version) is not int or version != FORMAT_VERSION:
        # Show the value as written in the file, so "1" (text) and 1 (a number) differ.
        found = json.dumps(version, ensure_ascii=False, default=str)
        if len(found) > 40:
            found = found[:40] + "…"
        raise CatalogueFormatError(
            _('"version" must be the number %(expected)s; this file has %(found)s.')
            % {"expected": FORMAT_VERSION, "found": found}
        )
    for key in ("themes", "items", "bundles"):
        if not isinstance(data.get(key, []), list):
            raise CatalogueFormatError(_('"%(key)s" must be a list.') % {"key": key})
