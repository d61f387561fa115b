"""The hub's use cases on its database: sequence numbers, the change log, pushes, conflicts, desks."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from checkin_app.domain import presence
from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.tokens import WALKIN_BASE, WALKIN_BLOCK
from checkin_app.hub import vetting as vet
from checkin_app.hub.db import HubDatabase
from checkin_app.services.checkin import EVENT_COLUMNS, STUB_PREFIX, event_of, presence_values
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage import models_security as sec
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync import tables as st
from checkin_app.sync.protocol import (
    CLOCK_WARN_S,
    AccessRefused,
    bilingual,
    canonical,
    new_token,
    parse_iso,
    token_hash,
)

log = logging.getLogger("checkin_app.hub")
_CH = cast(Table, mh.HubChange.__table__)
_CNT = cast(Table, mh.HubCounter.__table__)
_AUD = cast(Table, mh.HubAudit.__table__)
_C = cast(Table, m.CheckIn.__table__)
_D = cast(Table, m.Delegate.__table__)
_A = cast(Table, m.Activity.__table__)
_DESK = cast(Table, mh.HubDesk.__table__)
_P = cast(Table, m.Presence.__table__)
# Statements of the push path, built once (building one costs about as much as running it).
_BUMP_SEQ = (update(_CNT).where(_CNT.c.name == "seq").values(value=_CNT.c.value + bindparam("n"))
             .returning(_CNT.c.value))
_SINGLE = select(_A.c.id).where(_A.c.reentry.is_(False))
# Every event of the (delegate, activity) pairs a batch of pushes touched, in one read.
_PAIR_EVENTS = (select(_C.c.id, _C.c.conflict, _C.c.delegate_id, _C.c.activity_id, *EVENT_COLUMNS)
                .where(tuple_(_C.c.delegate_id, _C.c.activity_id).in_(bindparam("pairs", expanding=True))))
_DROP_PRESENCE = delete(_P).where(_P.c.delegate_id == bindparam("d"), _P.c.activity_id == bindparam("a"))
_SET_CONFLICT = update(_C).where(_C.c.id == bindparam("_id")).values(conflict=bindparam("flag"))
_CHK_WIRE = [_C.c[c.name] for c in st.CHECKIN_COLUMNS]
_EV = cast(Table, m.Event.__table__)
# Check-in fields the hub sets itself, whatever a desk sends.
_HUB_SETS = ("id", "delegate_id", "activity_id", "synced", "received_at", "conflict")
_PAIRS_PER_READ = 500  # (delegate, activity) pairs per read: well inside every driver's bind limit
_BY_DIALECT: dict[tuple[Any, ...], Any] = {}


def _apply_refusing(session: Session, table: st.SyncTable, payloads: list[st.Payload],
                    result: PushResult) -> tuple[st.Applied, set[str]]:
    """Apply pushed rows; what the table could not take goes to the push's refusals (keys returned)."""
    applied = table.apply(session, payloads)
    for t, k, reason in applied.skipped:
        result.rejected.append({"table": t, "key": k, "reason": reason})
    return applied, {k for _, k, _ in applied.skipped}


def _dialect_insert(conn: Any, table: Table) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


def _new_rows(conn: Any, table: Table, returning: Sequence[Any] = ()) -> Any:
    """INSERT ... ON CONFLICT (uuid) DO NOTHING RETURNING uuid (and `returning`), for this dialect."""
    key = (conn.dialect.name, table.name, len(returning))
    stmt = _BY_DIALECT.get(key)
    if stmt is None:
        ins = _dialect_insert(conn, table)
        stmt = _BY_DIALECT[key] = ins.on_conflict_do_nothing(index_elements=["uuid"]).returning(
            table.c.uuid, *returning)
    return stmt


def _put_presence(conn: Any) -> Any:
    """Insert or replace one presence row in one statement, for this connection's dialect."""
    key = (conn.dialect.name, "presence")
    stmt = _BY_DIALECT.get(key)
    if stmt is None:
        ins = _dialect_insert(conn, _P)
        stmt = _BY_DIALECT[key] = ins.on_conflict_do_update(
            index_elements=["delegate_id", "activity_id"],
            set_={c: ins.excluded[c] for c in ("first_in_uuid", "first_in_at", "first_in_desk",
                                               "last_direction", "last_at", "last_desk")})
    return stmt


# Per-transaction memo keys in Session.info (a batch of pushes shares one transaction).
_SEQ_HIGH = "hub.seq_high"
_SEQ_RESERVE, _SEQ_BLOCK = "hub.seq_reserve", "hub.seq_block"
_AUTH = select(_DESK.c.id, _DESK.c.name, _DESK.c.revoked_at).where(_DESK.c.token_hash == bindparam("h"))
_BP = cast(Table, BadgePrint.__table__)
_BR = cast(Table, sec.BadgeRevocation.__table__)
ENROL_TTL = timedelta(hours=24)
# What a desk may push: its own walk-ins, serial revocations of its reprints, check-ins, badge
# prints and audit entries. Everything else (keys, certificates, event data) comes from the
# organiser; the key tables are named so that the refusal says who may send them.
DESK_TABLES = frozenset({"delegates", "badge_revocations", "checkins", "badge_prints", st.AUDIT})
ORGANISER_ONLY = frozenset({"key_revocations", "desk_keys", "event_keys", "hub_desks"})


