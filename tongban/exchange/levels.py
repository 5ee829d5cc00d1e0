"""The assurance level (1–4) of a member system, from its 等保 grade and its key protection.

The seed asks for 对访问者分级认证、分级授权 matching the grades of the data: a system may read
items graded up to its assurance level (and, per call, no higher than the originating
official's clearance: ``decision.effective_level``). The level is set at registration by
the data authority and is the lower of two ceilings:

======================================  =======  ======================================
等保 grade (GB/T 22239-2019)             ceiling  why
======================================  =======  ======================================
1                                        1        self-protected: public data only
2                                        2        audited system: internal data
3, 4 or 5                                4        level-3 controls or more (密评 L3)
======================================  =======  ======================================

======================================  =======  ======================================
key protection                           ceiling  why
======================================  =======  ======================================
software (a key file on the server)      2        copied without trace once the host falls
hardware (UKey, TPM, crypto module)      3        not exportable, but in the system's hands
HSM (certified server crypto machine)    4        GB/T 39786 L3 key management
======================================  =======  ======================================

So confidential items (grade 4) reach only 等保 level-3 systems whose keys sit in an HSM,
and a system with a software key never reads sensitive items (grade 3).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyProtection(models.TextChoices):
    SOFTWARE = "software", _("Software key file")
    HARDWARE = "hardware", _("Hardware token or crypto module (UKey, TPM)")
    HSM = "hsm", _("Certified hardware security module (server crypto machine)")


GRADE_CEILING: dict[int, int] = {1: 1, 2: 2, 3: 4, 4: 4, 5: 4}
KEY_CEILING: dict[str, int] = {
    KeyProtection.SOFTWARE: 2,
    KeyProtection.HARDWARE: 3,
    KeyProtection.HSM: 4,
}


def assurance_level(dengbao_grade: int, key_protection: str) -> int:
    """The assurance level (1–4) of a system of ``dengbao_grade`` (1–5) whose signing key
    is protected as ``key_protection`` (a ``KeyProtection`` value): the lower of the two
    ceilings above. Raises ``ValueError`` for a grade or a protection that does not exist."""
    try:
        grade_cap = GRADE_CEILING[int(dengbao_grade)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"no such cybersecurity protection grade: {dengbao_grade!r}") from None
    try:
        key_cap = KEY_CEILING[str(key_protection)]
    except KeyError:
        raise ValueError(f"no such key protection: {key_protection!r}") from None
    return min(grade_cap, key_cap)
