"""Administration of forms, data elements and process models; cases are read-only here.

Cases are changed only through the officials' pages (explicit, audited transitions); the
admin shows them without their encrypted form data. A BPMN upload is checked before it is stored
(``modelcheck``: the engine's element profile and the platform contract — conditions read
only names tasks write, departments exist, every path closes the sub-case): anything cases
could not run on is refused with the element named.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.transitions import SUBCASE
from tongban.core import auditlabels
from tongban.core.admin import AuditedAdmin, ReadOnlyAdmin
from tongban.core.audit import record_audit

from .modelcheck import check_process_model
from .models import (
    AcceptanceNotice,
    Case,
    CaseCounter,
    CaseEvent,
    ClockPause,
    CorrectionNotice,
    DataElement,
    DefinitionStatus,
    Draft,
    FormDefinition,
    ProcessDefinition,
    ProcessInstance,
    SharedMaterial,
    SubCase,
    UploadedMaterial,
    WorkItem,
)


@admin.register(DataElement)
class DataElementAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "data_type", "prefill")
    list_filter = ("data_type",)
    search_fields = ("code", "name", "name_en")


class FormDefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = ("item", "version", "fields", "status")

    def clean_fields_value(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise forms.ValidationError(_("A list of fields is expected."))
        known = set(DataElement.objects.values_list("code", flat=True))
        for n, spec in enumerate(value, start=1):
            if not isinstance(spec, dict) or "element" not in spec:
                raise forms.ValidationError(
                    _('Field %(n)s: give at least {"element": code}.') % {"n": n}
                )
            if spec["element"] not in known:
                raise forms.ValidationError(
                    _("Field %(n)s: “%(code)s” is not in the data-element dictionary.")
                    % {"n": n, "code": spec["element"]}
                )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "fields" in cleaned:
            try:
                cleaned["fields"] = self.clean_fields_value(cleaned["fields"])
            except forms.ValidationError as exc:
                self.add_error("fields", exc)
        return cleaned


@admin.register(FormDefinition)
class FormDefinitionAdmin(AuditedAdmin):
    form = FormDefinitionForm
    list_display = ("item", "version", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("item__name", "item__implementation_code")
    autocomplete_fields = ("item",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != DefinitionStatus.DRAFT:
            return ("item", "version", "fields")  # published forms never change
        return ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if obj.status == DefinitionStatus.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)


class ProcessUploadForm(forms.ModelForm):
    bpmn_file = forms.FileField(
        label=_("BPMN file"),
        required=False,
        help_text=_("Drawn in bpmn.io or Camunda Modeler; see the BPMN guide for what runs."),
    )

    class Meta:
        model = ProcessDefinition
        fields = ("key", "name", "item", "status")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("bpmn_file")
        if self.instance.pk is None and upload is None:
            self.add_error("bpmn_file", _("Choose the BPMN file to upload."))
            return cleaned
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                self.add_error("bpmn_file", _("A BPMN file may be at most 2 MB."))
                return cleaned
            xml = upload.read()
            problems = check_process_model(xml)
            if problems:
                for problem in problems[:20]:
                    self.add_error("bpmn_file", str(problem))
                return cleaned
            cleaned["bpmn_xml"] = xml.decode("utf-8", errors="strict")
        return cleaned


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(AuditedAdmin):
    form = ProcessUploadForm
    list_display = ("key", "version", "name", "item", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("key", "name")
    autocomplete_fields = ("item",)
    readonly_fields = ("version", "sha256", "uploaded_by", "uploaded_at", "published_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(self.readonly_fields)
        if obj is not None and obj.status != DefinitionStatus.DRAFT:
            fields += ("key", "name", "item")
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        xml = form.cleaned_data.get("bpmn_xml")
        if xml is not None:
            if change and obj.status != DefinitionStatus.DRAFT:
                messages.error(request, _("A published model never changes: upload a new version."))
                return
            obj.bpmn_xml = xml
            obj.sha256 = hashlib.sha256(xml.encode()).hexdigest()
        if not obj.version:
            last = ProcessDefinition.objects.filter(key=obj.key).aggregate(v=Max("version"))["v"]
            obj.version = (last or 0) + 1
        obj.uploaded_by = obj.uploaded_by or request.user
        if obj.status == DefinitionStatus.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)
        record_audit(
            request.user,
            "cases.process_upload",
            obj,
            meta={"key": obj.key, "version": obj.version, "status": obj.status},
        )


class _CaseReadOnly(ReadOnlyAdmin):
    exclude = ("data_token",)


@admin.register(Case)
class CaseAdmin(_CaseReadOnly):
    list_display = ("number", "title", "status", "submitted_at", "promised_due")
    list_filter = ("status",)
    search_fields = ("number",)
    date_hierarchy = "submitted_at"


@admin.register(SubCase)
class SubCaseAdmin(ReadOnlyAdmin):
    list_display = ("case", "item", "department", "status", "promised_due", "deadline_state")
    list_filter = ("status", "deadline_state", "department")
    search_fields = ("case__number",)


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ("case", "name", "kind", "department", "role", "status", "due_on")
    list_filter = ("status", "kind", "department")
    search_fields = ("case__number",)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "action", "actor", "at", "public")
    list_filter = ("action",)
    search_fields = ("case__number",)


@admin.register(AcceptanceNotice)
class AcceptanceNoticeAdmin(ReadOnlyAdmin):
    """Issued notices; the face stays sealed here (the applicant's PDF shows it)."""

    list_display = ("number", "subcase", "issued_at", "key_id")
    search_fields = ("number", "subcase__case__number")
    exclude = ("face_sealed",)


for _model in (
    ClockPause,
    CorrectionNotice,
    UploadedMaterial,
    SharedMaterial,
    ProcessInstance,
    CaseCounter,
):
    admin.site.register(_model, ReadOnlyAdmin)


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    exclude = ("data_token",)
    list_display = ("applicant", "item", "bundle", "updated_at")


auditlabels.register(
    {
        "cases.submit": _("Application submitted"),
        "cases.withdraw": _("Application withdrawn"),
        "cases.draft_save": _("Application draft saved"),
        "cases.comment": _("Comment added to a case"),
        "cases.material_upload": _("Material uploaded"),
        "cases.material_licence": _("Electronic licence attached as a material"),
        "cases.process_generated": _("Process model generated"),
        "cases.process_upload": _("Process model uploaded"),
        "cases.acceptance_notice.issue": _("Acceptance notice issued"),
        "cases.shared_materials": _("Materials obtained through data sharing at submission"),
    }
)
auditlabels.register_table_family("cases.", SUBCASE)
