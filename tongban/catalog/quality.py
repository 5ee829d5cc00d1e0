"""Data-quality rules for service items (§1.8 of the standards notes; 浙江温州 item-QA practice).

Each rule has a code (Q01 …), a default severity, the field it names and a translated
message. Rules read plain dicts in the catalogue format (``io.json_format``), so the importer
and the save path of ``services`` share them. Administrators change a rule's severity with a
``QualityRuleSetting`` row ("error", "warning" or "off"); ``settings.CATALOG_QUALITY_DEFAULTS``
sets an installation-wide default below that.

``publish_blockers`` is separate: the eight elements every 办事指南 must show (§1.7) are always
errors when publishing, whatever the settings say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.catalog.io.json_format import ITEM_PREFETCH, item_to_dict, whole_number
from tongban.catalog.models import (
    FAQ,
    Audience,
    FeeItem,
    HandlingForm,
    HandlingType,
    ItemType,
    Material,
    MaterialNecessity,
    ProcessStep,
    ProvincialLevel,
    QualityRuleSetting,
    ServiceItem,
    ServiceObject,
    Severity,
    Theme,
    derive_provincial_level,
)
from tongban.core.identifiers import validate_landline
from tongban.core.localise import english_name, lacks_english

ItemData = Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # a Severity value: "error" or "warning"
    field: str
    message: Any  # a translated (lazy) string

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class Rule:
    code: str
    default: Severity
    field: str
    # Returns True when the item breaks the rule.
    broken: Callable[[ItemData, Mapping[str, str]], bool]
    message: Any


def _int(value: Any) -> int | None:
    """A whole number of 0 or more (digits 0-9, fullwidth too), or None."""
    return whole_number(value)


def _text(data: ItemData, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _list(data: ItemData, key: str) -> list[Any]:
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [p for p in value.split("^") if p]
    return list(value)


def _codes(data: ItemData, key: str) -> set[str]:
    return {str(v) for v in _list(data, key)}


def _true(data: ItemData, key: str) -> bool:
    value = data.get(key)
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "是"}
    return bool(value)


def _landline_bad(value: str) -> bool:
    if not value:
        return True
    try:
        validate_landline(value)
    except ValidationError:
        return True
    return False


def _fully_online_with_visits(d: ItemData, _a: Mapping[str, str]) -> bool:
    level = derive_provincial_level(sorted(_codes(d, "online_depth")))
    return level == ProvincialLevel.IV and (_int(d.get("visits_on_site")) or 0) > 0


def _visits_without_reason(d: ItemData, _a: Mapping[str, str]) -> bool:
    return (_int(d.get("visits_on_site")) or 0) > 0 and not _text(d, "on_site_reason")


def _no_visit_no_channel(d: ItemData, _a: Mapping[str, str]) -> bool:
    forms = _codes(d, "handling_forms")
    return (
        (_int(d.get("visits_on_site")) or 0) == 0
        and HandlingForm.ONLINE not in forms
        and HandlingForm.POSTAL not in forms
    )


def _fee_without_basis(d: ItemData, _a: Mapping[str, str]) -> bool:
    return _true(d, "has_fee") and not _text(d, "fee_basis")


def _fee_without_items(d: ItemData, _a: Mapping[str, str]) -> bool:
    if not _true(d, "has_fee"):
        return False
    fees = [f for f in _list(d, "fees") if isinstance(f, Mapping)]
    return not fees or any(not _text(f, "standard") or not _text(f, "basis") for f in fees)


def _free_with_payment(d: ItemData, _a: Mapping[str, str]) -> bool:
    return not _true(d, "has_fee") and _true(d, "supports_online_payment")


def _consult_phone_bad(d: ItemData, _a: Mapping[str, str]) -> bool:
    return _landline_bad(_text(d, "consult_phone"))


def _complaint_phone_bad(d: ItemData, _a: Mapping[str, str]) -> bool:
    return _landline_bad(_text(d, "complaint_phone"))


def _phones_equal(d: ItemData, _a: Mapping[str, str]) -> bool:
    consult, complaint = _text(d, "consult_phone"), _text(d, "complaint_phone")
    return bool(consult) and consult == complaint


def _immediate_mismatch(d: ItemData, _a: Mapping[str, str]) -> bool:
    limit = _int(d.get("promised_limit"))
    immediate = str(d.get("handling_type") or "") == HandlingType.IMMEDIATE
    if immediate:
        return limit not in (None, 0)
    return limit == 0


def _audience_mismatch(d: ItemData, audiences: Mapping[str, str]) -> bool:
    objects = _codes(d, "service_objects")
    if not objects:
        return False
    theme_audiences = {audiences.get(str(code)) for code in _list(d, "themes")}
    serves_person = ServiceObject.PERSON in objects
    serves_organisations = bool(objects - {ServiceObject.PERSON})
    if Audience.ENTERPRISE in theme_audiences and not serves_organisations:
        return True
    return Audience.PERSON in theme_audiences and not serves_person


def _licensing_without_faq(d: ItemData, _a: Mapping[str, str]) -> bool:
    return str(d.get("item_type") or "") == ItemType.LICENSING and not _list(d, "faqs")


def _licensing_few_steps(d: ItemData, _a: Mapping[str, str]) -> bool:
    return str(d.get("item_type") or "") == ItemType.LICENSING and len(_list(d, "steps")) < 5


def _result_without_sample(d: ItemData, _a: Mapping[str, str]) -> bool:
    return bool(_text(d, "result_name")) and not _text(d, "result_sample")


def _promised_over_statutory(d: ItemData, _a: Mapping[str, str]) -> bool:
    promised, legal = _int(d.get("promised_limit")), _int(d.get("legal_limit"))
    if promised is None or legal is None:
        return False
    same_unit = (d.get("promised_limit_unit") or "working_days") == (
        d.get("legal_limit_unit") or "working_days"
    )
    return same_unit and promised > legal


_TRANSLATED_CHILDREN: dict[str, tuple[str, ...]] = {
    "materials": Material.TRANSLATED,
    "fees": FeeItem.TRANSLATED,
    "steps": ProcessStep.TRANSLATED,
    "faqs": FAQ.TRANSLATED,
}


def _untranslated(record: Mapping[str, Any], fields: tuple[str, ...]) -> bool:
    return any(lacks_english(record.get(f), record.get(english_name(f))) for f in fields)


def _english_missing(d: ItemData, _a: Mapping[str, str]) -> bool:
    if _untranslated(d, ServiceItem.TRANSLATED):
        return True
    for key, fields in _TRANSLATED_CHILDREN.items():
        if any(isinstance(r, Mapping) and _untranslated(r, fields) for r in _list(d, key)):
            return True
    return False


E, W, OFF = Severity.ERROR, Severity.WARNING, Severity.OFF

RULES: tuple[Rule, ...] = (
    Rule("Q01", E, "visits_on_site", _fully_online_with_visits,
         _("A fully online item (level IV) must need no visit on site.")),
    Rule("Q02", E, "on_site_reason", _visits_without_reason,
         _("Say why the applicant must come in person when visits on site are more than 0.")),
    Rule("Q03", E, "handling_forms", _no_visit_no_channel,
         _("With no visit on site and no online handling, the handling forms must include "
           "post or courier.")),
    Rule("Q04", E, "fee_basis", _fee_without_basis,
         _("An item that charges a fee needs the fee basis.")),
    Rule("Q05", E, "fees", _fee_without_items,
         _("An item that charges a fee needs at least one fee item, each with its standard "
           "and basis.")),
    Rule("Q06", E, "supports_online_payment", _free_with_payment,
         _("A free item cannot offer online payment.")),
    Rule("Q07", E, "consult_phone", _consult_phone_bad,
         _("Enter the consultation phone with its area code, for example 0760-12345678.")),
    Rule("Q08", E, "complaint_phone", _complaint_phone_bad,
         _("Enter the complaint phone with its area code, for example 0760-12345678.")),
    Rule("Q09", E, "complaint_phone", _phones_equal,
         _("The complaint phone must differ from the consultation phone.")),
    Rule("Q10", W, "handling_type", _immediate_mismatch,
         _("An immediate item has a promised time limit of 0, and an item promised in 0 "
           "days is an immediate item.")),
    Rule("Q11", W, "themes", _audience_mismatch,
         _("The themes do not match the service objects (for example an item only for "
           "individuals under a business theme).")),
    Rule("Q12", W, "faqs", _licensing_without_faq,
         _("An administrative licensing item needs at least one frequently asked question.")),
    Rule("Q13", W, "steps", _licensing_few_steps,
         _("An administrative licensing item needs at least 5 process steps (acceptance, "
           "review, approval, completion, delivery).")),
    Rule("Q14", W, "result_sample", _result_without_sample,
         _("An item with a result needs a sample of that result.")),
    Rule("Q15", E, "promised_limit", _promised_over_statutory,
         _("The promised time limit cannot exceed the statutory time limit.")),
    # Off by default: a city decides whether it publishes its guides in English.
    Rule("Q16", OFF, "name_en", _english_missing,
         _("Some texts of this item have no English translation, so English pages show "
           "them in Chinese. Fill in the English fields (marked “English”).")),
)  # fmt: skip

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule_severities() -> dict[str, str]:
    """The effective severity of every rule: setting row > settings default > rule default."""
    configured = getattr(settings, "CATALOG_QUALITY_DEFAULTS", {}) or {}
    result = {rule.code: str(configured.get(rule.code, rule.default)) for rule in RULES}
    for code, severity in QualityRuleSetting.objects.values_list("code", "severity"):
        if code in result:
            result[code] = severity
    return result


def theme_audiences(codes: list[str] | None = None) -> dict[str, str]:
    qs = Theme.objects.all() if codes is None else Theme.objects.filter(code__in=codes)
    return dict(qs.values_list("code", "audience"))


def check_item(
    item_data: ItemData,
    *,
    audiences: Mapping[str, str] | None = None,
    severities: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Run every rule that is not off on one item record; return its findings.

    ``audiences`` maps theme codes to their audience and ``severities`` rule codes to
    severities; both are read from the database when not given (pass them when checking
    many items).
    """
    if audiences is None:
        audiences = theme_audiences([str(c) for c in _list(item_data, "themes")])
    if severities is None:
        severities = rule_severities()
    findings: list[Finding] = []
    for rule in RULES:
        severity = severities.get(rule.code, rule.default)
        if severity == Severity.OFF:
            continue
        if rule.broken(item_data, audiences):
            findings.append(Finding(rule.code, str(severity), rule.field, rule.message))
    return findings


