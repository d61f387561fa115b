"""The desk's badge panel: preview of the badge being printed and the print queue with its controls.

Buttons marked with a lock are manager actions (retry, cancel, send to another printer, reprint,
batch, printer settings); the window routes them through the manager PIN.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QBrush, QColor, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin_app.domain.clock import zone
from checkin_app.printing.backends import describe
from checkin_app.services.badges import (
    CANCELLED,
    DONE,
    FAILED,
    PRINTING,
    QUEUED,
    STATE_WORDS,
    PrintJobView,
    PrintSettings,
)
from checkin_app.ui.elided_label import ElidedLabel
from checkin_app.ui.print_controller import Preview
from checkin_app.ui.texts import word

MANAGER_KEYS = ("retry", "cancel", "redirect", "reprint")
NOTICE_MS = 20_000  # how long a confirmation (e.g. "reprinted") stays in the panel
NOTICE_COLOUR = {"ok": "#1B7F3A", "busy": "#1565C0", "bad": "#C62828"}
STATE_MARK = {QUEUED: "…", PRINTING: "⎙", DONE: "✔", FAILED: "✖", CANCELLED: "–"}
STATE_COLOUR = {QUEUED: "#455A64", PRINTING: "#1565C0", DONE: "#1B7F3A", FAILED: "#C62828",
                CANCELLED: "#78909C"}


def words(key: str, lang: str) -> str:
    """A fixed text of the panel in the desk's language (catalogue ui.printpanel.<key>)."""
    return word(f"ui.printpanel.{key}", lang)


