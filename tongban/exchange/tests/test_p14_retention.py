"""P14: exchange evidence is kept at least six months (a system check refuses less), the
purge deletes only what is past the retention and is audited, and no one deletes evidence
through the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord
from tongban.exchange import checks, retention
from tongban.exchange.models import ConfigBundle, ExchangeEvidence

NOW = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)


def evidence(exchange_id: str, age_days: float, side: str = "provider") -> ExchangeEvidence:
    return ExchangeEvidence.objects.create(
        exchange_id=exchange_id,
        side=side,
        occurred_at=NOW - dt.timedelta(days=age_days),
        allowed=True,
        reason="allowed",
        status_code=200,
        bundle='{"format": "tongban-exchange-evidence/1"}',
    )


# --- the configuration check --------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "errors"), [(179, 1), (180, 0), (365, 0), (0, 1), (-5, 1), ("abc", 1)]
)
def test_check_refuses_under_180_days(settings: Any, days: Any, errors: int) -> None:
    settings.TONGBAN_EXCHANGE_RETENTION_DAYS = days
    found = checks.evidence_retention()
    assert len(found) == errors
    if errors:
        assert found[0].id == "tongban.exchange.E001" and found[0].is_serious()


def test_the_check_is_registered_with_django(db: Any, settings: Any) -> None:
    import inspect

    from django.core.checks import run_checks

    from tongban.exchange.apps import ExchangeConfig

    settings.TONGBAN_EXCHANGE_RETENTION_DAYS = 179
    assert "tongban.exchange.E001" in {m.id for m in run_checks()}
    # registered at start-up, not only because this test imported the module
    assert "checks" in inspect.getsource(ExchangeConfig.ready)


# --- the purge ----------------------------------------------------------------------------


def test_purge_keeps_young_deletes_old_and_audits(db: Any, settings: Any) -> None:
    settings.TONGBAN_EXCHANGE_RETENTION_DAYS = 180
    young = evidence("x-young", 179.9)
    evidence("x-old-1", 180.1)
    evidence("x-old-2", 400, side="requester")
    assert retention.purge_evidence(now=NOW) == 2
    assert list(ExchangeEvidence.objects.values_list("exchange_id", flat=True)) == [
        young.exchange_id
    ]
    audit = AuditRecord.objects.filter(action=retention.PURGE_ACTION).get()
    assert audit.meta["deleted"] == 2
    assert audit.meta["by_side"] == {"provider": 1, "requester": 1}
    assert audit.meta["retention_days"] == 180
    # a run with nothing to delete is audited too
    assert retention.purge_evidence(now=NOW) == 0
    assert AuditRecord.objects.filter(action=retention.PURGE_ACTION).count() == 2


def test_purge_follows_a_longer_retention(db: Any, settings: Any) -> None:
    settings.TONGBAN_EXCHANGE_RETENTION_DAYS = 730
    evidence("x-400", 400)
    assert retention.purge_evidence(now=NOW) == 0
    assert ExchangeEvidence.objects.count() == 1


def test_purge_refuses_to_run_under_180_days(db: Any, settings: Any) -> None:
    settings.TONGBAN_EXCHANGE_RETENTION_DAYS = 30
    evidence("x-100", 100)
    with pytest.raises(ImproperlyConfigured):
        retention.purge_evidence(now=NOW)
    assert ExchangeEvidence.objects.count() == 1
    assert not AuditRecord.objects.filter(action=retention.PURGE_ACTION).exists()


def test_purge_runs_daily_as_a_periodic_job() -> None:
    from tongban.core.scheduling import get_job

    job = get_job("exchange.purge_evidence")
    assert job is not None and job.every == dt.timedelta(days=1)


# --- no deletion through the admin --------------------------------------------------------


def test_admin_refuses_deletion_even_to_a_superuser(admin_user: Any, client: Any) -> None:
    row = evidence("x-admin", 10)
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[ExchangeEvidence]
    assert not model_admin.has_delete_permission(request, row)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_add_permission(request)
    assert "bundle" not in model_admin.get_fields(request, row)
    assert not site._registry[ConfigBundle].has_delete_permission(request)
    client.force_login(admin_user)
    url = reverse("admin:exchange_exchangeevidence_delete", args=[row.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    listing = client.post(
        reverse("admin:exchange_exchangeevidence_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert listing.status_code in (200, 302, 403)
    assert ExchangeEvidence.objects.filter(pk=row.pk).exists()
    page = client.get(reverse("admin:exchange_exchangeevidence_change", args=[row.pk]))
    assert page.status_code == 200
    assert b"tongban-exchange-evidence/1" not in page.content


# --- early deletion: an audit administrator asks, a second one approves --------------------


def _staff(username: str, role: str | None) -> Any:
    from tongban.accounts.models import RoleAssignment, User, UserKind

    user = User.objects.create_user(
        username=username, password="x-Pass-2026!", kind=UserKind.ADMIN, real_name=username
    )
    if role is not None:
        RoleAssignment.objects.create(user=user, role=role, department=None)
    return user


@pytest.fixture
def auditors(db: Any) -> tuple[Any, Any]:
    return _staff("audit-1", "audit_admin"), _staff("audit-2", "audit_admin")


@pytest.mark.parametrize("role", [None, "security_admin", "system_admin", "data_admin"])
def test_only_audit_admins_ask_or_approve(auditors: Any, admin_user: Any, role: Any) -> None:
    evidence("x-1", 10)
    first, _second = auditors
    other = _staff("other", role)
    for actor in (other, admin_user):  # a superuser without the role is refused too
        with pytest.raises(PermissionDenied):
            retention.request_early_deletion(["x-1"], actor=actor)
    token = retention.request_early_deletion(["x-1"], actor=first)
    with pytest.raises(PermissionDenied):
        retention.approve_early_deletion(token, actor=other)
    assert ExchangeEvidence.objects.filter(exchange_id="x-1").exists()


def test_the_asker_cannot_approve_alone(auditors: Any) -> None:
    evidence("x-1", 10)
    first, _second = auditors
    token = retention.request_early_deletion(["x-1"], actor=first)
    with pytest.raises(ServiceError) as refused:
        retention.approve_early_deletion(token, actor=first)
    assert "token" in refused.value.message_dict
    assert ExchangeEvidence.objects.filter(exchange_id="x-1").exists()


def test_a_second_audit_admin_approves_and_it_is_audited(auditors: Any) -> None:
    evidence("x-1", 10)
    evidence("x-2", 20, side="requester")
    kept = evidence("x-3", 30)
    first, second = auditors
    token = retention.request_early_deletion(["x-1", "x-2", "x-1"], actor=first)
    assert ExchangeEvidence.objects.count() == 3  # asking deletes nothing
    assert retention.approve_early_deletion(token, actor=second) == 2
    assert list(ExchangeEvidence.objects.all()) == [kept]
    asked = AuditRecord.objects.get(action=retention.REQUEST_ACTION, object_id=token)
    done = AuditRecord.objects.get(action=retention.APPROVE_ACTION, object_id=token)
    assert asked.actor_id == first.pk and asked.meta["exchange_ids"] == ["x-1", "x-2"]
    assert done.actor_id == second.pk and done.meta["requested_by"] == first.pk
    assert done.meta["deleted"] == 2
    with pytest.raises(ServiceError):  # once only
        retention.approve_early_deletion(token, actor=second)


def test_unknown_lapsed_or_empty_requests_are_refused(auditors: Any) -> None:
    evidence("x-1", 10)
    first, second = auditors
    with pytest.raises(ServiceError) as refused:
        retention.request_early_deletion(["x-404"], actor=first)
    assert "exchange_ids" in refused.value.message_dict
    with pytest.raises(ServiceError):
        retention.request_early_deletion([" ", ""], actor=first)
    with pytest.raises(ServiceError):
        retention.approve_early_deletion("no-such-request", actor=second)
    token = retention.request_early_deletion(["x-1"], actor=first)
    later = timezone.now() + retention.REQUEST_VALID + dt.timedelta(minutes=1)
    with pytest.raises(ServiceError):
        retention.approve_early_deletion(token, actor=second, now=later)
    assert ExchangeEvidence.objects.filter(exchange_id="x-1").exists()
