"""Subcommands of ``tongban exchange`` beyond ``member-key`` and ``verify``.

Each is a module of this package with ``HELP`` (one line), ``add_arguments(parser)`` and
``run(command, options)`` (``command`` is the running ``BaseCommand``: write with
``command.stdout``, fail with ``CommandError``), listed in ``SUBCOMMANDS`` by name.
"""

from __future__ import annotations

from types import ModuleType

SUBCOMMANDS: dict[str, ModuleType] = {}

# Registrations (append-only; one block per subcommand).
from tongban.exchange.cli import evidence as _evidence  # noqa: E402 (after SUBCOMMANDS)

SUBCOMMANDS["evidence"] = _evidence

from tongban.exchange.cli import sync as _sync  # noqa: E402 (after SUBCOMMANDS)

SUBCOMMANDS["sync"] = _sync

from tongban.exchange.cli import upstream as _upstream  # noqa: E402 (after SUBCOMMANDS)

SUBCOMMANDS["upstream"] = _upstream

from tongban.exchange.cli import config as _config  # noqa: E402 (after SUBCOMMANDS)

SUBCOMMANDS["config"] = _config
