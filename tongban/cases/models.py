"""Applications and cases (办件): one form per item or bundle, one case, one sub-case per item.

The tables here are the system of record. The BPMN engine (``tongban.cases.engine``) only
holds execution state (ids and decision flags) in ``ProcessInstance.state``; everything a
person or an inspector reads — work items (the inbox), deadlines, history, decisions,
correction notices — is projected into ordinary indexed rows in the same transaction as the
engine step. Form data is personal data: it is stored encrypted (``data_token``) under the
field-encryption key and shown masked unless the viewer's role allows more.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import Bundle, ServiceItem
from tongban.core.models import ClassificationLevel
from tongban.org.models import Department

ELEMENT_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class DataType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    DATE = "date", _("Date")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes or no")
    ID_NUMBER = "id_number", _("Resident ID number")
    PHONE = "phone", _("Mobile number")
    USCC = "uscc", _("Unified social credit code")
    ADDRESS = "address", _("Address")
    EMAIL = "email", _("E-mail address")


#: Data types that are personal information: masked on pages unless the role allows more.
PERSONAL_TYPES = frozenset({DataType.ID_NUMBER, DataType.PHONE, DataType.ADDRESS})


class DataElement(models.Model):
    """An entry of the data-element dictionary (数据元), e.g. ``applicant.name``.

    Forms name elements, never free-standing fields, so a bundle asks each shared element
    once and the same element means the same thing in every department.
    """

    code = models.CharField(
        _("code"),
        max_length=80,
        unique=True,
        validators=[RegexValidator(ELEMENT_CODE_RE, _("Use dotted lower-case words."))],
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    data_type = models.CharField(_("data type"), max_length=16, choices=DataType.choices)
    max_length = models.PositiveIntegerField(_("maximum length"), default=200)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_('[{"value", "label", "label_en"}]')
    )
    prefill = models.CharField(
        _("prefilled from"),
        max_length=60,
        blank=True,
        help_text=_("Profile attribute, e.g. user.real_name or organisation.uscc."),
    )
    help_text_zh = models.CharField(_("hint"), max_length=300, blank=True)
    help_text_en = models.CharField(_("English hint"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def personal(self) -> bool:
        return self.data_type in PERSONAL_TYPES


class DefinitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class FormDefinition(models.Model):
    """The application form of one service item, versioned.

    ``fields`` is a list of ``{"element": code, "required": bool, "section": str}``; the
    JSON Schema is derived from it and the data elements (see ``tongban.cases.forms``).
    Cases record the versions they were filled against, so a new version never changes
    the meaning of an old application.
    """

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("service item"), on_delete=models.CASCADE, related_name="forms"
    )
    version = models.PositiveIntegerField(_("version"))
    fields = models.JSONField(_("fields"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=DefinitionStatus.choices, default=DefinitionStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("form definition")
        verbose_name_plural = _("form definitions")
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="form_item_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item.implementation_code} v{self.version}"


class ProcessDefinition(models.Model):
    """A BPMN model, stored once per version. Published versions are never changed;
    running cases stay on the version they started with."""

    key = models.SlugField(_("key"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN XML"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=DefinitionStatus.choices, default=DefinitionStatus.DRAFT
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="process_definitions",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("process model")
        verbose_name_plural = _("process models")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="process_key_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Draft(models.Model):
    """A saved, unsubmitted application. One per applicant, acting-for and target."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("service item"), null=True, blank=True, on_delete=models.CASCADE
    )
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("bundle"), null=True, blank=True, on_delete=models.CASCADE
    )
    data_token = models.TextField(_("form data (encrypted)"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, bundle__isnull=True)
                | models.Q(item__isnull=True, bundle__isnull=False),
                name="draft_item_xor_bundle",
            )
        ]

    def __str__(self) -> str:
        return f"draft {self.pk}"

    @property
    def target(self) -> ServiceItem | Bundle:
        return self.item or self.bundle  # type: ignore[return-value]


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting acceptance")
    IN_PROGRESS = "in_progress", _("Being handled")
    CORRECTION = "correction", _("Waiting for your correction")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Case(models.Model):
    """One submitted application (办件). A bundle's case has a sub-case per member item."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    query_code = models.CharField(_("query code"), max_length=8)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("service item"), null=True, blank=True, on_delete=models.PROTECT
    )
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("bundle"), null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    data_token = models.TextField(_("form data (encrypted)"))
    form_versions = models.JSONField(_("form versions"), default=dict)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    classification = models.PositiveSmallIntegerField(
        _("classification"),
        choices=ClassificationLevel.choices,
        default=ClassificationLevel.SENSITIVE,
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    promised_due = models.DateField(_("promised completion"), null=True, blank=True)
    due_provisional = models.BooleanField(_("deadline provisional"), default=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="case_idempotency_unique"
            ),
        ]
        indexes = [models.Index(fields=["applicant", "-submitted_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def display_title(self) -> str:
        english = (get_language() or "").startswith("en")
        return self.title_en if english and self.title_en else self.title


class SubCaseStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for another department's result")
    RECEIVED = "received", _("Received, awaiting acceptance")
    CORRECTION_BEFORE = "correction_before", _("Correction requested before acceptance")
    IN_REVIEW = "in_review", _("Accepted, under review")
    CORRECTION = "correction", _("Correction requested during review")
    SPECIAL = "special", _("Special procedure (clock paused)")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Refused")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_STARTED = "not_started", _("Not started: the result it needs was refused")


FINAL_SUBCASE_STATES = frozenset(
    {
        SubCaseStatus.APPROVED,
        SubCaseStatus.REJECTED,
        SubCaseStatus.NOT_ACCEPTED,
        SubCaseStatus.WITHDRAWN,
        SubCaseStatus.NOT_STARTED,
    }
)


class SubCase(models.Model):
    """One department's matter within a case: its own clock, its own decision."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="subcases"
    )
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SubCaseStatus.choices, default=SubCaseStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    legal_basis = models.TextField(_("legal basis of the decision"), blank=True)
    promised_days = models.PositiveIntegerField(_("promised working days"), null=True, blank=True)
    statutory_days = models.PositiveIntegerField(_("statutory working days"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)
    promised_due = models.DateField(_("promised due"), null=True, blank=True)
    statutory_due = models.DateField(_("statutory due"), null=True, blank=True)
    due_provisional = models.BooleanField(_("deadline provisional"), default=False)
    deadline_state = models.CharField(_("deadline state"), max_length=10, default="on_time")
    lock_version = models.PositiveIntegerField(_("version"), default=0)
    waiting_for = models.ForeignKey(
        "self",
        verbose_name=_("waits for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
        help_text=_(
            "The matter of the same case whose approval this one needs before it starts "
            "(the bundle's member dependency, fixed at submission)."
        ),
    )

    class Meta:
        verbose_name = _("sub-case")
        verbose_name_plural = _("sub-cases")
        ordering = ["case", "pk"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return f"{self.case.number}/{self.item.implementation_code}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_SUBCASE_STATES

    @property
    def waiting_note(self) -> str:
        """The note "等待：出生医学证明签发（市卫健局）" while the matter waits, else ""
        (for the inbox, the work item and the applicant's case page)."""
        from .dependencies import waiting_note

        return waiting_note(self)


class PauseKind(models.TextChoices):
    CORRECTION = "correction", _("Correction by the applicant")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    INSPECTION = "inspection", _("On-site inspection")
    HEARING = "hearing", _("Hearing")
    TESTING = "testing", _("Testing or quarantine")


class ClockPause(models.Model):
    """A period the statutory clock does not count (行政许可法 Art. 45, and corrections)."""

    subcase = models.ForeignKey(
        SubCase, verbose_name=_("sub-case"), on_delete=models.CASCADE, related_name="pauses"
    )
    kind = models.CharField(_("reason for the pause"), max_length=16, choices=PauseKind.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["subcase", "started_at"]

    def __str__(self) -> str:
        return f"{self.subcase} {self.kind}"


class ProcessInstance(models.Model):
    """The engine's execution state of one case: ids and decision flags only."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="process"
    )
    definition = models.ForeignKey(
        ProcessDefinition, verbose_name=_("process model"), on_delete=models.PROTECT
    )
    state = models.TextField(_("engine state"))
    completed = models.BooleanField(_("completed"), default=False)
    next_due_at = models.DateTimeField(_("next timer due"), null=True, blank=True, db_index=True)
    lock_version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")

    def __str__(self) -> str:
        return f"{self.case.number} ({self.definition})"


class WorkKind(models.TextChoices):
    ACCEPT = "accept", _("Acceptance")
    REVIEW = "review", _("Review")
    DECIDE = "decide", _("Decision")
    CORRECT = "correct", _("Correction by the applicant")
    DELIVER = "deliver", _("Delivery")
    OTHER = "other", _("Other")


class WorkStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class WorkItem(models.Model):
    """A step waiting for someone: the inbox is a query over these rows."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="work_items"
    )
    subcase = models.ForeignKey(
        SubCase,
        verbose_name=_("sub-case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="work_items",
    )
    task_id = models.CharField(_("engine task"), max_length=64)
    spec_name = models.CharField(_("step"), max_length=120)
    data_prefix = models.CharField(_("decision prefix"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("step kind"), max_length=10, choices=WorkKind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    role = models.CharField(_("role"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=WorkStatus.choices, default=WorkStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["due_on", "opened_at"]
        indexes = [
            models.Index(fields=["department", "status", "due_on"]),
            models.Index(fields=["case", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "task_id"], name="workitem_task_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.name}"


EVENT_LABELS = {
    "submitted": _("Application submitted"),
    "accept": _("Accepted"),
    "not_accept": _("Not accepted"),
    "correction": _("Correction requested"),
    "resubmit": _("Correction submitted"),
    "forward": _("Reviewed, sent for decision"),
    "approve": _("Approved"),
    "reject": _("Refused"),
    "transfer": _("Transferred to another department"),
    "comment": _("Comment"),
    "start_special": _("Special procedure started (clock paused)"),
    "end_special": _("Special procedure ended"),
    "escalated": _("Overdue: escalated to the department leader"),
    "completed": _("Case completed"),
    "withdrawn": _("Application withdrawn"),
    "withdraw": _("Application withdrawn"),
    "close": _("Matter closed"),
    "deliver": _("Result delivered"),
    "auto": _("Automatic step done"),
    "wait": _("Waiting for another department's result"),
    "prerequisite_met": _("Started: the result it needs was approved"),
    "prerequisite_refused": _("Not started: the result it needs was refused"),
}


class CaseEvent(models.Model):
    """The case history: the legal record of who did what, when and why."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    subcase = models.ForeignKey(
        SubCase, verbose_name=_("sub-case"), null=True, blank=True, on_delete=models.CASCADE
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    note = models.TextField(_("note"), blank=True)
    legal_basis = models.TextField(_("legal basis of the decision"), blank=True)
    public = models.BooleanField(_("shown to the applicant"), default=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class CorrectionStage(models.TextChoices):
    BEFORE_ACCEPTANCE = "before_acceptance", _("Before acceptance")
    IN_REVIEW = "in_review", _("During review")


class CorrectionNotice(models.Model):
    """A one-time correction notice (一次性告知): every missing or defective material at once."""

    subcase = models.ForeignKey(
        SubCase, verbose_name=_("sub-case"), on_delete=models.CASCADE, related_name="corrections"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=CorrectionStage.choices)
    items = models.JSONField(_("what to correct"), default=list)
    note = models.TextField(_("note"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT
    )
    issued_at = models.DateTimeField(_("issued at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction notice")
        verbose_name_plural = _("correction notices")
        ordering = ["issued_at"]

    def __str__(self) -> str:
        return f"{self.subcase} {self.stage}"


class UploadedMaterial(models.Model):
    """A file uploaded for a required material, stored outside the web root."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    draft = models.ForeignKey(
        Draft,
        verbose_name=_("draft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="materials",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials",
    )
    material_code = models.CharField(_("material code"), max_length=40)
    licence_number = models.CharField(
        _("electronic licence used instead of a file"), max_length=60, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=80)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(_("stored as"), max_length=200, unique=True)
    superseded = models.BooleanField(_("replaced by a later upload"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("uploaded material")
        verbose_name_plural = _("uploaded materials")
        ordering = ["material_code", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.material_code} {self.original_name}"


class CaseCounter(models.Model):
    """Serial numbers of case numbers, one row per day."""

    day = models.DateField(_("day"), unique=True)
    last = models.PositiveIntegerField(_("last serial"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class AcceptanceNotice(models.Model):
    """The acceptance notice (受理通知书) of one accepted sub-case, signed with the issuing
    department's key (``tongban.cases.acceptance``). One per sub-case, never changed.

    ``payload`` holds the signed fields (codes, dates and digests only); the applicant's
    name and the materials' names are sealed in ``face_sealed`` under the field-encryption
    key, and bound to the signature through the digest ``payload["g"]``.
    """

    number = models.CharField(_("notice number"), max_length=48, unique=True)
    subcase = models.OneToOneField(
        SubCase,
        verbose_name=_("sub-case"),
        on_delete=models.PROTECT,
        related_name="acceptance_notice",
    )
    payload = models.JSONField(_("signed fields"))
    face_sealed = models.TextField(_("notice face (encrypted)"))
    signature = models.CharField(_("signature"), max_length=400)
    key_id = models.CharField(_("key id"), max_length=64)
    algorithm = models.CharField(_("algorithm"), max_length=32)
    issued_at = models.DateTimeField(_("time of issue"))

    class Meta:
        verbose_name = _("acceptance notice")
        verbose_name_plural = _("acceptance notices")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return self.number


class SharedStatus(models.TextChoices):
    """What became of a material fetched from the department that holds it (共享获取)."""

    OBTAINED = "obtained", _("Obtained through data sharing")
    PENDING = "pending", _("Being fetched")
    UNAVAILABLE = "unavailable", _("Could not be obtained")
    MISMATCH = "mismatch", _("Refused: the record is not the applicant's")


class SharedMaterial(models.Model):
    """A material of a case obtained on the applicant's behalf from the department that
    holds it (``tongban.cases.sharing``), instead of an upload: where from, when, how it was
    verified, and the exchange's id of the call (evidence). ``pending`` while the outbox
    retries a fetch that failed after submission. No value of the record is kept here."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="shared_materials"
    )
    material_code = models.CharField(_("material code"), max_length=40)
    source_code = models.CharField(_("source"), max_length=60)
    source_label = models.CharField(_("source name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=SharedStatus.choices, default=SharedStatus.PENDING
    )
    verification = models.CharField(_("verification"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    exchange_id = models.CharField(_("exchange id"), max_length=64, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material obtained through sharing")
        verbose_name_plural = _("materials obtained through sharing")
        ordering = ["case", "material_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "material_code"], name="shared_material_once_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material_code} {self.status}"
