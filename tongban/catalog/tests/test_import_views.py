"""Import pages: permission, upload, progress page, result; export downloads."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tongban.catalog.models import CatalogImport, ImportStatus, ServiceItem
from tongban.catalog.tests.factories import document, item_data
from tongban.core.models import AuditRecord

IMPORT_URL = "/manage/catalog/import/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def manager(official_a):
    official_a.user_permissions.add(
        Permission.objects.get(codename="add_serviceitem", content_type__app_label="catalog")
    )
    return official_a


def _json_upload(data: dict, name: str = "catalogue.json") -> SimpleUploadedFile:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return SimpleUploadedFile(name, body, content_type="application/json")


def test_anonymous_is_sent_to_login(client, db) -> None:
    for url in (IMPORT_URL, "/manage/catalog/export.xlsx", "/manage/catalog/export.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_signed_in_without_permission_is_refused(client, official_b) -> None:
    client.force_login(official_b)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get("/manage/catalog/export.json").status_code == 403
    response = client.post(IMPORT_URL, {"file": _json_upload(document(items=[item_data()]))})
    assert response.status_code == 403
    assert not CatalogImport.objects.exists()


def test_manager_sees_the_upload_form(client, manager) -> None:
    client.force_login(manager)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert reverse("catalog:export_xlsx").encode() in response.content


def test_upload_imports_and_shows_the_result(
    client, manager, department_a, django_capture_on_commit_callbacks
) -> None:
    client.force_login(manager)
    upload = _json_upload(document(items=[item_data(), item_data()]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload})
    job = CatalogImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:import_status", args=[job.pk])
    assert job.status == ImportStatus.SUCCEEDED
    assert job.created_by == manager
    assert (job.processed_rows, job.total_rows) == (2, 2)
    assert ServiceItem.objects.count() == 2
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert job.summary["counts"]["items"]["created"] == 2
    assert b"hx-trigger" not in page.content  # finished: polling stops
    assert b'http-equiv="refresh"' not in page.content


def test_failed_upload_shows_the_error_table(
    client, manager, department_a, django_capture_on_commit_callbacks
) -> None:
    client.force_login(manager)
    upload = _json_upload(document(items=[item_data(), item_data(consult_phone="89817133")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    job = CatalogImport.objects.get()
    assert job.status == ImportStatus.FAILED
    assert [(e["sheet"], e["row"], e["field"]) for e in job.errors] == [
        ("items", 2, "consult_phone")
    ]
    assert not ServiceItem.objects.exists()
    page = client.get(response["Location"])
    assert b"consult_phone" in page.content and b"tb-error-summary" in page.content


def test_xlsx_with_missing_sheets_fails_with_a_clear_message(
    client, manager, django_capture_on_commit_callbacks
) -> None:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    upload = SimpleUploadedFile("cat.xlsx", buffer.getvalue())
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"file": upload})
    job = CatalogImport.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "事项" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("name", "body"),
    [("catalogue.csv", b"a,b"), ("catalogue.xlsx", b"this is not a zip file")],
)
def test_wrong_files_are_refused_by_the_form(client, manager, name: str, body: bytes) -> None:
    client.force_login(manager)
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, body)})
    assert response.status_code == 200
    assert b"tb-error-summary" in response.content and b".xlsx" in response.content
    assert not CatalogImport.objects.exists()


def test_too_large_file_is_refused(client, manager, settings) -> None:
    settings.CATALOG_IMPORT_MAX_BYTES = 10
    client.force_login(manager)
    response = client.post(IMPORT_URL, {"file": _json_upload(document())})
    assert response.status_code == 200
    assert b"MB" in response.content
    assert not CatalogImport.objects.exists()


def test_progress_page_refreshes_itself_while_running(client, manager) -> None:
    job = CatalogImport.objects.create(
        file_format="json", status=ImportStatus.RUNNING, total_rows=200, processed_rows=50
    )
    client.force_login(manager)
    url = reverse("catalog:import_status", args=[job.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{url}"' in html
    assert '<meta http-equiv="refresh"' in html
    assert 'value="25"' in html  # 50 of 200 rows
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'hx-trigger="every 1s"' in partial.content


def test_exports_download(client, manager, department_a) -> None:
    from tongban.catalog import services

    services.save_item(item_data(), actor=manager)
    client.force_login(manager)
    response = client.get(reverse("catalog:export_json"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["format"] == "tongban-catalogue" and len(data["items"]) == 1
    response = client.get(reverse("catalog:export_xlsx"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb["事项"].max_row == 2


def test_failed_import_is_audited_with_counts_only(
    client, manager, department_a, django_capture_on_commit_callbacks
) -> None:
    from tongban.core.models import AuditRecord

    client.force_login(manager)
    upload = _json_upload(document(items=[item_data(), item_data(consult_phone="89817133")]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"file": upload})
    job = CatalogImport.objects.get()
    record = AuditRecord.objects.get(action="catalog.import.fail")
    assert record.object_id == str(job.pk)
    assert record.actor_id == manager.pk
    assert record.meta == {"format": "json", "total_rows": 2, "errors": 1, "warnings": 0,
                           "from": "running", "to": "failed"}  # fmt: skip
    assert not AuditRecord.objects.filter(action="catalog.catalogue.import").exists()


def test_a_job_claimed_by_another_worker_is_left_alone(manager, department_a) -> None:
    from django.core.files.base import ContentFile

    from tongban.catalog.io.importer import run_stored_import
    from tongban.catalog.transitions import IMPORT, ImportAction
    from tongban.core.transitions import move

    body = json.dumps(document(items=[item_data()]), ensure_ascii=False).encode()
    claimed, waiting = [CatalogImport(file_format="json", created_by=manager) for _n in range(2)]
    for job in (claimed, waiting):
        job.file.save("catalogue.json", ContentFile(body), save=False)
        job.save()
    move(claimed, IMPORT, ImportAction.RUN, actor=manager)  # another worker has it
    run_stored_import(claimed.pk)
    claimed.refresh_from_db()
    assert claimed.status == ImportStatus.RUNNING and claimed.finished_at is None
    assert not ServiceItem.objects.exists()
    run_stored_import(waiting.pk)
    run_stored_import(waiting.pk)  # finished: a second run changes nothing
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.SUCCEEDED and ServiceItem.objects.count() == 1
    assert AuditRecord.objects.filter(action="catalog.import.succeed").count() == 1


def test_recent_imports_are_read_outside_the_view(client, manager) -> None:
    from tongban.catalog.io import jobs

    made = [CatalogImport.objects.create(file_format="json", created_by=manager)
            for _n in range(12)]  # fmt: skip
    recent = list(jobs.recent_imports())
    assert [j.pk for j in recent] == [j.pk for j in reversed(made)][:10]
    assert jobs.import_job(made[0].pk) == made[0] and jobs.import_job(10**6) is None
    client.force_login(manager)
    assert client.get(reverse("catalog:import_status", args=[10**6])).status_code == 404
    page = client.get(IMPORT_URL).content.decode()
    assert page.count(reverse("catalog:import_status", args=[made[-1].pk])) == 1
    assert reverse("catalog:import_status", args=[made[0].pk]) not in page
