"""``{% load notify_tags %}{% unread_count %}``: the inbox link with its unread count, for
the site header (nothing for visitors who are not signed in)."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.notify import queries

register = template.Library()


@register.inclusion_tag("notify/_header_link.html", takes_context=True)
def unread_count(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return {"show": False, "count": 0}
    return {"show": True, "count": queries.unread_count(user)}
