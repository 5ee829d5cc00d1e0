"""Signal receivers: a decided sub-case issues its licence (connected in ``apps.ready``)."""

from __future__ import annotations

import logging
from typing import Any

from tongban.cases.models import SubCase

from . import services

log = logging.getLogger(__name__)


def on_subcase_decided(sender: Any, subcase: SubCase, approved: bool, **kwargs: Any) -> None:
    """Issue the licence of an approved matter. In a bundle each approved member issues its
    own licence, whatever the other members' state. Runs after the decision committed; a
    failure is logged by the sender and leaves the decision in place (an official can
    issue the licence later with ``issue_for_subcase``)."""
    if not approved:
        return
    licence = services.issue_for_subcase(subcase)
    if licence is not None:
        log.info("licence %s issued for sub-case %s", licence.number, subcase.pk)
