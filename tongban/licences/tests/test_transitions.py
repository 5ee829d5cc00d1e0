"""Every (state × action) of a licence, written out by hand, tried through the services."""

from __future__ import annotations

import pytest

from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord, StatusChange
from tongban.core.transitions import history
from tongban.licences import services
from tongban.licences.models import Licence
from tongban.licences.transitions import LICENCE

from .conftest import issue_direct

pytestmark = pytest.mark.django_db

# (state, action) -> state after, or None: refused.
EXPECTED = {
    ("valid", "suspend"): "suspended",
    ("valid", "reinstate"): None,
    ("valid", "revoke"): "revoked",
    ("suspended", "suspend"): None,
    ("suspended", "reinstate"): "valid",
    ("suspended", "revoke"): "revoked",
    ("revoked", "suspend"): None,
    ("revoked", "reinstate"): None,
    ("revoked", "revoke"): None,
}
# How each state is reached from a newly issued licence.
PATH = {"valid": [], "suspended": ["suspend"], "revoked": ["revoke"]}


def test_the_table_is_the_oracle() -> None:
    assert LICENCE.moves == {k: v for k, v in EXPECTED.items() if v is not None}
    # "expired" is computed from the dates, never stored: nothing moves to or from it.
    assert "expired" not in {s for s, _a in LICENCE.moves} | set(LICENCE.moves.values())


def test_every_state_and_action_through_the_services(lw) -> None:
    service = {"suspend": services.suspend, "reinstate": services.reinstate,
               "revoke": services.revoke}  # fmt: skip
    for (state, action), expected in EXPECTED.items():
        licence = issue_direct(lw)
        for step in PATH[state]:
            service[step](licence, "准备", actor=lw.leader_a)
        row = Licence.objects.get(pk=licence.pk)
        assert row.status == state
        moves, audits = StatusChange.objects.count(), AuditRecord.objects.count()
        if expected is None:
            with pytest.raises(ServiceError):
                service[action](licence, "理由", actor=lw.leader_a)
            after = Licence.objects.get(pk=licence.pk)
            assert (after.status, after.status_reason) == (state, row.status_reason), action
            assert (StatusChange.objects.count(), AuditRecord.objects.count()) == (moves, audits)
        else:
            returned = service[action](licence, "理由", actor=lw.leader_a)
            after = Licence.objects.get(pk=licence.pk)
            assert returned.status == after.status == expected, (state, action)
            assert after.status_reason == "理由" and after.status_changed_by == lw.leader_a
            last = list(history(after))[-1]
            assert (last.action, last.from_state, last.to_state) == (action, state, expected)
            assert last.actor == lw.leader_a and last.note == "理由"


def test_a_stale_copy_moves_the_stored_row_or_is_refused(lw) -> None:
    licence = issue_direct(lw)
    stale = Licence.objects.get(pk=licence.pk)
    services.revoke(licence, "吊销", actor=lw.leader_a)
    with pytest.raises(ServiceError):
        services.suspend(stale, "暂停", actor=lw.leader_a)  # the stored row is revoked
    assert Licence.objects.get(pk=licence.pk).status == "revoked"
