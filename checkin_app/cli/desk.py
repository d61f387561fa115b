"""The desk's commands: gui (the default), checkin, undo, search, stats, activities, migrate and audit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checkin_app.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    CliError,
    add_common,
    desk_name,
    local_time,
    open_db,
    open_desk,
    parse_clock,
    print_json,
    zh_en,
)
from checkin_app.domain.messages import both, msg
from checkin_app.domain.verdicts import Severity


def add_gui_parser(sub: Any) -> None:
    """`gui`, first in `--help`: what a desk runs."""
    p = sub.add_parser("gui", help="start the desk window (default)")
    add_common(p)


def add_parsers(sub: Any) -> None:
    """`checkin`, `undo`, `search`, `stats`, `activities` and `migrate`."""
    p = sub.add_parser("checkin", help="check in one scanned or typed code")
    add_common(p)
    p.add_argument("code")
    p.add_argument("--activity", default=None, help="activity code (default: desk setting, MAIN)")
    p.add_argument("--desk", default=None, help="desk name (default: desk setting, or CLI)")
    p.add_argument("--operator", default="cli")
    p.add_argument("--direction", choices=["in", "out"], default="in")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("undo", help="undo a check-in (records a reversing event)")
    add_common(p)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("uuid", nargs="?", help="UUID of the check-in event to reverse")
    g.add_argument("--last", action="store_true", help="undo the newest check-in at this desk")
    p.add_argument("--desk", default=None)
    p.add_argument("--operator", default="cli")
    p.add_argument("--reason", default="")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="find delegates by name, pinyin, code or organisation")
    add_common(p)
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("stats", help="checked-in and inside-now counts per activity")
    add_common(p)
    p.add_argument("--activity", default=None)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("activities", help="list the main entrance and activities with their rules")
    add_common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("migrate", help="upgrade the database schema to this version")
    add_common(p)


def add_audit_parser(sub: Any) -> None:
    """`audit verify` and `audit export FILE.csv`."""
    p = sub.add_parser("audit", help="check or export the tamper-evident audit log")
    add_common(p)
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    q = audit_sub.add_parser("verify", help="report the first broken link of the hash chain")
    add_common(q)
    q = audit_sub.add_parser("export", help="write the audit log as CSV")
    add_common(q)
    q.add_argument("output", type=Path)


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the desk window."""
    from checkin_app.desk import DeskCore
    from checkin_app.ui.app import run_gui

    db = open_db(args)
    rec = db.recovery
    recovered = None if rec is None else (rec.short, rec.message)
    return int(run_gui(DeskCore(db, parse_clock(args.clock, db)), sys.argv[:1], recovered))


