from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "tongban.exchange"
    label = "exchange"
    verbose_name = _("Data sharing and exchange")

    def ready(self) -> None:
        from . import clocks

        clocks.register_running_clocks()
        clocks.register_correction_clocks()
        clocks.register_access_report_clocks()
        from tongban.exchange import (
            checks,  # noqa: F401 - the retention check (P14)
            nav,  # noqa: F401 - registers its ways in
            prefill,
            upstream_sync,  # noqa: F401 - outbox handlers, audit labels
        )

        prefill.register()  # material sources and the prefill provider of tongban.cases.sharing
