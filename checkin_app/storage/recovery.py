"""A damaged desk database: found at open, kept aside, what reads cleanly carried into a fresh file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from checkin_app.domain.codes import STUB_PREFIX
from checkin_app.domain.codes import STUB_UPDATED_AT as STUB_STAMP
from checkin_app.domain.messages import Words, both, msg, text
from checkin_app.domain.tokens import is_walk_in_id

SQLITE_MAGIC = b"SQLite format 3\x00"
# Built again from the delegates by the first search (services.search rebuilds the keys when its
# format setting is missing); 88 % of a 100,000-delegate file, so the start-up check leaves it to
# the first search and to the full check a damaged page found there asks for.
DERIVED_TABLES = frozenset({"search_keys"})
# The setting naming the search-key format (services.search.SETTING_KEY_FORMAT): dropped so the
# keys are rebuilt in the fresh file. Storage may not import services, hence the copy.
SEARCH_KEY_FORMAT_SETTING = "search.key_format"
SYNC_CURSOR = "sync.cursor"  # sync.client.K_CURSOR: 0 pulls everything from the hub again
# sync.client.K_REF_DATA and K_REFUSED: items the hub refused wait for reference data newer than
# this mark. Pulled again from 0, the data comes with lower sequence numbers than the mark the
# damaged file held, so the mark and the refusals' marks start over too.
SYNC_REFERENCE = "sync.reference_seq"
SYNC_REFUSED = "refused:"
NOT_COPIED = frozenset({"alembic_version", *DERIVED_TABLES})
# A placeholder for a person whose row is not here: services.checkin makes one for a verified
# badge token not synced yet, and sync.tables turns it into the real delegate in place when the
# hub sends that person (same id). The prefix and the stamp are the domain's (domain.codes); the
# stamp is written as SQLite holds it.
STUB_UPDATED_AT = STUB_STAMP.strftime("%Y-%m-%d %H:%M:%S.%f")
# What this desk recorded about a person, which must outlive a delegate row lost on a damaged
# page ("never lose a scan"): unsynced check-ins and prints go to the hub with the next sync,
# print jobs are the desk's queue, presence is what "inside now" reads from those check-ins.
# A lost delegate these refer to gets a placeholder; other rows about that person (admissions,
# import data) are the registration's and come back with it from the hub or a re-import.
KEPT_WITH_STUB = ("checkins", "badge_prints", "print_jobs", "presence")
# A queued print job of a placeholder would print a badge with no name on it.
STUB_JOB_ERROR = both(msg("recovery.stub_job"), sep=" / ")
LOCK_SUFFIX = ".lock"
# How long an opening desk process waits for another one checking or recovering the same file.
LOCK_WAIT_S = 60.0
RECHECK_SUFFIX = ".recheck"
_CHUNK = 500
_MAX_ROWID = 2**63 - 1
_MIN_ROWID = -(2**63)
# Damaged stretches skipped per table before giving the rest of it up: a file with this many is
# better re-synced than salvaged row by row.
_MAX_STRETCHES = 64


def is_damage(exc: BaseException) -> bool:
    """Whether an error (sqlite3's, or SQLAlchemy's wrapping one) says the file is damaged."""
    orig = getattr(exc, "orig", None) or exc
    if not isinstance(orig, sqlite3.DatabaseError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return True
    text = str(orig).lower()
    return "malformed" in text or "not a database" in text


def recheck_marker(path: Path) -> Path:
    """The file asking the next start for the full check (a damaged page was met mid-session)."""
    return path.with_name(path.name + RECHECK_SUFFIX)


def request_recheck(path: Path) -> None:
    """Ask the next start to check every table, derived ones included."""
    with contextlib.suppress(OSError):
        recheck_marker(path).touch()


class InUse(Exception):
    """The damaged file is open in another desk process: it was not moved; the message is bilingual."""


def in_use_message(path: Path) -> str:
    """Why a damaged file that another desk process holds open was left where it is (zh, en)."""
    return both(msg("recovery.in_use", path=str(path)))


def lock_path(path: Path) -> Path:
    """The lock file every desk process holds while it has `path` open."""
    return path.with_name(path.name + LOCK_SUFFIX)


class FileLock:
    """`<db>.lock`: shared while a process has the database open, exclusive to move it aside.

    An advisory flock, dropped by the kernel when its holder dies however it dies, so a killed
    desk never leaves the file looking used. The last holder to close removes the lock file;
    a process that locked a file removed meanwhile sees another file (or none) at the name and
    locks again. On Windows the lock is not taken: a file another process has open cannot be
    renamed there, and the move aside fails instead (move_aside then reports InUse).
    """

    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def _lock(self, exclusive: bool, wait: float) -> bool:
        if sys.platform == "win32":  # pragma: no cover - see the class docstring
            return True
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait
        while True:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(self._fd, mode)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
                continue
            if _same_file(self._fd, self.path):
                return True
            # Removed by its last holder between our open and our lock: lock the file there now.
            os.close(self._fd)
            self._fd = None

    def try_exclusive(self) -> bool:
        """The lock alone, now or not at all: False when another process holds it."""
        return self._lock(True, 0.0)

    def share(self, wait: float = LOCK_WAIT_S) -> bool:
        """Hold the lock with the other desk processes using the file (from exclusive, too)."""
        return self._lock(False, wait)

    def release(self) -> None:
        """Let go; the last holder removes the lock file."""
        if self._fd is None:
            return
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass  # others still hold it: the file stays theirs
            else:
                if _same_file(self._fd, self.path):
                    with contextlib.suppress(OSError):
                        self.path.unlink()
        os.close(self._fd)
        self._fd = None


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def _is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def find_damage(path: Path, *, full: bool = False) -> str | None:
    """SQLite's words for the damage found in this file, or None when it reads as sound.

    The check is `PRAGMA quick_check` (every b-tree page of a table and its indexes is read and
    its structure verified; unlike integrity_check, index entries are not matched to rows): by
    table, every table but the derived search keys, unless `full`. A missing or empty file, or
    one that is not SQLite at all (a wrong --db), is not called damaged: opening it says why.
    """
    if not _is_sqlite_file(path):
        return None
    try:
        con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        return str(exc) if is_damage(exc) else None
    try:
        if full:
            problems = [r[0] for r in con.execute("PRAGMA quick_check(5)")]
        else:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table'")]
            problems = []
            for name in tables:
                if name in DERIVED_TABLES:
                    continue
                quoted = name.replace('"', '""')
                problems += [r[0] for r in con.execute(f'PRAGMA quick_check("{quoted}")')]
        bad = [p for p in problems if p != "ok"]
        return "; ".join(bad[:3]) if bad else None
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return str(exc)
        return None  # busy, locked, I/O: not damage; the normal open reports it
    finally:
        con.close()


def move_aside(path: Path, now: float | None = None) -> Path:
    """Rename the file and its -wal/-shm to `<name>.damaged-<UTC time>` beside it; the new name.

    The -wal and -shm keep their suffixes, so SQLite (or `sqlite3 ... .recover`) opening the kept
    file still sees the transactions its WAL holds.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("-wal", "-shm", ""):
            side = path.with_name(path.name + suffix)
            if suffix and not side.exists():
                continue
            target = aside.with_name(aside.name + suffix)
            os.replace(side, target)
            moved.append((target, side))
    except PermissionError as exc:  # pragma: no cover - Windows: open in another process
        for target, side in reversed(moved):
            with contextlib.suppress(OSError):
                os.replace(target, side)
        raise InUse(in_use_message(path)) from exc
    return aside


