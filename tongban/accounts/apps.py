from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        import tongban.accounts.nav  # noqa: F401 - registers its ways in
        from tongban.accounts import checks, roles, signals  # noqa: F401 - checks register
        from tongban.accounts.models import RoleAssignment

        # After every app: permissions of apps migrated later exist only then.
        post_migrate.connect(roles.sync_role_groups, dispatch_uid="tongban.roles")
        for signal in (post_save, post_delete):
            signal.connect(roles.on_assignment_change, sender=RoleAssignment,
                           dispatch_uid=f"tongban.roles.{signal is post_save}")  # fmt: skip
        user_logged_in.connect(signals.on_sign_in, dispatch_uid="tongban.accounts.sign_in")
        user_logged_out.connect(signals.on_sign_out, dispatch_uid="tongban.accounts.sign_out")
        from tongban.accounts import notices  # noqa: F401 - registers accounts.password_changed
