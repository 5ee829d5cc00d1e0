"""Identifier validators: published examples, hand-checked invalid ones, and properties.

The property tests generate numbers with a reference check-character computation written
here from the standards (ISO 7064 MOD 11-2 for GB 11643, the MOD 31 rule of GB 32100), not
with the functions under test, so a wrong weight or table in the code would be caught.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tongban.core.identifiers import (
    mask_phone,
    mask_resident_id,
    parse_resident_id,
    validate_landline,
    validate_mobile,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)

# --- reference computations (independent of the code under test) -------------------------


def ref_resident_id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: with position i counted from the right (the check character at
    i = 1) and weight 2**(i-1) mod 11, the weighted sum of all 18 values is 1 mod 11;
    the value 10 is written X."""
    partial = sum(int(d) * pow(2, 17 - k, 11) for k, d in enumerate(first17))
    for value in range(11):
        if (partial + value) % 11 == 1:
            return "X" if value == 10 else str(value)
    raise AssertionError("unreachable")


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 table: no I, O, Z, S, V


def ref_uscc_check(first17: str) -> str:
    """GB 32100: weight of position i (from 1) is 3**(i-1) mod 31; the check value C18
    makes the weighted sum plus C18 a multiple of 31."""
    partial = sum(USCC_CHARS.index(c) * pow(3, k, 31) for k, c in enumerate(first17))
    for value in range(31):
        if (partial + value) % 31 == 0:
            return USCC_CHARS[value]
    raise AssertionError("unreachable")


def ref_organisation_code_check(body: str) -> str:
    """GB 11714: weights 3, 7, 9, 10, 5, 8, 4, 2; letters count A=10 … Z=35; the check value
    makes the weighted sum plus the value a multiple of 11; 10 is written X."""
    partial = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    for value in range(11):
        if (partial + value) % 11 == 0:
            return "X" if value == 10 else str(value)
    raise AssertionError("unreachable")


def test_reference_computations_agree_with_the_published_examples():
    assert ref_resident_id_check("11010519491231002") == "X"
    assert ref_uscc_check("91350100M000100Y4") == "3"
    assert ref_organisation_code_check("M000100Y") == "4"  # inside the GB 32100 example


# --- resident ID numbers -----------------------------------------------------------------

VALID_IDS = [
    "11010519491231002X",  # GB 11643-1999 example: Beijing Chaoyang, 1949-12-31, female
    "440524198001010013",  # Guangdong, 1980-01-01, male; check digit worked out by hand
    "44200019900307123X",  # Zhongshan, check value 10 written X
    "810000199408230021",  # Hong Kong resident's residence permit (810000)
    "820000200009100032",  # Macao (820000)
    "830000199201300022",  # Taiwan (830000)
]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_ids(number):
    assert number[17] == ref_resident_id_check(number[:17])  # our own hand check
    assert validate_resident_id(number) == number


def test_parse_resident_id_parts():
    parsed = parse_resident_id("11010519491231002X")
    assert parsed.region_code == "110105"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.male is False  # sequence 002: even
    assert parse_resident_id("440524198001010013").male is True  # sequence 001: odd


def test_lowercase_x_is_accepted_and_normalised():
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"


def _with_check(first17: str) -> str:
    return first17 + ref_resident_id_check(first17)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "checksum"),  # wrong check character (X expected)
        ("110105194912310020", "checksum"),
        (_with_check("44200019990230123"), "birth_date"),  # 30 February
        (_with_check("44200019991301123"), "birth_date"),  # month 13
        (_with_check("44200018991231123"), "birth_date"),  # before 1900
        ("440524188001010014", "birth_date"),  # a checksum-valid 1880 example: too old
        (_with_check("99200019900101123"), "region"),  # no province 99
        (_with_check("00000019900101123"), "region"),
        (_with_check("44000019900101123"), "region"),  # a whole province, not a county
        ("11010519491231002", "format"),  # 17 characters
        ("11010519491231002X1", "format"),  # 19 characters
        ("1101051949123100X2", "format"),  # X not at the end
        ("11010519491231002Y", "format"),
        ("", "format"),
    ],
)
def test_invalid_resident_ids(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(number)
    assert exc.value.code == code


def test_future_birth_date_is_rejected():
    tomorrow = timezone.localdate() + timedelta(days=1)
    number = _with_check(f"442000{tomorrow:%Y%m%d}123")
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(number)
    assert exc.value.code == "birth_date"
    today = timezone.localdate()
    assert validate_resident_id(_with_check(f"442000{today:%Y%m%d}123"))


# Real county-level codes (GB/T 2260) and the residence-permit codes, written out here.
REGIONS = [
    "110105", "120101", "130102", "310115", "320102", "330106", "350102", "370102",
    "420106", "440103", "440305", "442000", "510107", "530102", "610113", "650102",
    "810000", "820000", "830000",
]  # fmt: skip

resident_ids = st.builds(
    lambda region, birth, seq: _with_check(f"{region}{birth:%Y%m%d}{seq:03d}"),
    st.sampled_from(REGIONS),
    st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=1)),
    st.integers(min_value=0, max_value=999),
)


@settings(deadline=None)
@given(resident_ids)
def test_every_generated_resident_id_passes(number):
    assert validate_resident_id(number) == number
    assert validate_resident_id(number.lower()) == number


