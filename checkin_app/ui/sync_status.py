"""Sync at the desk: the Qt owner of the background sync worker, the status-bar label, and window wiring."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QBoxLayout, QLabel, QSizePolicy, QWidget

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import Clock, on_clock
from checkin_app.sync.client import DeskSync, SyncStatus
from checkin_app.sync.worker import SyncWorker

if TYPE_CHECKING:
    from checkin_app.ui.main_window import MainWindow

TZ = ZoneInfo("Asia/Shanghai")


class SyncBridge(QObject):
    """Owns the desk's SyncWorker threads; re-emits their news as Qt signals.

    Signals:
        statusChanged(SyncStatus): after every sync attempt (delivered on the GUI thread).
        changesArrived(int): a pull applied this many changes (counts should be reloaded).
        enrolled(str): enrolment succeeded; carries the desk name the hub gave.
        enrolFailed(str): enrolment failed; a bilingual message.
    """

    statusChanged = Signal(object)
    changesArrived = Signal(int)
    enrolled = Signal(str)
    enrolFailed = Signal(str)

    def __init__(self, core: DeskCore, parent: QObject | None = None, *,
                 long_poll_s: float = 25.0) -> None:
        super().__init__(parent)
        # Sync speaks real time with the hub (its clock check, its receive times); the status
        # bar shows those moments on the desk's clock (SyncStatusLabel.clock).
        self.core = core
        self.long_poll_s = long_poll_s
        self.worker: SyncWorker | None = None
        self._stopped = False

    @property
    def sync(self) -> DeskSync | None:
        """The desk's sync client; None until the desk is enrolled with a hub."""
        return self.core.sync

    def _worker(self, sync: DeskSync) -> SyncWorker:
        if self.worker is None:
            # Signals emitted from the worker's threads reach GUI-thread slots as queued calls.
            self.worker = SyncWorker(sync, on_status=self.statusChanged.emit,
                                     on_changes=self.changesArrived.emit,
                                     long_poll_s=self.long_poll_s)
        return self.worker

    def start(self) -> None:
        """Show the status, and sync in the background if this desk is enrolled with a hub."""
        threading.Thread(target=self._start_if_enrolled, name="sync-start", daemon=True).start()

    def _start_if_enrolled(self) -> None:
        sync = self.sync
        if self._report_once() and sync is not None and not self._stopped:
            self._worker(sync).start()

    def _report_once(self) -> bool:
        sync = self.sync
        try:
            # A desk never enrolled has no sync client: it is standalone.
            status = sync.status() if sync is not None else SyncStatus(False, False, 0, None)
        except Exception:  # the database closing during shutdown
            return False
        self.statusChanged.emit(status)
        return status.enrolled

    def kick(self) -> None:
        """Push soon (called after each scan)."""
        if self.worker is not None:
            self.worker.kick()

    def enrol(self, code: str, manager: str = "") -> None:
        """Enrol off the GUI thread (network and pin check); answers with enrolled / enrolFailed.

        `manager`: the name a verified PIN gave; a desk that belongs to a hub already is moved
        only with one (DeskSync.enrol refuses otherwise, and audits the move).
        """
        def work() -> None:
            try:
                cfg = self.core.enrol(code, manager=manager)
            except Exception as exc:
                text = str(exc).strip()
                if "\n" not in text:
                    text = f"连接中心服务器失败：{text}\nEnrolment failed: {text}"
                self.enrolFailed.emit(text)
                return
            self.enrolled.emit(cfg.desk)
            self._report_once()
            sync = self.sync
            if sync is not None and not self._stopped:
                worker = self._worker(sync)
                worker.start()
                worker.kick()

        threading.Thread(target=work, name="sync-enrol", daemon=True).start()

    def stop(self) -> None:
        """Stop the worker threads (call before the database closes)."""
        self._stopped = True
        if self.worker is not None:
            self.worker.stop(timeout=3.0)


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
    clock = "clock" in codes
    if lang == "zh":
        return "⚠ 时钟不准" if clock else "⚠ 中心提醒"
    return "⚠ clock off" if clock else "⚠ hub warning"


