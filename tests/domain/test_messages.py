"""The message catalogue: words for every code, and a guard that converted modules stay converted.

A module says things only through checkin_app.domain.messages (codes whose words live in
checkin_app/domain/words/), with no Chinese literal of its own, unless it is listed below as DATA:
words the program *reads* (export headers, status words, country and family names), not words it
says. Every other module of checkin_app is covered. `python -m tests.domain.cjk FILE` lists what a
module says in its own words.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from checkin_app.domain import messages, words
from checkin_app.domain.clock import FixedClock
from checkin_app.domain.messages import CATALOGUE, DeskError, Message, both, fields, msg, text
from checkin_app.domain.verdicts import EXIT_WORDING, WORDING, Verdict
from checkin_app.storage.db import Database
from tests.domain.cjk import CJK, cjk_literals, tree_of, used_codes

ROOT = Path(__file__).resolve().parents[2] / "checkin_app"
# Words the program reads, not words it says: each may hold Chinese literals.
DATA = {
    "domain/messages.py": "the catalogue's own fallback for an unknown code",
    "domain/words/*": "the catalogue itself",
    "demo/names.py": "the demo's family and given names",
    "domain/countries.py": "country names as exports write them",
    "domain/search_keys.py": "pinyin and name forms to match searches",
    "domain/romanise.py": "romanisation tables",
    "importers/fields.py": "export column headers to recognise",
    "importers/countries.py": "country names as exports write them",
    "importers/vocab.py": "status words, junk and section patterns exports hold",
    "domain/event_sheets.py": "sheet and column names event files are read back by",
    "badges/punctuation.py": "line-break and mirrored-bracket tables",
    "demo/roles.py": "the demo people's missions, honorifics and roles",
    "domain/names.py": "the script ranges names are told apart by",
}


def _modules() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py"))


def _is_data(rel: str) -> bool:
    return rel in DATA or any(k.endswith("/*") and rel.startswith(k[:-1]) for k in DATA)


CONVERTED = [rel for rel in _modules() if not _is_data(rel)]


def _tree(rel: str) -> ast.Module:
    return tree_of(ROOT / rel)


def test_every_template_has_both_languages_with_the_same_fields() -> None:
    for code, (zh, en) in CATALOGUE.items():
        assert zh.strip() and en.strip(), code
        assert fields(zh) == fields(en), code
        if re.sub(r"\{[^}]*\}", "", zh).strip():  # ("{code}" alone is words of no language)
            assert CJK.search(zh), f"{code}: the Chinese text has no Chinese"


def test_no_code_is_written_twice_in_the_catalogue() -> None:
    # A dict literal keeps the last of two equal keys silently; the parts must not have any, and
    # words.merged refuses a code written in two parts.
    keys = [k.value for part in sorted((ROOT / "domain" / "words").glob("[!_]*.py"))
            for node in ast.walk(_tree(str(part.relative_to(ROOT)))) if isinstance(node, ast.Dict)
            for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    assert len(keys) == len(set(keys)) == len(CATALOGUE)
    with pytest.raises(ValueError, match="both"):
        words.merged({"a": {"x.y": ("甲", "a")}, "b": {"x.y": ("乙", "b")}})


@pytest.mark.parametrize("rel", CONVERTED)
def test_converted_module_has_no_chinese_literal(rel: str) -> None:
    assert cjk_literals(_tree(rel)) == []


@pytest.mark.parametrize("rel", CONVERTED)
def test_every_code_a_converted_module_uses_is_in_the_catalogue(rel: str) -> None:
    missing = [(line, code) for line, code in used_codes(_tree(rel)) if code not in CATALOGUE]
    assert missing == []


def test_the_scanners_catch_what_they_must() -> None:
    tree = ast.parse('"""文档"""\nx = "入场"\ny = f"代码：{x}"\nz = msg("no.such.code", a=1)\n')
    assert _is_data("domain/words/hub.py") and not _is_data("domain/wordsmith.py")
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


def test_the_guard_covers_every_module_but_the_data() -> None:
    # If a glob or a path went wrong the guard would check nothing and pass: it must see the house.
    assert len(CONVERTED) > 150
    for rel in ("hub/dashboard.py", "ui/main_window.py", "cli/importing.py", "domain/admission.py"):
        assert rel in CONVERTED
    assert all((ROOT / rel).exists() or rel.endswith("/*") for rel in DATA)
