"""Synced tables: how a row becomes a wire payload and how payloads are applied, on any database.

The change feed is generic: a change is (table name, row key, JSON payload). Adding a table to
sync is one `register(SyncTable(...))`; rows refer to each other by stable keys (delegate uid,
activity and category codes, event uuids), never by local integer ids. The one exception is the
delegate id itself: signed badge tokens carry it, so a delegate keeps the same id everywhere.

A table desks push names its outbox in the same registration (sync.outbox: what is still to
push and in what order, how the hub's answer settles it, what the queue counts) and the hub's
ingest for it; the sync client and the hub loop over the registry and name no table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import (
    Column,
    String,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from checkin_app.domain.codes import STUB_PREFIX
from checkin_app.domain.messages import both, msg
from checkin_app.domain.tokens import WALKIN_BASE
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.models import UTCDateTime
from checkin_app.storage.models_badges import BadgePrint
from checkin_app.sync.outbox import OTHER, SCANS, FlagOutbox, MarkOutbox, Outbox
from checkin_app.sync.protocol import iso, parse_iso

Payload = dict[str, Any]
# Rows per IN (...) lookup; PostgreSQL and SQLite both handle this comfortably.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Missing:
    """A payload naming a row this database does not hold (yet): `needs_table` row `needs_key`.

    `applied`: the payload went in without that one link (an activity's category, a delegate's
    per-activity admission) and is worth applying again once the row arrives; otherwise it was
    not applied at all (and is in `Applied.skipped` too).
    """

    table: str
    key: str
    needs_table: str
    needs_key: str
    applied: bool = False


@dataclass
class Applied:
    """What applying a batch of payloads did, and what the caller must refresh afterwards."""

    inserted: int = 0
    updated: int = 0
    # Local delegate ids whose search keys must be rebuilt.
    delegate_ids: set[int] = field(default_factory=set)
    # (delegate_id, activity_id) pairs whose presence projection must be recomputed.
    pairs: set[tuple[int, int]] = field(default_factory=set)
    # (table, key, bilingual reason) of payloads that could not be applied.
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    catalog_changed: bool = False
    # Local delegate ids whose badge serial moved up (a reprint elsewhere revoked a serial).
    serials: set[int] = field(default_factory=set)
    # Payloads that name rows not here yet (a desk keeps them until those rows arrive).
    missing: list[Missing] = field(default_factory=list)

    def merge(self, other: Applied) -> None:
        """Fold another batch's result into this one."""
        self.inserted += other.inserted
        self.updated += other.updated
        self.delegate_ids |= other.delegate_ids
        self.pairs |= other.pairs
        self.skipped.extend(other.skipped)
        self.catalog_changed |= other.catalog_changed
        self.serials |= other.serials
        self.missing.extend(other.missing)


Exporter = Callable[[Session, Sequence[str] | None], Iterator[tuple[str, Payload]]]
Applier = Callable[[Session, list[Payload]], Applied]

# The hub's ingest a pushed table names (hub.ingest maps each name to its method). GENERIC:
# idempotent by key, applied with the table's own applier and published; the others add the
# rules of their rows (a desk's undo of its own events only, walk-ins only, a reprint revoking
# only the badge in use, audit entries into the hub's own audit log).
INGEST_GENERIC = "generic"
INGEST_CHECKINS = "checkins"
INGEST_WALK_INS = "walk_ins"
INGEST_BADGE_REVOCATIONS = "badge_revocations"
INGEST_AUDIT = "audit"


@dataclass(frozen=True, slots=True, eq=False)
class SyncTable:
    """One synced table: its wire name, how the hub exports rows and how a replica applies them.

    `pulled`: the hub sends it to desks. `outbox`: desks push it to the hub, and this is how a
    desk finds what is still to push, settles what the hub took and counts what waits
    (sync.outbox); `ingest` names how the hub takes it in (INGEST_*). `order`: apply order
    inside one batch, and the order of a push (referenced tables first).
    """

    name: str
    key: str
    export: Exporter
    apply: Applier
    pulled: bool = True
    order: int = 50
    outbox: Outbox | None = None
    ingest: str = INGEST_GENERIC

    @property
    def pushed(self) -> bool:
        """Desks push it to the hub."""
        return self.outbox is not None


REGISTRY: dict[str, SyncTable] = {}
# pushed_tables(), kept until the registry changes (every request's queue header asks for it).
_PUSHED: list[SyncTable] = []


def register(table: SyncTable) -> SyncTable:
    """Make a table part of the change feed (when `pulled`) and of pushes (when it has an outbox)."""
    REGISTRY[table.name] = table
    _PUSHED.clear()
    return table


def unregister(name: str) -> None:
    """Take a table out of sync again (a test's own table, at its teardown)."""
    REGISTRY.pop(name, None)
    _PUSHED.clear()


