"""``tongban audit verify|seal|tail``: check, seal and read the audit chain.

``verify`` walks every stream's hash chain and checks every seal; it prints
``OK: N records in M streams, K seals`` and exits 0, or names the first bad record (or seal)
of each broken stream and exits 1.

``seal`` signs the head of every stream that moved since its last seal with the key
store's "audit-seal" key (see ``tongban.core.audit``). It is idempotent and safe to run
from several machines at once. Run it every five minutes until tongban has a scheduler,
for example from a systemd timer (``OnCalendar=*:0/5``) or cron
(``*/5 * * * * tongban audit seal --quiet``): a rewrite of the chain is then caught for
everything older than five minutes, even if the attacker recomputed every later hash. It
exits 1 when a stream's new records do not verify (that stream is not sealed).

A ``verify`` that finds problems also raises the critical alert ``audit.verify_failed``
for the audit administrators (``tongban.core.alerts``; delivered by ``tongban.notify``).

``tail`` lists the most recent records (metadata only: the records never hold personal
values).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import AuditProblem, count_records, count_seals, seal_streams, verify
from tongban.core.models import AuditRecord, AuditStreamHead


class Command(BaseCommand):
    help = "Verify the audit hash chains and seals, seal the stream heads, or list records."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,seal,tail}")
        sub.add_parser("verify", help="check every stream's chain and seals; exit 1 on a problem")
        seal: ArgumentParser = sub.add_parser(
            "seal", help="sign every stream head that moved (run every 5 minutes)"
        )
        seal.add_argument("--quiet", action="store_true", help="print only problems (for cron)")
        tail: ArgumentParser = sub.add_parser("tail", help="list the most recent records")
        tail.add_argument("-n", "--lines", type=int, default=20, help="how many (default 20)")
        tail.add_argument("--stream", default="", help="only this stream")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify()
        elif options["subcommand"] == "seal":
            self._seal(options["quiet"])
        else:
            self._tail(options["lines"], options["stream"])

    def _verify(self) -> None:
        problems = verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL: {problem}")
            self.stderr.write(f"{len(problems)} stream(s) with a problem.")
            self._alert(problems)
            raise SystemExit(1)
        streams = AuditStreamHead.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {count_records()} records in {streams} streams, {count_seals()} seals"
            )
        )

    def _alert(self, problems: list[AuditProblem]) -> None:
        """Tell the audit administrators (the alert names streams, never record contents)."""
        streams = sorted({problem.stream for problem in problems})
        try:
            raise_alert(
                "audit.verify_failed",
                audience="audit_admin",
                message=_(
                    "The audit trail check found problems in %(count)s stream(s): "
                    '%(streams)s. Run "tongban audit verify" to see the first altered '
                    "record of each."
                ),
                params={"count": len(streams), "streams": ", ".join(streams)},
                severity=Severity.CRITICAL,
            )
        except Exception as exc:  # the check's own verdict must still be printed and exit 1
            self.stderr.write(f"Could not raise the alert: {type(exc).__name__}: {exc}")

    def _seal(self, quiet: bool) -> None:
        run = seal_streams()
        if not quiet:
            for seal in run.sealed:
                self.stdout.write(
                    f"sealed {seal.stream} {seal.from_seq}..{seal.seq} "
                    f"with key {seal.key_id} ({seal.signature_alg})"
                )
            self.stdout.write(
                self.style.SUCCESS(
                    f"OK: {len(run.sealed)} stream(s) sealed, {len(run.unchanged)} unchanged"
                )
            )
        if run.problems:
            for problem in run.problems:
                self.stderr.write(f"FAIL: {problem}")
            raise SystemExit(1)

    def _tail(self, lines: int, stream: str) -> None:
        if lines < 1:
            raise CommandError("-n must be at least 1")
        records = AuditRecord.objects.order_by("-occurred_at", "-id")
        if stream:
            records = records.filter(stream=stream)
        rows = list(records[:lines])
        if not rows:
            self.stdout.write("No audit records.")
            return
        for record in reversed(rows):
            obj = f"{record.object_type}:{record.object_id}" if record.object_type else "-"
            meta = json.dumps(record.meta, ensure_ascii=False, sort_keys=True)
            self.stdout.write(
                f"{record.occurred_at.isoformat(timespec='seconds')} "
                f"{record.stream}#{record.seq} {record.actor_label} {record.action} {obj} {meta}"
            )
