"""Attendance counts for the current activity: checked in of registered, inside now, capacity."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from checkin_app.domain.types import ActivityStats


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

    def retranslate(self) -> None:
        """Re-read every translatable text."""
        self.title.setText(self.tr("Attendance"))
        self.checked_in.caption.setText(self.tr("checked in / registered"))
        self.inside.caption.setText(self.tr("inside now"))
        self.capacity.caption.setText(self.tr("capacity"))
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
