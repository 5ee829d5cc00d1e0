"""Log in with a username, a resident ID number or a mobile number; count failures by
account and source (django-axes)."""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django.http import HttpRequest

from tongban.accounts.models import User
from tongban.accounts.queries import find_account, login_name_for
from tongban.accounts.second_factor import factor_summary
from tongban.core.security import client_address


class IdentifierBackend(ModelBackend):
    """Authenticates whatever ``find_account`` finds, so every login form accepts the
    identifier written as at registration."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = find_account(username)
        if user is None:
            User().set_password(password)  # same time whether or not the user exists
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The name django-axes stores and counts failures under (AXES_USERNAME_CALLABLE).

    The account's username, or a keyed-hash stand-in for identifiers naming no account:
    never a raw ID or mobile number, whichever login form (ours, the admin's) was used.
    """
    identifier = (credentials or {}).get("username")
    if identifier is None and request is not None:
        identifier = request.POST.get("username")
    return login_name_for(identifier)


class AccountAndSourceHandler(AxesDatabaseHandler):
    """django-axes counting failures by account *and* source (AXES_HANDLER).

    ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]`` locks one account for one
    address after ``AXES_FAILURE_LIMIT`` failures: whoever guesses from address A locks
    only themselves, and the owner signing in from address B is not aimed at. Guesses
    spread over many addresses still meet a ceiling: once ``TONGBAN_LOGIN_ACCOUNT_CEILING``
    failures from all addresses together fall within the cool-off period, the account is
    locked for every address except those it has signed in from before (the owner's own
    devices, from axes' access log). An account with a second factor is exempt from the
    ceiling: a password alone never opens it, and the second factor has its own lock.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        limit = int(get_failure_limit(request, credentials))
        if failures >= limit or not self._ceiling_applies(request, credentials):
            return failures
        return limit

    def _ceiling_applies(self, request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
        """True if the account's failures from every source passed the ceiling and this
        source has never signed in to it."""
        username = get_client_username(request, credentials)
        if not username:
            return False
        ceiling = int(getattr(settings, "TONGBAN_LOGIN_ACCOUNT_CEILING", 20))
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        total = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if total < ceiling:
            return False
        ip_address = getattr(request, "axes_ip_address", None)
        if AccessLog.objects.filter(username=username, ip_address=ip_address).exists():
            return False  # the owner's own source
        user = User.objects.filter(username=username).first()
        return user is None or not factor_summary(user).enrolled


def axes_client_address(request: HttpRequest) -> str | None:
    """The client address django-axes records, as the rate limits see it; ``None`` when
    there is none (a request built without ``REMOTE_ADDR``, such as Django's
    ``force_login``): the column is an address type on PostgreSQL and refuses other text."""
    address = client_address(request)
    return None if address == "unknown" else address
