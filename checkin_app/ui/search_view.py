"""Search by name: type-ahead results, keyboard selection, check-in of the chosen person."""

from __future__ import annotations

from collections import deque
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.codes import normalise_scan
from checkin_app.domain.messages import msg
from checkin_app.domain.types import DelegateView
from checkin_app.services.search import SeenAt
from checkin_app.ui.elided_label import ElidedLabel
from checkin_app.ui.scan_field import (
    END_KEYS,
    MIN_BURST,
    MODIFIER_KEYS,
    PAUSE_MS,
    BurstTracker,
    is_plain_text,
    refresh_input_method,
)
from checkin_app.ui.texts import say, word

DEBOUNCE_MS = 150

# Registration statuses with words (catalogue ui.search.status.<status>); others show as they are.
_STATUS = frozenset({"cancelled", "registered", "approved"})


def looks_like_code(text: str) -> bool:
    """A scanner's output rather than a name: a long ASCII token with a digit in it."""
    code = normalise_scan(text)
    return code is not None and len(code) >= MIN_BURST and any(c.isdigit() for c in code)


# An input method turns each key into a change of its preedit (or a commit, or lets it through);
# people type pinyin at 60-150 ms a key, a scanner at 0-20. This many steps within this window is
# a scanner the input method is eating. Fewer set the alarm off on people at the real window:
# ibus hands over a syllable's changes in a bunch (five within 147 ms for "zhou" at 80 ms a key).
IME_BURST = 8
IME_BURST_WINDOW_MS = 150
# Enter this soon after at least this many fast keys is a scanner's, never a person's choice of
# the highlighted row.
FAST_ENTER_RUN = 3
# Letters an input method hands over together faster than this per letter were not typed by a
# person (people need 60 ms a key and more).
COMMIT_MS_PER_CHAR = 30
FAST_ENTER_MS = 120
# After an input method ate the start of a scan, the rest of that burst is dropped: a partial
# code must never be looked up (it could name someone else).
SWALLOW_GAP_MS = 300


