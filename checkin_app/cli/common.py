"""What every command needs: exit codes, the bilingual CliError, --db/--clock, opening the desk, output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkin_app.domain.clock import Clock, OffsetClock, SystemClock, zone
from checkin_app.domain.messages import Message, both, msg
from checkin_app.paths import default_db_path

if TYPE_CHECKING:
    from checkin_app.desk import DeskCore
    from checkin_app.storage.db import Database

LOCAL = zone()

EXIT_OK = 0
EXIT_REFUSED = 1  # a red verdict, a file with errors, rejected rows: scripts must notice
EXIT_ERROR = 2


class CliError(Exception):
    """A user-facing error; the message is bilingual."""


def zh_en(message: Message | str, sep: str = " / ") -> str:
    """A catalogue message on one line as the commands print it: "中文 / English"."""
    return both(message, sep=sep)


def parse_clock(text: str | None, db: Any = None) -> Clock:
    """`--clock 2024-11-23T09:30` runs a rehearsal clock from there (Chongqing time if no offset).

    With the database, the clock continues across restarts: the real instant a start was first
    used is kept in the database, so the same --clock later goes on from where it was (scan
    times never run backwards); another start begins anew. Without it, it starts at `text`.
    """
    if not text:
        return SystemClock()
    try:
        start = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliError(both(msg("cli.bad_clock", value=text))) from exc
    if start.tzinfo is None:
        start = start.replace(tzinfo=LOCAL)
    if db is None:
        return OffsetClock(start)
    from checkin_app.services.catalog import CatalogService

    real = SystemClock()
    return OffsetClock(start, since=CatalogService(db, real).rehearsal_since(start, real.now()))


def add_common(p: argparse.ArgumentParser) -> None:
    """--db and --clock, which every desk command takes."""
    p.add_argument("--db", type=Path, default=None,
                   help="database file (default: per-user data folder)")
    p.add_argument("--clock", default=os.environ.get("CHECKIN_CLOCK"),
                   help="rehearsal clock start, e.g. 2024-11-23T09:30 (Chongqing time; "
                   "env CHECKIN_CLOCK). It runs in real time from the first launch with that "
                   "value and continues across restarts (kept per database); give another "
                   "value to start anew")


def open_db(args: argparse.Namespace) -> Database:
    """The desk database of --db (checked; a damaged file replaced is reported on stderr)."""
    from checkin_app.services.recovery import finish_recovery
    from checkin_app.storage.db import Database, DatabaseError

    path: Path = args.db or default_db_path()
    try:
        db = Database(path, check=True)
    except DatabaseError as exc:
        raise CliError(str(exc)) from exc
    recovered = finish_recovery(db)  # a damaged file was moved aside and replaced: say so, go on
    if recovered is not None:
        print(recovered.message, file=sys.stderr)
    return db


def need_event(db: Any) -> None:
    """Refuse a database that holds no event yet (with what to do about it)."""
    from checkin_app.services.catalog import CatalogService

    if CatalogService(db).event() is None:
        raise CliError(both(msg("cli.no_event", path=str(db.path))))


def open_desk(args: argparse.Namespace, *, rehearsal: bool = True) -> DeskCore:
    """The desk core on --db, which must hold an event; no sync (a command does not talk to a hub).

    `rehearsal`: run on the --clock rehearsal clock (kept in the database); a command that reads
    no time (search, stats) leaves the database's rehearsal record alone and runs on the system clock.
    """
    from checkin_app.desk import DeskCore

    db = open_db(args)
    need_event(db)
    return DeskCore(db, parse_clock(args.clock, db) if rehearsal else SystemClock(), hub=False)


def desk_name(db: Any, given: str | None) -> str:
    """`given`, else this desk's name from its settings, else CLI."""
    from checkin_app.services.catalog import CatalogService

    if given:
        return str(given)
    return CatalogService(db).settings().desk_name or "CLI"


def read_pin(prompt: str) -> str:
    """A PIN from the terminal without echo, or one line of stdin (scripts and tests)."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().strip()  # scripts and tests: one PIN per line


def print_json(data: object, *, default: Callable[[Any], Any] | None = None) -> None:
    """`--json` output: UTF-8 text as it is (no \\u escapes), indented."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=default))


def local_time(moment: datetime) -> str:
    """A moment as the desk shows it: Chongqing time, to the second."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")
