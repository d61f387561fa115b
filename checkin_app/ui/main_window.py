"""The desk window: wires the scan field, verdict panel, search, recent list and counts."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStatusBar,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import OffsetClock
from checkin_app.domain.messages import both, msg, pair
from checkin_app.domain.types import (
    ActivityInfo,
    ActivityStats,
    CategoryInfo,
    CheckInRecord,
    ScanResult,
)
from checkin_app.domain.verdicts import Severity
from checkin_app.services.catalog import DeskSettings, EventInfo
from checkin_app.sync.desk_name import DeskName
from checkin_app.ui import style
from checkin_app.ui.badge_ui import BadgeDesk
from checkin_app.ui.camera import CameraDesk
from checkin_app.ui.conflicts_ui import ConflictsDesk
from checkin_app.ui.conflicts_view import ConflictsPanel
from checkin_app.ui.controller import Bootstrap, DeskController, RecentRow, SearchAnswer
from checkin_app.ui.counts_view import CountsPanel
from checkin_app.ui.elided_label import ElidedLabel
from checkin_app.ui.i18n import LanguageSwitcher
from checkin_app.ui.manager import ManagerDesk
from checkin_app.ui.mode_switch import EXIT_COLOUR, ModeSwitch
from checkin_app.ui.name_index import NameIndexDesk
from checkin_app.ui.override_view import OverrideBar
from checkin_app.ui.placement import keep_on_screen
from checkin_app.ui.print_view import PrintPanel
from checkin_app.ui.recent_view import RecentPanel
from checkin_app.ui.result_view import IDLE_TIMEOUT_MS, ResultPanel
from checkin_app.ui.rules_dialog import RulesDialog
from checkin_app.ui.scan_catcher import ScanCatcher
from checkin_app.ui.scan_field import ScanField
from checkin_app.ui.scanners import ScannerDesk
from checkin_app.ui.search_view import SearchPanel
from checkin_app.ui.setup_dialog import SetupDialog
from checkin_app.ui.shell import ManagerAction, MenuPlace
from checkin_app.ui.sounds import SoundDesk
from checkin_app.ui.sync_status import SyncDesk
from checkin_app.ui.texts import word
from checkin_app.ui.trace import Trace

if TYPE_CHECKING:
    from checkin_app.services.importing import ImportResult
    from checkin_app.ui.import_wizard import ImportWizard

STATS_REFRESH_MS = 5000
# The search box gives the keyboard back to the scanner after this long without a key, so a
# desk left with a half-typed search still takes the next scan in the scan field.
SEARCH_IDLE_MS = 15000
# A window manager's title bar and border before the real ones are known (place_on_screen).
TITLE_GUESS_PX = 32
FRAME_GUESS_PX = 2
UNREAD_BURST = both("ui.window.unread_burst")
IME_WARNING = both("ui.window.ime_on")
# Text widths below which the desk name and the activity stop giving way in the status bar.
STATUS_DESK_MIN_PX = 110
STATUS_ACTIVITY_MIN_PX = 150


class MainWindow(QMainWindow):
    """The check-in desk; it is the Shell (ui/shell.py) its parts are given.

    Signals:
        readyToScan(): emitted once, when the window is shown with counts loaded.
        setupCancelled(): the first-start set-up was cancelled (the app should quit).
        closed(): the window was closed (the app should quit).
    """

    readyToScan = Signal()
    setupCancelled = Signal()
    closed = Signal()

    def __init__(self, core: DeskCore, *, idle_timeout_ms: int = IDLE_TIMEOUT_MS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.controller = DeskController(core, self)
        self.languages = LanguageSwitcher(self)
        self.event_info: EventInfo | None = None
        self.activities: list[ActivityInfo] = []
        self.setup_dialog: SetupDialog | None = None
        self.rules_dialog: RulesDialog | None = None
        self.import_wizard: ImportWizard | None = None
        self.is_ready = False
        self._stats_seen = False
        self._undo_labels: dict[str, RecentRow] = {}
        self._last_error = ""
        self._failed_prints = 0
        self._watching_focus = False
        self.trace = Trace()

        self._build_views()
        self.result.set_idle_timeout(idle_timeout_ms)
        self._build_actions()
        self._build_status_bar()
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_REFRESH_MS)
        self._search_idle = QTimer(self)
        self._search_idle.setSingleShot(True)
        # CHECKIN_SEARCH_IDLE_MS shortens the wait for tests that drive the real window.
        self._search_idle.setInterval(int(os.environ.get("CHECKIN_SEARCH_IDLE_MS") or SEARCH_IDLE_MS))
        self.catcher = ScanCatcher((self.scan_field, self.search.field), self)
        self._connect_callbacks()
        # The window's parts: each takes the shell (this window) and what it wires, nothing more.
        self.badges = BadgeDesk(self, self.print_panel)
        self.badges.printing.jobsLoaded.connect(
            lambda jobs: self._retitle_tabs(sum(1 for j in jobs if j.state == "failed")))
        self.manager = ManagerDesk(self, core, mode_switch=self.mode_switch,
                                   override_bar=self.override_bar, result=self.result)
        self.manager.directionShown.connect(self.update_mode)
        self.sync = SyncDesk(self, core, counts=self.counts) if core.can_sync else None
        if self.sync is not None:
            self.sync.bridge.enrolled.connect(self._on_enrolled)
            self.sync.enrolledNameChanged.connect(self._on_enrolled_name)
        self.conflicts = ConflictsDesk(self, self.conflicts_panel, core.conflicts,
                                       self.sync.bridge if self.sync is not None else None,
                                       self.recent)
        self.conflicts.retitle()
        self.camera = CameraDesk(self, beside=self.result)
        self.scanners = ScannerDesk(self, core.catalog)  # serial and input-device scanners
        self.sounds = SoundDesk(self)  # plays each verdict's sound itself (scanFinished)
        # Keys a big import left to be built; its progress beside the search hint.
        self.name_index = NameIndexDesk(self, core, self.search.set_note)
        self.setStyleSheet(style.STYLESHEET)
        self.resize(1366, 768)
        self.retranslate()

    # -- construction ----------------------------------------------------------------------
    def _build_views(self) -> None:
        self.scan_label = QLabel()
        self.scan_label.setObjectName("sectionTitle")
        self.scan_field = ScanField()
        self.busy_label = QLabel()
        self.busy_label.setObjectName("hint")
        self.result = ResultPanel()
        self.search = SearchPanel()
        self.recent = RecentPanel()
        self.counts = CountsPanel()
        self.print_panel = PrintPanel()
        self.conflicts_panel = ConflictsPanel()

        self.mode_switch = ModeSwitch()
        self.mode_label = QLabel()
        self.override_bar = OverrideBar()
        scan_card = self.scan_card = QFrame()
        scan_card.setObjectName("card")
        scan_lay = QVBoxLayout(scan_card)
        scan_lay.setContentsMargins(16, 10, 16, 12)
        scan_lay.setSpacing(6)
        head = QHBoxLayout()
        head.addWidget(self.scan_label)
        head.addWidget(self.mode_label)
        head.addStretch(1)
        head.addWidget(self.busy_label)
        head.addWidget(self.mode_switch)
        scan_lay.addLayout(head)
        scan_lay.addWidget(self.scan_field)

        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(scan_card)
        left.addWidget(self.result, 1)
        left.addWidget(self.override_bar)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.counts)
        right.addWidget(self.search, 2)
        # Recent scans and the badge queue share one place: stacked, they made the window
        # taller than a 1366×768 laptop screen.
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setObjectName("lowerTabs")
        self.lower_tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lower_tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Titles with counts can outgrow the column (English, failed prints, conflicts): shorten
        # them all rather than scroll one of them out of sight.
        self.lower_tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.lower_tabs.setUsesScrollButtons(False)
        self.lower_tabs.addTab(self.recent, "")
        self.lower_tabs.addTab(self.print_panel, "")
        self.lower_tabs.addTab(self.conflicts_panel, "")
        self.recent.title.hide()
        self.print_panel.title.hide()
        right.addWidget(self.lower_tabs, 5)
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(14, 12, 14, 12)
        lay.setSpacing(14)
        lay.addLayout(left, 13)
        lay.addLayout(right, 10)
        self.setCentralWidget(central)

    def _build_actions(self) -> None:
        self.act_setup = QAction(self)
        self.act_setup.setShortcut(QKeySequence("Ctrl+K"))
        # Fixed bilingual text: someone who cannot read the current language must still find it.
        self.act_language = QAction(word("ui.window.language", "zh"), self)
        self.act_language.setShortcut(QKeySequence("Ctrl+L"))
        self.act_quit = QAction(self)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_search = QAction(self)
        self.act_search.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("F3")])
        self.addAction(self.act_search)

        self.desk_menu = self.menuBar().addMenu("")
        self.desk_menu.addAction(self.act_setup)
        self.desk_menu.addAction(self.act_search)
        # Manager action (PIN): bilingual fixed text like the language switch.
        self.act_import = QAction(both("ui.window.import", sep=" / "), self)
        self.act_import.triggered.connect(self.open_import)
        self.desk_menu.addAction(self.act_import)
        # Read-only, so no PIN: a volunteer asked "why was she refused?" looks it up here.
        self.act_rules = QAction(both("ui.window.rules", sep=" / "), self)
        self.desk_menu.addAction(self.act_rules)
        self.desk_menu.addSeparator()
        self.desk_menu.addAction(self.act_quit)
        self.view_menu = self.menuBar().addMenu("")
        self.view_menu.addAction(self.act_language)

        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.event_title = QLabel()
        self.event_title.setObjectName("eventTitle")
        self.toolbar.addWidget(self.event_title)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.act_setup)
        self.toolbar.addAction(self.act_language)
        self.addToolBar(self.toolbar)

    def _build_status_bar(self) -> None:
        bar = QStatusBar()
        bar.setSizeGripEnabled(False)
        # Everything in the bar must fit a 1366 px screen in both languages next to the sync
        # state (which never shrinks). Long texts give way and elide, the whole text in a
        # tooltip: first the event name (the toolbar shows it in full; it only takes room
        # nothing else wants), then an error message, the activity and the desk name alike,
        # each down to a readable start (the activity code comes first).
        self.status_error = ElidedLabel(min_px=40)
        self.status_error.setObjectName("statusError")
        self.status_desk = ElidedLabel(min_px=STATUS_DESK_MIN_PX)
        self.status_activity = ElidedLabel(min_px=STATUS_ACTIVITY_MIN_PX)
        self.status_event = ElidedLabel(min_px=0, min_chars=10)
        self.status_event.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_event.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status_rehearsal = QLabel()
        self.status_rehearsal.setObjectName("rehearsal")
        # Both languages always: whoever looks must see that this is not the real time.
        self.status_rehearsal.setText(both("ui.window.rehearsal", sep=" / "))
        self.status_rehearsal.setVisible(isinstance(self.core.clock, OffsetClock))
        self.status_clock = QLabel()
        bar.addWidget(self.status_error)
        bar.addPermanentWidget(self.status_event, 1)
        for w in (self.status_desk, self.status_activity, self.status_rehearsal, self.status_clock):
            bar.addPermanentWidget(w)
        self.setStatusBar(bar)

    def _connect_callbacks(self) -> None:
        c = self.controller
        c.bootstrapped.connect(self._on_bootstrapped)
        c.catalogLoaded.connect(self._on_catalog_loaded)
        c.settingsSaved.connect(self._on_settings_saved)
        c.scanQueued.connect(self.result.show_pending)
        c.scanFinished.connect(self._on_scan_finished)
        c.scanFailed.connect(self._on_scan_failed)
        c.statsLoaded.connect(self._on_stats_loaded)
        c.recentLoaded.connect(self.recent.set_rows)
        c.searchFinished.connect(self._on_search_finished)
        c.undoFinished.connect(self._on_undo_finished)
        c.undoFailed.connect(self._on_undo_failed)
        c.errorOccurred.connect(self.show_error)
        c.runner.busyChanged.connect(self._on_busy_changed)
        self.scan_field.scanned.connect(lambda code: self._on_scanned(code, "scan_field"))
        self.search.scanned.connect(lambda code: self._on_scanned(code, "search_field"))
        self.scan_field.imeInterference.connect(lambda: self._on_ime_interference("scan_field"))
        self.search.imeInterference.connect(lambda: self._on_ime_interference("search_field"))
        self.search.unreadBurst.connect(self._on_unread_burst)
        self.search.field.typed.connect(self._search_idle.start)
        self.catcher.scanned.connect(lambda code: self._on_scanned(code, "burst"))
        self._search_idle.timeout.connect(self._on_search_idle)
        self.search.searchRequested.connect(c.search)
        self.search.checkInRequested.connect(self._on_check_in_requested)
        self.search.escaped.connect(self.focus_scanner)
        self.search.field.textChanged.connect(self._on_search_text_changed)
        self.recent.undoRequested.connect(self._on_undo_requested)
        self.act_setup.triggered.connect(self.open_setup)
        self.act_language.triggered.connect(self._on_language_toggled)
        self.act_quit.triggered.connect(self.close)
        self.act_search.triggered.connect(self.focus_search)
        self.act_rules.triggered.connect(c.load_rules)
        c.rulesLoaded.connect(self._on_rules_loaded)
        self._clock_timer.timeout.connect(self._update_clock)
        self._stats_timer.timeout.connect(c.load_stats)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
            self._watching_focus = True
            self.catcher.install()
        # Esc anywhere in the window (not only in the search box) goes back to scanning.
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        esc.activated.connect(self.focus_scanner)
        # Keys for the no-mouse desk (a scanner never sends function keys): F2 Chinese
        # characters in the search box, F6 entry, F7 exit.
        QShortcut(QKeySequence(Qt.Key.Key_F2), self).activated.connect(self.search.hanzi.click)
        QShortcut(QKeySequence(Qt.Key.Key_F6), self).activated.connect(self.mode_switch.entry.click)
        QShortcut(QKeySequence(Qt.Key.Key_F7), self).activated.connect(self.mode_switch.exit.click)
        self.mode_switch.directionChosen.connect(
            lambda d: self.trace.emit("direction", direction=d))

    # -- start-up --------------------------------------------------------------------------
    def start(self) -> None:
        """Load settings in the background; shows the set-up dialog or the desk when done."""
        self.controller.load_bootstrap()

    def _on_bootstrapped(self, boot: Bootstrap) -> None:
        self.event_info = boot.event
        self.activities = boot.activities
        self.result.tz = self.recent.tz = self.search.tz = self.controller.tz
        self.set_language(boot.settings.language, save=False)
        self.name_index.start()
        if boot.settings.configured:
            self._show_desk()
        else:
            self.open_setup(first=True)

    def _on_catalog_loaded(self, payload: tuple[EventInfo | None, list[ActivityInfo]]) -> None:
        # New or renamed activities from the hub: the switch dialog and the status bar follow.
        self.event_info, self.activities = payload
        self.result.tz = self.recent.tz = self.search.tz = self.controller.tz
        self._update_status()
        if self.setup_dialog is not None:  # a new desk waiting for its first data
            self.setup_dialog.set_activities(self.activities)

    def open_setup(self, first: bool = False) -> None:
        """Let the volunteer pick desk name and activity; after the first start, a manager's."""
        if not first:
            self.manager.require(*pair("ui.need.setup"), lambda _manager: self._open_setup(first))
            return
        self._open_setup(first)

    def _open_setup(self, first: bool) -> None:
        if self.setup_dialog is not None:
            self.setup_dialog.raise_()
            return
        dlg = SetupDialog(
            self.activities, desk_name=self.controller.desk_name,
            activity_code=self.controller.activity_code, tz=self.controller.tz,
            lang=self.languages.language, parent=self if not first else None)
        dlg.setStyleSheet(style.STYLESHEET)
        self.setup_dialog = dlg
        # A new desk has no activities yet: it gets them from the hub or a USB stick.
        sync = self.sync
        for signal, button, action in (
                (dlg.connectRequested, dlg.connect_button, sync.connect_action if sync else None),
                (dlg.bundleRequested, dlg.bundle_button, sync.bundle_action if sync else None)):
            if action is None:  # a desk core that never talks to a hub
                button.setEnabled(False)
            else:
                signal.connect(action.trigger)
        dlg.accepted.connect(self._on_setup_accepted)
        dlg.rejected.connect(lambda: self._on_setup_rejected(first))
        dlg.open()

    def _on_setup_accepted(self) -> None:
        dlg = self.setup_dialog
        self.setup_dialog = None
        if dlg is None:
            return
        self.controller.save_settings(desk_name=dlg.desk_name(),
                                      activity_code=dlg.activity_code())
        dlg.deleteLater()

    def _on_setup_rejected(self, first: bool) -> None:
        if self.setup_dialog is not None:
            self.setup_dialog.deleteLater()
        self.setup_dialog = None
        if first:
            self.setupCancelled.emit()
        else:
            self.focus_scanner()

    def switch_activity(self, code: str) -> None:
        """Admit to another activity from now on."""
        self.controller.save_settings(activity_code=code)

    def _on_settings_saved(self, settings: DeskSettings) -> None:
        self._update_status()
        if not self.isVisible():
            self._show_desk()
            return
        self.result.show_idle()
        self.controller.refresh()
        self.focus_scanner()

    def _show_desk(self) -> None:
        self._update_status()
        self.show()
        self.activateWindow()
        self.focus_scanner()
        self._clock_timer.start()
        self._stats_timer.start()
        self.controller.refresh()

    # -- scanning --------------------------------------------------------------------------
    def _on_scanned(self, code: str, source: str = "scan_field") -> None:
        self.trace.emit("scan", code=code, source=source)
        self.focus_scanner()
        self.controller.scan(code)

    def _on_ime_interference(self, source: str) -> None:
        """An input method took a scanner's keys: say so in large words, never take nothing."""
        self.trace.emit("ime_warning", source=source)
        self.focus_scanner()
        # The rest of the burst may still be coming, now into the scan field: it is no code.
        self.scan_field.drop_rest_of_burst()
        self.result.show_error("", IME_WARNING)
        self.show_error(IME_WARNING)
        self.sounds.play(Severity.RED)

    def _on_unread_burst(self) -> None:
        """A scanner's burst into the search box that is no readable code: scan again."""
        self.trace.emit("unread_burst", source="search_field")
        self.focus_scanner()
        self.result.show_error("", UNREAD_BURST)
        self.show_error(UNREAD_BURST)
        self.sounds.play(Severity.RED)

    def _on_search_idle(self) -> None:
        if self.search.field.hasFocus():
            self.focus_scanner()

    def _on_search_finished(self, seq: int, answer: SearchAnswer) -> None:
        self.search.show_results(seq, answer.rows, more=answer.more, seen=answer.seen)
        if seq == self.search.sequence:
            self.trace.emit("search", text=self.search.field.text(), rows=len(answer.rows))

    def _on_check_in_requested(self, delegate_id: int, label: str) -> None:
        self.controller.check_in_delegate(delegate_id, label)
        self.search.clear()
        self.focus_scanner()

    def _on_scan_finished(self, result: ScanResult) -> None:
        d = result.delegate
        ev = result.event
        self.trace.emit("verdict", verdict=str(result.verdict), code=result.code,
                        delegate_id=d.id if d else None,
                        registration_code=d.registration_code if d else None,
                        direction=ev.direction if ev else self.mode_switch.direction,
                        recorded=ev.uuid if ev else None)
        self.result.show_result(result)
        self.show_error("")

    def _on_scan_failed(self, code: str, message: str) -> None:
        self.result.show_error(code, message)
        self.show_error(message)
        # Give the code back so Enter retries it; a new scan simply types over the selection.
        if not self.scan_field.text():
            self.scan_field.setText(code)
            self.scan_field.selectAll()

    def _on_search_text_changed(self, text: str) -> None:
        # While searching, results need the room more than the recent list does (1366×768).
        self.lower_tabs.setVisible(not text)

    def _on_busy_changed(self, busy: bool) -> None:
        n = self.controller.runner.writes_pending
        self.busy_label.setText(word(msg("ui.window.saving", n=n), self.languages.language)
                                if busy else "")

    # -- undo ------------------------------------------------------------------------------
    def _on_undo_requested(self, uuid: str) -> None:
        row = next((r for r in self.recent.rows if r.uuid == uuid), None)
        if row is not None:
            self._undo_labels[uuid] = row
        self.manager.undo(uuid)  # asks for the manager PIN unless a manager is active
        self.focus_scanner()

    def _on_undo_finished(self, record: CheckInRecord) -> None:
        row = self._undo_labels.pop(record.undoes or "", None)
        self.result.show_undo(row.name if row else "", row.code if row else "")

    def _on_undo_failed(self, message: str) -> None:
        self.result.show_error("", message)
        self.show_error(message)

    # -- counts and status -----------------------------------------------------------------
    def _on_stats_loaded(self, stats: ActivityStats | None) -> None:
        self.counts.set_stats(stats)
        if not self._stats_seen and self.isVisible():
            self._stats_seen = True
            self.is_ready = True
            self.trace.emit("ready", focus=int(self.scan_field.hasFocus()))
            self.readyToScan.emit()

    def show_error(self, message: str) -> None:
        """A bilingual message in the status bar ("" clears it)."""
        self._last_error = message
        self._show_status_error()

    def _show_status_error(self) -> None:
        lines = self._last_error.split("\n")
        # Messages are "Chinese\nEnglish": when the bar is short of room the start shows, so
        # it starts in the UI language.
        if len(lines) == 2 and self.languages.language == "en":
            lines.reverse()
        self.status_error.setText("  ·  ".join(lines) if self._last_error else "")
        self.status_error.setToolTip(self._last_error)

    # -- the shell its parts see (ui/shell.py) ---------------------------------------------
    @property
    def language(self) -> str:
        """The UI language now: "zh" or "en"."""
        return self.languages.language

    def add_desk_actions(self, actions: list[QAction], place: MenuPlace) -> None:
        """A part's actions in the desk menu: at the top, before Search, or above Quit."""
        if place == "top":
            for action in actions:
                self.desk_menu.insertAction(self.act_search, action)
            return
        for action in actions:
            self.desk_menu.insertAction(self.act_quit, action)
        self.desk_menu.insertSeparator(self.act_quit)

    def require_manager(self, zh: str, en: str, action: ManagerAction) -> None:
        """Run `action(manager)` behind the manager PIN."""
        self.manager.require(zh, en, action)

    def _on_enrolled(self, name: str) -> None:
        if self.setup_dialog is not None:  # a new desk being set up: the hub's name, not a typed one
            self.setup_dialog.desk_edit.setText(name)

    def current_activity(self) -> ActivityInfo | None:
        """The activity this desk admits to."""
        code = self.controller.activity_code
        return next((a for a in self.activities if a.code == code), None)

    def _on_enrolled_name(self, name: str) -> None:
        self.controller.enrolled_desk = name
        self._update_status()

    def _update_status(self) -> None:
        lang = self.languages.language
        self._show_status_error()
        act = self.current_activity()
        # A desk renamed here after its enrolment shows both names (sync.desk_name decides).
        names = DeskName(self.controller.desk_name, self.sync.enrolled_desk if self.sync else "")
        self.status_desk.setText(word(msg("ui.window.desk", desk=names.shown(lang) or "—"), lang))
        self.status_desk.setToolTip(names.explained(lang))
        name = (act.name_zh if lang == "zh" else act.name_en) if act else ""
        self.status_activity.setText(f"{self.controller.activity_code} · {name}".strip(" ·"))
        ev = self.event_info
        ev_name = (ev.name_zh if lang == "zh" else ev.name_en) if ev else ""
        self.status_event.setText(ev_name)
        title = word("ui.window.title", lang)
        self.event_title.setText(ev_name or title)
        self.setWindowTitle(f"{title} — {self.controller.desk_name}"
                            if self.controller.desk_name else title)
        self._update_clock()

    def _update_clock(self) -> None:
        now: datetime = self.core.clock.now().astimezone(self.controller.tz)
        self.status_clock.setText(now.strftime("%m-%d %H:%M:%S"))

    # -- language, sound, focus ------------------------------------------------------------
    def set_language(self, lang: str, *, save: bool = True) -> None:
        """Switch the whole UI to "zh" or "en" at runtime."""
        self.languages.set_language(lang)
        # Every view now, so the whole window switches in one repaint.
        for view in (self.result, self.search, self.recent, self.counts, self.conflicts_panel):
            view.set_language(lang)
        self.retranslate()
        self.manager.retranslate()
        self.update_mode()
        if save and lang != self.controller.language:
            self.controller.save_settings(language=lang)

    def update_mode(self) -> None:
        """Exit mode is impossible to miss: an orange frame and words next to "Scan here"."""
        out = self.mode_switch.direction == "out"
        lang = self.languages.language
        self.mode_label.setText(word("ui.window.exit_mode", lang) if out else "")
        self.mode_label.setStyleSheet(f"color: {EXIT_COLOUR}; font-weight: bold; font-size: 15px;")
        self.scan_card.setStyleSheet(
            f"QFrame#card {{ border: 3px solid {EXIT_COLOUR}; background: #FFF3E0; }}" if out else "")

    def _on_language_toggled(self) -> None:
        self.set_language("en" if self.languages.language == "zh" else "zh")
        self.focus_scanner()

    def focus_scanner(self) -> None:
        """Give the keyboard back to the scanner (the search box's input method goes off)."""
        self._search_idle.stop()
        self.search.field.set_chinese_input(False)
        self.scan_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_import(self) -> None:
        """The registration import wizard: a manager action behind the PIN."""
        self.manager.require(*pair("ui.need.import"), lambda _name: self._open_import())

    def _open_import(self) -> None:
        """Non-modal, with its own worker; focus returns to the scanner when it closes."""
        from checkin_app.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.core.importer, desk=self.controller.desk_name, parent=self)
        wizard.setStyleSheet(style.STYLESHEET)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.imported.connect(self._on_imported)
        wizard.finished.connect(lambda _code: self.focus_scanner())
        self.import_wizard = wizard
        wizard.open()
        # Once the window manager has framed it: a tall wizard opened with its title bar above
        # the top of a 1366×768 screen.
        QTimer.singleShot(300, wizard, lambda: keep_on_screen(wizard))

    def _on_imported(self, result: ImportResult) -> None:
        self.controller.refresh()
        if result.index_pending:
            self.name_index.start()

    def _on_rules_loaded(self, payload: tuple[EventInfo | None, list[ActivityInfo],
                                              list[CategoryInfo]]) -> None:
        event, activities, categories = payload
        dlg = RulesDialog(event, activities, categories, tz=self.controller.tz,
                          lang=self.languages.language, parent=self)
        dlg.setStyleSheet(style.STYLESHEET)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.finished.connect(lambda _code: self.focus_scanner())
        self.rules_dialog = dlg
        dlg.open()
        QTimer.singleShot(300, dlg, lambda: keep_on_screen(dlg))

    def focus_search(self) -> None:
        """Move the keyboard to the search box."""
        self.search.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.field.selectAll()
        self._search_idle.start()

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Only the scan field and the search box may hold the keyboard; anything else in this
        # window that grabs it (a clicked button, the list) hands it straight back.
        if new is None or new.window() is not self:
            return
        self.trace.emit("focus", widget=new.objectName())
        if new is self.search.field:
            self._search_idle.start()
        elif new is not self.scan_field:
            QTimer.singleShot(0, self.focus_scanner)

    def retranslate(self) -> None:
        """Every text of the window itself in the UI language."""
        lang = self.languages.language
        self.scan_label.setText(word("ui.window.scan_here", lang))
        self.scan_field.setPlaceholderText(word("ui.window.scan_hint", lang))
        self.act_setup.setText(word("ui.window.switch_setup", lang))
        self.act_quit.setText(word("ui.window.quit", lang))
        self.act_search.setText(word("ui.window.search", lang))
        self.desk_menu.setTitle(word("ui.window.desk_menu", lang))
        self.view_menu.setTitle(word("ui.window.view_menu", lang))
        self._retitle_tabs()
        self._update_status()

    def _retitle_tabs(self, failed: int | None = None) -> None:
        """Tab titles in the UI language; the badge tab counts failed prints so they are seen."""
        if failed is not None:
            self._failed_prints = failed
        failed = self._failed_prints
        lang = self.languages.language
        self.lower_tabs.setTabText(0, word("ui.window.tab_recent", lang))
        self.lower_tabs.setTabText(1, word(msg("ui.window.tab_badges_failed", failed=failed), lang)
                                   if failed else word("ui.window.tab_badges", lang))
        self.conflicts.retitle()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)

    def closeEvent(self, e: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(e)
        self.closed.emit()

    def fit_to_screen(self) -> None:
        """Size a window that has no remembered geometry to the screen it will open on.

        A 1366×768 laptop (or smaller) gets the window maximised; a larger screen a
        1366×768 window in its middle. Before the window manager has framed the window its
        frame is not known, so a title bar is allowed for; place_on_screen corrects it.
        """
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        w, h = 1366, 768
        if avail.width() <= w + 2 * FRAME_GUESS_PX or avail.height() <= h + TITLE_GUESS_PX:
            self.resize(min(w, avail.width() - 2 * FRAME_GUESS_PX),
                        min(h, avail.height() - TITLE_GUESS_PX - FRAME_GUESS_PX))
            self.move(avail.topLeft())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            return
        self.resize(w, h)
        self.move(avail.center().x() - w // 2, avail.center().y() - (h + TITLE_GUESS_PX) // 2)

    def place_on_screen(self) -> None:
        """Keep the whole window, title bar and status bar included, on its screen."""
        keep_on_screen(self)

    def shutdown(self) -> None:
        """Stop timers, finish queued writes and remove translators (idempotent)."""
        self._clock_timer.stop()
        self._stats_timer.stop()
        self._search_idle.stop()
        app = QApplication.instance()
        if self._watching_focus and isinstance(app, QApplication):
            app.focusChanged.disconnect(self._on_focus_changed)
        self._watching_focus = False
        self.catcher.remove()
        if self.sync is not None:
            self.sync.stop()
        self.camera.stop()
        self.scanners.stop()
        self.controller.shutdown()
        self.languages.remove()
