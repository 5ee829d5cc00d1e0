"""Pages for signing in and out, registering, and the personal space (个人空间)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts import queries, second_factor, services, services_recovery, smscodes
from tongban.accounts.forms import (
    AddAgentForm,
    CitizenRegistrationForm,
    LoginForm,
    OrganisationRegistrationForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    RegistrationCodeForm,
    SmsSignInForm,
)
from tongban.accounts.models import (
    MemberRole,
    Organisation,
    OrganisationMember,
    PendingRegistration,
    SmsCodePurpose,
    User,
    UserKind,
)
from tongban.core import crypto
from tongban.core.errors import put_errors
from tongban.core.identifiers import mask_phone, validate_mobile

LOGIN_BACKEND = "tongban.accounts.backends.IdentifierBackend"


class SignInView(LoginView):
    """The password step. Accounts with a second factor (or that must have one) go on to
    verify or enrol it; ``SecondFactorMiddleware`` keeps them there until they do."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        needed = second_factor.requirement(self.request.session, form.get_user())
        if needed is second_factor.Requirement.NONE:
            return response
        self.request.session[second_factor.SESSION_NEXT] = self.get_success_url()
        if needed is second_factor.Requirement.ENROL:
            return redirect("accounts:enrol_totp")
        return redirect("accounts:second_factor")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page shown after too many failed sign-ins (usable as AXES_LOCKOUT_CALLABLE).

    Adds the local time from which signing in works again to what axes gives the template.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    context: dict[str, Any] = {"failure_limit": settings.AXES_FAILURE_LIMIT}
    if isinstance(cooloff, timedelta):
        context["cooloff_timedelta"] = cooloff
        context["retry_at"] = timezone.localtime() + cooloff
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


PENDING_SESSION_KEY = "registration_pending"


NEXT_SESSION_KEY = "accounts.next"


def _safe_next(request: HttpRequest, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _remember_next(request: HttpRequest) -> None:
    """Keep a safe ``?next=`` across the steps of registering or signing in by SMS code, so
    that 在线办理 → register → the form works like password sign-in does."""
    target = request.GET.get("next", "")
    if _safe_next(request, target):
        request.session[NEXT_SESSION_KEY] = target


def _after_sign_in(request: HttpRequest) -> HttpResponse:
    """Where a person goes once signed in: the remembered safe ``next``, else the landing
    page (workbench for staff, personal space for everyone else)."""
    target = request.session.pop(NEXT_SESSION_KEY, "")
    if _safe_next(request, target):
        return redirect(target)
    return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))


def _pending(request: HttpRequest) -> PendingRegistration | None:
    return services.pending_registration(request.session.get(PENDING_SESSION_KEY, ""))


def register(request: HttpRequest) -> HttpResponse:
    """Registering, in two steps on this one address (so it works without JavaScript):

    1. details and password; the identity service is asked, then a code is sent by SMS;
    2. once a registration is pending in the session, the code (or "send a new code").
    ``?change=1`` goes back to step 1 with the details typed before (not the password).
    """
    if request.user.is_authenticated:
        messages.info(request, _("You already have an account and are signed in."))
        return redirect("accounts:me")
    _remember_next(request)
    pending = _pending(request)
    second_step = "code" in request.POST or "resend" in request.POST
    if second_step and pending is None:
        messages.info(request, str(services.REGISTRATION_GONE))
        return redirect("accounts:register")
    if pending is not None and (second_step or "change" not in request.GET):
        return _register_code_step(request, pending)
    initial: dict[str, str] = {}
    if pending is not None:
        # The ID number is typed again rather than sent back from storage: a page never
        # carries a full ID number the same request did not send (docs/pii-scanner.md).
        initial = {"real_name": pending.real_name, "phone": pending.phone}
    form = CitizenRegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = services.start_citizen_registration(
                real_name=data["real_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password"],
                source=_source(request),
            )
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            request.session[PENDING_SESSION_KEY] = pending.token
            return redirect("accounts:register")
    return render(request, "accounts/register.html", {"form": form})


def _register_code_step(request: HttpRequest, pending: PendingRegistration) -> HttpResponse:
    """Step 2: the code sent by text message; a right code creates the account."""
    resend = request.method == "POST" and "resend" in request.POST
    form = RegistrationCodeForm(request.POST if request.method == "POST" and not resend else None)
    if resend:
        try:
            services.resend_registration_code(token=pending.token, source=_source(request))
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("A new code has been sent. The old code no longer works."))
            return redirect("accounts:register")
    elif request.method == "POST" and form.is_valid():
        try:
            user = services.confirm_citizen_registration(
                token=pending.token, code=form.cleaned_data["code"], source=_source(request)
            )
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            request.session.pop(PENDING_SESSION_KEY, None)
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(
                request,
                _(
                    "Your account has been created and your identity is verified. You can "
                    "sign in with your ID number, your mobile number or the username "
                    "%(username)s."
                )
                % {"username": user.username},
            )
            return _after_sign_in(request)
    context = {"form": form, "masked_phone": mask_phone(pending.phone)}
    return render(request, "accounts/register_confirm.html", context)


