"""The health check behind /healthz: database, task queue and disk, each ok or failing.

Says nothing secret and names no library version: a load balancer or a monitoring system
may read it from anywhere.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@dataclass
class Check:
    ok: bool
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "fail", **self.details}


def check_database() -> Check:
    """One query round trip."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database error means "not healthy", never a 500
        return Check(False, {"error": "query failed"})
    return Check(True, {"latency_ms": round((time.perf_counter() - started) * 1000, 2)})


def check_task_queue() -> Check:
    """Tasks ready to run, and how long the oldest has waited; failing when it has waited
    longer than ``TONGBAN_HEALTH_MAX_TASK_WAIT`` seconds (no worker is taking them)."""
    try:
        ready = DBTaskResult.objects.ready()
        count = ready.count()
        oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    except Exception:
        return Check(False, {"error": "query failed"})
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    ok = age <= settings.TONGBAN_HEALTH_MAX_TASK_WAIT
    return Check(ok, {"ready": count, "oldest_ready_age_seconds": round(max(age, 0.0), 1)})


def check_disk() -> Check:
    """Free space under the data directory; failing below ``TONGBAN_HEALTH_MIN_FREE_BYTES``."""
    try:
        free = shutil.disk_usage(settings.VAR_DIR).free
    except OSError:
        return Check(False, {"error": "data directory not readable"})
    return Check(free >= settings.TONGBAN_HEALTH_MIN_FREE_BYTES, {"free_bytes": free})


def health_report() -> tuple[bool, dict[str, Any]]:
    """Every check; the overall status is ok only when all are."""
    checks = {"database": check_database(), "tasks": check_task_queue(), "disk": check_disk()}
    ok = all(c.ok for c in checks.values())
    return ok, {
        "status": "ok" if ok else "fail",
        "checks": {name: c.as_dict() for name, c in checks.items()},
    }
