"""Periodic jobs of the exchange (``tongban.core.scheduling``)."""

from __future__ import annotations
