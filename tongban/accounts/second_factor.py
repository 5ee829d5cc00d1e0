"""Second factors: who needs one, the session's second-factor state, and the providers.

State lives in the session (no django-otp middleware needed): after the password step the
session holds the account but not ``SESSION_VERIFIED``; ``SecondFactorMiddleware`` confines
such a session to the second-factor pages until a provider accepts a response.

Providers (``SecondFactorProvider``) are the extension point for kinds of second factor:

- ``TotpProvider``: an authenticator app, RFC 6238 (``tongban.accounts.totp``);
- ``WebAuthnProvider``: a FIDO2 / WebAuthn security key (the ``webauthn`` package), the
  cryptographic, phishing-resistant factor that 等保 level 3 asks for;
- ``RecoveryCodeProvider``: one of ten single-use codes, for a lost phone or key;
- ``Sm2CertificateProvider``: a documented stub for SM2 certificates on a UKey (智能密码钥匙,
  GM/T 0027), not registered: see docs/security-authentication.md.

Providers only check a response and update their own device inside the caller's
transaction; throttling, audit and session state are ``services_2fa``' business.
"""

from __future__ import annotations

import enum
import hashlib
import json
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tongban.accounts import totp
from tongban.accounts.models import (
    RecoveryCode,
    SecondFactorKind,
    SecurityKey,
    TotpDevice,
    User,
    UserKind,
)
from tongban.accounts.queries import holds_role, role_holder_exists
from tongban.core import crypto

SESSION_VERIFIED = "tb_2fa"  # {"user": pk, "kind": kind, "at": unix time}
SESSION_NEXT = "tb_2fa_next"
SESSION_CHALLENGE = "tb_webauthn"  # {"ceremony": ..., "challenge": b64url, "at": unix time}
SESSION_TOTP_ENROLMENT = "tb_totp_enrolment"  # the pending secret, encrypted
CHALLENGE_SECONDS = 300
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODE_LENGTH = 16  # 16 characters of 31: 79 bits


class Requirement(enum.Enum):
    NONE = "none"  # nothing to do: no second factor, or verified in this session
    ENROL = "enrol"  # must set up a second factor before anything else
    VERIFY = "verify"  # must give the second factor before anything else


def must_have_second_factor(user: User) -> bool:
    """Officials, administrators and everyone holding a role or the admin must use two
    factors; citizens may."""
    if user.kind in (UserKind.OFFICIAL, UserKind.ADMIN) or user.is_staff or user.is_superuser:
        return True
    return holds_role(user)


@dataclass(frozen=True)
class FactorSummary:
    must_have: bool
    totp: bool
    keys: int
    recovery_codes: int

    @property
    def enrolled(self) -> bool:
        return self.totp or self.keys > 0


