"""What a badge's QR code carries, and retiring an old badge serial on reprint.

Shared seam between badges/printing and signed codes: the badge side only calls these two
functions; the signed-code side decides what they do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from checkin_app.storage import models as m


def badge_code(session: Session, delegate_id: int) -> str:
    """The text to put in the badge QR for this delegate's current badge serial.

    Until signing keys exist this is the upstream registration code (looked up at the desk).
    """
    code = session.scalar(select(m.Delegate.registration_code).where(m.Delegate.id == delegate_id))
    if code is None:
        raise LookupError(f"no delegate {delegate_id}")
    return code


def revoke_serial(
    session: Session,
    *,
    delegate_id: int,
    serial: int,
    reason: str,
    at: datetime,
    desk: str,
    operator: str,
) -> None:
    """Mark an old badge serial as no longer valid (called when a badge is reprinted)."""
    from checkin_app.services import audit

    audit.record(session, at=at, desk=desk, operator=operator, action="revoke_serial",
                 subject=str(delegate_id), after={"serial": serial, "reason": reason})
