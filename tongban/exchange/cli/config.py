"""``tongban exchange config``: the signed configuration bundle (P20).

- ``export --out FILE`` (on the central node): write the signed bundle of the catalogue,
  member systems with their keys, and grants;
- ``import FILE`` (on every other node): check it against the installed anchor and apply
  it; exits non-zero, naming the reason, when it is refused (the last good configuration
  stays in force and the security administrators are alerted);
- ``anchor --out FILE`` (on the central node): write this node's public key (PEM), to be
  installed on the other nodes as ``TONGBAN_EXCHANGE_CONFIG_ANCHOR``.

``-`` as FILE means standard output (export, anchor) or standard input (import).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.exchange import config as exchange_config
from tongban.exchange.models import ConfigOutcome

HELP = "export, import or anchor the signed configuration bundle (catalogue, members, grants)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(
        dest="config_action", required=True, metavar="{export,import,anchor}"
    )
    export = sub.add_parser("export", help="write the signed bundle of this (central) node")
    export.add_argument("--out", required=True, help="the new file, or - for standard output")
    export.add_argument("--serial", type=int, default=None, help="the serial (default: next)")
    load = sub.add_parser("import", help="check a bundle against the anchor and apply it")
    load.add_argument("file", help="the bundle, or - for standard input")
    anchor = sub.add_parser("anchor", help="write this node's public key for the other nodes")
    anchor.add_argument("--out", required=True, help="the new file, or - for standard output")


def _write(command: BaseCommand, out: str, data: bytes) -> None:
    if out == "-":
        command.stdout.write(data.decode("utf-8"), ending="")
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise CommandError(f"{out} exists; choose a new file") from None
    except OSError as exc:
        raise CommandError(f"{out} cannot be written: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _read(path: str) -> bytes:
    """At most one byte more than the cap: a larger file is refused without being read."""
    limit = exchange_config.max_bytes() + 1
    if path == "-":
        return sys.stdin.buffer.read(limit)
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        raise CommandError(f"{path} cannot be read: {exc.strerror}") from None


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    action = options["config_action"]
    if action == "export":
        data = exchange_config.export_bundle(options.get("serial"))
        _write(command, options["out"], data)
        if options["out"] != "-":
            command.stdout.write(f"bundle written to {options['out']} ({len(data)} bytes)")
    elif action == "anchor":
        _write(command, options["out"], exchange_config.own_public_key_pem().encode("ascii"))
        if options["out"] != "-":
            command.stdout.write(
                f"anchor written to {options['out']}; install it on the other nodes and set "
                "TONGBAN_EXCHANGE_CONFIG_ANCHOR to its path"
            )
    else:
        bundle = exchange_config.import_bundle(_read(options["file"]))
        if bundle.outcome != ConfigOutcome.ACCEPTED:
            raise CommandError(f"bundle refused: {bundle.reason}")
        command.stdout.write(f"bundle {bundle.serial} accepted; {bundle.reason}")
