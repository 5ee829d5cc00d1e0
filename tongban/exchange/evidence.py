"""Exchange evidence out of the node: the stored bundle of one exchange, and the public keys
that prove it (P11; ``tongban exchange evidence``, then ``tongban exchange verify``).

Both sides keep every exchange as an ``ExchangeEvidence`` row: the provider (this node's
gateway answered, ``side="provider"``) and the requester (a system of this node asked,
through ``tongban.exchange.client``, ``side="requester"``). The bundle is stored encrypted;
``export_bundle`` returns it decrypted, ready to write to a file for an auditor, a court or
the other party. ``public_keys_document`` gives the key file ``bundle_verify.keys_from_json``
reads: the member system's key and this node's gateway keys, public halves only. With the
two files, anyone can run ``tongban exchange verify BUNDLE --keys KEYS`` — or their own RFC
9421 verifier — without access to this node.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from tongban.core.crypto import keys as keystore
from tongban.core.crypto.providers import KeyStoreError
from tongban.core.errors import refuse

from . import bundle_verify, signing
from .client import gateway_label
from .models import EvidenceSide, ExchangeEvidence, MemberKey, MemberSystem


def find_evidence(exchange_id: str, side: str) -> ExchangeEvidence:
    """The evidence row of ``side`` for ``exchange_id``; ``ServiceError`` if there is none."""
    exchange_id = (exchange_id or "").strip()
    if side not in EvidenceSide.values:
        raise refuse(_("The side must be provider or requester."), "side")
    if not exchange_id:
        raise refuse(_("Give the exchange id."), "exchange_id")
    row = ExchangeEvidence.objects.filter(exchange_id=exchange_id, side=side).first()
    if row is None:
        message = (
            _("No provider evidence is kept for the exchange %(id)s.")
            if side == EvidenceSide.PROVIDER
            else _("No requester evidence is kept for the exchange %(id)s.")
        )
        raise refuse(message % {"id": exchange_id}, "exchange_id")
    return row


def export_bundle(exchange_id: str, side: str = EvidenceSide.PROVIDER) -> dict[str, Any]:
    """The evidence bundle (``tongban-exchange-evidence/1``) kept for ``exchange_id`` on
    ``side``, decrypted. Raises ``ServiceError`` (field ``exchange_id`` or ``side``) when
    there is none, or when the stored text is not a bundle."""
    row = find_evidence(exchange_id, side)
    try:
        bundle = json.loads(row.bundle)
    except (TypeError, ValueError):
        bundle = None
    if not isinstance(bundle, dict) or bundle.get("format") != bundle_verify.FORMAT:
        raise refuse(_("The kept evidence of this exchange cannot be read."), "exchange_id")
    return bundle


def without_bodies(bundle: dict[str, Any]) -> dict[str, Any]:
    """The bundle without its bodies: the signed digests still bind them, and no payload
    value (the record key, the released fields) leaves with it."""
    return {
        **bundle,
        "request": {k: v for k, v in bundle["request"].items() if k != "body"},
        "response": {k: v for k, v in bundle["response"].items() if k != "body"},
    }


def bundle_key_ids(bundle: dict[str, Any]) -> list[str]:
    """The key ids that signed a bundle's request and response (unverified: read to pick
    the keys, then proven by ``verify_bundle``)."""
    found: list[str] = []
    for part in ("request", "response"):
        headers = bundle.get(part, {}).get("headers", [])
        for pair in headers if isinstance(headers, list) else []:
            if (
                isinstance(pair, list)
                and len(pair) == 2
                and str(pair[0]).lower() == ("signature-input")
            ):
                key_id = _keyid_of(str(pair[1]))
                if key_id and key_id not in found:
                    found.append(key_id)
    return found


def _keyid_of(signature_input: str) -> str:
    try:
        parsed = signing._parse_dictionary(signature_input)
        params = dict(getattr(parsed[signing.LABEL], "params", {}))
    except Exception:  # unreadable: no key id here, and verify_bundle says why
        return ""
    key_id = params.get("keyid")
    return key_id if isinstance(key_id, str) and signing.KEY_ID_RE.fullmatch(key_id) else ""


def public_keys_document(
    *,
    key_ids: Iterable[str] = (),
    members: Iterable[MemberSystem] = (),
    gateway: bool = True,
) -> dict[str, Any]:
    """A key file (``{"keys": [...]}``, the format of ``bundle_verify.keys_from_json``) with
    the public halves of: the member keys and node exchange keys named in ``key_ids``; every
    key of ``members`` (retired and revoked ones too: old exchanges were signed with them);
    and, with ``gateway``, every exchange key of this node's gateway. Unknown key ids are
    left out (the verification then names them)."""
    entries: dict[str, dict[str, str]] = {}
    wanted = list(dict.fromkeys(key_ids))
    member_rows = MemberKey.objects.select_related("member").filter(key_id__in=wanted)
    for member in members:
        member_rows = member_rows | MemberKey.objects.select_related("member").filter(member=member)
    for row in member_rows.order_by("member__code", "key_id"):
        entries[row.key_id] = bundle_verify.public_key_entry(
            row.key_id,
            signing.PublicKey(bytes(row.public_key), row.algorithm, row.member.code),
        )
    node_keys = keystore.public_keys("exchange") if gateway else []
    for key_id in wanted:
        if key_id not in entries and all(info.key_id != key_id for info in node_keys):
            try:
                info = keystore.get_key(key_id)
            except KeyStoreError:
                continue
            if info.purpose == "exchange":
                node_keys.append(info)
    for info in node_keys:
        if info.public_key and info.key_id not in entries:
            entries[info.key_id] = bundle_verify.public_key_entry(
                info.key_id, signing.PublicKey(info.public_key, info.alg, gateway_label())
            )
    return {"keys": list(entries.values())}
