"""The backup drill with a real upload: uploaded through the service, destroyed, restored,
and downloaded again with the same bytes.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL through DATABASE_URL).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from tongban.cases import materials, services
from tongban.cases.models import UploadedMaterial

pytestmark = pytest.mark.django_db(transaction=True)


def _pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = "营业执照扫描件"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _download(client: Client, row: UploadedMaterial) -> bytes:
    response = client.get(reverse("cases:material", args=[row.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_drill_with_a_real_upload(world, settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    draft = services.draft_for(world.applicant, world.bundle)
    pdf_row = materials.upload_material(
        draft, "M-A", SimpleUploadedFile("执照.pdf", _pdf(), "application/pdf"),
        actor=world.applicant,
    )  # fmt: skip
    png_row = materials.upload_material(
        draft, "M-B", SimpleUploadedFile("photo.png", _png(), "image/png"), actor=world.applicant
    )
    client = Client()
    client.force_login(world.applicant)
    before = {row.pk: _download(client, row) for row in (pdf_row, png_row)}
    assert hashlib.sha256(before[pdf_row.pk]).hexdigest() == pdf_row.sha256
    archive = tmp_path / "drill.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    # The incident: the rows and the files are gone.
    storage = materials.material_storage()
    for row in (pdf_row, png_row):
        storage.delete(row.storage_name)
    UploadedMaterial.objects.filter(pk__in=[pdf_row.pk, png_row.pk]).delete()
    assert not storage.exists(pdf_row.storage_name)
    assert client.get(reverse("cases:material", args=[pdf_row.pk])).status_code == 404

    call_command("restore", str(archive), yes=True, stdout=io.StringIO(), stderr=io.StringIO())

    client.force_login(world.applicant)  # the session table was restored too
    for row in (pdf_row, png_row):
        after = _download(client, row)
        assert hashlib.sha256(after).hexdigest() == hashlib.sha256(before[row.pk]).hexdigest()
        assert hashlib.sha256(after).hexdigest() == row.sha256
    assert UploadedMaterial.objects.filter(draft=draft, superseded=False).count() == 2