def factor_summary(user: User) -> FactorSummary:
    """What ``user`` must have and has, in one query."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_role=role_holder_exists(),
            has_totp=Exists(TotpDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
        )
        .values_list("has_role", "has_totp")
        .first()
    )
    has_role, has_totp = row or (False, False)
    keys = SecurityKey.objects.filter(user_id=user.pk).count()
    codes = RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()
    must = has_role or user.kind != UserKind.CITIZEN or user.is_staff or user.is_superuser
    return FactorSummary(bool(must), bool(has_totp), keys, codes)


def is_verified(session: SessionBase, user: User) -> bool:
    state = session.get(SESSION_VERIFIED)
    return isinstance(state, dict) and state.get("user") == user.pk


def requirement(session: SessionBase, user: User) -> Requirement:
    """What ``user`` must still do in this session before reaching anything else."""
    if is_verified(session, user):
        return Requirement.NONE
    summary = factor_summary(user)
    if summary.enrolled:
        return Requirement.VERIFY
    return Requirement.ENROL if summary.must_have else Requirement.NONE


def mark_verified(session: SessionBase, user: User, kind: str) -> None:
    """Record in the session that ``user`` gave a second factor of ``kind``; the session
    key changes (as at any privilege change)."""
    session.cycle_key()
    session[SESSION_VERIFIED] = {"user": user.pk, "kind": kind, "at": int(time.time())}


def clear_verified(session: SessionBase) -> None:
    session.pop(SESSION_VERIFIED, None)


# --- providers ------------------------------------------------------------------------------


@dataclass
class Challenge:
    """What a page needs to ask for a response (``public``) and what the server keeps in
    the session until the response comes back (``state``)."""

    public: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)


class SecondFactorProvider(ABC):
    """One kind of second factor. Subclasses check responses and update their own device
    rows; they never read the request, write the session or throttle."""

    kind: ClassVar[str]
    label: ClassVar[StrOrPromise]
    #: 等保 level 3 身份鉴别 d): at least one factor must rest on a cryptographic technique.
    cryptographic: ClassVar[bool] = False

    @abstractmethod
    def is_enrolled(self, user: User) -> bool:
        """Whether ``user`` can authenticate with this kind of factor."""

    def challenge(self, user: User, *, rp_id: str) -> Challenge:
        """A fresh challenge for ``user`` (empty for code-based factors)."""
        return Challenge()

    @abstractmethod
    def verify(
        self,
        user: User,
        response: Mapping[str, Any],
        *,
        state: Mapping[str, Any] | None = None,
        rp_id: str = "",
        origin: str = "",
    ) -> bool:
        """Whether ``response`` proves ``user`` holds the factor. Call inside a transaction:
        on success the provider records the use (replay protection, counters)."""


class TotpProvider(SecondFactorProvider):
    kind = SecondFactorKind.TOTP
    label = _("Authenticator app")
    cryptographic = False  # a shared secret (HMAC) in software, not a key that never leaves

    def is_enrolled(self, user: User) -> bool:
        return TotpDevice.objects.filter(user_id=user.pk, confirmed=True).exists()

    def verify(
        self,
        user: User,
        response: Mapping[str, Any],
        *,
        state: Mapping[str, Any] | None = None,
        rp_id: str = "",
        origin: str = "",
    ) -> bool:
        device = (
            TotpDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
        )
        if device is None:
            return False
        found = totp.match(
            decrypt_totp_secret(device), str(response.get("code", "")), after_step=device.last_step
        )
        if found is None:
            return False
        device.last_step = found.step
        device.last_used_at = timezone.now()
        device.save(update_fields=["last_step", "last_used_at"])
        return True


def _totp_aad(user_id: int) -> bytes:
    return f"accounts.totpdevice:{user_id}".encode()


def encrypt_totp_secret(user_id: int, secret: bytes) -> str:
    return crypto.encrypt("field-encryption", secret, aad=_totp_aad(user_id))


def decrypt_totp_secret(device: TotpDevice) -> bytes:
    return crypto.decrypt(
        "field-encryption", device.encrypted_secret, aad=_totp_aad(device.user_id)
    )


def recovery_code_hash(user_id: int, code: str) -> str:
    """SHA-256 of the account and the normalised code: 79 random bits need no slow hash."""
    normal = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hashlib.sha256(f"tongban-recovery:{user_id}:{normal}".encode()).hexdigest()


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


class RecoveryCodeProvider(SecondFactorProvider):
    kind = SecondFactorKind.RECOVERY_CODE
    label = _("Recovery code")

    def is_enrolled(self, user: User) -> bool:
        return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).exists()

    def verify(
        self,
        user: User,
        response: Mapping[str, Any],
        *,
        state: Mapping[str, Any] | None = None,
        rp_id: str = "",
        origin: str = "",
    ) -> bool:
        digest = recovery_code_hash(user.pk, str(response.get("code", "")))
        used = RecoveryCode.objects.filter(
            user_id=user.pk, code_hash=digest, used_at__isnull=True
        ).update(used_at=timezone.now())  # a conditional update: used once, even in a race
        return used == 1


# --- WebAuthn -----------------------------------------------------------------------------


def webauthn_rp_id() -> str:
    """The relying party id: the site's host name, never an IP address."""
    return str(getattr(settings, "TONGBAN_WEBAUTHN_RP_ID", "localhost"))


def webauthn_rp_name() -> str:
    return str(getattr(settings, "TONGBAN_CITY_NAME", "") or "tongban")


def allowed_origin(origin: str, rp_id: str) -> bool:
    """Whether a page on ``origin`` may use credentials of ``rp_id``: the configured
    origins when ``TONGBAN_WEBAUTHN_ORIGINS`` is set, else any origin on that host name
    or a subdomain of it (https, or http on localhost)."""
    configured = getattr(settings, "TONGBAN_WEBAUTHN_ORIGINS", None)
    if configured:
        return origin in configured
    scheme, _sep, rest = origin.partition("://")
    host = rest.split(":", 1)[0].lower()
    if host != rp_id and not host.endswith("." + rp_id):
        return False
    return scheme == "https" or (scheme == "http" and rp_id == "localhost")


def user_handle(user: User) -> bytes:
    """An opaque, stable WebAuthn user handle: no personal data, not the primary key."""
    return salted_hmac("tongban.accounts.webauthn-user", str(user.pk)).digest()[:32]


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
        for key in SecurityKey.objects.filter(user_id=user.pk)
    ]


def registration_challenge(user: User, *, rp_id: str) -> Challenge:
    """Options for ``navigator.credentials.create()`` to add a security key."""
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=webauthn_rp_name(),
        user_id=user_handle(user),
        user_name=user.get_username(),
        user_display_name=user.real_name or user.get_username(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.DISCOURAGED,
        ),
        exclude_credentials=_descriptors(user),
    )
    return Challenge(
        public={"options": json.loads(options_to_json(options))},
        state={
            "ceremony": "register",
            "challenge": bytes_to_base64url(options.challenge),
            "at": int(time.time()),
        },
    )


