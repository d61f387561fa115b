"""`checkin-app event …` and `checkin-app hub event …`: write, check, apply, export and show the event."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from checkin_app.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    CliError,
    add_common,
    desk_name,
    open_db,
    parse_clock,
    print_json,
)
from checkin_app.domain.messages import both, msg

EXIT_PROBLEMS = EXIT_REFUSED  # the file has errors, or applying it was refused


def _say(code: str, sep: str = " / ", **params: object) -> str:
    """A catalogue message as this command prints it: Chinese, `sep`, English."""
    return both(msg(code, **params), sep=sep)


def _sub_commands(parent: Any, add_db: Callable[[argparse.ArgumentParser], None], *,
                  hub: bool) -> None:
    """new / check / apply / export / show under `parent` (the hub has no new / check of its own)."""
    if not hub:
        q = parent.add_parser("new", help="write a starter event file to fill in (.yaml or .xlsx)")
        q.add_argument("file", type=Path)
        q.add_argument("--template", choices=["blank", "chongqing"], default="blank",
                       help="blank: the smallest event that passes the check; chongqing: the demo's")
        q.add_argument("--overwrite", action="store_true", help="replace an existing file")
        q = parent.add_parser("check", help="check an event file and print the report")
        q.add_argument("file", type=Path)
        q.add_argument("--json", action="store_true")
    where = "the hub's database" if hub else "the database"
    q = parent.add_parser("apply", help=f"apply an event file to {where} in one transaction")
    add_db(q)
    q.add_argument("file", type=Path)
    q.add_argument("--archive-removed", action="store_true",
                   help="archive activities the file drops that have check-ins (never deleted)")
    q.add_argument("--force", action="store_true",
                   help="apply another event's file over a database that holds check-ins")
    q.add_argument("--operator", default="cli")
    q.add_argument("--json", action="store_true")
    q = parent.add_parser("export", help=f"write the event of {where} to a .yaml or .xlsx file")
    add_db(q)
    q.add_argument("file", type=Path)
    q = parent.add_parser("show", help=f"show the event of {where}: activities, rules, categories")
    add_db(q)
    q.add_argument("--json", action="store_true")


def add_parsers(sub: Any) -> None:
    """Register `event` on the main parser's subparsers."""
    p = sub.add_parser("event", help="the event definition: new, check, apply, export, show")
    es = p.add_subparsers(dest="event_command", required=True)
    _sub_commands(es, add_common, hub=False)


def add_hub_parsers(hub_sub: Any, db_args: Callable[..., None]) -> None:
    """Register `hub event apply|export|show` on the hub's subparsers."""
    p = hub_sub.add_parser("event", help="the hub's event: apply a file (published to desks), export, show")
    db_args(p, top=False)
    es = p.add_subparsers(dest="hub_event_command", required=True)
    _sub_commands(es, lambda q: db_args(q, top=False), hub=True)


# -- output ---------------------------------------------------------------------------------------
def _print_json(data: object) -> None:
    print_json(data, default=str)  # the definition's dates and times as their text


def print_report(problems: Sequence[Any], out: Any = None) -> None:
    """One block per problem: where, the value, the problem and what to do, Chinese then English."""
    out = out or sys.stdout
    for p in sorted(problems, key=lambda p: (p.severity != "error", p.sheet, p.line, p.cell)):
        tag = (_say(f"event.cli.severity.{p.severity}", " ") if p.severity in ("error", "warning")
               else p.severity)
        where = p.where or "—"
        value = f"  {_say('event.cli.value', ' ')}: {p.value}" if p.value else ""
        print(f"[{tag}] {where}{value}", file=out)
        print(f"    {p.message_zh} → {p.hint_zh}", file=out)
        print(f"    {p.message_en} → {p.hint_en}", file=out)


def _local_value(value: Any, tz: Any) -> Any:
    """A stored moment (ISO text in UTC) in the event's time zone, as the file writes times."""
    if tz is None or not isinstance(value, str) or "T" not in value:
        return value
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}" if moment.tzinfo is not None else value


def _print_changes(result: Any, tz: Any = None) -> None:
    if not result.changed:
        print(_say("event.cli.no_change"))
        return
    words = {a: _say(f"event.cli.action.{a}", " ") for a in ("add", "update", "archive", "delete")}
    for ch in result.changes:
        fields = ", ".join(f"{k}: {_local_value(ch.before.get(k, '—'), tz)} → "
                           f"{_local_value(ch.after.get(k, '—'), tz)}"
                           for k in ch.after if ch.action == "update")
        print(f"  {words[ch.action]:<12} {ch.table:<9} {ch.code}{'  ' + fields if fields else ''}")
    print(_say("event.cli.applied", "/ ", count=len(result.changes)))


