"""Admin for accounts, roles and organisations.

Resident ID numbers and phone numbers are shown masked everywhere, the change page of an
account included. Its "reveal" link asks for a purpose and goes through
``accounts.pii.reveal``: the policy decides (a system administrator correcting an account
may; security and audit administrators may not) and every reveal or refusal is audited.
The admin does not edit the numbers (they are encrypted; corrections go through services).
Searching by a full ID or mobile number matches its keyed digest.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.accounts import pii, services_security
from tongban.accounts.models import (
    ADMIN_DUTIES,
    AccountSession,
    Organisation,
    OrganisationMember,
    PendingRegistration,
    RecoveryCode,
    RoleAssignment,
    SecondFactorLock,
    SecurityKey,
    SmsCode,
    TotpDevice,
    User,
)
from tongban.core.admin import AuditedAdmin
from tongban.core.crypto.fields import digest

REVEALABLE = {"id_number": _("resident ID number"), "phone": _("mobile number")}


class AccountChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        exclude = ("id_number", "phone")


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(code, label) for code, label in pii.PURPOSES.items()],
        initial=pii.ACCOUNT_ADMINISTRATION,
    )


class RoleAssignmentFormSet(forms.BaseInlineFormSet):
    """Refuses a set of assignments that combines two administrative duties (三员)."""

    def clean(self) -> None:
        super().clean()
        duties = {
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        } & set(ADMIN_DUTIES)
        if len(duties) > 1:
            raise ValidationError(services_security.DUTY_CONFLICT)


def _own_account(request: HttpRequest, user_id: Any) -> bool:
    """Whether an administrator would be changing their own roles (never allowed)."""
    return user_id is not None and user_id == request.user.pk and not request.user.is_superuser


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    formset = RoleAssignmentFormSet
    extra = 0
    fields = ("role", "department", "region", "granted_at")
    readonly_fields = ("granted_at",)
    autocomplete_fields = ("department", "region")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        own = obj is not None and _own_account(request, obj.pk)
        return not own and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        own = obj is not None and _own_account(request, obj.pk)
        return not own and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        own = obj is not None and _own_account(request, obj.pk)
        return not own and super().has_delete_permission(request, obj)


class MembershipInline(admin.TabularInline):
    model = OrganisationMember
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "is_active", "granted_at")
    readonly_fields = ("granted_at",)
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = AccountChangeForm
    list_display = (
        "username", "real_name", "kind", "masked_id", "masked_mobile", "department",
        "assurance_level", "is_active", "is_staff",
    )  # fmt: skip
    list_filter = ("kind", "assurance_level", "clearance", "is_active", "is_staff", "department")
    search_fields = ("username", "real_name", "email")
    list_select_related = ("department",)
    autocomplete_fields = ("department",)
    inlines = (RoleAssignmentInline, MembershipInline)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Identity"),
            {
                "fields": (
                    "kind",
                    "real_name",
                    "id_number_reveal",
                    "phone_reveal",
                    "email",
                    "assurance_level",
                )
            },
        ),
        (_("Department and clearance"), {"fields": ("department", "clearance")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "kind", "password1", "password2")}),
    )

    actions = ("disable_accounts", "end_all_sessions", "reset_second_factors")

    @admin.display(description=_("resident ID number"))
    def masked_id(self, obj: User) -> str:
        return obj.masked_id_number

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj: User) -> str:
        return obj.masked_phone

    @admin.display(description=_("resident ID number"))
    def id_number_reveal(self, obj: User) -> str:
        return self._masked_with_reveal(obj, "id_number", obj.masked_id_number)

    @admin.display(description=_("mobile number"))
    def phone_reveal(self, obj: User) -> str:
        return self._masked_with_reveal(obj, "phone", obj.masked_phone)

    def _masked_with_reveal(self, obj: User, field: str, masked: str) -> str:
        if obj.pk is None or not getattr(obj, field):
            return "-"
        url = reverse(f"admin:accounts_user_reveal_{field}", args=[obj.pk])
        return format_html('{} <a href="{}">{}</a>', masked, url, _("Reveal"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Only a superuser (development) may grant superuser status, groups or single
        permissions: everyone else gives rights through roles, which keep duties apart."""
        fields = (*super().get_readonly_fields(request, obj), "id_number_reveal", "phone_reveal")
        if request.user.is_superuser:
            return fields
        return (*fields, "is_staff", "is_superuser", "groups", "user_permissions")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        """Also find accounts whose full ID or mobile number is the search term (by digest)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            by_digest = Q(id_number_digest=digest("resident_id", term)) | Q(
                phone_digest=digest("mobile", term)
            )
            found = found | queryset.filter(by_digest)
        return found, may_have_duplicates

    def get_urls(self) -> list[Any]:
        reveal = [
            path(
                f"<path:object_id>/reveal/{field}/",
                self.admin_site.admin_view(self.reveal_view),
                {"field": field},
                name=f"accounts_user_reveal_{field}",
            )
            for field in REVEALABLE
        ]
        return [*reveal, *super().get_urls()]

    def reveal_view(self, request: HttpRequest, object_id: str, field: str) -> HttpResponse:
        """GET: ask for the purpose; POST: the full value if ``pii.reveal`` allows it (audited
        either way), else 403."""
        if field not in REVEALABLE:
            raise Http404
        subject = self.get_object(request, object_id)
        if subject is None:
            raise Http404
        if not self.has_view_permission(request, subject):
            raise PermissionDenied
        form = RevealForm(request.POST or None)
        value = None
        if request.method == "POST" and form.is_valid():
            value = pii.reveal(request.user, subject, field, form.cleaned_data["purpose"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reveal the %(field)s") % {"field": REVEALABLE[field]},
            "subject": subject,
            "field_label": REVEALABLE[field],
            "form": form,
            "value": value,
            "change_url": reverse("admin:accounts_user_change", args=[subject.pk]),
        }
        return TemplateResponse(request, "admin/accounts/user/reveal.html", context)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        disabled = change and "is_active" in form.changed_data and not obj.is_active
        # One's own sessions end with the account anyway (inactive accounts are signed out).
        if disabled and obj.pk != request.user.pk:
            services_security.disable_account(obj, actor=request.user)  # type: ignore[arg-type]

    def _each(self, request: HttpRequest, queryset: QuerySet[User], service: Any) -> int:
        done = 0
        for user in queryset:
            try:
                service(user, actor=request.user)
            except PermissionDenied:
                continue
            done += 1
        self.message_user(
            request,
            _("Done for %(count)d account(s).") % {"count": done},
            messages.SUCCESS if done else messages.WARNING,
        )
        return done

    @admin.action(description=_("Disable the accounts and end their sessions"),
                  permissions=["change"])  # fmt: skip
    def disable_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, services_security.disable_account)

    @admin.action(description=_("End all sessions (sign out everywhere)"),
                  permissions=["change"])  # fmt: skip
    def end_all_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, services_security.end_sessions)

    @admin.action(description=_("Reset second factors (enrol again at next sign-in)"),
                  permissions=["change"])  # fmt: skip
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, services_security.reset_second_factors)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "role", "department", "region", "granted_at")
    list_filter = ("role", "department")
    search_fields = ("user__username", "user__real_name", "department__name")
    autocomplete_fields = ("user", "department", "region")
    list_select_related = ("user", "department", "region")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        own = obj is not None and _own_account(request, obj.user_id)
        return not own and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        own = obj is not None and _own_account(request, obj.user_id)
        return not own and super().has_delete_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        if _own_account(request, obj.user_id):
            raise PermissionDenied(services_security.OWN_ROLES)
        super().save_model(request, obj, form, change)


class SecondFactorAdmin(AuditedAdmin):
    """Second-factor records: visible and removable (a reset), never editable: secrets,
    digests and public keys are not shown."""

    list_select_related = ("user",)
    search_fields = ("user__username", "user__real_name")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TotpDevice)
class TotpDeviceAdmin(SecondFactorAdmin):
    list_display = ("user", "confirmed", "created_at", "last_used_at")
    fields = readonly_fields = ("user", "confirmed", "created_at", "confirmed_at", "last_used_at")


@admin.register(SecurityKey)
class SecurityKeyAdmin(SecondFactorAdmin):
    list_display = ("user", "name", "created_at", "last_used_at", "sign_count")
    fields = readonly_fields = ("user", "name", "created_at", "last_used_at", "sign_count")


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(SecondFactorAdmin):
    list_display = ("user", "created_at", "used_at")
    fields = readonly_fields = ("user", "created_at", "used_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SecondFactorLock)
class SecondFactorLockAdmin(SecondFactorAdmin):
    list_display = ("user", "failures", "locked_until", "last_failure_at")
    fields = readonly_fields = ("user", "failures", "locked_until", "last_failure_at")
    actions = ("unlock",)

    @admin.action(description=_("Unlock the second factor"), permissions=["delete"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[SecondFactorLock]) -> None:
        for lock in queryset.select_related("user"):
            services_security.unlock_second_factor(lock.user, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Unlocked."), messages.SUCCESS)


@admin.register(AccountSession)
class AccountSessionAdmin(SecondFactorAdmin):
    """Signed-in sessions; deleting one signs that browser out (ASVS 7.4.5)."""

    list_display = ("user", "created_at")
    fields = readonly_fields = ("user", "created_at")

    def delete_model(self, request: HttpRequest, obj: AccountSession) -> None:
        services_security.end_session(obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccountSession]) -> None:
        for row in queryset.select_related("user"):
            services_security.end_session(row, actor=request.user)  # type: ignore[arg-type]


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    fk_name = "organisation"
    extra = 0
    fields = ("user", "role", "is_active", "granted_at")
    readonly_fields = ("granted_at",)
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "uscc", "org_type", "legal_representative", "region", "created_at")
    list_filter = ("org_type", "region")
    search_fields = ("name", "uscc", "legal_representative")
    autocomplete_fields = ("region",)
    inlines = (OrganisationMemberInline,)


@admin.register(OrganisationMember)
class OrganisationMemberAdmin(AuditedAdmin):
    list_display = ("organisation", "user", "role", "is_active", "granted_at")
    list_filter = ("role", "is_active")
    search_fields = ("organisation__name", "organisation__uscc", "user__username")
    autocomplete_fields = ("organisation", "user")
    list_select_related = ("organisation", "user")


@admin.register(PendingRegistration)
class PendingRegistrationAdmin(AuditedAdmin):
    """Registrations waiting for their SMS code (identity proofing): visible with the mobile
    number masked, never editable; hashes and identity numbers are not shown. Deleting one
    ends it (the citizen starts again)."""

    list_display = ("__str__", "created_at")
    fields = readonly_fields = ("created_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SmsCode)
class SmsCodeAdmin(AuditedAdmin):
    """SMS codes sent (or, for a number with no eligible account, not sent): read-only, for
    looking into abuse. Neither the number nor the code is stored, so neither is shown."""

    list_display = ("__str__", "purpose", "delivered", "created_at", "attempts", "used_at")
    list_filter = ("purpose", "delivered")
    fields = readonly_fields = (
        "purpose", "delivered", "created_at", "expires_at", "attempts", "used_at",
    )  # fmt: skip
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from tongban.core import auditlabels  # noqa: E402 - appended with the audit labels

auditlabels.register(
    {
        "accounts.citizen.register": _("Citizen account registered"),
        "accounts.registration.start": _("Registration started"),
        "accounts.registration.resend": _("Registration code sent again"),
        "accounts.organisation.register": _("Business linked to an account"),
        "accounts.organisation.agent_add": _("Agent added to a business"),
        "accounts.organisation.agent_remove": _("Agent removed from a business"),
        "accounts.password.reset": _("Password reset with a text message code"),
        "accounts.password.notice": _("Password change notice sent"),
        "accounts.role.assign": _("Role granted"),
        "accounts.role.revoke": _("Role taken away"),
        "accounts.second_factor.enrol": _("Second factor added"),
        "accounts.second_factor.verify": _("Second factor verified"),
        "accounts.second_factor.fail": _("Wrong second-factor code"),
        "accounts.second_factor.unlock": _("Second factor unlocked"),
        "accounts.second_factor.remove": _("Second factor removed"),
        "accounts.second_factor.reset": _("Second factors reset"),
        "accounts.second_factor.recovery_codes": _("New recovery codes made"),
        "accounts.session.end": _("Signed out of one device"),
        "accounts.session.end_all": _("Signed out everywhere"),
        "accounts.sign_in.sms_code": _("Signed in with a text message code"),
        "accounts.sms_code.send": _("Text message code sent"),
        "accounts.sms_code.use": _("Text message code used"),
        "accounts.sms_code.wrong": _("Wrong text message code"),
        "accounts.user.disable": _("Account disabled"),
        "accounts.user.stale_disable": _("Inactive staff account disabled"),
        "accounts.user.stale_warning": _("Inactive staff account warned about"),
        "pii.reveal": _("Personal data shown in full"),
        "pii.reveal_refused": _("Showing personal data in full refused"),
    }
)


# django-axes (and Django's admin index, for these three) ship no Chinese for the names the
# security and audit administrators read; naming them here puts them in our catalogue.
THIRD_PARTY_STRINGS = (
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("User Agent"),
    _("IP Address"),
    _("HTTP Accept"),
    _("Path"),
    _("Attempt Time"),
    _("Failed Logins"),
    _("Logout Time"),
    _("GET Data"),
    _("POST Data"),
    _("Form Data"),
    _("Meta Data"),
    _("Access lock out"),
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
)


def _name_axes() -> None:
    from django.apps import apps as app_registry

    if app_registry.is_installed("axes"):
        app_registry.get_app_config("axes").verbose_name = _("Sign-in protection")


_name_axes()
