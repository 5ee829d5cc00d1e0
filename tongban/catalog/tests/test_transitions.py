"""Every (state × action) of an item, a bundle and an import job, written out by hand and
tried on real rows; and every writer — services, importer, admin — moving through them."""

from __future__ import annotations

from itertools import count

import pytest
from django.db import transaction

from tongban.catalog import services
from tongban.catalog.changes import GENERATION
from tongban.catalog.io.importer import import_catalogue_data
from tongban.catalog.models import Bundle, CatalogImport, ServiceItem
from tongban.catalog.tests.factories import bundle_data, document, item_data
from tongban.catalog.transitions import (
    BUNDLE,
    IMPORT,
    ITEM,
    move_bundle,
    move_item,
)
from tongban.core import generations
from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord, StatusChange
from tongban.core.transitions import history, move

pytestmark = pytest.mark.django_db

PUBLISHING_ACTIONS = ("publish", "withdraw", "redraft")
# (state, action) -> state after; anything not listed is refused. Items and bundles alike.
PUBLISHING_EXPECTED = {
    ("draft", "publish"): "published",
    ("draft", "withdraw"): "withdrawn",
    ("published", "withdraw"): "withdrawn",
    ("published", "redraft"): "draft",
    ("withdrawn", "publish"): "published",
    ("withdrawn", "redraft"): "draft",
}
PUBLISHING_PATH = {"draft": [], "published": ["publish"], "withdrawn": ["withdraw"]}
IMPORT_ACTIONS = ("run", "succeed", "fail")
IMPORT_EXPECTED = {
    ("pending", "run"): "running",
    ("running", "succeed"): "succeeded",
    ("running", "fail"): "failed",
}
IMPORT_PATH = {
    "pending": [],
    "running": ["run"],
    "succeeded": ["run", "succeed"],
    "failed": ["run", "fail"],
}
_serial = count(1)


def new_item(department) -> ServiceItem:
    n = next(_serial)
    return ServiceItem.objects.create(
        name=f"事项{n}", basic_code="B", implementation_code=f"T-{n}", item_type="01",
        department=department,
    )  # fmt: skip


def new_bundle(department) -> Bundle:
    n = next(_serial)
    return Bundle.objects.create(code=f"b-{n}", name=f"一件事{n}", audience="person",
                                 lead_department=department, promised_limit=3)  # fmt: skip


def test_the_tables_are_the_oracles() -> None:
    assert ITEM.moves == PUBLISHING_EXPECTED
    assert BUNDLE.moves == PUBLISHING_EXPECTED
    assert IMPORT.moves == IMPORT_EXPECTED


@pytest.mark.parametrize(
    ("make", "mover", "audit"),
    [(new_item, move_item, "catalog.item"), (new_bundle, move_bundle, "catalog.bundle")],
)
def test_every_publishing_state_and_action(department_a, admin_user, make, mover, audit) -> None:
    for state in ("draft", "published", "withdrawn"):
        row = make(department_a)
        for step in PUBLISHING_PATH[state]:
            mover(row, step, actor=admin_user)
        assert type(row).objects.get(pk=row.pk).status == state
        counts = StatusChange.objects.count(), AuditRecord.objects.count()
        for action in PUBLISHING_ACTIONS:
            if (state, action) not in PUBLISHING_EXPECTED:
                with pytest.raises(ServiceError):
                    mover(row, action, actor=admin_user)
                assert type(row).objects.get(pk=row.pk).status == state, action
        assert (StatusChange.objects.count(), AuditRecord.objects.count()) == counts
        for action in PUBLISHING_ACTIONS:
            expected = PUBLISHING_EXPECTED.get((state, action))
            if expected is None:
                continue
            fresh = make(department_a)
            for step in PUBLISHING_PATH[state]:
                mover(fresh, step, actor=admin_user)
            assert mover(fresh, action, actor=admin_user) == expected
            assert type(fresh).objects.get(pk=fresh.pk).status == expected, (state, action)
            record = AuditRecord.objects.order_by("pk").last()
            assert record.action == f"{audit}.{action}" and record.object_id == str(fresh.pk)
            assert (record.meta["from"], record.meta["to"]) == (state, expected)


