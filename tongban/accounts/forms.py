"""Forms of the accounts pages.

Forms check only the shape of what was typed (required, length, the two passwords match);
the rules (valid ID number, unique mobile, strong password …) live in ``services`` so that
pages and the API apply the same ones. A service's ``ServiceError`` is put back on the form
with ``form.add_error(None, error)`` and shows beside each field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import OrganisationType, User
from tongban.accounts.queries import login_name_for
from tongban.accounts.services import (
    ServiceError,
    check_citizen_registration,
    check_organisation_registration,
)
from tongban.core.errors import put_errors
from tongban.core.formfields import IdentifierField


def _text(autocomplete: str = "off", **attrs: Any) -> forms.TextInput:
    return forms.TextInput(
        attrs={"class": "tb-input", "autocomplete": autocomplete, "spellcheck": "false", **attrs}
    )


def _password(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"class": "tb-input", "autocomplete": autocomplete})


class DescribedFieldsMixin:
    """Point each input's aria-describedby at its hint and error in includes/field.html."""

    fields: dict[str, forms.Field]
    _errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.describe_fields()

    def describe_fields(self) -> None:
        for name, field in self.fields.items():
            auto_id = self[name].auto_id  # type: ignore[index]
            ids = [f"{auto_id}_helptext"] if field.help_text else []
            if self._errors and name in self._errors:
                ids.append(f"{auto_id}-error")
            if ids and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.describe_fields()


