"""`checkin-app import … --merge KEPT=OTHER / --keep-apart A=B`: the organiser's decision on people two
sources both list, stored so that the next import does not ask again."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(p: argparse.ArgumentParser) -> None:
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
                raise ValueError(f"需要 编号=编号：{item}\nNeeds NUMBER=NUMBER: {item}")
            out.append((decision, a.strip(), b.strip()))
    return out


def record(svc: Any, args: argparse.Namespace) -> list[Any]:
    """Store the decisions given on the command line (after the import, so that people the file
    brings in can be named); ValueError naming a number nobody holds."""
    from checkin_app.services.importing import ImportFailed

    given = pairs(args)
    if given and args.dry_run:
        raise ValueError("试运行不保存决定：去掉 --dry-run 再给 --merge / --keep-apart\n"
                         "A dry run stores no decision: give --merge / --keep-apart without --dry-run")
    done = []
    for decision, a, b in given:
        ids = [svc.delegate_id(x) for x in (a, b)]
        missing = [x for x, i in zip((a, b), ids, strict=True) if i is None]
        if missing:
            raise ValueError(f"没有报名编号为 {', '.join(missing)} 的人（先导入，--dry-run 时不写入）\n"
                             f"Nobody holds registration number {', '.join(missing)} (import first; "
                             "a dry run writes nothing)")
        try:
            done.append(svc.decide_same_person(ids[0], ids[1], decision, operator=args.operator))
        except ImportFailed as exc:
            raise ValueError(str(exc)) from exc
    return done


def print_same_people(result: Any, decided: list[Any]) -> None:
    """The people of this file another source lists too, and the decisions just stored."""
    if result.same_people:
        print("  可能是同一人（已分别保存；用 --merge 保留者=另一人 或 --keep-apart 甲=乙 决定）/ "
              "Possibly the same person (kept apart; decide with --merge KEPT=OTHER or --keep-apart A=B):")
        for x in result.same_people:
            mine = x.code or x.source_code or "—"
            print(f"    line {x.line}: {x.name} {mine} = {x.other_code} ({x.other_source or '—'}, "
                  f"{x.other_name}) by {', '.join(x.by)}")
    for d in decided:
        what = ("已合并 / merged" if d.decision == "merge" else "保留为两人 / kept apart")
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
