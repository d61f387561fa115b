"""Words a volunteer reads (one language per line, one word for manager, big second lines), the
look of an exit, the recent list at a laptop's height, and the words of an override note."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.types import CategoryInfo, CheckInRecord, DelegateView, ScanResult
from checkin_app.domain.verdicts import WORDING, Severity, Verdict
from checkin_app.ui import style
from checkin_app.ui.controller import RecentRow
from checkin_app.ui.mode_switch import EXIT_COLOUR
from checkin_app.ui.pin_dialog import FirstPinDialog, PinDialog
from checkin_app.ui.recent_view import RecentPanel
from checkin_app.ui.result_view import SECONDARY_RATIO, ResultPanel
from checkin_app.ui.setup_dialog import SetupDialog
from tests.ui.conftest import Desk

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2024, 11, 23, 9, 30, tzinfo=SHANGHAI)
HAN = re.compile(r"[\u4e00-\u9fff]")


def _person() -> DelegateView:
    cat = CategoryInfo("ATTENDEE", "参会者", "Attendee", "#78909C")
    return DelegateView(7, "CQ24-AB23CD", "张伟", "ZHANG Wei", "张伟", "", "重庆大学",
                        "Chongqing University", "", "CN", "中国", "China", cat, "approved", "", "")


def _event(direction: str = "in", verdict: str = "ADMIT", operator: str = "volunteer"
           ) -> CheckInRecord:
    return CheckInRecord(f"uuid-{direction}-{verdict}", 7, "MAIN", direction, "Desk 1", operator,
                         AT, verdict)


def _result(verdict: Verdict = Verdict.ADMIT, *, event: CheckInRecord | None = None,
            details: dict[str, str] | None = None) -> ScanResult:
    w = WORDING[verdict]
    return ScanResult(verdict, Severity.GREEN if verdict is Verdict.ADMIT else Severity.AMBER,
                      True, w.title_zh, w.title_en, w.title_zh, w.title_en, w.next_zh, w.next_en,
                      "CQ24-AB23CD", _person(), None, event or _event(), details=details or {})


def _directed(base: ScanResult, direction: str) -> ScanResult:
    """The result as the service gives it once ScanResult carries its direction."""
    if "direction" in {f.name for f in fields(ScanResult)}:
        return replace(base, direction=direction)  # type: ignore[call-arg, unused-ignore]

    @dataclass(frozen=True, slots=True)
    class DirectedResult(ScanResult):
        direction: str = "in"

    return DirectedResult(**{f.name: getattr(base, f.name) for f in fields(ScanResult)},
                          direction=direction)


def _directed_row(base: RecentRow, direction: str) -> RecentRow:
    """The row as the controller gives it once RecentRow carries its direction."""
    if "direction" in {f.name for f in fields(RecentRow)}:
        return replace(base, direction=direction)  # type: ignore[call-arg, unused-ignore]

    @dataclass(frozen=True, slots=True)
    class DirectedRow(RecentRow):
        direction: str = "in"

    return DirectedRow(**{f.name: getattr(base, f.name) for f in fields(RecentRow)},
                       direction=direction)


def _panel(qtbot: QtBot) -> ResultPanel:
    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.resize(748, 440)  # the panel's size in a 1366×768 desk window
    panel.show()
    QApplication.processEvents()
    return panel


# -- 1. words ------------------------------------------------------------------------------------
def test_pin_prompt_names_the_action_in_each_language(qtbot: QtBot, clock: FixedClock) -> None:
    for lang in ("zh", "en"):
        dlg = PinDialog("撤销签到", "undo a check-in", lang=lang, clock=clock)
        qtbot.addWidget(dlg)
        lines = dlg.intro.text().split("\n")
        zh_line = next(line for line in lines if HAN.search(line))
        en_line = next(line for line in lines if not HAN.search(line))
        assert zh_line == "需要负责人 PIN：撤销签到"
        assert en_line == "Manager PIN needed: undo a check-in"
        assert lines[0] == (zh_line if lang == "zh" else en_line)


def test_wrong_pin_message_is_whole_above_the_buttons(qtbot: QtBot, clock: FixedClock,
                                                      app_fonts: list[str]) -> None:
    dlg = PinDialog("特许放行", "override a refusal", lang="zh", clock=clock)
    qtbot.addWidget(dlg)
    dlg.setStyleSheet(style.STYLESHEET)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.show_error("PIN 错误，还可再试 4 次；连续输错 5 次后本签到台将锁定 5 分钟，请确认后再输入\n"
                   "Wrong PIN; 4 tries left before a lock-out of five minutes for this desk, "
                   "so check it before typing again")
    QApplication.processEvents()
    err, buttons = dlg.error, dlg.buttons
    assert err.isVisible() and err.wordWrap()
    assert err.height() >= err.heightForWidth(err.width())  # every wrapped line has room
    assert err.geometry().bottom() < buttons.geometry().top()  # nothing under the buttons
    assert buttons.geometry().bottom() <= dlg.height()


def test_first_pin_and_setup_dialogs_speak_both_languages(qtbot: QtBot) -> None:
    first = FirstPinDialog(lang="zh")
    qtbot.addWidget(first)
    assert "设置负责人 PIN" in first.windowTitle() and "Set the manager PIN" in first.windowTitle()
    for lang in ("zh", "en"):
        dlg = SetupDialog([], desk_name="", activity_code="MAIN", tz=SHANGHAI, lang=lang)
        qtbot.addWidget(dlg)
        intro = dlg.intro.text().split("\n")
        assert len(intro) == 2 and bool(HAN.search(intro[0])) is (lang == "zh")
        assert bool(HAN.search(intro[1])) is (lang == "en")
        for text in (dlg.windowTitle(), dlg.desk_label.text(), dlg.activity_label.text(),
                     dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).text()):
            assert " / " in text and HAN.search(text) and re.search("[A-Za-z]", text), text
        assert "负责人" in dlg.empty.text() and "经理" not in dlg.empty.text()


def test_undo_confirmation_speaks_both_languages(qtbot: QtBot) -> None:
    panel = RecentPanel()
    qtbot.addWidget(panel)
    panel.set_rows([RecentRow(AT, "ADMIT", Severity.GREEN, "张伟", "CQ24-AB23CD", "MAIN", "u1",
                              False, False)])
    panel.table.selectRow(0)
    assert panel.undo_button.text() == "撤销所选签到 / Undo selected check-in"
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert panel.confirming
    assert panel.undo_button.text() == "再点一次确认撤销：张伟 / Click again to undo"
    assert panel.cancel_button.text() == "保留 / Keep"
    panel.set_language("en")
    assert panel.undo_button.text() == "Click again to undo: 张伟 / 再点一次确认撤销"


# The one place 管理员 is right: the hub's own administrator (IT), not the desk's manager.
HUB_ADMIN = {"hub.db.failed"}


def test_the_desk_has_one_chinese_word_for_manager() -> None:
    # Every word the program says is in the catalogue, so the catalogue is where to look (and the
    # ui files, in case a literal comes back).
    found = []
    for path in [*sorted((ROOT / "checkin_app" / "ui").glob("*.py")),
                 *sorted((ROOT / "checkin_app" / "domain" / "words").glob("*.py"))]:
        rel = path.relative_to(ROOT).as_posix()
        code = ""
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            head = line.split("#", 1)[0]
            if head.lstrip().startswith('"') and '": (' in head:
                code = head.split('"')[1]  # a catalogue entry starts here; its text may run on
            if code in HUB_ADMIN:
                continue
            if "管理员" in head or re.search(r"(?<!总)(?<!招聘)经理", head):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []


def test_second_language_lines_are_big(qtbot: QtBot, app_fonts: list[str]) -> None:
    panel = _panel(qtbot)
    panel.show_result(_result())
    QApplication.processEvents()
    assert panel.title_secondary.text() == "Admit" and panel.name_latin.text() == "ZHANG Wei"
    assert panel.title_secondary.fitted_px >= SECONDARY_RATIO * panel.title_primary.fitted_px
    assert panel.name_latin.fitted_px >= SECONDARY_RATIO * panel.px("native")
    panel.set_language("en")
    assert panel.title_secondary.text() == "准许入场"
    assert panel.title_secondary.fitted_px >= SECONDARY_RATIO * panel.title_primary.fitted_px


def test_a_crowded_verdict_shrinks_its_big_type_instead_of_overlapping(
        qtbot: QtBot, app_fonts: list[str]) -> None:
    panel = _panel(qtbot)
    panel.show_result(_result())
    plain_px = panel.title_primary.fitted_px
    assert not panel._crowded()
    first = _event("in", "ADMIT")
    w = WORDING[Verdict.ALREADY_IN]
    crowded = replace(_result(Verdict.ALREADY_IN, event=None), previous=first,
                      title_zh=w.title_zh, title_en=w.title_en,
                      next_zh="此人已签到，见所示时间和签到台；如有疑问请联系现场负责人。",
                      next_en="Already checked in; see the time and desk shown, and call the "
                              "desk lead if in doubt.")
    panel.show_result(crowded)
    QApplication.processEvents()
    assert not panel._crowded()
    shown = [lb for lb in (panel.title_primary, panel.title_secondary, panel.name_native,
                           panel.name_latin, panel.meta, panel.previous, panel.next_step,
                           panel.code) if lb.isVisible()]
    assert panel.previous in shown
    for upper, lower in itertools.pairwise(shown):  # top to bottom, none over the next
        assert upper.geometry().bottom() < lower.geometry().top(), (upper.text(), lower.text())
    assert panel.code.geometry().bottom() <= panel.height()
    # Big type gave way; the second-language line is still at least 60% of the headline.
    assert panel.title_primary.fitted_px <= plain_px
    assert panel.title_secondary.fitted_px >= SECONDARY_RATIO * panel.title_primary.fitted_px
    assert panel.px("previous") >= 14


# -- 2. exits ------------------------------------------------------------------------------------
def _assert_exit_look(panel: ResultPanel) -> None:
    assert panel.background_colour() == EXIT_COLOUR
    assert panel.icon.glyph is None  # the exit sign, not the green tick
    assert panel.title_primary.text() == "已离场"
    assert panel.title_secondary.text() == "Exit recorded"
    assert panel.next_step.text() == "请放行离场。\nLet them out."
    assert "准许入场" not in panel.title_primary.text() + panel.next_step.text()


def test_an_exit_has_its_own_look_from_the_event_or_the_result(qtbot: QtBot,
                                                              app_fonts: list[str]) -> None:
    panel = _panel(qtbot)
    # Today: the recorded event says "out".
    panel.show_result(_result(event=_event("out")))
    _assert_exit_look(panel)
    # After the service change: the result carries its direction.
    panel.show_result(_directed(_result(event=None), "out"))
    _assert_exit_look(panel)
    # An entry stays green.
    panel.show_result(_result())
    assert panel.background_colour() == style.GREEN.background
    assert panel.title_primary.text() == "准许入场"


def test_an_exit_scan_at_the_desk_looks_like_an_exit_and_lists_as_one(desk: Desk) -> None:
    w = desk.window
    assert desk.scan(desk.samples["attendee"]).verdict is Verdict.ADMIT
    with desk.qtbot.waitSignal(w.controller.settingsSaved, timeout=5000):
        desk.qtbot.mouseClick(w.mode_switch.exit, Qt.MouseButton.LeftButton)
    desk.clock.advance(seconds=5)
    out = desk.scan(desk.samples["attendee"])
    assert out.event is not None and out.event.direction == "out"
    _assert_exit_look(w.result)
    desk.qtbot.waitUntil(lambda: bool(w.recent.rows) and w.recent.rows[0].uuid == out.event.uuid,
                         timeout=5000)
    assert w.recent.table.item(0, 1).text() == "离场"
    assert w.recent.table.item(1, 1).text() == "准许入场"  # the entry before it


def test_recent_list_words_for_exit_rows_with_and_without_their_direction(qtbot: QtBot) -> None:
    panel = RecentPanel()
    qtbot.addWidget(panel)
    entry = RecentRow(AT, "ADMIT", Severity.GREEN, "张伟", "CQ24-AB23CD", "MAIN", "u1", False, False)
    # After the controller change: the row says its direction.
    directed = _directed_row(RecentRow(AT, "ADMIT", Severity.GREEN, "李娜", "CQ24-P3WSVT", "MAIN",
                                       "u2", False, False), "out")
    panel.set_rows([directed, entry])
    assert [panel.table.item(i, 1).text() for i in (0, 1)] == ["离场", "准许入场"]
    panel.set_language("en")
    assert panel.table.item(0, 1).text() == "Exit"
    # A row says its direction itself (the controller fills it from the recorded event).
    assert entry.direction == "in"
    panel.set_rows([replace(entry, direction="out"), entry])
    assert [panel.table.item(i, 1).text() for i in (0, 1)] == ["Exit", "Admit"]


# -- 3. recent scans at a laptop's height ---------------------------------------------------------
def _rows(n: int) -> list[RecentRow]:
    return [RecentRow(AT.replace(minute=59 - i // 60, second=59 - i % 60), "ADMIT", Severity.GREEN,
                      f"Person {i}", f"CQ24-{i:06d}", "MAIN", f"u{i}", False, False)
            for i in range(n)]


def test_new_scan_scrolls_to_the_top_and_keeps_the_selection(qtbot: QtBot) -> None:
    panel = RecentPanel()
    qtbot.addWidget(panel)
    panel.resize(560, 200)
    panel.show()
    qtbot.waitExposed(panel)
    rows = _rows(30)
    panel.set_rows(rows[1:])
    # The volunteer scrolls down to an old row and picks it.
    panel.table.scrollToItem(panel.table.item(20, 0))
    panel.table.selectRow(20)
    QApplication.processEvents()
    bar = panel.table.verticalScrollBar()
    assert bar.value() > 0
    picked = panel.selected()
    assert picked is not None
    panel.set_rows(rows)  # a new scan arrives
    QApplication.processEvents()
    assert bar.value() == 0  # the newest is in sight
    assert panel.table.rowViewportPosition(0) == 0
    assert panel.selected() == picked  # and the selection stays
    # The same list again (a refresh, no new scan) leaves the view where the volunteer put it.
    panel.table.scrollToBottom()
    panel.set_rows(list(rows))
    assert bar.value() == bar.maximum()


def test_recent_scans_show_several_rows_on_a_laptop(desk: Desk) -> None:
    w = desk.window
    w.resize(1366, 697)
    w.show()
    for key in ("attendee", "VIP", "french", "korean", "russian"):
        desk.scan(desk.samples[key])
        desk.clock.advance(seconds=2)
    desk.qtbot.waitUntil(lambda: w.recent.table.rowCount() >= 5, timeout=5000)
    QApplication.processEvents()
    table = w.recent.table
    row_h = table.rowHeight(0)
    assert 22 <= row_h <= 28  # compact, still 15 px type
    assert table.item(0, 2).font().pixelSize() >= 15
    assert table.viewport().height() // row_h >= 4  # four whole rows (there were under two)


# -- 5. override note ----------------------------------------------------------------------------
def test_override_note_names_the_verdict_in_both_languages(qtbot: QtBot,
                                                           app_fonts: list[str]) -> None:
    panel = _panel(qtbot)
    forced = _result(Verdict.ADMIT_WITH_ATTENTION, event=_event("in", "CANCELLED", "Li Lei"),
                     details={"forced": "1",
                              "reason_zh": "管理员 Li Lei 特许放行（原结果：CANCELLED）：主办方确认",
                              "reason_en": "Admitted by manager override (Li Lei; was CANCELLED): "
                                           "主办方确认"})
    panel.show_result(forced)
    note = panel.attention.text()
    assert "CANCELLED" not in note and "管理员" not in note
    assert note == ("负责人 Li Lei 特许放行（原结果：报名已取消）：主办方确认\n"
                    "Manager override by Li Lei (was: Registration cancelled): 主办方确认")
    panel.set_language("en")
    assert panel.attention.text().startswith("Manager override by Li Lei (was: Registration")


def test_pin_errors_start_in_the_ui_language(qtbot: QtBot, clock: FixedClock) -> None:
    message = "PIN 错误，还可再试 4 次\nWrong PIN; 4 tries left before a lock-out"
    for lang, first in (("zh", "PIN 错误"), ("en", "Wrong PIN")):
        dlg = PinDialog("撤销签到", "undo a check-in", lang=lang, clock=clock)
        qtbot.addWidget(dlg)
        dlg.show_error(message)
        assert dlg.error.text().startswith(first) and len(dlg.error.text().split("\n")) == 2
        pin = FirstPinDialog(lang=lang)
        qtbot.addWidget(pin)
        pin.show_error(message)
        assert pin.error.text().startswith(first)
