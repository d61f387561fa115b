"""Sync at the desk window: the status-bar label and its words, the hub and USB-stick actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import Clock, on_clock, zone
from checkin_app.domain.messages import both, msg, pair
from checkin_app.sync.client import SyncStatus
from checkin_app.ui.layouts import holding_layout
from checkin_app.ui.shell import Shell
from checkin_app.ui.sync_bridge import SyncBridge
from checkin_app.ui.texts import word

if TYPE_CHECKING:
    from checkin_app.ui.bundle_dialog import BundleDialog

TZ = zone()


def _hm(moment: datetime | None, clock: Clock | None = None) -> str:
    if moment is None:
        return "—"
    shown = on_clock(clock, moment) if clock is not None else moment
    return shown.astimezone(TZ).strftime("%H:%M:%S")


def _full(moment: datetime | None, clock: Clock | None = None) -> str:
    if moment is None:
        return "—"
    shown = on_clock(clock, moment) if clock is not None else moment
    return shown.astimezone(TZ).strftime("%m-%d %H:%M:%S")


def warning_mark(codes: tuple[str, ...], lang: str) -> str:
    """A few words for the hub's warnings, by their codes (the whole messages go in the tooltip)."""
    # The clock warning is the one a volunteer can act on, so it gets its own words.
    return word("ui.sync.warn_clock" if "clock" in codes else "ui.sync.warn_hub", lang)


def status_text(s: SyncStatus | None, lang: str, clock: Clock | None = None
                ) -> tuple[str, str, str]:
    """(status-bar text, counts note, style state) for a status; state is online/offline/off.

    Kept short (it sits next to desk, activity and clock on a 1366 px screen and never
    shrinks): details are in `status_tip`. Times are shown on `clock`, the desk's clock (a
    rehearsal clock shifts them like the clock next to them), real time without one.
    """
    if s is None or not s.enrolled:
        return word("ui.sync.no_hub", lang), word("ui.sync.this_desk_only", lang), "off"
    when = _hm(s.last_ok_at, clock)
    # Scans, as a volunteer counts them: one check-in is one, not one plus its print record.
    queue = word(msg("ui.sync.queue", n=s.pending_scans), lang)
    state = "online" if s.online else "offline"
    head = word(f"ui.sync.{state}", lang)
    text = word(msg("ui.sync.line", head=head, when=when, queue=queue), lang)
    if s.refused:
        # Apart from the queue: these wait for a manager or for new data, not for the network.
        # A print record the hub refuses is one of them: the only time a print is named here.
        text += word(msg("ui.sync.refused", n=s.refused), lang)
    if s.warnings:
        text += " · " + warning_mark(s.warning_codes, lang)
    note = word(msg("ui.sync.counts_note", when=when), lang)
    return text, note, state


def status_tip(s: SyncStatus | None, lang: str, clock: Clock | None = None) -> str:
    """The tooltip: every part of the status in full words, then the last error and warnings."""
    if s is None or not s.enrolled:
        return word("ui.sync.tip_standalone", lang)
    lines = [
        word(msg("ui.sync.tip_hub", url=s.hub_url), lang),
        word("ui.sync.tip_online" if s.online else "ui.sync.tip_offline", lang),
        word(msg("ui.sync.tip_last", when=_full(s.last_ok_at, clock)), lang),
        # Check-ins and undos (the scans); print records get their own line.
        word(msg("ui.sync.tip_pending", n=s.pending_scans), lang),
    ]
    if s.pending_other:
        lines.append(word(msg("ui.sync.tip_pending_prints", n=s.pending_other), lang))
    if s.refused:
        lines.append(word(msg("ui.sync.tip_refused", n=s.refused), lang))
    if s.last_error:
        lines.append(s.last_error)
    lines.extend(s.warnings)
    return "\n".join(lines)


# Light text on the dark status bar; offline is a red block so it is seen from the side.
STATE_STYLE = {
    "online": "color: #A5D6A7;",
    "offline": "color: #FFFFFF; background: #C62828; border-radius: 4px;",
    "off": "color: #B0BEC5;",
}


