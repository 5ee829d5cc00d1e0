from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = _("Data sharing and exchange")

    def ready(self) -> None:
        from . import clocks

        clocks.register_running_clocks()
        from tongban.exchange import nav  # noqa: F401 - registers its ways in