@settings(deadline=None, max_examples=300)
@given(resident_ids, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_of_a_resident_id_fails(number, position, char):
    assume(char != number[position])
    assume(char != "X" or position == 17)  # X elsewhere is a format error, tested above
    changed = number[:position] + char + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_resident_id(changed)


@settings(deadline=None)
@given(resident_ids)
def test_resident_id_mask_keeps_six_and_four(number):
    masked = mask_resident_id(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:14] == "*" * 8  # birth date and sequence never shown


def test_mask_resident_id_short_values_are_fully_hidden():
    assert mask_resident_id("") == ""
    assert mask_resident_id("12345") == "*****"


# --- unified social credit codes ---------------------------------------------------------

VALID_USCC = [
    "91350100M000100Y43",  # GB 32100-2015 example
    "91440300708461136T",  # a public code, check character re-derived by hand
    "9144030071526726XG",
]


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_uscc(code):
    assert code[17] == ref_uscc_check(code[:17])
    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y44", "checksum"),
        ("91350100M000100Y4A", "checksum"),
        ("91350100M000100Y4", "format"),  # 17 characters
        ("91350100M000100Y433", "format"),  # 19 characters
        ("91350100I000100Y43", "format"),  # I, O, Z, S, V are not in the alphabet
        ("91350100O000100Y43", "format"),
        ("91350100Z000100Y43", "format"),
        ("91350100S000100Y43", "format"),
        ("91350100V000100Y43", "format"),
        ("91350100M000100Y4-", "format"),
        ("B1350100M000100Y43", "structure"),  # B is not a registration authority
        ("913501A0M000100Y43", "structure"),  # region code must be digits
    ],
)
def test_invalid_uscc(code, error):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == error


@pytest.mark.parametrize("letter", "IOZSV")
def test_excluded_letters_are_rejected_even_with_a_matching_sum(letter):
    # Whatever check character we put after them, these letters never pass.
    body = f"9144200{letter}MA4X00000"[:17]
    for check in USCC_CHARS:
        with pytest.raises(ValidationError):
            validate_uscc(body + check)


def _uscc_from(authority: str, category: str, region: str, body: str) -> str:
    first17 = f"{authority}{category}{region}{body}{ref_organisation_code_check(body)}"
    return first17 + ref_uscc_check(first17)


usccs = st.builds(
    _uscc_from,
    st.sampled_from("123456789ANY"),
    st.sampled_from("1239"),
    st.sampled_from(REGIONS),
    st.text(alphabet=USCC_CHARS, min_size=8, max_size=8),
)


@settings(deadline=None)
@given(usccs)
def test_every_generated_uscc_passes(code):
    assert validate_uscc(code) == code


@settings(deadline=None, max_examples=300)
@given(usccs, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_CHARS + "IOZSV"))
def test_any_single_character_change_of_a_uscc_fails(code, position, char):
    assume(char != code[position])
    changed = code[:position] + char + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_uscc(changed)


# --- phone numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
    ],
)
def test_valid_mobiles(raw, expected):
    assert validate_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw", ["12800138000", "10800138000", "1380013800", "138001380001", "1380013800a", ""]
)
def test_invalid_mobiles(raw):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(raw)
    assert exc.value.code == "mobile"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0760-89817133", "0760-89817133"),
        ("010-12345678", "010-12345678"),
        ("020-8765432", "020-8765432"),
        ("0760-12345", "0760-12345"),  # a five-digit hotline under an area code
        ("0760-89817133-801", "0760-89817133-801"),  # with an extension
        (" 0760—89817133 ", "0760-89817133"),  # em dash
        ("0760－89817133", "0760-89817133"),  # full-width hyphen
    ],
)
def test_valid_landlines(raw, expected):
    assert validate_landline(raw) == expected


@pytest.mark.parametrize(
    "raw", ["076089817133", "760-89817133", "0760-1234", "07600-89817133", "12345", "", "0760-abc"]
)
def test_invalid_landlines(raw):
    with pytest.raises(ValidationError) as exc:
        validate_landline(raw)
    assert exc.value.code == "landline"


def test_validate_phone_takes_either_kind():
    assert validate_phone("138 0013 8000") == "13800138000"
    assert validate_phone("0760-89817133") == "0760-89817133"
    with pytest.raises(ValidationError) as exc:
        validate_phone("12345")
    assert exc.value.code == "phone"


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@given(mobiles)
def test_every_generated_mobile_passes_and_masks_three_and_four(number):
    assert validate_mobile(number) == number
    masked = mask_phone(number)
    assert masked == number[:3] + "****" + number[-4:]
    assert number[3:7] not in masked[3:-4]


def test_mask_phone_other_values():
    assert mask_phone("0760-89817133") == "0760-8981****"
    assert mask_phone("1234") == "****"
    assert mask_phone("") == "****"


class TestFullwidthInput:
    """Chinese input methods type fullwidth digits; one number must have one spelling."""

    def test_fullwidth_id_number_is_folded_to_ascii(self):
        assert validate_resident_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"

    def test_fullwidth_mobile_and_landline_are_folded(self):
        assert validate_mobile("１３９０７６０１００１") == "13907601001"
        assert validate_landline("０７６０－８９８１７１３３") == "0760-89817133"

    def test_fullwidth_credit_code_is_folded(self):
        assert validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"

    @pytest.mark.parametrize("digit", ["٣", "३", "𝟑"])  # Arabic-Indic, Devanagari, math bold
    def test_other_unicode_digits_are_refused_or_folded(self, digit):
        number = "1101051949123100" + digit + "X"
        try:
            accepted = validate_resident_id(number)
        except ValidationError:
            return  # refused: fine
        assert accepted.isascii()  # accepted only as its ASCII spelling
