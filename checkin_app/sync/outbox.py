"""A pushed table's outbox at the desk: what is left to push, how the hub's answer settles it, what it counts.

Two kinds, as libpretixsync keeps a queued table per resource: rows with a `synced` flag
(check-ins, badge prints, serial revocations), and rows of an ever-growing id past a high-water
mark kept in sync_state (walk-ins, audit entries). A table's registration (sync.tables) names
its outbox; the sync client only loops over the registered ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Integer, Select, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from checkin_app.storage import models_hub as mh

# The status bar's two queue counts (sync.client.SyncStatus): scans a volunteer made (check-ins
# and undos), and the other records not on the hub yet (badge prints, serial revocations).
SCANS = "scans"
OTHER = "other"
# Keys per IN (...) of an acknowledgement.
_CHUNK = 500


def get_state(session: Session, key: str) -> str | None:
    """A sync_state value (None when not set)."""
    return session.scalar(select(mh.SyncState.value).where(mh.SyncState.key == key))


def set_state(session: Session, key: str, value: str) -> None:
    """Set a sync_state value."""
    session.merge(mh.SyncState(key=key, value=value))


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _both(q: Select[Any]) -> tuple[Select[Any], Select[Any]]:
    """The statement without a LIMIT, and with one bound at run time (`limit`)."""
    return q, q.limit(bindparam("limit", type_=Integer))


def _run(session: Session, forms: tuple[Select[Any], Select[Any]], limit: int | None,
         **params: Any) -> Any:
    if limit is None:
        return session.execute(forms[0], params)
    return session.execute(forms[1], {**params, "limit": limit})


@dataclass(frozen=True, slots=True)
class Batch:
    """The next rows to push of one table (wire keys, oldest first) and the mark they would set."""

    keys: list[str]
    # High-water mark outboxes: the id of the last row, set once the hub took every one.
    mark: int | None = None


class Outbox(Protocol):
    """What the sync client asks of a pushed table's outbox (one desk transaction per call)."""

    @property
    def table(self) -> Table:
        """The rows' table (the hub checks pushed rows against its columns)."""
        ...

    @property
    def queue(self) -> str | None:
        """Which queue count the rows add to (SCANS, OTHER), or None: they ride along uncounted."""
        ...

    @property
    def settle_refused(self) -> bool:
        """A refused row leaves the queue until new data arrives; otherwise it is sent again."""
        ...

    @property
    def desk_field(self) -> str | None:
        """The payload field naming the recording desk: sent as the name the hub enrolled it under."""
        ...

    @property
    def settled(self) -> dict[str, Any]:
        """Column values that mark a row as on the hub (a row pulled from the hub is stored with them)."""
        ...

    def batch(self, session: Session, limit: int | None) -> Batch:
        """Up to `limit` (None: all) queued rows, oldest first."""
        ...

    def count(self, session: Session) -> int:
        """How many rows are queued ("nothing left to push" is 0)."""
        ...

    def acknowledge(self, session: Session, sent: Sequence[str], taken: set[str], mark: int | None) -> None:
        """The hub took `taken` of the `sent` keys (stored, already had, or refused for now)."""
        ...

    def release(self, session: Session, keys: Sequence[str]) -> None:
        """Queue these keys again (refused rows that new data may make acceptable)."""
        ...


# eq=False: fields hold SQL expressions, whose == builds SQL rather than comparing.
@dataclass(frozen=True, slots=True, eq=False)
class FlagOutbox:
    """Rows queued while their `flag` column is false; the hub's acknowledgement sets it.

    `key`: the wire key as SQL (default: the table's uuid column), over `source` (default: the
    table alone) when it needs a join: a serial revocation is keyed "delegate uid:serial", and
    one of a delegate this desk does not hold cannot be pushed, so the join also leaves it out.
    """

    table: Table
    key: ColumnElement[Any] | None = None
    source: FromClause | None = None
    flag: str = "synced"
    queue: str | None = OTHER
    settle_refused: bool = True
    desk_field: str | None = None
    # Statements built once: every push reads the outbox, every request's queue header counts it.
    _count: Any = field(init=False, repr=False, default=None)
    _next: Any = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        rows = self.source if self.source is not None else self.table
        object.__setattr__(self, "_count", select(func.count()).select_from(rows).where(self._queued()))
        object.__setattr__(self, "_next", _both(select(self._key()).select_from(rows)
                                                .where(self._queued()).order_by(self.table.c.id)))

    @property
    def settled(self) -> dict[str, Any]:
        return {self.flag: True}

    def _key(self) -> ColumnElement[Any]:
        return self.key if self.key is not None else self.table.c.uuid

    def _queued(self) -> ColumnElement[bool]:
        return self.table.c[self.flag].is_(False)

    def batch(self, session: Session, limit: int | None) -> Batch:
        return Batch([str(k) for k in _run(session, self._next, limit).scalars()])

    def count(self, session: Session) -> int:
        return int(session.scalar(self._count) or 0)

    def acknowledge(self, session: Session, sent: Sequence[str], taken: set[str], mark: int | None) -> None:
        self._flag(session, [k for k in sent if k in taken], True)

    def release(self, session: Session, keys: Sequence[str]) -> None:
        self._flag(session, keys, False)

    def _flag(self, session: Session, keys: Sequence[str], value: bool) -> None:
        t = self.table
        for part in _batched(keys, _CHUNK):
            rows = (self._key().in_(part) if self.source is None else
                    t.c.id.in_(select(t.c.id).select_from(self.source).where(self._key().in_(part))))
            session.execute(update(t).where(rows).values({self.flag: value}))


@dataclass(frozen=True, slots=True, eq=False)
class MarkOutbox:
    """Rows whose `id` is past a high-water mark kept in sync_state under `mark`.

    For tables whose ids only grow and whose rows need no flag: the mark moves to a batch's last
    row once the hub took every row of it (one refused, not settled, holds it back and the
    batch goes again). `where`: which rows are pushed at all (walk-ins, not every delegate).
    """

    table: Table
    key: ColumnElement[Any]
    mark: str
    where: tuple[ColumnElement[bool], ...] = ()
    queue: str | None = None
    settle_refused: bool = True
    desk_field: str | None = None
    _next: Any = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_next", _both(select(self.table.c.id, self.key).where(
            self.table.c.id > bindparam("after", type_=Integer), *self.where).order_by(self.table.c.id)))

    @property
    def settled(self) -> dict[str, Any]:
        return {}

    def _after(self, session: Session) -> int:
        return int(get_state(session, self.mark) or 0)

    def batch(self, session: Session, limit: int | None) -> Batch:
        rows = _run(session, self._next, limit, after=self._after(session)).all()
        return Batch([str(r[1]) for r in rows], rows[-1][0] if rows else None)

    def count(self, session: Session) -> int:
        q = select(func.count()).select_from(self.table).where(
            self.table.c.id > self._after(session), *self.where)
        return int(session.scalar(q) or 0)

    def acknowledge(self, session: Session, sent: Sequence[str], taken: set[str], mark: int | None) -> None:
        # The mark moves only when every row of this table in the push was taken.
        if mark is not None and all(k in taken for k in sent):
            set_state(session, self.mark, str(mark))

    def release(self, session: Session, keys: Sequence[str]) -> None:
        if not keys:
            return
        first = session.scalar(select(func.min(self.table.c.id)).where(self.key.in_(list(keys))))
        if first is not None and first <= self._after(session):
            set_state(session, self.mark, str(first - 1))
