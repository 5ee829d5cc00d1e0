"""Chinese identifiers: one normalisation, the check characters and validators.

- Resident ID number (公民身份号码), GB 11643-1999: 6-digit region code, 8-digit birth date,
  3-digit sequence (odd for men), ISO 7064 MOD 11-2 check character (0-9 or X).
- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-symbol
  alphabet (no I, O, Z, S, V), MOD 31 check character; characters 9 to 17 are an
  organisation code (组织机构代码, GB 11714) with its own MOD 11 check character.
- Division codes (行政区划代码, GB/T 2260) and the town-level statistical codes built on them.
- Mobile numbers (11 digits starting 1[3-9]) and landlines with their area code.

The arithmetic comes from python-stdnum (``stdnum.cn.ric``, ``stdnum.cn.uscc``,
``stdnum.iso7064``, ``stdnum.luhn``) and its historical GB/T 2260 table (``cn/loc``); what
stays ours is the normalisation, the translated messages and the error codes other code
relies on (docs/adr/0008-identifiers.md). No check-digit arithmetic lives anywhere else.

Each validator raises ``django.core.exceptions.ValidationError`` with a translated message
and one of the codes ``format``, ``region``, ``birth_date``, ``checksum``, ``structure``
(``mobile``, ``landline``, ``phone`` for phone numbers), and returns the normalised value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn, numdb
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2, mod_37_36

# Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证) carry
# 810000, 820000 and 830000 in place of a county; stdnum's table lacks 830000.
RESIDENCE_PERMIT_CODES = frozenset({"810000", "820000", "830000"})

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# First character: registration authority (登记管理部门代码).
USCC_AUTHORITIES = frozenset("123456789ANY")
# GB 11714: weights of the eight body characters of an organisation code; letters count
# A=10 … Z=35, like digits of base 36.
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# [0-9], never \d: \d also matches fullwidth and other Unicode digits.
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-[0-9]{5,8}(-[0-9]{1,6})?$")

# Characters that are invisible on screen but make two spellings of one number: zero-width
# space, non-joiner and joiner, word joiner, byte-order mark, and the bidirectional
# controls (marks, embeddings, overrides, isolates, the Arabic letter mark). They arrive
# with text pasted from web pages, chat apps and PDFs.
INVISIBLE_CHARACTERS = (
    "\u200b\u200c\u200d\u2060\ufeff"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE_CHARACTERS))


def normalise(value: str | None) -> str:
    """The one spelling of an identifier as typed or pasted.

    NFKC folds the fullwidth digits and letters of Chinese input methods (４４２０００…, ｘ)
    to ASCII; zero-width characters and bidi controls are removed; surrounding white space
    is trimmed. Every identifier validator starts here, and so do the blind-index digests
    (core.crypto.fields), so one number has one digest. Raises nothing.
    """
    return unicodedata.normalize("NFKC", value or "").translate(_DROP_INVISIBLE).strip()


# --- check characters ----------------------------------------------------------------------


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits: 0-9 or X.

    Raises ``ValueError`` if ``first17`` holds anything but digits."""
    return mod_11_2.calc_check_digit(first17)


def uscc_check_char(first17: str) -> str:
    """The GB 32100 (MOD 31) check character of the first 17 credit-code characters.

    Raises ``ValueError`` on a character outside the 31-symbol alphabet."""
    return uscc.calc_check_digit(first17)


