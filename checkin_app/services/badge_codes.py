"""What a badge's QR code carries, and retiring an old badge serial on reprint.

Shared seam between badges/printing and signed codes: the badge side only calls these two
functions; the signed-code side decides what they do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from checkin_app.domain import tokens
from checkin_app.services import audit
from checkin_app.services.keys import signing_key, validity
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec

_IN_LIMIT = 900  # ids per IN (...) list, under SQLite's default parameter limit


def badge_code(session: Session, delegate_id: int) -> str:
    """The text to put in the badge QR for this delegate's current badge serial.

    A token signed by this desk's certified key (see checkin_app.domain.tokens); the upstream
    registration code (looked up at the desk) while this desk holds no certified key.
    """
    codes = badge_codes_for(session, (delegate_id,))
    if delegate_id not in codes:
        raise LookupError(f"no delegate {delegate_id}")
    return codes[delegate_id]


def badge_codes_for(session: Session, delegate_ids: Iterable[int]) -> dict[int, str]:
    """`badge_code` for many delegates at once: {delegate id: QR text}; unknown ids are left out.

    A batch of badges asks this once per chunk: the delegates come in one query and the key and
    event once, instead of three queries per badge.
    """
    ids = list(dict.fromkeys(delegate_ids))
    if not ids:
        return {}
    rows: list[Row[int, str, int, str]] = []
    for start in range(0, len(ids), _IN_LIMIT):  # SQLite caps the parameters of one statement
        rows.extend(session.execute(
            select(m.Delegate.id, m.Delegate.registration_code, m.Delegate.badge_serial,
                   m.Category.code)
            .join(m.Category, m.Category.id == m.Delegate.category_id)
            .where(m.Delegate.id.in_(ids[start:start + _IN_LIMIT]))
        ).all())
    signer = signing_key(session)
    event = session.execute(
        select(m.Event.code, m.Event.starts_on, m.Event.ends_on).order_by(m.Event.id).limit(1)
    ).first()
    if signer is None or event is None:
        return {int(r.id): str(r.registration_code) for r in rows}
    first, days = validity(event.starts_on, event.ends_on)
    event_tag = tokens.event_tag(event.code)
    out: dict[int, str] = {}
    for r in rows:
        claims = tokens.Claims(
            event_tag=event_tag, key_id=signer.key_id, delegate_id=int(r.id),
            serial=r.badge_serial, category_tag=tokens.category_tag(r.code), valid_from=first,
            valid_days=days,
        )
        out[int(r.id)] = tokens.sign_token(claims, signer.private_key)
    return out


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
