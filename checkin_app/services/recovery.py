"""After a damaged desk database was replaced at open: finish the fresh file, say so (CLI and GUI)."""

from __future__ import annotations

from checkin_app.services.checkin import rebuild_all_presence
from checkin_app.storage.db import Database
from checkin_app.storage.recovery import Recovery

# Tables whose loss makes the presence projection ("inside now") disagree with the events kept.
_PRESENCE_INPUTS = frozenset({"checkins", "presence"})


def finish_recovery(db: Database) -> Recovery | None:
    """The recovery done when `db` was opened (its `message`, `short`), or None: a sound file.

    The first call also rebuilds "inside now" from the check-ins carried over when some of them,
    or of the projection itself, were left in the damaged file; later calls only repeat the notice.
    """
    rec = db.recovery
    if rec is None:
        return None
    if not rec.finished:
        if any(t.name in _PRESENCE_INPUTS for t in rec.incomplete):
            with db.write() as session:
                rebuild_all_presence(session)
        rec.finished = True
    return rec