def pushed_tables() -> list[SyncTable]:
    """The tables desks push, in push order (referenced tables first)."""
    if not _PUSHED:
        _PUSHED.extend(REGISTRY[n] for n in ordered(t.name for t in REGISTRY.values()
                                                    if t.outbox is not None))
    return list(_PUSHED)


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _t(model: type[m.Base]) -> Table:
    return cast(Table, model.__table__)


def _is_time(col: Column[Any]) -> bool:
    return isinstance(col.type, UTCDateTime)


def wire_columns(table: Table, exclude: Iterable[str] = ()) -> list[Column[Any]]:
    """The columns a payload carries: all but the excluded (local ids, foreign keys)."""
    skip = set(exclude)
    return [c for c in table.columns if c.name not in skip]


def to_payload(row: Any, cols: Sequence[Column[Any]]) -> Payload:
    """A row (mapping or Row) as JSON-ready dict; times as ISO UTC strings."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    out: Payload = {}
    for c in cols:
        v = mapping[c.name]
        out[c.name] = iso(v) if isinstance(v, datetime) else v
    return out


# (name, is a time column) per column list: from_payload runs once per row of a 100,000-row
# download, and looking at each column's type every time was a third of applying a delegate.
_PLANS: dict[int, tuple[Sequence[Column[Any]], list[tuple[str, bool]]]] = {}


def from_payload(payload: Payload, cols: Sequence[Column[Any]]) -> dict[str, Any]:
    """Column values from a payload; keys the payload lacks are left out (the column default applies)."""
    cached = _PLANS.get(id(cols))
    if cached is None or cached[0] is not cols:
        cached = _PLANS[id(cols)] = (cols, [(c.name, _is_time(c)) for c in cols])
    out: dict[str, Any] = {}
    for name, is_time in cached[1]:
        if name in payload:
            v = payload[name]
            out[name] = parse_iso(v) if is_time and isinstance(v, str) else v
    return out


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows; on SQLite (every desk) straight through the driver.

    A desk's first download inserts 100,000 delegates, and SQLAlchemy's per-row parameter
    handling was a third of that time. Values go through each column's own bind processor
    (UTC times, booleans, as SQLAlchemy would store them); rows are grouped by the columns they
    carry, so a column a payload lacks still takes its default. Other databases: plain Core.
    """
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for cols, part in groups.items():
        missing = [c for c in table.columns if c.name not in cols and c.default is not None]
        if missing:  # Python-side defaults: let SQLAlchemy apply them
            conn.execute(insert(table), part)
            continue
        procs = [table.c[c].type._cached_bind_processor(dialect) for c in cols]
        names = ", ".join(f'"{c}"' for c in cols)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(cols))})'
        conn.exec_driver_sql(sql, [
            tuple(v if p is None or v is None else p(v) for p, v in zip(procs, r.values(), strict=True))
            for r in part])


# -- a generic table keyed by a natural column (for feature tables without foreign keys) -----
def simple_table(name: str, model: type[m.Base] | Table, key: str, *, exclude: Sequence[str] = ("id",),
                 pulled: bool = True, order: int = 60, outbox: Outbox | None = None) -> SyncTable:
    """A SyncTable for a table whose rows stand alone, keyed by a unique column (e.g. uuid).

    With an `outbox` desks push it (through the hub's generic ingest); the outbox's bookkeeping
    columns never travel, and a row that arrives from elsewhere is stored as settled.
    """
    table = model if isinstance(model, Table) else _t(model)
    settled = outbox.settled if outbox is not None else {}
    cols = wire_columns(table, [*exclude, *settled])
    keycol = table.c[key]

    def export(session: Session, keys: Sequence[str] | None) -> Iterator[tuple[str, Payload]]:
        q = select(*cols).order_by(keycol)
        if keys is None:
            for row in session.execute(q):
                yield str(row._mapping[key]), to_payload(row, cols)
            return
        for chunk in _batched(keys, _CHUNK):
            for row in session.execute(q.where(keycol.in_(chunk))):
                yield str(row._mapping[key]), to_payload(row, cols)

    def apply(session: Session, payloads: list[Payload]) -> Applied:
        done = Applied()
        for chunk in _batched(payloads, _CHUNK):
            existing = set(session.scalars(
                select(keycol).where(keycol.in_([p[key] for p in chunk]))).all())
            for p in chunk:
                values = {**from_payload(p, cols), **settled}
                if p[key] in existing:
                    session.execute(update(table).where(keycol == p[key]).values(values))
                    done.updated += 1
                else:
                    session.execute(insert(table).values(values))
                    existing.add(p[key])
                    done.inserted += 1
        return done

    return SyncTable(name, key, export, apply, pulled=pulled, order=order, outbox=outbox)


# -- events, categories, activities ----------------------------------------------------------
_EVENT_COLS = wire_columns(_t(m.Event), ("id",))
_CAT_COLS = wire_columns(_t(m.Category), ("id",))
_ACT_COLS = wire_columns(_t(m.Activity), ("id",))


