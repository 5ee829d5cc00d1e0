from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "tongban.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        import tongban.notify.nav  # noqa: F401 - registers its ways in
        from tongban.accounts.models import RoleAssignment, SecondFactorLock
        from tongban.core.alerts import alert_raised
        from tongban.notify import alerting
        from tongban.notify import checks as _checks  # noqa: F401 - registers its checks
        from tongban.notify import tasks as _tasks  # noqa: F401 - registers notify.deliver

        alert_raised.connect(alerting.deliver_alert, dispatch_uid="tongban.notify.alerts")
        user_locked_out.connect(alerting.on_user_locked_out, dispatch_uid="tongban.notify.lockout")
        post_save.connect(
            alerting.on_second_factor_lock_saved,
            sender=SecondFactorLock,
            dispatch_uid="tongban.notify.second_factor_lock",
        )
        post_save.connect(
            alerting.on_role_assignment_saved,
            sender=RoleAssignment,
            dispatch_uid="tongban.notify.role_granted",
        )
        post_delete.connect(
            alerting.on_role_assignment_deleted,
            sender=RoleAssignment,
            dispatch_uid="tongban.notify.role_revoked",
        )
