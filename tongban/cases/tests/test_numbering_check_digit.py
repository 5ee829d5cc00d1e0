"""Case numbers keep their Luhn check digit now that core.identifiers computes it (python-
stdnum): numbers issued before the change stay valid. Values computed with the replaced
``luhn_digit`` (commit 1e660d6) and written out."""

from __future__ import annotations

import pytest

from tongban.cases.numbering import valid_case_number


@pytest.mark.parametrize(
    "number",
    ["442000-20261128-000123-7", "442000-20261207-000001-7", "442000-20261207-999999-5"],
)
def test_case_numbers_already_issued_stay_valid(number):
    assert valid_case_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "442000-20261128-000123-4",  # wrong check digit
        "442000-20261128-000132-7",  # neighbours swapped
        "442000-20261128-000123-٧",  # Arabic-Indic seven: refused, not a crash
        "442000-20261128-000123",
        "",
    ],
)
def test_malformed_or_mistyped_case_numbers_are_refused(number):
    assert not valid_case_number(number)
