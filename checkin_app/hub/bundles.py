"""Hub side of offline bundles: take in a desk's events, write the hub's data for an offline desk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from checkin_app.domain import tokens
from checkin_app.domain.messages import Message, both, msg
from checkin_app.hub.ingest import PushResult
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import HubCertificate
from checkin_app.services import keys
from checkin_app.storage import models_security as sec
from checkin_app.sync.bundle import (
    HUB_SIG_CONTEXT,
    KIND_DESK,
    KIND_HUB,
    SIG_CONTEXT,
    BundleInfo,
    _write,
    read_bundle,
)
from checkin_app.sync.protocol import SyncError, iso, parse_iso


def import_desk_events(store: HubStore, path: Path, *, allow_unsigned: bool = False
                       ) -> tuple[BundleInfo, PushResult]:
    """Ingest a desk's bundle exactly like a push (idempotent: importing twice stores nothing twice).

    The bundle must be signed by a desk key that the event key certified and nobody revoked;
    an unsigned one (a desk never given a key) only with `allow_unsigned`. Refused as a whole.
    """
    header, chunks = read_bundle(path, KIND_DESK)
    signed_by = verify_signer(store, path, header)
    if not signed_by and not allow_unsigned:
        raise SyncError(both(msg("hub.bundle.unsigned", path=path)))
    desk = str(header.get("desk") or "bundle")
    total = PushResult()
    n = 0
    for chunk in chunks:
        r = store.ingest(desk, chunk)
        total.stored += r.stored
        total.duplicates += r.duplicates
        total.rejected += r.rejected
        total.high = r.high
        n += len(chunk)
    return BundleInfo(KIND_DESK, n, desk=desk, signed_by=signed_by), total


def verify_signer(store: HubStore, path: Path, header: dict[str, Any]) -> str:
    """'desk (key N)' for a genuine signature by a certified, unrevoked desk key; '' if unsigned.

    The certificate travels in the bundle, so a desk the hub never saw online is accepted as
    long as the event key (which the hub holds) certified it. Anything else is refused.
    """
    signature = str(header["_end"].get("signature") or "")
    signer: dict[str, Any] = header.get("signer") or {}
    if not signer and not signature:
        return ""

    def forged(why: Message) -> SyncError:
        return SyncError(both(msg("hub.bundle.forged", path=path, why=why)))

    try:
        desk_pub = bytes.fromhex(str(signer["public_key"]))
        cert = bytes.fromhex(str(signer["certificate"]))
        key_id, desk_name = int(signer["key_id"]), str(signer["desk_name"])
        certified_at = parse_iso(str(signer["certified_at"]))
        sig = bytes.fromhex(signature)
    except (KeyError, TypeError, ValueError):
        raise forged(msg("hub.bundle.signer_incomplete")) from None
    if certified_at is None:
        raise forged(msg("hub.bundle.signer_incomplete"))
    with store.db.read() as s:
        event = s.execute(select(sec.EventKey.public_key, sec.EventKey.retired_at)
                          .where(sec.EventKey.fingerprint == str(signer.get("event_key", "")))).first()
        revoked = s.execute(select(sec.KeyRevocation.revoked_at, sec.KeyRevocation.reason)
                            .where(sec.KeyRevocation.public_key == desk_pub.hex())).first()
    if event is None:
        raise forged(msg("hub.bundle.event_key_unknown"))
    if event.retired_at is not None:
        raise forged(msg("hub.bundle.event_key_retired"))
    event_pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(event.public_key))
    if not tokens.certificate_valid(event_pub, cert, key_id, desk_pub, desk_name, certified_at):
        raise forged(msg("hub.bundle.certificate_forged"))
    if revoked is not None and not keys.revocation_lifted(revoked.reason):
        raise forged(msg("hub.bundle.desk_key_revoked", at=iso(revoked.revoked_at), reason=revoked.reason))
    try:
        Ed25519PublicKey.from_public_bytes(desk_pub).verify(sig, SIG_CONTEXT + bytes.fromhex(
            str(header["_end"]["sha256"])))
    except (InvalidSignature, ValueError):
        raise forged(msg("hub.bundle.content_altered")) from None
    return f"{desk_name} (key {key_id})"


def export_hub_data(store: HubStore, path: Path, certificate: HubCertificate | None = None) -> BundleInfo:
    """Everything desks pull (event, activities, delegates, check-ins …) as one file.

    With the hub's certificate it is signed with the hub's TLS key, and the certificate goes in
    the header: desks that pinned this hub (or are given its fingerprint) check both.
    """
    hub = store.hub_id()

    def lines() -> Iterator[dict[str, Any]]:
        with store.db.read() as session:
            for seq, table, key, payload in store.changes(session, 0, None):
                yield {"s": seq, "t": table, "k": key, "p": json.loads(payload)}

    header: dict[str, Any] = {"kind": KIND_HUB, "hub": hub, "created_at": iso(store.clock.now())}
    sign = None
    if certificate is not None:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = serialization.load_pem_private_key(certificate.key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise SyncError(both(msg("hub.bundle.key_type")))
        header["hub_certificate"] = certificate.cert_path.read_text()

        def sign(digest: bytes) -> bytes:
            return key.sign(HUB_SIG_CONTEXT + digest, ec.ECDSA(hashes.SHA256()))

    n = _write(path, header, lines(), sign=sign)
    signed = f"hub {certificate.fingerprint[:16]}…" if certificate is not None else ""
    return BundleInfo(KIND_HUB, n, hub=hub, signed_by=signed)
