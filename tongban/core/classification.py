"""Data classification (数据分级): which records a person may see.

Every record that is not plainly public carries a ``classification``
(``tongban.core.models.ClassificationLevel``: 1 public, 2 internal, 3 sensitive,
4 confidential). A model opts in by inheriting the abstract ``Classified`` mixin, which adds
the field and a manager whose querysets have ``visible_to(user)``; single decisions use
``can_see(user, level)``. The catalogue's service items use it now; the approval module's
cases and materials will inherit it.

The rule (docs/access-control.md, "Data classification"):

=============================================  ==============================================
who                                            sees records classified up to
=============================================  ==============================================
anonymous visitor, inactive account            PUBLIC
citizen (also acting for a business)           PUBLIC, plus every record they own
official                                       their ``clearance`` (default PUBLIC), plus
                                               records they own
holder of an administrative duty (三员:          ``min(clearance, INTERNAL)``, plus records they
system, security or audit administrator), or   own: they run the platform, they do not handle
any account of kind "admin"                    cases, so sensitive and confidential records
                                               are never theirs to read (least privilege)
superuser                                      everything, in development (``DEBUG``) only;
                                               with DEBUG off a superuser is an administrator
                                               like any other (the rule above)
=============================================  ==============================================

"Own" is model-specific: a model lists in ``OWNER_LOOKUPS`` the lookups that lead to the
owning account's id (``("applicant",)``, ``("organisation__members__user",)``); a record
reached through any of them is visible to that account whatever its level. Citizens never
gain anything from a ``clearance`` value: clearance is read for officials and
administrators only.

The kernel imports no domain module, so the user is read by duck typing: ``is_authenticated``,
``is_active``, ``is_superuser``, ``kind`` ("citizen", "official", "admin"), ``clearance`` and
the ``role_assignments`` relation (role codes). The duty codes below mirror
``tongban.accounts.models.ADMIN_DUTIES`` (a test keeps them equal).
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ClassificationLevel

__all__ = [
    "ADMIN_DUTY_CEILING",
    "ADMIN_DUTY_ROLES",
    "ClassificationLevel",
    "Classified",
    "ClassifiedQuerySet",
    "can_see",
    "classification_field",
    "clearance_of",
    "level_label",
]

#: The administrative duties (三员) whose holders are capped at ``ADMIN_DUTY_CEILING``.
ADMIN_DUTY_ROLES: frozenset[str] = frozenset({"system_admin", "security_admin", "audit_admin"})
ADMIN_DUTY_CEILING: int = ClassificationLevel.INTERNAL
HIGHEST: int = max(ClassificationLevel.values)

# Cached on the user object for the length of a request (one query for the roles).
_CACHE_ATTR = "_tb_classification_ceiling"


def _holds_admin_duty(user: Any) -> bool:
    assignments = getattr(user, "role_assignments", None)
    if assignments is None:
        return False
    return bool(assignments.filter(role__in=sorted(ADMIN_DUTY_ROLES)).exists())


def _signed_in(user: Any) -> bool:
    """An authenticated, active account."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_active", True))


def clearance_of(user: Any) -> int:
    """The highest level ``user`` may see among records they do not own (see the table).

    ``None`` or an anonymous user gives PUBLIC. The result is cached on the user object, so
    a role change shows on the next request (a fresh user object), not within one.
    """
    if not _signed_in(user):
        return ClassificationLevel.PUBLIC
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return int(cached)
    level = _compute_clearance(user)
    with contextlib.suppress(AttributeError):  # a frozen stand-in keeps no cache
        setattr(user, _CACHE_ATTR, level)
    return level


def _compute_clearance(user: Any) -> int:
    if getattr(user, "is_superuser", False) and settings.DEBUG:
        return HIGHEST
    kind = str(getattr(user, "kind", "") or "")
    declared = _valid_level(getattr(user, "clearance", ClassificationLevel.PUBLIC))
    if kind == "admin" or _holds_admin_duty(user):
        return min(declared, ADMIN_DUTY_CEILING)
    if kind == "official":
        return declared
    return ClassificationLevel.PUBLIC