def _upsert_by_code(session: Session, model: type[m.Base], cols: Sequence[Column[Any]],
                    payloads: list[Payload]) -> tuple[Applied, dict[str, int]]:
    table = _t(model)
    done = Applied(catalog_changed=True)
    ids: dict[str, int] = {}
    for p in payloads:
        values = from_payload(p, cols)
        current = session.execute(select(table.c.id).where(table.c.code == p["code"])).scalar()
        if current is None:
            current = session.execute(insert(table).values(values).returning(table.c.id)).scalar_one()
            done.inserted += 1
        else:
            session.execute(update(table).where(table.c.id == current).values(values))
            done.updated += 1
        ids[p["code"]] = int(current)
    return done, ids


def _export_simple(model: type[m.Base], cols: Sequence[Column[Any]]) -> Exporter:
    table = _t(model)

    def export(session: Session, keys: Sequence[str] | None) -> Iterator[tuple[str, Payload]]:
        q = select(*cols).order_by(table.c.code)
        if keys is not None:
            q = q.where(table.c.code.in_(list(keys)))
        for row in session.execute(q):
            yield row.code, to_payload(row, cols)

    return export


def _apply_events(session: Session, payloads: list[Payload]) -> Applied:
    return _upsert_by_code(session, m.Event, _EVENT_COLS, payloads)[0]


def _apply_categories(session: Session, payloads: list[Payload]) -> Applied:
    return _upsert_by_code(session, m.Category, _CAT_COLS, payloads)[0]


_AC = _t(m.ActivityCategory)


def _export_activities(session: Session, keys: Sequence[str] | None) -> Iterator[tuple[str, Payload]]:
    acts = _t(m.Activity)
    cats = dict(session.execute(select(_t(m.Category).c.id, _t(m.Category).c.code)).all())
    links: dict[int, list[str]] = {}
    for a_id, c_id in session.execute(select(_AC.c.activity_id, _AC.c.category_id)):
        links.setdefault(a_id, []).append(cats[c_id])
    q = select(acts).order_by(acts.c.code)
    if keys is not None:
        q = q.where(acts.c.code.in_(list(keys)))
    for row in session.execute(q):
        p = to_payload(row, _ACT_COLS)
        p["categories"] = sorted(links.get(row.id, []))
        yield row.code, p


def _apply_activities(session: Session, payloads: list[Payload]) -> Applied:
    done, ids = _upsert_by_code(session, m.Activity, _ACT_COLS, payloads)
    cats = dict(session.execute(select(_t(m.Category).c.code, _t(m.Category).c.id)).all())
    for p in payloads:
        a_id = ids[p["code"]]
        session.execute(delete(_AC).where(_AC.c.activity_id == a_id))
        rows = [{"activity_id": a_id, "category_id": cats[c]} for c in p.get("categories", [])
                if c in cats]
        if rows:
            session.execute(insert(_AC), rows)
        # A category edited after this activity was logged comes later in the download.
        done.missing.extend(Missing("activities", str(p["code"]), "categories", str(c), applied=True)
                            for c in p.get("categories", []) if c not in cats)
    return done


# -- delegates ---------------------------------------------------------------------------------
_D = _t(m.Delegate)
_ADM = _t(m.DelegateAdmission)
# The photo path is a file on the hub's disk, meaningless at a desk.
_DEL_COLS = wire_columns(_D, ("id", "category_id", "photo_path"))


def _export_delegates(session: Session, keys: Sequence[str] | None) -> Iterator[tuple[str, Payload]]:
    cats = dict(session.execute(select(_t(m.Category).c.id, _t(m.Category).c.code)).all())
    acts = dict(session.execute(select(_t(m.Activity).c.id, _t(m.Activity).c.code)).all())

    def rows(where: Any | None) -> Iterator[tuple[str, Payload]]:
        q = select(_D).order_by(_D.c.id)
        if where is not None:
            q = q.where(where)
        batch = list(session.execute(q))
        ids = [r.id for r in batch]
        adm: dict[int, dict[str, bool]] = {}
        if ids:
            aq = select(_ADM)
            if where is not None:
                aq = aq.where(_ADM.c.delegate_id.in_(ids))
            for a in session.execute(aq):
                adm.setdefault(a.delegate_id, {})[acts[a.activity_id]] = bool(a.allow)
        for r in batch:
            p = to_payload(r, _DEL_COLS)
            p["id"] = r.id
            p["category"] = cats[r.category_id]
            p["admissions"] = adm.get(r.id, {})
            yield r.uid, p

    if keys is None:
        yield from rows(None)
        return
    for chunk in _batched(keys, _CHUNK):
        yield from rows(_D.c.uid.in_(chunk))


