"""Encrypt resident ID numbers, mobile numbers and business addresses at rest (ADR 0005).

Adds the keyed digest columns, turns the clear columns into ``EncryptedTextField`` (text
columns holding ``key_id.base64url`` tokens) and encrypts the rows already there, so an
existing installation (the demo database included) upgrades with ``tongban migrate``. The
unique constraints move from the clear columns to the digests. Reversible: going back
decrypts into the clear columns.

Uses the key store (the ``core`` app's current ``CryptoKey`` model) only when rows exist, so
a fresh database never touches it here.
"""

import re

from django.db import migrations

import tongban.accounts.models
import tongban.core.crypto.fields
from tongban.core.crypto import keys
from tongban.core.crypto.fields import FIELD_PURPOSE

# model name -> (bind field, encrypted fields)
ENCRYPTED = {
    "User": ("username", ("id_number", "phone")),
    "PendingRegistration": ("token", ("id_number", "phone")),
    "Organisation": ("uscc", ("address",)),
}
_TOKEN = re.compile(r"[0-9a-f]{16}\.[A-Za-z0-9_-]+")


def _is_token(model, name, value, bound):
    if not _TOKEN.fullmatch(value):
        return False
    field = model._meta.get_field(name)
    try:
        keys.decrypt(FIELD_PURPOSE, value, field.associated_data(bound))
    except Exception:  # anything that does not decrypt is a clear value to encrypt
        return False
    return True


def encrypt_existing(apps, schema_editor):
    for model_name, (bind, names) in ENCRYPTED.items():
        model = apps.get_model("accounts", model_name)
        digests = [f.name for f in model._meta.concrete_fields
                   if isinstance(f, tongban.core.crypto.fields.DigestField)]  # fmt: skip
        rows = model._base_manager.order_by("pk").values_list("pk", bind, *names)
        for pk, bound, *values in rows.iterator(chunk_size=500):
            clear = {
                name: (None if value is None else str(value))
                for name, value in zip(names, values, strict=True)
            }
            if all(
                not value or _is_token(model, name, value, str(bound or ""))
                for name, value in clear.items()
            ):
                continue  # already encrypted (a re-run)
            instance = model(pk=pk, **{bind: bound}, **clear)
            instance.save(update_fields=[*names, *digests])


def decrypt_back(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, (_bind, names) in ENCRYPTED.items():
        model = apps.get_model("accounts", model_name)
        table = model._meta.db_table
        with connection.cursor() as cursor:
            for instance in model._base_manager.order_by("pk").iterator(chunk_size=500):
                values = [getattr(instance, name) for name in names]
                sets = ", ".join(f"{quote(model._meta.get_field(n).column)} = %s" for n in names)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {sets} WHERE {quote('id')} = %s",  # noqa: S608
                    [None if v is None else str(v) for v in values] + [instance.pk],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_pending_registration"),
        ("core", "0003_cryptokey"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", tongban.accounts.models.AccountManager()),
            ],
        ),
        migrations.AddField(
            model_name="pendingregistration",
            name="id_number_digest",
            field=tongban.core.crypto.fields.DigestField(
                blank=True,
                db_index=True,
                kind="resident_id",
                null=True,
                source="id_number",
                verbose_name="resident ID number digest",
            ),
        ),
        migrations.AddField(
            model_name="pendingregistration",
            name="phone_digest",
            field=tongban.core.crypto.fields.DigestField(
                blank=True,
                db_index=True,
                kind="mobile",
                null=True,
                source="phone",
                verbose_name="mobile number digest",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="id_number_digest",
            field=tongban.core.crypto.fields.DigestField(
                blank=True,
                kind="resident_id",
                null=True,
                source="id_number",
                unique=True,
                verbose_name="resident ID number digest",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_digest",
            field=tongban.core.crypto.fields.DigestField(
                blank=True,
                kind="mobile",
                null=True,
                source="phone",
                unique=True,
                verbose_name="mobile number digest",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="address",
            field=tongban.core.crypto.fields.EncryptedTextField(
                bind_field="uscc", blank=True, max_length=200, verbose_name="registered address"
            ),
        ),
        migrations.AlterField(
            model_name="pendingregistration",
            name="id_number",
            field=tongban.core.crypto.fields.EncryptedTextField(
                bind_field="token", max_length=18, verbose_name="resident ID number"
            ),
        ),
        migrations.AlterField(
            model_name="pendingregistration",
            name="phone",
            field=tongban.core.crypto.fields.EncryptedTextField(
                bind_field="token", max_length=20, verbose_name="mobile number"
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="id_number",
            field=tongban.core.crypto.fields.EncryptedTextField(
                bind_field="username",
                blank=True,
                max_length=18,
                null=True,
                verbose_name="resident ID number",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=tongban.core.crypto.fields.EncryptedTextField(
                bind_field="username",
                blank=True,
                max_length=11,
                null=True,
                verbose_name="mobile number",
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_back, elidable=False),
    ]
