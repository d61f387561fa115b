"""Writing audit entries inside the caller's transaction."""

from __future__ import annotations

import json
import uuid as uuidlib
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from checkin_app.storage.models import AuditEntry


def record(
    session: Session,
    *,
    at: datetime,
    desk: str,
    operator: str,
    action: str,
    subject: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one append-only audit entry to the open transaction."""
    entry = AuditEntry(
        uuid=str(uuidlib.uuid4()),
        at=at,
        desk=desk,
        operator=operator,
        action=action,
        subject=subject[:200],
        before_json=json.dumps(before, ensure_ascii=False, sort_keys=True) if before else "",
        after_json=json.dumps(after, ensure_ascii=False, sort_keys=True) if after else "",
    )
    session.add(entry)
    return entry
