from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "tongban.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from tongban.portal import nav  # noqa: F401 - registers its ways in
