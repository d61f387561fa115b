"""What a badge's QR code carries, and retiring an old badge serial on reprint.

Shared seam between badges/printing and signed codes: the badge side only calls these two
functions; the signed-code side decides what they do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from checkin_app.domain import tokens
from checkin_app.services import audit
from checkin_app.services.keys import signing_key, validity
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec


def badge_code(session: Session, delegate_id: int) -> str:
    """The text to put in the badge QR for this delegate's current badge serial.

    A token signed by this desk's certified key (see checkin_app.domain.tokens); the upstream
    registration code (looked up at the desk) while this desk holds no certified key.
    """
    row = session.execute(
        select(m.Delegate.registration_code, m.Delegate.badge_serial, m.Category.code)
        .join(m.Category, m.Category.id == m.Delegate.category_id)
        .where(m.Delegate.id == delegate_id)
    ).first()
    if row is None:
        raise LookupError(f"no delegate {delegate_id}")
    signer = signing_key(session)
    event = session.execute(
        select(m.Event.code, m.Event.starts_on, m.Event.ends_on).order_by(m.Event.id).limit(1)
    ).first()
    if signer is None or event is None:
        return str(row.registration_code)
    first, days = validity(event.starts_on, event.ends_on)
    claims = tokens.Claims(
        event_tag=tokens.event_tag(event.code), key_id=signer.key_id, delegate_id=delegate_id,
        serial=row.badge_serial, category_tag=tokens.category_tag(row.code), valid_from=first,
        valid_days=days,
    )
    return tokens.sign_token(claims, signer.private_key)


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
    """Mark an old badge serial as no longer valid (called when a badge is reprinted).

    From the next scan on, that badge's token is REVOKED with when, where and why.
    """
    known = session.scalar(select(sec.BadgeRevocation.id).where(
        sec.BadgeRevocation.delegate_id == delegate_id, sec.BadgeRevocation.serial == serial))
    if known is None:
        session.add(sec.BadgeRevocation(delegate_id=delegate_id, serial=serial, revoked_at=at,
                                        reason=reason, desk=desk, operator=operator))
        session.flush()
    audit.record(session, at=at, desk=desk, operator=operator, action="revoke_serial",
                 subject=str(delegate_id), after={"serial": serial, "reason": reason})
