"""Reuse of held licences (免提交): which required materials a valid licence satisfies.

The application page (wired by the cases module) asks ``offers(user, material_codes)`` and,
after the applicant confirms, attaches the licence instead of an upload. Only licences
that are valid today and held by the same applicant (or an organisation they act for) are
offered; expired, suspended and revoked ones never are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .models import HolderKind, Licence, LicenceStatus, MaterialLicence
from .services import wallet


@dataclass(frozen=True)
class Offer:
    material_code: str
    licence_number: str
    label: str


def offers(user: Any, material_codes: Iterable[str], *, organisation: Any = None) -> list[Offer]:
    """For each of ``material_codes`` the valid licences of ``user`` that satisfy it, in the
    order of the codes, newest licence first. ``organisation``: only that organisation's
    licences and the user's own (the applicant acting for a business)."""
    codes = [c for c in dict.fromkeys(material_codes) if c]
    if not codes or user is None or not getattr(user, "is_authenticated", False):
        return []
    links: dict[str, set[int]] = {}
    for code, type_id in MaterialLicence.objects.filter(material_code__in=codes).values_list(
        "material_code", "licence_type_id"
    ):
        links.setdefault(code, set()).add(type_id)
    if not links:
        return []
    today = timezone.localdate()
    held: list[Licence] = list(
        wallet(user).filter(
            status=LicenceStatus.VALID,
            licence_type_id__in={t for ids in links.values() for t in ids},
        )
    )
    if organisation is not None:
        held = [
            lic
            for lic in held
            if lic.holder_organisation_id == organisation.pk
            or (lic.holder_kind == HolderKind.PERSON and lic.holder_user_id == user.pk)
        ]
    result = []
    for code in codes:
        for lic in held:
            if (
                lic.licence_type_id in links.get(code, set())
                and lic.current_status(today) == "valid"
            ):
                label = f"{lic.licence_type.display_name} {lic.number}"
                result.append(Offer(code, lic.number, label))
    return result
