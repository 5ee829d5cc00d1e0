"""Generated inputs of the share decision, for the tests and for ``bench/exchange_decision.py``.

A small universe (five item codes and an unknown one, two members, two resources, two
purposes, grants that expire an hour either side of the call) so that every row of the P6
table is reached often: most generated cases pass the requester checks, and grants often
match. ``plain`` turns a case into the oracle's plain values (``tests/exchange_oracle.py``).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from tongban.exchange.decision import Grant, Item, Query, Requester, ShareClass

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CODES = ("a", "b", "c", "d", "e")
ASKABLE = (*CODES, "zz")  # "zz" is never an item
MEMBERS = ("m1", "m2")
RESOURCES = ("r1", "r2")
PURPOSES = ("p1", "p2")
BASES = ("law art. 1", "", "  ")
OFFSETS = (-3600, -1, 0, 1, 3600)  # seconds from NOW to the grant's expiry
CLASSES = tuple(ShareClass)

Case = tuple[Requester, Query, dict[str, Item], Grant | None]


def _pick(draw: Any, first: Any, other: Any) -> Any:
    """``first`` four times as often as ``other``."""
    return draw(st.sampled_from((first, first, first, first, other)))


@st.composite
def cases(draw: Any) -> Case:
    """A Hypothesis strategy of whole cases: asked fields are mostly items of the resource."""
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=5, unique=True))
    items = {
        c: Item(c, draw(st.sampled_from(CLASSES)), draw(st.integers(1, 4)), draw(st.booleans()))
        for c in codes
    }
    requester = Requester(
        "m1", _pick(draw, True, False), _pick(draw, True, False), draw(st.integers(1, 4))
    )
    askable = st.sampled_from((*codes, *codes, *codes, "zz"))
    fields = tuple(draw(st.lists(askable, max_size=4)))
    query = Query(
        _pick(draw, "r1", "r2"), fields, _pick(draw, "p1", "p2"), draw(st.integers(1, 4)), NOW
    )
    grant = None
    if _pick(draw, True, False):
        granted = st.frozensets(st.sampled_from(CODES))
        grant = Grant(
            member=_pick(draw, "m1", "m2"),
            resource=_pick(draw, "r1", "r2"),
            fields=draw(granted),
            purpose=_pick(draw, "p1", "p2"),
            legal_basis=_pick(draw, BASES[0], draw(st.sampled_from(BASES[1:]))),
            expires_at=NOW + timedelta(seconds=draw(st.sampled_from(OFFSETS))),
            revoked=_pick(draw, False, True),
            full_fields=draw(granted),
        )
    return requester, query, items, grant


def random_case(rng: random.Random) -> Case:
    """One case drawn with ``rng`` from the same universe (fast, for 10^5 cases)."""

    def often(p: float = 0.8) -> bool:
        return rng.random() < p

    codes = [c for c in CODES if often(0.6)] or [rng.choice(CODES)]
    items = {c: Item(c, rng.choice(CLASSES), rng.randint(1, 4), often(0.3)) for c in codes}
    requester = Requester("m1", often(0.9), often(0.9), rng.randint(1, 4))
    askable = (*codes, *codes, *codes, "zz")
    fields = tuple(rng.choice(askable) for _ in range(rng.randint(0, 4)))
    query = Query(
        "r1" if often() else "r2", fields, "p1" if often() else "p2", rng.randint(1, 4), NOW
    )
    grant = None
    if often(0.75):
        grant = Grant(
            member="m1" if often() else "m2",
            resource="r1" if often() else "r2",
            fields=frozenset(c for c in CODES if often(0.6)),
            purpose="p1" if often() else "p2",
            legal_basis=BASES[0] if often() else rng.choice(BASES[1:]),
            expires_at=NOW + timedelta(seconds=rng.choice(OFFSETS)),
            revoked=not often(),
            full_fields=frozenset(c for c in CODES if often(0.3)),
        )
    return requester, query, items, grant


def plain(
    requester: Requester, query: Query, items: dict[str, Item], grant: Grant | None
) -> tuple[Any, ...]:
    """The case as the oracle takes it: tuples and strings only."""
    who = (requester.member, requester.authenticated, requester.government, requester.level)
    ask = (query.resource, query.fields, query.purpose, query.clearance, query.now)
    table = {c: (str(i.share_class), i.grade, i.personal_number) for c, i in items.items()}
    granted = None
    if grant is not None:
        granted = (
            grant.member,
            grant.resource,
            grant.fields,
            grant.purpose,
            grant.legal_basis,
            grant.expires_at,
            grant.revoked,
            grant.full_fields,
        )
    return who, ask, table, granted