def _show(summary: Any, as_json: bool) -> None:
    d = summary.definition
    if as_json:
        from dataclasses import asdict

        _print_json({"event": asdict(d.event), "activities": [asdict(a) for a in d.activities],
                     "categories": [asdict(c) for c in d.categories], "admitted": summary.admitted,
                     "delegates": summary.delegates, "checkins": summary.checkins})
        return
    e = d.event
    print(f"{e.name_zh} / {e.name_en}  [{e.code}]")
    print(f"  {e.venue_zh} / {e.venue_en}")
    print(f"  {e.starts_on} – {e.ends_on}  ({e.timezone})")
    print(f"{_say('event.cli.activities')}:")
    modes = {m: _say(f"event.cli.mode.{m}", " ") for m in ("single", "reentry", "once_per_day")}
    for a in d.activities:
        until = f"{a.end_day} " if a.end_day else ""
        cap = f"capacity {a.capacity}" if a.capacity else "no capacity limit"
        flags = [modes[a.mode], cap, f"doors -{a.doors_before}/+{a.doors_after} min"]
        if a.exits_scanned:
            flags.append("exits scanned")
        if a.main:
            flags.append(_say("event.cli.main", " "))
        if a.archived:
            flags.append(_say("event.cli.archived", " "))
        print(f"  {a.code:<14} {a.day} {a.start:%H:%M}–{until}{a.end:%H:%M}  {a.name_zh} / {a.name_en}")
        print(f"  {'':<14} {'; '.join(flags)}; check-ins {summary.checkins.get(a.code, 0)}")
        print(f"  {'':<14} admits: {', '.join(summary.admitted.get(a.code, ())) or '—'}")
    print(f"{_say('event.cli.categories')}:")
    for c in d.categories:
        att = f"  ⚠ {c.attention_zh or c.attention_en}" if c.attention else ""
        aliases = f"  aliases: {', '.join(c.aliases)}" if c.aliases else ""
        print(f"  {c.code:<14} {c.colour} {c.name_zh} / {c.name_en}  "
              f"({summary.delegates.get(c.code, 0)} delegates){att}{aliases}")


# -- commands -------------------------------------------------------------------------------------
def _new(args: argparse.Namespace) -> int:
    from checkin_app.services.event_files import EventFileError, starter, write_definition

    path: Path = args.file
    if path.exists() and not args.overwrite:
        raise CliError(_say("event.cli.file_exists", "\n", path=path))
    try:
        write_definition(starter(args.template), path)
    except EventFileError as exc:
        raise CliError(str(exc)) from exc
    print(f"{_say('event.cli.written')}: {path}")
    print(f"  {_say('event.cli.then_check')}: checkin-app event check {path}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from checkin_app.services.event_files import check_file
    from checkin_app.services.event_setup import known_templates

    report = check_file(args.file, templates=known_templates())
    if args.json:
        _print_json({"ok": report.ok, "problems": [p.as_dict() for p in report.problems]})
    else:
        print_report(report.problems)
        if report.ok and report.definition is not None:
            d = report.definition
            print(f"{_say('event.cli.check_passed')}: {d.event.code}, {len(d.activities)} activities, "
                  f"{len(d.categories)} categories"
                  + (f", {len(report.problems)} warnings" if report.problems else ""))
        else:
            print(_say("event.cli.check_failed", count=len(report.errors)))
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _apply(args: argparse.Namespace, db: Any, desk: str, after: Callable[[Any], int] | None = None
           ) -> int:
    from checkin_app.services.event_setup import EventSetupError, EventSetupService

    # At the hub a dropped activity is archived, not deleted: desks learn of it that way.
    svc = EventSetupService(db, parse_clock(getattr(args, "clock", None)), delete_unused=after is None)
    try:
        result = svc.apply_file(args.file, operator=args.operator, desk=desk,
                                archive_removed=args.archive_removed, force=args.force)
    except EventSetupError as exc:
        if args.json:
            _print_json({"applied": False, "problems": [p.as_dict() for p in exc.problems]})
        else:
            print_report(exc.problems, sys.stderr)
            print(_say("event.cli.not_applied"), file=sys.stderr)
        return EXIT_PROBLEMS
    published = after(result) if after is not None else None
    if args.json:
        out: dict[str, Any] = {"applied": True, "event": result.event_code,
                               "changes": [c.as_dict() for c in result.changes]}
        if published is not None:
            out["published"] = published
        _print_json(out)
    else:
        # Times as the event's file and its people write them (the event's time zone), not UTC.
        from zoneinfo import ZoneInfo

        current = svc.current()
        _print_changes(result, ZoneInfo(current.event.timezone) if current is not None else None)
        if published is not None:
            print(_say("event.cli.published", count=published))
    return EXIT_OK


def _export(args: argparse.Namespace, db: Any) -> int:
    from checkin_app.services.event_files import EventFileError
    from checkin_app.services.event_setup import EventSetupError, EventSetupService

    try:
        d = EventSetupService(db).export(args.file)
    except (EventSetupError, EventFileError) as exc:
        raise CliError(str(exc)) from exc
    print(f"{_say('event.cli.exported')} {d.event.code}: {args.file}")
    return EXIT_OK


def _show_cmd(args: argparse.Namespace, db: Any) -> int:
    from checkin_app.services.event_setup import EventSetupService

    summary = EventSetupService(db).summary()
    if summary is None:
        raise CliError(_say("event.cli.no_event", "\n"))
    _show(summary, args.json)
    return EXIT_OK


def cmd_event(args: argparse.Namespace) -> int:
    """Dispatch `event …` (desk database)."""
    command = args.event_command
    if command == "new":
        return _new(args)
    if command == "check":
        return _check(args)
    db = open_db(args)
    try:
        if command == "apply":
            return _apply(args, db, desk_name(db, None))
        if command == "export":
            return _export(args, db)
        return _show_cmd(args, db)
    finally:
        db.close()


def cmd_hub_event(args: argparse.Namespace, store: Any) -> int:
    """Dispatch `hub event …` on the hub's `store` (closed here); an apply is published to desks at once."""
    try:
        command = args.hub_event_command
        if command == "apply":
            def publish(result: Any) -> int:
                if not result.changed:
                    return 0
                store.forget(set(result.tables()))
                return int(store.refresh(result.tables()))

            return _apply(args, store.db, "hub", publish)
        if command == "export":
            return _export(args, store.db)
        return _show_cmd(args, store.db)
    finally:
        store.db.close()


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"event": cmd_event}
