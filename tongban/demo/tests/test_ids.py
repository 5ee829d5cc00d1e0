"""The demo's invented identifiers are unchanged now that core.identifiers computes the check
characters: values made by the replaced generator (commit 1e660d6), written out."""

from __future__ import annotations

from tongban.core.identifiers import validate_resident_id, validate_uscc
from tongban.demo.ids import org_code, resident_id, uscc


def test_credit_codes_are_those_the_old_generator_made():
    assert uscc("91", "442000", "MA55K3R2") == "91442000MA55K3R262"
    assert uscc("11", "442000", "MB2C0001") == "11442000MB2C00013T"
    assert validate_uscc("91442000MA55K3R262") == "91442000MA55K3R262"


def test_organisation_codes():
    assert org_code("D2143569") == "D2143569X"
    assert org_code("00000000") == "000000000"


def test_resident_ids_are_those_the_old_generator_made():
    assert resident_id("442000", "19880315", 135) == "442000198803151356"
    assert resident_id("110103", "19800101", 1) == "110103198001010013"
    assert validate_resident_id("110103198001010013") == "110103198001010013"
