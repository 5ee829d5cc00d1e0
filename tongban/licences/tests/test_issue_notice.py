"""The applicant is told when their licence is issued, with a link to it in the wallet."""

from __future__ import annotations

import pytest

from tongban.notify.models import Message

pytestmark = pytest.mark.django_db


def test_issuing_from_an_approved_case_tells_the_applicant(issued, lw):
    message = Message.objects.get(recipient=lw.applicant, code="licences.issued")
    assert issued.number in message.body
    assert message.link == f"/me/licences/{issued.number}/"
