"""The real URLs plus ``/__floor__/page``: a bare Django view returning a fixed page.

The floor is the cheapest page the same server, the same Django and the same middleware can
serve; its body is a copy of the page under test so that both move the same bytes.
"""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tongban.config.urls import urlpatterns as real_patterns

_BODY = Path(os.environ.get("BENCH_FLOOR_BODY", "/dev/null")).read_bytes()


def floor_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_BODY, content_type="text/html; charset=utf-8")


# Last, so that resolving it walks the same URL patterns a real page walks.
urlpatterns = [*real_patterns, path("__floor__/page", floor_page)]
