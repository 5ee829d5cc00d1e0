"""Whether a published item may stay published, for writers that bypass the services.

The Django admin saves an item and its inlines directly; afterwards it asks here whether
the item still meets the publishing rules (the eight guide elements and every quality rule
set to error) and, if not, puts it back to draft — a published guide never breaks them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tongban.catalog import quality
from tongban.catalog.io.json_format import ITEM_PREFETCH, item_to_dict
from tongban.catalog.models import ItemStatus, ServiceItem
from tongban.catalog.transitions import Action, move_item


def publish_problems(item: ServiceItem) -> list[tuple[str, str]]:
    """``(field, message)`` for every reason the item cannot be published as it stands."""
    fresh = (
        ServiceItem.objects.select_related("department")
        .prefetch_related(*ITEM_PREFETCH)
        .get(pk=item.pk)
    )
    data = item_to_dict(fresh)
    findings = quality.publish_blockers(data) + [f for f in quality.check_item(data) if f.is_error]
    return [(f.field, str(f.message)) for f in findings]


@transaction.atomic
def unpublish_invalid(item: ServiceItem, *, actor: Any) -> None:
    """Put a published item that breaks the publishing rules back to draft (a guarded move,
    audited as ``catalog.item.unpublish_invalid``). An item no longer published is left
    alone; raises ``ServiceError`` if someone else moves it at the same moment."""
    item.refresh_from_db(fields=["status"])
    if item.status != ItemStatus.PUBLISHED:
        return
    move_item(item, Action.REDRAFT, actor=actor, audit_action="catalog.item.unpublish_invalid")
