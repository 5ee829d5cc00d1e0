"""The moves of a rectification ticket (差评整改) and of an appeal (申诉复核).

A ticket runs call-back → fix → reply → close. The escalation sweep moves a ticket that is
not answered by its due day to ``escalated``; work then goes on in that state (the call-back
and the fix keep it escalated, the reply leaves it) so that the list of overdue tickets
stays visible to the leader. An accepted appeal excludes the rating and closes its ticket
from any state but closed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.transitions import Transitions

from .models import Appeal, AppealStatus, Rectification, TicketStatus


class TicketAction:
    CALL_BACK = "call_back"
    FIX = "fix"
    REPLY = "reply"
    CLOSE = "close"
    ESCALATE = "escalate"
    EXCLUDE = "exclude"


class AppealAction:
    ACCEPT = "accept"
    REFUSE = "refuse"


T, A = TicketStatus, TicketAction

TICKET = Transitions(
    Rectification,
    {
        (T.OPEN, A.CALL_BACK): T.CALLED_BACK,
        (T.OPEN, A.ESCALATE): T.ESCALATED,
        (T.OPEN, A.EXCLUDE): T.CLOSED,
        (T.CALLED_BACK, A.FIX): T.FIXED,
        (T.CALLED_BACK, A.ESCALATE): T.ESCALATED,
        (T.CALLED_BACK, A.EXCLUDE): T.CLOSED,
        (T.FIXED, A.REPLY): T.REPLIED,
        (T.FIXED, A.ESCALATE): T.ESCALATED,
        (T.FIXED, A.EXCLUDE): T.CLOSED,
        (T.ESCALATED, A.CALL_BACK): T.ESCALATED,
        (T.ESCALATED, A.FIX): T.ESCALATED,
        (T.ESCALATED, A.REPLY): T.REPLIED,
        (T.ESCALATED, A.EXCLUDE): T.CLOSED,
        (T.REPLIED, A.CLOSE): T.CLOSED,
        (T.REPLIED, A.EXCLUDE): T.CLOSED,
    },
    actions={
        A.CALL_BACK: _("Record the call-back"),
        A.FIX: _("Record the fix"),
        A.REPLY: _("Reply to the rater"),
        A.CLOSE: _("Close the ticket"),
        A.ESCALATE: _("Escalate to the department leader"),
        A.EXCLUDE: _("Close after an accepted appeal"),
    },
)

APPEAL = Transitions(
    Appeal,
    {
        (AppealStatus.PENDING, AppealAction.ACCEPT): AppealStatus.ACCEPTED,
        (AppealStatus.PENDING, AppealAction.REFUSE): AppealStatus.REFUSED,
    },
    actions={
        AppealAction.ACCEPT: _("Accept the appeal"),
        AppealAction.REFUSE: _("Refuse the appeal"),
    },
)
