"""URLs of the exchange gateway (``/exchange/v1/``), for member systems."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
