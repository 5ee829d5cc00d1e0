from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "tongban.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from tongban.workdays import nav  # noqa: F401 - registers its ways in
