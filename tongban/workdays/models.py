"""The working-day calendar: official holidays and make-up working days (调休), per year.

Statutory time limits (行政许可法 Art. 42, 45, 82) count working days, excluding statutory
holidays; a holiday that falls on a weekday is not a working day, and a make-up working day
(调休上班) that falls on a Saturday or Sunday is one. Every other day is a working day from
Monday to Friday.

``SpecialDay`` holds the exceptions to Monday–Friday; ``CalendarYear`` says whether a year's
exceptions are the official schedule. Years the ``chinese-calendar`` package knows are
seeded from it (``tongban calendar seed``); later years are entered by an administrator
when the State Council publishes them (each autumn) and then confirmed. A year that is not
confirmed is *provisional*: deadlines falling in it are computed (Monday–Friday plus
whatever has been entered) and flagged, and the system administrators are alerted once.

Writes go through ``tongban.workdays.services``; reads through ``tongban.workdays.calc``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class YearStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional: no schedule entered")
    DRAFT = "draft", _("Being entered: not yet confirmed")
    OFFICIAL = "official", _("Official schedule")


class YearSource(models.TextChoices):
    NONE = "", _("None")
    PACKAGE = "package", _("chinese-calendar package")
    ADMIN = "admin", _("Entered by an administrator")


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=YearStatus.choices, default=YearStatus.PROVISIONAL
    )
    source = models.CharField(
        _("source"), max_length=16, choices=YearSource.choices, default=YearSource.NONE,
        blank=True,
    )  # fmt: skip
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    alerted_at = models.DateTimeField(
        _("provisional alert sent at"),
        null=True,
        blank=True,
        help_text=_(
            "When the system administrators were told that deadlines in this year are "
            "provisional. They are told once per year."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_official(self) -> bool:
        return self.status == YearStatus.OFFICIAL


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class SpecialDay(models.Model):
    """One exception to Monday–Friday: a holiday, or a make-up working day (调休上班)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(
        _("name"), max_length=60, help_text=_("In Chinese, as in the State Council notice.")
    )
    name_en = models.CharField(
        _("English name"), max_length=60, blank=True, help_text=_("e.g. Spring Festival.")
    )

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    @property
    def display_name(self) -> str:
        lang = get_language() or ""
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name
