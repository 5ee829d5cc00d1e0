from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = _("Platform kernel")

    def ready(self) -> None:
        import tongban.core.nav  # noqa: F401 - the navigation registry and its admin link

        # Registers the kernel's outbox handlers (audit.seal) in every process.
        from tongban.core import tasks  # noqa: F401
