"""The command line is one package: no private name crosses a module, and `checkin-app --help` lists
every command group through the real entry point."""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "checkin_app" / "cli"

# Every command `checkin-app --help` must list (a group dropped by mistake fails here, not in the field).
GROUPS = ("gui", "demo", "checkin", "undo", "search", "stats", "activities", "migrate", "badges", "audit",
          "import", "keys", "issue-code", "pin", "event", "hub", "enrol", "sync", "bundle")
# The groups with subcommands of their own, and those subcommands.
SUBCOMMANDS = {
    "audit": {"verify", "export"},
    "keys": {"init", "rotate", "retire", "certify-desk", "revoke-desk", "lift-revocation",
             "export-public", "import-public", "list"},
    "pin": {"set", "list", "remove"},
    "event": {"new", "check", "apply", "export", "show"},
    "hub": {"event", "load", "publish", "enrol-desk", "revoke-desk", "lift-revocation",
            "reinstate-desk", "dashboard-key", "desks", "bundle"},
    "bundle": {"export", "import"},
}


def _project_module(node: ast.ImportFrom, package: str) -> str | None:
    """The project module an import names (relative imports resolved), or None for another package's."""
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        return ".".join([*base, node.module] if node.module else base)
    name = node.module or ""
    return name if name == "checkin_app" or name.startswith("checkin_app.") else None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))  # not __version__


def private_imports(source: str, module: str) -> list[str]:
    """`module`'s uses of another project module's private names: `from m import _x`, and `m._x` on a
    project module imported by name (`from checkin_app.sync import client; client._get`)."""
    tree = ast.parse(source)
    package = module.rpartition(".")[0]
    found: list[str] = []
    modules: set[str] = set()  # local names bound to a project module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            origin = _project_module(node, package)
            if origin is None or origin == module:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"line {node.lineno}: from {origin} import {alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("checkin_app"):
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"line {node.lineno}: import {alias.name}")
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                and node.value.id in modules):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_checker_catches_private_names() -> None:
    caught = private_imports(
        "from checkin_app.cli.common import CliError, _open\n"
        "from .hub import _store\n"
        "from checkin_app.sync import client\n"
        "import checkin_app.cli.common as common\n"
        "def f():\n"
        "    from checkin_app.cli.security import _read_pin\n"
        "    return client._get, common._x, common.__doc__\n",
        "checkin_app.cli.sync")
    assert caught == ["line 1: from checkin_app.cli.common import _open",
                      "line 2: from checkin_app.cli.hub import _store",
                      "line 6: from checkin_app.cli.security import _read_pin",
                      "line 7: client._get", "line 7: common._x"]
    # Its own private names, another package's and public ones are fine.
    assert private_imports("from argparse import _SubParsersAction\n"
                           "from checkin_app import __version__\n"
                           "from checkin_app.cli.common import CliError, parse_clock\n",
                           "checkin_app.cli.desk") == []


def test_no_cli_module_imports_a_private_name_of_another_module() -> None:
    files = sorted(CLI.glob("*.py"))
    assert {f.name for f in files} >= {"__init__.py", "common.py"}
    found = {f.name: private_imports(f.read_text(encoding="utf-8"), f"checkin_app.cli.{f.stem}")
             for f in files}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_nothing_below_the_command_line_imports_it() -> None:
    """The command line is the top floor: no other module of the app reaches up into it."""
    offenders = []
    for path in sorted((ROOT / "checkin_app").rglob("*.py")):
        if CLI in path.parents or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n == "checkin_app.cli" or n.startswith("checkin_app.cli.")]
    assert offenders == []


def _entry_point(name: str, table: str = "scripts") -> tuple[str, str]:
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][table][name]
    module, _, func = target.partition(":")
    return module, func


def _listed(help_text: str) -> set[str]:
    """The command names the help's `{a,b,…}` line offers."""
    choices = next(line.strip() for line in help_text.splitlines() if line.strip().startswith("{"))
    return set(choices.strip("{}").split(","))


def test_help_lists_every_command_group_through_the_real_entry_point() -> None:
    module, func = _entry_point("checkin-app")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    runs = [[sys.executable, "-c", f"import sys; from {module} import {func}; sys.exit({func}())"]]
    installed = Path(sys.executable).with_name("checkin-app")
    if installed.is_file():  # the console script pip made from that line, where this venv has it
        runs.append([str(installed)])
    for cmd in runs:
        res = subprocess.run([*cmd, "--help"], capture_output=True, text=True, env=env, cwd=ROOT,
                             timeout=120)
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith("usage: checkin-app"), res.stdout
        assert _listed(res.stdout) == set(GROUPS), res.stdout
        for group in GROUPS:  # each with its line of help
            assert any(line.split()[:1] == [group] for line in res.stdout.splitlines()), group


def test_every_command_dispatches_and_groups_keep_their_subcommands() -> None:
    from checkin_app import cli

    assert set(cli.COMMANDS) == set(GROUPS)
    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == list(GROUPS)  # the order --help shows
    for group, expected in SUBCOMMANDS.items():
        inner = next(a for a in sub.choices[group]._actions if isinstance(a, argparse._SubParsersAction))
        assert set(inner.choices) == expected, group
    module, func = _entry_point("checkin-desk", "gui-scripts")
    assert (module, func) == ("checkin_app.cli", "gui_main") and callable(cli.gui_main)
