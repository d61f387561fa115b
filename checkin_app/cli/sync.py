"""Desk-side sync commands: `enrol CODE`, `sync [--once]`, `bundle export|import FILE`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checkin_app.cli.common import (
    EXIT_OK,
    CliError,
    add_common,
    desk_name,
    open_db,
    parse_clock,
    read_pin,
    zh_en,
)
from checkin_app.domain.messages import both, msg


def add_parsers(sub: Any) -> None:
    """Register the desk's sync commands."""
    p = sub.add_parser("enrol", help="connect this desk to a hub with an enrolment code (a desk that "
                                     "belongs to a hub already: asks for a manager PIN; audited)")
    add_common(p)
    p.add_argument("code", help="the code the hub printed (checkin-enrol:v1?…)")
    p = sub.add_parser("sync", help="sync with the hub (runs until stopped; --once for one round)")
    add_common(p)
    p.add_argument("--once", action="store_true")
    p = sub.add_parser("bundle", help="offline bundles (USB stick) for a desk without network")
    add_common(p)
    bs = p.add_subparsers(dest="bundle_command", required=True)
    q = bs.add_parser("export", help="write this desk's unsynced events to a file")
    add_common(q)
    q.add_argument("file", type=Path)
    q = bs.add_parser("import", help="load the hub's data bundle (event, activities, delegates)")
    add_common(q)
    q.add_argument("file", type=Path)
    q.add_argument("--fingerprint", default="",
                   help="the hub's certificate fingerprint, for a desk never enrolled (the hub prints it)")
    q.add_argument("--allow-unsigned", action="store_true",
                   help="also take a bundle no hub signed (written by an older hub)")
    q.add_argument("--change-hub", action="store_true",
                   help="move this desk to the hub that signed the bundle (--fingerprint; asks for a "
                        "manager PIN; audited); without it another hub's bundle is refused")


def _fail(exc: Exception) -> None:
    raise CliError(str(exc)) from exc


def cmd_enrol(args: argparse.Namespace) -> int:
    """Enrol with a hub."""
    from checkin_app.sync.client import DeskSync
    from checkin_app.sync.protocol import SyncError

    db = open_db(args)
    manager = ""
    try:
        sync = DeskSync(db)
        if sync.enrolment_needs_manager(args.code):
            # This desk belongs to a hub: moving it (or enrolling it anew) is a manager's
            # decision, asked before the one-time code is used.
            print(both(msg("cli.enrol.needs_manager")), file=sys.stderr)
            manager = _manager(db, args, "cli.action.reenrol")
        cfg = sync.enrol(args.code, manager=manager)
    except SyncError as exc:
        _fail(exc)
        raise
    finally:
        db.close()
    if manager:
        print(both(msg("cli.enrol.again_by", manager=manager)))
    print(f"{zh_en(msg('cli.enrol.done'))} {cfg.url} as desk “{cfg.desk}”")
    print(f"  {zh_en(msg('cli.enrol.next'))}")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    """One round (--once), or keep syncing until Ctrl+C."""
    import threading

    from checkin_app.printing.status import PrinterState
    from checkin_app.sync.client import DeskSync, SyncStatus
    from checkin_app.sync.protocol import SyncError
    from checkin_app.sync.worker import SyncWorker

    db = open_db(args)
    sync = DeskSync(db, parse_clock(args.clock), printer_state=PrinterState(db))
    try:
        if args.once:
            def progress(n: int) -> None:
                if sys.stderr.isatty():
                    print(f"\r{zh_en(msg('cli.sync.downloading'))} {n}", end="", file=sys.stderr, flush=True)

            try:
                pushed, applied = sync.sync_once(on_progress=progress)
                indexed = sync.index_pending()
            except SyncError as exc:
                _fail(exc)
                raise
            if sys.stderr.isatty():
                print(file=sys.stderr)
            print(f"{zh_en(msg('cli.sync.done'))} pushed {pushed.stored} "
                  f"(+{pushed.duplicates} already there), pulled {applied} changes, "
                  f"{pushed.remaining} still queued"
                  + (f", search index rebuilt for {indexed}" if indexed else ""))
            for w in pushed.warnings:
                print(f"  ⚠ {w}")
            for r in pushed.rejected[:20]:
                print(f"  ✖ {r}")
            return EXIT_OK

        done = threading.Event()

        def show(status: SyncStatus) -> None:
            state = "online" if status.online else "OFFLINE"
            when = status.last_ok_at.isoformat(timespec="seconds") if status.last_ok_at else "never"
            print(f"[{state}] last sync {when}, {status.pending} queued"
                  + (f" — {status.last_error.splitlines()[-1]}" if status.last_error else ""), flush=True)

        worker = SyncWorker(sync, on_status=show)
        worker.start()
        try:
            done.wait()
        except KeyboardInterrupt:
            pass
        finally:
            worker.stop()
        return EXIT_OK
    finally:
        sync.close_clients()
        db.close()


def _manager(db: Any, args: argparse.Namespace, action: str = "cli.action.change_hub") -> str:
    """A manager's PIN for a manager action of this command; the manager's name."""
    from checkin_app.services.pins import PinService

    pins = PinService(db, parse_clock(args.clock))
    if not pins.has_managers():
        raise CliError(both(msg("cli.manager_pin_first", action=msg(action))))
    check = pins.verify(read_pin(f"{zh_en(msg('cli.manager_pin'))}: "), desk=desk_name(db, None))
    if not check.ok:
        raise CliError(check.message)
    return check.manager


def cmd_bundle(args: argparse.Namespace) -> int:
    """Export unsynced events / import the hub's data bundle."""
    from checkin_app.sync.bundle import export_desk_events, import_hub_data
    from checkin_app.sync.protocol import SyncError

    db = open_db(args)
    try:
        if args.bundle_command == "export":
            info = export_desk_events(db, args.file)
            print(f"{zh_en(msg('cli.bundle.exported', items=info.items))} to {args.file}")
            if info.signed_by:
                print(f"  {zh_en(msg('cli.bundle.signed_by'))} {info.signed_by}")
            else:
                print("  " + zh_en(msg("cli.bundle.not_signed"), sep="\n  "))
        else:
            operator = "cli"
            if args.change_hub:
                operator = _manager(db, args)
            info = import_hub_data(db, args.file, fingerprint=args.fingerprint,
                                   allow_unsigned=args.allow_unsigned, operator=operator,
                                   change_hub=args.change_hub)
            if args.change_hub:
                print(both(msg("cli.bundle.moved_hub", fingerprint=args.fingerprint, operator=operator)))
            print(f"{zh_en(msg('cli.bundle.imported', items=info.items))} from {args.file}")
            print(f"  {zh_en(msg('cli.bundle.verified'))} {info.signed_by}" if info.signed_by
                  else f"  {zh_en(msg('cli.bundle.taken_unsigned'), sep='/ ')}")
    except SyncError as exc:
        _fail(exc)
        raise
    finally:
        db.close()
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "enrol": cmd_enrol,
    "sync": cmd_sync,
    "bundle": cmd_bundle,
}
