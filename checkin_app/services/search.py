"""Name search for people without a code: ranked prefix lookups on search_keys, and (re)indexing."""

from __future__ import annotations

import multiprocessing
import os
import threading
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import islice, pairwise
from types import TracebackType
from typing import Any, cast

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, Prefix
from sqlalchemy import Connection, Index, Row, Table, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session, joinedload

from checkin_app import collector
from checkin_app.domain.search_keys import (
    KEY_FORMAT,
    DelegateText,
    PackedKeys,
    TextRow,
    build_keys,
    distinct_keys_sql,
    key_params,
    key_range,
    packed_key_params,
    query_variants,
    search_order,
    stored_key,
    typo_eligible,
    typo_ranges,
    typo_term,
    unpack_keys,
)
from checkin_app.domain.types import DelegateView
from checkin_app.lifeline import die_with_parent
from checkin_app.services.views import delegate_view
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

# Delegates read and indexed per step of reindex_all (one progress report each).
REINDEX_CHUNK = 2000
# SQLite allows many bound parameters, but long IN lists plan and bind slowly.
_IN_CHUNK = 500
# From this many delegates on, index_delegates rebuilds the key index instead of updating it
# (which costs a few tenths of a second per 100,000 keys in the table) and builds keys in
# worker processes (which cost about a second to start).
BULK_INDEX = 5000
# Worker processes building keys in bulk: the other cores, as the caller writes meanwhile
# (on one core, none: keys are built in this process).
BULK_WORKERS = min(4, (os.cpu_count() or 1) - 1)
# Chunks handed to the workers ahead of the one being written: keeps them busy, memory bounded.
_AHEAD = 8
# The desk setting naming the key format the search_keys table was built with (see KEY_FORMAT).
SETTING_KEY_FORMAT = "search.key_format"
# Distinct typo candidate keys read per query at most; each is scored by RapidFuzz.
TYPO_WINDOW = 2000
# Set while some delegates' keys are still to be built: a big import commits its people first
# and leaves their keys to build_pending (the people are those with no key at all). Meanwhile
# the search also scans those people's names as written (see _unindexed_matches).
SETTING_PENDING = "search.pending"
# From this many delegates on, an import defers their keys (defer_index) instead of building
# them inside its own transaction, which would hold the write lock several seconds longer.
DEFER_INDEX = BULK_INDEX

_TEXT_COLUMNS = (
    m.Delegate.id,
    m.Delegate.name_native,
    m.Delegate.name_latin,
    m.Delegate.family_name,
    m.Delegate.given_name,
    m.Delegate.name_order,
    m.Delegate.registration_code,
    m.Delegate.organisation_zh,
    m.Delegate.organisation_en,
)

_TextRow = Row[int, str, str, str, str, str, str, str, str]

# One kind's matches in rank order. The index on key stores (key, rowid), so this ORDER BY
# is the index order itself: SQLite walks the range and stops at the LIMIT, with no sort.
_CANDIDATES = (
    select(m.SearchKey.id, m.SearchKey.delegate_id, m.SearchKey.key)
    .where(m.SearchKey.key >= bindparam("low"), m.SearchKey.key < bindparam("high"))
    .order_by(m.SearchKey.key, m.SearchKey.id)
    .limit(bindparam("window"))
)
_INSERT_KEYS = 'INSERT INTO search_keys (delegate_id, "key", kind) VALUES (?, ?, ?)'
# The model's own definition of the key index, which reindex_all drops and rebuilds.
_KEY_INDEX: Index = {str(ix.name): ix for ix in cast(Table, m.SearchKey.__table__).indexes}[
    "ix_search_keys_key"
]


@dataclass(frozen=True, slots=True)
class SeenAt:
    """A found person's check-in at the desk's activity: when first in, and whether inside now."""

    first_in_at: datetime
    first_in_desk: str
    inside: bool


