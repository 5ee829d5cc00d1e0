"""Readable names of audit actions (``accounts.password.reset`` → “密码已通过短信验证码重置”).

The kernel knows no app: each app registers labels for the actions it records, usually in
its ``admin.py`` (loaded with the admin):

- ``register({"licences.licence.shared": _("Licence shared"), …})`` for fixed codes;
- ``register_family("alert.", describe)`` for codes made at run time from a known prefix
  (``describe(code)`` returns a label, or None when it does not know the code);
- ``register_table_family("cases.", SUBCASE)`` for status moves audited under a name of
  their own (``move(..., audit_action=f"cases.{action}")``).

Two kinds of code are named here without any registration:

- ``<app>.<model>.admin_create|admin_change|admin_delete`` (``core.admin.AuditedAdmin``):
  from the model's verbose name;
- ``<app>.<model>.<action>`` written by ``tongban.core.transitions.move``: from the action
  labels of the model's ``Transitions`` table (found in the apps' ``transitions.py``).

``label(code)`` falls back to the code itself, so an unlabelled action still shows;
``tests`` check that every action the code base records has a label.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

Describe = Callable[[str], StrOrPromise | None]

_labels: dict[str, StrOrPromise] = {}
_families: dict[str, Describe] = {}

ADMIN_VERBS: dict[str, StrOrPromise] = {
    "create": _("%(model)s added in the administration"),
    "change": _("%(model)s changed in the administration"),
    "delete": _("%(model)s deleted in the administration"),
}


def register(labels: Mapping[str, StrOrPromise]) -> None:
    """Label the fixed action codes of ``labels`` (a code registered twice keeps the last)."""
    _labels.update({str(code): label for code, label in labels.items()})


def register_family(prefix: str, describe: Describe) -> None:
    """Label the codes starting with ``prefix`` (``"alert."``) by calling ``describe``."""
    _families[prefix] = describe


def register_table_family(prefix: str, table: Any) -> None:
    """Label ``<prefix><action>`` for each action of the ``Transitions`` table ``table``
    (for moves audited under a name of their own: ``move(..., audit_action=…)``)."""

    def describe(code: str) -> StrOrPromise | None:
        action = code.removeprefix(prefix)
        return _transition_label(table, action) if action in table.actions else None

    register_family(prefix, describe)


def families() -> list[str]:
    """The prefixes of the registered families."""
    return sorted(_families)


def _model(app_label: str, model_name: str) -> Any:
    try:
        return apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None


@cache
def _transition_tables() -> dict[str, Any]:
    """Every ``Transitions`` table of the apps' ``transitions.py``, by model label."""
    from tongban.core.transitions import Transitions

    autodiscover_modules("transitions")
    tables: dict[str, Any] = {}
    for config in apps.get_app_configs():
        module = getattr(config.module, "transitions", None)
        for value in vars(module).values() if module is not None else ():
            if isinstance(value, Transitions):
                tables[value.model._meta.label_lower] = value
    return tables


def unlabelled_moves() -> list[str]:
    """``<app>.<model>.<action>`` of every status move whose table gives no label."""
    return sorted(
        f"{model_label}.{action}"
        for model_label, table in _transition_tables().items()
        for action in table.actions
        if str(table.label(action)) == action
    )


def _transition_label(table: Any, action: str) -> StrOrPromise:
    return _("%(model)s: %(action)s") % {
        "model": table.model._meta.verbose_name,
        "action": table.label(action),
    }


def _generic(code: str) -> StrOrPromise | None:
    head, _dot, last = code.rpartition(".")
    app_label, _dot, model_name = head.partition(".")
    if not (app_label and model_name) or "." in model_name:
        return None
    if last.startswith("admin_") and last[6:] in ADMIN_VERBS:
        model = _model(app_label, model_name)
        if model is not None:
            return ADMIN_VERBS[last[6:]] % {"model": model._meta.verbose_name}
    table = _transition_tables().get(head)
    if table is not None and last in table.actions:
        return _transition_label(table, last)
    return None


def lookup(code: str) -> StrOrPromise | None:
    """The label of ``code``, or None when nobody labels it."""
    if code in _labels:
        return _labels[code]
    generic = _generic(code)
    if generic is not None:
        return generic
    for prefix in sorted(_families, key=len, reverse=True):
        if code.startswith(prefix):
            found = _families[prefix](code)
            if found is not None:
                return found
    return None


def label(code: str) -> str:
    """The label of ``code`` in the active language, or the code itself."""
    found = lookup(code)
    return str(found) if found is not None else code
