from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "tongban.ratings"
    label = "ratings"
    verbose_name = _("Service ratings")

    def ready(self) -> None:
        from tongban.cases.signals import completion_details

        from . import clocks, services

        # The invitation to rate is part of the case's completion message.
        completion_details.connect(
            services.on_case_completed, dispatch_uid="tongban.ratings.invite"
        )
        clocks.register_running_clocks()
        from tongban.ratings import nav  # noqa: F401 - registers its ways in
