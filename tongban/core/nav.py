"""The navigation registry: every way into a page is declared by the app that owns the page.

Templates never list links themselves. Each app declares, in its own ``<app>/nav.py``
(imported from its ``AppConfig.ready()``), where its pages appear:

- ``HEADER`` — the blue menu bar under the site name, on every page;
- ``PERSONAL_BAR`` — the signed-in person's links in the header (我的办件, 工作台…);
- ``FOOTER`` — the footer's list of links;
- ``HOME_TOOLS`` — the home page's task tiles (办件查询, 证照核验, 好差评…);
- ``WORKBENCH`` — links on the officials' workbench (``/office/``);
- ``PERSONAL`` — entries at the top of the personal space (``accounts:me``).

Who sees an entry is a predicate on the user, supplied by the registering app (the kernel
knows no roles: role questions belong to ``tongban.accounts.queries``). Within a placement,
entries are shown by ``order``, then by key. A later app adds its pages by registering only.

Workbench *panels* are registered the same way: a callable ``(user) -> Panel | None`` that
returns what the workbench shows for that user (counts, items due, a link), or ``None``
when the user has nothing to do with it.

The registry is filled once per process at start-up (``ready()``) and only read afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

HEADER = "header"
PERSONAL_BAR = "personal_bar"
FOOTER = "footer"
HOME_TOOLS = "home_tools"
WORKBENCH = "workbench"
PERSONAL = "personal"
PLACEMENTS: frozenset[str] = frozenset(
    {HEADER, PERSONAL_BAR, FOOTER, HOME_TOOLS, WORKBENCH, PERSONAL}
)

Predicate = Callable[[Any], bool]


def anyone(user: Any) -> bool:
    """Everyone, signed in or not."""
    return True


def anonymous(user: Any) -> bool:
    """Visitors who have not signed in."""
    return not getattr(user, "is_authenticated", False)


def signed_in(user: Any) -> bool:
    """Anyone signed in with an active account."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def staff(user: Any) -> bool:
    """Accounts allowed into the administration site (``is_staff``; kept in step with
    role assignments by ``tongban.accounts.roles``)."""
    return signed_in(user) and bool(getattr(user, "is_staff", False))


def has_perm(*permissions: str) -> Predicate:
    """A predicate: the signed-in user has one of the Django ``permissions``."""

    def predicate(user: Any) -> bool:
        return signed_in(user) and any(user.has_perm(p) for p in permissions)

    predicate.__qualname__ = f"has_perm({','.join(permissions)})"
    return predicate


@dataclass(frozen=True)
class Entry:
    """One declared link. ``label`` and ``description`` are lazy translations."""

    key: str
    label: Any
    url_name: str
    placements: frozenset[str]
    visible: Predicate = anyone
    order: int = 100
    args: tuple[Any, ...] = ()
    description: Any = ""
    #: The path prefix under which this entry is the current page ("" = the exact URL).
    section: str = ""
    #: A number shown beside the label (e.g. unread messages), asked only when visible.
    badge: Callable[[Any], int] | None = None
    #: Said after the badge's number to screen readers ("unread").
    badge_label: Any = ""


@dataclass(frozen=True)
class Link:
    """An entry resolved for one request: what a template renders."""

    key: str
    label: str
    url: str
    description: str = ""
    current: bool = False
    badge: int = 0
    badge_label: str = ""


@dataclass
class Count:
    """A number on a workbench panel, with the page that lists what it counts."""

    label: Any
    value: int
    url: str = ""
    #: "warning" or "danger" draws attention (never the colour alone: the label says it).
    tone: str = ""


@dataclass
class PanelItem:
    """One row of a workbench panel, e.g. a work item whose deadline is near."""

    label: str
    url: str = ""
    note: str = ""
    due_on: date | None = None
    tone: str = ""


@dataclass
class Panel:
    """What one app shows one user on the workbench."""

    title: Any
    url: str = ""
    link_label: Any = ""
    counts: list[Count] = field(default_factory=list)
    items: list[PanelItem] = field(default_factory=list)
    #: Said when there are no items (what would appear here, and when).
    empty: Any = ""
    key: str = ""


PanelSource = Callable[[Any], Panel | None]


@dataclass(frozen=True)
class PanelRegistration:
    key: str
    source: PanelSource
    order: int


