"""Enrolment extras: certifying a desk's signing key with the event key, when the hub holds one.

Hook for the signed-badge-code key service (checkin_app.services.keys): the hub certifies a
desk key only if it was started with an event key file (`checkin-app hub --event-key FILE`)
and the desk sent its public key. Otherwise enrolment still succeeds without a certificate
and the desk can be certified later with `checkin-app keys certify-desk`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

EVENT_KEY_ENV = "CHECKIN_HUB_EVENT_KEY"


def event_key_file() -> Path | None:
    """The event key file the hub was started with (CLI --event-key sets this variable)."""
    value = os.environ.get(EVENT_KEY_ENV, "")
    return Path(value) if value else None


def issue_desk_certificate(session: Session, desk_name: str, public_key_hex: str) -> dict[str, Any] | None:
    """Certify the desk's public key with the event key, record it at the hub, return the certificate.

    None when there is nothing to certify with (no key service, no event key file, or the desk
    sent no public key).
    """
    path = event_key_file()
    if path is None or not public_key_hex:
        return None
    try:
        from checkin_app.domain import tokens
        from checkin_app.services import keys
        from checkin_app.storage import models_security as sec
    except ImportError:  # the key service is not part of this build
        return None
    event_key = keys.read_key_file(path)
    event_raw = tokens.public_raw(event_key.public_key())
    efp = tokens.fingerprint(event_raw)
    public = bytes.fromhex(public_key_hex)
    from datetime import UTC, datetime

    now = datetime.now(UTC).replace(microsecond=0)
    if session.scalar(select(sec.EventKey.id).where(sec.EventKey.fingerprint == efp)) is None:
        session.add(sec.EventKey(fingerprint=efp, public_key=event_raw.hex(), created_at=now,
                                 retired_reason=""))
    used = set(session.scalars(select(sec.DeskKey.key_id).where(sec.DeskKey.key_id.is_not(None))))
    free = [i for i in range(1, tokens.MAX_KEY_ID + 1) if i not in used]
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
