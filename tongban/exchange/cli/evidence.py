"""``tongban exchange evidence EXCHANGE_ID [--side provider|requester] --out FILE
[--keys-out FILE] [--without-bodies]``: export the evidence of one exchange (P11).

Writes the kept bundle (``tongban-exchange-evidence/1``: the signed request and response)
to ``--out`` and, with ``--keys-out``, the public keys that prove it. A third party checks
the two files with ``tongban exchange verify BUNDLE --keys KEYS`` (public keys only).
``--without-bodies`` leaves the bodies out: the signatures still prove their digests, and no
payload value (the record key, the released fields) leaves the node. Files are created new,
readable by their owner only; the export is audited.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tongban.core.audit import record_audit
from tongban.core.errors import messages_of
from tongban.exchange import evidence
from tongban.exchange.models import EvidenceSide

HELP = "export the evidence bundle of one exchange (and the public keys that prove it)"


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("exchange_id", help="the exchange id (X-Tongban-Exchange-Id)")
    parser.add_argument(
        "--side",
        choices=EvidenceSide.values,
        default=EvidenceSide.PROVIDER,
        help="whose evidence: this gateway's (provider) or this node's caller's (requester)",
    )
    parser.add_argument("--out", required=True, help="the bundle file to create (JSON)")
    parser.add_argument("--keys-out", default="", help="the public-key file to create (JSON)")
    parser.add_argument(
        "--without-bodies", action="store_true", help="leave the bodies out (digests only)"
    )


def _write_new(path: str, document: Any) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{path} exists; choose a new file") from None
    except OSError as exc:
        raise CommandError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    exchange_id, side = options["exchange_id"], options["side"]
    for path in (options["out"], options["keys_out"]):
        if path and os.path.lexists(path):
            raise CommandError(f"{path} exists; choose a new file")
    try:
        bundle = evidence.export_bundle(exchange_id, side)
    except ValidationError as exc:
        messages = "; ".join(m for ms in messages_of(exc).values() for m in ms)
        raise CommandError(messages) from None
    keys = evidence.public_keys_document(key_ids=evidence.bundle_key_ids(bundle))
    if options["without_bodies"]:
        bundle = evidence.without_bodies(bundle)
    with transaction.atomic():
        record_audit(
            None,
            "exchange.evidence.export",
            evidence.find_evidence(exchange_id, side),
            meta={
                "exchange_id": exchange_id,
                "side": side,
                "bodies": not options["without_bodies"],
                "keys": bool(options["keys_out"]),
            },
            stream="exchange",
        )
        _write_new(options["out"], bundle)
        if options["keys_out"]:
            _write_new(options["keys_out"], keys)
    command.stdout.write(f"evidence of {exchange_id} ({side}) written to {options['out']}")
    if options["keys_out"]:
        command.stdout.write(
            f"{len(keys['keys'])} public key(s) written to {options['keys_out']}; check with: "
            f"tongban exchange verify {options['out']} --keys {options['keys_out']}"
        )
