"""delegates.merged_into follows the stored decisions: set to the chain's end, cleared when undone,
only the rows that change are touched (and their updated_at moves)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from checkin_app.domain.clock import FixedClock
from checkin_app.services.same_person import refusal, relink
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_import import ImportSamePerson


def _decide(db: Database, clock: FixedClock, low: int, high: int, kept: int, decision: str = "merge") -> None:
    with db.write() as s:
        s.merge(ImportSamePerson(delegate_id=low, other_id=high, decision=decision, kept_id=kept,
                                 at=clock.now(), operator="t", desk=""))


def test_relink_sets_the_chains_end_and_clears_what_no_decision_holds(demo_db: Database,
                                                                      clock: FixedClock) -> None:
    with demo_db.read() as s:
        rows = s.execute(select(m.Delegate.id, m.Delegate.uid).order_by(m.Delegate.id).limit(4)).all()
    (a, ua), (b, _ub), (c, _uc), (d, _ud) = rows
    _decide(demo_db, clock, a, b, a)
    _decide(demo_db, clock, b, c, b)
    with demo_db.write() as s:
        # A stale link no decision holds (an old hub's copy, a hand edit) is cleared too.
        s.execute(update(m.Delegate).where(m.Delegate.id == d).values(merged_into=ua))
    later = clock.now() + timedelta(minutes=3)
    with demo_db.write() as s:
        assert relink(s, later) == sorted([b, c, d])
        assert relink(s, later) == []  # nothing left to change
        got = dict(s.execute(select(m.Delegate.id, m.Delegate.merged_into)
                             .where(m.Delegate.id.in_([a, b, c, d]))).all())
        stamps = dict(s.execute(select(m.Delegate.id, m.Delegate.updated_at)
                                .where(m.Delegate.id.in_([a, b]))).all())
    assert got == {a: "", b: ua, c: ua, d: ""}
    assert stamps[b] == later != stamps[a]
    with demo_db.read() as s:
        # Merging a into c would close a loop; merging b (already a's) into d another person.
        loop, elsewhere = refusal(s, c, a), refusal(s, d, b)
        assert loop is not None and loop.code == "import.same.cycle"
        assert elsewhere is not None and elsewhere.code == "import.same.merged_elsewhere"
        assert refusal(s, a, d) is None