@dataclass
class TableSalvage:
    """What came over of one table: every row (`whole`), some (`stretches` skipped), or none."""

    name: str
    rows: int = 0
    whole: bool = True
    stretches: int = 0
    orphans: int = 0  # rows dropped because the row they refer to was not readable


@dataclass
class Recovery:
    """A damaged file moved aside and the fresh file that replaced it."""

    damaged_path: Path
    problem: str
    tables: list[TableSalvage] = field(default_factory=list)
    # Ids of lost delegates now held by a placeholder, so what this desk recorded about them
    # stays (KEPT_WITH_STUB); `recovered_uids` of them kept their uid (read from its index).
    stubs: list[int] = field(default_factory=list)
    recovered_uids: int = 0
    finished: bool = False  # services.recovery.finish_recovery ran (derived data rebuilt)

    @property
    def incomplete(self) -> list[TableSalvage]:
        """Tables with rows left behind in the damaged file."""
        return [t for t in self.tables if not t.whole or t.orphans]

    def _lists(self) -> tuple[str, str]:
        kept = sum(t.rows for t in self.tables)
        if not self.incomplete:
            parts = [msg("recovery.all_kept", kept=kept)]
        else:
            names = ", ".join(f"{t.name} ({t.rows})" for t in self.incomplete)
            parts = [msg("recovery.some_kept", kept=kept, names=names)]
            if self.stubs:
                parts.append(msg("recovery.stubs", n=len(self.stubs)))
        zh, en = ("".join(text(p, lang) for p in parts) for lang in ("zh", "en"))
        return zh, en

    @property
    def message(self) -> str:
        """The full bilingual notice (CLI stderr, log, the desk's notice)."""
        zh_list, en_list = self._lists()
        return both(msg("recovery.notice", problem=str(self.problem), path=str(self.damaged_path),
                        lists=Words(zh_list, en_list)))

    @property
    def short(self) -> str:
        """One line in both languages for the desk's status bar (`message` in its tooltip)."""
        return both(msg("recovery.short"), sep=" / ")


