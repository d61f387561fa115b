"""One command, `checkin-app`, with subcommands for the desk, scripts and tests; the GUI is the default.

A module per command group (desk, demo, badges, importing, security, event, hub, sync), each with its
`add_parsers` and `COMMANDS`; what they all need is in `common`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence

from checkin_app import __version__
from checkin_app.cli import badges, demo, desk, event, hub, importing, security, sync
from checkin_app.cli.common import EXIT_ERROR, CliError, zh_en
from checkin_app.domain.messages import both, msg


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="checkin-app",
        description=both(msg("cli.description"), first_lang="en", sep=" / "),
    )
    parser.add_argument("--version", action="version", version=f"checkin-app {__version__}")
    sub = parser.add_subparsers(dest="command")
    # In the order `checkin-app --help` lists them: the desk's everyday commands first.
    desk.add_gui_parser(sub)
    demo.add_parsers(sub)
    desk.add_parsers(sub)
    badges.add_parsers(sub)
    desk.add_audit_parser(sub)
    importing.add_parsers(sub)
    security.add_parsers(sub)
    event.add_parsers(sub)
    hub.add_parsers(sub)
    sync.add_parsers(sub)
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    **desk.COMMANDS,
    **demo.COMMANDS,
    **badges.COMMANDS,
    **importing.COMMANDS,
    **security.COMMANDS,
    **event.COMMANDS,
    **hub.COMMANDS,
    **sync.COMMANDS,
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
        print(zh_en(msg("cli.interrupted")), file=sys.stderr)
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
