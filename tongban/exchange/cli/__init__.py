"""Subcommands of ``tongban exchange`` beyond ``member-key`` and ``verify``.

Each is a module of this package with ``HELP`` (one line), ``add_arguments(parser)`` and
``run(command, options)`` (``command`` is the running ``BaseCommand``: write with
``command.stdout``, fail with ``CommandError``), listed in ``SUBCOMMANDS`` by name.
"""

from __future__ import annotations

from types import ModuleType

SUBCOMMANDS: dict[str, ModuleType] = {}