def _source(request: HttpRequest) -> str:
    """The client's address as django-axes sees it (its proxy settings), for send limits."""
    return get_client_ip_address(request) or ""


SMS_SIGN_IN_SESSION_KEY = "sms_sign_in_mobile"
_SMS_SIGN_IN_AAD = b"accounts.sms-sign-in"


def _remember_mobile(request: HttpRequest, mobile: str) -> None:
    """Keep the number between the two steps, encrypted: sessions are stored in clear."""
    request.session[SMS_SIGN_IN_SESSION_KEY] = crypto.encrypt(
        "field-encryption", mobile.encode(), aad=_SMS_SIGN_IN_AAD
    )


def _remembered_mobile(request: HttpRequest) -> str:
    token = request.session.get(SMS_SIGN_IN_SESSION_KEY, "")
    if not token:
        return ""
    try:
        return crypto.decrypt("field-encryption", token, aad=_SMS_SIGN_IN_AAD).decode()
    except crypto.CryptoError:
        return ""


def sms_sign_in(request: HttpRequest) -> HttpResponse:
    """Signing in by SMS code (用短信验证码登录), step 1: the mobile number.

    The answer is the same whether or not the number belongs to an account that may sign in
    this way (``smscodes.send_code``); only send limits give a different page.
    """
    if request.user.is_authenticated:
        return redirect("accounts:me")
    _remember_next(request)
    form = SmsSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            smscodes.send_code(SmsCodePurpose.SIGN_IN, mobile, source=_source(request))
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            _remember_mobile(request, validate_mobile(mobile))
            return redirect("accounts:sms_sign_in_code")
    return render(request, "accounts/sms_sign_in.html", {"form": form})


def sms_sign_in_code(request: HttpRequest) -> HttpResponse:
    """Signing in by SMS code, step 2: the code (or "send a new code"). A right code signs
    in; an account with a second factor still goes on to give it."""
    if request.user.is_authenticated:
        return redirect("accounts:me")
    mobile = _remembered_mobile(request)
    if not mobile:
        return redirect("accounts:sms_sign_in")
    resend = request.method == "POST" and "resend" in request.POST
    form = RegistrationCodeForm(request.POST if request.method == "POST" and not resend else None)
    if resend:
        try:
            smscodes.send_code(
                SmsCodePurpose.SIGN_IN, mobile, source=_source(request), field="code"
            )
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("If this number can sign in by text message, a new code has been sent."),
            )
            return redirect("accounts:sms_sign_in_code")
    elif request.method == "POST" and form.is_valid():
        try:
            user = smscodes.sign_in_with_code(
                mobile, form.cleaned_data["code"], source=_source(request)
            )
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            request.session.pop(SMS_SIGN_IN_SESSION_KEY, None)
            login(request, user, backend=LOGIN_BACKEND)
            needed = second_factor.requirement(request.session, user)
            if needed is second_factor.Requirement.VERIFY:
                return redirect("accounts:second_factor")
            if needed is second_factor.Requirement.ENROL:
                return redirect("accounts:enrol_totp")
            messages.success(request, _("You are signed in."))
            return _after_sign_in(request)
    context = {"form": form, "masked_phone": mask_phone(mobile)}
    return render(request, "accounts/sms_sign_in_code.html", context)


PASSWORD_RESET_SESSION_KEY = "password_reset"  # noqa: S105 - a session key
_PASSWORD_RESET_AAD = b"accounts.password-reset"


