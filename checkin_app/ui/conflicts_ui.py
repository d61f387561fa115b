"""Wires the conflicts tab into the desk window: loads in the background after every pull, titles the tab."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from checkin_app.domain.messages import pair
from checkin_app.services.conflicts import ConflictItem, ConflictService, RefusedItem
from checkin_app.sync.client import SyncStatus
from checkin_app.ui.conflicts_view import ConflictsPanel, tab_title
from checkin_app.ui.icons import Glyph, glyph_icon
from checkin_app.ui.recent_view import RecentPanel
from checkin_app.ui.shell import Shell
from checkin_app.ui.style import AMBER
from checkin_app.ui.sync_bridge import SyncBridge
from checkin_app.ui.texts import error_text

# Pulls can come every second while the event is busy; the flagged list needs one pass over the
# check-ins, so it is read at most this often (the newest pull is always included).
MIN_RELOAD_INTERVAL_S = 3.0


class ConflictsDesk(QObject):
    """Loads conflicts and refusals for the panel; one per window.

    Signals:
        loaded(int, int): a reload finished; conflicts and refusals shown.
    """

    loaded = Signal(int, int)

    def __init__(self, shell: Shell, panel: ConflictsPanel, service: ConflictService,
                 bridge: SyncBridge | None, recent: RecentPanel) -> None:
        super().__init__(shell.window())
        self.shell = shell
        self.controller = shell.controller
        self.panel = panel
        self.recent = recent  # flagged admissions are marked in the recent list too
        self.bridge = bridge
        self.service = service
        self.conflicts: list[ConflictItem] = []
        self.refused: list[RefusedItem] = []
        self._loading = False
        self._dirty = False
        self._last_start = float("-inf")
        self._refused_seen = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._load)
        self._connect_callbacks()

    def _connect_callbacks(self) -> None:
        c = self.controller
        c.bootstrapped.connect(lambda _b: self.reload())
        c.settingsSaved.connect(self._on_settings)
        self.panel.retryRequested.connect(self._on_retry)
        if self.bridge is not None:
            self.bridge.changesArrived.connect(lambda _n: self.reload())
            self.bridge.statusChanged.connect(self._on_status)

    # -- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Load again soon (at most every MIN_RELOAD_INTERVAL_S; one load at a time)."""
        if self._loading:
            self._dirty = True
            return
        if self._timer.isActive():
            return
        wait = self._last_start + MIN_RELOAD_INTERVAL_S - time.monotonic()
        self._timer.start(int(max(0.0, wait) * 1000))

    def _load(self) -> None:
        self._loading = True
        self._last_start = time.monotonic()
        service = self.service
        sync = self.bridge.sync if self.bridge is not None else None

        def work() -> tuple[list[ConflictItem], list[RefusedItem]]:
            refusals = service.describe(sync.refusals()) if sync is not None else []
            return service.conflicts(), refusals

        self.controller.runner.read(work, self._on_loaded, self._on_failed)

    def _on_loaded(self, result: tuple[list[ConflictItem], list[RefusedItem]]) -> None:
        self._loading = False
        self.conflicts, self.refused = result
        self._refused_seen = len(self.refused)
        self.panel.tz = self.controller.tz
        self.panel.desk_name = self.controller.record_desk
        self.panel.set_items(self.conflicts, self.refused)
        self.recent.set_conflicts({c.uuid for c in self.conflicts})
        self.retitle()
        self.loaded.emit(len(self.conflicts), len(self.refused))
        if self._dirty:
            self._dirty = False
            self.reload()

    def _on_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.shell.show_error(error_text(exc))
        if self._dirty:
            self._dirty = False
            self.reload()

    # -- reactions -------------------------------------------------------------------------
    def _on_status(self, status: SyncStatus) -> None:
        # Refusals change with pushes, not pulls: reload when their number moves.
        if status.refused != self._refused_seen:
            self._refused_seen = status.refused
            self.reload()

    def _on_settings(self, _settings: object) -> None:
        self.panel.desk_name = self.controller.record_desk
        self.panel.set_language(self.shell.language)
        self.retitle()

    def _on_retry(self) -> None:
        bridge = self.bridge
        if bridge is None:
            return

        def retry() -> None:
            sync = bridge.sync
            if sync is None:  # never enrolled: nothing was refused
                return
            self.controller.runner.write(sync.retry_refusals, lambda _n: self._after_retry(),
                                         lambda exc: self.shell.show_error(error_text(exc)))

        self.shell.require_manager(*pair("ui.need.retry_refused"), lambda _manager: retry())
        self.shell.focus_scanner()

    def _after_retry(self) -> None:
        if self.bridge is not None:
            self.bridge.kick()
        self.reload()

    # -- texts -----------------------------------------------------------------------------
    def retitle(self) -> None:
        """The tab title with the counts, and an amber mark while there is anything to look at."""
        tabs = self.shell.lower_tabs
        index = tabs.indexOf(self.panel)
        if index < 0:
            return
        lang = self.shell.language
        tabs.setTabText(index, tab_title(len(self.conflicts), len(self.refused), lang))
        busy = bool(self.conflicts or self.refused)
        tabs.setTabIcon(index, glyph_icon(Glyph.ATTENTION, AMBER.text, AMBER.background, 20)
                        if busy else glyph_icon(Glyph.CHECK, "#FFFFFF", "#90A4AE", 20))