_UPDATE_DELEGATE = (
    update(_D)
    .where(_D.c.id == bindparam("_id"))
    .values({c.name: bindparam(c.name) for c in _DEL_COLS if c.name != "uid"} | {
        "category_id": bindparam("category_id"),
        # A serial never goes back: a reprint here that the hub has not heard of yet must not
        # be undone by an older copy of the row (two badges would then share one serial).
        "badge_serial": case((_D.c.badge_serial > bindparam("badge_serial"), _D.c.badge_serial),
                             else_=bindparam("badge_serial"))})
)
# A placeholder row made from a verified token (services.checkin) becomes the real delegate in
# place, so check-ins recorded against it stay attached.
_CLAIM_STUB = (
    update(_D)
    .where(_D.c.id == bindparam("_id"))
    .values({c.name: bindparam(c.name) for c in _DEL_COLS} | {"category_id": bindparam("category_id")})
)


def _new_ids(session: Session, payloads: list[Payload], *, nothing_here: bool = False
             ) -> tuple[dict[str, int], set[int]]:
    """Ids for delegates new here: {uid: id} to insert with, and the ids of stubs they replace.

    The hub's id is kept whenever it is free here (badge tokens name delegates by id); a stub
    holding it is taken over. Otherwise (a desk that had its own data, an old payload without
    an id) the row gets the next id below the walk-in range, never an id a token could mean.
    """
    # Delegate ids are 64-bit on every backend (models.DelegateId), walk-in ids included.
    wanted = {str(p["uid"]): p["id"] for p in payloads
              if isinstance(p.get("id"), int) and 0 < p["id"] < 2**63}
    holders: dict[int, str] = {}
    for part in _batched([] if nothing_here else sorted(set(wanted.values())), _CHUNK):
        holders.update(session.execute(
            select(_D.c.id, _D.c.registration_code).where(_D.c.id.in_(part))).all())
    out: dict[str, int] = {}
    used: set[int] = set()
    stubs: set[int] = set()
    spare: list[str] = []
    for p in payloads:
        uid = str(p["uid"])
        d_id = wanted.get(uid)
        if d_id is None or d_id in used:
            spare.append(uid)
            continue
        holder = holders.get(d_id)
        if holder is not None and not holder.startswith(STUB_PREFIX):
            spare.append(uid)
            continue
        if holder is not None:
            stubs.add(d_id)
        out[uid] = d_id
        used.add(d_id)
    if spare:
        top = int(session.scalar(select(func.max(_D.c.id)).where(_D.c.id < WALKIN_BASE)) or 0)
        for uid in spare:
            top += 1
            while top in used or top in holders:
                top += 1
            out[uid] = top
            used.add(top)
    return out, stubs


# Session.info flag: this transaction fills a desk that held no delegate when its first download
# began. That download holds each delegate once (the hub's log keeps one row per key), so no
# delegate of it can be here already and no id can be taken: the look-ups are skipped.
FRESH_DOWNLOAD = "sync.fresh_download"


def _apply_delegates(session: Session, payloads: list[Payload]) -> Applied:
    done = Applied()
    fresh = bool(session.info.get(FRESH_DOWNLOAD))
    cats = dict(session.execute(select(_t(m.Category).c.code, _t(m.Category).c.id)).all())
    acts = dict(session.execute(select(_t(m.Activity).c.code, _t(m.Activity).c.id)).all())
    for chunk in _batched(payloads, 2000):
        existing: dict[str, int] = {}
        if not fresh:
            for part in _batched([p["uid"] for p in chunk], _CHUNK):
                existing.update(session.execute(
                    select(_D.c.uid, _D.c.id).where(_D.c.uid.in_(part))).all())
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        claims: list[dict[str, Any]] = []
        new_ids, stubs = _new_ids(session, [
            p for p in chunk if p["uid"] not in existing and p.get("category", "") in cats],
            nothing_here=fresh)
        for p in chunk:
            cat = cats.get(p.get("category", ""))
            if cat is None:
                done.skipped.append(("delegates", p["uid"], f"{_skip('unknown_category')} "
                                     f"{p.get('category')}"))
                done.missing.append(Missing("delegates", str(p["uid"]), "categories",
                                            str(p.get("category", ""))))
                continue
            done.missing.extend(Missing("delegates", str(p["uid"]), "activities", str(code), applied=True)
                                for code in (p.get("admissions") or {}) if code not in acts)
            values = from_payload(p, _DEL_COLS)
            values["category_id"] = cat
            # A hub from before merges (0015) sends no link: the record is not merged. The update
            # below binds every column, so the key must be there.
            values.setdefault("merged_into", "")
            if p["uid"] in existing:
                values["_id"] = existing[p["uid"]]
                values.pop("uid")
                updates.append(values)
            elif new_ids[p["uid"]] in stubs:
                values["_id"] = new_ids[p["uid"]]
                claims.append(values)
            else:
                values["id"] = new_ids[p["uid"]]
                inserts.append(values)
        taken: set[int] = set()
        if claims:
            session.connection().execute(_CLAIM_STUB, claims)
            done.updated += len(claims)
            # A hub that took a stub for a walk-in (earlier desks pushed stubs) sends it back as
            # "token:<id>": the real person now holds that row, and the copy is dropped.
            taken = {c["_id"] for c in claims}
            updates = [u for u in updates if u["_id"] not in taken]
        if inserts:
            bulk_insert(session, _D, inserts)
            done.inserted += len(inserts)
        if updates:
            # Plain executemany by primary key: the ORM "bulk update" path wants mapped keys.
            session.connection().execute(_UPDATE_DELEGATE, updates)
            done.updated += len(updates)
        # Ids of everything in the chunk (the new rows too) for admissions and search keys; a
        # placeholder's copy whose row a claim just took no longer exists under its uid.
        ids = {u: i for u, i in existing.items() if i not in taken}
        ids.update((v["uid"], v["_id"]) for v in claims)
        ids.update((v["uid"], v["id"]) for v in inserts)
        updated_ids = [ids[p["uid"]] for p in chunk if p["uid"] in existing and p["uid"] in ids]
        for part in _batched(updated_ids, _CHUNK):
            session.execute(delete(_ADM).where(_ADM.c.delegate_id.in_(part)))
        adm_rows = [
            {"delegate_id": ids[p["uid"]], "activity_id": acts[code], "allow": bool(allow)}
            for p in chunk if p["uid"] in ids
            for code, allow in (p.get("admissions") or {}).items() if code in acts
        ]
        if adm_rows:
            bulk_insert(session, _ADM, adm_rows)
        done.delegate_ids.update(ids.values())
    return done


