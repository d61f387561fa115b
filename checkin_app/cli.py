"""One command, `checkin-app`, with subcommands for the desk, scripts and tests; the GUI is the default."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from checkin_app import __version__, cli_event, cli_import_same, cli_import_values
from checkin_app.domain.clock import Clock, OffsetClock, SystemClock
from checkin_app.domain.verdicts import Severity
from checkin_app.paths import default_db_path

LOCAL = ZoneInfo("Asia/Shanghai")

EXIT_OK = 0
EXIT_REFUSED = 1  # a red verdict: scripts must notice
EXIT_ERROR = 2


class CliError(Exception):
    """A user-facing error; the message is bilingual."""


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
        raise CliError(
            f"时钟格式无效：{text}（例：2024-11-23T09:30）\n"
            f"Invalid --clock value: {text} (example: 2024-11-23T09:30)"
        ) from exc
    if start.tzinfo is None:
        start = start.replace(tzinfo=LOCAL)
    if db is None:
        return OffsetClock(start)
    from checkin_app.services.catalog import CatalogService

    real = SystemClock()
    return OffsetClock(start, since=CatalogService(db, real).rehearsal_since(start, real.now()))


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, default=None,
                   help="database file (default: per-user data folder)")
    p.add_argument("--clock", default=os.environ.get("CHECKIN_CLOCK"),
                   help="rehearsal clock start, e.g. 2024-11-23T09:30 (Chongqing time; "
                   "env CHECKIN_CLOCK). It runs in real time from the first launch with that "
                   "value and continues across restarts (kept per database); give another "
                   "value to start anew")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="checkin-app",
        description="Conference check-in desk / 大会签到台",
    )
    parser.add_argument("--version", action="version", version=f"checkin-app {__version__}")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("gui", help="start the desk window (default)")
    _common(p)

    p = sub.add_parser("demo", help="build the demo event into the database")
    _common(p)
    p.add_argument("--size", type=int, default=10_000, help="number of delegates")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--if-missing", action="store_true",
                   help="do nothing when the database file already exists")

    p = sub.add_parser("checkin", help="check in one scanned or typed code")
    _common(p)
    p.add_argument("code")
    p.add_argument("--activity", default=None, help="activity code (default: desk setting, MAIN)")
    p.add_argument("--desk", default=None, help="desk name (default: desk setting, or CLI)")
    p.add_argument("--operator", default="cli")
    p.add_argument("--direction", choices=["in", "out"], default="in")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("undo", help="undo a check-in (records a reversing event)")
    _common(p)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("uuid", nargs="?", help="UUID of the check-in event to reverse")
    g.add_argument("--last", action="store_true", help="undo the newest check-in at this desk")
    p.add_argument("--desk", default=None)
    p.add_argument("--operator", default="cli")
    p.add_argument("--reason", default="")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="find delegates by name, pinyin, code or organisation")
    _common(p)
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("stats", help="checked-in and inside-now counts per activity")
    _common(p)
    p.add_argument("--activity", default=None)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("activities", help="list the main entrance and activities with their rules")
    _common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("migrate", help="upgrade the database schema to this version")
    _common(p)

    from checkin_app.badges import command as badges_command

    badges_command.add_parser(sub, _common)

    p = sub.add_parser("audit", help="check or export the tamper-evident audit log")
    _common(p)
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    q = audit_sub.add_parser("verify", help="report the first broken link of the hash chain")
    _common(q)
    q = audit_sub.add_parser("export", help="write the audit log as CSV")
    _common(q)
    q.add_argument("output", type=Path)
    _import_parser(sub)
    from checkin_app import cli_security

    cli_security.add_parsers(sub, _common)
    cli_event.add_parsers(sub, _common)
    from checkin_app.hub import cli as hub_cli
    from checkin_app.sync import cli as sync_cli

    hub_cli.add_parsers(sub)
    sync_cli.add_parsers(sub, _common)
    return parser


def _import_parser(sub: Any) -> None:
    """`checkin-app import FILE …`: registration import (dry run with --dry-run)."""
    p = sub.add_parser("import", help="import registrations from an XLSX or CSV export")
    _common(p)
    p.add_argument("file", type=Path)
    p.add_argument("--sheet", default=None, help="worksheet name (XLSX; default: first with a header)")
    p.add_argument("--all-sheets", action="store_true",
                   help="import every sheet that has a header, each as its own source (XLSX)")
    p.add_argument("--source", default=None, metavar="NAME",
                   help="the registration list this file is (numbers are unique within it; default: "
                        "the file's name, or the sheet's in a workbook of several sheets)")
    p.add_argument("--mapping", default=None, metavar="PRESET", help="saved mapping preset to use")
    p.add_argument("--save-mapping", default=None, metavar="PRESET",
                   help="save the mapping and options used as this preset")
    p.add_argument("--encoding", default=None, help="CSV encoding, e.g. utf-8, gb18030, utf-16")
    p.add_argument("--delimiter", default=None, help="CSV delimiter: , ; | or tab")
    p.add_argument("--header-line", type=int, default=None, help="line number of the header row")
    p.add_argument("--column", action="append", default=[], metavar="HEADER=FIELD",
                   help="map a column by its header text to a field ('-' ignores it); repeatable")
    p.add_argument("--key", default=None, help="match people by: registration_code (default), "
                   "id_number, email or phone")
    p.add_argument("--full", action="store_true", default=None,
                   help="the file is the complete list: report people it no longer holds")
    p.add_argument("--photos", type=Path, default=None, metavar="DIR", help="folder of photos")
    p.add_argument("--keep", default=None, metavar="FIELDS",
                   help="personal fields to store, comma-separated (phone,email,id_number,…)")
    p.add_argument("--default-category", default=None, help="category code for rows without one")
    p.add_argument("--code-width", type=int, default=None,
                   help="pad all-digit registration numbers to this width (lost leading zeros)")
    p.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
    cli_import_values.add_arguments(p)
    cli_import_same.add_arguments(p)
    p.add_argument("--report", type=Path, default=None, metavar="REPORT.csv",
                   help="write every problem line to this CSV file")
    p.add_argument("--operator", default="cli")
    p.add_argument("--json", action="store_true")


def cmd_import(args: argparse.Namespace) -> int:
    """Import registrations; exit 1 when rows were rejected, 2 when nothing could be imported."""
    if getattr(args, "all_sheets", False):
        from checkin_app.importers.readers import ReadError, XlsxSource, file_kind

        try:
            if file_kind(args.file) != "xlsx":
                raise CliError("--all-sheets 只用于 Excel 工作簿\n--all-sheets is for Excel workbooks")
            with XlsxSource(args.file) as book:
                sheets = book.sheets
        except ReadError as exc:
            raise CliError(str(exc)) from exc
        named = args.source
        if not named and args.mapping:
            from checkin_app.services.importing import ImportFailed, ImportService

            try:
                named = ImportService(_open(args)).preset(args.mapping).options.get("source")
            except ImportFailed as exc:
                raise CliError(str(exc)) from exc
        worst = EXIT_OK
        for sheet in sheets:
            # Each sheet is a list of its own (嘉宾, 媒体, 工作人员 each numbered from 1).
            source = f"{named}/{sheet}" if named else None
            one = argparse.Namespace(**{**vars(args), "all_sheets": False, "sheet": sheet,
                                        "source": source, "merge": [], "keep_apart": []})
            try:
                worst = max(worst, cmd_import(one))
            except CliError as exc:
                if "No header row" not in str(exc):  # a cover or notes sheet has none: skipped
                    raise
        if not args.dry_run:  # decisions once every sheet's people are in
            from checkin_app.services.importing import ImportService

            try:
                cli_import_same.print_same_people(
                    argparse.Namespace(same_people=()),
                    cli_import_same.record(ImportService(_open(args)), args))
            except ValueError as exc:
                raise CliError(str(exc)) from exc
        return worst
    from checkin_app.importers.fields import BY_KEY, header_text
    from checkin_app.importers.readers import ReadError
    from checkin_app.importers.report import write_report
    from checkin_app.importers.text import fold
    from checkin_app.services.importing import ImportFailed, ImportOptions, ImportService

    db = _open(args)
    svc = ImportService(db, parse_clock(args.clock, db))
    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter or "", args.delimiter)
    keep = frozenset(k.strip() for k in args.keep.split(",") if k.strip()) if args.keep else None
    options = ImportOptions(
        sheet=args.sheet, encoding=args.encoding, delimiter=delimiter, preset=args.mapping,
        header_line=args.header_line, key_field=args.key, full=args.full, photos_dir=args.photos,
        keep=keep, default_category=args.default_category, code_width=args.code_width,
        operator=args.operator, desk=_desk_name(db, None), source=args.source,
        value_map=cli_import_values.value_map(args.map),
    )
    try:
        inspection = svc.inspect(args.file, options)
        if args.column:
            mapping = list(inspection.mapping)
            wanted = {}
            for item in args.column:
                head, _, fld = item.rpartition("=")
                fld = fld.strip()
                if not head or (fld not in BY_KEY and fld not in ("-", "")):
                    raise CliError(f"--column 需要 表头=字段（字段：{', '.join(BY_KEY)}）\n"
                                   f"--column needs HEADER=FIELD (fields: {', '.join(BY_KEY)})")
                wanted[fold(head)] = None if fld in ("-", "") else fld
            for i, h in enumerate(inspection.headers):
                if fold(h) in wanted:
                    mapping[i] = wanted[fold(h)]
            from dataclasses import replace

            options = replace(options, mapping=tuple(mapping))
            inspection = svc.inspect(args.file, options)
        if args.save_mapping:
            svc.save_preset(args.save_mapping, inspection, operator=args.operator)
        run = svc.dry_run if args.dry_run else svc.apply
        last = [-1]

        def progress(stage: str, done: int, total: int) -> None:
            pct = done * 100 // max(total, 1)
            if pct != last[0] and sys.stderr.isatty():
                last[0] = pct
                print(f"\r{stage} {pct:3d}%", end="", file=sys.stderr, flush=True)

        cli_import_same.pairs(args)  # a malformed decision is refused before the import
        result = run(args.file, options, progress=progress)
        decided = cli_import_same.record(svc, args)
    except (ImportFailed, ReadError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.report:
        write_report(args.report, result.problems)
    c = result.counts
    if args.json:
        _print_json({
            "applied": result.applied, "counts": c.as_dict(), "file_sha256": result.file_sha256,
            "encoding": inspection.encoding, "delimiter": inspection.delimiter,
            "sheet": inspection.sheet, "header_line": inspection.header_line,
            "source": result.inspection.source,
            **cli_import_same.same_people_json(result, decided),
            "mapping": {header_text(h, i): f for i, (h, f) in
                        enumerate(zip(inspection.headers, inspection.mapping, strict=False))},
            "problems": [{"sheet": p.sheet, "line": p.line, "column": p.column, "value": p.value,
                          "severity": p.severity, "code": p.code, "message_zh": p.message_zh,
                          "message_en": p.message_en} for p in result.problems],
            "unknown_values": cli_import_values.unknown_json(result),
        })
    else:
        ins = result.inspection
        where = (f"sheet {ins.sheet}" if ins.kind == "xlsx"
                 else f"encoding {ins.encoding}, delimiter {ins.delimiter!r}")
        print(f"{args.file.name}: {where}, header on line {ins.header_line}, "
              f"来源 / source {ins.source}{'' if ins.source_known else ' (new)'}")
        for h, f in zip(ins.headers, ins.mapping, strict=False):
            target = f"{BY_KEY[f].name_zh} / {BY_KEY[f].name_en}" if f else "— (不导入 ignored)"
            print(f"  {h:<24} → {target}")
        cli_import_values.print_problems(result)
        cli_import_same.print_same_people(result, decided)
        mode = "已导入 / Imported" if result.applied else "试运行，未写入 / Dry run, nothing written"
        print(f"{mode}: new {c.new}, changed {c.changed}, unchanged {c.unchanged}, "
              f"cancelled {c.cancelled}, rejected {c.rejected}, missing {c.missing}, "
              f"skipped {c.skipped}, warnings {c.warnings}  ({result.seconds:.1f} s)")
        if args.report:
            print(f"报告 / Report: {args.report}")
    return EXIT_REFUSED if c.rejected else EXIT_OK


def _open(args: argparse.Namespace) -> Any:
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


def _need_event(db: Any) -> None:
    from checkin_app.services.catalog import CatalogService

    if CatalogService(db).event() is None:
        raise CliError(
            f"数据库 {db.path} 中没有活动数据。请先运行 `checkin-app demo` 或导入报名数据。\n"
            f"The database {db.path} holds no event. Run `checkin-app demo` or import registrations first."
        )


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


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
        raise CliError("--size 至少为 1\n--size must be at least 1")
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
                print(f"\r生成中 / building… {pct:3d}%", end="", file=sys.stderr, flush=True)

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
    print(f"演示活动已生成 / Demo event built: {path}")
    print(f"  {summary.delegates} delegates, {summary.activities} activities, "
          f"{summary.categories} categories")
    print("  示例代码 / sample codes:")
    for label, code in summary.samples.items():
        print(f"    {label:<20} {code}")
    from checkin_app.cli_security import demo_keys

    demo_keys(path, summary.samples)
    _demo_printer(path)
    return EXIT_OK


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
    print(f"  徽章打印到文件夹 / badges print as PDF files into: {folder}")


def _need_event_absent(db: Any) -> None:
    from checkin_app.services.catalog import CatalogService

    if CatalogService(db).event() is not None:
        raise CliError(
            f"数据库 {db.path} 已有活动数据，未作改动。\n"
            f"The database {db.path} already holds an event; nothing was changed."
        )


def _desk_name(db: Any, given: str | None) -> str:
    from checkin_app.services.catalog import CatalogService

    if given:
        return str(given)
    return CatalogService(db).settings().desk_name or "CLI"


def cmd_checkin(args: argparse.Namespace) -> int:
    """Check in one code and print the verdict (exit 1 for a red verdict)."""
    from checkin_app.services.catalog import CatalogService
    from checkin_app.services.checkin import CheckInService
    from checkin_app.services.serialise import scan_dict

    db = _open(args)
    _need_event(db)
    clock = parse_clock(args.clock, db)
    activity = args.activity or CatalogService(db).settings().activity_code
    result = CheckInService(db, clock).scan(
        args.code, activity_code=activity, desk=_desk_name(db, args.desk),
        operator=args.operator, direction=args.direction,
    )
    if args.json:
        _print_json(scan_dict(result))
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
            print(f"  recorded {result.event.uuid} at {_local(result.event.at)} desk {result.event.desk}")
    return EXIT_REFUSED if result.severity is Severity.RED else EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    """Reverse a check-in."""
    from checkin_app.services.checkin import CheckInError, CheckInService
    from checkin_app.services.serialise import event_dict

    db = _open(args)
    _need_event(db)
    svc = CheckInService(db, parse_clock(args.clock, db))
    desk = _desk_name(db, args.desk)
    target = args.uuid
    if args.last:
        last = svc.last_event(desk=desk)
        if last is None:
            raise CliError(f"签到台 {desk} 没有可撤销的签到\nNo check-in to undo at desk {desk}")
        target = last.uuid
    try:
        rev = svc.undo(target, desk=desk, operator=args.operator, reason=args.reason)
    except CheckInError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        _print_json(event_dict(rev))
    else:
        print(f"已撤销 / Undone: {target} (undo event {rev.uuid})")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """Print matching delegates, best first."""
    from checkin_app.services.search import SearchService
    from checkin_app.services.serialise import delegate_dict

    db = _open(args)
    _need_event(db)
    hits = SearchService(db).search(args.text, limit=args.limit)
    if args.json:
        _print_json([delegate_dict(h) for h in hits])
        return EXIT_OK
    if not hits:
        print("未找到 / No match")
    for h in hits:
        status = "" if h.status != "cancelled" else "  [已取消 CANCELLED]"
        print(f"{h.registration_code}  {h.display_name:<16} {h.name_latin:<28} "
              f"{h.category.code:<12} {h.country:<3} {h.organisation}{status}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Print counts per activity."""
    from checkin_app.services.catalog import CatalogService
    from checkin_app.services.serialise import stats_dict

    db = _open(args)
    _need_event(db)
    rows = CatalogService(db).stats(args.activity)
    if args.activity and not rows:
        raise CliError(f"没有代码为 {args.activity} 的活动\nNo activity with code {args.activity}")
    if args.json:
        _print_json([stats_dict(r) for r in rows])
        return EXIT_OK
    print(f"{'activity':<14} {'checked in':>10} {'registered':>10} {'inside':>8} {'capacity':>8}")
    for r in rows:
        cap = "-" if r.capacity is None else str(r.capacity)
        print(f"{r.activity_code:<14} {r.checked_in:>10} {r.registered:>10} {r.inside_now:>8} "
              f"{cap:>8}  {r.name_zh}")
    return EXIT_OK