@dataclass(frozen=True, slots=True)
class DeskIdentity:
    """An authenticated, enrolled, not revoked desk."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class DeskReport:
    """Health a desk reports with each request."""

    desk_time: datetime | None
    queue_length: int = 0
    app_version: str = ""
    printer_state: str = ""
    protocol: int = 0
    address: str = ""


@dataclass
class PushResult:
    """What a push stored: new rows with their sequence numbers, duplicates, refusals."""

    stored: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    high: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The push response body (without hub time and warnings)."""
        return {"stored": self.stored, "duplicates": self.duplicates, "rejected": self.rejected,
                "high": self.high}


@dataclass(frozen=True, slots=True)
class _Part:
    """One push's items of one table, within a batch of pushes stored together."""

    desk: str
    items: list[dict[str, Any]]
    result: PushResult


@dataclass(frozen=True, slots=True)
class DeskHealth:
    """One desk as the dashboard shows it."""

    name: str
    enrolled: bool
    revoked: bool
    last_seen_at: datetime | None
    last_push_at: datetime | None
    clock_offset_ms: int | None
    queue_length: int
    app_version: str
    printer_state: str
    address: str

    def online(self, now: datetime, window_s: float = 60.0) -> bool:
        """Seen within the window (a long-poll renews it at least every ~25 s)."""
        return self.last_seen_at is not None and (now - self.last_seen_at).total_seconds() < window_s

    @property
    def clock_skewed(self) -> bool:
        """Clock off by more than a minute."""
        return self.clock_offset_ms is not None and abs(self.clock_offset_ms) > CLOCK_WARN_S * 1000


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


