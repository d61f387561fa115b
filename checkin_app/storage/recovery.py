"""A damaged desk database: found at open, kept aside, what reads cleanly carried into a fresh file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SQLITE_MAGIC = b"SQLite format 3\x00"
# Built again from the delegates by the first search (services.search rebuilds the keys when its
# format setting is missing); 88 % of a 100,000-delegate file, so the start-up check leaves it to
# the first search and to the full check a damaged page found there asks for.
DERIVED_TABLES = frozenset({"search_keys"})
# The setting naming the search-key format (services.search.SETTING_KEY_FORMAT): dropped so the
# keys are rebuilt in the fresh file. Storage may not import services, hence the copy.
SEARCH_KEY_FORMAT_SETTING = "search.key_format"
SYNC_CURSOR = "sync.cursor"  # sync.client.K_CURSOR: 0 pulls everything from the hub again
NOT_COPIED = frozenset({"alembic_version", *DERIVED_TABLES})
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
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    os.replace(path, aside)
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
    finished: bool = False  # services.recovery.finish_recovery ran (derived data rebuilt)

    @property
    def incomplete(self) -> list[TableSalvage]:
        """Tables with rows left behind in the damaged file."""
        return [t for t in self.tables if not t.whole or t.orphans]

    def _lists(self) -> tuple[str, str]:
        kept = sum(t.rows for t in self.tables)
        if not self.incomplete:
            return (f"已完整转移 {kept} 行数据。", f"All {kept} rows were carried over.")
        names = ", ".join(f"{t.name} ({t.rows})" for t in self.incomplete)
        return (f"已转移 {kept} 行；以下表有无法读取的行（括号内为已转移行数）：{names}。"
                "请与中心服务器同步以补回数据。",
                f"{kept} rows were carried over; these tables had rows that could not be read "
                f"(rows carried in brackets): {names}. Sync with the hub to get the rest back.")

    @property
    def message(self) -> str:
        """The full bilingual notice (CLI stderr, log, the desk's notice)."""
        zh_list, en_list = self._lists()
        return (
            f"本机数据库已损坏（{self.problem}）。损坏的文件已保留为 {self.damaged_path}，"
            f"以便恢复；签到台改用新的数据库文件继续签到。{zh_list}请通知技术支持。\n"
            f"This desk's database is damaged ({self.problem}). The damaged file was kept as "
            f"{self.damaged_path} for recovery, and the desk goes on recording scans in a fresh "
            f"database file. {en_list} Tell technical support."
        )

    @property
    def short(self) -> str:
        """One line in both languages for the desk's status bar (`message` in its tooltip)."""
        return ("数据库已损坏：已改用新文件继续签到，旧文件已保留 / "
                "Database damaged: scanning goes on in a fresh file, the damaged one is kept")


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


def salvage(damaged: Path, fresh: sqlite3.Connection, problem: str) -> Recovery:
    """Copy every readable row of the damaged file into the fresh (migrated, empty) database.

    The damaged file is opened read-only, so the kept copy stays as it was found. Rows that
    refer to a row left behind (a check-in of a delegate on a damaged page) are dropped, so the
    fresh file is consistent. Then the sync cursor goes back to 0 where anything was left behind
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
            # Repeated: dropping a delegate's rows can orphan rows that refer to those rows.
            while orphans := fresh.execute("PRAGMA foreign_key_check").fetchall():
                for table, rowid, _parent, _fk in orphans:
                    fresh.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
                    if table in by_name:
                        by_name[table].orphans += 1
                        by_name[table].rows -= 1
            fresh.execute("DELETE FROM desk_settings WHERE key = ?", (SEARCH_KEY_FORMAT_SETTING,))
            if report.incomplete or not old_tables:
                fresh.execute("UPDATE sync_state SET value = '0' WHERE key = ?", (SYNC_CURSOR,))
            fresh.execute("COMMIT")
        except BaseException:
            fresh.execute("ROLLBACK")
            raise
        finally:
            fresh.execute("PRAGMA foreign_keys=ON")
    finally:
        old.close()
    return report
