"""``tongban licence verify`` and ``tongban licence keys``: check licence codes.

``verify <payload-or-file>`` checks the signature of a licence code (the text after ``p=``
in the QR code's address, the whole address, or a file holding either):

- with ``--keys keys.json`` entirely offline, against a saved copy of the published keys
  (``/licences/keys.json`` or ``tongban licence keys``), as any third party would;
- otherwise against this platform's key store, and then online against the register
  (revoked, suspended, expired), unless ``--offline``.

Exit status 0 when the licence is valid, 1 when it is not (invalid, revoked, suspended,
expired). ``keys`` prints the published keys document.

``issue-pending`` issues now every licence still owed: approved matters whose item issues a
licence and that have none (their outbox row ``licences.issue`` failed or is still backing
off). It prints one line per matter; exit status 1 when any is still not issued (its error
is on the outbox row, see the admin's outbox list).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from tongban.core.crypto import keys
from tongban.core.models import KeyPurpose
from tongban.licences import payload as pl
from tongban.licences import services


def read_payload(arg: str) -> str:
    """The payload from a file, an address with ``?p=`` or the bare text."""
    text = arg.strip()
    try:
        is_file = Path(text).is_file()
    except (OSError, ValueError):  # a long code is no file name
        is_file = False
    if is_file:
        text = Path(text).read_text(encoding="utf-8").strip()
    if "p=" in text:
        found = parse_qs(urlsplit(text).query).get("p")
        if found:
            text = found[0]
    return text


class Command(BaseCommand):
    help = "Verify a licence code (offline with published keys, or online), or print the keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{verify,keys,issue-pending}"
        )
        ver = sub.add_parser("verify", help="verify a licence code or a file holding one")
        ver.add_argument("payload", help="the code, the verification address, or a file")
        ver.add_argument("--keys", default="", help="keys.json for a fully offline check")
        ver.add_argument("--offline", action="store_true", help="signature only, no register")
        ver.add_argument("--language", default="en", help="language of the messages (en, zh-hans)")
        sub.add_parser("keys", help="print the published licence keys (keys.json)")
        sub.add_parser("issue-pending", help="issue now every licence an approved matter owes")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "issue-pending":
            self._issue_pending()
            return
        if options["subcommand"] == "keys":
            document = pl.keys_document(keys.public_keys(KeyPurpose.LICENCE))
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        with translation.override(options["language"]):
            ok = self._verify(read_payload(options["payload"]), options["keys"], options["offline"])
        if not ok:
            raise CommandError("the licence is not valid", returncode=1)

    def _issue_pending(self) -> None:
        from tongban.core.models import OutboxEntry
        from tongban.licences.models import Licence
        from tongban.licences.receivers import ISSUE, issue_key, issue_pending

        outcomes = issue_pending()
        issued = dict(
            Licence.objects.filter(source_subcase__in=outcomes).values_list(
                "source_subcase", "number"
            )
        )
        missing = 0
        for subcase_id, outcome in outcomes.items():
            number = issued.get(subcase_id)
            if number:
                self.stdout.write(f"sub-case {subcase_id}: issued {number}")
                continue
            missing += 1
            error = (
                OutboxEntry.objects.filter(kind=ISSUE, key=issue_key(subcase_id))
                .order_by("-pk")
                .values_list("last_error", flat=True)
                .first()
            )
            self.stdout.write(f"sub-case {subcase_id}: NOT issued ({outcome}): {error or ''}")
        self.stdout.write(f"{len(outcomes) - missing} issued, {missing} not issued")
        if missing:
            raise CommandError("some licences could not be issued", returncode=1)

    def _verify(self, text: str, keys_file: str, offline: bool) -> bool:
        if keys_file:
            try:
                document = json.loads(Path(keys_file).read_text(encoding="utf-8"))
                resolver = pl.resolver_from_document(document)
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"cannot read the keys file {keys_file}: {exc}") from exc
            offline = True
        else:
            resolver = services.store_resolver
        try:
            claims = pl.verify_payload(text, resolver)
        except pl.PayloadError as exc:
            self.stdout.write(f"INVALID ({exc.code}): {exc}")
            return False
        until = claims.valid_until.isoformat() if claims.valid_until else "no time limit"
        self.stdout.write(f"signature: good (key {claims.key_id}, {claims.alg})")
        self.stdout.write(f"licence:   {claims.number} (type {claims.type_code})")
        self.stdout.write(f"issuer:    {claims.issuer}")
        self.stdout.write(f"issued:    {claims.issued_on}  valid {claims.valid_from} .. {until}")
        if offline:
            if claims.expired(timezone.localdate()):
                self.stdout.write("EXPIRED (by its dates; revocation not checked offline)")
                return False
            self.stdout.write("VALID offline (signature and dates; revocation not checked)")
            return True
        result = services.check(text)
        line = f"status:    {result.outcome} - {result.message}"
        if result.reason:
            line += f" {result.reason}"
        if result.changed_at:
            line += f" ({timezone.localtime(result.changed_at):%Y-%m-%d})"
        self.stdout.write(line)
        return result.outcome == "valid"
