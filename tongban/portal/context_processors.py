"""Values every page needs: elder mode, the city's name, contact phones."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

ELDER_COOKIE = "tongban_elder"


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "city_name": settings.TONGBAN_CITY_NAME,
    }
