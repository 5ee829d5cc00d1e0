"""Log in with a username, a resident ID number or a mobile number."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tongban.accounts.models import User
from tongban.accounts.queries import find_account, login_name_for


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
