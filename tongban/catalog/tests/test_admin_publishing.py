"""The Django admin edits the catalogue under the same rules and audit as the services."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore

from tongban.catalog.admin import ServiceItemAdmin
from tongban.catalog.models import ItemStatus, ServiceItem, Theme
from tongban.catalog.services import publish_item, save_item
from tongban.catalog.tests.factories import item_data
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_an_admin_change_enters_the_audit_chain_with_field_names_only(client, admin_user):
    theme = Theme.objects.create(code="birth", name="出生", audience="person")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/catalog/theme/{theme.pk}/change/",
        {"code": "birth", "name": "生育", "name_en": "Having a baby", "audience": "person",
         "description": "", "sort_order": 3},
    )  # fmt: skip
    assert response.status_code == 302
    record = AuditRecord.objects.get(action="catalog.theme.admin_change")
    assert record.object_id == str(theme.pk)
    assert record.actor_id == admin_user.pk
    assert record.meta["fields"]  # names of the changed fields ...
    assert "生育" not in str(record.meta)  # ... never their values


def test_status_cannot_be_typed_in_the_admin():
    item_admin = ServiceItemAdmin(ServiceItem, admin.site)
    assert "status" in item_admin.get_readonly_fields(None)


def _request(rf, user):
    request = rf.post("/admin/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_published_item_edited_into_breaking_the_rules_goes_back_to_draft(
    rf, admin_user, department_a
):
    item = save_item(item_data(department=department_a.code), actor=admin_user).item
    publish_item(item, actor=admin_user)
    item.refresh_from_db()
    item.location = ""  # a guide element removed in the admin form
    item.save()
    request = _request(rf, admin_user)
    form = SimpleNamespace(instance=item, save_m2m=lambda: None)
    ServiceItemAdmin(ServiceItem, admin.site).save_related(request, form, [], True)
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    assert AuditRecord.objects.filter(action="catalog.item.unpublish_invalid").exists()
    (message,) = list(get_messages(request))
    assert "location" in str(message)


def test_a_valid_published_item_stays_published(rf, admin_user, department_a):
    item = save_item(item_data(department=department_a.code), actor=admin_user).item
    publish_item(item, actor=admin_user)
    item.refresh_from_db()
    request = _request(rf, admin_user)
    form = SimpleNamespace(instance=item, save_m2m=lambda: None)
    ServiceItemAdmin(ServiceItem, admin.site).save_related(request, form, [], True)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED


def test_the_publish_action_refuses_an_incomplete_item(client, admin_user, department_a):
    data = item_data(department=department_a.code, status="draft")
    data["location"] = ""
    item = save_item(data, actor=admin_user).item
    client.force_login(admin_user)
    response = client.post(
        "/admin/catalog/serviceitem/",
        {"action": "publish_selected", "_selected_action": [item.pk]},
        follow=True,
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    assert "location" in response.content.decode()


def test_an_admin_delete_enters_the_audit_chain(client, admin_user):
    theme = Theme.objects.create(code="old", name="旧主题", audience="person")
    client.force_login(admin_user)
    response = client.post(f"/admin/catalog/theme/{theme.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()
    record = AuditRecord.objects.get(action="catalog.theme.admin_delete")
    assert record.object_id == str(theme.pk) and record.actor_id == admin_user.pk
