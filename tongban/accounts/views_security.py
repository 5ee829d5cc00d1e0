"""Pages of the second factor: verify after the password, and manage one's own factors.

WebAuthn needs JavaScript (``static/accounts/webauthn.js``, no inline script); every
other page here works without it, and an authenticator app is always offered.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts import second_factor as sf
from tongban.accounts import services_security as security
from tongban.accounts import totp
from tongban.accounts.forms import (
    RecoveryCodeForm,
    SecurityKeyAssertionForm,
    SecurityKeyForm,
    TotpCodeForm,
)
from tongban.accounts.models import SecondFactorKind, SecurityKey, User
from tongban.core.errors import ServiceError, put_errors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is given: a safe ``next``, else my space."""
    for candidate in (request.GET.get("next"), request.session.get(sf.SESSION_NEXT)):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return str(candidate)
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request: HttpRequest, kind: str) -> HttpResponse:
    target = _next_url(request)
    request.session.pop(sf.SESSION_NEXT, None)
    _mark_verified(request, kind)
    return redirect(target)


def _mark_verified(request: HttpRequest, kind: str) -> None:
    old_key = request.session.session_key
    sf.mark_verified(request.session, _user(request), kind)  # a new session key
    request.session.save()
    security.session_rekeyed(old_key, request.session.session_key)


def _locked_page(request: HttpRequest, until: Any) -> HttpResponse:
    context = {"retry_at": timezone.localtime(until), "limit": security.failure_limit()}
    return render(request, "accounts/second_factor_locked.html", context, status=429)


def _wrong(form: Any, message: str) -> None:
    form.add_error("code" if "code" in form.fields else None, message)


