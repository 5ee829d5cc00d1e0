"""People and the organisations they act for.

- Citizens hold a real-name identity: name, resident ID number (GB 11643), mobile number.
- Businesses are ``Organisation`` rows identified by their unified social credit code
  (GB 32100); people act for them as legal representative (法定代表人) or agent (经办人).
- Officials belong to a department and hold roles (``RoleAssignment``).

Resident ID numbers, mobile numbers and business addresses are stored encrypted
(``core.crypto.fields.EncryptedTextField``, ADR 0005). In Python ``user.id_number`` is the
clear value; the database holds a ciphertext bound to its column and row. Look-ups go
through the keyed digest columns: ``User.objects.by_id_number(x)`` / ``by_phone(x)`` (or
``id_number_digest=digest("resident_id", x)``); filtering on the encrypted column itself
raises ``FieldError``. Showing a full value to anyone but the subject goes through
``accounts.pii.reveal`` (policy and audit); pages show ``masked_*``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto.fields import (
    DIGEST_LENGTH,
    DigestField,
    EncryptedFieldsMixin,
    EncryptedTextField,
    digest,
)
from tongban.core.identifiers import mask_phone, mask_resident_id, validate_uscc
from tongban.core.models import ClassificationLevel
from tongban.org.models import Department, Region


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OFFICIAL = "official", _("Official")
    ADMIN = "admin", _("Administrator")


class AssuranceLevel(models.IntegerChoices):
    """How sure we are that the account belongs to the named person."""

    SELF_DECLARED = 1, _("Self-declared")
    VERIFIED = 2, _("Verified online")
    IN_PERSON = 3, _("Verified in person at a counter")


class AccountManager(UserManager["User"]):
    """Adds look-ups by the keyed digests of the encrypted identifiers."""

    use_in_migrations = True

    def by_id_number(self, value: str | None) -> models.QuerySet[User]:
        """Accounts whose resident ID number is ``value`` (any spelling: NFKC, x or X)."""
        found = digest("resident_id", value)
        return self.filter(id_number_digest=found) if found else self.none()

    def by_phone(self, value: str | None) -> models.QuerySet[User]:
        """Accounts whose mobile number is ``value`` (spaces, dashes, +86 ignored)."""
        found = digest("mobile", value)
        return self.filter(phone_digest=found) if found else self.none()


class User(EncryptedFieldsMixin, AbstractUser):
    kind = models.CharField(
        _("account kind"), max_length=16, choices=UserKind.choices, default=UserKind.CITIZEN
    )
    real_name = models.CharField(_("real name"), max_length=60, blank=True)
    # Encrypted, bound to the username (set before the row exists, changed only by save()).
    id_number = EncryptedTextField(
        _("resident ID number"), max_length=18, null=True, blank=True, bind_field="username"
    )
    id_number_digest = DigestField(
        _("resident ID number digest"), source="id_number", kind="resident_id",
        unique=True, null=True, blank=True,
    )  # fmt: skip
    phone = EncryptedTextField(
        _("mobile number"), max_length=11, null=True, blank=True, bind_field="username"
    )
    phone_digest = DigestField(
        _("mobile number digest"), source="phone", kind="mobile",
        unique=True, null=True, blank=True,
    )  # fmt: skip
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=ClassificationLevel.choices, default=ClassificationLevel.PUBLIC
    )
    assurance_level = models.PositiveSmallIntegerField(
        _("identity assurance"),
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.SELF_DECLARED,
    )

    objects = AccountManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.id_number or "")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone or "")

    @property
    def is_official(self) -> bool:
        return self.kind == UserKind.OFFICIAL


class Role(models.TextChoices):
    CLERK = "clerk", _("Window clerk")
    REVIEWER = "reviewer", _("Reviewer")
    DEPARTMENT_LEADER = "department_leader", _("Department leader")
    CITY_LEADER = "city_leader", _("City leader")
    CATALOG_ADMIN = "catalog_admin", _("Catalogue administrator")
    # 数据管理员 of the data authority (数据主管部门): registers member systems and their keys,
    # settles share disputes, answers for the exchange (issue 13).
    DATA_ADMIN = "data_admin", _("Data administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


#: The three administrative duties (三员) that no account may combine.
ADMIN_DUTIES: tuple[str, ...] = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("area of responsibility"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"], name="role_assignment_unique"
            ),
            # Separation of duties (三员): at most one administrative duty per account,
            # enforced by the database (a partial unique index on both databases).
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role__in=ADMIN_DUTIES),
                name="one_admin_duty_per_user",
                violation_error_message=_(
                    "This person already holds one of the system, security and audit "
                    "administrator roles; nobody may hold two of them."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class OrganisationType(models.TextChoices):
    """Applicant types of the national code table (服务对象), legal persons only."""

    ENTERPRISE = "2", _("Enterprise legal person")
    INSTITUTION = "3", _("Public institution legal person")
    SOCIAL = "4", _("Social organisation legal person")
    NON_LEGAL_ENTERPRISE = "5", _("Unincorporated enterprise")
    AUTHORITY = "6", _("Government authority")
    OTHER = "9", _("Other organisation")


class Organisation(EncryptedFieldsMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],  # type: ignore[list-item]  # returns the cleaned value
    )
    org_type = models.CharField(
        _("organisation type"),
        max_length=2,
        choices=OrganisationType.choices,
        default=OrganisationType.ENTERPRISE,
    )
    legal_representative = models.CharField(_("legal representative"), max_length=60)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Encrypted, bound to the credit code (fixed at registration).
    address = EncryptedTextField(
        _("registered address"), max_length=200, blank=True, bind_field="uscc"
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_rep", _("Legal representative")
    AGENT = "agent", _("Agent")


class OrganisationMember(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="org_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


# --- Second factors and sessions (docs/security-authentication.md) ------------------------


class SecondFactorKind(models.TextChoices):
    TOTP = "totp", _("Authenticator app")
    WEBAUTHN = "webauthn", _("Security key")
    RECOVERY_CODE = "recovery", _("Recovery code")


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238, 6 digits, 30 s). The shared secret is stored
    encrypted with the configured crypto suite (``field-encryption`` key)."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp_device"
    )
    encrypted_secret = models.TextField(_("encrypted secret"), editable=False)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    # The last time step accepted: a code is never accepted twice (replay).
    last_step = models.BigIntegerField(_("last time step used"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"{self.user} · TOTP"


class RecoveryCode(models.Model):
    """One single-use recovery code, stored as a SHA-256 digest only."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("code digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} · {self.pk}"