class PrintPanel(QFrame):
    """Preview and queue.

    Signals:
        retryRequested(str): manager wants the job (uuid) printed again.
        cancelRequested(str): manager wants the job cancelled.
        redirectRequested(str): manager wants the job sent to another printer.
        reprintRequested(): manager wants to reprint the badge of the person last shown.
        batchRequested(): manager opens batch printing.
        settingsRequested(): manager opens printer settings.
        previewRequested(): show the badge of the person last shown.
    """

    retryRequested = Signal(str)
    cancelRequested = Signal(str)
    redirectRequested = Signal(str)
    reprintRequested = Signal()
    batchRequested = Signal()
    settingsRequested = Signal()
    previewRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.language = "zh"
        self.tz = zone()
        self.jobs: list[PrintJobView] = []
        self.settings: PrintSettings | None = None
        self.has_person = False

        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        # A confirmation on screen (reprint queued / printed / failed), in the status line's
        # place so it takes no extra height; both languages, the UI's first; never a dialog
        # (the scanner keeps the keyboard). The whole text is in its tooltip.
        self.notice = ElidedLabel(min_px=120, mode=Qt.TextElideMode.ElideRight)
        self.notice.setObjectName("printNotice")
        self.notice.setVisible(False)
        self._notice: tuple[str, str, str] | None = None  # zh, en, kind
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self.clear_notice)
        # One line, cut in the middle when short of room (the whole text in its tooltip): two
        # wrapped lines here made the window too tall for a 1366×768 laptop with a taskbar.
        self.status = ElidedLabel(min_px=120, mode=Qt.TextElideMode.ElideMiddle)
        self.status.setObjectName("hint")
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(64, 90)
        self.preview.setMaximumWidth(130)
        self.preview.setStyleSheet("background: #ECEFF1; border-radius: 6px; color: #607D8B;")
        self.preview.setWordWrap(True)
        self.preview_caption = QLabel()
        self.preview_caption.setObjectName("hint")
        self.preview_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_caption.setMaximumWidth(130)

        self.table = QTableWidget(0, 4)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scanner keeps the keyboard
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setStyleSheet("QTableWidget { font-size: 14px; }")
        self.table.setMinimumHeight(56)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.buttons: dict[str, QPushButton] = {}
        for key in ("preview", "retry", "cancel", "redirect", "reprint", "batch", "settings"):
            b = QPushButton()
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            # Manager actions look different from the volunteer's, and say so when hovered.
            b.setStyleSheet("font-size: 13px; padding: 3px 8px;" + (
                " border: 1px dashed #8D6E63;" if key in MANAGER_KEYS else ""))
            self.buttons[key] = b
        # Batch printing and settings live in the Badges menu; the panel keeps to one row.
        self.buttons["batch"].setVisible(False)
        self.buttons["settings"].setVisible(False)

        left = QVBoxLayout()
        left.addWidget(self.preview, 1)
        left.addWidget(self.preview_caption)
        right = QVBoxLayout()
        right.addWidget(self.status)
        right.addWidget(self.notice)  # in the status line's place while it shows
        right.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.setSpacing(6)
        for key in ("preview", "retry", "cancel", "redirect", "reprint"):
            row.addWidget(self.buttons[key])
        row.addStretch(1)
        right.addLayout(row)
        body = QHBoxLayout()
        body.setSpacing(10)
        body.addLayout(left)
        body.addLayout(right, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(6)
        lay.addWidget(self.title)
        lay.addLayout(body, 1)
        self._connect_callbacks()
        self.retranslate()
        self._update_buttons()

    def _connect_callbacks(self) -> None:
        self.table.itemSelectionChanged.connect(self._update_buttons)
        b = self.buttons
        b["retry"].clicked.connect(lambda: self._emit_for_selected(self.retryRequested))
        b["cancel"].clicked.connect(lambda: self._emit_for_selected(self.cancelRequested))
        b["redirect"].clicked.connect(lambda: self._emit_for_selected(self.redirectRequested))
        b["reprint"].clicked.connect(self.reprintRequested.emit)
        b["batch"].clicked.connect(self.batchRequested.emit)
        b["settings"].clicked.connect(self.settingsRequested.emit)
        b["preview"].clicked.connect(self.previewRequested.emit)

    def _emit_for_selected(self, signal: SignalInstance) -> None:
        job = self.selected_job()
        if job is not None:
            signal.emit(job.uuid)

    def selected_job(self) -> PrintJobView | None:
        """The job whose row is selected."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        i = rows[0].row()
        return self.jobs[i] if 0 <= i < len(self.jobs) else None

    def _update_buttons(self) -> None:
        job = self.selected_job()
        state = job.state if job else ""
        self.buttons["retry"].setEnabled(state in (FAILED, CANCELLED, DONE))
        self.buttons["cancel"].setEnabled(state in (QUEUED, FAILED))
        self.buttons["redirect"].setEnabled(state in (QUEUED, FAILED, CANCELLED, DONE))
        self.buttons["reprint"].setEnabled(self.has_person)
        self.buttons["preview"].setEnabled(self.has_person)

    # -- data ------------------------------------------------------------------------------
    def set_jobs(self, jobs: list[PrintJobView]) -> None:
        """Show the queue, newest first; keeps the selected job selected."""
        keep = self.selected_job()
        self.jobs = list(jobs)
        self.table.setRowCount(len(self.jobs))
        for r, j in enumerate(self.jobs):
            zh, en = STATE_WORDS.get(j.state, (j.state, j.state))
            state = f"{STATE_MARK.get(j.state, '')} {zh if self.language == 'zh' else en}"
            info = j.error.splitlines()[0 if self.language == "zh" else -1] if j.error else \
                describe(j.printer)
            cells = [j.updated_at.astimezone(self.tz).strftime("%H:%M:%S"),
                     f"{j.name}  {j.registration_code}", state, info]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setForeground(QBrush(QColor(STATE_COLOUR.get(j.state, "#263238"))))
                if c == 3 and j.error:
                    item.setToolTip(j.error)
                    item.setForeground(QBrush(QColor("#C62828")))
                self.table.setItem(r, c, item)
            if keep is not None and j.uuid == keep.uuid:
                self.table.selectRow(r)
        self._update_buttons()

    def set_settings(self, settings: PrintSettings) -> None:
        """Show which printer is used and whether auto-print is on."""
        self.settings = settings
        self._update_status()

    def set_person(self, present: bool) -> None:
        """Whether a person is on screen (reprint and preview need one)."""
        self.has_person = present
        self._update_buttons()

    def show_preview(self, preview: Preview) -> None:
        """Show a rendered badge."""
        pix = QPixmap.fromImage(preview.image).scaled(
            self.preview.width() - 8, self.preview.height() - 8,
            Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pix)
        serial = f" · {preview.serial}" if preview.serial > 1 else ""
        # One line (the badge itself shows the name): a second line made the window too tall
        # for a 1366×768 laptop with a taskbar.
        self.preview_caption.setText(f"{preview.code}{serial}")
        self.preview_caption.setToolTip(f"{preview.name}\n{preview.code}{serial}")

    def show_notice(self, zh: str, en: str, kind: str = "ok") -> None:
        """Confirm something on screen for a while: kind "ok" (green), "busy" or "bad" (red)."""
        self._notice = (zh, en, kind)
        self._notice_timer.start()
        self._draw_notice()

    def clear_notice(self) -> None:
        """Take the confirmation away."""
        self._notice = None
        self._notice_timer.stop()
        self._draw_notice()

    @property
    def notice_text(self) -> str:
        """The confirmation shown now ("" when none)."""
        return self.notice.text() if self._notice is not None else ""

    def _draw_notice(self) -> None:
        if self._notice is None:
            self.notice.setText("")
            self.notice.setVisible(False)
            self.status.setVisible(True)
            return
        zh, en, kind = self._notice
        text = f"{zh} / {en}" if self.language == "zh" else f"{en} / {zh}"
        self.notice.setText(text)
        self.notice.setToolTip(f"{zh}\n{en}")
        self.notice.setStyleSheet(
            f"color: white; background: {NOTICE_COLOUR.get(kind, NOTICE_COLOUR['ok'])};"
            " font-size: 13px; font-weight: bold; border-radius: 4px; padding: 0px 6px;")
        self.status.setVisible(False)
        self.notice.setVisible(True)

    # -- language --------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        """Switch texts to "zh" or "en"."""
        self.language = lang
        self.retranslate()
        self.set_jobs(self.jobs)

    def _update_status(self) -> None:
        s = self.settings
        if s is None:
            self.status.setText("")
            return
        auto = words("auto_on" if s.auto_print else "auto_off", self.language)
        self.status.setText(f"{auto} · {describe(s.printer)}")

    def retranslate(self) -> None:
        """Re-read every text."""
        lang = self.language
        self.title.setText(words("title", lang))
        for key, b in self.buttons.items():
            b.setText(words(key, lang))
            b.setToolTip(words("manager_only", lang) if key in MANAGER_KEYS else "")
        self.table.setHorizontalHeaderLabels([words(k, lang) for k in
                                              ("col_time", "col_name", "col_state", "col_info")])
        if self.preview.pixmap() is None or self.preview.pixmap().isNull():
            self.preview.setText(words("no_preview", lang))
        self._update_status()
        self._draw_notice()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)
