"""The hub's change log: sequence numbers, publishing row snapshots, and reading changes after a cursor."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from checkin_app.domain.clock import Clock
from checkin_app.hub.db import HubDatabase
from checkin_app.storage import models_hub as mh
from checkin_app.sync import tables as st
from checkin_app.sync.protocol import canonical

_CH = cast(Table, mh.HubChange.__table__)
_CNT = cast(Table, mh.HubCounter.__table__)
# Built once (building a statement costs about as much as running it, and pushes run this one).
_BUMP_SEQ = (update(_CNT).where(_CNT.c.name == "seq").values(value=_CNT.c.value + bindparam("n"))
             .returning(_CNT.c.value))

# Per-transaction memo keys in Session.info (a batch of pushes shares one transaction).
SEQ_HIGH = "hub.seq_high"
SEQ_RESERVE, _SEQ_BLOCK = "hub.seq_reserve", "hub.seq_block"


class ChangeLog:
    """Every row a desk pulls, as its newest snapshot at the sequence number of its last change."""

    def __init__(self, db: HubDatabase, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    @staticmethod
    def allocate(session: Session, n: int) -> int:
        """Reserve n sequence numbers; returns the first. Call only inside HubDatabase.write().

        A transaction that announced how many it will need (session.info[SEQ_RESERVE], as a
        batch of pushes does) takes them in one step and is served from that block after;
        what it leaves unused is a gap in the numbers, which no reader minds.
        """
        block = session.info.get(_SEQ_BLOCK)
        if block is not None and block[1] - block[0] + 1 >= n:
            session.info[_SEQ_BLOCK] = (block[0] + n, block[1])
            return int(block[0])
        want = n + int(session.info.pop(SEQ_RESERVE, 0))
        conn = session.connection()
        end = conn.execute(_BUMP_SEQ, {"n": want}).scalar()
        if end is None:
            current = int(conn.execute(select(func.max(_CH.c.seq))).scalar() or 0)
            conn.execute(insert(_CNT).values(name="seq", value=current + want))
            end = current + want
        first = int(end) - want + 1
        session.info[_SEQ_BLOCK] = (first + n, int(end))
        session.info[SEQ_HIGH] = int(end)
        return first

    def publish(self, session: Session, table: str, items: Iterable[tuple[str, st.Payload]],
                origin: str = "hub") -> dict[str, int]:
        """Put the newest snapshot of these rows in the change log; unchanged rows keep their seq."""
        now = self.clock.now()
        seqs: dict[str, int] = {}
        for chunk in st._batched(items, 2000):
            keys = [k for k, _ in chunk]
            old: dict[str, str] = dict(session.execute(
                select(_CH.c.row_key, _CH.c.payload)
                .where(_CH.c.table_name == table, _CH.c.row_key.in_(keys))).all())
            changed = [(k, canonical(p)) for k, p in chunk if old.get(k) != canonical(p)]
            if not changed:
                continue
            # The same key twice in one chunk: the last snapshot wins.
            latest = dict(changed)
            first = self.allocate(session, len(latest))
            stale = [k for k in latest if k in old]
            if stale:
                session.execute(delete(_CH).where(_CH.c.table_name == table, _CH.c.row_key.in_(stale)))
            rows = [{"seq": first + i, "table_name": table, "row_key": k, "payload": text,
                     "origin": origin, "at": now} for i, (k, text) in enumerate(latest.items())]
            session.execute(insert(_CH), rows)
            seqs.update({r["row_key"]: r["seq"] for r in rows})
        return seqs

    def refresh(self, tables: Sequence[str] | None = None) -> int:
        """Publish every row of the pulled tables that differs from the log (after a load or import)."""
        published = 0
        with self.db.write() as session:
            for name in st.ordered(tables or [t.name for t in st.REGISTRY.values() if t.pulled]):
                table = st.REGISTRY[name]
                published += len(self.publish(session, name, table.export(session, None)))
        return published

    def high_water(self) -> int:
        """The highest sequence number in the change log."""
        with self.db.one_read() as conn:
            return int(conn.execute(select(func.max(_CH.c.seq))).scalar() or 0)

    def changes_after(self, since: int, limit: int) -> list[tuple[int, str, str, str]]:
        """Like changes(), read in one statement and returned as a list (the hub's change feed)."""
        with self.db.one_read() as conn:
            return [(int(r[0]), r[1], r[2], r[3]) for r in conn.execute(self._changes_query(since, limit))]

    def changes(self, session: Session, since: int, limit: int | None) -> Iterator[tuple[int, str, str, str]]:
        """(seq, table, key, payload JSON) after `since`, in seq order, at most `limit`."""
        result = session.execute(self._changes_query(since, limit).execution_options(yield_per=2000))
        for row in result:
            yield int(row[0]), row[1], row[2], row[3]

    @staticmethod
    def _changes_query(since: int, limit: int | None) -> Any:
        pulled = [t.name for t in st.REGISTRY.values() if t.pulled]
        # The table filter goes through coalesce() so no planner takes the (table, key) index for
        # it: SQLite then fetched every row of those tables and sorted them, instead of walking
        # the seq index from the cursor (5 ms per wake-up at 2,000 delegates, seconds at 100,000).
        q = (select(_CH.c.seq, _CH.c.table_name, _CH.c.row_key, _CH.c.payload)
             .where(_CH.c.seq > since, func.coalesce(_CH.c.table_name, "").in_(pulled))
             .order_by(_CH.c.seq))
        if limit is not None:
            q = q.limit(limit)
        return q
