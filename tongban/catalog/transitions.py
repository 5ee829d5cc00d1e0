"""The moves of catalogue statuses: service items and bundles, and import jobs.

An item or a bundle is a draft until published; it can be withdrawn (taken off the portal)
from either, published again, or put back to draft — the state an import record or the
Django admin's rule check (``publishing.unpublish_invalid``) may ask for. Whether it *may* be
published (guide elements, quality rules, published members) is the services' check; the
table only says which moves exist. Every writer — services, importer, admin — moves a status
through ``move_item`` / ``move_bundle``, which also have the catalogue reindexed (a guarded
move is an UPDATE, which sends no model signal).

An import job is claimed by one worker (pending → running) and ends succeeded or failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.catalog.changes import catalogue_changed
from tongban.catalog.models import Bundle, CatalogImport, ImportStatus, ItemStatus, ServiceItem
from tongban.core.transitions import Transitions, move


class Action:
    PUBLISH = "publish"
    WITHDRAW = "withdraw"
    REDRAFT = "redraft"


class ImportAction:
    RUN = "run"
    SUCCEED = "succeed"
    FAIL = "fail"


S = ItemStatus
PUBLISHING_MOVES: dict[tuple[str, str], str] = {
    (S.DRAFT, Action.PUBLISH): S.PUBLISHED,
    (S.DRAFT, Action.WITHDRAW): S.WITHDRAWN,
    (S.PUBLISHED, Action.WITHDRAW): S.WITHDRAWN,
    (S.PUBLISHED, Action.REDRAFT): S.DRAFT,
    (S.WITHDRAWN, Action.PUBLISH): S.PUBLISHED,
    (S.WITHDRAWN, Action.REDRAFT): S.DRAFT,
}
PUBLISHING_ACTIONS = {
    Action.PUBLISH: _("Publish"),
    Action.WITHDRAW: _("Withdraw"),
    Action.REDRAFT: _("Put back to draft"),
}

ITEM = Transitions(ServiceItem, PUBLISHING_MOVES, actions=PUBLISHING_ACTIONS)
BUNDLE = Transitions(Bundle, PUBLISHING_MOVES, actions=PUBLISHING_ACTIONS)

IMPORT = Transitions(
    CatalogImport,
    {
        (ImportStatus.PENDING, ImportAction.RUN): ImportStatus.RUNNING,
        (ImportStatus.RUNNING, ImportAction.SUCCEED): ImportStatus.SUCCEEDED,
        (ImportStatus.RUNNING, ImportAction.FAIL): ImportStatus.FAILED,
    },
    actions={
        ImportAction.RUN: _("Run the import"),
        ImportAction.SUCCEED: _("Finish the import"),
        ImportAction.FAIL: _("Stop the import as failed"),
    },
)


def _publishing_fields(action: str) -> dict[str, Any]:
    now = timezone.now()
    return (
        {"updated_at": now, "published_at": now}
        if action == Action.PUBLISH
        else {"updated_at": now}
    )


def move_item(
    item: ServiceItem,
    action: str,
    *,
    actor: Any,
    audit_action: str = "",
    meta: Mapping[str, Any] | None = None,
) -> str:
    """Move ``item`` by ``action`` (audited as ``catalog.item.<action>`` unless named) and
    have it reindexed after commit. Raises ``ServiceError`` on a refused or concurrent move."""
    target = move(
        item,
        ITEM,
        action,
        actor=actor,
        also=_publishing_fields(action),
        meta={"implementation_code": item.implementation_code, **(meta or {})},
        audit_action=audit_action or f"catalog.item.{action}",
    )
    catalogue_changed([item.pk])
    return target


def move_bundle(bundle: Bundle, action: str, *, actor: Any) -> str:
    """Move ``bundle`` by ``action`` (audited as ``catalog.bundle.<action>``); cached pages
    are renewed after commit. Raises ``ServiceError`` on a refused or concurrent move."""
    now = timezone.now()
    target = move(
        bundle,
        BUNDLE,
        action,
        actor=actor,
        also={"updated_at": now},
        meta={"code": bundle.code},
        audit_action=f"catalog.bundle.{action}",
    )
    catalogue_changed()
    return target


def set_item_status(item: ServiceItem, wanted: str, *, actor: Any) -> None:
    """Move ``item`` to the status a record asks for (nothing when it has it already).

    The caller has checked the record (publishing rules, bundles). Raises ``ServiceError``
    when no move leads there.
    """
    if item.status == wanted:
        return
    action = ITEM.action_to(str(item.status), wanted)
    if action is None:
        raise ITEM.refusal(str(item.status), wanted)
    move_item(item, action, actor=actor)


def set_bundle_status(bundle: Bundle, wanted: str, *, actor: Any) -> None:
    """Move ``bundle`` to the status a record asks for; see ``set_item_status``."""
    if bundle.status == wanted:
        return
    action = BUNDLE.action_to(str(bundle.status), wanted)
    if action is None:
        raise BUNDLE.refusal(str(bundle.status), wanted)
    move_bundle(bundle, action, actor=actor)