# -- check-ins -----------------------------------------------------------------------------------
_C = _t(m.CheckIn)
# `synced` is local bookkeeping; the rest is the event as the desk recorded it plus the hub's
# receive time and conflict flag.
_CHK_COLS = wire_columns(_C, ("id", "delegate_id", "activity_id", "synced"))
CHECKIN_COLUMNS = _CHK_COLS


def checkin_payload(row: Any, delegate_uid: str, activity_code: str) -> Payload:
    """A stored check-in row as the wire carries it (delegate and activity by natural key)."""
    p = to_payload(row, _CHK_COLS)
    p["delegate"] = delegate_uid
    p["activity"] = activity_code
    return p


def _export_checkins(session: Session, keys: Sequence[str] | None) -> Iterator[tuple[str, Payload]]:
    q = (
        select(_C, _D.c.uid.label("delegate_uid"), _t(m.Activity).c.code.label("activity_code"))
        .join(_D, _D.c.id == _C.c.delegate_id)
        .join(_t(m.Activity), _t(m.Activity).c.id == _C.c.activity_id)
        .order_by(_C.c.id)
    )
    chunks: Iterable[list[str] | None] = [None] if keys is None else _batched(keys, _CHUNK)
    for chunk in chunks:
        cq = q if chunk is None else q.where(_C.c.uuid.in_(chunk))
        for row in session.execute(cq):
            yield row.uuid, checkin_payload(row, row.delegate_uid, row.activity_code)


@dataclass(frozen=True, slots=True)
class ResolvedCheckIn:
    """A check-in payload with its local delegate and activity ids."""

    payload: Payload
    values: dict[str, Any]
    delegate_id: int
    activity_id: int


@dataclass
class IdCache:
    """Local ids by natural key, kept across transactions by a long-running process (the hub).

    A delegate's id never changes once given; an activity's neither, unless the activity is
    replaced, so its map is dropped whenever activities change (HubStore.forget). Misses are
    looked up and remembered; nothing is ever answered from the cache that is not there.
    """

    activities: dict[str, int] = field(default_factory=dict)
    delegates: dict[str, int] = field(default_factory=dict)
    max_delegates: int = 1_000_000
    # Ids of single-entry activities (the hub's conflict rule); None = not known, read it again.
    single_entry: set[int] | None = None


def resolve_checkins(session: Session, payloads: list[Payload], ids: IdCache | None = None
                     ) -> tuple[list[ResolvedCheckIn], list[tuple[str, str, str]]]:
    """Map delegate uids and activity codes to local ids; unresolvable payloads are reported."""
    ok, bad, _missing = _resolve_checkins(session, payloads, ids)
    return ok, bad


def _lookup_ids(session: Session, payloads: list[Payload], ids: IdCache | None
                ) -> tuple[dict[str, int], dict[str, int]]:
    codes = {str(p.get("activity")) for p in payloads}
    uids_wanted = {str(p.get("delegate")) for p in payloads}
    cache = ids or IdCache()
    acts = cache.activities
    if not codes <= acts.keys():
        acts = dict(session.execute(select(_t(m.Activity).c.code, _t(m.Activity).c.id)).all())
        cache.activities = acts
        cache.single_entry = None  # an activity we did not know: its entry rule is not known either
    uids = cache.delegates
    if len(uids) > cache.max_delegates:
        uids = cache.delegates = {}
    for part in _batched(sorted(uids_wanted - uids.keys()), _CHUNK):
        uids.update(session.execute(select(_D.c.uid, _D.c.id).where(_D.c.uid.in_(part))).all())
    return acts, uids


