"""Operational and security alerts: raised anywhere, delivered by the notification layer.

The kernel cannot know who the security administrators are or how to reach them, so an
alert is a signal plus an audit record: ``raise_alert`` appends ``alert.<code>`` to the
``alert`` audit stream (metadata only, never personal values) and sends ``alert_raised``
after the surrounding transaction commits. ``tongban.notify`` listens and delivers the
alert to every active holder of the audience role (in-app message and e-mail).

Audiences are role codes of ``tongban.accounts.models.Role`` (``security_admin``,
``system_admin``, ``audit_admin``, ``department_leader`` …). ``message`` is a lazily
translated string with ``%(name)s`` placeholders filled from ``params`` in the recipient's
language; ``params`` must not hold ID numbers, phone numbers or secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from tongban.core.audit import record_audit


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Alert:
    code: str
    audience: str
    message: Any  # str or lazy translation proxy with %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = Severity.WARNING
    link: str = ""
    department_id: int | None = None  # narrows a departmental audience (e.g. its leader)

    def render(self) -> str:
        """The message in the active language with its parameters filled in."""
        text = str(self.message)
        return text % self.params if self.params else text


#: Sent with ``alert=Alert`` once the transaction that raised it has committed.
alert_raised = Signal()


def raise_alert(
    code: str,
    *,
    audience: str,
    message: Any,
    params: dict[str, Any] | None = None,
    severity: Severity = Severity.WARNING,
    link: str = "",
    department_id: int | None = None,
    actor: Any = None,
) -> Alert:
    """Record an alert in the audit chain and deliver it after commit."""
    alert = Alert(
        code=code,
        audience=audience,
        message=message,
        params=dict(params or {}),
        severity=severity,
        link=link,
        department_id=department_id,
    )
    record_audit(
        actor,
        f"alert.{code}",
        object_type="alert",
        object_id=code,
        stream="alert",
        meta={"audience": audience, "severity": str(severity), "department": department_id},
    )
    transaction.on_commit(lambda: alert_raised.send(sender=Alert, alert=alert), robust=True)
    return alert
