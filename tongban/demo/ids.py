"""Build checksum-valid identifiers for invented people and organisations.

The check characters come from tongban.core.identifiers, the one place that computes them.
"""

from __future__ import annotations

from tongban.core.identifiers import (
    complete_resident_id,
    complete_uscc,
    organisation_code_check_char,
)


def org_code(body: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code body."""
    return body + organisation_code_check_char(body)


def uscc(authority: str, region: str, org_body: str) -> str:
    """A unified social credit code: authority (2) + region (6) + org code (9) + check."""
    return complete_uscc(authority, region, org_body)


def resident_id(region: str, birth: str, seq: int) -> str:
    """A resident ID number; ``seq`` odd for men, even for women."""
    return complete_resident_id(f"{region}{birth}{seq:03d}")
