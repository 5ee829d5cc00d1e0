"""Form data at rest: each case's and draft's values are one AES-GCM (or SM4-GCM)
token under the field-encryption key, bound to its row by the associated data."""

from __future__ import annotations

import json
from typing import Any

from tongban.core.crypto import keys
from tongban.core.models import KeyPurpose

from .models import (
    Case,
    Draft,
)


def seal_data(aad: str, data: dict[str, Any]) -> str:
    """Encrypt form data under the field-encryption key, bound to its row by ``aad``."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return keys.encrypt(KeyPurpose.FIELD_ENCRYPTION, payload, aad=aad.encode())


def open_data(aad: str, token: str) -> dict[str, Any]:
    if not token:
        return {}
    data: dict[str, Any] = json.loads(
        keys.decrypt(KeyPurpose.FIELD_ENCRYPTION, token, aad.encode())
    )
    return data


def case_aad(case: Case) -> str:
    return f"cases.case|{case.number}"


def draft_aad(draft: Draft) -> str:
    return f"cases.draft|{draft.applicant_id}|{draft.pk}"


def case_data(case: Case) -> dict[str, Any]:
    return open_data(case_aad(case), case.data_token)


def draft_data(draft: Draft) -> dict[str, Any]:
    return open_data(draft_aad(draft), draft.data_token)
