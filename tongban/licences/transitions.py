"""The licence's moves (电子证照状态): suspend, reinstate, revoke.

``expired`` is never stored: it is computed from the dates (``Licence.current_status``), so
no move leads to it. Revoked is final.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.transitions import Transitions

from .models import Licence, LicenceStatus


class Action:
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"


LICENCE = Transitions(
    Licence,
    {
        (LicenceStatus.VALID, Action.SUSPEND): LicenceStatus.SUSPENDED,
        (LicenceStatus.VALID, Action.REVOKE): LicenceStatus.REVOKED,
        (LicenceStatus.SUSPENDED, Action.REINSTATE): LicenceStatus.VALID,
        (LicenceStatus.SUSPENDED, Action.REVOKE): LicenceStatus.REVOKED,
    },
    actions={
        Action.SUSPEND: _("Suspend"),
        Action.REINSTATE: _("Reinstate"),
        Action.REVOKE: _("Revoke"),
    },
)
