"""Kill the worker mid-issue: the licence still arrives.

A real ``db_worker`` process runs the outbox row that issues the licence of an approved
matter and is killed (SIGKILL) in the middle of issuing, before its transaction commits.
The row stays claimed; once its lease has passed the sweep takes it over, and exactly one
licence exists and the applicant is told once. Before the outbox, the licence was issued
in an after-commit callback: a process dying there lost it for good.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import subprocess_database_url
from tongban.core import outbox
from tongban.core.models import OutboxEntry
from tongban.licences.models import Licence
from tongban.notify.models import Message

from .conftest import approve

ROOT = Path(__file__).resolve().parents[3]

# The worker, with one change: it kills itself the moment a licence row is written, i.e.
# mid-issue, before the issuing transaction commits.
WORKER = """
import os, signal
import django
django.setup()
from django.core.management import call_command
from django.db.models.signals import post_save
from tongban.licences.models import Licence

def die(sender, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

post_save.connect(die, sender=Licence, weak=False)
call_command("db_worker", "--batch", "--no-startup-delay")
"""


def _worker_env(tmp_path: Path) -> dict[str, str]:
    from django.conf import settings

    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="tongban.config.settings",
        DATABASE_URL=subprocess_database_url(),
        # The same install: the key-encryption key that wraps the signing keys.
        SECRET_KEY=settings.SECRET_KEY,
        TONGBAN_KEK=settings.TONGBAN_KEK,
        TONGBAN_KEK_FILE=settings.TONGBAN_KEK_FILE,
        TONGBAN_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    env.pop("TONGBAN_TESTING", None)  # the database task backend, as in production
    return env


@pytest.mark.django_db(transaction=True)
def test_kill_the_worker_mid_issue_and_the_licence_still_arrives(lw, settings, tmp_path):
    # Hand-offs wait in the task table for the worker process, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    case = lw.cases.submit(lw.item_a)
    sub = case.subcases.get()
    approve(case, sub, lw.clerk_a, lw.reviewer_a, lw.leader_a)  # commits the decision
    entry = OutboxEntry.objects.get(kind="licences.issue")
    assert (entry.key, entry.payload, entry.status) == (
        f"licences.issue:{sub.pk}",
        {"subcase": sub.pk},
        "pending",
    )

    worker = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WORKER],
        env=_worker_env(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert worker.returncode == -9, worker.stderr[-2000:]  # killed mid-issue
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == ("running", 1)  # claimed, never finished
    assert not Licence.objects.exists()  # the half-issued licence was rolled back
    assert outbox.run(entry.pk) == "running"  # nobody takes it while its lease holds

    after_lease = timezone.now() + outbox.lease() + timedelta(seconds=1)
    outbox.sweep(after_lease)
    outbox.sweep(after_lease + timedelta(days=1))  # a second sweep issues nothing more

    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == ("done", 2)
    licence = Licence.objects.get()
    assert licence.source_subcase_id == sub.pk and licence.licence_type_id == lw.type_a.pk
    # The completion message waited for the licence and names it, once.
    told = Message.objects.filter(recipient=lw.applicant, code="cases.completed")
    assert told.count() == 1 and licence.number in told.get().body
