"""``flush`` that can also empty the append-only audit tables, in development and tests.

The audit tables refuse DELETE through database triggers (migration
``core.0004_audit_seal_append_only``). Django's transactional tests empty every table with
this command after each test, so it runs Django's own flush under ``audit_maintenance``,
which lets whole-table emptying through on this connection only. Outside DEBUG and tests
the audit tables keep refusing, the flush is rolled back and nothing is deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlushCommand

from tongban.core.audit import audit_maintenance


class Command(DjangoFlushCommand):
    help = (
        "Remove all data from the database (development and tests only: the audit trail "
        "is append-only on a live site)."
    )

    def handle(self, **options: Any) -> None:
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise CommandError(
                "flush would delete the append-only audit trail: refused outside "
                "development and tests"
            )
        with audit_maintenance(options["database"]):
            super().handle(**options)
