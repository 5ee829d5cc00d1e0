"""Keep bundles and synonyms in the search index current, whoever changes them.

``catalog.changes`` reindexes items and moves the catalogue generation; bundles (one index
row each, negative ids) and the synonym list are search's own business and are wired here:
the touched bundles are reindexed through ``changes.catalogue_changed`` (an outbox row in the
same transaction), and a synonym change moves the generation the same way, so every process
reads the new list.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from tongban.catalog import changes
from tongban.catalog.models import Bundle, BundleMember, SearchSynonym, ServiceItem


def bundles_changed(bundle_ids: set[int]) -> None:
    """Reindex these bundles through the outbox, in the current transaction."""
    if bundle_ids:
        changes.catalogue_changed(bundle_ids=bundle_ids)


def _on_bundle(sender: type[models.Model], instance: Bundle, **kwargs: Any) -> None:
    bundles_changed({instance.pk})


def _on_member(sender: type[models.Model], instance: BundleMember, **kwargs: Any) -> None:
    bundles_changed({instance.bundle_id})


def _on_item(sender: type[models.Model], instance: ServiceItem, **kwargs: Any) -> None:
    # A bundle's row holds its members' names: renaming or withdrawing one changes it.
    if kwargs.get("created") or instance.pk is None:
        return
    bundles_changed(
        set(BundleMember.objects.filter(item_id=instance.pk).values_list("bundle_id", flat=True))
    )


def _on_bundle_m2m(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Bundle):
        bundles_changed({instance.pk})
    elif kwargs.get("model") is Bundle:
        bundles_changed(set(kwargs.get("pk_set") or ()))


def _on_synonym(sender: type[models.Model], instance: SearchSynonym, **kwargs: Any) -> None:
    changes.catalogue_changed()


def connect() -> None:
    """Wire the signals (called once from ``CatalogConfig.ready``)."""
    uid = "tongban.catalog.search.signals"
    for signal in (post_save, post_delete):
        signal.connect(_on_bundle, sender=Bundle, dispatch_uid=f"{uid}.bundle")
        signal.connect(_on_member, sender=BundleMember, dispatch_uid=f"{uid}.member")
        signal.connect(_on_synonym, sender=SearchSynonym, dispatch_uid=f"{uid}.synonym")
    post_save.connect(_on_item, sender=ServiceItem, dispatch_uid=f"{uid}.item")
    for through in (Bundle.partner_departments.through, Bundle.themes.through):
        m2m_changed.connect(
            _on_bundle_m2m, sender=through, dispatch_uid=f"{uid}.{through.__name__}"
        )
