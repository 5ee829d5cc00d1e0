"""Licence numbers and generated credit codes keep their check characters now that
core.identifiers computes them (python-stdnum). The MOD 37,36 values were computed with the
replaced ``check_char`` (commit 1e660d6) and written out, so licences already issued stay
valid."""

from __future__ import annotations

import pytest

from tongban.core.identifiers import validate_uscc
from tongban.licences.services import check_char, new_uscc, valid_number


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("11100000MB012026SCJG000001", "D"),
        ("11100000MB012026SCJG000123", "U"),
        ("11100000GA012026GA000007", "2"),
        ("11100000MB032027SCJG123456", "Z"),
    ],
)
def test_check_characters_of_licences_already_issued(body, check):
    assert check_char(body) == check


def test_licence_numbers_already_issued_stay_valid():
    assert valid_number("11100000MB01-2026-SCJG-000123-U")
    assert valid_number("11100000GA01-2026-GA-000007-2")
    assert not valid_number("11100000MB01-2026-SCJG-000123-V")
    assert not valid_number("11100000MB01-2026-SCJG-000213-U")  # neighbours swapped


def test_generated_credit_codes_pass_both_checks():
    for _ in range(50):
        code = new_uscc("442000110000")
        assert code.startswith("91442000")
        assert validate_uscc(code) == code  # also the organisation code's check
    assert new_uscc("442000", "92").startswith("92442000")
