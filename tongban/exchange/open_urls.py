"""URLs of the public open-data catalogue (``/open-data/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views_open

app_name = "open_data"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_open.open_list, name="list"),
    path("catalogue.jsonld", views_open.open_jsonld, name="jsonld"),
    path("catalogue-national.csv", views_open.open_csv, name="national_csv"),
    path("<str:code>/", views_open.open_resource, name="resource"),
]
