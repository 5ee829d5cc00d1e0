"""Reads of notifications, each limited to the viewer's own messages."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from tongban.accounts.queries import in_id_range
from tongban.notify.models import Message


def inbox(user: Any) -> QuerySet[Message]:
    """``user``'s messages: unread first, then newest first."""
    return (
        Message.objects.filter(recipient_id=user.pk, in_inbox=True)
        .annotate(
            read_order=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("read_order", "-created_at", "-id")
        .only("id", "subject", "code", "severity", "created_at", "read_at")
    )


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True, in_inbox=True).count()


def message_for(user: Any, pk: int) -> Message:
    """Message ``pk`` if it is ``user``'s; ``Message.DoesNotExist`` otherwise, so another
    person's message is indistinguishable from one that does not exist."""
    if not in_id_range(pk):
        raise Message.DoesNotExist
    return Message.objects.get(pk=pk, recipient_id=user.pk, in_inbox=True)