class LoginForm(forms.Form):
    """Sign in with an ID number, mobile number or username, and a password.

    The field is named ``username`` because django-axes counts failures by that name.
    """

    username = forms.CharField(
        label=_("ID number, mobile number or username"),
        max_length=150,
        widget=_text("username", autofocus=True),
        error_messages={"required": _("Enter your ID number, mobile number or username.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=_password("current-password"),
        error_messages={"required": _("Enter your password.")},
    )

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        identifier = cleaned.get("username")
        password = cleaned.get("password")
        if identifier and password:
            # Pass the request so that django-axes counts the attempt and can lock out.
            self.user_cache = authenticate(
                self.request, username=login_name_for(identifier), password=password
            )
            if self.user_cache is None:
                raise forms.ValidationError(
                    _(
                        "The ID number, mobile number or username and the password do not "
                        "match an account. Check them and try again. After %(limit)d wrong "
                        "attempts, signing in is paused for a while."
                    ),
                    code="invalid_login",
                    params={"limit": settings.AXES_FAILURE_LIMIT},
                )
        return cleaned

    def get_user(self) -> User | None:
        return self.user_cache


class CitizenRegistrationForm(DescribedFieldsMixin, forms.Form):
    real_name = forms.CharField(
        label=_("Full name"),
        help_text=_("As it is written on your resident ID card."),
        max_length=60,
        widget=_text("name"),
        error_messages={"required": _("Enter your full name.")},
    )
    id_number = IdentifierField(
        label=_("Resident ID number"),
        help_text=_("18 characters: 17 digits, then a digit or X."),
        max_length=18,
        widget=_text(**{"class": "tb-input tb-input--w20"}),
        error_messages={
            "required": _("Enter your resident ID number."),
            "max_length": _("A resident ID number has 18 characters."),
        },
    )
    phone = IdentifierField(
        label=_("Mobile number"),
        help_text=_("We use it to tell you about your applications."),
        max_length=20,
        widget=_text(
            "tel",
            type="tel",
            inputmode="numeric",
            **{"class": "tb-input tb-input--w20"},
        ),
        error_messages={"required": _("Enter your mobile number.")},
    )
    password = forms.CharField(
        label=_("Create a password"),
        help_text=_(
            "At least 8 characters; not only digits, not a common password, not like your name."
        ),
        strip=False,
        widget=forms.PasswordInput(
            attrs={
                "class": "tb-input",
                "autocomplete": "new-password",
            }
        ),
        error_messages={"required": _("Create a password.")},
    )
    password_confirm = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Type the password again.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords are not the same."))
        try:  # the service's rules too, so that every problem shows at once
            check_citizen_registration(
                real_name=cleaned.get("real_name", ""),
                id_number=cleaned.get("id_number", ""),
                phone=cleaned.get("phone", ""),
                password=cleaned.get("password", ""),
            )
        except ServiceError as error:
            put_errors(self, error)
        return cleaned


class RegistrationCodeForm(DescribedFieldsMixin, forms.Form):
    """The second step of registering: the 6-digit code sent by text message."""

    code = forms.RegexField(
        label=_("Code from the text message"),
        help_text=_("The 6 digits we sent to your mobile, for example 123456."),
        regex=r"^\s*[0-9]{6}\s*$",
        max_length=20,
        widget=_text(
            "one-time-code",
            inputmode="numeric",
            autofocus=True,
            **{"class": "tb-input tb-input--w10"},
        ),
        error_messages={
            "required": _("Enter the 6-digit code from the text message."),
            "invalid": _("The code is 6 digits, for example 123456."),
        },
    )


def _verified_mobile_field(help_text: Any) -> IdentifierField:
    """The first step of the SMS-code pages: the account's verified mobile number."""
    return IdentifierField(
        label=_("Mobile number"),
        help_text=help_text,
        max_length=20,
        widget=_text(
            "tel",
            type="tel",
            inputmode="numeric",
            autofocus=True,
            **{"class": "tb-input tb-input--w20"},
        ),
        error_messages={"required": _("Enter your mobile number.")},
    )


class SmsSignInForm(DescribedFieldsMixin, forms.Form):
    """The first step of signing in by SMS code: the account's verified mobile number."""

    mobile = _verified_mobile_field(
        _("The mobile number of your citizen account, verified when you registered.")
    )


class PasswordResetRequestForm(DescribedFieldsMixin, forms.Form):
    """Forgotten password, step 1: the account's verified mobile number."""

    mobile = _verified_mobile_field(_("The mobile number verified when you registered."))


class PasswordResetForm(DescribedFieldsMixin, forms.Form):
    """Forgotten password, step 2: the code from the text message and the new password
    twice. ``with_code=False`` once the code was accepted (a refused password then does not
    cost a new code). The strength rules are checked by the service, against the account."""

    code = RegistrationCodeForm.base_fields["code"]
    password = forms.CharField(
        label=_("New password"),
        help_text=_(
            "At least 8 characters; not only digits, not a common password, not like your "
            "name, ID number or mobile number."
        ),
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Enter a new password.")},
    )
    password_confirm = forms.CharField(
        label=_("Type the new password again"),
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Type the new password again.")},
    )

    def __init__(self, *args: Any, with_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]
            self.fields["password"].widget.attrs["autofocus"] = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords are not the same."))
        return cleaned


class OrganisationRegistrationForm(DescribedFieldsMixin, forms.Form):
    uscc = IdentifierField(
        label=_("Unified social credit code"),
        help_text=_("18 characters, printed on the business licence."),
        max_length=18,
        widget=_text(**{"class": "tb-input tb-input--w20"}),
        error_messages={
            "required": _("Enter the unified social credit code."),
            "max_length": _("A unified social credit code has 18 characters."),
        },
    )
    name = forms.CharField(
        label=_("Business name"),
        help_text=_("As it is on the business licence."),
        max_length=200,
        widget=_text("organization"),
        error_messages={"required": _("Enter the business name.")},
    )
    org_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=OrganisationType.choices,
        initial=OrganisationType.ENTERPRISE,
        widget=forms.Select(attrs={"class": "tb-select"}),
        error_messages={"required": _("Choose the type of organisation.")},
    )
    legal_representative = forms.CharField(
        label=_("Name of the legal representative"),
        help_text=_(
            "Only the legal representative can add a business here, so this is the real name "
            "on your account."
        ),
        max_length=60,
        widget=_text(),
        error_messages={"required": _("Enter the name of the legal representative.")},
    )
    address = forms.CharField(
        label=_("Registered address"),
        max_length=200,
        required=False,
        widget=_text("street-address"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {name: cleaned.get(name, "") for name in self.fields}
        try:  # the service's rules too, so that every problem shows at once
            check_organisation_registration(user=self.user, **values)
        except ServiceError as error:
            put_errors(self, error)
        return cleaned


class AddAgentForm(DescribedFieldsMixin, forms.Form):
    id_number = IdentifierField(
        label=_("Agent's resident ID number"),
        help_text=_("The agent must already have a citizen account."),
        max_length=18,
        widget=_text(**{"class": "tb-input tb-input--w20"}),
        error_messages={
            "required": _("Enter the agent's resident ID number."),
            "max_length": _("A resident ID number has 18 characters."),
        },
    )


# --- second factors ------------------------------------------------------------------------


class TotpCodeForm(DescribedFieldsMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6 digits the app shows now, for example 123456."),
        max_length=20,
        widget=_text(
            "one-time-code",
            inputmode="numeric",
            autofocus=True,
            **{"class": "tb-input tb-input--w10"},
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )


class RecoveryCodeForm(DescribedFieldsMixin, forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        help_text=_("One of the recovery codes you saved, for example abcd-efgh-jkmn-pqrs."),
        max_length=40,
        widget=_text("off", autofocus=True, **{"class": "tb-input tb-input--w20"}),
        error_messages={"required": _("Enter one of your recovery codes.")},
    )


class SecurityKeyForm(DescribedFieldsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the security key"),
        help_text=_("So that you can tell your keys apart, for example 'blue key'."),
        max_length=60,
        widget=_text(**{"class": "tb-input tb-input--w20"}),
        error_messages={"required": _("Give the security key a name, such as 'blue key'.")},
    )
    credential = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-webauthn-credential": ""}),
        max_length=20000,
        error_messages={
            "required": _("The browser did not send a response from the security key. Try again.")
        },
    )


class SecurityKeyAssertionForm(forms.Form):
    credential = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-webauthn-credential": ""}),
        max_length=20000,
        error_messages={
            "required": _("The browser did not send a response from the security key. Try again.")
        },
    )
