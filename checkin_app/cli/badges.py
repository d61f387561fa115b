"""`checkin-app badges`: batch badges into one PDF (n-up A4 sheets by default) with a progress bar."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkin_app.badges.templates import SHEETS, TemplateError, load_templates, sheet_named
from checkin_app.cli.common import EXIT_OK, CliError, add_common, open_desk, zh_en
from checkin_app.domain.messages import both, msg

_BADGES = zh_en(msg("cli.badges.progress"), sep=" ")  # the progress bar's label, "徽章 badges"

if TYPE_CHECKING:
    from checkin_app.services.badges import BadgeService


def add_parsers(sub: Any) -> None:
    """Register the `badges` subcommand."""
    p = sub.add_parser("badges", help="print badges in batch into one PDF (A4 sheets with cut marks)")
    add_common(p)
    p.add_argument("--category", action="append", default=[], metavar="C",
                   help="category code (repeatable), e.g. VIP")
    p.add_argument("--activity", default=None, metavar="A",
                   help="everyone admitted to this activity")
    p.add_argument("--all", action="store_true", help="every registered (not cancelled) delegate")
    p.add_argument("--template", default=None, metavar="T",
                   help="template name or .json file (default: each category's template)")
    p.add_argument("--sheet", default="a4-4up", choices=["none", *SHEETS],
                   help="n-up A4 sheet, or none for one badge per page (default a4-4up)")
    p.add_argument("-o", "--output", type=Path, required=True, help="PDF file to write")


class _Bar:
    """A progress bar on stderr (a line every 10 % when stderr is not a terminal)."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.tty = sys.stderr.isatty()
        self.shown = -1
        self.t0 = time.monotonic()

    def __call__(self, done: int) -> None:
        pct = done * 100 // self.total
        step = pct if self.tty else pct // 10 * 10
        if step == self.shown:
            return
        self.shown = step
        if self.tty:
            filled = pct * 30 // 100
            rate = done / max(time.monotonic() - self.t0, 1e-6)
            print(f"\r{_BADGES} [{'#' * filled}{'.' * (30 - filled)}] {pct:3d}% "
                  f"{done}/{self.total}  {rate:,.0f}/s", end="", file=sys.stderr, flush=True)
        else:
            print(f"{_BADGES} {pct:3d}% {done}/{self.total}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def cmd_badges(args: argparse.Namespace) -> int:
    """Batch badges into one PDF file."""
    write_batch(args, open_desk(args, rehearsal=False).badges)
    return EXIT_OK


def write_batch(args: argparse.Namespace, service: BadgeService) -> int:
    """Write the batch; returns the number of badges."""
    from checkin_app.badges.batch import with_templates, write_batch_file
    from checkin_app.services.badges import BadgeServiceError, Selection

    if not (args.all or args.category or args.activity):
        raise CliError(both(msg("cli.badges.choose")))
    try:
        templates = load_templates()
        template = templates.get(args.template) if args.template else None
        sheet = sheet_named(args.sheet)
    except TemplateError as exc:
        raise CliError(str(exc)) from exc
    for err in templates.errors:
        print(f"{err}", file=sys.stderr)
    sel = Selection(categories=tuple(args.category), activity=args.activity)
    try:
        total = service.count(sel)
    except BadgeServiceError as exc:
        raise CliError(str(exc)) from exc
    bar = _Bar(total)
    try:
        n = write_batch_file(with_templates(service.iter_badge_data(sel), templates, template),
                             args.output, sheet=sheet, progress=bar)
    except (BadgeServiceError, TemplateError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
    pages = n if sheet is None else -(-n // sheet.per_page)
    print(f"{zh_en(msg('cli.badges.wrote', n=n, pages=pages), sep='/ ')} to {args.output}")
    return n


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"badges": cmd_badges}