def _fresh_challenge(state: Mapping[str, Any] | None, ceremony: str) -> bytes | None:
    if not state or state.get("ceremony") != ceremony:
        return None
    if time.time() - float(state.get("at", 0)) > CHALLENGE_SECONDS:
        return None
    try:
        return base64url_to_bytes(str(state["challenge"]))
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class NewSecurityKey:
    credential_id: str
    public_key: bytes
    sign_count: int
    transports: str


def check_registration(
    response: str, *, state: Mapping[str, Any] | None, rp_id: str, origin: str
) -> NewSecurityKey | None:
    """The credential a registration response creates, or ``None`` if it does not verify
    (stale or foreign challenge, wrong origin or relying party, malformed data)."""
    challenge = _fresh_challenge(state, "register")
    if challenge is None or not allowed_origin(origin, rp_id):
        return None
    try:
        verified = verify_registration_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return None
    transports = ""
    try:
        raw = json.loads(response).get("response", {}).get("transports", [])
        transports = ",".join(str(t) for t in raw if isinstance(t, str))[:100]
    except (ValueError, AttributeError):
        transports = ""
    return NewSecurityKey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=transports,
    )


class WebAuthnProvider(SecondFactorProvider):
    kind = SecondFactorKind.WEBAUTHN
    label = _("Security key")
    cryptographic = True  # a private key that never leaves the authenticator

    def is_enrolled(self, user: User) -> bool:
        return SecurityKey.objects.filter(user_id=user.pk).exists()

    def challenge(self, user: User, *, rp_id: str) -> Challenge:
        options = generate_authentication_options(
            rp_id=rp_id,
            allow_credentials=_descriptors(user),
            user_verification=UserVerificationRequirement.DISCOURAGED,
        )
        return Challenge(
            public={"options": json.loads(options_to_json(options))},
            state={
                "ceremony": "authenticate",
                "challenge": bytes_to_base64url(options.challenge),
                "at": int(time.time()),
            },
        )

    def verify(
        self,
        user: User,
        response: Mapping[str, Any],
        *,
        state: Mapping[str, Any] | None = None,
        rp_id: str = "",
        origin: str = "",
    ) -> bool:
        challenge = _fresh_challenge(state, "authenticate")
        if challenge is None or not allowed_origin(origin, rp_id):
            return False
        credential = str(response.get("credential", ""))
        try:
            raw_id = str(json.loads(credential)["rawId"])
            credential_id = bytes_to_base64url(base64url_to_bytes(raw_id))
        except (ValueError, KeyError, TypeError):
            return False
        key = (
            SecurityKey.objects.select_for_update()
            .filter(user_id=user.pk, credential_id=credential_id)
            .first()
        )
        if key is None:
            return False
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=bytes(key.public_key),
                credential_current_sign_count=key.sign_count,
            )
        except (WebAuthnException, ValueError, TypeError, KeyError):
            return False
        key.sign_count = verified.new_sign_count
        key.last_used_at = timezone.now()
        key.save(update_fields=["sign_count", "last_used_at"])
        return True


class Sm2CertificateProvider(SecondFactorProvider):
    """SM2 certificate on a UKey (智能密码钥匙) — documented extension point, not wired.

    How it would work: ``challenge`` returns 32 random bytes; the browser extension or
    client middleware of the UKey vendor (SKF interface, GM/T 0016) signs them with the
    SM2 key of the official's certificate (issued by a CA approved for 电子政务); ``verify``
    checks the certificate chain to the configured CA, its validity and revocation
    (CRL/OCSP), that the certificate's subject is bound to ``user`` (a new model
    ``UserCertificate``), and the SM2-with-SM3 signature over the challenge with
    ``tongban.core.crypto`` (``GmSuite``). To wire it: implement both methods, add a
    model and a page like the security-key pages, and add it to ``PROVIDERS``.
    """

    kind = "sm2-certificate"
    label = _("SM2 certificate (UKey)")
    cryptographic = True

    def is_enrolled(self, user: User) -> bool:
        return False

    def verify(
        self,
        user: User,
        response: Mapping[str, Any],
        *,
        state: Mapping[str, Any] | None = None,
        rp_id: str = "",
        origin: str = "",
    ) -> bool:
        raise NotImplementedError("SM2 certificate / UKey authentication is not wired yet")


PROVIDERS: dict[str, SecondFactorProvider] = {
    provider.kind: provider
    for provider in (TotpProvider(), WebAuthnProvider(), RecoveryCodeProvider())
}


def get_provider(kind: str) -> SecondFactorProvider:
    """The provider of ``kind``; ``KeyError`` for an unknown or unwired kind."""
    return PROVIDERS[kind]
