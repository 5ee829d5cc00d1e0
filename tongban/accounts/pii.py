"""Unmasking personal data: who may see a full value, for what purpose, always audited.

Pages, lists, logs and the API show masked values (``masked_id_number``, ``masked_phone``).
The one way to get a full value for display is ``reveal(viewer, subject, field, purpose)``:
it looks the request up in ``POLICY`` (a small declarative table: purpose, who, fields) and
either returns the clear value and writes a ``pii.reveal`` audit record, or raises
``PermissionDenied`` and writes ``pii.reveal_refused``. Both records hold metadata only:
field name, purpose, subject -- never the value (PIPL Art. 51).

Who is matched against roles (``RoleAssignment``) or ``"self"`` (the subject themself, or a
person acting for the subject organisation). Department-bound rules need the department
handling the matter (``department=``, e.g. the case's department; for staff subjects their
own department is the default). Security and audit administrators have no rule: they never
see clear personal data. Code that only *uses* a value (sending an SMS, checking a
password) reads the attribute and shows nothing, so it does not go through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import Organisation, OrganisationMember, Role, User
from tongban.accounts.queries import holds_role
from tongban.core.audit import record_audit
from tongban.org.models import Department

SELF = "self"

# Purposes (stable codes, stored in audit records).
SELF_SERVICE = "self-service"  # the subject looks at their own data
CASE_HANDLING = "case-handling"  # a counter or back-office official handles the subject's case
ACCOUNT_ADMINISTRATION = "account-administration"  # correcting an account on request

PURPOSES: dict[str, Any] = {
    SELF_SERVICE: _("Looking at one's own data"),
    CASE_HANDLING: _("Handling the person's application"),
    ACCOUNT_ADMINISTRATION: _("Correcting the account on the person's request"),
}

#: Fields that can be revealed, per subject type.
FIELDS: dict[type, tuple[str, ...]] = {
    User: ("id_number", "phone"),
    Organisation: ("address",),
}

REFUSED = _("You may not see this value in full for this purpose.")


@dataclass(frozen=True)
class Rule:
    """``who`` may see ``fields`` in full for ``purpose``; ``same_department``: only with a
    role held in the department handling the matter."""

    purpose: str
    who: str
    fields: frozenset[str]
    same_department: bool = False


_PERSON = frozenset({"id_number", "phone"})

POLICY: tuple[Rule, ...] = (
    Rule(SELF_SERVICE, SELF, _PERSON | {"address"}),
    Rule(CASE_HANDLING, Role.CLERK, _PERSON | {"address"}, same_department=True),
    Rule(CASE_HANDLING, Role.REVIEWER, _PERSON | {"address"}, same_department=True),
    Rule(ACCOUNT_ADMINISTRATION, Role.SYSTEM_ADMIN, _PERSON),
)


def _is_self(viewer: User, subject: User | Organisation) -> bool:
    if isinstance(subject, User):
        return bool(viewer.pk == subject.pk)
    return OrganisationMember.objects.filter(
        organisation_id=subject.pk, user_id=viewer.pk, is_active=True
    ).exists()


def _holds(viewer: User, role: str, department: Department | None, same_department: bool) -> bool:
    if not same_department:
        return holds_role(viewer, role)
    return holds_role(viewer, role, department)


def may_reveal(
    viewer: Any,
    subject: User | Organisation,
    field: str,
    purpose: str,
    *,
    department: Department | None = None,
) -> bool:
    """Whether ``POLICY`` lets ``viewer`` see ``field`` of ``subject`` for ``purpose``."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    if field not in FIELDS.get(type(subject), ()):
        return False
    if department is None and isinstance(subject, User):
        department = subject.department
    for rule in POLICY:
        if rule.purpose != purpose or field not in rule.fields:
            continue
        if rule.who == SELF:
            if _is_self(viewer, subject):
                return True
        elif _holds(viewer, rule.who, department, rule.same_department):
            return True
    return False


def _subject_meta(subject: User | Organisation, field: str, purpose: str) -> dict[str, Any]:
    return {
        "field": field,
        "purpose": purpose,
        "subject_type": subject._meta.label_lower,
        "subject_id": subject.pk,
    }


def reveal(
    viewer: Any,
    subject: User | Organisation,
    field: str,
    purpose: str,
    *,
    department: Department | None = None,
) -> str:
    """The full value of ``field`` of ``subject`` for ``viewer``, if the policy allows.

    Writes ``pii.reveal`` (allowed) or ``pii.reveal_refused`` (then raises
    ``PermissionDenied``) with field name, purpose and subject id, never the value. An
    unknown purpose or field is refused the same way. An empty value reveals as "".
    Each record is written in its own transaction, so a refusal stays recorded although
    the caller gets an exception.
    """
    meta = _subject_meta(subject, field, purpose)
    if department is not None:
        meta["department"] = department.code
    if purpose not in PURPOSES or not may_reveal(
        viewer, subject, field, purpose, department=department
    ):
        actor = viewer if getattr(viewer, "is_authenticated", False) else None
        with transaction.atomic():
            record_audit(actor, "pii.reveal_refused", subject, meta=meta)
        raise PermissionDenied(REFUSED)
    with transaction.atomic():
        value = getattr(subject, field) or ""
        record_audit(viewer, "pii.reveal", subject, meta=meta)
    return str(value)