def _resolve_checkins(session: Session, payloads: list[Payload], ids: IdCache | None = None
                      ) -> tuple[list[ResolvedCheckIn], list[tuple[str, str, str]], list[Missing]]:
    acts, uids = _lookup_ids(session, payloads, ids)
    ok: list[ResolvedCheckIn] = []
    bad: list[tuple[str, str, str]] = []
    missing: list[Missing] = []
    for p in payloads:
        d_id, a_id = uids.get(str(p.get("delegate"))), acts.get(str(p.get("activity")))
        if d_id is None or a_id is None:
            what = _skip("unknown_delegate" if d_id is None else "unknown_activity")
            bad.append(("checkins", str(p.get("uuid")),
                        f"{what} {p.get('delegate') if d_id is None else p.get('activity')}"))
            missing.append(Missing("checkins", str(p.get("uuid")), *(
                ("delegates", str(p.get("delegate"))) if d_id is None
                else ("activities", str(p.get("activity"))))))
            continue
        values = from_payload(p, _CHK_COLS)
        if values.get("order_at") is None:
            # From a desk or hub without order stamps: the event's own time orders it
            # (domain.presence), the same at every replica since the hub stores and sends it.
            values["order_at"] = values.get("at")
        values.update(delegate_id=d_id, activity_id=a_id)
        ok.append(ResolvedCheckIn(p, values, d_id, a_id))
    return ok, bad, missing


def _apply_checkins(session: Session, payloads: list[Payload]) -> Applied:
    """At a desk: insert events it lacks; for known ones take the hub's receive time and conflict flag."""
    done = Applied()
    resolved, bad, missing = _resolve_checkins(session, payloads)
    done.skipped.extend(bad)
    done.missing.extend(missing)
    for chunk in _batched(resolved, _CHUNK):
        known = dict(session.execute(
            select(_C.c.uuid, _C.c.id).where(_C.c.uuid.in_([r.payload["uuid"] for r in chunk]))
        ).all())
        new_rows = []
        for r in chunk:
            uuid = r.payload["uuid"]
            if uuid in known:
                # Append-only: only what the hub adds to an event may change.
                session.execute(update(_C).where(_C.c.id == known[uuid]).values(
                    received_at=r.values.get("received_at"), conflict=bool(r.values.get("conflict")),
                    synced=True))
                done.updated += 1
            else:
                new_rows.append({**r.values, "synced": True})
                known[uuid] = -1
                done.pairs.add((r.delegate_id, r.activity_id))
        if new_rows:
            session.execute(insert(_C), new_rows)
            done.inserted += len(new_rows)
    return done


def _local_ids(session: Session, uids: Iterable[str]) -> dict[str, int]:
    """{delegate uid: this database's id} for the uids known here."""
    out: dict[str, int] = {}
    for part in _batched(sorted(set(uids)), _CHUNK):
        out.update(session.execute(select(_D.c.uid, _D.c.id).where(_D.c.uid.in_(part))).all())
    return out


def _skip(reason: str) -> str:
    """Why a pulled row was skipped, "zh / en" (sync.skip.<reason> in the catalogue)."""
    return both(msg(f"sync.skip.{reason}"), sep=" / ")


def _unknown_delegate(done: Applied, table: str, key: str, uid: object) -> None:
    done.skipped.append((table, key, f"{_skip('unknown_delegate')} {uid}"))
    done.missing.append(Missing(table, key, "delegates", str(uid)))


# -- badge prints: every print attempt at every desk (print jobs stay at their desk) ------------
_BP = _t(BadgePrint)
_BP_COLS = wire_columns(_BP, ("id", "delegate_id", "synced"))


def _export_badge_prints(session: Session, keys: Sequence[str] | None) -> Iterator[tuple[str, Payload]]:
    q = (select(_BP, _D.c.uid.label("delegate_uid")).join(_D, _D.c.id == _BP.c.delegate_id)
         .order_by(_BP.c.id))
    chunks: Iterable[list[str] | None] = [None] if keys is None else _batched(keys, _CHUNK)
    for chunk in chunks:
        cq = q if chunk is None else q.where(_BP.c.uuid.in_(chunk))
        for row in session.execute(cq):
            p = to_payload(row, _BP_COLS)
            p["delegate"] = row.delegate_uid
            yield row.uuid, p


