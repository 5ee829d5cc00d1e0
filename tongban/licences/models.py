"""Electronic licences (电子证照): licence types, the licences issued, and two mappings.

- ``LicenceType``: what a department issues (营业执照, 食品经营许可证 …) with its national
  type code, its validity rule and its face fields (照面信息).
- ``ItemLicence``: the service item whose approval issues a licence of that type.
- ``MaterialLicence``: a material (by code) that a held licence of that type satisfies
  (免提交, see ``tongban.licences.reuse``).
- ``Licence``: one issued licence, signed with the issuing department's licence key.

Numbering, the signed payload and verification: docs/licences.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import ServiceItem
from tongban.core.classification import Classified
from tongban.org.models import Department

TYPE_CODE_RE = re.compile(r"^[0-9A-Z]{6,20}$")
FACE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class HolderKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Layout(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificate (A4, portrait)")
    CARD = "card", _("Card")


class LicenceStatus(models.TextChoices):
    """Stored: valid, suspended, revoked. ``expired`` is computed from the dates."""

    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class LicenceType(models.Model):
    """A kind of licence a department issues.

    ``face_fields`` lists the face (照面) of the licence, in display order::

        [{"key": "name", "label": "名称", "label_en": "Name",
          "element": "enterprise.name",   # data element of the application form
          "public": true,                 # shown on the public verification page
          "sensitive": false,             # encrypted at rest, masked when shown
          "generate": "",                 # "uscc" / "uscc-individual": assign a
                                          # credit code when the form has none
          "default": ""}]                 # the value when the form has none
    """

    code = models.CharField(
        _("licence type code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(TYPE_CODE_RE, _("Use 6 to 20 digits or capital letters."))],
        help_text=_("The national licence type code, e.g. 11100000MB01."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("issuing department"),
        on_delete=models.PROTECT,
        related_name="licence_types",
    )
    holder_kind = models.CharField(
        _("holder"), max_length=16, choices=HolderKind.choices, default=HolderKind.PERSON
    )
    validity_months = models.PositiveIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: valid without a time limit."),
    )
    face_fields = models.JSONField(_("face fields"), default=list, blank=True)
    layout = models.CharField(
        _("layout"), max_length=16, choices=Layout.choices, default=Layout.CERTIFICATE
    )

    class Meta:
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        english = (get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.name

    def fields(self) -> list[dict[str, Any]]:
        """The face fields with every option filled in."""
        out = []
        for spec in self.face_fields or []:
            out.append(
                {
                    "key": str(spec.get("key", "")),
                    "label": str(spec.get("label", "")),
                    "label_en": str(spec.get("label_en", "")),
                    "element": str(spec.get("element", "")),
                    "public": bool(spec.get("public", False)),
                    "sensitive": bool(spec.get("sensitive", False)),
                    "generate": str(spec.get("generate", "")),
                    "default": str(spec.get("default", "")),
                }
            )
        return out

    def valid_until_for(self, valid_from: dt.date) -> dt.date | None:
        """The last day of validity of a licence valid from ``valid_from``."""
        if not self.validity_months:
            return None
        month = valid_from.month - 1 + self.validity_months
        year, month = valid_from.year + month // 12, month % 12 + 1
        day = min(valid_from.day, _days_in_month(year, month))
        return dt.date(year, month, day) - dt.timedelta(days=1)


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


class ItemLicence(models.Model):
    """The licence type a service item's approval issues (办件结果 → 证照)."""

    item = models.OneToOneField(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="licence_link",
    )
    licence_type = models.ForeignKey(
        LicenceType,
        verbose_name=_("licence type"),
        on_delete=models.PROTECT,
        related_name="item_links",
    )

    class Meta:
        verbose_name = _("item's licence")
        verbose_name_plural = _("items' licences")

    def __str__(self) -> str:
        return f"{self.item.implementation_code} → {self.licence_type.code}"


class MaterialLicence(models.Model):
    """A material (by its code) that a valid licence of ``licence_type`` satisfies."""

    material_code = models.CharField(_("material code"), max_length=40)
    licence_type = models.ForeignKey(
        LicenceType,
        verbose_name=_("licence type"),
        on_delete=models.CASCADE,
        related_name="material_links",
    )

    class Meta:
        verbose_name = _("material satisfied by a licence")
        verbose_name_plural = _("materials satisfied by licences")
        ordering = ["material_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["material_code", "licence_type"], name="material_licence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material_code} ← {self.licence_type.code}"


class Licence(Classified):
    """One issued licence. Face values of sensitive fields are stored encrypted in
    ``face_sealed``; the others in ``face_data``. The signature covers the number, type
    code, issuer, dates, the holder hash, the face digest and the key id (docs/licences.md).
    """

    OWNER_LOOKUPS: ClassVar[tuple[str, ...]] = (
        "holder_user",
        "holder_organisation__members__user",
    )

    number = models.CharField(_("licence number"), max_length=64, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("licence type"), on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name=_("issuing department"), on_delete=models.PROTECT
    )
    holder_kind = models.CharField(_("holder"), max_length=16, choices=HolderKind.choices)
    holder_name = models.CharField(_("holder's name"), max_length=200, blank=True)
    holder_digest = models.CharField(
        _("holder ID digest"),
        max_length=100,
        db_index=True,
        help_text=_("Keyed digest of the holder's ID number or credit code; never the number."),
    )
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    holder_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("holding organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    face_data = models.JSONField(_("face data"), default=dict, blank=True)
    face_sealed = models.TextField(_("sensitive face data (encrypted)"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("source case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    source_subcase = models.OneToOneField(
        "cases.SubCase",
        verbose_name=_("source sub-case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licence",
    )
    holder_hash = models.CharField(_("holder hash (signed)"), max_length=100)
    face_digest = models.CharField(_("face digest (signed)"), max_length=100)
    key_id = models.CharField(_("key id"), max_length=64)
    algorithm = models.CharField(_("signature algorithm"), max_length=32)
    signature = models.TextField(_("signature"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["holder_user", "status"])]

    def __str__(self) -> str:
        return self.number

    def current_status(self, today: dt.date | None = None) -> str:
        """valid, suspended, revoked or expired (computed from ``valid_until``)."""
        if self.status != LicenceStatus.VALID:
            return str(self.status)
        today = today or timezone.localdate()
        if self.valid_until is not None and today > self.valid_until:
            return str(LicenceStatus.EXPIRED)
        return str(LicenceStatus.VALID)

    @property
    def status_label(self) -> str:
        return str(LicenceStatus(self.current_status()).label)
