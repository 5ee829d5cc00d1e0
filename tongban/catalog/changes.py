"""One place that reacts when the catalogue changes, whoever changed it.

Services, the importer and the Django admin all write catalogue rows; every such write ends
here through model signals. When the transaction commits, the changed items are reindexed
for search once, and the "catalogue" generation moves so that cached guide pages of every
process are stale at once (see ``tongban.core.generations``).

Pending work is kept on the database connection of the current thread (Django's
per-thread connection object), never in module state.
"""

from __future__ import annotations

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
from tongban.core import generations
from tongban.org.models import Department, Region, ServiceHall, ServiceWindow

GENERATION = "catalogue"
_PENDING_ATTR = "tongban_catalogue_changes"

ITEM_CHILDREN: tuple[type[models.Model], ...] = (Material, FeeItem, ProcessStep, FAQ)
# Rows shown on catalogue pages that do not belong to one item.
SHOWN_ELSEWHERE: tuple[type[models.Model], ...] = (
    Bundle, BundleMember, Theme, Department, Region, ServiceHall, ServiceWindow,
)  # fmt: skip


def catalogue_changed(item_ids: Iterable[int] = ()) -> None:
    """Record that the catalogue changed (and which items); act once after commit."""
    connection = transaction.get_connection()
    ids = {i for i in item_ids if i is not None}
    pending: set[int] | None = getattr(connection, _PENDING_ATTR, None)
    # A rolled-back (savepoint of a) transaction discards its on_commit callbacks: register
    # again whenever ours is no longer queued, so no change is ever lost.
    queued = any(entry[1] is _flush for entry in connection.run_on_commit)
    if pending is not None and queued:
        pending.update(ids)
        return
    setattr(connection, _PENDING_ATTR, ids)
    transaction.on_commit(_flush)  # runs at once outside a transaction


def _flush() -> None:
    connection = transaction.get_connection()
    pending: set[int] = getattr(connection, _PENDING_ATTR, None) or set()
    setattr(connection, _PENDING_ATTR, None)
    if pending:
        search.reindex_items(sorted(pending))
    generations.bump(GENERATION)


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
