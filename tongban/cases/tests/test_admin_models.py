"""Administrators upload BPMN models and edit forms in the admin: checked before stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases.engine.bundle import single_item_model
from tongban.cases.models import Case, DefinitionStatus, FormDefinition, ProcessDefinition
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _upload(client, xml: bytes, **fields):
    data = {"key": "shop-licence", "name": "店铺许可", "item": "", "status": "draft", **fields}
    data["bpmn_file"] = SimpleUploadedFile("model.bpmn", xml, content_type="application/xml")
    return client.post("/admin/cases/processdefinition/add/", data)


def test_a_valid_model_is_stored_as_version_1_and_audited(admin_client, world):
    response = _upload(admin_client, single_item_model("ITEM-1", "scjg"))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ProcessDefinition.objects.get(key="shop-licence")
    assert row.version == 1 and len(row.sha256) == 64 and row.status == DefinitionStatus.DRAFT
    assert AuditRecord.objects.filter(action="cases.process_upload").exists()
    _upload(admin_client, single_item_model("ITEM-1", "ga"))
    assert list(
        ProcessDefinition.objects.filter(key="shop-licence").values_list("version", flat=True)
    ) == [2, 1]


def test_a_model_the_platform_cannot_run_is_refused_naming_the_element(admin_client, world):
    xml = single_item_model("ITEM-1", "scjg")
    start = xml.index(b'<bpmn:userTask id="review"')
    end = xml.index(b"</bpmn:userTask>", start)
    bad = (
        xml[:start]
        + xml[start:end].replace(b"bpmn:userTask", b"bpmn:scriptTask")
        + b"</bpmn:scriptTask>"
        + xml[end + len(b"</bpmn:userTask>") :]
    )
    response = _upload(admin_client, bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "scriptTask review" in page and ("Script tasks" in page or "脚本任务" in page)
    assert not ProcessDefinition.objects.filter(key="shop-licence").exists()


def test_a_hostile_xml_file_is_refused(admin_client, world):
    xxe = (
        b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>"""
    )
    page = _upload(admin_client, xxe).content.decode()
    assert "DOCTYPE" in page
    assert not ProcessDefinition.objects.exists()


def test_an_items_published_model_runs_its_cases(admin_client, world):
    xml = single_item_model(world.item_a.implementation_code, "scjg")
    response = _upload(
        admin_client, xml, key="item-a-custom", item=str(world.item_a.pk), status="published"
    )
    assert response.status_code == 302
    case = world.submit()
    assert case.process.definition.key == "item-a-custom"
    # Published models never change: uploading over them is refused.
    row = ProcessDefinition.objects.get(key="item-a-custom")
    assert row.published_at is not None
    assert Case.objects.filter(process__definition=row).count() == 1


def test_a_form_naming_an_unknown_data_element_is_refused(admin_client, world):
    response = admin_client.post(
        "/admin/cases/formdefinition/add/",
        {
            "item": str(world.item_a.pk),
            "version": "2",
            "fields": '[{"element": "applicant.shoe_size", "required": true}]',
            "status": "draft",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "applicant.shoe_size" in page
    assert not FormDefinition.objects.filter(item=world.item_a, version=2).exists()
