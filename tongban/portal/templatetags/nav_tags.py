"""``{% load nav_tags %}{% nav_links "header" as links %}``: the registry's entries of one
placement (``tongban.core.nav``) that the current user sees, with the current page marked.
Works without a request too (error pages): then the visitor is treated as anonymous."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.core import nav

register = template.Library()


def _user_and_path(context: template.Context) -> tuple[Any, str | None]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user, getattr(request, "path", None)


@register.simple_tag(takes_context=True)
def nav_links(context: template.Context, placement: str) -> list[nav.Link]:
    user, path = _user_and_path(context)
    return nav.links(placement, user, path)
