"""Conflicts as managers see them at the hub: each flagged admission beside the earlier one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select

from checkin_app.hub.db import HubDatabase
from checkin_app.storage import models as m

_C = cast(Table, m.CheckIn.__table__)
_D = cast(Table, m.Delegate.__table__)
_A = cast(Table, m.Activity.__table__)


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A flagged admission and the earlier one it collides with."""

    uuid: str
    delegate_code: str
    delegate_name: str
    activity_code: str
    desk: str
    at: datetime
    first_desk: str
    first_at: datetime | None
    first_uuid: str


def flagged_admissions(db: HubDatabase) -> list[ConflictView]:
    """Flagged admissions with the earlier admission at another desk, newest first.

    The flags themselves are set by push ingest (hub.ingest, domain.presence.conflicts).
    """
    with db.read() as s:
        rows = s.execute(
            select(_C.c.uuid, _C.c.desk, _C.c.at, _C.c.delegate_id, _C.c.activity_id,
                   _D.c.registration_code, _D.c.name_native, _D.c.name_latin, _A.c.code)
            .join(_D, _D.c.id == _C.c.delegate_id).join(_A, _A.c.id == _C.c.activity_id)
            .where(_C.c.conflict.is_(True)).order_by(_C.c.at.desc())).all()
        out = []
        for r in rows:
            first = s.execute(
                select(m.Presence.first_in_uuid, m.Presence.first_in_desk, m.Presence.first_in_at)
                .where(m.Presence.delegate_id == r.delegate_id,
                       m.Presence.activity_id == r.activity_id)).first()
            out.append(ConflictView(
                r.uuid, r.registration_code, r.name_native or r.name_latin, r.code, r.desk, r.at,
                first.first_in_desk if first else "", first.first_in_at if first else None,
                first.first_in_uuid if first else ""))
        return out
