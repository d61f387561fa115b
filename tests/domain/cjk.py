"""Scanners for the catalogue guard: Chinese literals and catalogue codes in a module's source.

Run `python -m tests.domain.cjk FILE...` to list what a module still says in its own words and
which codes it uses that the catalogue lacks (the guard test in test_messages.py uses the same).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

# Chinese characters and the CJK / full-width punctuation that goes with them.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Functions whose first argument is a catalogue code.
CODE_TAKERS = {"msg", "Message", "say", "text", "both", "pair", "word", "zh_en"}
# What a code looks like ("pin.wrong", "verdict.FULL.title"), so SQLAlchemy's text("SELECT …") is not one.
CODE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)+$")


def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of docstring nodes (a docstring may name the Chinese word it is about)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def cjk_literals(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, text) of every string literal with a Chinese character, docstrings aside."""
    skip = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and CJK.search(node.value)]


def used_codes(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, code) of every literal code passed to msg()/Message()/say()/text()/both()/pair()."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            first = node.args[0]
            if name in CODE_TAKERS and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                    and CODE.match(first.value):
                out.append((node.lineno, first.value))
    return out


def main(argv: list[str]) -> int:
    from checkin_app.domain.messages import CATALOGUE

    bad = 0
    for arg in argv:
        tree = tree_of(Path(arg))
        for line, value in cjk_literals(tree):
            print(f"{arg}:{line}: Chinese literal {value[:60]!r}")
            bad += 1
        for line, code in used_codes(tree):
            if code not in CATALOGUE:
                print(f"{arg}:{line}: code {code!r} is not in the catalogue")
                bad += 1
    print(f"{bad} finding(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
