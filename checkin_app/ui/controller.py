"""The desk's use cases as asynchronous Qt operations: every service call runs in a worker."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from checkin_app.desk import DeskCore
from checkin_app.domain.clock import zone
from checkin_app.domain.tokens import display_code
from checkin_app.domain.types import (
    ActivityInfo,
    ActivityStats,
    CategoryInfo,
    CheckInRecord,
    DelegateView,
    ScanResult,
)
from checkin_app.domain.verdicts import Severity, Verdict
from checkin_app.services.catalog import DeskSettings, EventInfo
from checkin_app.services.checkin import RecentItem
from checkin_app.services.search import SeenAt
from checkin_app.sync.desk_name import DeskName
from checkin_app.ui.print_controller import PrintController
from checkin_app.ui.tasks import TaskRunner
from checkin_app.ui.texts import error_text

RECENT_LIMIT = 30
SEARCH_SHOWN = 20


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    """Found people (best first), whether there were more than shown, who is checked in."""

    rows: list[DelegateView]
    more: bool
    seen: dict[int, SeenAt]


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """What the window needs before it can show: settings, event and activities."""

    settings: DeskSettings
    event: EventInfo | None
    activities: list[ActivityInfo]


@dataclass(frozen=True, slots=True)
class RecentRow:
    """One line of the recent list: a recorded event, or a refusal this desk showed."""

    at: datetime
    verdict: str
    severity: Severity
    name: str
    code: str
    activity_code: str
    uuid: str | None
    undone: bool
    is_undo: bool
    direction: str = "in"  # "out": an exit, shown as such (never as an admission)

    @property
    def undoable(self) -> bool:
        """Only a recorded, still effective admission can be undone."""
        return self.uuid is not None and not self.undone and not self.is_undo


def _severity_of_recorded(verdict: str) -> Severity:
    if verdict == Verdict.ADMIT.value:
        return Severity.GREEN
    if verdict == "UNDO":
        return Severity.RED
    return Severity.AMBER


class DeskController(QObject):
    """Runs scans, check-ins, undo, searches and counts in the background for the desk window.

    Signals:
        bootstrapped(Bootstrap): settings, event and activities are loaded.
        catalogLoaded(tuple): (EventInfo | None, list[ActivityInfo]) read again after new data.
        settingsSaved(DeskSettings): a settings change is stored.
        scanQueued(str): a code was handed to the writer (shows "checking…").
        scanFinished(ScanResult): a scan or a search check-in produced a verdict.
        scanFailed(str, str): the code and a bilingual message; the code is never lost.
        statsLoaded(object): ActivityStats for the current activity, or None.
        recentLoaded(list): RecentRow items, newest first.
        searchFinished(int, SearchAnswer): the request's sequence number and what was found.
        undoFinished(CheckInRecord): the reversing event that was recorded.
        undoFailed(str): a bilingual message (e.g. already undone at another desk).
        errorOccurred(str): a bilingual message for the status bar.
        rulesLoaded(tuple): (EventInfo | None, activities, categories) for the rules view.
    """

    bootstrapped = Signal(object)
    catalogLoaded = Signal(object)
    settingsSaved = Signal(object)
    scanQueued = Signal(str)
    scanFinished = Signal(object)
    scanFailed = Signal(str, str)
    statsLoaded = Signal(object)
    recentLoaded = Signal(list)
    searchFinished = Signal(int, object)
    undoFinished = Signal(object)
    undoFailed = Signal(str)
    errorOccurred = Signal(str)
    rulesLoaded = Signal(object)

    def __init__(self, core: DeskCore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = TaskRunner(self)
        self.desk_name = ""
        # The name the hub enrolled this desk under ("" for none). Rows are recorded under it,
        # as the hub stores every row this desk pushes, so the desk column (and "first in at
        # desk …") reads the same at every replica; the status bar shows both names.
        self.enrolled_desk = ""
        self.activity_code = "MAIN"
        self.language = "zh"
        self.direction = "in"  # entry or exit mode ("out": exits never fail for rules)
        self.tz = zone()
        # Refusals are not check-in events, so the service's recent list never has them;
        # the volunteer still wants to see "who did I just turn away".
        self._refusals: deque[RecentRow] = deque(maxlen=RECENT_LIMIT)
        self.printing = PrintController(core.badges, self)

    # -- set-up ----------------------------------------------------------------------------
    @property
    def record_desk(self) -> str:
        """The desk name new rows are recorded under: the enrolled one, else the desk's own."""
        return DeskName(self.desk_name, self.enrolled_desk).identity or "?"

    def load_bootstrap(self) -> None:
        """Read settings, event and activities."""
        catalog = self.core.catalog

        def work() -> Bootstrap:
            return Bootstrap(catalog.settings(), catalog.event(), catalog.activities())

        self.runner.read(work, self._on_bootstrap, self._on_error)

    def _on_bootstrap(self, boot: Bootstrap) -> None:
        self._apply_settings(boot.settings)
        if boot.event is not None:
            self.tz = zone(boot.event.timezone)
        self.bootstrapped.emit(boot)

    def reload_catalog(self) -> None:
        """Re-read the event and activities: a pull or a USB import may have changed them."""
        catalog = self.core.catalog

        def work() -> tuple[EventInfo | None, list[ActivityInfo]]:
            return catalog.event(), catalog.activities()

        self.runner.read(work, self._on_catalog, self._on_error)

    def _on_catalog(self, payload: tuple[EventInfo | None, list[ActivityInfo]]) -> None:
        event, _activities = payload
        if event is not None:
            self.tz = zone(event.timezone)
        self.catalogLoaded.emit(payload)

    def load_rules(self) -> None:
        """Read the event, every activity and every category, for the read-only rules view."""
        catalog = self.core.catalog

        def work() -> tuple[EventInfo | None, list[ActivityInfo], list[CategoryInfo]]:
            return catalog.event(), catalog.activities(), catalog.categories()

        self.runner.read(work, self.rulesLoaded.emit, self._on_error)

    def save_settings(self, **changes: str) -> None:
        """Store desk name, activity or language (through the writer)."""
        catalog = self.core.catalog

        def work() -> DeskSettings:
            return catalog.save_settings(**changes)

        self.runner.write(work, self._on_settings_saved, self._on_error)

    def _on_settings_saved(self, settings: DeskSettings) -> None:
        self._apply_settings(settings)
        self.settingsSaved.emit(settings)

    def _apply_settings(self, settings: DeskSettings) -> None:
        self.desk_name = settings.desk_name
        self.activity_code = settings.activity_code
        self.language = settings.language
        self.direction = settings.direction

    # -- scanning --------------------------------------------------------------------------
    def scan(self, raw: str) -> None:
        """Queue a scanned code; results arrive in scan order."""
        checkin = self.core.checkin
        desk, activity, direction = self.record_desk, self.activity_code, self.direction

        def work() -> ScanResult:
            return checkin.scan(raw, activity_code=activity, desk=desk, direction=direction)

        self.scanQueued.emit(raw)
        self.runner.write(work, self._on_scan_finished,
                          lambda exc: self._on_scan_failed(raw, exc))

    def check_in_delegate(self, delegate_id: int, label: str) -> None:
        """Check in a person chosen in search, by the same rules as a scan."""
        checkin = self.core.checkin
        desk, activity, direction = self.record_desk, self.activity_code, self.direction

        def work() -> ScanResult:
            return checkin.check_in_delegate(delegate_id, activity_code=activity, desk=desk,
                                             direction=direction)

        self.scanQueued.emit(label)
        self.runner.write(work, self._on_scan_finished,
                          lambda exc: self._on_scan_failed(label, exc))

    def _on_scan_finished(self, result: ScanResult) -> None:
        if result.event is None:
            d = result.delegate
            self._refusals.appendleft(
                RecentRow(
                    at=self.core.clock.now(),
                    verdict=result.verdict.value,
                    severity=result.severity,
                    name=(d.name_native or d.name_latin) if d else "",
                    code=display_code(result.code),
                    activity_code=result.activity.code if result.activity else "",
                    uuid=None,
                    undone=False,
                    is_undo=False,
                    direction=result.direction,
                )
            )
        self.scanFinished.emit(result)
        self.printing.on_scan_result(result, self.record_desk)
        self.refresh()

    def show_result(self, result: ScanResult) -> None:
        """A verdict produced elsewhere (manager override, walk-in) goes the way of a scan's."""
        self._on_scan_finished(result)

    def _on_scan_failed(self, code: str, exc: BaseException) -> None:
        self.scanFailed.emit(code, error_text(exc))

    # -- undo ------------------------------------------------------------------------------
    def undo(self, event_uuid: str, operator: str = "volunteer") -> None:
        """Reverse one recorded check-in with a new event (`operator`: the manager who allowed it)."""
        checkin = self.core.checkin
        desk = self.record_desk

        def work() -> CheckInRecord:
            return checkin.undo(event_uuid, desk=desk, operator=operator,
                                reason="desk undo")

        self.runner.write(work, self._on_undo_finished,
                          lambda exc: self.undoFailed.emit(error_text(exc)))

    def _on_undo_finished(self, record: CheckInRecord) -> None:
        self.undoFinished.emit(record)
        self.refresh()

    # -- reads -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the counts and the recent list."""
        self.load_stats()
        self.load_recent()

    def load_stats(self) -> None:
        """Counts for the current activity."""
        catalog, code = self.core.catalog, self.activity_code

        def work() -> ActivityStats | None:
            rows = catalog.stats(code)
            return rows[0] if rows else None

        self.runner.read(work, self.statsLoaded.emit, self._on_error)

    def load_recent(self) -> None:
        """This desk's newest events merged with the refusals it showed."""
        # Under either name: rows recorded before the desk was enrolled carry its own name.
        checkin = self.core.checkin
        desk = tuple({self.desk_name, self.enrolled_desk, self.record_desk} - {""})

        def work() -> list[RecentItem]:
            return checkin.recent(desk=desk, limit=RECENT_LIMIT)

        self.runner.read(work, self._on_recent_loaded, self._on_error)

    def _on_recent_loaded(self, items: list[RecentItem]) -> None:
        rows = [
            RecentRow(
                at=i.at,
                # A manager's undo of another desk's event is forced too, but it is an undo.
                verdict="OVERRIDE" if i.forced and not i.is_undo else i.verdict,
                severity=_severity_of_recorded("OVERRIDE" if i.forced and not i.is_undo
                                               else i.verdict),
                name=i.name,
                code=i.registration_code,
                activity_code=i.activity_code,
                uuid=i.uuid,
                undone=i.undone,
                is_undo=i.is_undo,
                direction=i.direction,
            )
            for i in items
        ]
        # Refusals first so that, at equal times, the one just shown is on top.
        merged = sorted([*self._refusals, *rows], key=lambda r: r.at, reverse=True)
        self.recentLoaded.emit(merged[:RECENT_LIMIT])

    def search(self, seq: int, text: str) -> None:
        """Type-ahead search; the answer carries `seq` so the view can drop stale ones."""
        searcher = self.core.search
        activity = self.activity_code

        def work() -> SearchAnswer:
            # One more than is shown, so the view can say "more than 20" rather than "20".
            rows = list(searcher.search(text, limit=SEARCH_SHOWN + 1))
            shown = rows[:SEARCH_SHOWN]
            seen = searcher.seen_at([d.id for d in shown], activity)
            return SearchAnswer(shown, len(rows) > SEARCH_SHOWN, seen)

        self.runner.read(work, lambda answer: self.searchFinished.emit(seq, answer),
                         self._on_error)

    def _on_error(self, exc: BaseException) -> None:
        self.errorOccurred.emit(error_text(exc))

    def shutdown(self) -> None:
        """Finish queued writes and stop the pools (call before closing the database)."""
        self.runner.shutdown()
        self.printing.shutdown()