class SearchField(QLineEdit):
    """The search box; arrows move through the results while typing continues here.

    A scanner's burst typed here is a scan, whatever the box already holds: the burst's own
    characters go to the scan path and the box is put back as it was. The input method is off
    (pinyin and Latin letters search by themselves) until the volunteer asks for Chinese
    characters; with it on, a burst the input method is eating is reported, not guessed at.

    Signals:
        moveSelection(int): -1 up, +1 down, ±10 for page keys.
        activated(): Enter on a selected result.
        escaped(): Esc; the window gives focus back to the scanner.
        scanned(str): a scanner burst typed here (the code alone).
        runStarted(): the first key of a run of keys (a scan may be starting).
        imeInterference(): the input method took a scanner burst; scan again.
        chineseInputChanged(bool): the input method was allowed (True) or turned off.
        typed(): any key or input-method text (the window's idle timer listens).
        unreadBurst(): Enter ended a fast run that is not a readable code (scan again).
    """

    moveSelection = Signal(int)
    activated = Signal()
    escaped = Signal()
    scanned = Signal(str)
    runStarted = Signal()
    imeInterference = Signal()
    chineseInputChanged = Signal(bool)
    typed = Signal()
    unreadBurst = Signal()

    def __init__(self, parent: QWidget | None = None, *, pause_ms: int = PAUSE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("searchField")
        self.setClearButtonEnabled(True)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self._chinese = False
        self._burst = BurstTracker()
        self._run: list[str] = []
        self._before_run: tuple[str, int] = ("", 0)
        self._ime_clock = QElapsedTimer()
        self._ime_clock.start()
        self._ime_times: deque[int] = deque(maxlen=IME_BURST)
        self._ime_last = ("", "")
        self._last_seen = -(1 << 30)  # the last key or input-method event this box saw
        self._ime_before: tuple[str, int] = ("", 0)
        self._swallowing = False
        self._swallow = BurstTracker()
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(pause_ms)
        self._pause.timeout.connect(self._on_pause)

    # -- input method ----------------------------------------------------------------------
    @property
    def chinese_input(self) -> bool:
        """Whether the input method may compose Chinese characters here."""
        return self._chinese

    def set_chinese_input(self, on: bool) -> None:
        """Allow the input method (Chinese characters) or keep it out (letters only)."""
        if on == self._chinese:
            return
        self._chinese = on
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, on)
        refresh_input_method(self)
        self.chineseInputChanged.emit(on)

    def inputMethodQuery(self, query: Qt.InputMethodQuery, /, *args: Any) -> Any:
        if query == Qt.InputMethodQuery.ImEnabled:
            return self._chinese
        return super().inputMethodQuery(query, *args)

    def inputMethodEvent(self, e: QInputMethodEvent) -> None:
        commit = e.commitString()
        if self._swallowing and self._swallow.idle_ms() <= SWALLOW_GAP_MS:
            # What the input method still sends of the burst it ate (it had the keys queued).
            self._swallow.key()
            e.accept()
            return
        if commit and is_plain_text(commit) and not e.preeditString() and not self._ime_last[0]:
            # Plain letters an input method hands over as commits instead of key events (seen
            # with ibus and fcitx5 just after the focus came here): they are keys like any
            # others, or a scanner's burst would not be seen and its Enter would check in the
            # highlighted person.
            self.typed.emit()
            now = self._ime_clock.elapsed()
            if (self._chinese and len(commit) >= 3
                    and now - self._last_seen < len(commit) * COMMIT_MS_PER_CHAR):
                # Letters the input method gathered out of sight and handed over at once, far
                # faster than anyone types them (libpinyin does this with a scanner's capitals:
                # only the Shift is seen, then the letters at Return, digits and Return lost).
                self._last_seen = now
                self._ime_before = (self.text(), self.cursorPosition())
                self._on_ime_ate_scan()
                e.accept()
                return
            self._last_seen = now
            if self._chinese and self._ime_activity():
                e.accept()
                return
            for ch in commit:
                self._take_char(ch, 0, insert=True)
            e.accept()
            return
        self._last_seen = self._ime_clock.elapsed()
        change = (e.preeditString(), commit)
        if (change[0] or change[1]) and change != self._ime_last:
            self.typed.emit()
            if self._ime_activity():
                self._ime_last = ("", "")
                e.accept()
                return
        self._ime_last = change
        super().inputMethodEvent(e)

    def _ime_activity(self) -> bool:
        """Note one step of input while the input method is in play; True if that made it a
        scanner's burst the input method is eating (then reported and the rest dropped).

        Every step counts — a change of the composition, a commit, a key the input method let
        through (digits pick candidates, so a scanned code comes as a mix of all three)."""
        now = self._ime_clock.elapsed()
        if not self._ime_times or now - self._ime_times[-1] > IME_BURST_WINDOW_MS:
            self._ime_before = (self.text(), self.cursorPosition())
            self._ime_times.clear()
        self._ime_times.append(now)
        if (len(self._ime_times) >= IME_BURST
                and self._ime_times[-1] - self._ime_times[0] <= IME_BURST_WINDOW_MS):
            self._on_ime_ate_scan()
            return True
        return False

    def _on_ime_ate_scan(self) -> None:
        # Keys from now on bypass the input method; what it composed is not the code.
        self._ime_times.clear()
        self.set_chinese_input(False)
        text, cursor = self._ime_before
        self.setText(text)
        self.setCursorPosition(cursor)
        self._start_swallowing()
        self.imeInterference.emit()

    def _start_swallowing(self) -> None:
        self._swallowing = True
        self._swallow.reset()
        self._swallow.key()
        self._reset_run()

    # -- keys ------------------------------------------------------------------------------
    def event(self, e: QEvent) -> bool:
        # Tab would move the focus before keyPressEvent; after a scanner burst it ends a code.
        if (e.type() == QEvent.Type.KeyPress and isinstance(e, QKeyEvent)
                and e.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
                and (self._swallowing or self._is_scan_run())):
            if self._swallowing:
                self._swallowing = False
            else:
                self._end_keys()
            e.accept()
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        key = Qt.Key(e.key())
        self._last_seen = self._ime_clock.elapsed()
        if key in MODIFIER_KEYS:
            super().keyPressEvent(e)
            return
        self.typed.emit()
        if self._swallowing:
            if self._swallow.idle_ms(e.timestamp()) <= SWALLOW_GAP_MS:
                self._swallow.key(e.timestamp())
                if key in END_KEYS:
                    self._swallowing = False
                e.accept()
                return
            self._swallowing = False
        moves = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10,
                 Qt.Key.Key_PageDown: 10}
        if key in moves:
            self._reset_run()
            self.moveSelection.emit(moves[key])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._end_keys()
            return
        if key == Qt.Key.Key_Escape:
            self._reset_run()
            self.escaped.emit()
            return
        text = e.text()
        if text and text.isprintable():
            if self._chinese and self._ime_activity():
                e.accept()  # the input method ate the start of this burst: drop the rest
                return
            self._take_char(text, e.timestamp())
            super().keyPressEvent(e)
            return
        self._reset_run()
        super().keyPressEvent(e)

    def _take_char(self, text: str, stamp: int, *, insert: bool = False) -> None:
        """Note one typed character in the current run (and insert it, for an IME commit)."""
        if self._burst.key(stamp) == 1:
            self._before_run = (self.text(), self.cursorPosition())
            self._run = []
            self.runStarted.emit()
        if insert:
            self.insert(text)
        self._run.append(text)
        if len(self._run) >= MIN_BURST:
            self._pause.start()
        else:
            self._pause.stop()

    def _is_scan_run(self) -> bool:
        # A scan is a run of fast keys; what the box held before it is the volunteer's search.
        return len(self._run) >= MIN_BURST and looks_like_code("".join(self._run))

    def _end_keys(self) -> None:
        """Enter (or Tab after a burst): the end of a scan, or a check-in of the highlighted row."""
        if self._is_scan_run():
            self._take_scan()
            return
        fast = len(self._run) >= FAST_ENTER_RUN and self._burst.idle_ms() <= FAST_ENTER_MS
        self._reset_run()
        if fast:
            # Enter at the end of a fast run that is not a readable code: a scanner's burst
            # that lost keys somewhere. Never a check-in of whoever is highlighted.
            self.unreadBurst.emit()
            return
        self.activated.emit()

    def _on_pause(self) -> None:
        # A scanner that sends no terminator: the burst alone is the code.
        if self._is_scan_run():
            self._take_scan()

    def _take_scan(self) -> None:
        code = "".join(self._run)
        text, cursor = self._before_run
        self._reset_run()
        self.setText(text)
        self.setCursorPosition(cursor)
        self.scanned.emit(code)

    def _reset_run(self) -> None:
        self._pause.stop()
        self._burst.reset()
        self._run = []


