"""The schema of a signed configuration bundle (P20; ``tongban.exchange.config``).

What the central node exports and a node accepts, checked with pydantic after the signature
holds: every text is bounded, codes match the catalogue's patterns, choices are the models'
own. A bundle that does not fit is refused as ``malformed`` naming the first bad field.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tongban.core.models import ClassificationLevel

from .levels import KeyProtection
from .models import CODE_RE, KEY_ID_RE, DataFormat, MemberStatus, ShareClass, UpdateFrequency

FORMAT = "tongban/exchange-config/1"
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Reason:
    """Why a bundle was refused: the code starts ``ConfigBundle.reason``."""

    TOO_LARGE = "too_large"
    NOT_JSON = "not_json"
    MALFORMED = "malformed"
    NO_ANCHOR = "no_anchor"
    WRONG_SIGNER = "wrong_signer"
    BAD_SIGNATURE = "bad_signature"
    DIGEST_MISMATCH = "digest_mismatch"
    WRONG_FORMAT = "wrong_format"
    STALE = "stale"
    FROM_FUTURE = "from_future"
    REPLAYED = "replayed"
    APPLY_FAILED = "apply_failed"


class BundleRefused(Exception):
    """A bundle that is not accepted: ``code`` (a ``Reason``) and a short detail."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


# --- the configuration's schema -------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ItemConfig(_Strict):
    code: str = Field(pattern=CODE_RE, max_length=80)
    element: str = Field(default="", max_length=100)
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=150)
    share_class: ShareClass
    legal_basis: str = Field(default="", max_length=5000)
    grade: ClassificationLevel
    personal_number: bool = False
    sort_order: int = Field(default=0, ge=0, le=1_000_000)


class ResourceConfig(_Strict):
    code: str = Field(pattern=CODE_RE, max_length=60)
    department: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=20000)
    description_en: str = Field(default="", max_length=20000)
    update_frequency: UpdateFrequency = UpdateFrequency.DAILY
    source_system: str = Field(max_length=200)
    data_format: DataFormat = DataFormat.DATABASE
    open_to_public: bool = False
    status: Literal["published", "withdrawn"]
    upstream_id: str = Field(default="", max_length=100)
    items: list[ItemConfig] = Field(default_factory=list, max_length=2000)


class KeyConfig(_Strict):
    key_id: str = Field(pattern=KEY_ID_RE)
    algorithm: str = Field(min_length=1, max_length=32)
    public_key: str = Field(default="", max_length=4000)  # base64 SPKI DER; "" once invalid
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class MemberConfig(_Strict):
    code: str = Field(pattern=CODE_RE, max_length=60)
    department: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    dengbao_grade: int = Field(ge=1, le=5)
    key_protection: KeyProtection
    assurance_level: int = Field(ge=1, le=4)
    status: MemberStatus
    keys: list[KeyConfig] = Field(default_factory=list, max_length=100)


class GrantConfig(_Strict):
    id: str = Field(min_length=1, max_length=64)  # the centre's id: Grant.central_ref
    member: str = Field(pattern=CODE_RE, max_length=60)
    resource: str = Field(pattern=CODE_RE, max_length=60)
    fields: list[str] = Field(min_length=1, max_length=2000)
    full_fields: list[str] = Field(default_factory=list, max_length=2000)
    purpose: str = Field(min_length=1, max_length=200)
    legal_basis: str = Field(min_length=1, max_length=5000)
    granted_at: dt.datetime
    expires_at: dt.datetime
    rate_per_minute: int = Field(default=60, ge=1)
    rate_per_day: int = Field(default=10000, ge=1)
    revoked_at: dt.datetime | None = None
    revocation_reason: str = Field(default="", max_length=5000)


class Configuration(_Strict):
    format: str
    serial: int = Field(ge=1, le=2**62)
    issued_at: dt.datetime
    node: str = Field(default="", max_length=100)
    resources: list[ResourceConfig] = Field(default_factory=list, max_length=20000)
    members: list[MemberConfig] = Field(default_factory=list, max_length=20000)
    grants: list[GrantConfig] = Field(default_factory=list, max_length=100000)

    @model_validator(mode="after")
    def _unique(self) -> Configuration:
        """A code, key id or grant id named twice would apply in an arbitrary order."""
        named = {
            "resources": [r.code for r in self.resources],
            "members": [m.code for m in self.members],
            "keys": [k.key_id for m in self.members for k in m.keys],
            "grants": [g.id for g in self.grants],
        }
        for where, values in named.items():
            if len(values) != len(set(values)):
                twice = sorted({v for v in values if values.count(v) > 1})[0]
                raise ValueError(f"{where}: {twice} is named twice")
        for resource in self.resources:
            codes = [i.code for i in resource.items]
            if len(codes) != len(set(codes)):
                raise ValueError(f"resources: {resource.code} names an item twice")
        return self


def ts(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment.astimezone(dt.UTC).strftime(_TS_FORMAT)


def required(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment


def opt_ts(moment: dt.datetime | None) -> str | None:
    return ts(moment) if moment is not None else None


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, dt.UTC)
    return moment