def _apply_badge_prints(session: Session, payloads: list[Payload]) -> Applied:
    """Append-only: a print this database lacks is added (as synced); a known one never changes."""
    done = Applied()
    ids = _local_ids(session, [str(p.get("delegate")) for p in payloads])
    for chunk in _batched(payloads, _CHUNK):
        known = set(session.scalars(select(_BP.c.uuid).where(
            _BP.c.uuid.in_([str(p.get("uuid")) for p in chunk]))).all())
        rows: list[dict[str, Any]] = []
        for p in chunk:
            uuid, d_id = str(p.get("uuid")), ids.get(str(p.get("delegate")))
            if d_id is None:
                _unknown_delegate(done, "badge_prints", uuid, p.get("delegate"))
                continue
            if uuid in known:
                continue
            known.add(uuid)
            rows.append({**from_payload(p, _BP_COLS), "delegate_id": d_id, "synced": True})
        if rows:
            session.execute(insert(_BP), rows)
            done.inserted += len(rows)
    return done


# -- badge serial revocations (reprints): keyed by delegate uid and serial -----------------------
_BR = _t(sec.BadgeRevocation)
_BR_COLS = wire_columns(_BR, ("id", "delegate_id", "synced"))


def revocation_key(delegate_uid: str, serial: int) -> str:
    """The wire key of a serial revocation: the same in every database (local ids are not)."""
    return f"{delegate_uid}:{serial}"


def _export_badge_revocations(session: Session, keys: Sequence[str] | None
                              ) -> Iterator[tuple[str, Payload]]:
    q = (select(_BR, _D.c.uid.label("delegate_uid")).join(_D, _D.c.id == _BR.c.delegate_id)
         .order_by(_BR.c.id))
    wanted: set[tuple[str, str]] | None = None
    chunks: Iterable[list[str] | None] = [None]
    if keys is not None:
        wanted = {(uid, serial) for uid, _, serial in (k.rpartition(":") for k in keys)}
        chunks = _batched(sorted({uid for uid, _ in wanted}), _CHUNK)
    for chunk in chunks:
        cq = q if chunk is None else q.where(_D.c.uid.in_(chunk))
        for row in session.execute(cq):
            if wanted is not None and (row.delegate_uid, str(row.serial)) not in wanted:
                continue
            p = to_payload(row, _BR_COLS)
            p["delegate"] = row.delegate_uid
            yield revocation_key(row.delegate_uid, row.serial), p


def _apply_badge_revocations(session: Session, payloads: list[Payload]) -> Applied:
    """Add the revocations this database lacks, and move each delegate's serial past the revoked one.

    The serial is the one registration field a desk changes (a reprint), so it travels with the
    revocation: a badge with the old serial is REVOKED here, one with the new serial admitted.
    """
    done = Applied()
    ids = _local_ids(session, [str(p.get("delegate")) for p in payloads])
    have: dict[tuple[int, int], bool] = {}
    for part in _batched(sorted(set(ids.values())), _CHUNK):
        have.update({(r.delegate_id, r.serial): bool(r.synced) for r in session.execute(
            select(_BR.c.delegate_id, _BR.c.serial, _BR.c.synced).where(_BR.c.delegate_id.in_(part)))})
    rows: list[dict[str, Any]] = []
    acked: list[tuple[int, int]] = []
    newest: dict[int, int] = {}
    for p in payloads:
        uid, serial = str(p.get("delegate")), p.get("serial")
        d_id = ids.get(uid)
        if not isinstance(serial, int):
            done.skipped.append(("badge_revocations", f"{uid}:{serial}",
                                 f"{_skip('bad_serial')} {serial!r}"))
            continue
        if d_id is None:
            _unknown_delegate(done, "badge_revocations", revocation_key(uid, serial), uid)
            continue
        newest[d_id] = max(newest.get(d_id, 0), serial)
        if (d_id, serial) in have:
            if not have[(d_id, serial)]:
                acked.append((d_id, serial))  # this database's own, and the hub has it
            continue
        have[(d_id, serial)] = True
        rows.append({**from_payload(p, _BR_COLS), "delegate_id": d_id, "synced": True})
    if rows:
        session.execute(insert(_BR), rows)
        done.inserted += len(rows)
    for d_id, serial in acked:
        session.execute(update(_BR).where(_BR.c.delegate_id == d_id, _BR.c.serial == serial)
                        .values(synced=True))
    for d_id, serial in newest.items():
        moved = session.execute(
            update(_D).where(_D.c.id == d_id, _D.c.badge_serial <= serial)
            .values(badge_serial=serial + 1, badge_outdated=False))
        if getattr(moved, "rowcount", 0):
            done.serials.add(d_id)
            done.updated += 1
    return done


EVENTS = register(SyncTable("events", "code", _export_simple(m.Event, _EVENT_COLS), _apply_events,
                            order=10))
CATEGORIES = register(SyncTable("categories", "code", _export_simple(m.Category, _CAT_COLS),
                                _apply_categories, order=20))
ACTIVITIES = register(SyncTable("activities", "code", _export_activities, _apply_activities,
                                order=30))
# -- desk audit entries: to the hub only (each desk's own hash chain stays on that desk) ---------
_AUDIT = _t(m.AuditEntry)
_AUDIT_COLS = wire_columns(_AUDIT, ("id",))


