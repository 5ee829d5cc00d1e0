"""The inbox (站内信): a signed-in person's own messages, and nobody else's."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tongban.notify import queries, services
from tongban.notify.forms import LanguageForm
from tongban.notify.models import Message

PAGE_SIZE = 20


def _inbox_page(request: HttpRequest, form: LanguageForm, status: int = 200) -> HttpResponse:
    page = Paginator(queries.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "unread": queries.unread_count(request.user),
        "language_form": form,
    }
    return render(request, "notify/inbox.html", context, status=status)


@never_cache
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(initial={"language": services.recipient_language(request.user)})
    return _inbox_page(request, form)


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message; opening it marks it read."""
    try:
        message = queries.message_for(request.user, pk)
    except Message.DoesNotExist:
        raise Http404 from None
    services.mark_read(message, actor=request.user)
    return render(request, "notify/message.html", {"message": message})


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user, actor=request.user)
    if count:
        flash.success(request, _("All your messages are marked as read."))
    return redirect("notify:inbox")


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _inbox_page(request, form, status=400)
    services.set_language(request.user, form.cleaned_data["language"], actor=request.user)
    flash.success(request, _("Your messages will be written in the language you chose."))
    return redirect("notify:inbox")