def status_text(s: SyncStatus | None, lang: str, clock: Clock | None = None
                ) -> tuple[str, str, str]:
    """(status-bar text, counts note, style state) for a status; state is online/offline/off.

    Kept short (it sits next to desk, activity and clock on a 1366 px screen and never
    shrinks): details are in `status_tip`. Times are shown on `clock`, the desk's clock (a
    rehearsal clock shifts them like the clock next to them), real time without one.
    """
    zh = lang == "zh"
    if s is None or not s.enrolled:
        return (("○ 未连接中心服务器" if zh else "○ No hub (standalone)"),
                ("仅本台数据" if zh else "This desk only"), "off")
    when = _hm(s.last_ok_at, clock)
    # Scans, as a volunteer counts them: one check-in is one, not one plus its print record.
    queue = (f"未上传 {s.pending_scans}" if zh else f"{s.pending_scans} not on hub")
    if s.online:
        head = "● 在线" if zh else "● Online"
        state = "online"
    else:
        head = "● 离线" if zh else "● Offline"
        state = "offline"
    text = f"{head} · {'上次同步' if zh else 'last sync'} {when} · {queue}"
    if s.refused:
        # Apart from the queue: these wait for a manager or for new data, not for the network.
        # A print record the hub refuses is one of them: the only time a print is named here.
        text += f" · 中心拒收 {s.refused} 条" if zh else f" · {s.refused} refused"
    if s.warnings:
        text += " · " + warning_mark(s.warning_codes, lang)
    note = (f"含其他签到台，截至 {when}" if zh else f"incl. other desks as of {when}")
    return text, note, state


def status_tip(s: SyncStatus | None, lang: str, clock: Clock | None = None) -> str:
    """The tooltip: every part of the status in full words, then the last error and warnings."""
    zh = lang == "zh"
    if s is None or not s.enrolled:
        return ("本签到台未连接中心服务器，只统计本台的签到。经理可在“签到台”菜单中连接。" if zh else
                "This desk is not connected to a hub and counts its own check-ins only. "
                "A manager can connect it from the Desk menu.")
    lines = [
        f"中心服务器：{s.hub_url}" if zh else f"Hub: {s.hub_url}",
        (f"{'在线' if s.online else '离线（扫描照常，联网后自动补传）'}" if zh else
         ("Online" if s.online else "Offline (scanning goes on; sent when the hub is back)")),
        (f"上次同步：{_full(s.last_ok_at, clock)}" if zh else
         f"Last sync: {_full(s.last_ok_at, clock)}"),
        # Check-ins and undos (the scans); print records get their own line.
        (f"未上传到中心服务器：{s.pending_scans} 条" if zh else
         f"Not on the hub yet: {s.pending_scans}"),
    ]
    if s.pending_other:
        lines.append(f"未上传的打印记录：{s.pending_other} 条" if zh else
                     f"Badge print records not on the hub yet: {s.pending_other}")
    if s.refused:
        lines.append(f"中心服务器拒收：{s.refused} 条（见“冲突”标签页）" if zh else
                     f"Refused by the hub: {s.refused} (see the Conflicts tab)")
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
        # The window switches language by installing a translator, which posts LanguageChange.
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


