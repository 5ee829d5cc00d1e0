"""One place that reacts when the catalogue changes, whoever changed it.

Services, the importer and the Django admin all write catalogue rows; every such write ends
here through model signals. In the same transaction an outbox row ``catalog.reindex`` is
written for each changed item and bundle, which the outbox runs, retrying it until done
(reindexing is idempotent: it rebuilds the rows from the current data). When the
transaction commits, the "catalogue" generation moves at once, so that cached guide pages of
every process are stale at once (see ``tongban.core.generations``); the reindex may lag by a
worker's round trip.

The transaction's token is kept on the database connection of the current thread (Django's
per-thread connection object), never in module state.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from tongban.catalog import search
from tongban.catalog.models import (
    FAQ,
    Bundle,
    BundleMember,
    FeeItem,
    Material,
    ProcessStep,
    ServiceItem,
    Theme,
)
from tongban.core import generations, outbox
from tongban.org.models import Department, Region, ServiceHall, ServiceWindow

GENERATION = "catalogue"
REINDEX = "catalog.reindex"
_TRANSACTION_ATTR = "tongban_catalogue_transaction"

ITEM_CHILDREN: tuple[type[models.Model], ...] = (Material, FeeItem, ProcessStep, FAQ)
# Rows shown on catalogue pages that do not belong to one item.
SHOWN_ELSEWHERE: tuple[type[models.Model], ...] = (
    Bundle, BundleMember, Theme, Department, Region, ServiceHall, ServiceWindow,
)  # fmt: skip


def catalogue_changed(item_ids: Iterable[int] = (), bundle_ids: Iterable[int] = ()) -> None:
    """Record that the catalogue changed, and which items and bundles.

    A ``catalog.reindex`` outbox row per changed item or bundle is written in the current
    transaction (its own one when called outside a transaction), so the reindex commits or
    rolls back with the change; after commit the catalogue generation moves once.
    """
    items = sorted({i for i in item_ids if i is not None})
    bundles = sorted({b for b in bundle_ids if b is not None})
    with transaction.atomic():
        token = _transaction_token()
        for kind, ids in (("items", items), ("bundles", bundles)):
            for pk in ids:
                # The key holds this transaction's token: a row is shared only with the same
                # transaction's earlier changes, never with a committed row a worker may be
                # running against the data as it was before this change.
                outbox.enqueue(REINDEX, {kind: [pk]}, key=f"{REINDEX}:{token}:{kind}:{pk}")


def _transaction_token() -> str:
    """A token for the current (outermost) transaction; forgotten when it commits."""
    connection = transaction.get_connection()
    token: str | None = getattr(connection, _TRANSACTION_ATTR, None)
    if token is None:
        token = uuid.uuid4().hex
        setattr(connection, _TRANSACTION_ATTR, token)
    # A rolled-back savepoint drops its on_commit callbacks: register again whenever ours is
    # no longer queued, so the generation always moves.
    if not any(entry[1] is _committed for entry in connection.run_on_commit):
        transaction.on_commit(_committed, robust=True)
    return token


def _committed() -> None:
    setattr(transaction.get_connection(), _TRANSACTION_ATTR, None)
    generations.bump(GENERATION)


@outbox.handler(REINDEX)
def reindex(payload: dict[str, Any]) -> None:
    """The outbox handler of ``catalog.reindex``: rebuild the search rows of the items and
    bundles named (idempotent: the rows are rebuilt from the current data)."""
    if payload.get("items"):
        search.reindex_items(payload["items"])
    if payload.get("bundles"):
        search.reindex_bundles(payload["bundles"])


def _on_item(sender: type[models.Model], instance: ServiceItem, **kwargs: Any) -> None:
    catalogue_changed([instance.pk])


def _on_child(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    catalogue_changed([instance.item_id])


def _on_other(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Bundle | BundleMember | Theme):
        catalogue_changed()
        return
    # Names of departments, towns and halls appear in guides and in the search index.
    ids: list[int] = []
    if isinstance(instance, Department):
        ids = list(ServiceItem.objects.filter(department=instance).values_list("pk", flat=True))
    catalogue_changed(ids)


def _on_m2m(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        catalogue_changed([instance.pk] if isinstance(instance, ServiceItem) else [])


def connect() -> None:
    """Wire the signals (called once from ``CatalogConfig.ready``)."""
    uid = "tongban.catalog.changes"
    for signal in (post_save, post_delete):
        signal.connect(_on_item, sender=ServiceItem, dispatch_uid=f"{uid}.item")
        for model in ITEM_CHILDREN:
            signal.connect(_on_child, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
        for model in SHOWN_ELSEWHERE:
            signal.connect(_on_other, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
    for through in (
        ServiceItem.themes.through,
        ServiceItem.regions.through,
        Bundle.partner_departments.through,
        Bundle.themes.through,
    ):
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"{uid}.{through.__name__}")
