"""URLs of the public open-data catalogue (``/open-data/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "open_data"

urlpatterns: list[URLPattern | URLResolver] = []
