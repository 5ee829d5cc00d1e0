"""The moves of a data resource, a member system and a share request.

A resource is drafted, published to the catalogue, withdrawn and published again. A member
system is suspended and reactivated by the data authority. A request is answered by the
provider (granted or refused, reasons required), may be withdrawn while it waits, and goes
to the data authority (数据主管部门) when the requester disputes a refusal or an answer that
is late; the authority grants it or upholds the refusal.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.transitions import Transitions

from .models import (
    DataResource,
    MemberStatus,
    MemberSystem,
    RequestStatus,
    ResourceStatus,
    ShareRequest,
)


class ResourceAction:
    PUBLISH = "publish"
    WITHDRAW = "withdraw"


class MemberAction:
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"


class RequestAction:
    GRANT = "grant"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    DISPUTE = "dispute"
    OVERRULE = "overrule"  # the data authority grants against the refusal
    UPHOLD = "uphold"  # the data authority upholds the refusal


RS, RA = ResourceStatus, ResourceAction
RESOURCE = Transitions(
    DataResource,
    {
        (RS.DRAFT, RA.PUBLISH): RS.PUBLISHED,
        (RS.PUBLISHED, RA.WITHDRAW): RS.WITHDRAWN,
        (RS.WITHDRAWN, RA.PUBLISH): RS.PUBLISHED,
    },
    actions={
        RA.PUBLISH: _("Publish in the catalogue"),
        RA.WITHDRAW: _("Withdraw from the catalogue"),
    },
)

MS, MA = MemberStatus, MemberAction
MEMBER = Transitions(
    MemberSystem,
    {
        (MS.ACTIVE, MA.SUSPEND): MS.SUSPENDED,
        (MS.SUSPENDED, MA.REACTIVATE): MS.ACTIVE,
    },
    actions={MA.SUSPEND: _("Suspend the system"), MA.REACTIVATE: _("Reactivate the system")},
)

Q, A = RequestStatus, RequestAction
REQUEST = Transitions(
    ShareRequest,
    {
        (Q.SUBMITTED, A.GRANT): Q.GRANTED,
        (Q.SUBMITTED, A.REFUSE): Q.REFUSED,
        (Q.SUBMITTED, A.WITHDRAW): Q.WITHDRAWN,
        (Q.SUBMITTED, A.DISPUTE): Q.DISPUTED,  # no answer by the due day
        (Q.REFUSED, A.DISPUTE): Q.DISPUTED,
        (Q.DISPUTED, A.OVERRULE): Q.GRANTED,
        (Q.DISPUTED, A.UPHOLD): Q.REFUSAL_UPHELD,
    },
    actions={
        A.GRANT: _("Grant the request"),
        A.REFUSE: _("Refuse the request"),
        A.WITHDRAW: _("Withdraw the request"),
        A.DISPUTE: _("Take the request to the data authority"),
        A.OVERRULE: _("Grant the request against the refusal"),
        A.UPHOLD: _("Uphold the refusal"),
    },
)


# --- data corrections (数据纠错) -----------------------------------------------------------
# A correction waits for the provider, who corrects the value (saying what was changed) or
# confirms it (saying why it stands); the reporting department may withdraw it meanwhile.

from .models import CorrectionStatus, DataCorrection  # noqa: E402 (appended section)


class CorrectionAction:
    CORRECT = "correct"
    REJECT = "reject"
    WITHDRAW = "withdraw"


CS, CA = CorrectionStatus, CorrectionAction
CORRECTION = Transitions(
    DataCorrection,
    {
        (CS.OPEN, CA.CORRECT): CS.CORRECTED,
        (CS.OPEN, CA.REJECT): CS.REJECTED,
        (CS.OPEN, CA.WITHDRAW): CS.WITHDRAWN,
    },
    actions={
        CA.CORRECT: _("Correct the value"),
        CA.REJECT: _("Confirm the value as right"),
        CA.WITHDRAW: _("Withdraw the report"),
    },
)


# --- reports of a data access (数据使用记录异议; helper "dal") -------------------------------
# A person's report of a read of their data waits for the data authority, who answers it.

from .models import AccessReport, AccessReportStatus  # noqa: E402 (appended section)


class AccessReportAction:
    ANSWER = "answer"


ARS, ARA = AccessReportStatus, AccessReportAction
ACCESS_REPORT = Transitions(
    AccessReport,
    {(ARS.OPEN, ARA.ANSWER): ARS.ANSWERED},
    actions={ARA.ANSWER: _("Answer the report")},
)
