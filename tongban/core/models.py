"""Kernel tables: the audit chain.

The audit trail is append-only and hash-chained per stream (one chain per domain module),
so that writers in different modules never queue on one global lock. ``AuditStreamHead``
holds the last sequence number and hash of each stream: it is updated in the same
transaction as the record, which is how a deleted tail (truncation) is detected.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassificationLevel(models.IntegerChoices):
    """Data classification (数据分级) used for records and user clearance."""

    PUBLIC = 1, _("Public")
    INTERNAL = 2, _("Internal")
    SENSITIVE = 3, _("Sensitive")
    CONFIDENTIAL = 4, _("Confidential")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit record."""


class AuditRecord(models.Model):
    stream = models.CharField(_("stream"), max_length=64)
    seq = models.PositiveBigIntegerField(_("sequence"))
    occurred_at = models.DateTimeField(_("occurred at"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Metadata only (field names, counts, codes): never personal values or secrets.
    meta = models.JSONField(_("metadata"), default=dict, blank=True)
    alg = models.CharField(_("hash algorithm"), max_length=16, default="sha256")
    prev_hash = models.CharField(_("previous hash"), max_length=128)
    hash = models.CharField(_("hash"), max_length=128)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["stream", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_stream_seq_unique")
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("audit records cannot be deleted")


class AuditStreamHead(models.Model):
    stream = models.CharField(_("stream"), max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField(_("last sequence"), default=0)
    hash = models.CharField(_("last hash"), max_length=128, default="")

    class Meta:
        verbose_name = _("audit stream head")
        verbose_name_plural = _("audit stream heads")

    def __str__(self) -> str:
        return f"{self.stream} @ {self.seq}"


class Generation(models.Model):
    """A counter that moves whenever a body of data changes (e.g. "catalogue").

    Cached pages and fragments put the generation in their cache key, so one UPDATE here
    invalidates every process's cache at once: nothing relies on one process's memory.
    """

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    value = models.PositiveBigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("cache generation")
        verbose_name_plural = _("cache generations")

    def __str__(self) -> str:
        return f"{self.name} #{self.value}"


class KeyPurpose(models.TextChoices):
    """What a key is for: one key (pair) per purpose, never shared between purposes."""

    LICENCE = "licence", _("Licence signing")
    AUDIT_SEAL = "audit-seal", _("Audit seal")
    FIELD_ENCRYPTION = "field-encryption", _("Field encryption")
    PII_DIGEST = "pii-digest", _("Personal data digests")
    EXCHANGE = "exchange", _("Data exchange")
    EXCHANGE_CONFIG = "exchange-config", _("Exchange configuration signing")


class KeyKind(models.TextChoices):
    SIGNING = "signing", _("Signing key pair")
    SECRET = "secret", _("Secret key")


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class CryptoKey(models.Model):
    """One key of the key store (``tongban.core.crypto.keys``).

    Private and secret material is stored only encrypted under the key-encryption key
    (KEK), bound to this row's key id, purpose and department. A retired key is kept so that
    what it signed or encrypted can still be verified or decrypted; it is never used for new
    signatures or ciphertexts. At most one active key per purpose and department.
    """

    key_id = models.CharField(_("key id"), max_length=40, unique=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=KeyPurpose.choices)
    department_code = models.CharField(_("department code"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=KeyKind.choices)
    suite = models.CharField(_("crypto suite"), max_length=12)
    alg = models.CharField(_("algorithm"), max_length=32)
    status = models.CharField(
        _("status"), max_length=12, choices=KeyStatus.choices, default=KeyStatus.ACTIVE
    )
    public_key = models.BinaryField(_("public key"), blank=True, default=b"")
    wrapped_key = models.BinaryField(_("wrapped key material"))
    kek_fingerprint = models.CharField(_("KEK fingerprint"), max_length=32)
    created_at = models.DateTimeField(_("created at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cryptographic key")
        verbose_name_plural = _("cryptographic keys")
        ordering = ["purpose", "department_code", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "department_code"],
                condition=models.Q(status="active"),
                name="cryptokey_one_active_per_purpose",
            )
        ]
        indexes = [models.Index(fields=["purpose", "department_code", "status"])]

    def __str__(self) -> str:
        scope = self.department_code or "platform"
        return f"{self.purpose}/{scope} {self.key_id} ({self.alg}, {self.status})"


class AuditSeal(models.Model):
    """A signed statement that a stream's chain held these hashes at ``sealed_at``.

    Written by ``tongban.core.audit.seal_streams`` (``tongban audit seal``, or the worker
    task) with the active "audit-seal" key. A seal covers the records ``from_seq``..``seq``
    of one stream (the ones appended since the stream's previous seal) and stores their
    hashes in order, so that ``verify`` can name the first covered record that changed even
    when an attacker recomputed every later hash and the stream head. ``signature`` is
    ``alg.key_id.value``; ``key_id`` and ``signature_alg`` repeat its first two parts for
    reading and filtering. Append-only, like the records (database triggers).
    """

    stream = models.CharField(_("stream"), max_length=64)
    from_seq = models.PositiveBigIntegerField(_("first sequence covered"))
    seq = models.PositiveBigIntegerField(_("last sequence covered"))
    head_hash = models.CharField(_("head hash"), max_length=128)
    # The covered records' hashes, in sequence order, separated by single spaces.
    record_hashes = models.TextField(_("record hashes"))
    sealed_at = models.DateTimeField(_("sealed at"))
    signature = models.TextField(_("signature"))
    key_id = models.CharField(_("key id"), max_length=64)
    signature_alg = models.CharField(_("signature algorithm"), max_length=32)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["stream", "seq"]
        constraints = [
            # Both ends unique: two sealers racing on one stream cannot both write a seal,
            # and no two seals of a stream overlap.
            models.UniqueConstraint(fields=["stream", "seq"], name="auditseal_stream_seq_unique"),
            models.UniqueConstraint(
                fields=["stream", "from_seq"], name="auditseal_stream_from_seq_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream} sealed {self.from_seq}..{self.seq}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("audit seals cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("audit seals cannot be deleted")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class PeriodicJob(models.Model):
    """One job of the scheduler's registry (``tongban.core.scheduling``) and how it last ran.

    The registry in code is the source of truth for what runs when; this row mirrors it for
    the admin and the health check, and keeps the outcome of the latest run. Written only
    by the scheduler (bookkeeping, not audited: the jobs audit what they change).
    """

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    schedule = models.CharField(_("schedule"), max_length=100, blank=True)
    last_claimed_slot = models.DateTimeField(_("last slot claimed"), null=True, blank=True)
    last_run_slot = models.DateTimeField(_("slot of the last finished run"), null=True, blank=True)
    last_status = models.CharField(
        _("last status"), max_length=12, choices=RunStatus.choices, blank=True
    )
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success at"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ScheduledRun(models.Model):
    """One slot of a periodic job, claimed by exactly one scheduler process.

    The unique (job, slot_start) pair is the claim: the scheduler inserts the row in its own
    transaction and only the process whose insert succeeds runs (or enqueues) the job, so
    several schedulers never run one slot twice. Old rows are pruned by the
    ``core.prune_scheduled_runs`` job.
    """

    job = models.CharField(_("job"), max_length=100)
    slot_start = models.DateTimeField(_("slot"))
    claimed_at = models.DateTimeField(_("claimed at"))
    claimed_by = models.CharField(_("claimed by"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot_start", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot_start"], name="scheduledrun_one_per_slot")
        ]
        indexes = [models.Index(fields=["slot_start"])]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot_start:%Y-%m-%d %H:%M} ({self.status})"


class StatusChange(models.Model):
    """One move of a stateful model's status, written by ``tongban.core.transitions.move``
    and nothing else, in the same transaction as the move and its audit record."""

    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record"), max_length=64)
    field = models.CharField(_("field"), max_length=40, default="status")
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=40)
    to_state = models.CharField(_("to"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["model", "object_id", "at"], name="core_status_change_obj")]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id}: {self.from_state} → {self.to_state}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed, gave up")


class OutboxEntry(models.Model):
    """One effect to carry out after the change that recorded it committed: issue a
    licence, send an e-mail, reindex, seal (``tongban.core.outbox``).

    Written in the transaction of the change; run by the worker and, whatever happened
    to that, by the sweep. ``next_attempt_at`` is when a waiting row is due (empty: at
    once) and, while it runs, when its lease ends. Only ``tongban.core.outbox`` writes the
    status, by conditional UPDATEs.
    """

    kind = models.CharField(_("kind"), max_length=80)
    # Ids and plain values only; the handler reads the current rows itself.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One waiting row per key: a second enqueue of the same work joins the first.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status="pending") & ~models.Q(key=""),
                name="core_outbox_one_waiting_per_key",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
