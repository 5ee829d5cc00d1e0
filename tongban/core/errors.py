"""The one error type of the platform's use cases, and the one way a form shows it.

Every service function raises ``ServiceError`` for input or a state that breaks a rule: a
``ValidationError`` whose ``message_dict`` maps field names (or ``"__all__"``) to messages in
the user's language. An actor without the right raises Django's ``PermissionDenied``
instead. Nothing is written when either is raised (the service's transaction rolls back).

Pages put the messages beside the fields they name with ``put_errors``; the API turns them
into problem+json with the same field names (``tongban.api.errors``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django_stubs_ext import StrOrPromise

NON_FIELD = "__all__"


class ServiceError(ValidationError):
    """Invalid input or state for a use case; ``message_dict`` maps field names to messages."""


def refuse(message: StrOrPromise, field: str = NON_FIELD) -> ServiceError:
    """A ``ServiceError`` with one message on ``field`` (raise it)."""
    return ServiceError({field: [message]})


class ErrorCollector:
    """Collects field errors so that a form shows every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = defaultdict(list)

    def add(self, field: str, error: ValidationError | StrOrPromise) -> None:
        if isinstance(error, ValidationError):
            self.by_field[field].extend(error.error_list)
        else:
            self.by_field[field].append(ValidationError(error))

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ServiceError(dict(self.by_field))


def messages_of(exc: ValidationError) -> dict[str, list[str]]:
    """``exc``'s messages by field, whether it carries a dict, a list or one message."""
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
    return {NON_FIELD: [str(m) for m in exc.messages]}


def put_errors(form: Any, exc: ValidationError, *, names: dict[str, str] | None = None) -> None:
    """Show ``exc``'s messages on ``form``: beside the field each names, else at the top.

    ``names`` maps a service's field names to the form's where they differ (an application
    form names its inputs after data elements). A field the form already shows an error on
    keeps its own message. Works on an unbound form too (a button without fields), whose
    errors are then only the service's.
    """
    if not hasattr(form, "cleaned_data"):
        form.errors  # noqa: B018 (runs full_clean, which leaves an unbound form without errors)
        form.cleaned_data = {}
    for name, messages in messages_of(exc).items():
        name = (names or {}).get(name, name)
        target = name if name in form.fields else None
        if target is not None and target in form.errors:
            continue
        for message in messages:
            form.add_error(target, message)
