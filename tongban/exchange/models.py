"""The data-sharing catalogue, member systems, requests and grants (C4, issue 13).

- ``DataResource``: an entry of the government data-resource catalogue (政务数据资源目录),
  owned by a department; ``DataItem``: one of its data items (数据项), on the data-element
  dictionary where the element exists, with its share class (无条件共享 / 有条件共享 /
  不予共享), security grade (the classification levels) and whether it is a personal number
  that is masked unless a grant names it in full.
- ``MemberSystem``: an application (应用) of a department allowed to call the exchange, with
  its assurance level (``levels.assurance_level``) and its public keys (``MemberKey``).
- ``ShareRequest``: a department asks another's resource, field by field, for a purpose on a
  legal basis; the provider answers on a working-day clock; disputes go to the data
  authority (数据主管部门). ``Grant``: what the answer allows, until it expires or is
  revoked.

The share decision itself is ``tongban.exchange.decision.decide`` (pure); see
docs/exchange.md.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import DataElement
from tongban.core.classification import classification_field
from tongban.core.crypto.fields import DigestField, EncryptedFieldsMixin, EncryptedTextField
from tongban.core.localise import localised
from tongban.org.models import Department

from . import decision
from .levels import KeyProtection, assurance_level

CODE_RE = r"^[a-z0-9][a-z0-9._-]*$"
code_validator = RegexValidator(
    CODE_RE, _("Use lower-case letters, digits, dots, hyphens and underscores.")
)
KEY_ID_RE = r"^[A-Za-z0-9_-]{1,64}$"


def _token() -> str:
    return secrets.token_hex(16)


class ShareClass(models.TextChoices):
    """国发〔2016〕51号 Art. 9 and the 2025 政务数据共享条例: the share attribute of an item."""

    UNCONDITIONAL = decision.ShareClass.UNCONDITIONAL.value, _("Shared without conditions")
    CONDITIONAL = decision.ShareClass.CONDITIONAL.value, _("Shared on conditions")
    NOT_SHARED = decision.ShareClass.NOT_SHARED.value, _("Not shared")


class UpdateFrequency(models.TextChoices):
    REAL_TIME = "real_time", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregularly")


class DataFormat(models.TextChoices):
    DATABASE = "database", _("Database table")
    API = "api", _("Service interface")
    FILE = "file", _("Data file (CSV, Excel, JSON, XML)")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DataResource(models.Model):
    """A data resource of the catalogue (政务数据资源), owned by one department."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="data_resources",
    )
    code = models.CharField(
        _("resource code"), max_length=60, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    update_frequency = models.CharField(
        _("update frequency"),
        max_length=16,
        choices=UpdateFrequency.choices,
        default=UpdateFrequency.DAILY,
    )
    source_system = models.CharField(_("source system"), max_length=200)
    data_format = models.CharField(
        _("format"), max_length=16, choices=DataFormat.choices, default=DataFormat.DATABASE
    )
    open_to_public = models.BooleanField(
        _("open to the public"),
        default=False,
        help_text=_("Listed in the open-data catalogue for society, not only for departments."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # A resource of the provincial or national platform, listed from its catalogue: the
    # city does not hold it, so requests and queries are forwarded (tongban.exchange.upstream).
    upstream_id = models.CharField(
        _("upstream catalogue id"),
        max_length=100,
        blank=True,
        help_text=_("Set for resources held by the provincial or national platform."),
    )
    # When the catalogue entry was last pushed to the upstream platform (empty: never).
    pushed_at = models.DateTimeField(_("pushed upstream at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data resource")
        verbose_name_plural = _("data resources")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return localised(self, "name")

    @property
    def display_description(self) -> str:
        return localised(self, "description")


class DataItem(models.Model):
    """One data item of a resource, with its share class and security grade."""

    resource = models.ForeignKey(
        DataResource,
        verbose_name=_("data resource"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The entry of the data-element dictionary, when there is one."),
    )
    code = models.CharField(
        _("field code"),
        max_length=80,
        validators=[code_validator],
        help_text=_("The data element's code, e.g. person.id_number."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    share_class = models.CharField(_("share class"), max_length=16, choices=ShareClass.choices)
    legal_basis = models.TextField(
        _("legal basis for sharing"),
        blank=True,
        help_text=_("Required for items shared on conditions or not shared: law and article."),
    )
    grade = classification_field(verbose_name=_("security grade"))
    personal_number = models.BooleanField(
        _("personal number"),
        default=False,
        help_text=_("An ID number or similar: masked unless a grant names the full field."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("data item")
        verbose_name_plural = _("data items")
        ordering = ["resource", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="exchange_item_code_unique"),
            models.CheckConstraint(
                condition=Q(share_class=ShareClass.UNCONDITIONAL) | ~Q(legal_basis=""),
                name="exchange_item_legal_basis_required",
                violation_error_message=_(
                    "Items shared on conditions or not shared need a legal basis."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return localised(self, "name")

    def clean(self) -> None:
        super().clean()
        self.legal_basis = (self.legal_basis or "").strip()
        element = self.element if self.element_id else None
        if element is not None and not self.code:
            self.code = element.code
        if element is not None and self.code != element.code:
            raise ValidationError(
                {
                    "code": _("The field code must be the data element's code (%(code)s).")
                    % {"code": element.code}
                }
            )
        if self.share_class != ShareClass.UNCONDITIONAL and not self.legal_basis:
            raise ValidationError(
                {"legal_basis": _("Items shared on conditions or not shared need a legal basis.")}
            )

    def as_decision_item(self) -> decision.Item:
        return decision.Item(
            code=self.code,
            share_class=decision.ShareClass(self.share_class),
            grade=int(self.grade),
            personal_number=self.personal_number,
        )


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class MemberSystem(models.Model):
    """An application (应用) of a department registered with the exchange by the data
    authority. Its assurance level is set at registration from its 等保 grade and how its
    key is protected (``levels.assurance_level``)."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="member_systems",
    )
    code = models.CharField(
        _("system code"), max_length=60, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    dengbao_grade = models.PositiveSmallIntegerField(
        _("cybersecurity protection grade"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("The system's grade under the multi-level protection scheme, 1–5."),
    )
    key_protection = models.CharField(
        _("key protection"), max_length=16, choices=KeyProtection.choices
    )
    assurance_level = models.PositiveSmallIntegerField(
        _("assurance level"),
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("member system")
        verbose_name_plural = _("member systems")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assurance_level__gte=1, assurance_level__lte=4),
                name="exchange_member_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The level always follows the grade and the key protection: never typed in.
        self.assurance_level = assurance_level(self.dengbao_grade, self.key_protection)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return localised(self, "name")


class MemberKey(models.Model):
    """A public key of a member system. Rotation adds a new key and retires the old one
    (``valid_until``); a compromised key is revoked. The private key is never stored."""

    member = models.ForeignKey(
        MemberSystem, verbose_name=_("member system"), on_delete=models.CASCADE, related_name="keys"
    )
    key_id = models.CharField(
        _("key id"), max_length=64, unique=True, validators=[RegexValidator(KEY_ID_RE)]
    )
    algorithm = models.CharField(_("algorithm"), max_length=32)
    public_key = models.BinaryField(_("public key"))
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member key")
        verbose_name_plural = _("member keys")
        ordering = ["member", "-valid_from"]

    def __str__(self) -> str:
        return self.key_id

    def is_valid_at(self, moment: Any) -> bool:
        """Usable to verify a call made at ``moment``."""
        if self.revoked_at is not None and self.revoked_at <= moment:
            return False
        if moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting the provider's answer")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused by the provider")
    DISPUTED = "disputed", _("Disputed: with the data authority")
    REFUSAL_UPHELD = "refusal_upheld", _("Refusal upheld by the data authority")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ShareRequest(models.Model):
    """A department's request for fields of another department's resource (共享申请)."""

    member = models.ForeignKey(
        MemberSystem,
        verbose_name=_("requesting system"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("requesting department"),
        on_delete=models.PROTECT,
        related_name="share_requests",
    )
    resource = models.ForeignKey(
        DataResource,
        verbose_name=_("data resource"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    fields = models.ManyToManyField(DataItem, verbose_name=_("data items"), related_name="requests")
    full_fields = models.ManyToManyField(
        DataItem,
        verbose_name=_("fields asked unmasked"),
        related_name="+",
        blank=True,
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    legal_basis = models.TextField(_("legal basis for sharing"))
    duration_days = models.PositiveIntegerField(
        _("duration (days)"), validators=[MinValueValidator(1), MaxValueValidator(1095)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_on = models.DateField(_("answer due on"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reasons = models.TextField(_("reasons for refusal"), blank=True)
    dispute_reason = models.TextField(_("reason for the dispute"), blank=True)
    resolution_note = models.TextField(_("data authority's decision"), blank=True)
    # The upstream platform's reference of a request forwarded to it (resource held upstream).
    upstream_ref = models.CharField(_("upstream reference"), max_length=100, blank=True)
    # A confidential basis (investigations, discipline inspection): reads under it are shown
    # to the data subject only from this day on (issue 14).
    confidential_until = models.DateField(
        _("basis confidential until"),
        null=True,
        blank=True,
        help_text=_("For investigations: reads are withheld from the person until this day."),
    )

    class Meta:
        verbose_name = _("share request")
        verbose_name_plural = _("share requests")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="") & ~Q(legal_basis=""),
                name="exchange_request_purpose_and_basis",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REFUSED) | ~Q(refusal_reasons=""),
                name="exchange_refusal_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.resource_id} ← {self.member_id}"


class Grant(models.Model):
    """What a member may read of a resource (共享授权): fields, purpose, legal basis, until
    ``expires_at``, at most so many calls a minute and a day. A revocation counts from the
    next call: the gateway reads the grant afresh for every decision."""

    request = models.OneToOneField(
        ShareRequest,
        verbose_name=_("share request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant",
    )
    member = models.ForeignKey(
        MemberSystem,
        verbose_name=_("member system"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    resource = models.ForeignKey(
        DataResource,
        verbose_name=_("data resource"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    fields = models.ManyToManyField(DataItem, verbose_name=_("data items"), related_name="grants")
    full_fields = models.ManyToManyField(
        DataItem, verbose_name=_("fields released unmasked"), related_name="+", blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    legal_basis = models.TextField(_("legal basis for sharing"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    rate_per_minute = models.PositiveIntegerField(
        _("calls per minute"), default=60, validators=[MinValueValidator(1)]
    )
    rate_per_day = models.PositiveIntegerField(
        _("calls per day"), default=10000, validators=[MinValueValidator(1)]
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    confidential_until = models.DateField(_("basis confidential until"), null=True, blank=True)
    # The central node's id of a grant received in a signed configuration bundle (P20).
    central_ref = models.CharField(_("central grant id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="") & ~Q(legal_basis=""),
                name="exchange_grant_purpose_and_basis",
            ),
            models.CheckConstraint(
                condition=Q(rate_per_minute__gte=1) & Q(rate_per_day__gte=1),
                name="exchange_grant_rates_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.member_id} → {self.resource_id}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def is_valid_at(self, moment: Any) -> bool:
        return self.revoked_at is None and moment < self.expires_at

    def as_decision_grant(self) -> decision.Grant:
        """The grant as the pure decision sees it (fields by code, fetched now)."""
        codes = frozenset(self.fields.values_list("code", flat=True))
        full = frozenset(self.full_fields.values_list("code", flat=True))
        return decision.Grant(
            member=self.member.code,
            resource=self.resource.code,
            fields=codes,
            purpose=self.purpose,
            legal_basis=self.legal_basis,
            expires_at=self.expires_at,
            revoked=self.revoked_at is not None,
            full_fields=full,
        )


# --- the provider's records (provider adapters, issue 13) ---------------------------------


class SourceKind(models.TextChoices):
    CSV = "csv", _("CSV file")
    EXCEL = "excel", _("Excel workbook")
    JSON = "json", _("JSON file")
    XML = "xml", _("XML file")
    SQL = "sql", _("SQL database (read-only)")


class DataSource(models.Model):
    """Where the records of a resource come from: a file or a read-only SQL source of the
    owning department, mapped column by column to the resource's data items and synced on
    a schedule (``tongban.exchange.sync``). ``location`` is a file path (relative to
    ``TONGBAN_EXCHANGE_SOURCE_ROOT``) or, for SQL, a database URL; ``selector`` is the sheet
    (Excel), the records' path (JSON, XML) or the ``SELECT`` (SQL)."""

    resource = models.ForeignKey(
        DataResource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="sources"
    )
    code = models.CharField(
        _("source code"), max_length=60, unique=True, validators=[code_validator]
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SourceKind.choices)
    location = models.CharField(_("location"), max_length=500)
    selector = models.TextField(_("sheet, path or query"), blank=True)
    key_column = models.CharField(
        _("key column"),
        max_length=100,
        help_text=_("The source column whose value identifies a record (e.g. the ID number)."),
    )
    mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        help_text=_("Source column → data item code of the resource."),
    )
    interval_minutes = models.PositiveIntegerField(
        _("sync every (minutes)"), default=1440, validators=[MinValueValidator(5)]
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
    last_fingerprint = models.CharField(
        _("fingerprint of the last sync"), max_length=128, blank=True
    )

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SyncStatus(models.TextChoices):
    OK = "ok", _("Synced")
    UNCHANGED = "unchanged", _("Source unchanged")
    PARTIAL = "partial", _("Synced; some rows refused")
    FAILED = "failed", _("Failed")


class SyncRun(models.Model):
    """One sync of a source: counts and the refused rows, each named by source, row and
    field (``errors``: ``[{"row": n, "field": "...", "message": "..."}]``, at most 200)."""

    source = models.ForeignKey(
        DataSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="runs"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SyncStatus.choices)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    refused = models.PositiveIntegerField(_("rows refused"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M}"


class DataRecord(EncryptedFieldsMixin, models.Model):
    """One record of a resource held by this node, as the last sync left it. The key and
    the values are encrypted at rest (P18); ``key_digest`` finds a record by its key and
    ``fingerprint`` (a keyed digest of the values) tells a changed record from the same."""

    resource = models.ForeignKey(
        DataResource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="records"
    )
    source = models.ForeignKey(
        DataSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )
    token = models.CharField(_("token"), max_length=32, unique=True, editable=False, default=_token)
    key = EncryptedTextField(_("record key"), bind_field="token")
    key_digest = DigestField(_("record key digest"), source="key", kind="text")
    values = EncryptedTextField(_("values (JSON)"), bind_field="token")
    fingerprint = models.CharField(_("fingerprint"), max_length=128)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen in the source"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed from the source at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data record")
        verbose_name_plural = _("data records")
        ordering = ["resource", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "key_digest"], name="exchange_record_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} #{self.pk}"


# --- the gateway (issue 13) ---------------------------------------------------------------


class SeenNonce(models.Model):
    """A nonce the gateway has accepted, shared by every process and node that uses the
    database (``nonces.DatabaseNonceStore``); purged once ``expires_at`` has passed."""

    key_id = models.CharField(_("key id"), max_length=64)
    nonce = models.CharField(_("nonce"), max_length=128)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("seen nonce")
        verbose_name_plural = _("seen nonces")
        constraints = [
            models.UniqueConstraint(fields=["key_id", "nonce"], name="exchange_nonce_unique")
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.key_id} {self.nonce}"


class RateWindow(models.Model):
    """Calls counted against a grant's rate limits, one row per grant, scope and window
    (``minute`` or ``day``), raised with a conditional ``UPDATE`` so that every process
    counts the same calls."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="rate_windows"
    )
    scope = models.CharField(_("window"), max_length=8)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("calls counted"), default=0)

    class Meta:
        verbose_name = _("rate window")
        verbose_name_plural = _("rate windows")
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "scope", "window_start"], name="exchange_rate_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grant_id} {self.scope} {self.window_start:%Y-%m-%d %H:%M}"


class EvidenceSide(models.TextChoices):
    PROVIDER = "provider", _("Provider (this gateway answered)")
    REQUESTER = "requester", _("Requester (a system of this node asked)")


class ExchangeEvidence(EncryptedFieldsMixin, models.Model):
    """What this node keeps of one exchange (P11): the signed request and the signed
    response as an evidence bundle (``bundle_verify.make_bundle``), encrypted at rest, and
    the audit record that logged the decision. ``tongban exchange verify`` proves it to a
    third party with public keys only. Kept ``TONGBAN_EXCHANGE_RETENTION_DAYS`` (≥ 180, P14)."""

    exchange_id = models.CharField(_("exchange id"), max_length=64)
    side = models.CharField(_("side"), max_length=16, choices=EvidenceSide.choices)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    member = models.ForeignKey(
        MemberSystem,
        verbose_name=_("member system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resource = models.ForeignKey(
        DataResource,
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    grant = models.ForeignKey(
        Grant,
        verbose_name=_("grant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    allowed = models.BooleanField(_("allowed"), default=False)
    reason = models.CharField(_("reason"), max_length=40)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    audit_stream = models.CharField(_("audit stream"), max_length=64, blank=True)
    audit_seq = models.PositiveBigIntegerField(_("audit sequence"), null=True, blank=True)
    bundle = EncryptedTextField(_("evidence bundle (JSON)"), bind_field="exchange_id")

    class Meta:
        verbose_name = _("exchange evidence")
        verbose_name_plural = _("exchange evidence")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["occurred_at"])]
        # A node whose own system calls its own gateway keeps both sides of one exchange.
        constraints = [
            models.UniqueConstraint(
                fields=["exchange_id", "side"], name="exchange_evidence_side_unique"
            )
        ]

    def __str__(self) -> str:
        return self.exchange_id


# --- data correction (数据纠错, issue 13) --------------------------------------------------


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the provider's answer")
    CORRECTED = "corrected", _("Corrected")
    REJECTED = "rejected", _("Value confirmed as right")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DataCorrection(EncryptedFieldsMixin, models.Model):
    """A consumer's report that a value of a resource is wrong (数据纠错). The provider
    answers within ``TONGBAN_EXCHANGE_CORRECTION_DAYS`` working days, on a clock; the
    proposed value is encrypted at rest. Figures per resource come from these rows
    (``tongban.exchange.quality``)."""

    resource = models.ForeignKey(
        DataResource,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    item = models.ForeignKey(
        DataItem, verbose_name=_("data item"), on_delete=models.PROTECT, related_name="corrections"
    )
    record = models.ForeignKey(
        DataRecord,
        verbose_name=_("record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("reporting department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField(_("token"), max_length=32, unique=True, editable=False, default=_token)
    description = models.TextField(_("what is wrong"))
    # The key of the record reported (e.g. an ID number), when it is not held here.
    record_key = EncryptedTextField(_("record key"), bind_field="token", blank=True)
    proposed_value = EncryptedTextField(_("proposed value"), bind_field="token", blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_on = models.DateField(_("answer due on"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("data correction")
        verbose_name_plural = _("data corrections")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(answer=""),
                name="exchange_correction_answer_given",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.resource_id}"


# --- signed configuration (P20, issue 13) -------------------------------------------------


class ConfigOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ConfigBundle(models.Model):
    """A signed configuration bundle (catalogue and membership) offered to this node by the
    central node, accepted only when its signature chains to the installed anchor, it is
    fresh, and its serial is newer than the last accepted one (``tongban.exchange.config``).
    A rejected bundle is recorded with its reason; the last good one stays in force."""

    serial = models.PositiveBigIntegerField(_("serial"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    signer_key_id = models.CharField(_("signer key id"), max_length=64, blank=True)
    digest = models.CharField(_("digest"), max_length=128)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ConfigOutcome.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    body = models.TextField(_("bundle"), blank=True)

    class Meta:
        verbose_name = _("configuration bundle")
        verbose_name_plural = _("configuration bundles")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"#{self.serial} {self.outcome}"


# --- the person's data-access log (issue 14) ----------------------------------------------


class DataAccess(models.Model):
    """One release of a person's or a business's record through the gateway (数据使用记录),
    shown to that person in their personal space, like Estonia's data tracker: who read it
    (member system, department), when, for which case, on which legal basis. ``subject_digest``
    is the keyed digest of the record key (the ID number or credit code), never the key.
    A read under a confidential basis (investigations, discipline inspection) is withheld
    from the subject until ``withheld_until``."""

    subject_digest = models.CharField(_("subject digest"), max_length=100, db_index=True)
    resource = models.ForeignKey(
        DataResource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="+"
    )
    items = models.JSONField(_("data items"), default=list)
    member = models.ForeignKey(
        MemberSystem, verbose_name=_("member system"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("originating department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    official = models.CharField(_("originating official"), max_length=150)
    grant = models.ForeignKey(
        Grant,
        verbose_name=_("grant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    case_ref = models.CharField(_("case"), max_length=64, blank=True)
    exchange_id = models.CharField(_("exchange id"), max_length=64)
    occurred_at = models.DateTimeField(_("read at"), default=timezone.now)
    withheld_until = models.DateField(_("withheld from the subject until"), null=True, blank=True)

    class Meta:
        verbose_name = _("data access")
        verbose_name_plural = _("data accesses")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.exchange_id} {self.resource_id}"


class AccessReportStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the data authority's answer")
    ANSWERED = "answered", _("Answered")


class AccessReport(models.Model):
    """A person reports a read of their data they think wrong; it reaches the data
    authority, who answers on a working-day clock."""

    access = models.ForeignKey(
        DataAccess, verbose_name=_("data access"), on_delete=models.PROTECT, related_name="reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("why you think it wrong"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccessReportStatus.choices,
        default=AccessReportStatus.OPEN,
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_on = models.DateField(_("answer due on"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("data access report")
        verbose_name_plural = _("data access reports")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(answer=""), name="exchange_access_report_answered"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.access_id}"
