"""Encrypted model fields and keyed digests: personal data at rest (PIPL Art. 51, 密评).

``EncryptedTextField`` stores ``key_id.base64url(nonce || ciphertext || tag)`` made by the
key store (``keys.encrypt("field-encryption", ...)``: AES-256-GCM under ``intl``, SM4-GCM
under ``gm``; the token names its key, so rotation keeps old rows readable). The associated
data binds each ciphertext to its table, its column and its row::

    tongban/field|<db_table>.<column>|<value of bind_field>

``bind_field`` names a field of the same row that is known before the row is inserted and
does not change behind the model's back (a username, a random token, a registration code);
a ciphertext copied to another column or another row does not decrypt. Saving through the
model keeps the binding right (``EncryptedFieldsMixin`` adds the encrypted fields to
``update_fields`` when their bind field is saved); ``QuerySet.update()`` of a bind field
would strand the ciphertext and is not done.

In Python the attribute holds the clear value: ``user.id_number`` decrypts on first access
(lazily, once per instance) and assigning a clear string is how a value is changed. The
database never sees the clear value: saving encrypts, and ``QuerySet.update()``,
``bulk_update()`` or raw saves (``loaddata``) of an encrypted field are refused with
``FieldError`` rather than writing clear text. Filtering on an encrypted column is refused
too (only ``isnull`` works): look rows up by their digest.

``DigestField`` holds ``key_id.hex(HMAC(pii-digest key, kind | normalised value))`` of its
``source`` field, computed on save: exact-match look-ups and unique constraints without the
clear value. The suite's HMAC (HMAC-SHA256 or HMAC-SM3) under the pinned ``pii-digest`` key
of the key store; that key is never replaced silently (a suite switch leaves it alone).
Rotating it means re-digesting every row in the same transaction: ``rewrite_all(
rotate_digest_key=True)``, which also re-encrypts every value with the active
field-encryption key (ADR 0005). Values are normalised first (NFKC: fullwidth digits count;
resident IDs upper-case X; mobiles without spaces, dashes or +86), so every spelling of one
number has one digest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import models, transaction
from django.db.models import signals
from django.db.models.query_utils import DeferredAttribute

from tongban.core.audit import record_audit
from tongban.core.crypto import keys
from tongban.core.identifiers import normalise

FIELD_PURPOSE = "field-encryption"
DIGEST_PURPOSE = keys.PII_DIGEST
DIGEST_KINDS = ("resident_id", "mobile", "text")
DIGEST_LENGTH = 100  # key id (16) + "." + 64 hex digits, with room


# --- keyed digests ------------------------------------------------------------------------


def normalise_for_digest(kind: str, value: str) -> str:
    """The one spelling of ``value`` that is digested (see the module docstring)."""
    text = normalise(value)
    if kind == "resident_id":
        return re.sub(r"\s", "", text).upper()
    if kind == "mobile":
        number = re.sub(r"[\s-]", "", text)
        return number[3:] if number.startswith("+86") else number
    if kind == "text":
        return " ".join(text.split())
    raise ValueError(f"unknown digest kind {kind!r}; use one of {DIGEST_KINDS}")


def digest(kind: str, value: str | None) -> str | None:
    """The keyed digest of ``value`` as a ``kind`` (``None`` for no value).

    The kind is part of the MAC input, so one string digested as a resident ID and as a
    mobile number gives unrelated digests; the table is not, so the same ID number has the
    same digest in every table (a registration in progress finds the account).
    """
    if value is None:
        return None
    text = normalise_for_digest(kind, str(value))
    if not text:
        return None
    key_id, tag = keys.mac(DIGEST_PURPOSE, f"tongban/pii-digest|{kind}|{text}".encode())
    return f"{key_id}.{tag.hex()}"


# --- values as the instance holds them ----------------------------------------------------


class Sealed(str):
    """A token read from the database, not yet decrypted; ``bound`` is the bind field's
    value when the row was read (``None`` if it was not loaded)."""

    bound: str | None = None


class Opened(str):
    """A clear value decrypted from ``token`` (bound to ``bound``); assigning a new value
    replaces it with a plain ``str``, which is how a save knows the value changed."""

    token: str = ""
    bound: str | None = None


class _Token(str):
    """What ``pre_save`` hands to the database: a ciphertext token, never clear text."""


def _attname(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).attname)


def _rewriting(instance: models.Model) -> bool:
    return bool(getattr(instance, "_pii_rewrite", False))


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on first access; a data descriptor so that every read passes here."""

    field: EncryptedTextField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        if type(value) is Opened:  # decrypted from another row (or refreshed): a new value
            value = str(value)
        instance.__dict__[self.field.attname] = value


