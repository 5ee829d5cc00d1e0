from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = _("Applications and cases")

    def ready(self) -> None:
        from tongban.workdays import calc

        from . import clocks, flow
        from .engine import kernel

        kernel.configure(loader=flow.load_definition, add_working_days=calc.add_working_days)
        clocks.register_running_clocks()
        from . import acceptance  # the 受理通知书: issued on acceptance, verifiable

        acceptance.register()
        from tongban.cases import nav  # noqa: F401 - registers its ways in

        from . import (
            notices,  # noqa: F401 - message listeners and the completion outbox handler
            sharing,  # noqa: F401 - the outbox handler of shared-material fetches
        )
