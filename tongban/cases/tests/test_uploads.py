"""Uploads are checked for what they are: PDFs parsed, images decoded and re-encoded.

Every hostile file is built here with pikepdf, Pillow or a few bytes, small and fast.
"""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageChops

from tongban.cases import materials, services
from tongban.cases.tests.conftest import PDF, pdf_upload
from tongban.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def _pdf(build) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    build(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _refusal(world, content: bytes, name: str = "scan.pdf", kind: str = "application/pdf") -> str:
    draft = services.draft_for(world.applicant, world.item_a)
    # English, so the checks below read the same before and after translations land.
    with translation.override("en"), pytest.raises(ServiceError) as err:
        materials.upload_material(
            draft, "M-A", SimpleUploadedFile(name, content, kind), actor=world.applicant
        )
    (message,) = err.value.message_dict["material_M-A"]
    return str(message)


def _store(world, content: bytes, name: str, kind: str):
    draft = services.draft_for(world.applicant, world.item_a)
    row = materials.upload_material(
        draft, "M-A", SimpleUploadedFile(name, content, kind), actor=world.applicant
    )
    with materials.open_material(row) as stream:
        return row, stream.read()


def test_pdf_with_javascript_on_open_is_refused(world):
    def build(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
        )

    message = _refusal(world, _pdf(build))

    assert "材料M-A" in message and "JavaScript" in message


def test_pdf_with_page_action_is_refused(world):
    def build(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj.AA = pikepdf.Dictionary(
            O=pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.Launch))
        )

    assert "JavaScript" in _refusal(world, _pdf(build))


def test_pdf_with_embedded_file_is_refused(world):
    def build(pdf: pikepdf.Pdf) -> None:
        spec = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 a program", filename="tool.exe")
        pdf.attachments["tool.exe"] = spec

    message = _refusal(world, _pdf(build))

    assert "材料M-A" in message and "embedded files" in message


def test_pdf_that_inflates_past_the_limit_is_refused(world):
    # 60 MB of zeros compress to about 60 KB: small to upload, a bomb to open.
    bomb = zlib.compress(bytes(60 * 1024 * 1024), 9)
    assert len(bomb) < 100_000

    def build(pdf: pikepdf.Pdf) -> None:
        stream = pikepdf.Stream(pdf, bomb)
        stream.stream_dict.Filter = pikepdf.Name.FlateDecode
        pdf.Root.Bomb = stream

    message = _refusal(world, _pdf(build))

    assert "材料M-A" in message and "50 MB" in message


def test_encrypted_and_unparseable_pdfs_are_refused(world):
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))

    assert "password" in _refusal(world, out.getvalue())
    assert "not a readable PDF" in _refusal(world, b"%PDF-1.7\n garbage, no objects at all")


def test_valid_pdf_is_stored_as_uploaded(world):
    content = _pdf(lambda pdf: None)

    row, stored = _store(world, content, "scan.pdf", "application/pdf")

    assert stored == content and row.content_type == "application/pdf"
    assert row.size == len(content)


def _png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming ``width`` × ``height``: no pixels allocated."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    idat = zlib.compress(b"\x00" * 16)
    idat_chunk = struct.pack(">I", len(idat)) + b"IDAT" + idat
    idat_chunk += struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    return b"\x89PNG\r\n\x1a\n" + chunk + crc + idat_chunk


def test_huge_png_is_refused_without_decoding(world):
    message = _refusal(world, _png_header(30000, 30000), "big.png", "image/png")

    assert "材料M-A" in message and "40" in message


def test_png_just_over_the_limit_is_refused(world):
    # 8000 × 5001 = 40,008,000 pixels: under Pillow's own bomb limit, over ours.
    message = _refusal(world, _png_header(8000, 5001), "big.png", "image/png")

    assert "40" in message


def _image(kind: str, size: tuple[int, int] = (40, 30), **save) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(0, size[0], 4):
        image.putpixel((x, x % size[1]), (0, 0, 255))
    out = io.BytesIO()
    image.save(out, format=kind, **save)
    return out.getvalue()


def test_png_html_polyglot_is_neutralised(world):
    polyglot = _image("PNG") + b"<html><script>alert(document.cookie)</script></html>"

    row, stored = _store(world, polyglot, "photo.png", "image/png")

    assert b"<html" not in stored and b"<script" not in stored
    assert row.content_type == "image/png"
    original = Image.open(io.BytesIO(polyglot)).convert("RGB")
    again = Image.open(io.BytesIO(stored)).convert("RGB")
    assert ImageChops.difference(original, again).getbbox() is None  # the same pixels


def test_jpeg_is_reencoded_and_loses_its_metadata(world):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x9286] = "a comment with a secret"  # UserComment
    content = _image("JPEG", exif=exif.tobytes(), quality=95)

    row, stored = _store(world, content, "photo.jpg", "image/jpeg")

    assert stored != content and stored.startswith(b"\xff\xd8\xff")
    assert b"SpyCam" not in stored and b"secret" not in stored
    assert row.size == len(stored) and row.content_type == "image/jpeg"
    again = Image.open(io.BytesIO(stored))
    assert again.size == (40, 30) and again.format == "JPEG"
    # Lossy, but the same picture: every channel within a small distance.
    diff = ImageChops.difference(Image.open(io.BytesIO(content)).convert("RGB"), again)
    assert max(high for _low, high in diff.getextrema()) < 48


def test_truncated_image_is_refused(world):
    content = _image("PNG", size=(64, 64))

    assert "cannot be read" in _refusal(world, content[:60], "cut.png", "image/png")


def test_conftest_pdf_still_uploads(world):
    draft = services.draft_for(world.applicant, world.item_a)

    row = materials.upload_material(draft, "M-A", pdf_upload(), actor=world.applicant)

    assert row.sha256 and materials.material_storage().exists(row.storage_name)
