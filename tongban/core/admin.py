"""Admin for the kernel: the audit trail is shown read-only to everyone.

Nobody, not even a superuser, can add, change or delete an audit record or a stream head
through the admin: the chain is written only by ``record_audit`` and checked by
``tongban audit verify``.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tongban.core import auditlabels
from tongban.core.audit import record_audit
from tongban.core.models import AuditRecord, AuditStreamHead, Generation, StatusChange

admin.site.site_header = _("tongban administration")
admin.site.site_title = _("tongban administration")
admin.site.index_title = _("Platform administration")


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: no add, change or delete permission for anyone."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditActionFilter(admin.SimpleListFilter):
    """Filter by action, each shown by its readable name (``tongban.core.auditlabels``)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The actions among the records the other filters and the search leave, so that
        # the choices fit what is shown.
        rows = model_admin.get_queryset(request)
        narrowing = {
            key: value
            for key, value in request.GET.items()
            if key == "stream" or key.startswith("occurred_at__")
        }
        if narrowing:
            rows = rows.filter(**narrowing)
        if request.GET.get("q"):
            rows, _duplicates = model_admin.get_search_results(request, rows, request.GET["q"])
        codes = rows.order_by().values_list("action", flat=True).distinct()
        named = [(code, f"{auditlabels.label(code)} ({code})") for code in codes]
        return sorted(named, key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at", "stream", "seq", "actor_label", "action_name", "object_type",
        "object_id",
    )  # fmt: skip
    list_filter = (AuditActionFilter, "stream", "occurred_at")
    search_fields = ("action", "object_type", "object_id", "actor_label")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    list_per_page = 50
    readonly_fields = (
        "stream", "seq", "occurred_at", "actor_id", "actor_label", "action_name", "action",
        "object_type", "object_id", "meta", "alg", "prev_hash", "hash",
    )  # fmt: skip

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditRecord) -> str:
        return auditlabels.label(obj.action)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    """The history of every guarded status move (``tongban.core.transitions.move``)."""

    list_display = ("at", "model", "object_id", "action", "from_state", "to_state", "actor")
    list_filter = ("model", "action")
    search_fields = ("model", "object_id", "action")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    list_select_related = ("actor",)


@admin.register(AuditStreamHead)
class AuditStreamHeadAdmin(ReadOnlyAdmin):
    list_display = ("stream", "seq", "hash")
    search_fields = ("stream",)
    readonly_fields = ("stream", "seq", "hash")


@admin.register(Generation)
class GenerationAdmin(ReadOnlyAdmin):
    list_display = ("name", "value")


from tongban.core.models import CryptoKey  # noqa: E402 - appended with the key store


@admin.register(CryptoKey)
class CryptoKeyAdmin(ReadOnlyAdmin):
    """The key store, read-only and without key material: no field of a key's private or
    secret half (``wrapped_key``) is ever shown. Keys change only through
    ``tongban keys rotate``, which writes an audit record."""

    list_display = (
        "key_id", "purpose", "department_code", "alg", "status", "created_at", "retired_at",
    )  # fmt: skip
    list_filter = ("purpose", "status", "suite")
    search_fields = ("key_id", "department_code")
    fields = readonly_fields = (
        "key_id", "purpose", "department_code", "kind", "suite", "alg", "status",
        "kek_fingerprint", "created_at", "retired_at",
    )  # fmt: skip
    exclude = ("wrapped_key", "public_key")


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose every add, change and delete also enters the audit chain.

    Django's own LogEntry stays (it drives the admin's history pages); the audit record
    names the model, the object and the changed fields' names — never their values — in
    the same transaction as the change.
    """

    def _audit(self, request: HttpRequest, obj: Any, verb: str, message: Any = None) -> None:
        fields: set[str] = set()
        for entry in message if isinstance(message, list) else []:
            for change in entry.values() if isinstance(entry, dict) else []:
                fields.update(str(f) for f in change.get("fields", []))
        meta = {"fields": sorted(fields)} if fields else {}
        opts = obj._meta
        record_audit(request.user, f"{opts.app_label}.{opts.model_name}.admin_{verb}", obj,
                     meta=meta)  # fmt: skip

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, "create", message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, "change", message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self._audit(request, obj, "delete")
        return entries


from tongban.core.models import AuditSeal  # noqa: E402 - appended with the audit seals


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    """Audit seals, read-only: written only by ``tongban audit seal`` and checked by
    ``tongban audit verify``. The covered hashes are long and left to the command."""

    list_display = ("sealed_at", "stream", "from_seq", "seq", "key_id", "signature_alg")
    list_filter = ("stream", "signature_alg", "sealed_at")
    search_fields = ("stream", "key_id", "head_hash")
    date_hierarchy = "sealed_at"
    ordering = ("-sealed_at", "-id")
    fields = readonly_fields = (
        "stream", "from_seq", "seq", "head_hash", "sealed_at", "key_id", "signature_alg",
        "signature",
    )  # fmt: skip


from tongban.core import scheduling  # noqa: E402 - appended with the scheduler
from tongban.core.models import PeriodicJob, ScheduledRun  # noqa: E402


def schedule_words(every: timedelta, at: time | None) -> str:
    """A job's schedule in the active language: "every day at 02:30", "every 5 minutes"."""
    if at is not None and every.days >= 1 and not every.seconds:
        return ngettext("every day at %(time)s", "every %(count)d days at %(time)s", every.days) % {
            "count": every.days,
            "time": f"{at:%H:%M}",
        }
    seconds = int(every.total_seconds())
    if seconds % 3600 == 0:
        count = seconds // 3600
        return ngettext("every hour", "every %(count)d hours", count) % {"count": count}
    if seconds % 60 == 0:
        count = seconds // 60
        return ngettext("every minute", "every %(count)d minutes", count) % {"count": count}
    return ngettext("every second", "every %(count)d seconds", seconds) % {"count": seconds}


