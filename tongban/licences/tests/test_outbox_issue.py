"""Licences are owed through the outbox: recorded with the decision, issued after commit,
a failure visible in the outbox admin, and ``tongban licence issue-pending`` for later."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from tongban.core import outbox
from tongban.core.models import AuditRecord, OutboxEntry
from tongban.licences.models import Licence

from .conftest import approve

pytestmark = pytest.mark.django_db


def _broken(payload: dict) -> None:
    raise ConnectionError("the signing service is not answering")


def test_the_licence_is_owed_in_the_deciding_transaction_and_rolled_back_with_it(lw):
    case = lw.cases.submit(lw.item_a)
    sub = case.subcases.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(case, sub, lw.clerk_a, lw.reviewer_a, lw.leader_a)
        assert OutboxEntry.objects.filter(kind="licences.issue").count() == 1
        raise RuntimeError("the decision is rolled back")
    assert not OutboxEntry.objects.filter(kind="licences.issue").exists()
    assert not Licence.objects.exists()


def test_a_failed_issue_shows_in_the_outbox_admin_and_issue_pending_issues_it(
    lw, admin_client, settings, django_capture_on_commit_callbacks
):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 1
    case = lw.cases.submit(lw.item_a)
    sub = case.subcases.get()
    with (
        outbox.handlers_override(**{"licences.issue": _broken}),
        django_capture_on_commit_callbacks(execute=True),
    ):
        approve(case, sub, lw.clerk_a, lw.reviewer_a, lw.leader_a)
    entry = OutboxEntry.objects.get(kind="licences.issue")
    assert entry.status == "failed"
    assert entry.last_error == "ConnectionError: the signing service is not answering"
    assert not Licence.objects.exists()
    page = admin_client.get("/admin/core/outboxentry/?status__exact=failed").content.decode()
    assert "licences.issue" in page and "signing service is not answering" in page
    assert 'value="retry_now"' in page

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("licence", "issue-pending", stdout=out)
    licence = Licence.objects.get(source_subcase=sub)
    assert f"sub-case {sub.pk}: issued {licence.number}" in out.getvalue()
    assert "1 issued, 0 not issued" in out.getvalue()
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == ("done", 1)  # the same row, put back and run
    assert AuditRecord.objects.filter(action="outbox.retry", object_id=str(entry.pk)).exists()

    again = io.StringIO()
    call_command("licence", "issue-pending", stdout=again)
    assert again.getvalue().strip() == "0 issued, 0 not issued"
    assert Licence.objects.count() == 1


def test_issue_pending_fails_and_names_the_matter_when_issuing_still_fails(lw, settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 1
    case = lw.cases.submit(lw.item_a)
    sub = case.subcases.get()
    approve(case, sub, lw.clerk_a, lw.reviewer_a, lw.leader_a)  # owed; never handed over
    out = io.StringIO()
    with outbox.handlers_override(**{"licences.issue": _broken}), pytest.raises(CommandError):
        call_command("licence", "issue-pending", stdout=out)
    assert (
        f"sub-case {sub.pk}: NOT issued (failed): ConnectionError: the signing service is not "
        "answering"
    ) in out.getvalue()
    assert "0 issued, 1 not issued" in out.getvalue()
