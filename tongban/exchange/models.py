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
from tongban.core.localise import localised
from tongban.org.models import Department

from . import decision
from .levels import KeyProtection, assurance_level

CODE_RE = r"^[a-z0-9][a-z0-9._-]*$"
code_validator = RegexValidator(
    CODE_RE, _("Use lower-case letters, digits, dots, hyphens and underscores.")
)
KEY_ID_RE = r"^[A-Za-z0-9_-]{1,64}$"


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
