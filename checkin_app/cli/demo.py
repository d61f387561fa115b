"""`checkin-app demo`: build the demo event, with an event key, signed sample codes and a PDF printer."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checkin_app.cli.common import EXIT_OK, CliError, add_common, zh_en
from checkin_app.domain.messages import both, msg
from checkin_app.paths import default_db_path


def add_parsers(sub: Any) -> None:
    """`demo`."""
    p = sub.add_parser("demo", help="build the demo event into the database")
    add_common(p)
    p.add_argument("--size", type=int, default=10_000, help="number of delegates")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--if-missing", action="store_true",
                   help="do nothing when the database file already exists")


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo event into a new file, atomically, so a killed build leaves nothing half-made."""
    from checkin_app.demo.build import build_demo
    from checkin_app.storage.db import Database

    path: Path = args.db or default_db_path()
    if path.exists():
        if args.if_missing:
            return EXIT_OK
        db = Database(path)
        try:
            _need_event_absent(db)
        finally:
            db.close()
    if args.size < 1:
        raise CliError(both(msg("cli.demo.size_min")))
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    db = Database(tmp)
    try:
        last = [-1]

        def progress(done: int, total: int) -> None:
            pct = done * 100 // max(total, 1)
            if pct != last[0] and sys.stderr.isatty():
                last[0] = pct
                print(f"\r{zh_en(msg('cli.demo.building'))} {pct:3d}%", end="", file=sys.stderr, flush=True)

        summary = build_demo(db, size=args.size, seed=args.seed, progress=progress)
    finally:
        db.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if path.exists():
        # Only reached for an existing file without an event (e.g. a fresh desk database).
        path.unlink()
    os.replace(tmp, path)
    for side in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        side.unlink(missing_ok=True)
    print(f"{zh_en(msg('cli.demo.built'))} {path}")
    print(f"  {summary.delegates} delegates, {summary.activities} activities, "
          f"{summary.categories} categories")
    print(f"  {zh_en(msg('cli.demo.samples'))}")
    for label, code in summary.samples.items():
        print(f"    {label:<20} {code}")
    demo_keys(path, summary.samples)
    _demo_printer(path)
    return EXIT_OK


def demo_keys(path: Path, samples: dict[str, str]) -> None:
    """Give a freshly built demo database an event key file beside it and a certified desk,
    and print signed codes for the samples, so `make run` scans real tokens."""
    from sqlalchemy import select

    from checkin_app.services.badge_codes import badge_code
    from checkin_app.services.keys import demo_key_file, setup_demo_keys
    from checkin_app.storage import models as m
    from checkin_app.storage.db import Database

    db = Database(path if path else default_db_path())
    try:
        key_file = demo_key_file(path)
        setup_demo_keys(db, key_file)
        with db.read() as s:
            ids = dict(s.execute(select(m.Delegate.registration_code, m.Delegate.id).where(
                m.Delegate.registration_code.in_(list(samples.values())))).all())
            tokens = {label: badge_code(s, ids[code]) for label, code in samples.items() if code in ids}
    finally:
        db.close()
    print(f"  {zh_en(msg('cli.demo.key_file'))} {key_file}")
    print(f"  {zh_en(msg('cli.demo.signed_codes'))}")
    for label, token in list(tokens.items())[:4]:
        print(f"    {label:<20} {token}")


def _demo_printer(path: Path) -> None:
    """Demo badges go to a folder of PDFs beside the database: a demo machine has no badge printer,
    and a queue of failed jobs is not what a first look should show."""
    from checkin_app.services.badges import BadgeService
    from checkin_app.storage.db import Database

    folder = path.resolve().parent / f"{path.stem}-badges"
    db = Database(path)
    try:
        BadgeService(db).save_settings(desk="demo", operator="demo", printer=f"folder:{folder}")
    finally:
        db.close()
    print(f"  {zh_en(msg('cli.demo.printer'))} {folder}")


def _need_event_absent(db: Any) -> None:
    from checkin_app.services.catalog import CatalogService

    if CatalogService(db).event() is not None:
        raise CliError(both(msg("cli.demo.has_event", path=str(db.path))))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"demo": cmd_demo}
