"""Suspension, reinstatement and revocation: department leader of the issuing department,
with a reason, audited, visible at the next check."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord
from tongban.licences import services
from tongban.licences.models import Licence, LicenceStatus

from .conftest import issue_direct

pytestmark = pytest.mark.django_db


def test_revocation_takes_effect_at_the_next_check(lw):
    lic = issue_direct(lw)
    text = services.payload_of(lic)
    assert services.check(text).outcome == "valid"
    services.revoke(lic, "以欺骗手段取得许可", actor=lw.leader_a)
    result = services.check(text)
    assert result.outcome == "revoked" and result.reason == "以欺骗手段取得许可"
    assert result.changed_at is not None
    record = AuditRecord.objects.get(action="licences.licence.revoked")
    assert record.meta == {
        "number": lic.number, "from": "valid", "to": "revoked", "reason_given": True
    }  # fmt: skip
    # Revoked is final.
    with pytest.raises(ServiceError):
        services.reinstate(lic, "撤销错误", actor=lw.leader_a)


def test_suspend_then_reinstate(lw):
    lic = issue_direct(lw)
    text = services.payload_of(lic)
    services.suspend(lic, "责令停业整顿", actor=lw.leader_a)
    assert services.check(text).outcome == "suspended"
    with pytest.raises(ServiceError):
        services.suspend(lic, "again", actor=lw.leader_a)
    services.reinstate(lic, "整改完成", actor=lw.leader_a)
    assert services.check(text).outcome == "valid"
    services.suspend(lic, "再次停业", actor=lw.leader_a)
    services.revoke(lic, "吊销", actor=lw.leader_a)
    assert services.check(text).outcome == "revoked"
    actions = list(
        AuditRecord.objects.filter(action__startswith="licences.licence.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[1:] == [
        "licences.licence.suspended",
        "licences.licence.reinstated",
        "licences.licence.suspended",
        "licences.licence.revoked",
    ]


def test_only_the_issuing_departments_leader_may_change_the_status(lw, official_b, stranger):
    citizen = stranger
    lic = issue_direct(lw)
    for actor in (lw.reviewer_a, lw.clerk_a, lw.all_b, official_b, citizen):
        with pytest.raises(PermissionDenied):
            services.revoke(lic, "no", actor=actor)
    assert Licence.objects.get(pk=lic.pk).status == LicenceStatus.VALID
    assert not AuditRecord.objects.filter(action="licences.licence.revoked").exists()


def test_a_reason_is_required(lw):
    lic = issue_direct(lw)
    with pytest.raises(ServiceError) as err:
        services.revoke(lic, "  ", actor=lw.leader_a)
    assert "reason" in err.value.message_dict
    with pytest.raises(ServiceError):
        services.suspend(lic, "x" * 1001, actor=lw.leader_a)
    assert Licence.objects.get(pk=lic.pk).status == LicenceStatus.VALID