def _export_audit(session: Session, keys: Sequence[str] | None) -> Iterator[tuple[str, Payload]]:
    q = select(*_AUDIT_COLS).order_by(_AUDIT.c.id)
    chunks: Iterable[list[str] | None] = [None] if keys is None else _batched(keys, _CHUNK)
    for chunk in chunks:
        cq = q if chunk is None else q.where(_AUDIT.c.uuid.in_(chunk))
        for row in session.execute(cq):
            yield row.uuid, to_payload(row, _AUDIT_COLS)


def _apply_audit(session: Session, payloads: list[Payload]) -> Applied:
    """Never pulled: another desk's entries belong to its chain, and the hub ingests its own way."""
    return Applied(skipped=[("audit", str(p.get("uuid")),
                             _skip("audit_hub_only"))
                            for p in payloads])


EVENTS = register(SyncTable("events", "code", _export_simple(m.Event, _EVENT_COLS), _apply_events,
                            order=10))
CATEGORIES = register(SyncTable("categories", "code", _export_simple(m.Category, _CAT_COLS),
                                _apply_categories, order=20))
ACTIVITIES = register(SyncTable("activities", "code", _export_activities, _apply_activities,
                                order=30))
# Desks push their walk-ins only (registration data comes in at the hub), by a mark on the id:
# walk-in ids only grow. A placeholder (a person known here only from a scanned token) is not
# a registration: pushed, it became a second, nameless delegate at the hub; the real row
# replaces it in place. Walk-ins are not counted in the queue: their check-ins are.
DELEGATES = register(SyncTable(
    "delegates", "uid", _export_delegates, _apply_delegates, order=40,
    outbox=MarkOutbox(_D, _D.c.uid, "push.delegates", where=(
        _D.c.walk_in.is_(True), _D.c.registration_code.not_like(STUB_PREFIX + "%"))),
    ingest=INGEST_WALK_INS))
# Check-ins and undos are the scans the status bar counts; they go out under the desk name the
# hub enrolled this desk under (sync.desk_name), as do badge prints.
CHECKINS = register(SyncTable(
    "checkins", "uuid", _export_checkins, _apply_checkins, order=70,
    outbox=FlagOutbox(_C, queue=SCANS, desk_field="desk"), ingest=INGEST_CHECKINS))
# Keyed "delegate uid:serial" (revocation_key, here in SQL); a revocation of a delegate this
# desk does not hold (a key bundle) cannot be pushed, and the join leaves it out of the queue.
BADGE_REVOCATIONS = register(SyncTable(
    "badge_revocations", "delegate:serial", _export_badge_revocations, _apply_badge_revocations,
    order=45, ingest=INGEST_BADGE_REVOCATIONS,
    outbox=FlagOutbox(_BR, key=_D.c.uid + ":" + sql_cast(_BR.c.serial, String),
                      source=_BR.join(_D, _D.c.id == _BR.c.delegate_id), queue=OTHER)))
BADGE_PRINTS = register(SyncTable(
    "badge_prints", "uuid", _export_badge_prints, _apply_badge_prints, order=75,
    outbox=FlagOutbox(_BP, queue=OTHER, desk_field="desk")))
# Audit entries keep their own desk name (their hash chain covers it; the hub stamps them from
# the token anyway) and ride along uncounted; one the hub refuses stays queued and goes again.
AUDIT_ENTRIES = register(SyncTable(
    "audit", "uuid", _export_audit, _apply_audit, pulled=False, order=90, ingest=INGEST_AUDIT,
    outbox=MarkOutbox(_AUDIT, _AUDIT.c.uuid, "push.audit", settle_refused=False)))
AUDIT = AUDIT_ENTRIES.name


def ordered(names: Iterable[str]) -> list[str]:
    """Table names in apply order (referenced tables first)."""
    return sorted(set(names), key=lambda n: (REGISTRY[n].order if n in REGISTRY else 99, n))


# -- signed badge codes (issue 3): public keys, desk certificates and key revocations ----------
def _register_security() -> None:
    try:
        from checkin_app.storage import models_security as sec
    except ImportError:  # pragma: no cover - the key service is not part of this build
        return
    if hasattr(sec, "EventKey"):
        register(simple_table("event_keys", sec.EventKey, "fingerprint", order=12))
    if hasattr(sec, "DeskKey"):
        # Public halves only: a desk's private key never leaves it, and applying a certificate
        # never touches the private key a desk holds for its own row.
        register(simple_table("desk_keys", sec.DeskKey, "public_key", exclude=("id", "private_key"),
                              order=14))
    if hasattr(sec, "KeyRevocation"):
        # Organiser only: no desk outbox (the hub refuses one pushed, saying who may send it).
        register(simple_table("key_revocations", sec.KeyRevocation, "public_key", order=16))


_register_security()