def _columns(con: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA {schema}.table_xinfo("{table}")') if r[6] == 0]


def _tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _readable_from(old: sqlite3.Connection, table: str, start: int) -> bool:
    # NOT INDEXED and every column: the table's own pages are read, not an index that holds
    # the rowids too (which read fine past a damaged leaf of the table).
    try:
        old.execute(f'SELECT * FROM "{table}" NOT INDEXED WHERE rowid >= ? ORDER BY rowid LIMIT 1',
                    (start,)).fetchall()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return False
        raise
    return True


def _skip_stretch(old: sqlite3.Connection, table: str, last: int) -> int | None:
    """The first rowid after `last` (which failed) from which the table reads again, or None.

    Probes ahead in doubling steps, then narrows down between the last probe that failed and
    the first that read: at most about 128 seeks for a damaged stretch.
    """
    bad, step = last, 1
    while True:
        probe = min(last + step, _MAX_ROWID)
        if _readable_from(old, table, probe):
            good = probe
            break
        bad = probe
        if probe == _MAX_ROWID:
            return None
        step *= 2
    while good - bad > 1:
        mid = (bad + good) // 2
        if _readable_from(old, table, mid):
            good = mid
        else:
            bad = mid
    return good


def _rows(old: sqlite3.Connection, table: str, cols: str, salvage: TableSalvage
          ) -> Iterator[list[tuple[object, ...]]]:
    """The table's rows in rowid order, stepping over damaged stretches.

    Chunks while the pages read; where one fails, row by row (a seek per row: the driver reads
    a row ahead, so a failing chunk loses the good row before the damage) past the damage.
    """
    sql = f'SELECT rowid, {cols} FROM "{table}" NOT INDEXED WHERE rowid >= ? ORDER BY rowid'
    start = _MIN_ROWID
    while True:
        got: list[tuple[object, ...]] = []
        try:
            got = old.execute(f"{sql} LIMIT {_CHUNK}", (start,)).fetchall()
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
        else:
            if got:
                yield [r[1:] for r in got]
            if len(got) < _CHUNK or int(got[-1][0]) >= _MAX_ROWID:  # type: ignore[call-overload]
                return
            start = int(got[-1][0]) + 1  # type: ignore[call-overload]
            continue
        # Row by row through the damaged part, then chunks again.
        for _ in range(_CHUNK):
            try:
                row = old.execute(f"{sql} LIMIT 1", (start,)).fetchone()
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                salvage.whole = False
                salvage.stretches += 1
                resume = (None if salvage.stretches > _MAX_STRETCHES
                          else _skip_stretch(old, table, start))
                if resume is None:
                    return
                start = resume
                continue
            if row is None:
                return
            yield [row[1:]]
            if int(row[0]) >= _MAX_ROWID:
                return
            start = int(row[0]) + 1


def _copy_table(old: sqlite3.Connection, new: sqlite3.Connection, table: str) -> TableSalvage:
    salvage = TableSalvage(table)
    cols = [c for c in _columns(new, "main", table) if c in set(_columns(old, "main", table))]
    if not cols:
        return salvage
    col_list = ", ".join(f'"{c}"' for c in cols)
    insert = (f'INSERT OR REPLACE INTO "{table}" ({col_list}) '
              f'VALUES ({", ".join("?" * len(cols))})')
    for batch in _rows(old, table, col_list, salvage):
        new.executemany(insert, batch)
        salvage.rows += len(batch)
    return salvage


def _delegate_refs(fresh: sqlite3.Connection) -> dict[str, list[str]]:
    """{table: its columns that refer to delegates.id}, from the fresh file's own schema."""
    refs: dict[str, list[str]] = {}
    for table in _tables(fresh):
        for fk in fresh.execute(f'PRAGMA foreign_key_list("{table}")'):
            # (id, seq, parent table, from column, to column, on update, on delete, match)
            if fk[2] == "delegates" and fk[4] in ("id", None):
                refs.setdefault(table, []).append(str(fk[3]))
    return refs


def _lost_uids(old: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """The uids of delegate rows lost from the table, read from the uid index where it reads.

    The index is a b-tree of its own, (uid, rowid) per entry: a damaged leaf of the table leaves
    it whole. With its uid a placeholder's check-ins go to the hub at the very next push; without,
    the hub refuses them until the pull has brought the person (by id) and the next push.
    """
    out: dict[int, str] = {}
    try:
        for _seq, name, unique, *_ in old.execute('PRAGMA index_list("delegates")').fetchall():
            cols = [r[2] for r in old.execute(f'PRAGMA index_info("{name}")')]
            if unique and cols == ["uid"]:
                for i in range(0, len(ids), _CHUNK):
                    part = ids[i:i + _CHUNK]
                    out.update(old.execute(
                        f'SELECT rowid, uid FROM delegates INDEXED BY "{name}" WHERE rowid IN '
                        f'({", ".join("?" * len(part))})', part).fetchall())
                break
    except sqlite3.DatabaseError as exc:  # the index is damaged too: what was read stands
        if not is_damage(exc):
            raise
    return {d: str(u) for d, u in out.items() if isinstance(u, str) and u}


def _filler(kind: str) -> object:
    """An empty value of a column's declared type (raw SQL gets no ORM default)."""
    kind = kind.upper()
    return "" if any(t in kind for t in ("CHAR", "TEXT", "CLOB")) else 0


def _hold_lost_delegates(old: sqlite3.Connection, fresh: sqlite3.Connection, report: Recovery,
                         by_name: dict[str, TableSalvage]) -> None:
    """A placeholder for each lost delegate that KEPT_WITH_STUB rows refer to, made as a scan
    of a verified token not synced yet makes one (services.checkin): those rows stay, go to the
    hub with the next sync, and the real row from the hub takes the placeholder over in place.
    """
    refs = _delegate_refs(fresh)
    lost: set[int] = set()
    for table in KEPT_WITH_STUB:
        for col in refs.get(table, []):
            lost.update(int(r[0]) for r in fresh.execute(
                f'SELECT DISTINCT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL '
                f'AND "{col}" NOT IN (SELECT id FROM delegates)'))
    # A reprint here the hub has not heard of (no foreign key: it is kept anyway) is pushed by
    # its delegate's uid: without a row for that person it would never leave, and the replaced
    # badge would stay good at every other desk.
    with contextlib.suppress(sqlite3.OperationalError):  # a file from before revocations
        lost.update(int(r[0]) for r in fresh.execute(
            "SELECT DISTINCT delegate_id FROM badge_revocations WHERE synced = 0 "
            "AND delegate_id NOT IN (SELECT id FROM delegates)"))
    if not lost:
        return
    # The row's category went with it; the commonest one stands in (what a badge token says
    # replaces it at the next scan of that badge; the hub's row at the next sync).
    category = fresh.execute("SELECT category_id FROM delegates GROUP BY category_id "
                             "ORDER BY count(*) DESC, category_id LIMIT 1").fetchone() \
        or fresh.execute("SELECT min(id) FROM categories").fetchone()
    if category is None or category[0] is None:
        return  # no category at all: nothing can stand in, those rows are dropped as orphans
    ids = sorted(lost)
    uids = _lost_uids(old, ids)
    wanted = sorted(set(uids.values()))
    taken: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        part = wanted[i:i + _CHUNK]
        taken.update(r[0] for r in fresh.execute(
            f'SELECT uid FROM delegates WHERE uid IN ({", ".join("?" * len(part))})', part))
    # The serial a placeholder may claim: past every serial printed or revoked here (a reprint
    # the hub has not heard of yet); the hub's row keeps the higher one (sync.tables).
    serials: dict[int, int] = {}
    for sql in ("SELECT delegate_id, max(badge_serial) FROM badge_prints GROUP BY delegate_id",
                "SELECT delegate_id, max(badge_serial) FROM print_jobs GROUP BY delegate_id",
                "SELECT delegate_id, max(serial) + 1 FROM badge_revocations GROUP BY delegate_id"):
        with contextlib.suppress(sqlite3.OperationalError):  # a table this version lacks
            for d_id, serial in fresh.execute(sql):
                if isinstance(serial, int):
                    serials[d_id] = max(serials.get(d_id, 1), serial)
    given = {"category_id": category[0], "status": "approved", "updated_at": STUB_UPDATED_AT,
             "badge_outdated": 0}
    cols = [(r[1], r[2]) for r in fresh.execute('PRAGMA table_xinfo("delegates")')
            if r[6] == 0 and (r[1] in given or r[1] in ("id", "uid", "registration_code",
                                                        "badge_serial", "walk_in")
                              or (r[3] and r[4] is None))]
    names = ", ".join(f'"{c}"' for c, _ in cols)
    insert = f'INSERT INTO delegates ({names}) VALUES ({", ".join("?" * len(cols))})'
    for d_id in ids:
        uid = uids.get(d_id)
        if uid is None or uid in taken:
            uid = f"token:{d_id}"
        else:
            report.recovered_uids += 1
        values: dict[str, object] = {
            **given, "id": d_id, "uid": uid, "registration_code": f"{STUB_PREFIX}{d_id}",
            "badge_serial": serials.get(d_id, 1), "walk_in": int(is_walk_in_id(d_id))}
        fresh.execute(insert, [values[c] if c in values else _filler(t) for c, t in cols])
    report.stubs = ids
    marks = ", ".join("?" * len(ids))
    # The person's registration rows went with the delegate row: the hub (or a re-import) sends
    # them again with it, and a claim in place would meet the old ones (sync.tables).
    for table, columns in refs.items():
        if table in KEPT_WITH_STUB:
            continue
        for col in columns:
            gone = fresh.execute(f'DELETE FROM "{table}" WHERE "{col}" IN ({marks})', ids).rowcount
            if gone and table in by_name:
                by_name[table].orphans += gone
                by_name[table].rows -= gone
    if "print_jobs" in refs:
        fresh.execute(f"UPDATE print_jobs SET state = 'failed', error = ? WHERE state IN "
                      f"('queued', 'printing') AND delegate_id IN ({marks})", [STUB_JOB_ERROR, *ids])


def salvage(damaged: Path, fresh: sqlite3.Connection, problem: str) -> Recovery:
    """Copy every readable row of the damaged file into the fresh (migrated, empty) database.

    The damaged file is opened read-only, so the kept copy stays as it was found. A delegate
    left behind that this desk's check-ins, prints or print jobs refer to is held by a
    placeholder, so no scan is lost; other rows that refer to a row left behind are dropped, so
    the fresh file is consistent. Then the sync cursor goes back to 0 where anything was left behind
    (the next sync pulls everything again), and the search keys are left to be rebuilt.
    """
    report = Recovery(damaged_path=damaged, problem=problem)
    old = sqlite3.connect(f"file:{quote(str(damaged))}?mode=ro", uri=True)
    try:
        try:
            old_tables = set(_tables(old))
        except sqlite3.DatabaseError as exc:  # the schema itself is damaged: nothing to carry
            if not is_damage(exc):
                raise
            old_tables = set()
        fresh.execute("PRAGMA foreign_keys=OFF")
        fresh.execute("BEGIN IMMEDIATE")
        try:
            for table in _tables(fresh):
                if table in NOT_COPIED:
                    continue
                if table not in old_tables:  # new in this version: nothing to carry
                    report.tables.append(TableSalvage(table, whole=bool(old_tables)))
                    continue
                fresh.execute("SAVEPOINT carry")
                try:
                    report.tables.append(_copy_table(old, fresh, table))
                except sqlite3.Error:
                    # Not damage (that is stepped over) but rows the fresh schema refuses, e.g. a
                    # file from an older version: this table stays empty, the others come over.
                    fresh.execute("ROLLBACK TO carry")
                    report.tables.append(TableSalvage(table, whole=False))
                fresh.execute("RELEASE carry")
            by_name = {t.name: t for t in report.tables}
            _hold_lost_delegates(old, fresh, report, by_name)
            # Repeated: dropping a delegate's rows can orphan rows that refer to those rows.
            while orphans := fresh.execute("PRAGMA foreign_key_check").fetchall():
                for table, rowid, _parent, _fk in orphans:
                    fresh.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
                    if table in by_name:
                        by_name[table].orphans += 1
                        by_name[table].rows -= 1
            fresh.execute("DELETE FROM desk_settings WHERE key = ?", (SEARCH_KEY_FORMAT_SETTING,))
            if report.incomplete or not old_tables:
                fresh.execute("UPDATE sync_state SET value = '0' WHERE key IN (?, ?)",
                              (SYNC_CURSOR, SYNC_REFERENCE))
                fresh.execute("UPDATE sync_state SET value = json_set(value, '$.ref', 0) "
                              "WHERE key LIKE ? AND json_valid(value)", (SYNC_REFUSED + "%",))
            fresh.execute("COMMIT")
        except BaseException:
            fresh.execute("ROLLBACK")
            raise
        finally:
            fresh.execute("PRAGMA foreign_keys=ON")
    finally:
        old.close()
    return report
