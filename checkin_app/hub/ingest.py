"""The hub's push ingest: what desks push, vetted, stored once by key, projected and put in the change log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from checkin_app.domain import presence
from checkin_app.domain.clock import Clock
from checkin_app.domain.codes import STUB_PREFIX
from checkin_app.domain.messages import Message, both, msg
from checkin_app.domain.tokens import WALKIN_BASE, WALKIN_BLOCK
from checkin_app.hub import vetting as vet
from checkin_app.hub.changelog import SEQ_HIGH as _SEQ_HIGH
from checkin_app.hub.changelog import SEQ_RESERVE as _SEQ_RESERVE
from checkin_app.hub.changelog import ChangeLog
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.faults import FaultHook, no_faults
from checkin_app.services.checkin import EVENT_COLUMNS, event_of, presence_values
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage import models_security as sec
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync import tables as st
from checkin_app.sync.protocol import canonical, parse_iso

_CH = cast(Table, mh.HubChange.__table__)
_AUD = cast(Table, mh.HubAudit.__table__)
_C = cast(Table, m.CheckIn.__table__)
_D = cast(Table, m.Delegate.__table__)
_A = cast(Table, m.Activity.__table__)
_P = cast(Table, m.Presence.__table__)
# Statements of the push path, built once (building one costs about as much as running it).
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


_BP = cast(Table, BadgePrint.__table__)
_BR = cast(Table, sec.BadgeRevocation.__table__)
# What a desk may push: the tables registered with a desk outbox (sync.tables: its walk-ins,
# serial revocations of its reprints, check-ins, badge prints and audit entries). Everything
# else (keys, certificates, event data) comes from the organiser; the key tables are named so
# that the refusal says who may send them.
ORGANISER_ONLY = frozenset({"key_revocations", "desk_keys", "event_keys", "hub_desks"})


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


class PushIngest:
    """Stores what desks push, one transaction per batch of pushes under the hub's single writer."""

    def __init__(self, db: HubDatabase, clock: Clock, changelog: ChangeLog) -> None:
        self.db = db
        self.clock = clock
        self.changelog = changelog
        # Sequence numbers and row snapshots are the change log's.
        self.allocate = changelog.allocate
        self.publish = changelog.publish
        # Delegate and activity ids by uid / code for the push path (a look-up saved per push).
        self.ids = st.IdCache()
        # What happens at the push path's fault points: nothing, unless a test installs a hook.
        self.faults: FaultHook = no_faults

    def forget(self, tables: set[str]) -> None:
        """Drop remembered ids that a change to these tables may have made wrong."""
        if "activities" in tables:
            self.ids.activities = {}
            self.ids.single_entry = None

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
                    result.rejected.append({"table": "", "key": vet.item_key(it), "reason": both(
                        msg("hub.item.no_table"))})
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
                self.faults("push-before-commit")
        except BaseException:
            self.ids = st.IdCache()  # it may hold an id of a row this transaction rolled back
            raise
        self.faults("push-after-commit")
        return results

    def _ingest_table(self, session: Session, name: str, parts: list[_Part]) -> None:
        # The ingest is the one the table's registration names (sync.tables.SyncTable.ingest).
        spec = st.REGISTRY.get(name)
        whole = _WHOLE_BATCH.get(spec.ingest) if spec is not None and spec.pushed else None
        each = _PUSH_BY_PUSH.get(spec.ingest) if spec is not None and spec.pushed else None
        if name in ORGANISER_ONLY:
            for part in parts:
                part.result.rejected.extend({"table": name, "key": vet.item_key(it), "reason": both(
                    msg("hub.push.organiser_only"))} for it in part.items)
        elif whole is not None:
            whole(self, session, parts)
        elif spec is not None and each is not None:
            for part in parts:
                part = _Part(part.desk, self._vet_items(spec, part), part.result)
                each(self, session, part.desk, spec, part.items, part.result)
        else:
            for part in parts:
                part.result.rejected.extend({"table": name, "key": vet.item_key(it), "reason": both(
                    msg("hub.push.table_refused", table=name))}
                    for it in part.items)

    @staticmethod
    def _vet_items(spec: st.SyncTable, part: _Part) -> list[dict[str, Any]]:
        """The items of one push that are shaped right and storable (desk set from the token)."""
        name, key = spec.name, spec.key
        table = spec.outbox.table if spec.outbox is not None else m.Base.metadata.tables[name]
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
                why: Message | None = None
                t = known.get(str(target))
                if t is None:
                    why = msg("hub.undo.target_unknown")
                elif t[3] is not None:
                    why = msg("hub.undo.of_undo")
                elif (t[1], t[2]) != (r.delegate_id, r.activity_id):
                    why = msg("hub.undo.other_pair")
                elif t[0] != owner[u].desk and not vet.manager_marked(r.payload):
                    why = msg("hub.undo.other_desk", desk=t[0])
                if why is not None:
                    owner[u].result.rejected.append({"table": "checkins", "key": u,
                                                     "reason": both(why)})
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
                        raise vet.Refused(msg("hub.audit.no_time"))
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
                result.rejected.append({"table": "delegates", "key": p.get("uid"), "reason": both(
                    msg("hub.walk_in.other_block", id=d_id, owner=min(theirs)))})
            elif not p.get("walk_in"):
                result.rejected.append({"table": "delegates", "key": p.get("uid"), "reason": both(
                    msg("hub.walk_in.only"))})
            elif p.get("uid") in existing or str(p.get("registration_code", "")).startswith(STUB_PREFIX):
                # A placeholder an older desk made from a verified badge is not a person: taken
                # as already here, so that desk stops sending it (the real row comes from the hub).
                result.duplicates.append({"table": "delegates", "key": p.get("uid"), "seq": None})
            else:
                # Only the organiser merges records (at the hub): a desk's walk-in never arrives
                # merged into someone else, or scanning it would admit as that person.
                accept.append({**p, "merged_into": ""})
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
                result.rejected.append({"table": table.name, "key": vet.item_key(it), "reason": both(
                    msg("hub.badge_revocation.incomplete"))})
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
                result.rejected.append({"table": table.name, "key": k, "reason": both(
                    msg("hub.badge_revocation.not_current", current=current[uid], serial=serial))})
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


# Each pushed table's ingest, by the name its registration gives (sync.tables INGEST_*).
# Check-ins and audit entries take every push of a batch in a few statements; the others go
# push by push, each item vetted first.
_WHOLE_BATCH: dict[str, Callable[[PushIngest, Session, list[_Part]], None]] = {
    st.INGEST_CHECKINS: PushIngest._ingest_checkins,
    st.INGEST_AUDIT: PushIngest._ingest_audit,
}
_PUSH_BY_PUSH: dict[str, Callable[[PushIngest, Session, str, st.SyncTable, list[dict[str, Any]], PushResult],
                                  None]] = {
    st.INGEST_WALK_INS: lambda hub, s, desk, _spec, items, result: hub._ingest_walk_ins(
        s, desk, items, result),
    st.INGEST_BADGE_REVOCATIONS: lambda hub, s, desk, _spec, items, result: hub._ingest_badge_revocations(
        s, desk, items, result),
    st.INGEST_GENERIC: PushIngest._ingest_generic,
}
