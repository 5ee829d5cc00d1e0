from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Has no models: registered only so that ``load_demo`` and ``demo_logins`` are found."""

    name = "tongban.demo"
    label = "demo"
    verbose_name = _("Demo city")
