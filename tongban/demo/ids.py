"""Build checksum-valid identifiers for invented people and organisations."""

from __future__ import annotations

from tongban.core.identifiers import resident_id_check_char, uscc_check_char

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(body: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code body."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def uscc(authority: str, region: str, org_body: str) -> str:
    """A unified social credit code: authority (2) + region (6) + org code (9) + check."""
    first17 = authority + region + org_code(org_body)
    return first17 + uscc_check_char(first17)


def resident_id(region: str, birth: str, seq: int) -> str:
    """A resident ID number; ``seq`` odd for men, even for women."""
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + resident_id_check_char(first17)