WRONG_CODE = gettext_lazy(
    "The code is not right, or it has already been used. Check it and try again."
)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a security key."""
    user = _user(request)
    if sf.is_verified(request.session, user):
        return redirect(_next_url(request))
    summary = sf.factor_summary(user)
    if not summary.enrolled:
        return (
            redirect("accounts:enrol_totp") if summary.must_have else redirect(_next_url(request))
        )
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and summary.totp and form.is_valid():
        try:
            ok = security.verify_second_factor(
                user, SecondFactorKind.TOTP, {"code": form.cleaned_data["code"]}
            )
        except security.SecondFactorLocked as locked:
            return _locked_page(request, locked.until)
        if ok:
            return _verified(request, SecondFactorKind.TOTP)
        _wrong(form, str(WRONG_CODE))
    return _verify_page(request, user, summary, form)


def _verify_page(
    request: HttpRequest, user: User, summary: sf.FactorSummary, form: Any
) -> HttpResponse:
    key_options = None
    if summary.keys:
        challenge = sf.get_provider(SecondFactorKind.WEBAUTHN).challenge(
            user, rp_id=sf.webauthn_rp_id()
        )
        request.session[sf.SESSION_CHALLENGE] = challenge.state
        key_options = challenge.public["options"]
    context = {
        "form": form,
        "summary": summary,
        "key_options": key_options,
        "key_form": SecurityKeyAssertionForm(),
        "next": request.GET.get("next", ""),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/second_factor.html", context, status=status)


@login_required
@require_POST
def verify_key(request: HttpRequest) -> HttpResponse:
    """The response of a security key to the challenge of the verify page."""
    user = _user(request)
    state = request.session.pop(sf.SESSION_CHALLENGE, None)
    form = SecurityKeyAssertionForm(request.POST)
    if form.is_valid():
        try:
            ok = security.verify_second_factor(
                user,
                SecondFactorKind.WEBAUTHN,
                {"credential": form.cleaned_data["credential"]},
                state=state,
                rp_id=sf.webauthn_rp_id(),
                origin=_origin(request),
            )
        except security.SecondFactorLocked as locked:
            return _locked_page(request, locked.until)
        if ok:
            return _verified(request, SecondFactorKind.WEBAUTHN)
    messages.error(request, _("The security key was not accepted. Try again, or use a code."))
    return redirect("accounts:second_factor")


@login_required
def verify_recovery(request: HttpRequest) -> HttpResponse:
    """Sign in with a recovery code when the phone or key is lost."""
    user = _user(request)
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ok = security.verify_second_factor(
                user, SecondFactorKind.RECOVERY_CODE, {"code": form.cleaned_data["code"]}
            )
        except security.SecondFactorLocked as locked:
            return _locked_page(request, locked.until)
        if ok:
            left = sf.factor_summary(user).recovery_codes
            messages.warning(
                request,
                _(
                    "You signed in with a recovery code; %(left)d codes are left. Set up your "
                    "authenticator app or key again, or make new codes, in Account security."
                )
                % {"left": left},
            )
            return _verified(request, SecondFactorKind.RECOVERY_CODE)
        _wrong(form, str(WRONG_CODE))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/second_factor_recovery.html", {"form": form}, status=status)


# --- managing one's own factors -----------------------------------------------------------------


@login_required
def security_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "summary": sf.factor_summary(user),
        "keys": list(SecurityKey.objects.filter(user=user)),
        "totp_device": getattr(user, "totp_device", None),
    }
    return render(request, "accounts/security.html", context)


def _pending_secret(request: HttpRequest, user: User) -> bytes:
    """The secret being enrolled, kept encrypted in the session between GET and POST."""
    token = request.session.get(sf.SESSION_TOTP_ENROLMENT)
    if token:
        try:
            return sf.crypto.decrypt("field-encryption", token, aad=_enrolment_aad(user))
        except sf.crypto.CryptoError:
            pass
    secret = totp.new_secret()
    request.session[sf.SESSION_TOTP_ENROLMENT] = sf.crypto.encrypt(
        "field-encryption", secret, aad=_enrolment_aad(user)
    )
    return secret


def _enrolment_aad(user: User) -> bytes:
    return f"accounts.totp-enrolment:{user.pk}".encode()


@login_required
def enrol_totp(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and secret, confirmed with a first code."""
    user = _user(request)
    session_verified = sf.is_verified(request.session, user)
    if not session_verified and sf.factor_summary(user).enrolled:
        return redirect("accounts:second_factor")
    secret = _pending_secret(request, user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = security.enrol_totp(
                user,
                secret=secret,
                code=form.cleaned_data["code"],
                actor=user,
                session_verified=session_verified,
            )
        except ServiceError as error:
            put_errors(form, error)
        except PermissionDenied:
            return redirect("accounts:second_factor")
        else:
            request.session.pop(sf.SESSION_TOTP_ENROLMENT, None)
            target = _next_url(request)
            request.session.pop(sf.SESSION_NEXT, None)
            _mark_verified(request, SecondFactorKind.TOTP)
            messages.success(request, _("Your authenticator app is set up."))
            if codes:
                return _show_codes(request, codes, target)
            return redirect(target)
    issuer = str(getattr(settings, "TONGBAN_CITY_NAME", "") or "tongban")
    uri = totp.provisioning_uri(secret, account=user.get_username(), issuer=issuer)
    context = {
        "form": form,
        "qr_svg": totp.qr_svg(uri),
        "secret_text": totp.secret_text(secret),
        "must_have": sf.must_have_second_factor(user),
        "next": request.GET.get("next", ""),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/enrol_totp.html", context, status=status)


def _show_codes(request: HttpRequest, codes: list[str], target: str) -> HttpResponse:
    """The recovery codes, in this one response only: they are stored hashed."""
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": target})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def remove_totp(request: HttpRequest) -> HttpResponse:
    try:
        security.remove_totp(_user(request), actor=_user(request))
    except ServiceError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.success(request, _("The authenticator app was removed."))
    return redirect("accounts:security")


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = security.regenerate_recovery_codes(_user(request), actor=_user(request))
    except ServiceError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
        return redirect("accounts:security")
    return _show_codes(request, codes, resolve_url("accounts:security"))


@login_required
def add_security_key(request: HttpRequest) -> HttpResponse:
    """Register a WebAuthn security key (needs JavaScript and a browser that supports it)."""
    user = _user(request)
    session_verified = sf.is_verified(request.session, user)
    if not session_verified and sf.factor_summary(user).enrolled:
        return redirect("accounts:second_factor")
    form = SecurityKeyForm(request.POST or None)
    rp_id = sf.webauthn_rp_id()
    if request.method == "POST" and form.is_valid():
        state = request.session.pop(sf.SESSION_CHALLENGE, None)
        new_key = sf.check_registration(
            form.cleaned_data["credential"], state=state, rp_id=rp_id, origin=_origin(request)
        )
        if new_key is None:
            form.add_error(
                None,
                _(
                    "The security key could not be registered. Use this site's address "
                    "with its host name (not an IP address), then try again."
                ),
            )
        else:
            try:
                _key, codes = security.add_security_key(
                    user,
                    name=form.cleaned_data["name"],
                    key=new_key,
                    actor=user,
                    session_verified=session_verified,
                )
            except ServiceError as error:
                put_errors(form, error)
            else:
                target = _next_url(request)
                request.session.pop(sf.SESSION_NEXT, None)
                _mark_verified(request, SecondFactorKind.WEBAUTHN)
                messages.success(request, _("Your security key is registered."))
                if codes:
                    return _show_codes(request, codes, target)
                return redirect("accounts:security")
    challenge = sf.registration_challenge(user, rp_id=rp_id)
    request.session[sf.SESSION_CHALLENGE] = challenge.state
    context = {"form": form, "key_options": challenge.public["options"]}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/add_security_key.html", context, status=status)


@login_required
@require_POST
def remove_security_key(request: HttpRequest, key_id: int) -> HttpResponse:
    try:
        security.remove_security_key(_user(request), key_id, actor=_user(request))
    except ServiceError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.success(request, _("The security key was removed."))
    return redirect("accounts:security")


@login_required
@require_POST
def end_my_sessions(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere, this browser included."""
    user = _user(request)
    logout(request)  # this session first, so that its end does not interrupt the request
    security.end_sessions(user, actor=user)
    messages.info(request, _("You have been signed out on every device."))
    return redirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
