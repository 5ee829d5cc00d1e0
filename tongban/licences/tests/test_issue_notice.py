"""The applicant learns of a case's licences in the case's completion message (one message
per milestone, not one per licence), with the number and a link to the case page; a licence
issued after that message went out is told alone, with a link to it in the wallet."""

from __future__ import annotations

import pytest

from tongban.cases import notices
from tongban.licences import services
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db


def test_issuing_from_an_approved_case_tells_the_applicant_in_the_completion_message(issued, lw):
    message = Message.objects.get(recipient=lw.applicant, code="cases.completed")
    assert issued.number in message.body and issued.licence_type.name in message.body
    assert message.link == f"/me/cases/{issued.source_case.number}/"
    assert not Message.objects.filter(code="licences.issued").exists()  # no second message


def test_a_licence_issued_after_the_completion_message_is_told_alone(
    issued, lw, django_capture_on_commit_callbacks
):
    # The completion message already went out; a licence of the case issued now (say, by
    # hand after the outbox gave up) is told on its own, once.
    assert notices.completion_sent(issued.source_case)
    sub = issued.source_subcase
    issued.delete()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.issue_for_subcase(sub)
    message = Message.objects.get(recipient=lw.applicant, code="licences.issued")
    assert again.number in message.body
    assert message.link == f"/me/licences/{again.number}/"
