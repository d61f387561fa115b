"""`checkin-app import --map KIND:VALUE=TARGET` and the dry run's unknown values grouped with counts."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

KINDS = ("category", "activity", "status", "country", "track")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The --map option of `import`."""
    p.add_argument("--map", action="append", default=[], metavar="KIND:VALUE=TARGET",
                   help="map a value of the category, activity, status or country column, e.g. "
                        "category:嘉宾=GUEST, status:待审核=approved, country:塞国=RS, "
                        "activity:晚宴=- (leave out) or category:测试=reject; repeatable; saved "
                        "with --save-mapping")


def value_map(items: Sequence[str]) -> dict[str, dict[str, str]] | None:
    """{kind: {value: target}} from the --map items (None when there are none)."""
    from checkin_app.cli import CliError

    out: dict[str, dict[str, str]] = {}
    for item in items:
        kind, _, rest = item.partition(":")
        value, sep, target = rest.rpartition("=")
        kind = kind.strip().lower()
        if kind not in KINDS or not sep or not value.strip() or not target.strip():
            raise CliError(f"--map 需要 类型:值=目标（类型：{', '.join(KINDS)}），例如 category:嘉宾=GUEST\n"
                           f"--map needs KIND:VALUE=TARGET (kinds: {', '.join(KINDS)}), "
                           "e.g. category:嘉宾=GUEST")
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
    print("  本次大会不认识的值（用 --map 类型:值=代码 映射）/ "
          "Values the event does not know (map them with --map KIND:VALUE=CODE):")
    for u in unknown:
        zh, en = KIND_NAMES[u.kind]
        lines = ", ".join(str(n) for n in u.lines) + (" …" if u.count > len(u.lines) else "")
        print(f"    [{u.severity}] {zh} {en} ({u.column}): {u.label}   lines {lines}")


def unknown_json(result: Any) -> list[dict[str, Any]]:
    """The grouped unknown values for --json."""
    return [{"kind": u.kind, "column": u.column, "value": u.value, "count": u.count,
             "lines": list(u.lines), "severity": u.severity} for u in result.unknown_values]