@admin.register(PeriodicJob)
class PeriodicJobAdmin(ReadOnlyAdmin):
    """The scheduler's jobs, read-only: what runs when, the last outcome, when it runs next.
    The schedule itself lives in code (``@periodic`` in ``<app>/jobs.py``)."""

    list_display = (
        "name", "schedule_words", "last_status", "last_finished_at", "last_duration_ms",
        "consecutive_failures", "last_success_at", "last_failure_at", "next_due",
    )  # fmt: skip
    list_filter = ("last_status",)
    search_fields = ("name",)
    fields = readonly_fields = (
        "name", "schedule_words", "next_due", "last_claimed_slot", "last_run_slot", "last_status",
        "last_finished_at", "last_duration_ms", "last_success_at", "last_failure_at",
        "consecutive_failures", "last_error",
    )  # fmt: skip

    @admin.display(description=_("schedule"), ordering="schedule")
    def schedule_words(self, obj: PeriodicJob) -> Any:
        job = scheduling.get_job(obj.name)
        return obj.schedule if job is None else schedule_words(job.every, job.at)

    @admin.display(description=_("next due"))
    def next_due(self, obj: PeriodicJob) -> Any:
        job = scheduling.get_job(obj.name)
        if job is None:
            return _("not registered")
        return scheduling.next_due(job, obj, timezone.now())


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    """Every claimed slot of every periodic job and how it went (pruned after 30 days)."""

    list_display = ("slot_start", "job", "status", "claimed_by", "duration_ms", "finished_at")
    list_filter = ("status", "job")
    search_fields = ("job", "claimed_by", "error")
    date_hierarchy = "slot_start"
    ordering = ("-slot_start", "job")
    list_per_page = 50
    fields = readonly_fields = (
        "job", "slot_start", "status", "claimed_at", "claimed_by", "task_id", "started_at",
        "finished_at", "duration_ms", "error",
    )  # fmt: skip


from tongban.core import outbox  # noqa: E402 - appended with the outbox
from tongban.core.models import OutboxEntry, OutboxStatus  # noqa: E402


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyAdmin):
    """The outbox, read-only: what is waiting, running or failed (licences to issue, e-mail
    and SMS to send, reindexing, sealing), with its attempts, last error and next attempt.
    The one action, "retry now", puts failed rows back (and brings waiting ones forward);
    it is audited. Rows are written and moved only by ``tongban.core.outbox``."""

    list_display = (
        "created_at", "kind", "status", "attempts", "next_attempt_at", "short_error", "key",
    )  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("kind", "key", "last_error")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_per_page = 50
    actions = ("retry_now",)
    fields = readonly_fields = (
        "kind", "status", "payload", "key", "attempts", "last_error", "next_attempt_at",
        "claimed_by", "created_at", "finished_at",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> Any:
        # Done rows are history (pruned after TONGBAN_OUTBOX_KEEP_DAYS): shown only when
        # asked for with the status filter.
        rows = super().get_queryset(request)
        if request.GET.get("status__exact") == OutboxStatus.DONE:
            return rows
        return rows.exclude(status=OutboxStatus.DONE)

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboxEntry) -> str:
        return obj.last_error[:120]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # Rows stay read-only for everyone; running one again is a separate right.
        return bool(request.user.has_perm("core.change_outboxentry"))

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: Any) -> None:
        count = outbox.retry(list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(request, _("%(count)s item(s) will run again now.") % {"count": count})


auditlabels.register(
    {
        "core.backup.create": _("Backup made"),
        "core.backup.restore": _("Backup restored"),
        "crypto.key.created": _("Cryptographic key created"),
        "crypto.key.rotated": _("Cryptographic key rotated"),
        "crypto.pii.rewrite": _("Personal data encrypted again with new keys"),
        "outbox.retry": _("Background work retried"),
    }
)