def _reset_state(request: HttpRequest) -> dict[str, str]:
    """The mobile number (``m``) and, once the code was right, the grant (``g``) of a
    password reset under way; encrypted in the session like the SMS sign-in number."""
    token = request.session.get(PASSWORD_RESET_SESSION_KEY, "")
    if not token:
        return {}
    try:
        raw = crypto.decrypt("field-encryption", token, aad=_PASSWORD_RESET_AAD)
        state = json.loads(raw.decode())
    except (crypto.CryptoError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _keep_reset_state(request: HttpRequest, state: dict[str, str]) -> None:
    request.session[PASSWORD_RESET_SESSION_KEY] = crypto.encrypt(
        "field-encryption", json.dumps(state).encode(), aad=_PASSWORD_RESET_AAD
    )


def password_forgot(request: HttpRequest) -> HttpResponse:
    """Forgotten password (忘记密码), step 1: the mobile number.

    Every well-formed number gets the same answer, whether or not it belongs to an account
    that may reset its password this way (``services_recovery.request_reset`` does the same
    work either way); only send limits give a different page.
    """
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            services_recovery.request_reset(mobile, source=_source(request))
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            _keep_reset_state(request, {"m": validate_mobile(mobile)})
            return redirect("accounts:password_reset")
    return render(request, "accounts/password_forgot.html", {"form": form})


def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgotten password, step 2: the code and the new password twice (or "send a new
    code"). Once the code is right, a refused password asks only for the password again."""
    state = _reset_state(request)
    mobile = state.get("m", "")
    if not mobile:
        return redirect("accounts:password_forgot")
    grant = state.get("g", "")
    if grant and services_recovery.account_for_grant(grant) is None:
        grant = ""
        _keep_reset_state(request, {"m": mobile})
    resend = request.method == "POST" and "resend" in request.POST
    data = request.POST if request.method == "POST" and not resend else None
    form = PasswordResetForm(data, with_code=not grant)
    if resend:
        try:
            services_recovery.request_reset(mobile, source=_source(request), field="code")
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            _keep_reset_state(request, {"m": mobile})
            messages.success(
                request,
                _("If this number can reset a password by text message, a new code has been sent."),
            )
            return redirect("accounts:password_reset")
    elif request.method == "POST" and form.is_valid():
        try:
            if not grant:
                grant = services_recovery.check_reset_code(
                    mobile, form.cleaned_data["code"], source=_source(request)
                )
                _keep_reset_state(request, {"m": mobile, "g": grant})
            services_recovery.reset_password(grant, form.cleaned_data["password"])
        except services.ServiceError as error:
            if grant and "code" in form.fields:
                # The code was right but the password was refused: ask for it alone.
                form = PasswordResetForm(data, with_code=False)
                form.is_valid()
            put_errors(form, error)
        else:
            request.session.pop(PASSWORD_RESET_SESSION_KEY, None)
            messages.success(
                request,
                _(
                    "Your password has been changed, and every device signed in to your "
                    "account has been signed out. Sign in with the new password."
                ),
            )
            return redirect("accounts:login")
    context = {"form": form, "masked_phone": mask_phone(mobile), "code_accepted": bool(grant)}
    return render(request, "accounts/password_reset.html", context)


@login_required
def register_business(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.kind != UserKind.CITIZEN:
        raise PermissionDenied
    form = OrganisationRegistrationForm(
        request.POST or None,
        user=user,
        initial={"legal_representative": user.real_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.register_organisation(user=user, **form.cleaned_data)
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is now linked to your account.") % {"name": org.name}
            )
            return redirect("accounts:business", org_id=org.pk)
    return render(request, "accounts/register_business.html", {"form": form})


@login_required
def personal_space(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/me.html",
        {"account": user, "memberships": list(queries.memberships_of(user))},
    )


def _business_or_404(user: User, org_id: int) -> tuple[Organisation, OrganisationMember]:
    try:
        return queries.organisation_for_member(user, org_id)
    except OrganisationMember.DoesNotExist:
        raise Http404 from None


def _business_page(
    request: HttpRequest,
    org: Organisation,
    member: OrganisationMember,
    form: AddAgentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_legal_rep = member.role == MemberRole.LEGAL_REPRESENTATIVE
    context = {
        "organisation": org,
        "membership": member,
        "members": list(queries.active_members(org)),
        "is_legal_rep": is_legal_rep,
        "form": form or (AddAgentForm() if is_legal_rep else None),
    }
    return render(request, "accounts/business.html", context, status=status)


@login_required
def business(request: HttpRequest, org_id: int) -> HttpResponse:
    org, member = _business_or_404(request.user, org_id)  # type: ignore[arg-type]
    return _business_page(request, org, member)


@login_required
@require_POST
def add_agent(request: HttpRequest, org_id: int) -> HttpResponse:
    org, member = _business_or_404(request.user, org_id)  # type: ignore[arg-type]
    form = AddAgentForm(request.POST)
    if form.is_valid():
        try:
            added = services.add_agent(
                org,
                id_number=form.cleaned_data["id_number"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except services.ServiceError as error:
            put_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s can now act for the business.") % {"name": added.user}
            )
            return redirect("accounts:business", org_id=org.pk)
    return _business_page(request, org, member, form=form)


@login_required
@require_POST
def remove_agent(request: HttpRequest, org_id: int, user_id: int) -> HttpResponse:
    org, _member = _business_or_404(request.user, org_id)  # type: ignore[arg-type]
    agent = queries.user_by_id(user_id)
    if agent is None:
        raise Http404
    try:
        services.remove_agent(org, agent=agent, actor=request.user)  # type: ignore[arg-type]
    except services.ServiceError:
        raise Http404 from None
    messages.success(request, _("%(name)s can no longer act for the business.") % {"name": agent})
    return redirect("accounts:business", org_id=org.pk)
