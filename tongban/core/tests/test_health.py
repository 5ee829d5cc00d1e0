"""/healthz says whether the database, the task queue and the disk are fine (200/503), and
/metrics speaks the Prometheus text format to allowed addresses only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tongban.core.audit import record_audit
from tongban.core.models import AuditRecord
from tongban.core.observability import health
from tongban.core.observability.metrics import REGISTRY

pytestmark = pytest.mark.django_db


def _ready_task(waited: timedelta) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tongban.example.task",
        backend_name="default",
        run_after=timezone.now() - waited,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waited)
    return task


def test_healthy_site_answers_200_with_every_check(client, settings) -> None:
    _ready_task(timedelta(seconds=30))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "tasks", "disk"}
    assert body["checks"]["tasks"]["ready"] == 1
    assert 25 <= body["checks"]["tasks"]["oldest_ready_age_seconds"] <= 120
    assert body["checks"]["disk"]["free_bytes"] > 0


def test_health_report_holds_no_secrets_nor_versions(client, settings) -> None:
    text = client.get("/healthz").content.decode()
    assert settings.SECRET_KEY not in text
    assert str(settings.VAR_DIR) not in text
    assert not re.search(r"version|django|python|sqlite|\d+\.\d+\.\d+", text, re.IGNORECASE)


def test_a_task_waiting_too_long_fails_the_check(client, settings) -> None:
    settings.TONGBAN_HEALTH_MAX_TASK_WAIT = 600
    _ready_task(timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["checks"]["tasks"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"


def test_low_disk_fails_the_check(client, settings) -> None:
    settings.TONGBAN_HEALTH_MIN_FREE_BYTES = 2**62
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"]["status"] == "fail"


def test_unreachable_database_fails_without_a_500(client, monkeypatch) -> None:
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused to db.internal:5432 password=x")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    check = response.json()["checks"]["database"]
    assert check == {"status": "fail", "error": "query failed"}
    assert b"password" not in response.content and b"db.internal" not in response.content


def test_healthz_refuses_writes(client) -> None:
    assert client.post("/healthz").status_code == 405


# --- /metrics ----------------------------------------------------------------------------

_SAMPLE = re.compile(
    r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? -?[0-9.e+]+$|^[a-z_]+\{.*le="\+Inf".*\} \d+$'
)


def _metrics(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def _value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{sample} not in metrics")


def _requests(text: str, method: str, status: str, route: str) -> float:
    labels = f'method="{method}",status="{status}",route="{route}"'
    return _value(text, "tongban_http_requests_total{" + labels + "}")


def test_metrics_count_requests_by_method_status_and_route(client) -> None:
    REGISTRY.reset()
    client.get("/")
    client.get("/no-such-page/")
    client.get("/api/")
    client.post("/api/")
    text = _metrics(client)
    for line in text.splitlines():
        assert line.startswith("# ") or _SAMPLE.match(line), line
    assert _requests(text, "GET", "2xx", "portal") == 1
    assert _requests(text, "GET", "4xx", "portal") == 1
    assert _requests(text, "POST", "4xx", "api") == 1
    assert _value(text, 'tongban_http_request_duration_seconds_count{route="api"}') == 2
    inf = _value(text, 'tongban_http_request_duration_seconds_bucket{route="api",le="+Inf"}')
    assert inf == 2
    assert "# TYPE tongban_http_request_duration_seconds histogram" in text


def test_metrics_gauges_follow_the_database(client, admin_user) -> None:
    before = _metrics(client)
    # The catalogue's gauge is wired through settings (core imports no domain module).
    assert _value(before, "tongban_published_items") == 0
    assert _value(before, "tongban_audit_records") == 0
    record_audit(admin_user, "core.test.probe", None, meta={})
    record_audit(admin_user, "core.test.probe", None, meta={})
    after = _metrics(client)
    assert _value(after, "tongban_audit_records") == AuditRecord.objects.count() >= 2
    _ready_task(timedelta(seconds=1))
    assert _value(_metrics(client), "tongban_tasks_ready") == 1


def test_a_broken_gauge_does_not_hide_the_others(client, settings) -> None:
    settings.TONGBAN_METRICS_GAUGES = {
        **settings.TONGBAN_METRICS_GAUGES,
        "tongban_broken": ("Broken.", "tongban.core.no_such_module.count"),
    }
    text = _metrics(client)
    assert "tongban_broken" not in text and "tongban_audit_records " in text


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_metrics_are_served_to_local_addresses(client, address) -> None:
    assert "tongban_http_requests_total" in _metrics(client, REMOTE_ADDR=address)


def test_metrics_refused_to_other_addresses_even_with_a_forged_header(client) -> None:
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 403
    forged = {**outside, "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    response = client.get("/metrics", **forged)
    assert response.status_code == 403
    assert b"tongban_" not in response.content


def test_metrics_allowed_networks_and_trusted_proxy(client, settings) -> None:
    settings.TONGBAN_METRICS_ALLOWED = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    # Behind our proxy the last X-Forwarded-For entry is the client: only it counts.
    settings.TONGBAN_TRUST_X_FORWARDED_FOR = True
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/metrics", **via_proxy, HTTP_X_FORWARDED_FOR="10.20.9.9").status_code == 200
    spoofed = "10.20.9.9, 198.51.100.4"
    assert client.get("/metrics", **via_proxy, HTTP_X_FORWARDED_FOR=spoofed).status_code == 403
