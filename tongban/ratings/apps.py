from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "tongban.ratings"
    label = "ratings"
    verbose_name = _("Service ratings")

    def ready(self) -> None:
        from tongban.cases.signals import case_completed

        from . import clocks, services

        case_completed.connect(services.on_case_completed, dispatch_uid="tongban.ratings.invite")
        clocks.register_running_clocks()
