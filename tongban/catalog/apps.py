from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "tongban.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from tongban.catalog import changes
        from tongban.catalog.search import signals as search_signals

        changes.connect()
        search_signals.connect()
        from tongban.catalog import nav  # noqa: F401 - registers its ways in
