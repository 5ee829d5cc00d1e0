"""``tongban exchange member-key MEMBER``: a new key pair for a member system;
``tongban exchange verify BUNDLE --keys KEYS``: prove an exchange to a third party.

Run by the data authority's administrator at registration and at every rotation. The key
pair is made under the configured crypto suite (``TONGBAN_CRYPTO_SUITE``: Ed25519, or SM2
with SM3); the public key is stored with a fresh key id, and the private key is printed
once, as PKCS#8 PEM, to hand to the member system's operator. It is never stored: lose it
and issue a new key. ``--retire-others`` ends the validity of the member's older keys
(rotation, once the system uses the new key); ``--out FILE`` writes the private key to a
new file readable by its owner only instead of printing it.

``verify`` checks an evidence bundle (``tongban.exchange.bundle_verify``: the signed request,
the signed response and their headers) with public keys only, and prints the report; it
exits non-zero unless the response provably answered that request.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.exchange import bundle_verify, services
from tongban.exchange.cli import SUBCOMMANDS
from tongban.exchange.models import MemberSystem


class Command(BaseCommand):
    help = "Manage the exchange: issue a member system's key pair (the private key is shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        names = ["member-key", "verify", *SUBCOMMANDS]
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{" + ",".join(names) + "}"
        )
        key = sub.add_parser("member-key", help="issue a key pair for a member system")
        key.add_argument("member", help="the member system's code")
        key.add_argument(
            "--retire-others", action="store_true", help="end the validity of its older keys"
        )
        key.add_argument("--out", default="", help="write the private key to this new file")
        check = sub.add_parser("verify", help="check an evidence bundle with public keys only")
        check.add_argument("bundle", help="the evidence bundle (JSON)")
        check.add_argument("--keys", required=True, help='public keys JSON {"keys": [...]}')
        for name, module in SUBCOMMANDS.items():
            module.add_arguments(sub.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "member-key":
            self._member_key(options["member"], options["retire_others"], options["out"])
        elif options["subcommand"] == "verify":
            self._verify(options["bundle"], options["keys"])
        else:
            SUBCOMMANDS[options["subcommand"]].run(self, options)

    def _verify(self, bundle: str, keys: str) -> None:
        report = bundle_verify.verify_files(bundle, keys)
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if not report.ok:
            raise CommandError(f"not proven: {report.failed} {report.code}: {report.message}")

    def _member_key(self, code: str, retire_others: bool, out: str) -> None:
        member = MemberSystem.objects.filter(code=code.strip().lower()).first()
        if member is None:
            raise CommandError(f"no member system with code {code!r}")
        issued = services.issue_member_key(member, actor=None, retire_others=retire_others)
        key = issued.key
        if out:
            try:
                fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise CommandError(f"{out} exists; choose a new file") from None
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(issued.private_pem)
        self.stdout.write(f"member: {member.code}")
        self.stdout.write(f"key id: {key.key_id}")
        self.stdout.write(f"algorithm: {key.algorithm}")
        if out:
            self.stdout.write(f"private key written to {out} (mode 600); it is not stored here.")
        else:
            self.stdout.write("private key (shown once, not stored; hand it over securely):")
            self.stdout.write(issued.private_pem, ending="")
