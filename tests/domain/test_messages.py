"""The message catalogue: words for every code, and a guard that converted modules stay converted.

Converted (they say things only through checkin_app.domain.messages, no Chinese literal left):
  domain/verdicts.py, services/checkin.py, services/walkin.py, services/pins.py,
  services/badges.py, services/conflicts.py, services/catalog.py, ui/texts.py,
  ui/mode_switch.py, ui/recent_view.py, ui/pin_dialog.py, ui/setup_dialog.py, ui/result_view.py.
Not converted yet (still their own zh/en text): domain/admission.py and domain/tokens.py (verdict
reasons), domain/event_def.py and importers/ (report problems), services/ other than the above,
hub/ (dashboard, API errors), sync/, printing/, badges/, storage/, cli/, and the other ui/ views
(Qt tr() with resources/translations/checkin_zh_CN.ts in four of them, inline pairs elsewhere).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from checkin_app.domain import messages
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.messages import CATALOGUE, DeskError, Message, both, fields, msg, text
from checkin_app.domain.verdicts import EXIT_WORDING, WORDING, Verdict
from checkin_app.storage.db import Database

ROOT = Path(__file__).resolve().parents[2] / "checkin_app"
CONVERTED = [
    "domain/verdicts.py",
    "services/checkin.py",
    "services/walkin.py",
    "services/pins.py",
    "services/badges.py",
    "services/conflicts.py",
    "services/catalog.py",
    "ui/texts.py",
    "ui/mode_switch.py",
    "ui/recent_view.py",
    "ui/pin_dialog.py",
    "ui/setup_dialog.py",
    "ui/result_view.py",
]
# Chinese characters and the CJK / full-width punctuation that goes with them.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Functions whose first argument is a catalogue code.
CODE_TAKERS = {"msg", "Message", "say", "text", "both", "pair"}


def _tree(rel: str) -> ast.Module:
    return ast.parse((ROOT / rel).read_text(encoding="utf-8"), filename=rel)


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
            if name in CODE_TAKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.append((node.lineno, first.value))
    return out


def test_every_template_has_both_languages_with_the_same_fields() -> None:
    for code, (zh, en) in CATALOGUE.items():
        assert zh.strip() and en.strip(), code
        assert fields(zh) == fields(en), code
        if re.sub(r"\{[^}]*\}", "", zh).strip():  # ("{code}" alone is words of no language)
            assert CJK.search(zh), f"{code}: the Chinese text has no Chinese"


def test_no_code_is_written_twice_in_the_catalogue() -> None:
    # A dict literal keeps the last of two equal keys silently; the source must not have any.
    tree = _tree("domain/messages.py")
    keys = [k.value for node in ast.walk(tree) if isinstance(node, ast.Dict)
            for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    catalogue_keys = [k for k in keys if k in CATALOGUE]
    assert len(catalogue_keys) == len(set(catalogue_keys)) == len(CATALOGUE)


@pytest.mark.parametrize("rel", CONVERTED)
def test_converted_module_has_no_chinese_literal(rel: str) -> None:
    assert cjk_literals(_tree(rel)) == []


@pytest.mark.parametrize("rel", CONVERTED)
def test_every_code_a_converted_module_uses_is_in_the_catalogue(rel: str) -> None:
    missing = [(line, code) for line, code in used_codes(_tree(rel)) if code not in CATALOGUE]
    assert missing == []


def test_the_scanners_catch_what_they_must() -> None:
    tree = ast.parse('"""文档"""\nx = "入场"\ny = f"代码：{x}"\nz = msg("no.such.code", a=1)\n')
    assert [line for line, _ in cjk_literals(tree)] == [2, 3]
    assert used_codes(tree) == [(4, "no.such.code")]


def test_every_verdict_has_a_title_and_a_next_step() -> None:
    for v in Verdict:
        w = WORDING[v]
        assert w.title_zh != v.value and w.title_en != v.value and w.next_zh and w.next_en
    assert (EXIT_WORDING.title_zh, EXIT_WORDING.title_en) == ("已离场", "Exit recorded")


def test_every_print_reason_and_state_has_words() -> None:
    from checkin_app.services.badges import REASON_WORDS, REASONS, STATE_WORDS, STATES

    for key, (zh, en) in [*REASON_WORDS.items(), *STATE_WORDS.items()]:
        assert key in REASONS or key in STATES
        assert CJK.search(zh) and not zh.startswith("[") and not en.startswith("["), key
    assert len(REASON_WORDS) == len(REASONS) and len(STATE_WORDS) == len(STATES)


def test_text_fills_parameters_and_nested_messages() -> None:
    m = msg("verdict.FULL.title")
    assert text(m, "zh") == "场地已满" and text(m, "en") == "Full"
    assert both(m) == "场地已满\nFull" and both(m, "en", " / ") == "Full / 场地已满"


def test_an_unknown_code_shows_the_code_and_says_so() -> None:
    assert text(msg("no.such.code"), "en") == "[no.such.code] (message code not in the catalogue)"
    assert "no.such.code" in text("no.such.code", "zh") and "目录" in text("no.such.code", "zh")


def test_a_missing_parameter_shows_the_code_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(messages.CATALOGUE, "test.left", ("还可再试 {left} 次", "{left} tries left"))
    assert text(msg("test.left", left=2), "en") == "2 tries left"
    en = text(Message("test.left"), "en")
    assert en.startswith("[test.left]") and "missing" in en and "left" in en
    assert "缺少参数" in text(Message("test.left"), "zh")


def test_a_desk_error_is_both_languages_and_keeps_its_message() -> None:
    m = msg("verdict.CLOSED.title")
    e = DeskError(m)
    assert str(e) == "入场已结束\nClosed" and e.message == m
    assert e.text("zh") == "入场已结束" and e.text("en") == "Closed"
    raw = DeskError("旧文字\nold text")  # a module not converted yet still raises its own text
    assert raw.message is None and str(raw) == "旧文字\nold text"


def test_services_refuse_with_codes_and_the_same_words(demo_db: Database, clock: FixedClock) -> None:
    # Real services on a real SQLite file: what they refuse carries its code, and str() and the
    # UI's error text are the catalogue's words in both languages, Chinese first.
    from checkin_app.services.checkin import CheckInError, CheckInService
    from checkin_app.services.pins import PinService
    from checkin_app.ui.texts import error_text

    svc = CheckInService(demo_db, clock)
    with pytest.raises(CheckInError) as caught:
        svc.override(1, desk="D1", operator="Li", reason=" ", overridden="CANCELLED")
    assert caught.value.message == msg("override.reason_needed")
    assert str(caught.value) == error_text(caught.value) == "特许放行必须填写原因\nAn override needs a reason"
    with pytest.raises(CheckInError) as caught:
        svc.scan("X", activity_code="NOPE", desk="D1")
    assert caught.value.message == msg("activity.unknown", code="NOPE")
    check = PinService(demo_db, clock).verify("2468", desk="D1")
    assert check.reason == msg("pin.none_set") and check.message_en == "No manager PIN is set yet"
    r = svc.scan("NO-SUCH-CODE", desk="D1")
    assert (r.message_zh, r.message_en) == ("无法识别的代码：代码：NO-SUCH-CODE",
                                            "Unknown code: Code: NO-SUCH-CODE")
