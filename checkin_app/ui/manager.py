"""Manager mode at the desk: the PIN gate with its idle timeout, and the actions behind it
(undo, override, walk-in, settings), plus the entry/exit switch wiring.

Every manager action asks for the PIN unless a manager typed it in the last five idle minutes.
Dialogs are opened only by a deliberate click and always hand the keyboard back to the scanner.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel

from checkin_app.desk import DeskCore
from checkin_app.domain.messages import msg, pair
from checkin_app.domain.pin import ManagerSession
from checkin_app.domain.types import ActivityInfo, CategoryInfo, ScanResult
from checkin_app.services.pins import PinCheck
from checkin_app.services.walkin import WalkInForm, WalkInResult
from checkin_app.ui import style
from checkin_app.ui.mode_switch import ModeSwitch
from checkin_app.ui.override_view import OverrideBar, OverrideDialog
from checkin_app.ui.pin_dialog import FirstPinDialog, PinDialog
from checkin_app.ui.result_view import ResultPanel
from checkin_app.ui.shell import Shell
from checkin_app.ui.texts import error_text, word
from checkin_app.ui.walkin_view import WalkInDialog

Action = Callable[[str], None]


class ManagerDesk(QObject):
    """The manager side of one desk window.

    It wires the entry/exit switch, the override bar under the verdict and the verdict panel
    it belongs to; the rest of the window it reaches through the shell.

    Signals:
        sessionChanged(str): the manager now acting, or "" back in volunteer mode.
        dialogOpened(object): a manager dialog was opened (tests and screenshots use it).
        directionShown(): the switch shows the stored direction (the window marks exit mode).
    """

    sessionChanged = Signal(str)
    dialogOpened = Signal(object)
    directionShown = Signal()

    def __init__(self, shell: Shell, core: DeskCore, *, mode_switch: ModeSwitch,
                 override_bar: OverrideBar, result: ResultPanel) -> None:
        window = shell.window()
        super().__init__(window)
        self.shell = shell
        self.window = window
        self.controller = shell.controller
        self.core = core
        self.mode_switch = mode_switch
        self.override_bar = override_bar
        self.result = result
        self.session = ManagerSession(core.clock)
        self.pins = core.pins
        self.dialog: QDialog | None = None
        self._shown_manager = ""

        self.status = QLabel()
        self.status.setObjectName("managerStatus")
        self.act_walk_in = QAction(window)
        self.act_walk_in.setShortcut(QKeySequence("Ctrl+N"))
        self.act_lock = QAction(window)
        self.act_lock.setVisible(False)
        shell.toolbar.addWidget(self.status)
        shell.toolbar.addAction(self.act_walk_in)
        shell.toolbar.addAction(self.act_lock)
        shell.add_desk_actions([self.act_walk_in, self.act_lock], "bottom")
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._connect_callbacks()
        self._timer.start()
        self.retranslate()

    def _connect_callbacks(self) -> None:
        c = self.controller
        self._timer.timeout.connect(self._on_tick)
        self.act_walk_in.triggered.connect(self.request_walk_in)
        self.act_lock.triggered.connect(self.lock)
        self.mode_switch.directionChosen.connect(self._on_direction_chosen)
        self.override_bar.overrideRequested.connect(self.request_override)
        c.bootstrapped.connect(lambda _b: self._sync_direction())
        c.settingsSaved.connect(lambda _s: self._sync_direction())
        c.scanFinished.connect(self.override_bar.set_result)

    # -- the gate --------------------------------------------------------------------------
    def require(self, zh: str, en: str, action: Action) -> None:
        """Run `action(manager)` now in an active session, or after the PIN (or a first PIN)."""
        if self.session.active():
            self.session.touch()
            action(self.session.manager)
            return
        if self.dialog is not None:
            self.dialog.raise_()
            return
        self.controller.runner.read(self.pins.has_managers,
                                    lambda has: self._ask(has, zh, en, action),
                                    self._on_error)

    def _ask(self, has_managers: bool, zh: str, en: str, action: Action) -> None:
        lang = self.shell.language
        if not has_managers:
            first = FirstPinDialog(lang=lang, parent=self.window)
            first.submitted.connect(lambda name, pin: self._set_first(first, name, pin, action))
            self._open(first)
            return
        dlg = PinDialog(zh, en, lang=lang, clock=self.core.clock, parent=self.window)
        dlg.submitted.connect(lambda pin: self._check(dlg, pin, action))
        self._open(dlg)

    def _check(self, dlg: PinDialog, pin: str, action: Action) -> None:
        pins, desk = self.pins, self.controller.record_desk

        def done(check: PinCheck) -> None:
            if not check.ok:
                dlg.show_error(check.message, check.locked_until)
                return
            self._start(check.manager)
            dlg.accept()
            action(check.manager)

        self.controller.runner.write(lambda: pins.verify(pin, desk=desk), done,
                                     lambda exc: dlg.show_error(error_text(exc)))

    def _set_first(self, dlg: FirstPinDialog, name: str, pin: str, action: Action) -> None:
        pins, desk = self.pins, self.controller.record_desk

        def done(_: object) -> None:
            self._start(name)
            dlg.accept()
            action(name)

        self.controller.runner.write(
            lambda: pins.set_pin(name, pin, desk=desk, operator=name, first_only=True), done,
            lambda exc: dlg.show_error(error_text(exc)))

    def _open(self, dlg: QDialog) -> None:
        dlg.setStyleSheet(style.STYLESHEET)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.finished.connect(lambda _r: self._on_dialog_finished(dlg))
        self.dialog = dlg
        dlg.open()
        self.dialogOpened.emit(dlg)

    def _on_dialog_finished(self, dlg: QDialog) -> None:
        if self.dialog is dlg:
            self.dialog = None
        dlg.deleteLater()
        # Whatever happened in the dialog, the next keystrokes are the scanner's.
        self.window.activateWindow()
        self.shell.focus_scanner()

    def _start(self, manager: str) -> None:
        self.session.start(manager)
        self._on_tick()

    def lock(self) -> None:
        """Back to volunteer mode now (the lead walks away from the desk)."""
        self.session.end()
        self._on_tick()
        self.shell.focus_scanner()

    def _on_tick(self) -> None:
        active = self.session.active()
        manager = self.session.manager if active else ""
        lang = self.shell.language
        if active:
            left = self.session.remaining_s()
            # One language in the toolbar (it must fit 1366 px); the dialogs carry both.
            clock = f"{left // 60}:{left % 60:02d}"
            self.status.setText(word(msg("ui.manager.active", manager=manager, clock=clock), lang))
            self.status.setStyleSheet("background: #6A1B9A; color: white; font-weight: bold;"
                                      " border-radius: 6px; padding: 4px 10px;")
        else:
            self.status.setText(word("ui.manager.volunteer", lang))
            self.status.setStyleSheet("color: #546E7A; padding: 4px 10px;")
        self.act_lock.setVisible(active)
        if manager != self._shown_manager:
            self._shown_manager = manager
            self.sessionChanged.emit(manager)
        bar = self.override_bar
        if bar.result is not None and (self.result.state != "result"
                                       or self.result.result is not bar.result):
            bar.set_result(None)  # the verdict it belonged to is no longer shown

    def retranslate(self) -> None:
        """Texts in the current language (both languages, that one first)."""
        lang = self.shell.language
        self.act_walk_in.setText(word("ui.manager.walk_in", lang))
        self.act_lock.setText(word("ui.manager.lock", lang))
        self.override_bar.set_language(lang)
        self.mode_switch.set_language(lang)
        self._on_tick()

    # -- actions ---------------------------------------------------------------------------
    def undo(self, event_uuid: str) -> None:
        """Undo needs a manager: the volunteer's two clicks, then the PIN."""
        self.require(*pair("ui.need.undo"),
                     lambda manager: self.controller.undo(event_uuid, operator=manager))

    def request_override(self, result: ScanResult) -> None:
        """PIN, then the reason form, then a forced check-in."""
        self.require(*pair("ui.need.override"),
                     lambda manager: self._override_form(result, manager))

    def _override_form(self, result: ScanResult, manager: str) -> None:
        dlg = OverrideDialog(result, manager=manager, lang=self.shell.language,
                             parent=self.window)
        dlg.accepted.connect(lambda: self._override(result, manager, dlg.reason()))
        self._open(dlg)

    def _override(self, result: ScanResult, manager: str, reason: str) -> None:
        checkin, c = self.core.checkin, self.controller
        assert result.delegate is not None
        delegate_id = result.delegate.id
        activity = result.activity.code if result.activity else c.activity_code
        desk, overridden = c.desk_name or "?", result.verdict.value
        direction = self.mode_switch.direction

        def work() -> ScanResult:
            return checkin.override(delegate_id, activity_code=activity, desk=desk,
                                    operator=manager, reason=reason, overridden=overridden,
                                    direction=direction)

        c.runner.write(work, self._show_result, self._on_error)

    def request_walk_in(self) -> None:
        """PIN, then the walk-in form (categories and activities read in the background)."""
        walkins, catalog = self.core.walkins, self.core.catalog

        def load(manager: str) -> None:
            self.controller.runner.read(
                lambda: (walkins.categories(), catalog.activities()),
                lambda data: self._walk_in_form(manager, *data), self._on_error)

        self.require(*pair("ui.need.walk_in"), load)

    def _walk_in_form(self, manager: str, categories: list[CategoryInfo],
                      activities: list[ActivityInfo]) -> None:
        dlg = WalkInDialog(categories, activities, lang=self.shell.language,
                           parent=self.window)
        dlg.submitted.connect(lambda form: self._walk_in(dlg, manager, form))
        self._open(dlg)

    def _walk_in(self, dlg: WalkInDialog, manager: str, form: WalkInForm) -> None:
        walkins, c = self.core.walkins, self.controller
        desk, activity = c.desk_name or "?", c.activity_code

        def done(res: WalkInResult) -> None:
            dlg.accept()
            self._show_result(res.scan)

        c.runner.write(lambda: walkins.register(form, activity_code=activity, desk=desk,
                                                operator=manager),
                       done, lambda exc: dlg.show_error(error_text(exc)))

    def _show_result(self, result: ScanResult) -> None:
        self.session.touch()
        self.controller.show_result(result)  # shown, printed and listed like a scan's verdict
        self.shell.focus_scanner()

    def _on_direction_chosen(self, direction: str) -> None:
        self.controller.direction = direction
        self.controller.save_settings(direction=direction)  # remembered, and audited
        self.shell.focus_scanner()

    def _sync_direction(self) -> None:
        self.mode_switch.set_direction(self.controller.direction)
        self.directionShown.emit()

    def _on_error(self, exc: BaseException) -> None:
        message = error_text(exc)
        self.result.show_error("", message)
        self.controller.errorOccurred.emit(message)
