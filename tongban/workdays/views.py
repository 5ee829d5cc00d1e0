"""The calendar pages: the list of years and one year as twelve month grids.

Reading needs ``workdays.view_calendaryear`` (or the change permission); adding and removing
special days and confirming a year need ``workdays.change_calendaryear``. Every change goes
through ``tongban.workdays.services``. The pages work without JavaScript.
"""

from __future__ import annotations

import calendar as pycalendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.errors import put_errors
from tongban.workdays import services
from tongban.workdays.calc import WorkCalendar, local_date
from tongban.workdays.forms import SpecialDayForm
from tongban.workdays.models import CalendarYear, DayKind, SpecialDay, YearStatus

VIEW = "workdays.view_calendaryear"
CHANGE = "workdays.change_calendaryear"

WEEKDAY_HEADERS = (
    pgettext_lazy("calendar column: Monday", "Mo"),
    pgettext_lazy("calendar column: Tuesday", "Tu"),
    pgettext_lazy("calendar column: Wednesday", "We"),
    pgettext_lazy("calendar column: Thursday", "Th"),
    pgettext_lazy("calendar column: Friday", "Fr"),
    pgettext_lazy("calendar column: Saturday", "Sa"),
    pgettext_lazy("calendar column: Sunday", "Su"),
)
MARKS = {
    DayKind.HOLIDAY: pgettext_lazy("calendar mark on a holiday", "off"),
    DayKind.MAKEUP_WORKDAY: pgettext_lazy("calendar mark on a make-up working day", "work"),
}


def _calendar_reader(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; users without the right get 403."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.has_perm(VIEW) or user.has_perm(CHANGE)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(guarded)


@dataclass(frozen=True)
class Cell:
    day: date | None
    workday: bool = False
    special: SpecialDay | None = None
    today: bool = False

    @property
    def css(self) -> str:
        if self.day is None:
            return "tb-cal__day tb-cal__day--blank"
        classes = ["tb-cal__day"]
        if self.special is not None:
            classes.append(
                "tb-cal__day--holiday"
                if self.special.kind == DayKind.HOLIDAY
                else "tb-cal__day--makeup"
            )
        elif not self.workday:
            classes.append("tb-cal__day--weekend")
        if self.today:
            classes.append("tb-cal__day--today")
        return " ".join(classes)

    @property
    def mark(self) -> str:
        return str(MARKS[self.special.kind]) if self.special is not None else ""  # type: ignore[index]


@dataclass(frozen=True)
class Month:
    number: int
    name: str
    weeks: list[list[Cell]]


def _months(year: int, days: dict[date, SpecialDay]) -> tuple[list[Month], int]:
    """Twelve month grids (weeks from Monday) and the number of working days in the year."""
    arithmetic = WorkCalendar({d: s.kind for d, s in days.items()})
    today = local_date(timezone.now())
    grid = pycalendar.Calendar(firstweekday=0)
    months = []
    for number in range(1, 13):
        weeks = [
            [
                Cell(d, arithmetic.is_workday(d), days.get(d), d == today)
                if d.month == number
                else Cell(None)
                for d in week
            ]
            for week in grid.monthdatescalendar(year, number)
        ]
        months.append(Month(number, str(MONTHS[number]), weeks))
    workdays = arithmetic.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
    return months, workdays


@dataclass
class Period:
    """One holiday as the State Council notice lists it: days off and days worked instead."""

    name: str
    first: date
    off: list[tuple[date, date, int]]  # runs of consecutive days off: first, last, count
    worked: list[date]


def _periods(days: list[SpecialDay]) -> list[Period]:
    periods: dict[str, Period] = {}
    for special in sorted(days, key=lambda s: s.date):
        period = periods.setdefault(
            special.name, Period(special.display_name, special.date, [], [])
        )
        if special.kind == DayKind.MAKEUP_WORKDAY:
            period.worked.append(special.date)
        elif period.off and period.off[-1][1] == special.date - timedelta(days=1):
            first, _last, count = period.off[-1]
            period.off[-1] = (first, special.date, count + 1)
        else:
            period.off.append((special.date, special.date, 1))
    return sorted(periods.values(), key=lambda p: p.off[0][0] if p.off else p.first)


def _year_or_404(year: int) -> None:
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404


@_calendar_reader
@require_GET
def year_list(request: HttpRequest) -> HttpResponse:
    this_year = local_date(timezone.now()).year
    stored = {row.year: row for row in CalendarYear.objects.select_related("confirmed_by")}
    years = sorted(set(stored) | {this_year, this_year + 1}, reverse=True)
    rows = [(year, stored.get(year)) for year in years]
    return render(request, "workdays/year_list.html", {"rows": rows, "this_year": this_year})


def _handle_post(request: HttpRequest, year: int, form: SpecialDayForm) -> HttpResponse | None:
    """Apply one change; ``None`` when the add form has errors to show."""
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    action = request.POST.get("action", "")
    try:
        if action == "add":
            if not form.is_valid():
                return None
            data = form.cleaned_data
            special = services.add_special_day(
                request.user, day=data["date"], kind=data["kind"], name=data["name"],
                name_en=data["name_en"], year=year,
            )  # fmt: skip
            messages.success(request, _("%(date)s added.") % {"date": _label(special.date)})
        elif action == "remove":
            day = _parse_date(request.POST.get("date", ""))
            services.remove_special_day(request.user, day=day, year=year)
            messages.success(request, _("%(date)s removed.") % {"date": _label(day)})
        elif action == "confirm":
            services.confirm_year(request.user, year)
            messages.success(request, _("The schedule of %(year)s is confirmed.") % {"year": year})
        else:
            messages.error(request, _("Choose what to do."))
    except ValidationError as error:
        if action == "add":
            put_errors(form, error)
            return None
        for problem in error.messages:
            messages.error(request, problem)
    return redirect("workdays:year", year=year)


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _label(day: date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


@_calendar_reader
@require_http_methods(["GET", "POST"])
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    _year_or_404(year)
    form = SpecialDayForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        response = _handle_post(request, year, form)
        if response is not None:
            return response
    calendar_year = CalendarYear.objects.select_related("confirmed_by").filter(year=year).first()
    days = {s.date: s for s in SpecialDay.objects.filter(date__year=year).order_by("date")}
    months, workdays = _months(year, days)
    status = calendar_year.status if calendar_year else YearStatus.PROVISIONAL
    context = {
        "year": year,
        "calendar_year": calendar_year,
        "status": status,
        "status_label": YearStatus(status).label,
        "official": status == YearStatus.OFFICIAL,
        "months": months,
        "weekday_headers": WEEKDAY_HEADERS,
        "marks": {str(kind): str(mark) for kind, mark in MARKS.items()},
        "days": list(days.values()),
        "periods": _periods(list(days.values())),
        "holiday_count": sum(1 for s in days.values() if s.kind == DayKind.HOLIDAY),
        "workday_count": workdays,
        "form": form,
        "can_change": request.user.has_perm(CHANGE),
        "previous_year": year - 1 if year > services.FIRST_YEAR else None,
        "next_year": year + 1 if year < services.LAST_YEAR else None,
    }
    return render(request, "workdays/year_detail.html", context)
