"""Regions, departments and the service halls where people are served in person.

Regions form one tree: GB/T 2260 codes (6 digits) down to county level, and the 12-digit
statistical division codes (统计用区划代码) for towns and streets, which GB/T 2260 lacks.
"""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.identifiers import (
    validate_current_region_code,
    validate_landline,
    validate_phone,
    validate_uscc,
)
from tongban.core.localise import localised


class LocalisedName(models.Model):
    """A Chinese name and an optional English one; ``display_name`` picks by language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    #: Texts a citizen reads, each with an English twin ``<field>_en`` (core.localise).
    TRANSLATED: ClassVar[tuple[str, ...]] = ("name",)

    @property
    def display_name(self) -> str:
        return localised(self, "name")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture-level city")
    COUNTY = "county", _("County or district")
    TOWN = "town", _("Town")
    STREET = "street", _("Street (subdistrict)")


class Region(LocalisedName):
    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    seat = models.CharField(_("government seat"), max_length=200, blank=True)
    profile = models.TextField(_("profile"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["sort_order", "code"]

    @property
    def is_town_level(self) -> bool:
        return self.level in (RegionLevel.TOWN, RegionLevel.STREET)

    def clean(self) -> None:
        """Check a new code (one no row has yet) against today's GB/T 2260 table, and every
        code against the level: 6 digits for a province, city or county, 9 or 12 for a
        town or street. Rows whose county was abolished later stay editable.

        Raises ``ValidationError`` on ``code`` (core.identifiers codes ``format``,
        ``structure``, ``region``)."""
        super().clean()
        if not Region.objects.filter(pk=self.code).exists():
            try:
                self.code = validate_current_region_code(self.code)
            except ValidationError as exc:
                raise ValidationError({"code": exc.error_list}) from None
        if self.level and (len(self.code) == 6) == self.is_town_level:
            raise ValidationError(
                {
                    "code": ValidationError(
                        _(
                            "A province, city or county has a 6-digit code; a town or "
                            "street has a 9- or 12-digit code."
                        ),
                        code="structure",
                    )
                }
            )


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("Government department")
    VERTICAL = "vertical", _("Vertically managed agency")
    TOWN = "town", _("Town or street government")
    PUBLIC_SERVICE = "public_service", _("Public service institution")


class Department(LocalisedName):
    code = models.SlugField(_("short code"), max_length=40, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],  # type: ignore[list-item]
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=DepartmentKind.choices,
        default=DepartmentKind.GOVERNMENT,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        validators=[validate_phone],  # type: ignore[list-item]  # returns the cleaned value
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("responsibilities"), blank=True)
    description_en = models.TextField(_("responsibilities (English)"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "code"]

    TRANSLATED: ClassVar[tuple[str, ...]] = ("name", "address", "description")

    def clean(self) -> None:
        """A new department, or one moved to another region, must serve a region whose
        code is in today's GB/T 2260 table. Raises ``ValidationError`` on ``region``."""
        super().clean()
        if self.region_id is None:
            return
        if self.pk is not None:
            stored = Department.objects.filter(pk=self.pk).values_list("region_id", flat=True)
            if stored.first() == self.region_id:
                return
        try:
            validate_current_region_code(self.region_id)
        except ValidationError as exc:
            raise ValidationError({"region": exc.error_list}) from None


class ServiceHall(LocalisedName):
    """A government service centre (政务服务中心) or a town/community service station."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="halls"
    )
    address = models.CharField(_("address"), max_length=200)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=300, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=40,
        validators=[validate_landline],  # type: ignore[list-item]  # returns the cleaned value
    )
    transit = models.CharField(_("how to get there"), max_length=300, blank=True)
    transit_en = models.CharField(_("how to get there (English)"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")
        ordering = ["region", "name"]

    TRANSLATED: ClassVar[tuple[str, ...]] = ("name", "address", "opening_hours", "transit")


class ServiceWindow(models.Model):
    """A counter (窗口) in a hall; a department may staff several."""

    hall = models.ForeignKey(
        ServiceHall,
        verbose_name=_("service hall"),
        on_delete=models.CASCADE,
        related_name="windows",
    )
    number = models.CharField(_("window number"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="windows",
    )
    is_comprehensive = models.BooleanField(
        _("comprehensive window (handles bundles)"), default=False
    )
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.hall.name} {self.number} {self.name}"