_entries: dict[str, Entry] = {}
_panels: dict[str, PanelRegistration] = {}


def _origin(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


def register(
    key: str,
    *,
    label: Any,
    url_name: str,
    placements: str | tuple[str, ...] | frozenset[str],
    visible: Predicate = anyone,
    order: int = 100,
    args: tuple[Any, ...] = (),
    description: Any = "",
    section: str = "",
    badge: Callable[[Any], int] | None = None,
    badge_label: Any = "",
) -> Entry:
    """Declare the link ``key`` (e.g. ``"cases.status"``) in one or more placements.

    Registering the same key again with the same URL replaces the entry (a module imported
    twice); a different URL under a taken key raises ``ImproperlyConfigured``, and so does
    an unknown placement.
    """
    wanted = frozenset({placements} if isinstance(placements, str) else placements)
    unknown = wanted - PLACEMENTS
    if not wanted or unknown:
        raise ImproperlyConfigured(f"nav entry {key!r}: unknown placement {sorted(unknown)}")
    known = _entries.get(key)
    if known is not None and (known.url_name, known.args) != (url_name, tuple(args)):
        raise ImproperlyConfigured(f"two nav entries for {key!r}")
    entry = Entry(
        key=key,
        label=label,
        url_name=url_name,
        placements=wanted,
        visible=visible,
        order=order,
        args=tuple(args),
        description=description,
        section=section,
        badge=badge,
        badge_label=badge_label,
    )
    _entries[key] = entry
    return entry


def register_panel(key: str, source: PanelSource, *, order: int = 100) -> None:
    """Declare a workbench panel: ``source(user)`` returns a ``Panel`` or ``None``.
    Another function under a taken key raises ``ImproperlyConfigured``."""
    known = _panels.get(key)
    if known is not None and _origin(known.source) != _origin(source):
        raise ImproperlyConfigured(f"two workbench panels for {key!r}")
    _panels[key] = PanelRegistration(key, source, order)


def registered(placement: str) -> list[Entry]:
    """Every entry of ``placement`` whoever sees it, in display order."""
    if placement not in PLACEMENTS:
        raise ImproperlyConfigured(f"unknown nav placement {placement!r}")
    rows = [e for e in _entries.values() if placement in e.placements]
    return sorted(rows, key=lambda e: (e.order, e.key))


def links(placement: str, user: Any, path: str | None = None) -> list[Link]:
    """The entries of ``placement`` that ``user`` sees, resolved to URLs, in order.

    An entry whose URL name does not resolve (its app is not installed) is left out.
    ``path`` (the request's) marks the current page: an exact match, or a match under the
    entry's ``section`` prefix.
    """
    found: list[Link] = []
    for entry in registered(placement):
        if not entry.visible(user):
            continue
        try:
            url = reverse(entry.url_name, args=entry.args)
        except NoReverseMatch:
            continue
        current = path is not None and (
            path == url or bool(entry.section and path.startswith(entry.section))
        )
        found.append(
            Link(
                key=entry.key,
                label=str(entry.label),
                url=url,
                description=str(entry.description or ""),
                current=current,
                badge=entry.badge(user) if entry.badge else 0,
                badge_label=str(entry.badge_label or ""),
            )
        )
    return found


def panels(user: Any) -> list[Panel]:
    """The workbench panels ``user`` has, in order (sources returning ``None`` left out)."""
    shown: list[Panel] = []
    for reg in sorted(_panels.values(), key=lambda r: (r.order, r.key)):
        panel = reg.source(user)
        if panel is not None:
            panel.key = panel.key or reg.key
            shown.append(panel)
    return shown


@contextmanager
def isolated() -> Iterator[None]:
    """Inside the block the registry starts empty; afterwards it is as before (tests)."""
    saved_entries, saved_panels = dict(_entries), dict(_panels)
    _entries.clear()
    _panels.clear()
    try:
        yield
    finally:
        _entries.clear()
        _entries.update(saved_entries)
        _panels.clear()
        _panels.update(saved_panels)


# --- the kernel's own entry ---------------------------------------------------------------

register(
    "core.admin",
    label=_("Administration site"),
    description=_(
        "Accounts, roles, the catalogue, the calendar and the audit trail, as your duty allows."
    ),
    url_name="admin:index",
    placements=(PERSONAL_BAR, WORKBENCH, PERSONAL),
    visible=staff,
    order=900,
)
