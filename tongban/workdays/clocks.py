"""The registry of running clocks: every app that keeps deadlines says where its clocks are.

Supervision (督办) lists every running clock of the platform — sub-cases' promised limits,
rectification tickets, later 12345 work orders, petitions (信访) and disclosure requests
(依申请公开) — without ``workdays`` importing any of those apps (they sit above it in the
layers). Each app registers a provider in its ``AppConfig.ready``::

    from tongban.workdays import clocks
    clocks.register("cases.subcases", running_subcase_clocks)

A provider is a callable without arguments that yields ``RunningClock`` entries, read from
the database when called. The registry itself is filled once at start-up, the same in every
process (like Django's signal receivers): it holds code, never data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from .calc import Clock, ClockReading, WorkCalendar

__all__ = [
    "Provider",
    "RunningClock",
    "providers",
    "register",
    "running_clocks",
    "unregister",
]


@dataclass(frozen=True)
class RunningClock:
    """One running deadline: ``key`` is unique across the platform (``"cases.subcase:12:
    promised"``), ``kind`` says which limit it is (``"promised"``, ``"rectification"``),
    ``label`` names the matter (a case number and item), ``owner_id`` the responsible
    department, ``link`` the officials' page of the matter."""

    key: str
    kind: str
    label: str
    clock: Clock
    owner_id: int | str | None = None
    link: str = ""

    def read(
        self, now: datetime | None = None, *, calendar: WorkCalendar | None = None
    ) -> ClockReading:
        """The clock at ``now`` (see ``Clock.read``)."""
        return self.clock.read(now, calendar=calendar)


Provider = Callable[[], Iterable[RunningClock]]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add ``provider`` under ``name`` (registering the same callable again is a no-op).

    Raises ``ValueError`` if another provider already holds ``name``.
    """
    current = _providers.get(name)
    if current is not None and current is not provider:
        raise ValueError(f"a clock provider named {name!r} is already registered")
    _providers[name] = provider


def unregister(name: str) -> None:
    """Remove the provider ``name`` (for tests); unknown names are ignored."""
    _providers.pop(name, None)


def providers() -> dict[str, Provider]:
    """The registered providers by name (a copy)."""
    return dict(_providers)


def running_clocks(names: Iterable[str] | None = None) -> list[RunningClock]:
    """Every running clock of the platform (or of the providers ``names``), in the order
    the providers were registered. Raises ``KeyError`` for an unknown name."""
    chosen = list(_providers) if names is None else list(names)
    found: list[RunningClock] = []
    for name in chosen:
        found.extend(_providers[name]())
    return found