def cmd_activities(args: argparse.Namespace) -> int:
    """List activities and their rules."""
    from checkin_app.services.catalog import CatalogService
    from checkin_app.services.serialise import activity_dict

    db = _open(args)
    _need_event(db)
    acts = CatalogService(db).activities()
    if args.json:
        _print_json([activity_dict(a) for a in acts])
        return EXIT_OK
    for a in acts:
        cap = "-" if a.capacity is None else str(a.capacity)
        print(f"{a.code:<14} {_local(a.starts_at)[5:16]} – {_local(a.ends_at)[5:16]}  "
              f"cap {cap:>5}  {a.name_zh} / {a.name_en}")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    """Open (and thereby upgrade) the database."""
    from checkin_app.storage.db import current_revision

    db = _open(args)
    print(f"数据库已是最新 / Database schema at revision {current_revision(db.engine)}: {db.path}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    """`audit verify` (exit 1 when broken) and `audit export FILE.csv`."""
    from checkin_app.services.audit import export_csv, verify_chain

    db = _open(args)
    if args.audit_command == "export":
        n = export_csv(db, args.output)
        print(f"已导出 {n} 条审计记录 / Exported {n} audit entries to {args.output}")
        return EXIT_OK
    report = verify_chain(db)
    if report.ok:
        print(f"审计链完整 / Audit chain intact: {report.checked} entries verified")
        return EXIT_OK
    print(f"审计链已损坏 / Audit chain BROKEN after {report.checked} good entries", file=sys.stderr)
    print(f"  {report.problem_zh}\n  {report.problem_en}", file=sys.stderr)
    return EXIT_REFUSED


def cmd_badges(args: argparse.Namespace) -> int:
    """Batch badges into one PDF file."""
    from checkin_app.badges.command import BadgeCommandError, run

    db = _open(args)
    _need_event(db)
    try:
        run(args, db)
    except BadgeCommandError as exc:
        raise CliError(str(exc)) from exc
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the desk window."""
    from checkin_app.desk import DeskCore
    from checkin_app.ui.app import run_gui

    db = _open(args)
    rec = db.recovery
    recovered = None if rec is None else (rec.short, rec.message)
    return int(run_gui(DeskCore(db, parse_clock(args.clock, db)), sys.argv[:1], recovered))


def _security_commands() -> dict[str, Callable[[argparse.Namespace], int]]:
    from checkin_app.cli_security import COMMANDS as security

    return security


def _sync_commands() -> dict[str, Callable[[argparse.Namespace], int]]:
    from checkin_app.hub.cli import cmd_hub
    from checkin_app.sync.cli import cmd_bundle, cmd_enrol, cmd_sync

    return {"hub": cmd_hub, "enrol": cmd_enrol, "sync": cmd_sync, "bundle": cmd_bundle}


COMMANDS = {
    "gui": cmd_gui,
    "demo": cmd_demo,
    "checkin": cmd_checkin,
    "undo": cmd_undo,
    "search": cmd_search,
    "stats": cmd_stats,
    "activities": cmd_activities,
    "migrate": cmd_migrate,
    "audit": cmd_audit,
    "badges": cmd_badges,
    "import": cmd_import,
    **_security_commands(),
    "event": cli_event.cmd_event,
    **_sync_commands(),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors become a bilingual message and exit code 2."""
    # A frozen build starts the import's worker processes (spawned) through this entry point.
    multiprocessing.freeze_support()
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list or (args_list[0].startswith("--") and args_list[0] not in ("--help", "--version")):
        args_list = ["gui", *args_list]
    args = parser.parse_args(args_list)
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("已中断 / Interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` (or a closed pager): what was asked for is done; say nothing,
        # and point stdout at nothing so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        # A damaged page met mid-command (storage says so in both languages): no traceback.
        from checkin_app.storage.db import DatabaseError

        if not isinstance(exc, DatabaseError):
            raise
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR


def gui_main() -> int:
    """Entry point of the windowed launcher."""
    return main(["gui", *sys.argv[1:]])