def attach_sync(window: MainWindow) -> SyncBridge | None:
    """Give a desk window its sync worker, status label, counts note and "Connect to hub" action.

    Returns None for a desk core that never talks to a hub.
    """
    core = window.core
    if not core.can_sync:
        return None
    bridge = SyncBridge(core, window)
    label = SyncStatusLabel()
    label.clock = core.clock
    window.statusBar().addPermanentWidget(label)
    note = QLabel()
    note.setObjectName("hint")
    note.setAlignment(Qt.AlignmentFlag.AlignRight)
    label.counts_note = note
    _place_under(window.counts, note)
    bridge.statusChanged.connect(label.set_status)
    bridge.changesArrived.connect(lambda _n: _on_new_data(window))
    window.controller.scanFinished.connect(lambda _r: bridge.kick())
    # The hub names the desk at enrolment: scans from now on must carry that name (it is how the
    # hub, the dashboard and the conflicts list tell desks apart).
    bridge.enrolled.connect(lambda name: _on_enrolled(window, name))
    window.controller.undoFinished.connect(lambda _r: bridge.kick())
    action = QAction("连接中心服务器… / Connect to hub…", window)
    # Which hub a desk trusts is a manager's decision (PIN), like switching desk or activity.
    action.triggered.connect(lambda: window.manager.require(
        "连接中心服务器", "connect to a hub", lambda manager: open_enrol_dialog(window, bridge, manager)))
    window.desk_menu.insertAction(window.act_search, action)
    # A desk that never reaches the network exchanges data by file (manager action, PIN).
    bundles = QAction("U盘数据包… / USB stick bundles…", window)
    bundles.triggered.connect(lambda: window.manager.require(
        "U盘数据包", "USB stick bundles", lambda manager: open_bundle_dialog(window, bridge, manager)))
    window.desk_menu.insertAction(window.act_search, bundles)
    window.bundle_action = bundles  # type: ignore[attr-defined]
    label.lang_source = lambda: window.languages.language
    label.set_language(window.languages.language)
    window.sync_label = label  # type: ignore[attr-defined]
    window.sync_action = action  # type: ignore[attr-defined]
    bridge.start()
    return bridge


def _on_enrolled(window: MainWindow, name: str) -> None:
    window.controller.save_settings(desk_name=name)
    if window.setup_dialog is not None:  # a new desk being set up: the hub's name, not a typed one
        window.setup_dialog.desk_edit.setText(name)


def _on_new_data(window: MainWindow) -> None:
    """A pull (or a USB import) applied changes: counts, recent scans, event and activities."""
    window.controller.refresh()
    window.controller.reload_catalog()


def _place_under(widget: QWidget, extra: QWidget) -> None:
    """Insert `extra` right below `widget` in whichever box layout holds it."""
    parent = widget.parentWidget()
    top = parent.layout() if parent is not None else None
    stack = [top] if top is not None else []
    while stack:
        lay = stack.pop()
        if isinstance(lay, QBoxLayout):
            idx = lay.indexOf(widget)
            if idx >= 0:
                lay.insertWidget(idx + 1, extra)
                return
        for i in range(lay.count() if lay is not None else 0):
            item = lay.itemAt(i)
            child = item.layout() if item is not None else None
            if child is not None:
                stack.append(child)


def open_bundle_dialog(window: MainWindow, bridge: SyncBridge, manager: str) -> None:
    """The USB-stick dialog for a manager; what it imports reaches the counts like a pull."""
    from checkin_app.ui.bundle_dialog import BundleDialog

    current = getattr(window, "bundle_dialog", None)
    if current is not None:
        current.raise_()
        return
    label = getattr(window, "sync_label", None)
    status = label.status if isinstance(label, SyncStatusLabel) else None
    dlg = BundleDialog(window.core.bundles, desk=window.controller.desk_name, operator=manager,
                       pinned=bool(status is not None and status.enrolled), parent=window)
    window.bundle_dialog = dlg  # type: ignore[attr-defined]
    dlg.imported.connect(bridge.changesArrived.emit)

    def closed(_result: int) -> None:
        window.bundle_dialog = None  # type: ignore[attr-defined]
        dlg.deleteLater()
        window.focus_scanner()

    dlg.finished.connect(closed)
    dlg.open()


def open_enrol_dialog(window: MainWindow, bridge: SyncBridge, manager: str = "") -> None:
    """Open the enrolment dialog (a manager's deliberate action); focus returns to the scanner after."""
    from checkin_app.ui.enrol_dialog import EnrolDialog

    label = getattr(window, "sync_label", None)
    status = label.status if isinstance(label, SyncStatusLabel) else None
    dlg = EnrolDialog(bridge, lang=window.languages.language, manager=manager,
                      hub_url=status.hub_url if status is not None and status.enrolled else "",
                      parent=window)
    def closed(_result: int) -> None:
        dlg.deleteLater()
        window.focus_scanner()

    dlg.finished.connect(closed)
    dlg.open()
