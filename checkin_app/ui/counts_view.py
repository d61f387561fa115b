"""Attendance counts for the current activity: checked in of registered, inside now, capacity."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from checkin_app.domain.types import ActivityStats
from checkin_app.ui.texts import word


class _Figure(QWidget):
    """A big number with a small caption under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size: 30px; font-weight: bold; color: #102027;")
        self.caption = QLabel()
        self.caption.setObjectName("hint")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.value)
        lay.addWidget(self.caption)


class CountsPanel(QFrame):
    """Shows one ActivityStats. Signals: none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.stats: ActivityStats | None = None
        self.language = "zh"
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.checked_in = _Figure()
        self.inside = _Figure()
        self.capacity = _Figure()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setStyleSheet(
            "QProgressBar { background: #ECEFF1; border: none; border-radius: 5px; }"
            "QProgressBar::chunk { background: #1B7F3A; border-radius: 5px; }")
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.addWidget(self.checked_in, 0, 0)
        grid.addWidget(self.inside, 0, 1)
        grid.addWidget(self.capacity, 0, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(6)
        lay.addWidget(self.title)
        lay.addLayout(grid)
        lay.addWidget(self.bar)
        self.retranslate()

    def set_stats(self, stats: ActivityStats | None) -> None:
        """Show new counts (None: nothing loaded yet)."""
        self.stats = stats
        self._fill()

    def set_language(self, lang: str) -> None:
        """Captions in `lang` ("zh" or "en")."""
        self.language = lang
        self.retranslate()

    def retranslate(self) -> None:
        """Every caption in the panel's language (one language: the figures need the room)."""
        lang = self.language
        self.title.setText(word("ui.counts.title", lang))
        self.checked_in.caption.setText(word("ui.counts.checked_in", lang))
        self.inside.caption.setText(word("ui.counts.inside", lang))
        self.capacity.caption.setText(word("ui.counts.capacity", lang))
        self._fill()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(e)

    def _fill(self) -> None:
        s = self.stats
        if s is None:
            for f in (self.checked_in, self.inside, self.capacity):
                f.value.setText("—")
            self.bar.setValue(0)
            return
        self.checked_in.value.setText(f"{s.checked_in:,} / {s.registered:,}")
        self.inside.value.setText(f"{s.inside_now:,}")
        self.capacity.value.setText(f"{s.capacity:,}" if s.capacity is not None else "—")
        # No capacity (the main entrance): say nothing rather than a dash that looks like zero.
        self.capacity.setVisible(s.capacity is not None)
        full = s.capacity if s.capacity else max(s.registered, 1)
        used = s.inside_now if s.capacity else s.checked_in
        self.bar.setMaximum(max(full, 1))
        self.bar.setValue(min(used, full))
        self.bar.setToolTip(f"{used:,} / {full:,}")
        self.checked_in.value.setAlignment(Qt.AlignmentFlag.AlignLeft)
