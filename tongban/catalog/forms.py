"""Forms of the catalogue management pages."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

FORMATS = {".xlsx": "xlsx", ".json": "json"}


class CatalogUploadForm(forms.Form):
    """Upload of a catalogue workbook (.xlsx) or JSON document."""

    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_(
            "An Excel workbook (.xlsx) exported from this page, or a catalogue JSON "
            "file. Nothing is imported if any row has an error."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json", "class": "tb-input"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in FORMATS:
            raise forms.ValidationError(
                _("Choose an Excel workbook (.xlsx) or a JSON file (.json)."), code="format"
            )
        limit = settings.CATALOG_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; split the catalogue into smaller files.")
                % {"mb": round(limit / 1024 / 1024, 1)},
                code="size",
            )
        if suffix == ".xlsx":
            upload.seek(0)
            ok = zipfile.is_zipfile(upload)
            upload.seek(0)
            if not ok:
                raise forms.ValidationError(
                    _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again."),
                    code="not_xlsx",
                )
        self.cleaned_data["file_format"] = FORMATS[suffix]
        return upload

    @property
    def file_format(self) -> str:
        return str(self.cleaned_data.get("file_format", ""))


class CatalogExportForm(forms.Form):
    """What to export: the format, and whether to leave out every non-public item."""

    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Excel workbook (.xlsx)")), ("json", _("JSON file"))],
        initial="xlsx",
        widget=forms.Select(attrs={"class": "tb-select"}),
    )
    public_only = forms.BooleanField(
        label=_("Public records only"),
        required=False,
        help_text=_(
            "Leave out internal and higher records, for a file that may be shared outside "
            "the government network. Without this, the file is classified at the highest "
            "level it contains and only people with that clearance can download it."
        ),
        widget=forms.CheckboxInput(attrs={"class": "tb-checkbox"}),
    )
