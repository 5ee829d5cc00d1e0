"""Validators for Chinese identifiers.

- Resident ID number (公民身份号码), GB 11643-1999: 6-digit region code, 8-digit birth date,
  3-digit sequence (odd for men), ISO 7064 MOD 11-2 check character (0-9 or X).
- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-symbol
  alphabet (no I, O, Z, S, V), MOD 31 check character.
- Mobile numbers (11 digits starting 1[3-9]) and landlines with their area code.

Each validator raises ``django.core.exceptions.ValidationError`` with a translated message
and returns the normalised value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
# First two digits of GB/T 2260 province-level codes (mainland; 71 Taiwan, and 81/82/83 used
# in the residence permits of Hong Kong, Macao and Taiwan residents).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "  # noqa: SIM905
    "61 62 63 64 65 71 81 82 83".split()
)

# Codes that stand for a whole province-level area on an ID number: residence permits of
# Hong Kong, Macao and Taiwan residents use 810000, 820000 and 830000 (港澳台居民居住证).
WHOLE_PROVINCE_CODES = frozenset({"11", "81", "82", "83"})

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: registration authority (登记管理部门代码).
USCC_AUTHORITIES = frozenset("123456789ANY")

# [0-9], never \d: \d also matches fullwidth and other Unicode digits.
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-[0-9]{5,8}(-[0-9]{1,6})?$")


def normalise(value: str | None) -> str:
    """NFKC-fold and strip: fullwidth digits and letters typed by Chinese input methods
    (４４２０００…, ｘ) become ASCII, so one person's number has exactly one spelling."""
    return unicodedata.normalize("NFKC", value or "").strip()


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    male: bool


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def parse_resident_id(value: str) -> ResidentId:
    """Validate an 18-character resident ID number and return its parts."""
    number = normalise(value).upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."),
            code="format",
        )
    province = number[:2]
    if province not in PROVINCE_PREFIXES or (
        number[2:6] == "0000" and province not in WHOLE_PROVINCE_CODES
    ):
        raise ValidationError(_("The first six digits are not a valid region code."), code="region")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the ID number is not a real date."), code="birth_date"
        ) from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(
            _("The birth date in the ID number is out of range."), code="birth_date"
        )
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character of the ID number is wrong: please check every digit."),
            code="checksum",
        )
    return ResidentId(number, number[:6], birth, int(number[16]) % 2 == 1)


def validate_resident_id(value: str) -> str:
    return parse_resident_id(value).number


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Validate an 18-character unified social credit code; return it upper-cased."""
    code = normalise(value).upper()
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital "
                "letters other than I, O, Z, S and V."
            ),
            code="format",
        )
    if code[0] not in USCC_AUTHORITIES or not code[2:8].isdigit():
        raise ValidationError(
            _("The credit code's authority or region part is not valid."), code="structure"
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of the credit code is wrong: please check every character."),
            code="checksum",
        )
    return code


def validate_mobile(value: str) -> str:
    number = re.sub(r"[\s-]", "", normalise(value))
    if number.startswith("+86"):
        number = number[3:]
    if not MOBILE_RE.fullmatch(number):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 13 to 19."), code="mobile"
        )
    return number


def validate_landline(value: str) -> str:
    """A fixed-line or hotline number written with its area code, e.g. 0760-89817133."""
    number = normalise(value).replace("—", "-").replace("–", "-")
    if not LANDLINE_RE.fullmatch(number):
        raise ValidationError(
            _("Write the phone number with its area code, for example 0760-12345678."),
            code="landline",
        )
    return number


def validate_phone(value: str) -> str:
    """A mobile number or a landline with area code."""
    try:
        return validate_mobile(value)
    except ValidationError:
        pass
    try:
        return validate_landline(value)
    except ValidationError:
        raise ValidationError(
            _("Enter a mobile number or a landline with its area code, e.g. 0760-12345678."),
            code="phone",
        ) from None


def mask_resident_id(value: str) -> str:
    """Keep the first 6 and last 4 characters: 442000********123X."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return value[:-4] + "****" if len(value) > 4 else "****"
