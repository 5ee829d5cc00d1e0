"""Regions, departments and the service halls where people are served in person.

Regions form one tree: GB/T 2260 codes (6 digits) down to county level, and the 12-digit
statistical division codes (统计用区划代码) for towns and streets, which GB/T 2260 lacks.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.core.identifiers import validate_landline, validate_phone, validate_uscc


class LocalisedName(models.Model):
    """A Chinese name and an optional English one; ``display_name`` picks by language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        lang = get_language() or ""
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name


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
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        validators=[validate_phone],  # type: ignore[list-item]  # returns the cleaned value
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("responsibilities"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "code"]


class ServiceHall(LocalisedName):
    """A government service centre (政务服务中心) or a town/community service station."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="halls"
    )
    address = models.CharField(_("address"), max_length=200)
    opening_hours = models.CharField(_("opening hours"), max_length=200)
    phone = models.CharField(
        _("phone"),
        max_length=40,
        validators=[validate_landline],  # type: ignore[list-item]  # returns the cleaned value
    )
    transit = models.CharField(_("how to get there"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")
        ordering = ["region", "name"]


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