class SecurityKey(models.Model):
    """A WebAuthn / FIDO2 credential (security key or platform authenticator)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="security_keys"
    )
    name = models.CharField(_("name"), max_length=60)
    credential_id = models.CharField(
        _("credential ID"), max_length=1400, unique=True, editable=False
    )  # base64url
    public_key = models.BinaryField(_("public key"), editable=False)  # COSE_Key
    sign_count = models.PositiveBigIntegerField(_("signature counter"), default=0)
    transports = models.CharField(_("transports"), max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("security key")
        verbose_name_plural = _("security keys")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"


class SecondFactorLock(models.Model):
    """Wrong second-factor codes of one account; enough of them lock the second factor."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="second_factor_lock"
    )
    failures = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second factor lock-out")
        verbose_name_plural = _("second factor lock-outs")

    def __str__(self) -> str:
        return f"{self.user} · {self.failures}"


class AccountSession(models.Model):
    """Which sessions belong to which account, so that they can all be ended at once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="account_sessions"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class PendingRegistration(EncryptedFieldsMixin, models.Model):
    """A registration whose identity the provider confirmed, waiting for the SMS code.

    Holds the password only as a hash (the code is an ``SmsCode``); deleted when the
    account is created. ``token`` (random) is what the browser's session refers to.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    real_name = models.CharField(_("real name"), max_length=60)
    # Encrypted, bound to the random token of the registration.
    id_number = EncryptedTextField(_("resident ID number"), max_length=18, bind_field="token")
    id_number_digest = DigestField(
        _("resident ID number digest"), source="id_number", kind="resident_id",
        null=True, blank=True, db_index=True,
    )  # fmt: skip
    phone = EncryptedTextField(_("mobile number"), max_length=20, bind_field="token")
    phone_digest = DigestField(
        _("mobile number digest"), source="phone", kind="mobile",
        null=True, blank=True, db_index=True,
    )  # fmt: skip
    email = models.EmailField(_("email"), blank=True)
    password_hash = models.CharField(_("password hash"), max_length=256)
    # The SMS code itself is an ``SmsCode`` of purpose REGISTRATION for ``phone``.
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending registration")
        verbose_name_plural = _("pending registrations")

    def __str__(self) -> str:
        return str(_("Registration %(phone)s") % {"phone": self.masked_phone})

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class SmsCodePurpose(models.TextChoices):
    """What an SMS code is for: a code of one purpose never serves another."""

    REGISTRATION = "registration", _("Registration")
    SIGN_IN = "sign_in", _("Sign-in")
    PASSWORD_RESET = "password_reset", _("Password reset")


class SmsCode(models.Model):
    """One 6-digit code sent by text message (``tongban.accounts.smscodes``).

    Holds neither the mobile number nor the code: the number as its keyed digest, the code
    as a keyed hash bound to this row's salt, purpose and number. A row is also written when
    no message went out (``delivered`` false: a sign-in code asked for a number with no
    eligible account), so that send limits and answers are the same either way. Only the
    newest row of a purpose and number can be used.
    """

    purpose = models.CharField(_("purpose"), max_length=20, choices=SmsCodePurpose.choices)
    mobile_digest = models.CharField(
        _("mobile number digest"), max_length=DIGEST_LENGTH, editable=False
    )
    source_digest = models.CharField(
        _("source address digest"), max_length=DIGEST_LENGTH, blank=True, editable=False
    )
    salt = models.CharField(_("salt"), max_length=32, editable=False)
    code_hash = models.CharField(_("code hash"), max_length=DIGEST_LENGTH, editable=False)
    delivered = models.BooleanField(_("sent by text message"), default=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [
            models.Index(fields=["mobile_digest", "created_at"], name="smscode_mobile_idx"),
            models.Index(fields=["source_digest", "created_at"], name="smscode_source_idx"),
        ]

    def __str__(self) -> str:
        return str(
            _("%(purpose)s code %(id)s") % {"purpose": self.get_purpose_display(), "id": self.pk}
        )
