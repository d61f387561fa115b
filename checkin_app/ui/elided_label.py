"""A one-line label that gives way when room is short: it elides its text and shows it all as a tooltip."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """Asks for its whole text but accepts `min_px` of text width; cut text ends in "…".

    Cut to fewer than `min_chars` characters, it shows nothing rather than a stub.

    A long name in a status bar then shortens itself instead of making the window wider than
    the screen. `text()` is the whole text; the tooltip is the explicit one set with
    `setToolTip`, or the whole text while it is cut.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, min_px: int = 60,
                 min_chars: int = 2,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(parent)
        self._full = ""
        self._tip = ""
        self._min_px = min_px
        self._min_chars = min_chars
        self._mode = mode
        self.setText(text)

    # -- the text ----------------------------------------------------------------------------
    def text(self) -> str:
        """The whole text, however much of it shows."""
        return self._full

    def shown_text(self) -> str:
        """What is drawn now (ends in "…" when cut)."""
        return super().text()

    def is_elided(self) -> bool:
        """True while part of the text is cut off."""
        return self.shown_text() != self._full

    def setText(self, text: str) -> None:
        """Replace the whole text."""
        self._full = text
        self._elide()
        self.updateGeometry()

    def setToolTip(self, tip: str) -> None:
        """A tooltip shown whether or not the text is cut (it replaces the whole-text one)."""
        self._tip = tip
        self._update_tip()

    def set_min_px(self, px: int) -> None:
        """How narrow the text may get before the label stops giving way."""
        self._min_px = px
        self.updateGeometry()

    # -- sizes -------------------------------------------------------------------------------
    def _chrome(self) -> int:
        """Width around the text: margins, padding, indent."""
        return max(0, super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self.shown_text()))

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self._chrome() + self.fontMetrics().horizontalAdvance(self._full), hint.height())

    def minimumSizeHint(self) -> QSize:
        full = self.sizeHint()
        return QSize(min(full.width(), self._chrome() + self._min_px), full.height())

    # -- eliding -----------------------------------------------------------------------------
    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self._full
        if self.fontMetrics().horizontalAdvance(self._full) > width:
            shown = self.fontMetrics().elidedText(self._full, self._mode, max(width, 0))
            if len(shown.strip("… ")) < self._min_chars:
                shown = ""  # a lone "…" or a few letters say nothing; the tooltip has it
        if shown != self.shown_text():
            super().setText(shown)
        self._update_tip()

    def _update_tip(self) -> None:
        super().setToolTip(self._tip or (self._full if self.is_elided() else ""))

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._elide()

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        # A style sheet applied later changes the font or the padding: measure again.
        if e.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elide()
            self.updateGeometry()