class SearchPanel(QFrame):
    """Search box, results table and a check-in button.

    Signals:
        searchRequested(int, str): after typing pauses; a sequence number and the text.
        checkInRequested(int, str): the chosen delegate's id and a label for the panel.
        scanned(str): a scanner burst typed into the search box.
        escaped(): the volunteer is done searching.
        imeInterference(): the input method ate a scanner burst typed into the search box.
        unreadBurst(): a scanner's burst that is no readable code ended in Enter here.
    """

    searchRequested = Signal(int, str)
    checkInRequested = Signal(int, str)
    scanned = Signal(str)
    escaped = Signal()
    imeInterference = Signal()
    unreadBurst = Signal()

    COLUMNS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.language = "zh"
        self._seq = 0
        self._rows: list[DelegateView] = []
        self._more = False
        self._seen: dict[int, SeenAt] = {}
        self.tz: tzinfo | None = None  # the event's, for check-in times
        # The highlighted person when a scanner burst began, to highlight again afterwards:
        # a scan typed into the search leaves the search as it was.
        self._id_before_run: int | None = None
        self._reselect: int | None = None

        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.field = SearchField()
        self.button = QPushButton()
        self.button.setObjectName("primary")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setEnabled(False)
        # Chinese characters need the input method, which is kept out of the box by default
        # so that a scanner's letters are never composed; pinyin needs no input method.
        self.hanzi = QPushButton(word("ui.search.hanzi", "zh"))
        self.hanzi.setObjectName("hanziToggle")
        self.hanzi.setCheckable(True)
        self.hanzi.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        # Beside the hint: why new people are not yet found by pinyin (set_note); it gives way
        # to the hint, its whole text and the explanation in its tooltip.
        self.note = ElidedLabel(min_px=40)
        self.note.setObjectName("hint")
        self.note.setVisible(False)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # Two lines per person (native over Latin name, etc.) so seven facts fit a narrow column.
        self.table.verticalHeader().setDefaultSectionSize(52)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Organisations are cut at the end, their start readable; the whole text is the tooltip.
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.field, 1)
        top.addWidget(self.hanzi)
        top.addWidget(self.button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(8)
        lay.addWidget(self.title)
        lay.addLayout(top)
        hints = QHBoxLayout()
        hints.setSpacing(12)
        hints.addWidget(self.hint)
        hints.addWidget(self.note, 1, Qt.AlignmentFlag.AlignRight)
        lay.addLayout(hints)
        lay.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._connect_callbacks()
        self.retranslate()

    def _connect_callbacks(self) -> None:
        self.field.textChanged.connect(self._on_text_changed)
        self._debounce.timeout.connect(self._on_debounced)
        self.field.moveSelection.connect(self._on_move_selection)
        self.field.activated.connect(self._on_activate)
        self.field.escaped.connect(self.escaped)
        self.field.scanned.connect(self._on_field_scanned)
        self.field.runStarted.connect(self._on_run_started)
        self.field.imeInterference.connect(self.imeInterference)
        self.field.unreadBurst.connect(self.unreadBurst)
        self.field.chineseInputChanged.connect(self._on_chinese_input_changed)
        self.hanzi.toggled.connect(self._on_hanzi_toggled)
        self.button.clicked.connect(self._on_activate)
        self.table.itemDoubleClicked.connect(lambda _item: self._on_activate())
        self.table.itemSelectionChanged.connect(self._on_selection_changed)

    # -- public API ------------------------------------------------------------------------
    def show_results(self, seq: int, rows: list[DelegateView], *, more: bool = False,
                     seen: dict[int, SeenAt] | None = None) -> None:
        """Show results unless a newer search was started since this one.

        `more`: there were more matches than shown; `seen`: who of them has checked in here.
        """
        if seq != self._seq:
            return
        self._rows = list(rows)
        self._more = more
        self._seen = dict(seen or {})
        self._fill()
        keep = next((i for i, d in enumerate(self._rows) if d.id == self._reselect), 0)
        self._reselect = None
        if self._rows:
            self.table.selectRow(keep)
        self._update_hint()

    def set_language(self, lang: str) -> None:
        """Order bilingual cells with `lang` first; the panel's own words in `lang`."""
        self.language = lang
        self._fill()
        self.retranslate()

    def clear(self) -> None:
        """Empty the search box and the results."""
        self.field.clear()

    def selected(self) -> DelegateView | None:
        """The highlighted person."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        i = rows[0].row()
        return self._rows[i] if 0 <= i < len(self._rows) else None

    @property
    def sequence(self) -> int:
        """Sequence number of the newest search request."""
        return self._seq

    def retranslate(self) -> None:
        """Re-read every translatable text."""
        lang = self.language
        self.title.setText(word("ui.search.title", lang))
        self.field.setPlaceholderText(word("ui.search.placeholder", lang))
        self.button.setText(word("ui.search.check_in", lang))
        # Always Chinese first: the button is for typing Chinese.
        self.hanzi.setToolTip(say("ui.search.hanzi_tip", "zh", "\n"))
        self.table.setHorizontalHeaderLabels([
            word(f"ui.search.col_{c}", lang) for c in ("name", "org", "category", "code")])
        self._update_hint()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)

    # -- slots -----------------------------------------------------------------------------
    def _on_text_changed(self, _text: str) -> None:
        # Every keystroke invalidates earlier answers, even before the debounce fires.
        self._seq += 1
        self._debounce.start()

    def _on_debounced(self) -> None:
        text = self.field.text().strip()
        if not text:
            self._rows = []
            self._more = False
            self._fill()
            self._update_hint()
            return
        self.searchRequested.emit(self._seq, text)

    def _on_move_selection(self, step: int) -> None:
        if not self._rows:
            return
        cur = self.selected()
        i = self._rows.index(cur) if cur in self._rows else -1
        self.table.selectRow(max(0, min(len(self._rows) - 1, i + step)))

    def _on_activate(self) -> None:
        person = self.selected()
        if person is None:
            return
        label = person.name_native or person.name_latin or person.registration_code
        self.checkInRequested.emit(person.id, label)

    def _on_run_started(self) -> None:
        person = self.selected()
        self._id_before_run = person.id if person is not None else None

    def _on_field_scanned(self, code: str) -> None:
        self._reselect = self._id_before_run
        self.scanned.emit(code)

    def _on_hanzi_toggled(self, on: bool) -> None:
        self.field.set_chinese_input(on)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_chinese_input_changed(self, on: bool) -> None:
        self.hanzi.blockSignals(True)
        self.hanzi.setChecked(on)
        self.hanzi.blockSignals(False)

    def _on_selection_changed(self) -> None:
        self.button.setEnabled(self.selected() is not None)

    # -- drawing ---------------------------------------------------------------------------
    def set_note(self, text: str, tip: str = "") -> None:
        """A note beside the hint ("" hides it), e.g. the name index still being built."""
        self.note.setText(text)
        self.note.setToolTip(tip)
        self.note.setVisible(bool(text))

    def _update_hint(self) -> None:
        text, lang = self.field.text().strip(), self.language
        if not text:
            self.hint.setText(word("ui.search.hint_keys", lang))
        elif not self._rows:
            self.hint.setText(word("ui.search.no_match", lang))
        elif self._more:
            self.hint.setText(word(msg("ui.search.more", n=len(self._rows)), lang))
        else:
            self.hint.setText(word(msg("ui.search.matches", n=len(self._rows)), lang))

    def _fill(self) -> None:
        lang = self.language
        self.table.setRowCount(len(self._rows))
        for i, d in enumerate(self._rows):
            cancelled = d.status == "cancelled"
            org = (d.organisation_zh if lang == "zh" else d.organisation_en) or d.organisation
            country = (d.country_name_zh if lang == "zh" else d.country_name_en) or d.country
            native = d.name_native or d.display_name
            latin = d.name_latin if d.name_latin != native else ""
            seen = self._seen.get(d.id)
            status = word(f"ui.search.status.{d.status}", lang) if d.status in _STATUS else d.status
            if seen is not None and not cancelled:
                at = seen.first_in_at.astimezone(self.tz).strftime("%H:%M")
                status = word(msg("ui.search.seen", at=at), lang)
            cells = [
                "\n".join(t for t in (native, latin) if t),
                "\n".join(t for t in (org, country) if t),
                d.category.name_zh if lang == "zh" else d.category.name_en,
                "\n".join((d.registration_code, status)),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                font = QFont(self.table.font())
                if col == 0:
                    font.setBold(True)
                if cancelled:
                    # Struck through and red, so nobody checks in a cancelled registration by eye.
                    font.setStrikeOut(col != 3)
                    item.setForeground(QBrush(QColor("#B71C1C")))
                item.setFont(font)
                if col == 2:
                    item.setData(Qt.ItemDataRole.DecorationRole, QColor(d.category.colour))
                if col == 3 and seen is not None and not cancelled:
                    # Already checked in: the volunteer sees it before choosing the row.
                    item.setForeground(QBrush(QColor("#1B5E20")))
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, col, item)
        self.button.setEnabled(self.selected() is not None)
