"""Administration of licence types and their mappings; licences are read-only here.

Licences are issued, suspended, revoked and reinstated only through the services (signed,
audited): the officials' register pages (/office/licences/) or ``issue_for_subcase``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.core import auditlabels
from tongban.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import FACE_KEY_RE, ItemLicence, Licence, LicenceType, MaterialLicence


class LicenceTypeForm(forms.ModelForm):
    class Meta:
        model = LicenceType
        fields = (
            "code", "name", "name_en", "department", "holder_kind", "validity_months",
            "face_fields", "layout",
        )  # fmt: skip

    def clean_face_fields(self) -> list[dict[str, Any]]:
        value = self.cleaned_data["face_fields"]
        if not isinstance(value, list):
            raise forms.ValidationError(_("A list of face fields is expected."))
        seen: set[str] = set()
        for n, spec in enumerate(value, start=1):
            key = spec.get("key") if isinstance(spec, dict) else None
            if not isinstance(key, str) or not FACE_KEY_RE.match(key) or not spec.get("label"):
                raise forms.ValidationError(
                    _("Face field %(n)s needs a key (lower-case word) and a label.") % {"n": n}
                )
            if key in seen:
                raise forms.ValidationError(_("The key %(key)s is used twice.") % {"key": key})
            seen.add(key)
        return value


@admin.register(LicenceType)
class LicenceTypeAdmin(AuditedAdmin):
    form = LicenceTypeForm
    list_display = ("code", "name", "department", "holder_kind", "validity_months")
    list_filter = ("department", "holder_kind")
    search_fields = ("code", "name", "name_en")


@admin.register(ItemLicence)
class ItemLicenceAdmin(AuditedAdmin):
    list_display = ("item", "licence_type")
    autocomplete_fields = ("licence_type",)
    raw_id_fields = ("item",)


@admin.register(MaterialLicence)
class MaterialLicenceAdmin(AuditedAdmin):
    list_display = ("material_code", "licence_type")
    search_fields = ("material_code",)


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("number", "licence_type", "department", "issued_on", "valid_until", "status")
    list_filter = ("status", "department", "licence_type")
    search_fields = ("number",)
    exclude = ("face_sealed", "holder_digest")


auditlabels.register(
    {
        "licences.licence.issued": _("Licence issued"),
        "licences.licence.shared": _("Licence shared"),
        "licences.licence.suspended": _("Licence suspended"),
        "licences.licence.reinstated": _("Licence reinstated"),
        "licences.licence.revoked": _("Licence revoked"),
    }
)
