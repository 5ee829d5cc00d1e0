"""The moves of a calendar year's status.

A year starts ``provisional`` (nothing entered: deadlines in it count Monday–Friday and are
flagged). Seeding from the ``chinese-calendar`` package makes it ``official`` (and brings an
official package year in line again when the package changes); an administrator's first
entry makes it a ``draft``, confirming makes it ``official``, and any later edit of an
official year re-opens it as a draft.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.transitions import Transitions

from .models import CalendarYear, YearStatus


class Action:
    EDIT = "edit"
    REOPEN = "reopen"
    CONFIRM = "confirm"
    SEED = "seed"


YEAR = Transitions(
    CalendarYear,
    {
        (YearStatus.PROVISIONAL, Action.EDIT): YearStatus.DRAFT,
        (YearStatus.PROVISIONAL, Action.CONFIRM): YearStatus.OFFICIAL,
        (YearStatus.PROVISIONAL, Action.SEED): YearStatus.OFFICIAL,
        (YearStatus.DRAFT, Action.CONFIRM): YearStatus.OFFICIAL,
        (YearStatus.OFFICIAL, Action.REOPEN): YearStatus.DRAFT,
        (YearStatus.OFFICIAL, Action.SEED): YearStatus.OFFICIAL,
    },
    actions={
        Action.EDIT: _("Start entering the schedule"),
        Action.REOPEN: _("Re-open for changes"),
        Action.CONFIRM: _("Confirm the official schedule"),
        Action.SEED: _("Load from the chinese-calendar package"),
    },
)
