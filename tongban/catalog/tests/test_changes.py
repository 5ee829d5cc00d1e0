"""Every catalogue write — service, importer or admin — reindexes and renews cached pages."""

from __future__ import annotations

import pytest
from django.db import transaction

from tongban.catalog import search
from tongban.catalog.changes import GENERATION, REINDEX, catalogue_changed
from tongban.catalog.models import ItemStatus, Material, ServiceItem
from tongban.core import generations
from tongban.core.models import OutboxEntry, OutboxStatus

pytestmark = pytest.mark.django_db(transaction=True)


def make_item(department, name: str, code: str) -> ServiceItem:
    return ServiceItem.objects.create(
        name=name, basic_code="B", implementation_code=code, item_type="01",
        department=department, status=ItemStatus.PUBLISHED,
    )  # fmt: skip


def test_one_transaction_bumps_once_and_reindexes_every_changed_item(department_a):
    before = generations.current(GENERATION)
    with transaction.atomic():
        first = make_item(department_a, "申领营业执照", "C-1")
        second = make_item(department_a, "食品经营许可", "C-2")
        Material.objects.create(item=second, code="M-1", name="健康证明")
        assert search.search_ids("营业执照") == []  # nothing happens before the commit
    assert generations.current(GENERATION) == before + 1
    assert search.search_ids("营业执照") == [first.pk]
    assert search.search_ids("健康证明") == [second.pk]


def test_a_rolled_back_change_does_nothing_and_loses_nothing_after_it(department_a):
    before = generations.current(GENERATION)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_item(department_a, "申领营业执照", "C-1")
        raise RuntimeError("abort")
    assert generations.current(GENERATION) == before
    assert search.search_ids("营业执照") == []
    with transaction.atomic():
        item = make_item(department_a, "结婚登记", "C-3")
    assert generations.current(GENERATION) == before + 1
    assert search.search_ids("结婚登记") == [item.pk]


def test_a_rolled_back_savepoint_keeps_the_outer_change(department_a):
    with transaction.atomic():
        outer = make_item(department_a, "结婚登记", "C-4")
        with pytest.raises(RuntimeError), transaction.atomic():
            make_item(department_a, "申领营业执照", "C-5")
            raise RuntimeError("abort inner")
    assert search.search_ids("结婚登记") == [outer.pk]
    assert search.search_ids("营业执照") == []


def test_edits_outside_services_are_seen_too(department_a):
    """The Django admin saves models directly: a child row edit still reaches search."""
    item = make_item(department_a, "食品经营许可", "C-6")
    material = Material.objects.create(item=item, code="M-2", name="健康证明")
    material.name = "从业人员健康体检合格证明"
    material.save()
    assert search.search_ids("体检") == [item.pk]
    department_a.name = "中山市食品药品监督管理局"
    department_a.save()
    assert search.search_ids("食品药品监督") == [item.pk]


def test_generation_counter_starts_and_moves():
    assert generations.current("elsewhere") == 0
    generations.bump("elsewhere")
    generations.bump("elsewhere")
    assert generations.current("elsewhere") == 2


def test_the_reindex_is_owed_in_the_changing_transaction_once_per_item(department_a):
    """The reindex row commits with the change (a crash right after the commit loses
    nothing) and one transaction owes one row per item however often it touches it."""
    with transaction.atomic():
        item = make_item(department_a, "申领营业执照", "C-7")
        Material.objects.create(item=item, code="M-2", name="健康证明")
        Material.objects.create(item=item, code="M-3", name="租赁合同")
        owed = OutboxEntry.objects.filter(kind=REINDEX)
        assert [row.payload for row in owed] == [{"items": [item.pk]}]  # before the commit
    assert OutboxEntry.objects.get(kind=REINDEX).status == OutboxStatus.DONE


def test_a_later_change_never_joins_a_row_committed_before_it(department_a):
    """A row another transaction committed may already be running on the old data: a new
    change owes a row of its own."""
    item = make_item(department_a, "结婚登记", "C-8")
    OutboxEntry.objects.filter(kind=REINDEX).update(status=OutboxStatus.PENDING)
    with transaction.atomic():
        catalogue_changed([item.pk])
        assert OutboxEntry.objects.filter(kind=REINDEX, status=OutboxStatus.PENDING).count() == 2