class SearchService:
    """Find delegates by name (characters, pinyin, initials, Latin spelling), code or organisation."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._keys_checked = False
        # The desk searches from two reader threads: only one of them may rebuild the keys.
        self._keys_lock = threading.Lock()

    def ensure_current_keys(self) -> bool:
        """Rebuild the search keys if they were built under another key format; True if it did.

        The first search does this by itself (a few seconds at 100,000 delegates, once per
        database after an upgrade); a caller may run it earlier, off the GUI thread.
        """
        with self.db.read() as session:
            stored = session.get(m.DeskSetting, SETTING_KEY_FORMAT)
            current = stored is not None and stored.value == str(KEY_FORMAT)
            empty = session.scalar(select(m.SearchKey.id).limit(1)) is None and not session.scalar(
                select(m.Delegate.id).limit(1))
        rebuilt = False
        if not current:
            if empty:
                with self.db.write() as session:
                    session.merge(m.DeskSetting(key=SETTING_KEY_FORMAT, value=str(KEY_FORMAT)))
            else:
                reindex_all(self.db)
                rebuilt = True
        self._keys_checked = True
        return rebuilt

    def index_pending(self) -> bool:
        """Whether some people's search keys are still to be built (after a big import)."""
        with self.db.read() as session:
            return session.get(m.DeskSetting, SETTING_PENDING) is not None

    def build_pending(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Build the keys an import deferred, in one write transaction (some seconds at 100,000
        people); keys written. Safe after a kill or twice at once: what is pending is read from
        the data (people with no key), under the write lock."""
        return build_pending(self.db, progress)

    def search(self, text: str, *, limit: int = 20) -> list[DelegateView]:
        """The best matches for what was typed, best first; [] for empty or blank input.

        Order: exact full name, full-name prefix, name part, initials (Chinese, then others),
        registration code, organisation, then names one typo away; two letters that are not a
        pinyin syllable look up Chinese initials first. Within a kind, by the query's spelling
        (query_variants), the matched (folded) key, then by the key's row, which reindex_all
        writes in delegate-id order.
        """
        variants = query_variants(text)
        if not variants or limit <= 0:
            return []
        if not self._keys_checked:
            with self._keys_lock:
                if not self._keys_checked:
                    self.ensure_current_keys()
        with self.db.read() as session:
            ids = _ranked_ids(session, variants, limit)
            if len(ids) < limit and session.get(m.DeskSetting, SETTING_PENDING) is not None:
                # People imported moments ago whose keys are still being built: found by their
                # name, code or organisation as written, after every keyed match.
                ids += [i for i in _unindexed_matches(session, text, limit) if i not in ids]
                ids = ids[:limit]
            if not ids:
                return []
            rows = session.scalars(
                select(m.Delegate).where(m.Delegate.id.in_(ids)).options(joinedload(m.Delegate.category))
            ).all()
            by_id = {d.id: d for d in rows}
            # A record the organiser merged into another is listed as the record that stands for
            # it, once, where it ranked first (its keys stay: its name and code find the person).
            into = {d.merged_into for d in rows if d.merged_into}
            if into:
                kept = {d.uid: d for d in session.scalars(
                    select(m.Delegate).where(m.Delegate.uid.in_(into), m.Delegate.merged_into == "")
                    .options(joinedload(m.Delegate.category)))}
                people = [kept.get(by_id[i].merged_into, by_id[i]) if by_id[i].merged_into else by_id[i]
                          for i in ids if i in by_id]
                return [delegate_view(d) for d in {d.id: d for d in people}.values()]
            return [delegate_view(by_id[i]) for i in ids if i in by_id]

    def seen_at(self, delegate_ids: Sequence[int], activity_code: str) -> dict[int, SeenAt]:
        """Which of these people have checked in to the activity (from the presence projection)."""
        if not delegate_ids:
            return {}
        with self.db.read() as session:
            rows = session.execute(
                select(m.Presence.delegate_id, m.Presence.first_in_at, m.Presence.first_in_desk,
                       m.Presence.last_direction)
                .join(m.Activity, m.Activity.id == m.Presence.activity_id)
                .where(m.Activity.code == activity_code, m.Presence.delegate_id.in_(delegate_ids))
            ).all()
        return {r[0]: SeenAt(r[1], r[2], r[3] == "in") for r in rows}


def _ranked_ids(session: Session, variants: Sequence[str], limit: int) -> list[int]:
    """Delegate ids of the best `limit` matches of the query's spellings, best first."""
    found: dict[int, None] = {}  # insertion-ordered: the ranking
    # Core on the session's connection: these are plain rows, the ORM layer would only add
    # per-call overhead to the few lookups of one keystroke.
    conn = session.connection()
    for kind in search_order(variants[0]):
        for query in variants:
            _add_kind(conn, kind, query, limit, found)
    if len(found) < limit:
        typo_query = next((v for v in variants if typo_eligible(v)), None)
        if typo_query is not None:
            for delegate_id in _typo_ids(conn, typo_query, limit - len(found), found):
                found[delegate_id] = None
    return list(found)


def _typo_ids(conn: Connection, query: str, need: int, found: dict[int, None]) -> list[int]:
    """Up to `need` more delegates whose name is one edit from the query, best first.

    One statement lists the distinct candidate keys of the typo ranges (a skip scan: one index
    seek per distinct key), RapidFuzz scores each candidate term against the whole query (OSA:
    a letter wrong, missing or extra, or two neighbours swapped, each count one), and only the
    keys that match are read for their delegates. Ranked by distance, then by Indel distance
    (a letter left out or added is the commonest slip), then by the longer common start (a
    slip late in a name is likelier), then term, then key row; a first pass takes a few people
    per name, so 800 people called 陈军 do not push 陈俊熙 off the page for "chenjuni".
    """
    ranges = typo_ranges(query)
    params = [bound for r in ranges for bound in r]
    keys = [k for (k,) in conn.exec_driver_sql(_distinct_sql(len(ranges)), (*params, TYPO_WINDOW))]
    term_of = {k: typo_term(int(k[0]), k[1:]) for k in keys}
    if not term_of:
        return []
    distance = {
        term: int(score)
        for term, score, _ in process.extract(
            query, set(term_of.values()), scorer=OSA.distance, score_cutoff=1, limit=None
        )
    }
    ranked = sorted(
        (k for k, term in term_of.items() if term in distance),
        key=lambda k: (distance[term_of[k]], Indel.distance(query, term_of[k]),
                       -Prefix.similarity(query, term_of[k]), term_of[k], k),
    )
    terms = len({term_of[k] for k in ranked})
    out: dict[int, None] = {}
    taken: dict[str, int] = {}
    for share in (max(3, need // max(terms, 1)), need):
        for k in ranked:
            term = term_of[k]
            room = share - taken.get(term, 0)
            if room <= 0 or len(out) >= need:
                continue
            rows = conn.exec_driver_sql(_KEY_DELEGATES, (k, len(found) + len(out) + room)).all()
            for (delegate_id,) in rows:
                if delegate_id not in found and delegate_id not in out and taken.get(term, 0) < share:
                    out[delegate_id] = None
                    taken[term] = taken.get(term, 0) + 1
        if len(out) >= need:
            break
    return list(out)[:need]


_KEY_DELEGATES = 'SELECT delegate_id FROM search_keys WHERE "key" = ? ORDER BY id LIMIT ?'


@lru_cache(maxsize=64)
def _distinct_sql(ranges: int) -> str:
    return distinct_keys_sql(ranges)


def _add_kind(conn: Connection, kind: int, query: str, limit: int, found: dict[int, None]) -> None:
    """Add this kind's best matches of one spelling to found, up to limit in all."""
    need = limit - len(found)
    if need <= 0:
        return
    low, high = key_range(kind, query)
    # A delegate may hold several keys in one range (zhangwei and zhangwei's variants), so
    # ask for a few rows per needed delegate, and more only if that fell short.
    window = max(4 * need, 16)
    while True:
        rows = conn.execute(_CANDIDATES, {"low": low, "high": high, "window": window}).all()
        fresh: dict[int, None] = {}
        for _key_id, delegate_id, _key in rows:
            if delegate_id not in found:
                fresh[delegate_id] = None
        if len(fresh) >= need or len(rows) < window:
            break
        window *= 4
    # Every match of a better kind outranks every match of this one, so taking this kind's
    # best `need` keeps the overall order exact.
    for delegate_id in list(fresh)[:need]:
        found[delegate_id] = None


def _keys_of(row: _TextRow) -> DelegateText:
    return DelegateText(
        name_native=row.name_native,
        name_latin=row.name_latin,
        family_name=row.family_name,
        given_name=row.given_name,
        name_order=row.name_order,
        registration_code=row.registration_code,
        organisation_zh=row.organisation_zh,
        organisation_en=row.organisation_en,
    )


def _write_keys(session: Session, rows: Iterable[_TextRow]) -> int:
    """Insert the keys of these delegate rows (whose old keys are already gone)."""
    params = [
        (row.id, stored_key(kind, text), kind) for row in rows for kind, text in build_keys(_keys_of(row))
    ]
    if params:
        # Plain DB-API executemany with tuples: half the time of a Core insert with a dict
        # per row, which matters at two million keys.
        session.connection().exec_driver_sql(_INSERT_KEYS, params)
    return len(params)


def _start_key_worker() -> None:
    die_with_parent()  # a killed import must not leave its workers behind (issue 15)
    # A worker builds keys for one job and ends with it: its collector is off (its tuples and
    # strings go by reference counting), as in the import's check worker.
    collector.off_in_worker()


class KeyBuilder:
    """Turns chunks of delegate text rows into search_keys rows, in order, maybe in parallel.

    With workers, chunks are built in spawned processes (spawned, not forked: the caller may be
    a thread of the GUI, and a frozen app starts its workers the same way) a few chunks ahead
    of the caller; without, in this process. Leaving the `with` block stops the workers and
    drops unfinished work, also when the caller failed or was cancelled.
    """

    def __init__(self, workers: int = 0) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_key_worker)

    def __enter__(self) -> KeyBuilder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def warm(self) -> None:
        """Start the workers now (they start on first use otherwise), e.g. while the caller waits."""
        if self._pool is not None:
            self._pool.submit(key_params, [])

    def map(self, chunks: Iterable[Sequence[Any]]) -> Iterator[list[tuple[int, str, int]]]:
        """The key rows of each chunk of text rows (id first, then DelegateText's fields)."""
        pool = self._pool
        if pool is None:
            for chunk in chunks:
                yield key_params(cast(Sequence[TextRow], chunk))
            return
        pending: deque[Future[PackedKeys]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(packed_key_params, cast(Sequence[TextRow], chunk)))
            if len(pending) > _AHEAD:
                yield unpack_keys(pending.popleft().result())
        while pending:
            yield unpack_keys(pending.popleft().result())


def _batched(items: Iterable[int], size: int) -> Iterator[tuple[int, ...]]:
    # itertools.batched arrives only in Python 3.12.
    it = iter(items)
    while chunk := tuple(islice(it, size)):
        yield chunk


def index_delegates(session: Session, delegate_ids: Sequence[int], *,
                    builder: KeyBuilder | None = None,
                    progress: Callable[[int, int], None] | None = None) -> int:
    """(Re)write the search keys of these delegates in the caller's transaction; keys written.

    Ids of delegates that no longer exist just lose their keys. Call after adding or editing
    delegates (import, walk-in, sync) and before committing. From BULK_INDEX delegates on
    (a registration import), the key index is dropped and rebuilt around the writes, as in
    reindex_all, and the keys are built in worker processes: `builder`'s, when given (workers
    started ahead by a caller that knows a big job is coming), else a KeyBuilder of its own.
    """
    # Already ascending (build_pending's 64-bit array): used as it is, not copied into a set and
    # a sorted list of Python ints (some 100 MB at 1.4 million people).
    ids: Sequence[int] = (delegate_ids if all(a < b for a, b in pairwise(delegate_ids))
                          else sorted(set(delegate_ids)))
    bulk = len(ids) >= BULK_INDEX
    written = 0
    _mark_format(session)
    if bulk:
        # Rebuilding the index once from sorted keys beats a million updates in random key
        # order; DDL is transactional in SQLite, so a rollback brings the old index back.
        _KEY_INDEX.drop(session.connection())
    with ExitStack() as stack:
        if bulk:
            # Millions of key tuples pass through here: no collector passes meanwhile.
            stack.enter_context(collector.paused())
        if builder is None or not bulk:
            builder = stack.enter_context(KeyBuilder(workers=BULK_WORKERS if bulk else 0))
        done = 0
        for params in builder.map(_text_chunks(session, ids)):
            if params:
                session.connection().exec_driver_sql(_INSERT_KEYS, params)
            written += len(params)
            done = min(done + _IN_CHUNK, len(ids))
            if progress is not None:
                progress(done, len(ids))
    if bulk:
        _KEY_INDEX.create(session.connection())
    return written


def defer_index(session: Session, delegate_ids: Sequence[int]) -> None:
    """Leave these delegates' keys to build_pending, in the caller's transaction: their old
    keys go now (so a changed name is never found by its old keys), and the pending mark is
    set. Until build_pending has run they are found by _unindexed_matches."""
    if not delegate_ids:
        return
    _mark_format(session)
    # An import's new ids are consecutive: one ranged delete per run of them, not one probe
    # each; read in the given order (a run is consecutive ids, wherever it lies), so 1.4 million
    # ids in an array are never turned into a set and a sorted list (some 100 MB).
    runs: list[tuple[int, int]] = []
    for i in delegate_ids:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    for start, end in runs:
        session.execute(delete(m.SearchKey).where(m.SearchKey.delegate_id >= start,
                                                  m.SearchKey.delegate_id <= end),
                        execution_options={"synchronize_session": False})
    session.merge(m.DeskSetting(key=SETTING_PENDING, value="1"))


def _unkeyed() -> Any:
    """The delegates with no search key (those build_pending is to index)."""
    return ~select(m.SearchKey.id).where(m.SearchKey.delegate_id == m.Delegate.id).exists()


def _unindexed_matches(session: Session, text: str, limit: int) -> list[int]:
    """Ids of delegates without keys whose name, code or organisation holds what was typed
    (case-insensitive for Latin letters), in id order: the search while keys are pending."""
    typed = " ".join(text.split())
    if not typed:
        return []
    like = "%" + typed.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    cols = (m.Delegate.name_native, m.Delegate.name_latin, m.Delegate.registration_code,
            m.Delegate.organisation_zh, m.Delegate.organisation_en)
    found = session.scalars(
        select(m.Delegate.id)
        .where(_unkeyed(), or_(*(func.lower(c).like(like, escape="\\") for c in cols)))
        .order_by(m.Delegate.id).limit(limit))
    return [int(i) for i in found]


def build_pending(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """See SearchService.build_pending."""
    with db.read() as session:  # the common case, at every desk start: nothing pending
        if session.get(m.DeskSetting, SETTING_PENDING) is None:
            return 0
    with db.write() as session:
        if session.get(m.DeskSetting, SETTING_PENDING) is None:
            return 0  # built meanwhile by another caller
        ids = array("q", session.scalars(
            select(m.Delegate.id).where(_unkeyed()).order_by(m.Delegate.id)))
        # One transaction, on index_delegates' bulk path (keys built in worker processes, the
        # key index built once): the fastest way to searchable, and the people are already
        # committed, so check-ins by code went on while the import's transaction was open and
        # go on again after this one.
        written = index_delegates(session, ids, progress=progress)
        # (One that gives no key at all, e.g. no name and no code, is not pending for ever.)
        session.execute(delete(m.DeskSetting).where(m.DeskSetting.key == SETTING_PENDING))
    return written


def _mark_format(session: Session) -> None:
    if session.get(m.DeskSetting, SETTING_KEY_FORMAT) is None and session.scalar(
        select(m.SearchKey.id).limit(1)
    ) is None:
        # A new database's first keys: they are of this format (an old table has no setting
        # but has keys, and is rebuilt before its next search).
        session.merge(m.DeskSetting(key=SETTING_KEY_FORMAT, value=str(KEY_FORMAT)))


def _text_chunks(session: Session, ids: Sequence[int]) -> Iterator[list[tuple[Any, ...]]]:
    """Drop the old keys of the ids, chunk by chunk, and yield the searchable text of each chunk."""
    for chunk in _batched(ids, _IN_CHUNK):
        session.execute(
            delete(m.SearchKey).where(m.SearchKey.delegate_id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
        rows = session.execute(
            select(*_TEXT_COLUMNS).where(m.Delegate.id.in_(chunk)).order_by(m.Delegate.id)
        ).all()
        yield [tuple(r) for r in rows]


def reindex_all(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the search keys of every delegate; returns how many keys were written.

    Meant for bulk loads (demo data, a registration import, a new key format): one write
    transaction, so searches keep seeing the complete old keys until the new ones commit.
    It holds the write lock for the whole rebuild (seconds at 100,000 delegates); keep
    day-to-day changes on index_delegates. `progress(done, total)` follows each chunk.
    """
    with db.write() as session:
        total = session.scalar(select(func.count()).select_from(m.Delegate)) or 0
        conn = session.connection()
        # Building the key index once from sorted data is several times faster than updating
        # it for a million inserts in random key order; the model's own Index object is
        # dropped and recreated, so the schema ends exactly as the migrations made it.
        _KEY_INDEX.drop(conn)
        conn.execute(delete(m.SearchKey))
        written = 0
        done = 0
        after = 0  # the highest delegate id already indexed
        while rows := session.execute(
            select(*_TEXT_COLUMNS).where(m.Delegate.id > after).order_by(m.Delegate.id).limit(REINDEX_CHUNK)
        ).all():
            written += _write_keys(session, rows)
            after = rows[-1].id
            done += len(rows)
            if progress is not None:
                progress(done, max(total, done))
        _KEY_INDEX.create(conn)
        session.merge(m.DeskSetting(key=SETTING_KEY_FORMAT, value=str(KEY_FORMAT)))
        session.execute(delete(m.DeskSetting).where(m.DeskSetting.key == SETTING_PENDING))
    return written
