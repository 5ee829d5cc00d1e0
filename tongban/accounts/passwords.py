"""Password rules beyond Django's: nothing taken from the account's own identifiers.

Django's ``CommonPasswordValidator`` already refuses the 20,000 most common passwords
(a list drawn from breaches). ``PersonalDataPasswordValidator`` refuses a password that
contains the account's resident ID number (or its birth date or last six characters), its
mobile number (or its last eight digits) or a part of its username of four characters or
more: the first things an attacker tries (等保 身份鉴别 a, credential complexity).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SEPARATORS = re.compile(r"[\s\-_.·,/\\]+")


def _normal(text: str) -> str:
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "").lower())


def personal_parts(user: Any) -> list[str]:
    """The fragments of ``user``'s identifiers a password must not contain."""
    parts: list[str] = []
    id_number = _normal(getattr(user, "id_number", None) or "")
    if len(id_number) == 18:
        parts += [id_number, id_number[6:14], id_number[-6:]]
    phone = _normal(getattr(user, "phone", None) or "")
    if phone:
        parts += [phone, phone[-8:]]
    username = unicodedata.normalize("NFKC", getattr(user, "username", "") or "").lower()
    parts += [token for token in re.split(r"[^0-9a-z]+", username) if len(token) >= 4]
    return [part for part in parts if part]


class PersonalDataPasswordValidator:
    """Refuses passwords containing the account's ID number, phone or username parts."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        text = _normal(password)
        if any(part in text for part in personal_parts(user)):
            raise ValidationError(
                _(
                    "The password must not contain your ID number, your date of birth, your "
                    "mobile number or your username."
                ),
                code="password_has_personal_data",
            )

    def get_help_text(self) -> str:
        return _("Your password must not contain your ID number, mobile number or username.")


def password_validators() -> list[Any]:
    """The configured validators, plus ``PersonalDataPasswordValidator`` when the settings
    do not list it already (so it applies whatever AUTH_PASSWORD_VALIDATORS says)."""
    validators = list(get_default_password_validators())
    if not any(isinstance(v, PersonalDataPasswordValidator) for v in validators):
        validators.append(PersonalDataPasswordValidator())
    return validators


class FastTestArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with tiny costs, for the test suite only (``settings.TESTING``).

    Production keeps Django's defaults (100 MiB, 2 passes); the tests create hundreds of
    accounts and would otherwise spend minutes hashing. Same algorithm name, so hashes
    made here verify with the real hasher and vice versa.
    """

    time_cost = 1
    memory_cost = 256
    parallelism = 1