def organisation_code_check_char(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body: 0-9 or X.

    python-stdnum has no GB 11714 module, so this one rule is written here.
    Raises ``ValueError`` unless ``body`` is 8 digits or capital letters."""
    if len(body) != 8 or any(c not in BASE36 for c in body):
        raise ValueError(f"not an organisation code body: {body!r}")
    total = sum(BASE36.index(c) * w for c, w in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def luhn_check_digit(digits: str) -> str:
    """The Luhn check digit of ``digits`` (case numbers): catches one wrong digit and most
    swaps of neighbours. Raises ``ValueError`` on a non-digit."""
    return luhn.calc_check_digit(digits)


def mod_37_36_check_char(body: str) -> str:
    """The ISO 7064 MOD 37,36 check character of ``body`` (digits and capital letters;
    licence numbers): catches every single wrong character and most swaps of neighbours.
    Raises ``ValueError`` on another character."""
    return mod_37_36.calc_check_digit(body)


def complete_uscc(prefix: str, region: str, organisation_body: str) -> str:
    """A credit code from its parts: authority and category (2 characters), a 6-digit
    region, an 8-character organisation code body; both check characters are appended.

    Raises ``ValueError`` if a part has the wrong length or characters."""
    if len(prefix) != 2 or len(region) != 6 or not region.isdigit():
        raise ValueError(f"not credit-code parts: {prefix!r}, {region!r}")
    first17 = prefix + region + organisation_body + organisation_code_check_char(organisation_body)
    return first17 + uscc_check_char(first17)


def complete_resident_id(first17: str) -> str:
    """``first17`` with its check character appended. Raises ``ValueError`` on non-digits."""
    return first17 + resident_id_check_char(first17)


# --- division codes (GB/T 2260) --------------------------------------------------------------


@dataclass(frozen=True)
class DivisionName:
    """One name a 6-digit code has carried, with the years it was in use (None: open)."""

    name: str
    start: int | None
    end: int | None


# The table ships with stdnum, so it is read once per process and never changes.
@lru_cache(maxsize=4096)
def division_names(code: str) -> tuple[DivisionName, ...]:
    """Every name the 6-digit GB/T 2260 ``code`` has carried since 1980, from python-stdnum's
    table (``cn/loc``); empty for a code that never existed. Raises nothing.

    The table marks years as ``[-2010]崇文区`` (abolished 2010) or ``[1997-]通州区``; a code
    reused for another county holds several names."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return ()
    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "county" not in parts[-1][1]:
        return ()
    names = []
    for entry in parts[-1][1]["county"].split(","):
        start = end = None
        if entry.startswith("["):
            years, entry = entry[1:].split("]", 1)
            first, last = years.split("-")
            start, end = (int(first) if first else None), (int(last) if last else None)
        names.append(DivisionName(entry, start, end))
    return tuple(names)


def division_existed(code: str) -> bool:
    """Whether the 6-digit ``code`` is a GB/T 2260 code that was ever in use, abolished
    counties included. Raises nothing."""
    return bool(division_names(code))


def division_is_current(code: str) -> bool:
    """Whether the 6-digit ``code`` is in today's GB/T 2260 table (a name without an end
    year). Raises nothing."""
    return any(name.end is None for name in division_names(code))


def validate_current_region_code(value: str) -> str:
    """Validate a division code the platform assigns to a region: a 6-digit GB/T 2260
    code (province, city, county) or a 9- or 12-digit town-level statistical code
    (统计用区划代码) whose first six digits are its county; that county must be in the
    current table. Returns the normalised code.

    Raises ``ValidationError`` with code ``format`` (not 6, 9 or 12 digits), ``structure``
    (a town-level code whose town part is 000) or ``region`` (not a current county)."""
    code = normalise(value)
    if len(code) not in (6, 9, 12) or not code.isascii() or not code.isdigit():
        raise ValidationError(
            _("A division code has 6 digits (GB/T 2260), or 9 or 12 digits for a town or street."),
            code="format",
        )
    if len(code) > 6 and code[6:9] == "000":
        raise ValidationError(
            _("Digits 7 to 9 of a town or street code name the town and cannot be 000."),
            code="structure",
        )
    if not division_is_current(code[:6]):
        raise ValidationError(
            _("%(code)s is not a division code in use today (GB/T 2260)."),
            code="region",
            params={"code": code[:6]},
        )
    return code


# --- resident ID numbers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    male: bool


def _resident_region_ok(code: str) -> bool:
    # Every code that ever existed counts: a person keeps the code of their first
    # registration for life, so an abolished county (110103 崇文区, abolished 2010) is
    # still on real cards. Start years are ignored on purpose: stdnum's table dates most
    # counties from 1983, and people born earlier carry those codes.
    if code in RESIDENCE_PERMIT_CODES:
        return True
    return code[2:] != "0000" and division_existed(code)


def parse_resident_id(value: str) -> ResidentId:
    """Validate an 18-character resident ID number and return its parts.

    Raises ``ValidationError`` with code ``format``, ``region``, ``birth_date`` or
    ``checksum`` (checked in that order)."""
    number = normalise(value).upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."),
            code="format",
        )
    if not _resident_region_ok(number[:6]):
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
    """Validate a resident ID number; return it normalised (upper-case X).
    Raises ``ValidationError`` as ``parse_resident_id`` does."""
    return parse_resident_id(value).number


# --- unified social credit codes --------------------------------------------------------------


def validate_uscc(value: str) -> str:
    """Validate an 18-character unified social credit code; return it upper-cased.

    Raises ``ValidationError`` with code ``format`` (length or alphabet), ``structure``
    (authority or region part) or ``checksum`` (the code's own check character, then the
    check character of the organisation code inside it)."""
    code = normalise(value).upper()
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital "
                "letters other than I, O, Z, S and V."
            ),
            code="format",
        )
    # The region part is not looked up: it names the registering authority's region at
    # registration (100000 for central bodies) and stays when counties change.
    if code[0] not in USCC_AUTHORITIES or not code[2:8].isdigit():
        raise ValidationError(
            _("The credit code's authority or region part is not valid."), code="structure"
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of the credit code is wrong: please check every character."),
            code="checksum",
        )
    if organisation_code_check_char(code[8:16]) != code[16]:
        raise ValidationError(
            _(
                "The organisation code inside the credit code (characters 9 to 17) has a "
                "wrong check character: please check every character."
            ),
            code="checksum",
        )
    return code


# --- phone numbers ---------------------------------------------------------------------------


def validate_mobile(value: str) -> str:
    """A mainland mobile number, spaces, hyphens and +86 removed.
    Raises ``ValidationError`` (code ``mobile``)."""
    number = re.sub(r"[\s-]", "", normalise(value))
    if number.startswith("+86"):
        number = number[3:]
    if not MOBILE_RE.fullmatch(number):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 13 to 19."), code="mobile"
        )
    return number


def validate_landline(value: str) -> str:
    """A fixed-line or hotline number written with its area code, e.g. 0760-89817133.
    Raises ``ValidationError`` (code ``landline``)."""
    number = normalise(value).replace("—", "-").replace("–", "-")
    if not LANDLINE_RE.fullmatch(number):
        raise ValidationError(
            _("Write the phone number with its area code, for example 0760-12345678."),
            code="landline",
        )
    return number


def validate_phone(value: str) -> str:
    """A mobile number or a landline with area code. Raises ``ValidationError`` (code
    ``phone``)."""
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


# --- masking ---------------------------------------------------------------------------------


def mask_resident_id(value: str) -> str:
    """Keep the first 6 and last 4 characters: 442000********123X."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a mobile number; hide the last 4 of others."""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return value[:-4] + "****" if len(value) > 4 else "****"
