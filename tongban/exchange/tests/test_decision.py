"""P6 and P7: the pure share decision agrees with the independent oracle, case by case.

The oracle (``tests/exchange_oracle.py``) is the P6 table written again from the standard
in twenty lines, importing nothing of tongban. Hypothesis draws about 2,000 cases per run;
``bench/exchange_decision.py`` draws 10^5. Below, one explicit case per row of the table.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.exchange_oracle import oracle
from tongban.exchange.decision import (
    Decision,
    Grant,
    Item,
    Query,
    Reason,
    Requester,
    ShareClass,
    decide,
    effective_level,
)

from .decision_cases import NOW, cases, plain, random_case


def _as_tuple(decision: Decision) -> tuple[object, ...]:
    return (
        decision.allowed,
        str(decision.reason),
        decision.released,
        decision.masked,
        decision.field,
    )


def _check(requester, query, items, grant):
    decision = decide(requester, query, items, grant)
    assert _as_tuple(decision) == oracle(*plain(requester, query, items, grant))
    # P7: an allowed answer holds exactly the fields asked, never more; a denial holds none.
    if decision.allowed:
        assert set(decision.released) == set(query.fields)
        assert decision.masked <= set(decision.released)
    else:
        assert decision.released == () and decision.masked == frozenset()


# About 2,000 examples in all: 400 structured ones (Hypothesis shrinks a failure to a small
# case) and 1,600 drawn from a seeded random generator (cheap, so the suite stays fast).
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_p6_decision_agrees_with_the_oracle(case):
    _check(*case)


@settings(max_examples=1600, deadline=None)
@given(st.randoms(use_true_random=True))
def test_p6_decision_agrees_with_the_oracle_on_random_cases(rng):
    _check(*random_case(rng))


def test_generated_cases_reach_every_row_of_the_table():
    # The universe is small enough that 5,000 cases reach every reason: the agreement
    # above is not carried by the first rows alone.
    rng = random.Random(13)
    seen: Counter[str] = Counter()
    for _ in range(5000):
        case = random_case(rng)
        decision = decide(*case)
        assert _as_tuple(decision) == oracle(*plain(*case))
        seen[str(decision.reason)] += 1
    assert set(seen) == {str(r) for r in Reason}, seen
    assert seen[str(Reason.ALLOW)] > 200


# --- one case per row -----------------------------------------------------------------------

U, C, N = ShareClass.UNCONDITIONAL, ShareClass.CONDITIONAL, ShareClass.NOT_SHARED
ITEMS = {
    "name": Item("name", U, 2),
    "id": Item("id", C, 3, personal_number=True),
    "addr": Item("addr", C, 3),
    "record": Item("record", N, 1),
    "secret": Item("secret", U, 4),
    "pid": Item("pid", U, 1, personal_number=True),
}
MEMBER = Requester("edu", authenticated=True, government=True, level=3)


def ask(
    *fields: str, purpose: str = "enrolment", clearance: int = 3, resource: str = "pop"
) -> Query:
    return Query(resource, fields, purpose, clearance, NOW)


BASE_GRANT = Grant(
    member="edu",
    resource="pop",
    fields=frozenset({"name", "id", "addr"}),
    purpose="enrolment",
    legal_basis="义务教育法 第十二条",
    expires_at=NOW + timedelta(days=30),
)


def grant(**changes: Any) -> Grant:
    return replace(BASE_GRANT, **changes)


def test_unconditional_items_need_no_grant_but_an_authenticated_government_member():
    allowed = decide(MEMBER, ask("name"), ITEMS)
    assert allowed.allowed and allowed.released == ("name",)
    unsigned = Requester("edu", authenticated=False, government=True, level=3)
    assert decide(unsigned, ask("name"), ITEMS).reason == Reason.UNAUTHENTICATED
    company = Requester("edu", authenticated=True, government=False, level=3)
    assert decide(company, ask("name"), ITEMS).reason == Reason.NOT_GOVERNMENT


def test_not_shared_items_never_leave_whatever_the_grant():
    everything = grant(fields=frozenset(ITEMS), full_fields=frozenset(ITEMS))
    top = Requester("edu", authenticated=True, government=True, level=4)
    decision = decide(top, ask("name", "record", clearance=4), ITEMS, everything)
    assert (decision.allowed, decision.reason, decision.field) == (
        False,
        Reason.NOT_SHARED,
        "record",
    )
    assert decision.released == ()


def test_conditional_items_need_a_grant_for_this_member_resource_purpose_and_field():
    assert decide(MEMBER, ask("id"), ITEMS).reason == Reason.NO_GRANT
    assert decide(MEMBER, ask("id"), ITEMS, grant()).allowed
    cases = {
        Reason.GRANT_REVOKED: grant(revoked=True),
        Reason.GRANT_EXPIRED: grant(expires_at=NOW),
        Reason.GRANT_OTHER_MEMBER: grant(member="tax"),
        Reason.GRANT_OTHER_RESOURCE: grant(resource="licences"),
        Reason.PURPOSE_MISMATCH: grant(purpose="marketing"),
        Reason.NO_LEGAL_BASIS: grant(legal_basis="  "),
        Reason.FIELD_NOT_GRANTED: grant(fields=frozenset({"name", "addr"})),
    }
    for reason, given_grant in cases.items():
        decision = decide(MEMBER, ask("id"), ITEMS, given_grant)
        assert (decision.allowed, decision.reason) == (False, reason), reason


def test_a_grant_that_expires_a_moment_later_still_holds():
    assert decide(
        MEMBER, ask("id"), ITEMS, grant(expires_at=NOW + timedelta(microseconds=1))
    ).allowed


def test_items_are_released_only_up_to_the_effective_level():
    # min(member level, official's clearance): a level-4 system and a clearance-2 official
    # read grade-2 items, not grade-4 ones; the same official through a level-2 system too.
    top = Requester("edu", authenticated=True, government=True, level=4)
    assert effective_level(top, ask("name", clearance=2)) == 2
    assert decide(top, ask("name", clearance=2), ITEMS).allowed
    refused = decide(top, ask("secret", clearance=2), ITEMS)
    assert (refused.reason, refused.field) == (Reason.GRADE_TOO_HIGH, "secret")
    assert decide(top, ask("secret", clearance=4), ITEMS).allowed
    low = Requester("edu", authenticated=True, government=True, level=2)
    assert decide(low, ask("secret", clearance=4), ITEMS).reason == Reason.GRADE_TOO_HIGH


def test_p7_exactly_the_fields_asked_and_personal_numbers_masked_unless_granted_in_full():
    decision = decide(MEMBER, ask("addr", "id", "name", "id"), ITEMS, grant())
    assert decision.released == ("addr", "id", "name")  # once each, in the order asked
    assert decision.masked == {"id"}
    unmasked = decide(MEMBER, ask("id"), ITEMS, grant(full_fields=frozenset({"id"})))
    assert unmasked.masked == frozenset()
    # An unconditional personal number is masked without a grant naming it in full…
    assert decide(MEMBER, ask("pid"), ITEMS).masked == {"pid"}
    # …and a "full" field outside the grant's fields unmasks nothing.
    outside = grant(full_fields=frozenset({"pid"}))
    assert decide(MEMBER, ask("pid"), ITEMS, outside).masked == {"pid"}
    # A revoked grant unmasks nothing either, even for unconditional fields.
    revoked = grant(fields=frozenset({"pid"}), full_fields=frozenset({"pid"}), revoked=True)
    assert decide(MEMBER, ask("pid"), ITEMS, revoked).masked == {"pid"}


def test_malformed_asks_are_refused():
    assert decide(MEMBER, ask(), ITEMS).reason == Reason.NO_FIELDS
    unknown = decide(MEMBER, ask("name", "salary"), ITEMS)
    assert (unknown.reason, unknown.field) == (Reason.UNKNOWN_FIELD, "salary")


@pytest.mark.parametrize("reason", list(Reason))
def test_reason_codes_are_stable_lower_case_words(reason):
    assert str(reason) == reason.value and reason.value.replace("_", "").isalpha()