class HubStore:
    """Everything the hub does to its database, one transaction per call."""

    def __init__(self, db: HubDatabase, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self._health: dict[int, dict[str, Any]] = {}
        self._health_lock = threading.Lock()
        # Delegate and activity ids by uid / code for the push path (a look-up saved per push).
        self.ids = st.IdCache()

    def forget(self, tables: set[str]) -> None:
        """Drop remembered ids that a change to these tables may have made wrong."""
        if "activities" in tables:
            self.ids.activities = {}
            self.ids.single_entry = None

    # -- sequence numbers and the change log ------------------------------------------------
    @staticmethod
    def allocate(session: Session, n: int) -> int:
        """Reserve n sequence numbers; returns the first. Call only inside HubDatabase.write().

        A transaction that announced how many it will need (session.info[_SEQ_RESERVE], as a
        batch of pushes does) takes them in one step and is served from that block after;
        what it leaves unused is a gap in the numbers, which no reader minds.
        """
        block = session.info.get(_SEQ_BLOCK)
        if block is not None and block[1] - block[0] + 1 >= n:
            session.info[_SEQ_BLOCK] = (block[0] + n, block[1])
            return int(block[0])
        want = n + int(session.info.pop(_SEQ_RESERVE, 0))
        conn = session.connection()
        end = conn.execute(_BUMP_SEQ, {"n": want}).scalar()
        if end is None:
            current = int(conn.execute(select(func.max(_CH.c.seq))).scalar() or 0)
            conn.execute(insert(_CNT).values(name="seq", value=current + want))
            end = current + want
        first = int(end) - want + 1
        session.info[_SEQ_BLOCK] = (first + n, int(end))
        session.info[_SEQ_HIGH] = int(end)
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

    # -- pushes -------------------------------------------------------------------------------
    def ingest(self, desk: str, items: list[dict[str, Any]]) -> PushResult:
        """Store what a desk pushed; idempotent by key. Runs in one transaction under the write lock."""
        return self.ingest_many([(desk, items)])[0]

    def ingest_many(self, pushes: Sequence[tuple[str, list[dict[str, Any]]]]) -> list[PushResult]:
        """Store several pushes in one transaction: one durable commit for all of them.

        The hub's pushes queue for its single writer; taking every waiting push at once keeps a
        burst (or a slow disk's fsync) from turning into a queue of commits. Check-ins and audit
        entries of all the pushes go in together (a handful of statements per batch, not per
        push); each push still gets its own answer, as if it had come alone.
        """
        results = [PushResult() for _ in pushes]
        parts: dict[str, list[_Part]] = {}
        for (desk, items), result in zip(pushes, results, strict=True):
            by_table: dict[str, list[dict[str, Any]]] = {}
            for it in items:
                if not isinstance(it, dict) or not isinstance(it.get("table"), str):
                    result.rejected.append({"table": "", "key": vet.item_key(it), "reason": bilingual(
                        "推送条目格式错误（缺少表名）", "malformed item (no table name)")})
                    continue
                by_table.setdefault(it["table"][:40], []).append(it)
            for name, batch in by_table.items():
                parts.setdefault(name, []).append(_Part(desk, batch, result))
        try:
            with self.db.write(lock=False) as session:
                # Most items take one sequence number: take them all now. On PostgreSQL this
                # also locks the counter row until commit, which orders this batch against every
                # other writer (in place of the advisory lock, one round trip fewer).
                session.info[_SEQ_RESERVE] = sum(len(items) for _desk, items in pushes)
                self.allocate(session, 0)
                for name in st.ordered(parts):
                    self._ingest_table(session, name, parts[name])
                high = session.info[_SEQ_HIGH]
                for result in results:
                    result.high = high
                _fault("push-before-commit")
        except BaseException:
            self.ids = st.IdCache()  # it may hold an id of a row this transaction rolled back
            raise
        _fault("push-after-commit")
        return results

    def _ingest_table(self, session: Session, name: str, parts: list[_Part]) -> None:
        if name == "checkins":
            self._ingest_checkins(session, parts)
        elif name == st.AUDIT:
            self._ingest_audit(session, parts)
        elif name in ORGANISER_ONLY:
            for part in parts:
                part.result.rejected.extend({"table": name, "key": vet.item_key(it), "reason": bilingual(
                    "签名密钥和签到台的吊销只能由主办方在中心服务器上操作（hub revoke-desk），"
                    "签到台不能推送",
                    "Key and desk revocations come only from the organiser at the hub "
                    "(hub revoke-desk); a desk may not push them")} for it in part.items)
        elif name in DESK_TABLES and name in st.REGISTRY and st.REGISTRY[name].pushed:
            for part in parts:
                part = _Part(part.desk, self._vet_items(name, part), part.result)
                if name == "delegates":
                    self._ingest_walk_ins(session, part.desk, part.items, part.result)
                elif name == st.BADGE_REVOCATIONS.name:
                    self._ingest_badge_revocations(session, part.desk, part.items, part.result)
                else:
                    self._ingest_generic(session, part.desk, st.REGISTRY[name], part.items, part.result)
        else:
            for part in parts:
                part.result.rejected.extend({"table": name, "key": vet.item_key(it), "reason": bilingual(
                    f"中心服务器不接受表 {name}", f"The hub does not accept table {name}")}
                    for it in part.items)

    @staticmethod
    def _vet_items(name: str, part: _Part) -> list[dict[str, Any]]:
        """The items of one push that are shaped right and storable (desk set from the token)."""
        table = m.Base.metadata.tables[name]
        key = st.REGISTRY[name].key
        ok: list[dict[str, Any]] = []
        for it in part.items:
            try:
                p = vet.payload_of(it)
                if "desk" in table.c:
                    p["desk"] = part.desk
                if ":" not in key:
                    vet.check_text(key, p.get(key), 100)
                if "delegate" in p:
                    vet.check_text("delegate", p.get("delegate"), 36)
                vet.check_row(table, p, skip=("synced",))
            except vet.Refused as why:
                part.result.rejected.append({"table": name, "key": vet.item_key(it), "reason": str(why)})
                continue
            ok.append({**it, "payload": p})
        return ok

    def _existing_seqs(self, session: Session, table: str, keys: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in st._batched(keys, 500):
            out.update(session.execute(select(_CH.c.row_key, _CH.c.seq).where(
                _CH.c.table_name == table, _CH.c.row_key.in_(part))).all())
        return out

    def _ingest_checkins(self, session: Session, parts: list[_Part]) -> None:
        # Each uuid is stored once, for the first push that carries it; a later copy (a desk's
        # retry waiting in the same batch) is answered as a duplicate.
        owner: dict[str, _Part] = {}
        repeats: list[tuple[str, _Part]] = []
        payloads: list[st.Payload] = []
        window = self._time_window(session)
        for part in parts:
            for it in part.items:
                try:
                    p = vet.payload_of(it)
                    p["desk"] = part.desk  # a desk speaks only for itself
                    vet.check_row(_C, p, skip=_HUB_SETS)
                    vet.vet_checkin(p, window)
                except vet.Refused as why:
                    part.result.rejected.append({"table": "checkins", "key": vet.item_key(it),
                                                 "reason": str(why)})
                    continue
                u = str(p.get("uuid"))
                if u not in owner:
                    owner[u] = part
                    payloads.append(p)
                elif owner[u] is not part:
                    repeats.append((u, part))
        resolved, bad = st.resolve_checkins(session, payloads, self.ids)
        for table, key, reason in bad:
            owner[key].result.rejected.append({"table": table, "key": key, "reason": reason})
        resolved = self._vet_undos(session, resolved, owner)
        now = self.clock.now()
        stored: dict[str, Any] = {}
        if resolved:
            # Insert-if-new in one statement (no look-up first): a repeated push inserts nothing.
            # The rows come back as stored (defaults included) to be published as they are.
            conn = session.connection()
            # Grouped by the columns rows carry: a desk of an older version may send fewer, and
            # the columns it lacks take their defaults (one statement needs one column list).
            groups: dict[frozenset[str], list[dict[str, Any]]] = {}
            for r in resolved:
                row = {**r.values, "received_at": now, "conflict": False, "synced": True}
                groups.setdefault(frozenset(row), []).append(row)
            for rows in groups.values():
                stored.update((row.uuid, row) for row in conn.execute(_new_rows(conn, _C, _CHK_WIRE), rows))
        new = [r for r in resolved if r.payload["uuid"] in stored]
        flagged = set(self._reproject(session, {(r.delegate_id, r.activity_id) for r in new}))
        if new:
            first = self.allocate(session, len(new))
            entries = []
            for i, r in enumerate(new):
                u = r.payload["uuid"]
                p = st.checkin_payload(stored[u], str(r.payload["delegate"]), str(r.payload["activity"]))
                # Inserted unflagged; the projection may have flagged it since.
                p["conflict"] = u in flagged
                entries.append({"seq": first + i, "table_name": "checkins", "row_key": u,
                                "payload": canonical(p), "origin": owner[u].desk, "at": now})
                owner[u].result.stored.append({"table": "checkins", "key": u, "seq": first + i})
            session.execute(insert(_CH), entries)
        earlier = sorted(u for u in flagged if u not in stored)
        if earlier:  # earlier events whose conflict flag changed: a new snapshot each
            self.publish(session, "checkins", st.CHECKINS.export(session, earlier), origin=parts[0].desk)
        dup = [(r.payload["uuid"], owner[r.payload["uuid"]]) for r in resolved
               if r.payload["uuid"] not in stored] + repeats
        existing = self._existing_seqs(session, "checkins", sorted({u for u, _ in dup}))
        for u, part in dup:
            part.result.duplicates.append({"table": "checkins", "key": u, "seq": existing.get(u)})

    def _time_window(self, session: Session) -> vet.TimeWindow:
        ev = session.execute(select(_EV.c.starts_on, _EV.c.ends_on, _EV.c.timezone)
                             .order_by(_EV.c.id).limit(1)).first()
        now = self.clock.now()
        return vet.TimeWindow.for_event(now, *ev) if ev is not None else vet.TimeWindow(now)

    def _vet_undos(self, session: Session, resolved: list[st.ResolvedCheckIn],
                   owner: dict[str, _Part]) -> list[st.ResolvedCheckIn]:
        """Undos only of this desk's own events (or as a manager action), of the same pair, not of undos."""
        targets = {str(r.payload["undoes"]) for r in resolved if r.payload.get("undoes")}
        if not targets:
            return resolved
        known: dict[str, tuple[str, int, int, str | None]] = {}
        for part in st._batched(sorted(targets), 500):
            known.update((row.uuid, (row.desk, row.delegate_id, row.activity_id, row.undoes))
                         for row in session.execute(
                             select(_C.c.uuid, _C.c.desk, _C.c.delegate_id, _C.c.activity_id, _C.c.undoes)
                             .where(_C.c.uuid.in_(part))))
        kept: list[st.ResolvedCheckIn] = []
        for r in resolved:
            u, target = str(r.payload["uuid"]), r.payload.get("undoes")
            if target:
                why = None
                t = known.get(str(target))
                if t is None:
                    why = ("被撤销的签到记录在中心服务器上不存在", "the event it undoes is not at the hub")
                elif t[3] is not None:
                    why = ("撤销记录本身不能再撤销", "an undo cannot itself be undone")
                elif (t[1], t[2]) != (r.delegate_id, r.activity_id):
                    why = ("撤销记录与被撤销的签到不是同一人、同一活动",
                           "an undo must name the same delegate and activity as the event it undoes")
                elif t[0] != owner[u].desk and not vet.manager_marked(r.payload):
                    why = (f"只能撤销本签到台的记录（该记录来自 {t[0]}）；撤销其他签到台的记录须由管理员操作",
                           f"a desk may undo only its own events (this one is desk {t[0]}'s) unless a "
                           "manager does it (forced, with the manager's name and a reason)")
                if why is not None:
                    owner[u].result.rejected.append({"table": "checkins", "key": u,
                                                     "reason": bilingual(*why)})
                    continue
            kept.append(r)
            # A later undo in this batch may name this event.
            known[u] = (owner[u].desk, r.delegate_id, r.activity_id,
                        str(target) if target else None)
        return kept

    def _reproject(self, session: Session, pairs: set[tuple[int, int]]) -> list[str]:
        """Conflict flags and the presence row of each (delegate, activity), from one read of their events.

        The rules are domain.presence's (`project`, `conflicts`), the same functions the desks
        run on their replicas; this only reads the events of many pairs at once and writes the
        results with a few batched Core statements: it runs for every batch of pushes while
        desks wait for their answer. Returns the uuids whose conflict flag changed.
        """
        if not pairs:
            return []
        conn = session.connection()
        single = self.ids.single_entry
        if single is None:
            single = self.ids.single_entry = set(conn.execute(_SINGLE).scalars())
        events: dict[tuple[int, int], list[Any]] = {pair: [] for pair in pairs}
        # In chunks: a batch may touch thousands of pairs, two bound values each.
        for chunk in st._batched(sorted(pairs), _PAIRS_PER_READ):
            for row in conn.execute(_PAIR_EVENTS, {"pairs": chunk}):
                events[(row.delegate_id, row.activity_id)].append(row)
        changed: list[str] = []
        put: list[dict[str, Any]] = []
        drop: list[dict[str, Any]] = []
        flags: list[dict[str, Any]] = []
        for (d_id, a_id), rows in sorted(events.items()):
            evs = [event_of(r) for r in rows]
            projected = presence.project(evs)
            if projected is None:
                drop.append({"d": d_id, "a": a_id})
            else:
                put.append({"delegate_id": d_id, "activity_id": a_id, **presence_values(projected)})
            if a_id not in single:
                continue  # flags are the single-entry rule's; other activities keep theirs
            later = presence.conflicts(evs, single_entry=True)
            for r in rows:
                want = r.uuid in later
                if bool(r.conflict) != want:
                    flags.append({"_id": r.id, "flag": want})
                    changed.append(r.uuid)
        for stmt, params in ((_put_presence(conn), put), (_DROP_PRESENCE, drop), (_SET_CONFLICT, flags)):
            if params:
                conn.execute(stmt, params)
        return changed

    def _ingest_audit(self, session: Session, parts: list[_Part]) -> None:
        owner: dict[str, _Part] = {}
        fresh: list[tuple[dict[str, Any], _Part]] = []
        later: list[tuple[str, _Part]] = []
        for part in parts:
            for it in part.items:
                try:
                    p = vet.payload_of(it)
                    p["desk"] = part.desk  # stored as the desk that sent it, whatever it says
                    vet.check_text("uuid", p.get("uuid"), 36)
                    vet.check_row(_AUD, p, skip=("id", "seq", "received_at"))
                    if not isinstance(p.get("at"), str):
                        raise vet.Refused("缺少时间", "field at is missing")
                except vet.Refused as why:
                    part.result.rejected.append({"table": st.AUDIT, "key": vet.item_key(it),
                                                 "reason": str(why)})
                    continue
                if str(p["uuid"]) not in owner:
                    owner[str(p["uuid"])] = part
                    fresh.append((p, part))
                elif owner[str(p["uuid"])] is not part:
                    later.append((str(p["uuid"]), part))
        if not fresh:
            return
        # Sequence numbers are taken for every entry; a duplicate leaves a gap, which is harmless.
        first = self.allocate(session, len(fresh))
        now = self.clock.now()
        rows = []
        for i, (p, part) in enumerate(fresh):
            rows.append({
                "uuid": p["uuid"], "seq": first + i, "desk": part.desk,
                "at": parse_iso(p.get("at")) or now, "operator": str(p.get("operator", ""))[:100],
                "action": str(p.get("action", ""))[:40], "subject": str(p.get("subject", ""))[:200],
                "before_json": str(p.get("before_json", "")), "after_json": str(p.get("after_json", "")),
                "prev_hash": str(p.get("prev_hash", "")), "hash": str(p.get("hash", "")),
                "received_at": now,
            })
        conn = session.connection()
        stored = set(conn.execute(_new_rows(conn, _AUD), rows).scalars())
        for r, (_p, part) in zip(rows, fresh, strict=True):
            if r["uuid"] in stored:
                part.result.stored.append({"table": st.AUDIT, "key": r["uuid"], "seq": r["seq"]})
            else:
                part.result.duplicates.append({"table": st.AUDIT, "key": r["uuid"], "seq": None})
        for u, part in later:  # the same entry in a later push of this batch
            part.result.duplicates.append({"table": st.AUDIT, "key": u, "seq": None})

    def _ingest_walk_ins(self, session: Session, desk: str, batch: list[dict[str, Any]],
                         result: PushResult) -> None:
        # Desks may add walk-ins; registration data itself only ever comes in at the hub.
        payloads = [dict(it["payload"]) for it in batch]
        existing = dict(session.execute(
            select(_D.c.uid, _D.c.walk_in).where(_D.c.uid.in_([p.get("uid") for p in payloads]))).all())
        accept = []
        # A walk-in's id lies in the block of the desk key that numbered it: never in the block
        # of a key the hub knows as another of its desks' (their walk-ins would collide).
        owners: dict[int, set[str]] = {}
        for key_id, name in session.execute(
                select(sec.DeskKey.key_id, sec.DeskKey.desk_name).join(
                    mh.HubDesk, mh.HubDesk.name == sec.DeskKey.desk_name)
                .where(sec.DeskKey.key_id.is_not(None))):
            if key_id is not None:
                owners.setdefault(key_id, set()).add(str(name))
        for p in payloads:
            d_id = p.get("id")
            block = (d_id - WALKIN_BASE) // WALKIN_BLOCK if isinstance(d_id, int) and d_id >= WALKIN_BASE \
                else None
            theirs = owners.get(block, set()) if block is not None else set()
            if theirs and desk not in theirs:
                result.rejected.append({"table": "delegates", "key": p.get("uid"), "reason": bilingual(
                    f"现场登记编号 {d_id} 属于签到台 {min(theirs)} 的密钥，不是本台的",
                    f"Walk-in id {d_id} is in the block of desk {min(theirs)}'s key, not this desk's")})
            elif not p.get("walk_in"):
                result.rejected.append({"table": "delegates", "key": p.get("uid"), "reason": bilingual(
                    "签到台只能新增现场登记人员", "Desks may only add walk-in delegates")})
            elif p.get("uid") in existing or str(p.get("registration_code", "")).startswith(STUB_PREFIX):
                # A placeholder an older desk made from a verified badge is not a person: taken
                # as already here, so that desk stops sending it (the real row comes from the hub).
                result.duplicates.append({"table": "delegates", "key": p.get("uid"), "seq": None})
            else:
                accept.append(p)
        if not accept:
            return
        _applied, skipped = _apply_refusing(session, st.DELEGATES, accept, result)
        ok = [p["uid"] for p in accept if p["uid"] not in skipped]
        seqs = self.publish(session, "delegates", st.DELEGATES.export(session, ok), origin=desk)
        result.stored.extend({"table": "delegates", "key": u, "seq": seqs.get(u)} for u in ok)

    def _ingest_badge_revocations(self, session: Session, desk: str, batch: list[dict[str, Any]],
                                  result: PushResult) -> None:
        # A reprint at a desk revokes the old serial; the delegate's serial is the one field of
        # registration data a desk may change, so the hub moves it on and republishes the row.
        table = st.BADGE_REVOCATIONS
        payloads: dict[str, st.Payload] = {}
        for it in batch:
            p = dict(it.get("payload") or {})
            if not p.get("delegate") or not isinstance(p.get("serial"), int):
                result.rejected.append({"table": table.name, "key": vet.item_key(it), "reason": bilingual(
                    "证件吊销记录不完整", "Incomplete badge revocation")})
                continue
            payloads[st.revocation_key(str(p["delegate"]), p["serial"])] = p
        # A reprint revokes the badge in use: the delegate's serial at the hub, or the one a
        # reprint before it in this push moved to; never a serial no badge has carried yet.
        current = dict(session.execute(select(_D.c.uid, _D.c.badge_serial).where(
            _D.c.uid.in_(sorted({str(p["delegate"]) for p in payloads.values()})))).all())
        for k, p in sorted(payloads.items(), key=lambda kv: (str(kv[1]["delegate"]), kv[1]["serial"])):
            uid, serial = str(p["delegate"]), int(p["serial"])
            if uid not in current:
                continue  # unknown here: the table's own refusal says so
            if serial > current[uid]:
                result.rejected.append({"table": table.name, "key": k, "reason": bilingual(
                    f"只能作废正在使用的证件（序号 {current[uid]}），不能作废 {serial}",
                    f"A reprint revokes only the badge in use (serial {current[uid]}), not {serial}")})
                del payloads[k]
                continue
            current[uid] = max(current[uid], serial + 1)
        known = self._existing_seqs(session, table.name, list(payloads))
        for k, seq in known.items():
            result.duplicates.append({"table": table.name, "key": k, "seq": seq})
        fresh = [p for k, p in payloads.items() if k not in known]
        if not fresh:
            return
        applied, skipped = _apply_refusing(session, table, fresh, result)
        ok = [k for k in payloads if k not in known and k not in skipped]
        if applied.serials:
            ids = sorted(applied.serials)
            uids = list(session.scalars(select(_D.c.uid).where(_D.c.id.in_(ids))))
            self.publish(session, "delegates", st.DELEGATES.export(session, uids), origin=desk)
            self._follow_delegates(session, ids, origin=desk)
        seqs = self.publish(session, table.name, table.export(session, ok), origin=desk)
        result.stored.extend({"table": table.name, "key": k, "seq": seqs.get(k)} for k in ok)

    def _follow_delegates(self, session: Session, delegate_ids: list[int], *, origin: str) -> None:
        """Move these delegates' events behind their newest snapshot in the change log.

        The log holds one row per key at the seq of its last change, and a new desk applies it
        in seq order: an event left before its (republished) delegate would find no delegate
        there and be lost at that desk. Payloads stay as they are; only their seq moves up.
        """
        keys: dict[str, list[str]] = {
            "checkins": list(session.scalars(select(_C.c.uuid).where(_C.c.delegate_id.in_(delegate_ids))
                                             .order_by(_C.c.id))),
            st.BADGE_PRINTS.name: list(session.scalars(
                select(_BP.c.uuid).where(_BP.c.delegate_id.in_(delegate_ids)).order_by(_BP.c.id))),
            st.BADGE_REVOCATIONS.name: [
                st.revocation_key(r.uid, r.serial) for r in session.execute(
                    select(_D.c.uid, _BR.c.serial).join(_D, _D.c.id == _BR.c.delegate_id)
                    .where(_BR.c.delegate_id.in_(delegate_ids)).order_by(_BR.c.id))],
        }
        now = self.clock.now()
        for table in st.ordered(keys):
            logged = self._existing_seqs(session, table, keys[table])
            moving = [k for k in keys[table] if k in logged]
            if not moving:
                continue
            first = self.allocate(session, len(moving))
            session.connection().execute(
                update(_CH).where(_CH.c.table_name == table, _CH.c.row_key == bindparam("k"))
                .values(seq=bindparam("s"), origin=origin, at=now),
                [{"k": k, "s": first + i} for i, k in enumerate(moving)])

    def _ingest_generic(self, session: Session, desk: str, table: st.SyncTable,
                        batch: list[dict[str, Any]], result: PushResult) -> None:
        payloads = {str(it["payload"][table.key]): dict(it["payload"]) for it in batch}
        known = set(self._existing_seqs(session, table.name, list(payloads)))
        fresh = [p for k, p in payloads.items() if k not in known]
        for k in known:
            result.duplicates.append({"table": table.name, "key": k, "seq": None})
        if not fresh:
            return
        _applied, skipped = _apply_refusing(session, table, fresh, result)
        ok = [str(p[table.key]) for p in fresh if str(p[table.key]) not in skipped]
        seqs = self.publish(session, table.name, table.export(session, ok), origin=desk)
        result.stored.extend({"table": table.name, "key": k, "seq": seqs.get(k)} for k in ok)

    # -- desks --------------------------------------------------------------------------------
    def create_enrolment(self, name: str, *, ttl: timedelta = ENROL_TTL, location: str = "") -> str:
        """A fresh one-time enrolment token for this desk (new or re-enrolling); returns the token."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ValueError(bilingual("签到台名称须为 1 到 100 个字符",
                                       "A desk name must be 1 to 100 characters"))
        token = new_token()
        now = self.clock.now()
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.name == name))
            if desk is not None and desk.revoked_at is not None:
                raise AccessRefused(bilingual(
                    f"签到台 {name} 已被吊销，请使用新的名称注册",
                    f"Desk {name} was revoked; enrol the machine under a new name"))
            if desk is None:
                desk = mh.HubDesk(name=name, created_at=now, location=location, queue_length=0,
                                  app_version="", printer_state="", protocol=0, cursor=0, address="",
                                  token_hash="", certificate_json="")
                s.add(desk)
            desk.enrol_token_hash = token_hash(token)
            desk.enrol_expires_at = now + ttl
        return token

    def enrol(self, token: str, *, public_key: str = "") -> tuple[str, str, dict[str, Any] | None]:
        """Use a one-time token: returns (desk name, new API token, desk key certificate or None)."""
        from checkin_app.hub.enrolment import issue_desk_certificate

        now = self.clock.now()
        h = token_hash(token)
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.enrol_token_hash == h))
            if desk is None:
                raise AccessRefused(bilingual(
                    "注册码无效或已使用过。请在中心服务器上重新生成注册码。",
                    "This enrolment code is invalid or was already used. Create a new one at the hub."))
            if desk.revoked_at is not None:
                raise AccessRefused(bilingual(f"签到台 {desk.name} 已被吊销",
                                              f"Desk {desk.name} has been revoked"))
            if desk.enrol_expires_at is not None and desk.enrol_expires_at < now:
                desk.enrol_token_hash = ""
                raise AccessRefused(bilingual("注册码已过期，请重新生成",
                                              "This enrolment code has expired; create a new one"))
            api_token = new_token()
            desk.enrol_token_hash = ""  # one-time: a used token can never match again
            desk.token_hash = token_hash(api_token)
            desk.enrolled_at = now
            cert = issue_desk_certificate(s, desk.name, public_key)
            desk.certificate_json = json.dumps(cert, ensure_ascii=False) if cert else ""
            if cert:
                # Other desks verify this desk's badge codes: its key travels with the next pull.
                s.flush()
                for table in ("event_keys", "desk_keys"):
                    if table in st.REGISTRY:
                        self.publish(s, table, st.REGISTRY[table].export(s, None))
            return desk.name, api_token, cert

    def authenticate(self, token: str) -> DeskIdentity:
        """The desk holding this API token, or AccessRefused (unknown or revoked)."""
        h = token_hash(token) if token else ""
        row = None
        if h:
            # Every request of every desk comes through here: a Core connection and a prebuilt
            # statement, not an ORM session (a third of the cost). Not cached, so a revocation
            # (even by `hub revoke-desk` in another process) refuses the very next request.
            with self.db.one_read() as conn:
                row = conn.execute(_AUTH, {"h": h}).first()
        if row is None:
            raise AccessRefused(bilingual("中心服务器不认识此签到台（未注册或令牌无效）",
                                          "The hub does not know this desk (not enrolled or bad token)"))
        if row.revoked_at is not None:
            raise AccessRefused(bilingual(f"签到台 {row.name} 已被中心服务器吊销，不能再同步",
                                          f"Desk {row.name} has been revoked by the hub and may not sync"))
        return DeskIdentity(row.id, row.name)

    def revoke(self, name: str) -> bool:
        """Cut a desk off at once; False when no such desk exists."""
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.name == name))
            if desk is None:
                return False
            desk.revoked_at = self.clock.now()
            desk.enrol_token_hash = ""
            return True

    def reinstate(self, name: str, *, reason: str, operator: str = "hub") -> bool:
        """Lift a desk's revocation made in error (it may sync again with its token); audited.

        False when no such desk is revoked. Its signing keys are lifted apart
        (hub.enrolment.lift_key_revocation), since a key may stay revoked for good reasons.
        """
        from checkin_app.services import audit

        if not reason.strip():
            raise ValueError(bilingual("请说明恢复原因", "A reason is needed"))
        now = self.clock.now()
        with self.db.write() as s:
            desk = s.scalar(select(mh.HubDesk).where(mh.HubDesk.name == name))
            if desk is None or desk.revoked_at is None:
                return False
            audit.record(s, at=now, desk="hub", operator=operator, action="desk_reinstated", subject=name,
                         before={"revoked_at": desk.revoked_at.isoformat()},
                         after={"reason": reason.strip()})
            desk.revoked_at = None
            return True

    def report(self, desk: DeskIdentity, rep: DeskReport, *, pushed: bool = False,
               cursor: int | None = None) -> int | None:
        """Note a desk's health; returns its clock offset in ms (desk minus hub), if it told its time.

        Kept in memory and written by flush_health() (the hub runs it every second): every pull
        of every desk reports, and a durable write each time would put 50 commits behind every
        check-in that wakes 50 long-polls. Nothing a manager reads is more than a flush late.
        """
        now = self.clock.now()
        offset = None
        if rep.desk_time is not None:
            offset = int((rep.desk_time - now).total_seconds() * 1000)
        # Kept within the columns on every database (a 32-bit offset: ±24.8 days; a desk further
        # off is shown at the limit, and warned of its real offset by its answer).
        values: dict[str, Any] = {
            "last_seen_at": now, "queue_length": max(0, min(rep.queue_length, vet.INT32[1])),
            "app_version": rep.app_version[:40], "printer_state": rep.printer_state[:200],
            "protocol": rep.protocol, "address": rep.address[:64],
        }
        if offset is not None:
            values["clock_offset_ms"] = max(vet.INT32[0], min(offset, vet.INT32[1]))
        if pushed:
            values["last_push_at"] = now
        if cursor is not None:
            values["cursor"] = max(0, min(cursor, vet.INT64[1]))
        with self._health_lock:
            self._health.setdefault(desk.id, {}).update(values)
        return offset

    def flush_health(self) -> int:
        """Write the desk reports noted since the last flush, in one transaction; returns how many desks."""
        with self._health_lock:
            pending, self._health = self._health, {}
        if not pending:
            return 0
        # One executemany per set of columns (a report without a desk time leaves the offset be).
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for desk_id, values in pending.items():
            groups.setdefault(tuple(sorted(values)), []).append({"_id": desk_id, **values})
        try:
            self._write_health(groups)
        except Exception as exc:
            # One desk's report the database will not take must not hold back everyone's:
            # write them one by one and drop what fails alone (logged, no traceback).
            failed: dict[int, str] = {}
            for desk_id, values in pending.items():
                try:
                    self._write_health({tuple(sorted(values)): [{"_id": desk_id, **values}]})
                except Exception as one:
                    failed[desk_id] = (str(one).splitlines() or [""])[0][:200]
            if len(failed) < len(pending):
                for desk_id, why in failed.items():
                    log.warning("desk id %s: health report dropped (%s)", desk_id, why)
            else:
                # Nothing went in: the database, not a report. Keep them for the next flush,
                # unless a newer report replaced them meanwhile.
                with self._health_lock:
                    for desk_id, values in pending.items():
                        self._health[desk_id] = {**values, **self._health.get(desk_id, {})}
                raise exc
        return len(pending)

    def _write_health(self, groups: dict[tuple[str, ...], list[dict[str, Any]]]) -> None:
        with self.db.write_unordered() as s:
            conn = s.connection()
            for cols, rows in groups.items():
                conn.execute(update(_DESK).where(_DESK.c.id == bindparam("_id"))
                             .values({c: bindparam(c) for c in cols}), rows)

    def desks(self) -> list[DeskHealth]:
        """Every desk the hub knows, by name."""
        self.flush_health()
        with self.db.read() as s:
            rows = s.scalars(select(mh.HubDesk).order_by(mh.HubDesk.name)).all()
            return [DeskHealth(d.name, bool(d.token_hash), d.revoked_at is not None, d.last_seen_at,
                               d.last_push_at, d.clock_offset_ms, d.queue_length, d.app_version,
                               d.printer_state, d.address) for d in rows]

    def conflicts(self) -> list[ConflictView]:
        """Flagged admissions with the earlier admission at another desk, newest first."""
        with self.db.read() as s:
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

    # -- hub settings ------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        """A hub-side value from sync_state."""
        with self.db.read() as s:
            return s.scalar(select(mh.SyncState.value).where(mh.SyncState.key == key))

    def set_setting(self, key: str, value: str) -> None:
        """Store a hub-side value in sync_state."""
        with self.db.write() as s:
            s.merge(mh.SyncState(key=key, value=value))

    def hub_id(self) -> str:
        """This hub's identity (random, made once), so a desk never mixes cursors of two hubs."""
        current = self.setting("hub.id")
        if current:
            return current
        value = new_token()[:16]
        self.set_setting("hub.id", value)
        return value


# Fault injection for the recovery tests: CHECKIN_HUB_FAULT=push-before-commit:5 makes every push
# wait 5 s inside its transaction (so a test can SIGKILL the hub mid-push); push-after-commit
# waits after the commit, before the answer (the answer is lost, the data is not).
FAULT_ENV = "CHECKIN_HUB_FAULT"


def _fault(point: str) -> None:
    spec = os.environ.get(FAULT_ENV, "")
    name, _, seconds = spec.partition(":")
    if name == point:
        time.sleep(float(seconds or 1))
