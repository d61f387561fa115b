"""`checkin-app import FILE …`: registrations, with value mapping (--map) and same-person decisions."""

from __future__ import annotations

import argparse
import sys
import time
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
from checkin_app.domain.messages import both, msg, text


def add_parsers(sub: Any) -> None:
    """`checkin-app import FILE …`: registration import (dry run with --dry-run)."""
    p = sub.add_parser("import", help="import registrations from an XLSX or CSV export")
    add_common(p)
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
    _add_value_map_arguments(p)
    _add_same_person_arguments(p)
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
                raise CliError(both("import.cli.all_sheets_xlsx"))
            with XlsxSource(args.file) as book:
                sheets = book.sheets
        except ReadError as exc:
            raise CliError(str(exc)) from exc
        named = args.source
        if not named and args.mapping:
            from checkin_app.services.importing import ImportFailed, ImportService

            try:
                named = ImportService(open_db(args)).preset(args.mapping).options.get("source")
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
                print_same_people(
                    argparse.Namespace(same_people=()),
                    record(ImportService(open_db(args)), args))
            except ValueError as exc:
                raise CliError(str(exc)) from exc
        return worst
    from checkin_app.importers.fields import BY_KEY, header_text
    from checkin_app.importers.readers import ReadError
    from checkin_app.importers.text import fold
    from checkin_app.services.importing import ImportFailed, ImportOptions, ImportService

    db = open_db(args)
    svc = ImportService(db, parse_clock(args.clock, db))
    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter or "", args.delimiter)
    keep = frozenset(k.strip() for k in args.keep.split(",") if k.strip()) if args.keep else None
    options = ImportOptions(
        sheet=args.sheet, encoding=args.encoding, delimiter=delimiter, preset=args.mapping,
        header_line=args.header_line, key_field=args.key, full=args.full, photos_dir=args.photos,
        keep=keep, default_category=args.default_category, code_width=args.code_width,
        operator=args.operator, desk=desk_name(db, None), source=args.source,
        value_map=value_map(args.map),
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
                    raise CliError(both(msg("import.cli.bad_column", fields=", ".join(BY_KEY))))
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

        pairs(args)  # a malformed decision is refused before the import
        # The report file is written by the import as the lines come (every line; the result
        # holds the first lines of each code and counts the rest).
        result = run(args.file, options, progress=progress, report_file=args.report)
        decided = record(svc, args)
    except (ImportFailed, ReadError, ValueError) as exc:
        raise CliError(str(exc)) from exc
    if sys.stderr.isatty():
        print(file=sys.stderr)
    index: dict[str, Any] | None = None
    from checkin_app.services.search import SearchService, build_pending

    if result.applied and (result.index_pending or SearchService(db).index_pending()):
        # A big import committed its people first; the name search is built now, before the
        # command ends (people can already be checked in by code meanwhile). Keys an earlier
        # import left pending (its process killed) are built here too.
        if not args.json:
            print(both("import.cli.indexing", sep=" / "), flush=True)
        t0 = time.perf_counter()
        keys = build_pending(db)
        index = {"keys": keys, "seconds": round(time.perf_counter() - t0, 2)}
    c = result.counts
    if args.json:
        print_json({
            "applied": result.applied, "counts": c.as_dict(), "file_sha256": result.file_sha256,
            "encoding": inspection.encoding, "delimiter": inspection.delimiter,
            "sheet": inspection.sheet, "header_line": inspection.header_line,
            "source": result.inspection.source,
            **same_people_json(result, decided),
            "mapping": {header_text(h, i): f for i, (h, f) in
                        enumerate(zip(inspection.headers, inspection.mapping, strict=False))},
            "problems": [{"sheet": p.sheet, "line": p.line, "column": p.column, "value": p.value,
                          "severity": p.severity, "code": p.code, "message_zh": p.message_zh,
                          "message_en": p.message_en} for p in result.problems],
            # `problems` is bounded (the first lines of each code, then one counting line):
            # the exact number of lines of each code, and in all.
            "problem_counts": dict(result.problem_counts),
            "problems_total": result.problems_total,
            "report_file": str(result.report_file) if result.report_file else None,
            "unknown_values": unknown_json(result),
            "name_index": index,
        })
    else:
        ins = result.inspection
        where = (f"sheet {ins.sheet}" if ins.kind == "xlsx"
                 else f"encoding {ins.encoding}, delimiter {ins.delimiter!r}")
        print(f"{args.file.name}: {where}, header on line {ins.header_line}, "
              f"{both('import.cli.source', sep=' / ')} {ins.source}{'' if ins.source_known else ' (new)'}")
        for h, f in zip(ins.headers, ins.mapping, strict=False):
            target = (f"{BY_KEY[f].name_zh} / {BY_KEY[f].name_en}" if f
                      else f"— ({both('import.cli.ignored', sep=' ')})")
            print(f"  {h:<24} → {target}")
        print_problems(result)
        print_same_people(result, decided)
        mode = both("import.cli.imported" if result.applied else "import.cli.dry_run", sep=" / ")
        print(f"{mode}: new {c.new}, changed {c.changed}, unchanged {c.unchanged}, "
              f"cancelled {c.cancelled}, rejected {c.rejected}, missing {c.missing}, "
              f"skipped {c.skipped}, warnings {c.warnings}  ({result.seconds:.1f} s)")
        if index is not None:
            print(both(msg("import.cli.indexed", keys=index["keys"], seconds=index["seconds"]),
                       sep=" / "))
        if args.report:
            print(f"{both(msg('import.cli.report', count=result.problems_total), sep=' / ')}: "
                  f"{args.report}")
    return EXIT_REFUSED if c.rejected else EXIT_OK


# -- --map KIND:VALUE=TARGET, and the dry run's unknown values grouped with counts -----------------
KINDS = ("category", "activity", "status", "country", "track")


def _add_value_map_arguments(p: argparse.ArgumentParser) -> None:
    """The --map option of `import`."""
    p.add_argument("--map", action="append", default=[], metavar="KIND:VALUE=TARGET",
                   # English only, like every help; the catalogue holds it for its Chinese examples.
                   help=text("import.cli.map_help", "en"))


def value_map(items: Sequence[str]) -> dict[str, dict[str, str]] | None:
    """{kind: {value: target}} from the --map items (None when there are none)."""
    out: dict[str, dict[str, str]] = {}
    for item in items:
        kind, _, rest = item.partition(":")
        value, sep, target = rest.rpartition("=")
        kind = kind.strip().lower()
        if kind not in KINDS or not sep or not value.strip() or not target.strip():
            raise CliError(both(msg("import.cli.bad_map", kinds=", ".join(KINDS))))
        out.setdefault(kind, {})[value.strip()] = target.strip()
    return out or None


def print_problems(result: Any) -> None:
    """Report lines, except that an unknown value met on several rows comes once, with its count."""
    from checkin_app.importers.report import KIND_NAMES, UNKNOWN_VALUE_CODES
    from checkin_app.importers.text import fold

    repeated = {(u.kind, fold(u.value)) for u in result.unknown_values if u.count > 1}
    for p in result.problems:
        if (UNKNOWN_VALUE_CODES.get(p.code), fold(p.value)) in repeated:
            continue
        loc = f"{p.sheet + ' ' if p.sheet else ''}{'line ' + str(p.line) if p.line else ''}"
        print(f"  [{p.severity}] {loc} {p.column}: {p.message_zh} / {p.message_en}".rstrip())
    unknown = result.unknown_values
    if not unknown:
        return
    print(f"  {both('import.cli.unknown_values', sep=' / ')}:")
    for u in unknown:
        zh, en = KIND_NAMES[u.kind]
        lines = ", ".join(str(n) for n in u.lines) + (" …" if u.count > len(u.lines) else "")
        print(f"    [{u.severity}] {zh} {en} ({u.column}): {u.label}   lines {lines}")


def unknown_json(result: Any) -> list[dict[str, Any]]:
    """The grouped unknown values for --json."""
    return [{"kind": u.kind, "column": u.column, "value": u.value, "count": u.count,
             "lines": list(u.lines), "severity": u.severity} for u in result.unknown_values]


# -- --merge KEPT=OTHER / --keep-apart A=B: the organiser's decision on people two sources both list,
# stored so that the next import does not ask again ------------------------------------------------
def _add_same_person_arguments(p: argparse.ArgumentParser) -> None:
    """The --merge and --keep-apart options of `import`."""
    p.add_argument("--merge", action="append", default=[], metavar="KEPT=OTHER",
                   help="the two registration numbers (as the report shows them, e.g. 1=GUESTS-1) "
                        "are one person: both records are kept and linked, KEPT stands for both; "
                        "repeatable")
    p.add_argument("--keep-apart", action="append", default=[], metavar="A=B",
                   help="the two registration numbers are two people: not reported again; repeatable")


def pairs(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(decision, first number, second number) of every --merge and --keep-apart given; ValueError
    with a bilingual message for one that is not two numbers."""
    out = []
    for decision, items in (("merge", args.merge), ("apart", args.keep_apart)):
        for item in items:
            a, sep, b = item.partition("=")
            if not (sep and a.strip() and b.strip()):
                raise ValueError(both(msg("import.cli.bad_pair", item=item)))
            out.append((decision, a.strip(), b.strip()))
    return out


def record(svc: Any, args: argparse.Namespace) -> list[Any]:
    """Store the decisions given on the command line (after the import, so that people the file
    brings in can be named); ValueError naming a number nobody holds."""
    from checkin_app.services.importing import ImportFailed

    given = pairs(args)
    if given and args.dry_run:
        raise ValueError(both("import.cli.dry_run_decision"))
    done = []
    for decision, a, b in given:
        ids = [svc.delegate_id(x) for x in (a, b)]
        missing = [x for x, i in zip((a, b), ids, strict=True) if i is None]
        if missing:
            raise ValueError(both(msg("import.cli.nobody", numbers=", ".join(missing))))
        try:
            done.append(svc.decide_same_person(ids[0], ids[1], decision, operator=args.operator))
        except ImportFailed as exc:
            raise ValueError(str(exc)) from exc
    return done


def print_same_people(result: Any, decided: list[Any]) -> None:
    """The people of this file another source lists too, and the decisions just stored."""
    if result.same_people:
        print(f"  {both('import.cli.same_people', sep=' / ')}:")
        for x in result.same_people:
            mine = x.code or x.source_code or "—"
            print(f"    line {x.line}: {x.name} {mine} = {x.other_code} ({x.other_source or '—'}, "
                  f"{x.other_name}) by {', '.join(x.by)}")
    for d in decided:
        what = both("import.cli.merged" if d.decision == "merge" else "import.cli.kept_apart", sep=" / ")
        print(f"  {what}: {d.kept_code} = {d.other_code}")


def same_people_json(result: Any, decided: list[Any]) -> dict[str, Any]:
    """The same people and the decisions for --json."""
    return {
        "same_people": [{"line": x.line, "name": x.name, "code": x.code, "delegate_id": x.delegate_id,
                         "other_code": x.other_code, "other_source": x.other_source,
                         "other_id": x.other_id, "by": list(x.by)} for x in result.same_people],
        "decisions": [{"decision": d.decision, "kept": d.kept_code, "other": d.other_code}
                      for d in decided],
    }


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"import": cmd_import}