def _valid_level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return ClassificationLevel.PUBLIC
    return level if level in ClassificationLevel.values else ClassificationLevel.PUBLIC


def can_see(user: Any, level: int, *, owner: bool = False) -> bool:
    """May ``user`` see a record classified ``level``? ``owner``: the record is theirs.

    An owner sees their own record at any level (a citizen's own application is theirs to
    read even when it is confidential); everyone else needs ``clearance_of(user) >= level``.
    An unknown level is treated as the highest (fail closed).
    """
    try:
        wanted = int(level)
    except (TypeError, ValueError):
        wanted = HIGHEST
    if wanted not in ClassificationLevel.values:
        wanted = HIGHEST
    if owner and _signed_in(user):
        return True
    return wanted <= clearance_of(user)


def level_label(level: int) -> str:
    """The translated name of a level ("Internal" / "内部")."""
    try:
        return str(ClassificationLevel(int(level)).label)
    except ValueError:
        return str(level)


def classification_field(**kwargs: Any) -> models.PositiveSmallIntegerField[Any, Any]:
    """A ``classification`` field (PUBLIC by default); ``kwargs`` override the options
    (a model's own ``help_text``, for example). ``Classified`` uses it."""
    options: dict[str, Any] = {
        "verbose_name": _("classification"),
        "choices": ClassificationLevel.choices,
        "default": ClassificationLevel.PUBLIC,
    }
    options.update(kwargs)
    return models.PositiveSmallIntegerField(**options)


_M = TypeVar("_M", bound=models.Model)


class ClassifiedQuerySet(models.QuerySet[_M]):
    """A queryset of a ``Classified`` model: ``visible_to(user)`` and ``highest_level()``."""

    def visible_to(self, user: Any) -> Self:
        """The records ``user`` may see: up to their clearance, plus the ones they own."""
        condition = Q(classification__lte=clearance_of(user))
        if _signed_in(user):
            for lookup in getattr(self.model, "OWNER_LOOKUPS", ()):
                condition |= Q(**{lookup: user.pk})
        filtered = self.filter(condition)
        # An owner lookup through a to-many relation can repeat rows.
        if any("__" in lookup for lookup in getattr(self.model, "OWNER_LOOKUPS", ())):
            filtered = filtered.distinct()
        return filtered

    def highest_level(self) -> int:
        """The highest classification among these records (PUBLIC when there are none)."""
        value = self.aggregate(level=Max("classification"))["level"]
        return int(value) if value is not None else ClassificationLevel.PUBLIC


class Classified(models.Model):
    """Abstract mixin: a ``classification`` field and a manager with ``visible_to``.

    Subclasses list the lookups that lead to the owning account in ``OWNER_LOOKUPS`` (empty:
    nobody owns the records, as for catalogue items). Pages and APIs read through
    ``Model.objects.visible_to(request.user)``; a single object is checked with
    ``obj.is_visible_to(user)``. Answer 404, not 403, for a record the user may not see, so
    that its existence is not revealed.
    """

    OWNER_LOOKUPS: ClassVar[tuple[str, ...]] = ()

    classification = classification_field()

    objects = ClassifiedQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_owned_by(self, user: Any) -> bool:
        """Is ``user`` reached through one of ``OWNER_LOOKUPS``?"""
        if not _signed_in(user) or self.pk is None:
            return False
        if not self.OWNER_LOOKUPS:
            return False
        condition = Q()
        for lookup in self.OWNER_LOOKUPS:
            condition |= Q(**{lookup: user.pk})
        return type(self)._default_manager.filter(condition, pk=self.pk).exists()

    def is_visible_to(self, user: Any) -> bool:
        """``can_see`` for this record, ownership included."""
        if can_see(user, self.classification):
            return True
        return can_see(user, self.classification, owner=self.is_owned_by(user))