def cmd_checkin(args: argparse.Namespace) -> int:
    """Check in one code and print the verdict (exit 1 for a red verdict)."""
    from checkin_app.services.serialise import scan_dict

    core = open_desk(args)
    activity = args.activity or core.catalog.settings().activity_code
    result = core.checkin.scan(
        args.code, activity_code=activity, desk=desk_name(core.catalog.db, args.desk),
        operator=args.operator, direction=args.direction,
    )
    if args.json:
        print_json(scan_dict(result))
    else:
        mark = {"green": "✔", "amber": "!", "red": "✖"}[result.severity.value]
        print(f"{mark} {result.verdict.value}  {result.title_zh} / {result.title_en}")
        if result.delegate is not None:
            d = result.delegate
            latin = f" ({d.name_latin})" if d.name_latin and d.name_latin != d.display_name else ""
            print(f"  {d.display_name}{latin} — {d.category.name_zh} {d.category.name_en}")
            if d.organisation:
                print(f"  {d.organisation}")
        print(f"  {result.message_zh}")
        print(f"  {result.message_en}")
        print(f"  → {result.next_zh} / {result.next_en}")
        if result.event is not None:
            print(f"  recorded {result.event.uuid} at {local_time(result.event.at)} "
                  f"desk {result.event.desk}")
    return EXIT_REFUSED if result.severity is Severity.RED else EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    """Reverse a check-in."""
    from checkin_app.services.checkin import CheckInError
    from checkin_app.services.serialise import event_dict

    core = open_desk(args)
    svc = core.checkin
    desk = desk_name(core.catalog.db, args.desk)
    target = args.uuid
    if args.last:
        last = svc.last_event(desk=desk)
        if last is None:
            raise CliError(both(msg("cli.undo.nothing", desk=desk)))
        target = last.uuid
    try:
        rev = svc.undo(target, desk=desk, operator=args.operator, reason=args.reason)
    except CheckInError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(event_dict(rev))
    else:
        print(f"{zh_en(msg('cli.undo.done'))} {target} (undo event {rev.uuid})")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """Print matching delegates, best first."""
    from checkin_app.services.serialise import delegate_dict

    hits = open_desk(args, rehearsal=False).search.search(args.text, limit=args.limit)
    if args.json:
        print_json([delegate_dict(h) for h in hits])
        return EXIT_OK
    if not hits:
        print(zh_en(msg("cli.search.none")))
    for h in hits:
        status = "" if h.status != "cancelled" else f"  [{zh_en(msg('cli.search.cancelled'), sep=' ')}]"
        print(f"{h.registration_code}  {h.display_name:<16} {h.name_latin:<28} "
              f"{h.category.code:<12} {h.country:<3} {h.organisation}{status}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Print counts per activity."""
    from checkin_app.services.serialise import stats_dict

    rows = open_desk(args, rehearsal=False).catalog.stats(args.activity)
    if args.activity and not rows:
        raise CliError(both(msg("activity.unknown", code=args.activity)))
    if args.json:
        print_json([stats_dict(r) for r in rows])
        return EXIT_OK
    print(f"{'activity':<14} {'checked in':>10} {'registered':>10} {'inside':>8} {'capacity':>8}")
    for r in rows:
        cap = "-" if r.capacity is None else str(r.capacity)
        print(f"{r.activity_code:<14} {r.checked_in:>10} {r.registered:>10} {r.inside_now:>8} "
              f"{cap:>8}  {r.name_zh}")
    return EXIT_OK


def cmd_activities(args: argparse.Namespace) -> int:
    """List activities and their rules."""
    from checkin_app.services.serialise import activity_dict

    acts = open_desk(args, rehearsal=False).catalog.activities()
    if args.json:
        print_json([activity_dict(a) for a in acts])
        return EXIT_OK
    for a in acts:
        cap = "-" if a.capacity is None else str(a.capacity)
        print(f"{a.code:<14} {local_time(a.starts_at)[5:16]} – {local_time(a.ends_at)[5:16]}  "
              f"cap {cap:>5}  {a.name_zh} / {a.name_en}")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    """Open (and thereby upgrade) the database."""
    from checkin_app.storage.db import current_revision

    db = open_db(args)
    print(f"{zh_en(msg('cli.migrate.done'))} {current_revision(db.engine)}: {db.path}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    """`audit verify` (exit 1 when broken) and `audit export FILE.csv`."""
    from checkin_app.services.audit import export_csv, verify_chain

    db = open_db(args)
    if args.audit_command == "export":
        n = export_csv(db, args.output)
        print(f"{zh_en(msg('cli.audit.exported', n=n))} to {args.output}")
        return EXIT_OK
    report = verify_chain(db)
    if report.ok:
        print(f"{zh_en(msg('cli.audit.intact'))} {report.checked} entries verified")
        return EXIT_OK
    print(f"{zh_en(msg('cli.audit.broken'))} after {report.checked} good entries", file=sys.stderr)
    print(f"  {report.problem_zh}\n  {report.problem_en}", file=sys.stderr)
    return EXIT_REFUSED


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "gui": cmd_gui,
    "checkin": cmd_checkin,
    "undo": cmd_undo,
    "search": cmd_search,
    "stats": cmd_stats,
    "activities": cmd_activities,
    "migrate": cmd_migrate,
    "audit": cmd_audit,
}