# The eight 办事指南 elements of the 2015 website census (§1.7): (code, field, message).
GUIDE_ELEMENTS: tuple[tuple[str, str, Any], ...] = (
    ("G01", "name", _("The guide needs the item name.")),
    ("G02", "legal_basis", _("The guide needs the legal basis.")),
    ("G03", "acceptance_conditions", _("The guide needs the acceptance conditions.")),
    ("G04", "materials", _("The guide needs at least one required material.")),
    ("G05", "location", _("The guide needs the place where it is handled.")),
    ("G06", "hours", _("The guide needs the opening hours.")),
    ("G07", "consult_phone", _("The guide needs a consultation phone.")),
    ("G08", "steps", _("The guide needs the process steps.")),
)


def _has_required_material(data: ItemData) -> bool:
    """True if a material is required (a material without a necessity is required)."""
    return any(
        isinstance(m, Mapping)
        and str(m.get("necessity") or MaterialNecessity.REQUIRED) == MaterialNecessity.REQUIRED
        for m in _list(data, "materials")
    )


def publish_blockers(item: ServiceItem | ItemData) -> list[Finding]:
    """What stops an item from being published: any of the eight guide elements missing."""
    data: ItemData
    if isinstance(item, ServiceItem):
        if item.pk:
            item = ServiceItem.objects.prefetch_related(*ITEM_PREFETCH).get(pk=item.pk)
        data = item_to_dict(item)
    else:
        data = item
    findings = []
    for code, field_name, message in GUIDE_ELEMENTS:
        value = data.get(field_name)
        if field_name == "materials":
            missing = not _has_required_material(data)
        elif isinstance(value, list | tuple):
            missing = not value
        else:
            missing = not _text(data, field_name)
        if missing:
            findings.append(Finding(code, Severity.ERROR, field_name, message))
    return findings
