"""Desk keys at the hub: certifying a desk's signing key at enrolment, publishing keys, revoking them.

A hub started with an event key file (`checkin-app hub --event-key FILE`) records the event
public key and sends it to every desk with the change feed; a desk that enrols sends a fresh
public key and gets it back certified by the event key, so it can sign walk-ins' badges
offline, and every other desk learns the certificate through the feed. Without a key file,
enrolment still succeeds without a certificate and a desk can be certified later with
`checkin-app keys certify-desk`.

`hub revoke-desk` cuts a desk off from syncing and, unless told to keep it, revokes its signing
keys too: a desk that is cut off (a stolen laptop) must not go on issuing badges that other
desks accept. Every badge signed by a revoked key scans as REVOKED from then on — the code
carries no issue time, so the ones it signed before can't be told apart; walk-ins it
registered keep their registration code and can be given a new badge at another desk.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from checkin_app.domain import tokens
from checkin_app.domain.clock import Clock
from checkin_app.domain.messages import both, msg
from checkin_app.hub.db import HubDatabase
from checkin_app.services import keys
from checkin_app.storage import models_hub as mh
from checkin_app.storage import models_security as sec

EVENT_KEY_ENV = "CHECKIN_HUB_EVENT_KEY"
HUB_OPERATOR = "hub"


class Hub(Protocol):
    """What key work needs of the hub (hub.store.HubStore has it): its database, clock, publishing."""

    db: HubDatabase
    clock: Clock

    def refresh(self, tables: Sequence[str] | None = None) -> int:
        """Publish every row of these tables that differs from the change log."""
        ...


def event_key_file() -> Path | None:
    """The event key file the hub was started with (CLI --event-key sets this variable)."""
    value = os.environ.get(EVENT_KEY_ENV, "")
    return Path(value) if value else None


def register_event_key(store: Hub, path: Path) -> str:
    """Record the key file's event public key at the hub (desks pull it); returns its fingerprint.

    Called when the hub starts, so a key file that is missing, unreadable or retired is
    reported then (bilingual ValueError), not at the first desk's enrolment.
    """
    try:
        event_key = keys.read_key_file(path)
    except keys.KeyServiceError as exc:
        raise ValueError(str(exc)) from exc
    raw = tokens.public_raw(event_key.public_key())
    efp = tokens.fingerprint(raw)
    with store.db.write() as s:
        row = s.scalar(select(sec.EventKey).where(sec.EventKey.fingerprint == efp))
        if row is not None and row.retired_at is not None:
            raise ValueError(both(msg("hub.event_key.retired", fingerprint=efp)))
        if row is None:
            s.add(sec.EventKey(fingerprint=efp, public_key=raw.hex(), created_at=_now(),
                               retired_reason=""))
    return efp


def issue_desk_certificate(session: Session, desk_name: str, public_key_hex: str) -> dict[str, Any] | None:
    """Certify the desk's public key with the event key and record it; return the certificate.

    None when there is nothing to certify with (no event key file, or the desk sent no public
    key). Runs inside the enrolment's write transaction, which also publishes the keys.
    """
    path = event_key_file()
    if path is None or not public_key_hex:
        return None
    event_key = keys.read_key_file(path)
    event_raw = tokens.public_raw(event_key.public_key())
    efp = tokens.fingerprint(event_raw)
    public = bytes.fromhex(public_key_hex)
    now = _now()
    if session.scalar(select(sec.EventKey.id).where(sec.EventKey.fingerprint == efp)) is None:
        session.add(sec.EventKey(fingerprint=efp, public_key=event_raw.hex(), created_at=now,
                                 retired_reason=""))
    used = set(session.scalars(select(sec.DeskKey.key_id).where(sec.DeskKey.key_id.is_not(None))))
    free = [i for i in range(1, tokens.MAX_KEY_ID + 1) if i not in used]
    if not free:
        raise ValueError(both(msg("hub.desk_key.none_left")))
    key_id = secrets.choice(free)
    sig = tokens.sign_certificate(event_key, key_id, public, desk_name, now)
    cert = {"key_id": key_id, "desk_name": desk_name, "public_key": public.hex(), "event_key": efp,
            "certificate": sig.hex(), "certified_at": now.isoformat(), "created_at": now.isoformat(),
            "event_public_key": event_raw.hex()}
    existing = session.scalar(select(sec.DeskKey).where(sec.DeskKey.public_key == public.hex()))
    if existing is None:
        session.add(sec.DeskKey(private_key=None, key_id=key_id, desk_name=desk_name,
                                public_key=public.hex(), event_key=efp, certificate=sig.hex(),
                                certified_at=now, created_at=now))
    else:
        existing.key_id, existing.desk_name, existing.event_key = key_id, desk_name, efp
        existing.certificate, existing.certified_at = sig.hex(), now
    return cert


def desk_key_ids(store: Hub, desk_name: str) -> list[int]:
    """Key ids of the signing keys the hub certified for this desk (every enrolment's)."""
    with store.db.read() as s:
        ids = set(s.scalars(select(sec.DeskKey.key_id).where(
            sec.DeskKey.desk_name == desk_name, sec.DeskKey.key_id.is_not(None))))
        # The certificate handed over at the latest enrolment, should the key row have been renamed.
        cert_json = s.scalar(select(mh.HubDesk.certificate_json).where(mh.HubDesk.name == desk_name))
    if cert_json:
        key_id = json.loads(cert_json).get("key_id")
        if isinstance(key_id, int):
            ids.add(key_id)
    return sorted(i for i in ids if i is not None)


def revoke_desk_keys(store: Hub, desk_name: str, reason: str) -> list[int]:
    """Revoke the desk's signing keys at the hub and publish the revocations; returns the key ids.

    Desks pull the revocations with the next change feed: from then on badges signed by those
    keys scan as REVOKED (with the reason) everywhere.
    """
    from checkin_app.storage.db import Database

    ids = desk_key_ids(store, desk_name)
    service = keys.KeyService(cast(Database, store.db), store.clock)
    for key_id in ids:
        service.revoke_desk(key_id, reason=reason, desk=HUB_OPERATOR, operator=HUB_OPERATOR)
    if ids:
        store.refresh(["key_revocations"])
    return ids


def lift_key_revocation(store: Hub, key_id: int, reason: str) -> list[int]:
    """Lift a key revocation made in error (audited) and publish it; returns the key ids lifted.

    Desks pull the changed revocation rows with the next change feed, and badges signed by the
    key are valid again everywhere.
    """
    from checkin_app.storage.db import Database

    service = keys.KeyService(cast(Database, store.db), store.clock)
    try:
        views = service.lift_revocation(key_id, reason=reason, desk=HUB_OPERATOR, operator=HUB_OPERATOR)
    except keys.KeyServiceError as exc:
        raise ValueError(str(exc)) from exc
    store.refresh(["key_revocations"])
    return sorted({v.key_id for v in views if v.key_id is not None})


def _now() -> datetime:
    # Certificates sign whole seconds (their text form has no fraction).
    return datetime.now(UTC).replace(microsecond=0)