def test_every_import_job_state_and_action(admin_user) -> None:
    for state, path in IMPORT_PATH.items():
        for action in IMPORT_ACTIONS:
            job = CatalogImport.objects.create(file_format="json", created_by=admin_user)
            for step in path:
                move(job, IMPORT, step, actor=admin_user)
            expected = IMPORT_EXPECTED.get((state, action))
            if expected is None:
                with pytest.raises(ServiceError):
                    move(job, IMPORT, action, actor=admin_user)
                assert CatalogImport.objects.get(pk=job.pk).status == state, action
            else:
                assert move(job, IMPORT, action, actor=admin_user) == expected
                assert CatalogImport.objects.get(pk=job.pk).status == expected


@pytest.mark.django_db(transaction=True)
def test_publishing_sets_the_date_and_has_the_catalogue_reindexed(department_a) -> None:
    item = new_item(department_a)
    before = generations.current(GENERATION)
    with transaction.atomic():
        move_item(item, "publish", actor=None)
    # An UPDATE sends no model signal: the move itself reports the change.
    assert generations.current(GENERATION) == before + 1
    stored = ServiceItem.objects.get(pk=item.pk)
    assert stored.published_at is not None and stored.updated_at >= stored.published_at


def test_the_services_move_and_repeat_nothing(department_a, admin_user) -> None:
    item = services.save_item(item_data(), actor=admin_user).item
    services.publish_item(item, actor=admin_user)
    services.publish_item(item, actor=admin_user)  # already published: nothing to do
    services.withdraw_item(item, actor=admin_user)
    services.withdraw_item(item, actor=admin_user)
    assert [(c.action, c.from_state, c.to_state, c.actor) for c in history(item)] == [
        ("publish", "draft", "published", admin_user),
        ("withdraw", "published", "withdrawn", admin_user),
    ]


def test_an_imported_record_is_created_as_a_draft_and_moved(department_a, admin_user) -> None:
    record = item_data(status="published")
    code = record["implementation_code"]
    import_catalogue_data(document(items=[record], bundles=[bundle_data([code],
                          status="published")]), actor=admin_user)  # fmt: skip
    item = ServiceItem.objects.get(implementation_code=code)
    bundle = Bundle.objects.get()
    assert (item.status, bundle.status) == ("published", "published")
    assert item.published_at is not None
    assert [(c.action, c.from_state, c.to_state) for c in history(item)] == [
        ("publish", "draft", "published")
    ]
    assert [(c.action, c.to_state) for c in history(bundle)] == [("publish", "published")]
    assert AuditRecord.objects.filter(action="catalog.item.publish").count() == 1
    # The same file again changes nothing; a file asking for a draft moves it back.
    import_catalogue_data(document(items=[record]), actor=admin_user)
    assert len(list(history(item))) == 1
    services.withdraw_bundle(bundle, actor=admin_user)
    import_catalogue_data(document(items=[{**record, "status": "draft"}]), actor=admin_user)
    assert [c.action for c in history(item)] == ["publish", "redraft"]
    assert ServiceItem.objects.get(pk=item.pk).status == "draft"


def test_the_admin_actions_move_through_the_services(client, admin_user, department_a) -> None:
    done = services.save_item(item_data(), actor=admin_user).item
    services.publish_item(done, actor=admin_user)
    draft = services.save_item(item_data(), actor=admin_user).item
    client.force_login(admin_user)
    response = client.post(
        "/admin/catalog/serviceitem/",
        {"action": "publish_selected", "_selected_action": [done.pk, draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ServiceItem.objects.get(pk=draft.pk).status == "published"
    assert [c.action for c in history(draft)] == ["publish"]
    assert [c.action for c in history(done)] == ["publish"]  # not published twice
