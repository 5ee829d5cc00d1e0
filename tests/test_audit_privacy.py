"""Audit records hold metadata, never personal values or secrets.

A realistic flow (a citizen registers, the demo city and its catalogue are loaded, logins
fail) writes audit records; a scanner then looks through every record's metadata, actor
label and object id for resident ID numbers (any checksum-valid one), mobile numbers and
the people's names and passwords. Planted canaries prove that the scanner can fail.

It lives here, not in tongban/core/tests, because it drives the accounts and demo layers,
which the kernel may not import (the layering contract).
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import PASSWORD, make_resident_id
from tongban.accounts.services import register_citizen
from tongban.core.audit import record_audit
from tongban.core.identifiers import validate_resident_id
from tongban.core.models import AuditRecord
from tongban.demo.data.people import DEMO_PASSWORD, PERSONAS
from tongban.demo.loader import load_demo

pytestmark = pytest.mark.django_db

ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

NEW_CITIZEN = {
    "real_name": "欧阳静怡",
    "id_number": make_resident_id(birth="19950612", seq=482),
    "phone": "13926001234",
}


def _secrets() -> dict[str, str]:
    """Every personal value and password the flow handles, labelled."""
    values = {f"name of {p.username}": p.real_name for p in PERSONAS}
    values |= {f"ID number of {p.username}": p.id_number for p in PERSONAS if p.id_number}
    values |= {f"phone of {p.username}": p.phone for p in PERSONAS if p.phone}
    values |= {f"new citizen's {k}": v for k, v in NEW_CITIZEN.items()}
    values |= {"demo password": DEMO_PASSWORD, "test password": PASSWORD}
    return values


def _is_resident_id(text: str) -> bool:
    try:
        validate_resident_id(text)
    except ValidationError:
        return False
    return True


def scan() -> list[str]:
    """One line per personal value found in an audit record (empty when clean)."""
    known = _secrets()
    findings: list[str] = []
    for record in AuditRecord.objects.order_by("stream", "seq"):
        text = " ".join(
            [json.dumps(record.meta, ensure_ascii=False), record.actor_label, record.object_id]
        )
        where = f"{record.stream}#{record.seq} {record.action}"
        findings += [f"{where}: {label}" for label, value in known.items() if value in text]
        findings += [
            f"{where}: resident ID number"
            for match in ID_CANDIDATE.findall(text)
            if _is_resident_id(match)
        ]
        findings += [f"{where}: mobile number" for _ in MOBILE.findall(text)]
    return findings


def _flow(client) -> None:
    register_citizen(**NEW_CITIZEN, password=PASSWORD)
    load_demo()
    login = reverse("accounts:login")
    persona = next(p for p in PERSONAS if p.id_number and p.phone)
    # Failed logins by ID number, mobile number and an unknown name (audited or not today,
    # whatever the login path writes is scanned).
    for identifier in (persona.id_number, persona.phone, "nobody"):
        response = client.post(login, {"username": identifier, "password": "Wrong-Password-1"})
        assert response.status_code == 200  # refused, form shown again
        assert "_auth_user_id" not in client.session


def test_audit_records_of_a_realistic_flow_hold_no_personal_values(client):
    _flow(client)

    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"accounts.citizen.register", "catalog.catalogue.import", "demo.load"} <= actions
    assert scan() == []


@pytest.mark.parametrize(
    ("canary", "expected"),
    [
        ({"id": make_resident_id(birth="20010203", seq=77)}, "resident ID number"),
        ({"mobile": "13800138000"}, "mobile number"),
        ({"who": "欧阳静怡"}, "new citizen's real_name"),
        ({"pw": DEMO_PASSWORD}, "demo password"),
    ],
    ids=["id-number", "mobile", "name", "password"],
)
def test_a_planted_canary_is_found(canary, expected):
    record_audit(None, "demo.thing.touched", meta={"fields": ["name"], "count": 3})
    assert scan() == []

    planted = record_audit(None, "demo.thing.leaked", meta=canary)

    assert f"demo#{planted.seq} demo.thing.leaked: {expected}" in scan()
