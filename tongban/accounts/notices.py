"""Security notices that accounts sends itself, after commit, through the outbox.

``accounts.password_changed``: a text message to the account's mobile number saying that
its password was changed and what to do if that was not its owner. Queued by
``services_recovery.reset_password`` in the transaction of the change. The message is in
the platform's language (the notify app, a later layer, holds people's own preferences).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import User
from tongban.accounts.services_recovery import NOTICE_KIND
from tongban.accounts.sms import get_sms_gateway
from tongban.accounts.smscodes import signed_text
from tongban.core import outbox
from tongban.core.audit import record_audit
from tongban.core.models import AuditRecord

NOTICE_ACTION = "accounts.password.notice"

PASSWORD_CHANGED_TEXT = _(
    "The password of your account was changed on %(date)s at %(time)s. If you did not do "
    "this, call the 12345 hotline at once."
)


@outbox.handler(NOTICE_KIND)
def send_password_changed(payload: dict[str, Any]) -> None:
    """Text the account's owner that the password changed; once per change (a row run
    again after the message went out finds the audit record and sends nothing)."""
    user = User.objects.filter(pk=payload["user"]).first()
    at = str(payload.get("at", ""))
    if user is None or not user.phone:
        return
    done = AuditRecord.objects.filter(
        action=NOTICE_ACTION, object_type=user._meta.label_lower, object_id=str(user.pk)
    )
    if any(record.meta.get("at") == at for record in done):
        return
    moment = timezone.localtime(datetime.fromisoformat(at)) if at else timezone.localtime()
    with translation.override(settings.LANGUAGE_CODE):
        text = str(
            PASSWORD_CHANGED_TEXT % {"date": moment.strftime("%Y-%m-%d"), "time": f"{moment:%H:%M}"}
        )
    get_sms_gateway().send(user.phone, signed_text(text))
    with transaction.atomic():
        record_audit(None, NOTICE_ACTION, user, meta={"at": at, "channel": "sms"})
