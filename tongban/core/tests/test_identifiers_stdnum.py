"""Identifiers on python-stdnum: the historical region table, the one normalisation, the
organisation code inside a credit code, the check characters the platform computes, and a
guard that no check-digit arithmetic is written outside core/identifiers.py.

Every expected value is written out. The check characters of case and licence numbers were
computed with the implementations this module replaced (cases/numbering.py ``luhn_digit``,
licences/services.py ``check_char`` at commit 1e660d6), so numbers already issued stay valid.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tongban.core.identifiers import (
    DivisionName,
    complete_resident_id,
    complete_uscc,
    division_existed,
    division_is_current,
    division_names,
    luhn_check_digit,
    mod_37_36_check_char,
    normalise,
    organisation_code_check_char,
    parse_resident_id,
    resident_id_check_char,
    uscc_check_char,
    validate_current_region_code,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)


def _code_of(call, *args) -> str:
    with pytest.raises(ValidationError) as exc:
        call(*args)
    return str(exc.value.code)


# --- region codes inside resident ID numbers ---------------------------------------------


def test_a_region_code_that_never_existed_is_refused():
    assert _code_of(validate_resident_id, "449999198001010014") == "region"


@pytest.mark.parametrize(
    "number",
    [
        "110103198001010013",  # 崇文区, abolished 2010
        "110104201506010028",  # 宣武区, abolished 2010: registries kept issuing old codes
        "440103195001011238",  # 荔湾区: the table dates it from 1983, the person is older
        "11011219800101001X",  # 通州区 (1997-): the table's start year is not checked
    ],
)
def test_codes_of_abolished_or_renamed_counties_stay_valid(number):
    assert validate_resident_id(number) == number


def test_the_parts_of_an_abolished_county_id():
    parsed = parse_resident_id("110103198001010013")
    assert (parsed.region_code, parsed.male) == ("110103", True)


@pytest.mark.parametrize(
    "number",
    ["810000199408230021", "820000200009100032", "830000199201300022"],
)
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_accepted(number):
    assert validate_resident_id(number) == number


@pytest.mark.parametrize(
    "number",
    [
        "110000199001011235",  # Beijing as a whole: not a place of registration
        "710000199001011237",  # Taiwan province code: residents' permits use 830000
    ],
)
def test_province_level_codes_are_not_a_place_of_registration(number):
    assert _code_of(validate_resident_id, number) == "region"


def test_division_names_read_the_year_marks():
    assert division_names("110103") == (DivisionName("崇文区", None, 2010),)
    assert division_names("110112") == (DivisionName("通州区", 1997, None),)
    assert division_names("449999") == ()
    assert division_names("4420") == ()
    assert division_names("44200A") == ()


def test_existed_and_current():
    assert division_existed("110103") and not division_is_current("110103")
    assert division_existed("442000") and division_is_current("442000")
    assert not division_existed("449999") and not division_is_current("449999")


# --- codes the platform assigns: today's table --------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("440000", "440000"),  # province
        ("442000", "442000"),  # Zhongshan, a prefecture-level city without counties
        ("110112", "110112"),  # 通州区
        ("442000110", "442000110"),  # a town, 9 digits
        ("442000110000", "442000110000"),  # a town, 12 digits
        ("\u200b４４２０００１１００００ ", "442000110000"),  # pasted, fullwidth
    ],
)
def test_current_region_codes(value, expected):
    assert validate_current_region_code(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110103", "region"),  # 崇文区, abolished 2010
        ("110103001000", "region"),  # a town under it
        ("449999", "region"),
        ("442000000000", "structure"),  # town part 000
        ("442000000", "structure"),
        ("4420001", "format"),
        ("44200011", "format"),
        ("4420001100000", "format"),
        ("44200A", "format"),
        ("４４２００Ａ", "format"),
        ("", "format"),
    ],
)
def test_refused_region_codes(value, code):
    assert _code_of(validate_current_region_code, value) == code


def test_refused_region_code_message_names_the_county():
    with pytest.raises(ValidationError) as exc:
        validate_current_region_code("110103001000")
    with translation.override("en"):
        assert exc.value.messages == ["110103 is not a division code in use today (GB/T 2260)."]


# --- one normalisation ---------------------------------------------------------------------

INVISIBLE = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero-width, word joiner, BOM
    "\u200e", "\u200f",  # LRM, RLM
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings and overrides
    "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
    "\u061c",  # Arabic letter mark
]  # fmt: skip


@pytest.mark.parametrize("char", INVISIBLE)
def test_every_invisible_character_is_removed(char):
    assert normalise(f"{char}4420{char}00{char}") == "442000"
    assert validate_resident_id(f"1101051949{char}1231002X") == "11010519491231002X"
    assert validate_uscc(f"{char}91350100M000100Y43") == "91350100M000100Y43"
    assert validate_mobile(f"139{char}0760{char}1001") == "13907601001"


def test_a_number_pasted_with_bidi_marks_and_fullwidth_digits_has_one_spelling():
    pasted = "\u202e\u200f１１０１０５１９４９１２３１００２ｘ\u202c\u3000"
    assert normalise(pasted) == "11010519491231002x"
    assert validate_resident_id(pasted) == "11010519491231002X"


def test_normalise_of_nothing_and_of_ordinary_text():
    assert normalise(None) == ""
    assert normalise("  ") == ""
    assert normalise(" 0760-89817133 ") == "0760-89817133"


def test_digests_use_the_same_normalisation():
    from tongban.core.crypto.fields import normalise_for_digest

    plain = normalise_for_digest("resident_id", "11010519491231002X")
    assert normalise_for_digest("resident_id", "\u200b11010519491231002X\u200e") == plain


# --- unified social credit codes: the organisation code inside -----------------------------


def test_a_credit_code_with_a_wrong_organisation_code_check_is_refused():
    # 91350100M000100Y5 + its right GB 32100 check character 6: the code's own check passes,
    # the organisation code M000100Y needs 4, not 5.
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y56")
    assert exc.value.code == "checksum"
    with translation.override("en"):
        assert exc.value.messages == [
            "The organisation code inside the credit code (characters 9 to 17) has a wrong "
            "check character: please check every character."
        ]


def test_a_wrong_final_check_character_is_reported_first():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y57")
    with translation.override("en"):
        assert exc.value.messages == [
            "The check character of the credit code is wrong: please check every character."
        ]


def test_central_and_authority_letter_codes_keep_passing():
    # Region 100000 (central bodies) is not looked up; N and Y are registration authorities.
    assert validate_uscc("11100000MB2C00013D") == "11100000MB2C00013D"
    assert validate_uscc("N2442000MA55K3R26H") == "N2442000MA55K3R26H"


# --- the check characters the platform computes --------------------------------------------


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("44200020261128000123", "7"),
        ("44200020261207000001", "7"),
        ("44200020261207999999", "5"),
        ("11010020260101000042", "6"),
    ],
)
def test_luhn_check_digits_are_those_of_case_numbers_already_issued(digits, check):
    assert luhn_check_digit(digits) == check


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("11100000MB012026SCJG000001", "D"),
        ("11100000MB012026SCJG000123", "U"),
        ("11100000GA012026GA000007", "2"),
        ("11100000MB032027SCJG123456", "Z"),
    ],
)
def test_mod_37_36_check_characters_are_those_of_licences_already_issued(body, check):
    assert mod_37_36_check_char(body) == check


@pytest.mark.parametrize(
    ("body", "check"),
    [("D2143569", "X"), ("12345678", "8"), ("00000000", "0"), ("M000100Y", "4")],
)
def test_organisation_code_check_characters(body, check):
    assert organisation_code_check_char(body) == check


@pytest.mark.parametrize("body", ["1234567", "123456789", "1234567a", "1234-678"])
def test_organisation_code_body_must_be_eight_digits_or_capitals(body):
    with pytest.raises(ValueError):
        organisation_code_check_char(body)


def test_the_standards_examples():
    assert resident_id_check_char("11010519491231002") == "X"
    assert complete_resident_id("11010519491231002") == "11010519491231002X"
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert complete_uscc("91", "350100", "M000100Y") == "91350100M000100Y43"


# --- one place for check-digit arithmetic --------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
# Moduli of GB 11643 / GB 11714 (11), GB 32100 (31), ISO 7064 MOD 37,36 and Luhn's closing
# step, and the weight tables of the standards. Test files keep their own reference
# computations on purpose (an oracle must not trust the code it checks), and so does the
# PII scanner under tests/.
CHECK_DIGIT_ARITHMETIC = re.compile(
    r"%\s*(?:11|31|36|37)\b"
    r"|\(\s*10\s*-\s*[\w.()]+\s*%\s*10\s*\)"
    r"|10X98765432"
    r"|\(\s*7,\s*9,\s*10,\s*5,\s*8"
    r"|\(\s*3,\s*7,\s*9,\s*10,\s*5"
    r"|\(\s*1,\s*3,\s*9,\s*27,\s*19"
)


def test_the_pattern_finds_the_arithmetic_it_replaced():
    for line in (
        "    return str((10 - total % 10) % 10)",
        "    check = 11 - total % 11",
        "        product = (total * 2) % 37",
        "    return USCC_ALPHABET[(31 - total % 31) % 31]",
        'RESIDENT_ID_CHECK = "10X98765432"',
        "ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)",
    ):
        assert CHECK_DIGIT_ARITHMETIC.search(line), line
    assert not CHECK_DIGIT_ARITHMETIC.search("status = DONE if n % 10 else DRAFT")


def test_no_check_digit_arithmetic_outside_core_identifiers():
    sources = [*ROOT.joinpath("tongban").rglob("*.py"), *ROOT.joinpath("bench").rglob("*.py")]
    found = []
    for path in sources:
        relative = path.relative_to(ROOT).as_posix()
        if relative == "tongban/core/identifiers.py" or "/tests/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CHECK_DIGIT_ARITHMETIC.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert len(sources) > 100  # the scan saw the project
    assert found == []
