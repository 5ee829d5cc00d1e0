"""The kernel's admin: a translated site header and a read-only audit trail."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tongban.core.audit import record_audit, verify
from tongban.core.models import AuditRecord, AuditStreamHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_zh(admin_user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    return client


@pytest.fixture
def records(admin_user):
    return [
        record_audit(admin_user, "org.department.updated", object_type="org.department",
                     object_id="17", meta={"fields": ["name"]}),
        record_audit(admin_user, "catalog.item.published", object_type="catalog.serviceitem",
                     object_id="42"),
        record_audit(None, "accounts.user.login_failed", object_type="accounts.user",
                     object_id="3"),
    ]  # fmt: skip


def test_site_header_is_chinese_by_default(admin_client_zh):
    page = admin_client_zh.get(reverse("admin:index")).content.decode()
    assert "通办政务服务平台管理后台" in page
    assert "tongban administration" not in page
    assert "Django 管理" not in page


def test_site_header_in_english(admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "tongban administration" in page


def test_kernel_models_show_chinese_names(admin_client_zh, records):
    page = admin_client_zh.get(reverse("admin:index")).content.decode()
    assert "平台内核" in page and "审计记录" in page


def test_audit_changelist_lists_records(admin_client_zh, records):
    response = admin_client_zh.get(reverse("admin:core_auditrecord_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    for record in records:
        assert record.action in page


@pytest.mark.parametrize(
    ("query", "found", "absent"),
    [
        ("published", "catalog.item.published", "org.department.updated"),
        ("42", "catalog.item.published", "accounts.user.login_failed"),
        ("accounts.user", "accounts.user.login_failed", "catalog.item.published"),
    ],
)
def test_audit_search_by_action_and_object(admin_client_zh, records, query, found, absent):
    url = reverse("admin:core_auditrecord_changelist")
    page = admin_client_zh.get(url, {"q": query}).content.decode()
    assert found in page
    assert absent not in page


def test_audit_filter_by_stream(admin_client_zh, records):
    url = reverse("admin:core_auditrecord_changelist")
    page = admin_client_zh.get(url, {"stream": "org"}).content.decode()
    assert "org.department.updated" in page and "catalog.item.published" not in page


def test_nobody_may_add_change_or_delete_audit_records(admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    assert admin_user.is_superuser
    for model in (AuditRecord, AuditStreamHead):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        assert model_admin.has_view_permission(request)
        assert "delete_selected" not in model_admin.get_actions(request)


def test_audit_admin_refuses_writes_over_http(admin_client_zh, records):
    record = records[0]
    add = admin_client_zh.get(reverse("admin:core_auditrecord_add"))
    assert add.status_code == 403
    change_url = reverse("admin:core_auditrecord_change", args=[record.pk])
    view = admin_client_zh.get(change_url)
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()  # a view, not a form
    post = admin_client_zh.post(change_url, {"action": "forged", "stream": "org"})
    assert post.status_code == 403
    delete = admin_client_zh.post(
        reverse("admin:core_auditrecord_delete", args=[record.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    bulk = admin_client_zh.post(
        reverse("admin:core_auditrecord_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in records]},
    )
    assert bulk.status_code in (200, 302)
    assert AuditRecord.objects.count() == 3
    assert AuditRecord.objects.get(pk=record.pk).action == "org.department.updated"
    assert verify() == []


def test_stream_heads_are_viewable(admin_client_zh, records):
    response = admin_client_zh.get(reverse("admin:core_auditstreamhead_changelist"))
    assert response.status_code == 200
    assert "catalog" in response.content.decode()
    assert admin_client_zh.get(reverse("admin:core_auditstreamhead_add")).status_code == 403
