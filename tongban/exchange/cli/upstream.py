"""``tongban exchange upstream pull|push|poll``: the city's node of the integrated platform.

- ``pull`` lists the upstream catalogue and creates, updates or withdraws the local copies
  of its resources (owned by the data authority, published);
- ``push`` sends the city's published resources up as the node's catalogue and stamps them;
- ``poll`` reads the upstream's answers to forwarded requests and records them, and queues
  the forward of requests not yet sent.

The same work runs on its own (jobs ``exchange.upstream_push`` hourly and
``exchange.upstream_poll`` every five minutes); the command is for operators and the demo.
Fails (non-zero exit) when the upstream cannot be reached or something was left undone.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import messages_of
from tongban.exchange import upstream_sync
from tongban.exchange.upstream import UpstreamError

HELP = "pull the upstream catalogue, push ours, or poll answers to forwarded requests"


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "action",
        choices=("pull", "push", "poll"),
        help="pull the upstream catalogue, push the city's, or poll forwarded requests",
    )


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    action = options["action"]
    errors: list[str] = []
    try:
        if action == "pull":
            pulled = upstream_sync.pull_catalogue()
            report: dict[str, Any] = pulled.as_dict()
            errors = pulled.errors
        elif action == "push":
            pushed = upstream_sync.push_catalogue()
            report = {
                "pushed": pushed.pushed,
                "unlisted": pushed.unlisted,
                "receipt": pushed.receipt.receipt_id,
            }
        else:
            polled = upstream_sync.poll_requests()
            report = polled.as_dict()
            errors = polled.errors
    except UpstreamError as exc:
        raise CommandError(f"upstream {action} failed: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(m for ms in messages_of(exc).values() for m in ms)
        raise CommandError(f"upstream {action} refused: {problems}") from None
    command.stdout.write(json.dumps(report, ensure_ascii=False))
    for line in errors:
        command.stderr.write(line)
    if errors:
        raise CommandError(f"upstream {action}: {len(errors)} problem(s), listed above")