class SyncStatusLabel(QLabel):
    """Online/offline, time of the last successful sync, events not yet on the hub.

    Never narrower than its text: the other status-bar parts give way instead.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.lang = "zh"
        self.status: SyncStatus | None = None
        self.state = "off"
        self.counts_note: QLabel | None = None
        self.lang_source: Callable[[], str] | None = None
        # The desk's clock: sync times are shown on it, like the clock beside them.
        self.clock: Clock | None = None
        self.refresh()

    def changeEvent(self, e: QEvent) -> None:
        # The window's language switch posts LanguageChange (ui/i18n.py).
        if e.type() == QEvent.Type.LanguageChange and self.lang_source is not None:
            self.set_language(self.lang_source())
        super().changeEvent(e)

    def set_status(self, status: SyncStatus) -> None:
        """Show a new status."""
        self.status = status
        self.refresh()

    def set_language(self, lang: str) -> None:
        """Switch between Chinese and English."""
        self.lang = lang
        self.refresh()

    def refresh(self) -> None:
        """Re-render text, colour and tooltip."""
        text, note, state = status_text(self.status, self.lang, self.clock)
        self.setText(text)
        if state != self.state or not self.styleSheet():
            self.state = state
            self.setStyleSheet(f"{STATE_STYLE[state]} font-weight: 600; padding: 0 8px;")
        self.setToolTip(status_tip(self.status, self.lang, self.clock))
        if self.counts_note is not None:
            self.counts_note.setText(note)


class SyncDesk(QObject):
    """The sync side of the desk window: the bridge, the status-bar label with its note under
    the counts, and the manager's "Connect to hub" and "USB stick bundles" actions.

    Signals:
        enrolledNameChanged(str): the name the hub enrolled this desk under ("" for none) is
            known or changed; the status bar shows it beside a different local name.
    """

    enrolledNameChanged = Signal(str)

    def __init__(self, shell: Shell, core: DeskCore, *, counts: QWidget) -> None:
        window = shell.window()
        super().__init__(window)
        self.shell = shell
        self.enrolled_desk = ""
        self.core = core
        self.window = window
        self.bridge = SyncBridge(core, window)
        self.label = SyncStatusLabel()
        self.label.clock = core.clock
        shell.statusBar().addPermanentWidget(self.label)
        note = QLabel()
        note.setObjectName("hint")
        note.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.label.counts_note = note
        _place_under(counts, note)
        # Which hub a desk trusts is a manager's decision (PIN), like switching desk or activity.
        self.connect_action = QAction(both("ui.sync.connect", sep=" / "), window)
        # A desk that never reaches the network exchanges data by file (manager action, PIN).
        self.bundle_action = QAction(both("ui.sync.bundles", sep=" / "), window)
        shell.add_desk_actions([self.connect_action, self.bundle_action], "top")
        self.bundle_dialog: BundleDialog | None = None
        self.label.lang_source = lambda: shell.language
        self.label.set_language(shell.language)
        self._connect_callbacks()
        self.bridge.start()

    def _connect_callbacks(self) -> None:
        b, c, shell = self.bridge, self.shell.controller, self.shell
        b.statusChanged.connect(self.label.set_status)
        b.statusChanged.connect(self._on_status)
        b.changesArrived.connect(lambda _n: self._on_new_data())
        c.scanFinished.connect(lambda _r: b.kick())
        c.undoFinished.connect(lambda _r: b.kick())
        # The hub names the desk at enrolment: scans from now on must carry that name (it is how
        # the hub, the dashboard and the conflicts list tell desks apart).
        b.enrolled.connect(lambda name: c.save_settings(desk_name=name))
        self.connect_action.triggered.connect(lambda: shell.require_manager(
            *pair("ui.need.connect"), self.open_enrol_dialog))
        self.bundle_action.triggered.connect(lambda: shell.require_manager(
            *pair("ui.need.bundles"), self.open_bundle_dialog))

    def _on_status(self, status: SyncStatus) -> None:
        name = status.desk if status.enrolled else ""
        if name != self.enrolled_desk:
            self.enrolled_desk = name
            self.enrolledNameChanged.emit(name)

    def _on_new_data(self) -> None:
        """A pull (or a USB import) applied changes: counts, recent scans, event and activities."""
        self.shell.controller.refresh()
        self.shell.controller.reload_catalog()

    def open_bundle_dialog(self, manager: str) -> None:
        """The USB-stick dialog for a manager; what it imports reaches the counts like a pull."""
        from checkin_app.ui.bundle_dialog import BundleDialog

        if self.bundle_dialog is not None:
            self.bundle_dialog.raise_()
            return
        status = self.label.status
        dlg = BundleDialog(self.core.bundles, desk=self.shell.controller.desk_name,
                           operator=manager, pinned=bool(status is not None and status.enrolled),
                           parent=self.window)
        self.bundle_dialog = dlg
        dlg.imported.connect(self.bridge.changesArrived.emit)

        def closed(_result: int) -> None:
            self.bundle_dialog = None
            dlg.deleteLater()
            self.shell.focus_scanner()

        dlg.finished.connect(closed)
        dlg.open()

    def open_enrol_dialog(self, manager: str = "") -> None:
        """Open the enrolment dialog (a manager's deliberate action); focus returns to the scanner after."""
        from checkin_app.ui.enrol_dialog import EnrolDialog

        status = self.label.status
        dlg = EnrolDialog(self.bridge, lang=self.shell.language, manager=manager,
                          hub_url=status.hub_url if status is not None and status.enrolled else "",
                          parent=self.window)

        def closed(_result: int) -> None:
            dlg.deleteLater()
            self.shell.focus_scanner()

        dlg.finished.connect(closed)
        dlg.open()

    def stop(self) -> None:
        """Stop the sync threads (call before the database closes)."""
        self.bridge.stop()


def _place_under(widget: QWidget, extra: QWidget) -> None:
    """Insert `extra` right below `widget` in whichever box layout holds it."""
    found = holding_layout(widget)
    if found is not None:
        lay, idx = found
        lay.insertWidget(idx + 1, extra)
