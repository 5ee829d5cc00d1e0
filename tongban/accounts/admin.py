"""Admin for accounts, roles and organisations.

Lists show resident ID numbers and phone numbers masked; the full value is visible only on
the change page of one account. The change form validates both identifiers with the
kernel's validators, so an administrator cannot store a number that fails its checksum.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import Organisation, OrganisationMember, RoleAssignment, User
from tongban.core.admin import AuditedAdmin
from tongban.core.identifiers import validate_mobile, validate_resident_id


class AccountChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"

    def clean_id_number(self) -> str | None:
        value = self.cleaned_data.get("id_number")
        return validate_resident_id(value) if value else None

    def clean_phone(self) -> str | None:
        value = self.cleaned_data.get("phone")
        return validate_mobile(value) if value else None


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ("role", "department", "region", "granted_at")
    readonly_fields = ("granted_at",)
    autocomplete_fields = ("department", "region")


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
    search_fields = ("username", "real_name", "=id_number", "=phone", "email")
    list_select_related = ("department",)
    autocomplete_fields = ("department",)
    inlines = (RoleAssignmentInline, MembershipInline)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Identity"),
            {"fields": ("kind", "real_name", "id_number", "phone", "email", "assurance_level")},
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

    @admin.display(description=_("resident ID number"))
    def masked_id(self, obj: User) -> str:
        return obj.masked_id_number

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj: User) -> str:
        return obj.masked_phone


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "role", "department", "region", "granted_at")
    list_filter = ("role", "department")
    search_fields = ("user__username", "user__real_name", "department__name")
    autocomplete_fields = ("user", "department", "region")
    list_select_related = ("user", "department", "region")


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