# --- fields -------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text value stored encrypted with the key store; see the module docstring."""

    descriptor_class = EncryptedAttribute
    description = "Text encrypted with the key store"

    def __init__(self, *args: Any, bind_field: str = "", **kwargs: Any) -> None:
        self.bind_field = bind_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.bind_field:
            kwargs["bind_field"] = self.bind_field
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract:
            signals.post_init.connect(self._remember_binding, sender=cls, weak=False)

    # -- binding ---------------------------------------------------------------------------

    def _bind_attname(self) -> str:
        return _attname(self.model, self.bind_field) if self.bind_field else ""

    def _bind_value(self, instance: models.Model, *, loaded_only: bool = False) -> str | None:
        attname = self._bind_attname()
        if not attname:
            return ""
        if loaded_only and attname not in instance.__dict__:
            return None
        value = getattr(instance, attname)
        return "" if value is None else str(value)

    def _remember_binding(self, instance: models.Model, **_: Any) -> None:
        value = instance.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            value.bound = self._bind_value(instance, loaded_only=True)

    def associated_data(self, bound: str) -> bytes:
        """What the ciphertext is bound to: table, column, row."""
        return f"tongban/field|{self.model._meta.db_table}.{self.column}|{bound}".encode()

    # -- reading ---------------------------------------------------------------------------

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return Sealed(value)

    def open(self, instance: models.Model, sealed: Sealed) -> Opened:
        """Decrypt ``sealed``; raises ``DecryptionError`` if it was altered or moved."""
        bound = sealed.bound if sealed.bound is not None else self._bind_value(instance)
        clear = keys.decrypt(FIELD_PURPOSE, str(sealed), self.associated_data(bound or ""))
        opened = Opened(clear.decode("utf-8"))
        opened.token, opened.bound = str(sealed), bound
        return opened

    # -- writing ---------------------------------------------------------------------------

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        raw = model_instance.__dict__.get(self.attname)
        bound = self._bind_value(model_instance) or ""
        if not _rewriting(model_instance):
            if isinstance(raw, Sealed) and raw.bound == bound:
                return _Token(raw)  # never read, binding unchanged: keep the ciphertext
            if isinstance(raw, Opened) and raw.bound == bound:
                return _Token(raw.token)
        value = getattr(model_instance, self.attname)
        if value is None or value == "":
            return value
        token = keys.encrypt(FIELD_PURPOSE, str(value).encode("utf-8"), self.associated_data(bound))
        return _Token(token)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        if isinstance(value, _Token):
            return str(value)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: change it on a model instance "
            "and save() it; QuerySet.update(), bulk_update() and raw saves cannot encrypt it"
        )

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted and cannot be filtered on "
            f"({lookup_name!r}); look it up by its digest field"
        )

    def value_to_string(self, obj: models.Model) -> str:
        """Serialisers get the ciphertext, never the clear value."""
        token = self.pre_save(obj, False)
        return "" if token is None else str(token)

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        """A one-line text input (not a textarea), limited to ``max_length``."""
        return models.Field.formfield(
            self,
            form_class=form_class or forms.CharField,
            choices_form_class=choices_form_class,
            **{"max_length": self.max_length, **kwargs},
        )


class DigestField(models.CharField):  # type: ignore[type-arg]
    """The keyed digest of the ``source`` field of the same row, computed on save."""

    description = "Keyed digest of another field"

    def __init__(self, *args: Any, source: str = "", kind: str = "text", **kwargs: Any) -> None:
        if kind not in DIGEST_KINDS:
            raise ValueError(f"unknown digest kind {kind!r}; use one of {DIGEST_KINDS}")
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", DIGEST_LENGTH)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        if kwargs.get("max_length") == DIGEST_LENGTH:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        else:
            kwargs["editable"] = True
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        source_attname = _attname(model_instance, self.source)
        raw = model_instance.__dict__.get(source_attname)
        if isinstance(raw, Sealed | Opened) and not _rewriting(model_instance):
            return getattr(model_instance, self.attname)  # source unchanged since read
        value = digest(self.kind, getattr(model_instance, source_attname))
        setattr(model_instance, self.attname, value)
        return value


# --- saving models with encrypted fields --------------------------------------------------


def with_companions(model: type[models.Model], update_fields: Iterable[str]) -> set[str]:
    """``update_fields`` plus what must be saved with them: the encrypted fields bound to a
    saved field, and the digests of saved encrypted fields."""
    names = set(update_fields)
    fields = model._meta.concrete_fields
    for field in fields:
        if isinstance(field, EncryptedTextField) and field.bind_field in names:
            names.add(field.name)
    for field in fields:
        if isinstance(field, DigestField) and field.source in names:
            names.add(field.name)
    return names


class EncryptedFieldsMixin(models.Model):
    """Keeps ciphertexts and digests consistent when ``save(update_fields=...)`` is used."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_companions(type(self), kwargs["update_fields"])
        super().save(*args, **kwargs)


def protected_fields(model: type[models.Model]) -> list[str]:
    """Names of the encrypted and digest fields of ``model``."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField | DigestField)
    ]


def rewrite(instance: models.Model) -> None:
    """Re-encrypt every encrypted field of ``instance`` with the active key and recompute
    its digests with the active digest key, then save just those columns."""
    names = protected_fields(type(instance))
    if not names:
        return
    for name in names:  # decrypt with the old keys and bindings before anything changes
        getattr(instance, _attname(instance, name))
    instance._pii_rewrite = True  # type: ignore[attr-defined]
    try:
        instance.save(update_fields=names)
    finally:
        del instance._pii_rewrite  # type: ignore[attr-defined]


def encrypted_models() -> list[type[models.Model]]:
    """Every installed model with an encrypted or digest field."""
    return [m for m in apps.get_models() if protected_fields(m)]


@transaction.atomic
def rewrite_all(*, rotate_digest_key: bool = False, actor: Any = None) -> dict[str, int]:
    """Re-encrypt and re-digest every row of every model with encrypted fields, in one
    transaction: after rotating the field-encryption key (old rows move to the new key), or
    with ``rotate_digest_key`` to replace the pinned digest key (look-ups use the new
    digests as soon as this commits). Writes a ``crypto.pii.rewrite`` audit record (counts
    only). Returns rows per model label."""
    if rotate_digest_key:
        keys.rotate(DIGEST_PURPOSE, actor=actor)
    counts: dict[str, int] = {}
    for model in encrypted_models():
        done = 0
        for instance in model._base_manager.order_by("pk").iterator(chunk_size=500):
            rewrite(instance)
            done += 1
        counts[model._meta.label] = done
    record_audit(
        actor,
        "crypto.pii.rewrite",
        meta={"rows": counts, "digest_key_rotated": rotate_digest_key},
        object_type="crypto.pii",
    )
    return counts
