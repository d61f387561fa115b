"""A one-line label that shrinks its font until the whole text fits: names never clip."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class FitLabel(QWidget):
    """Draws text at `max_px`, or smaller (down to `min_px`, then wrapped) so nothing is cut off."""

    def __init__(self, max_px: int, min_px: int = 14, *, bold: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._max_px = max_px
        self._min_px = min_px
        self._bold = bold
        self._colour = QColor("#000000")
        self._align = Qt.AlignmentFlag.AlignLeft
        self._fitted_px = max_px
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self._line_height(max_px))

    def text(self) -> str:
        """The full text (for tests and accessibility)."""
        return self._text

    def setText(self, text: str) -> None:
        """Replace the text and refit."""
        self._text = text
        self.setAccessibleName(text)
        self.setVisible(bool(text))
        self._refit()

    def set_max_px(self, px: int) -> None:
        """Change the largest size (the panel scales its type with its height)."""
        self._max_px = max(px, self._min_px)
        self._refit()

    def set_colour(self, colour: str) -> None:
        """Text colour."""
        self._colour = QColor(colour)
        self.update()

    @property
    def fitted_px(self) -> int:
        """The pixel size the text is drawn at now."""
        return self._fitted_px

    def _font(self, px: int) -> QFont:
        f = QFont(self.font())
        f.setPixelSize(px)
        f.setBold(self._bold)
        return f

    def _line_height(self, px: int) -> int:
        return int(QFontMetricsF(self._font(px)).height() + 2)

    def _refit(self) -> None:
        width = max(1.0, float(self.width()))
        px = self._max_px
        while px > self._min_px and QFontMetricsF(self._font(px)).horizontalAdvance(
            self._text
        ) > width:
            px -= 2 if px > 40 else 1
        self._fitted_px = px
        fm = QFontMetricsF(self._font(px))
        if fm.horizontalAdvance(self._text) > width:
            # Even the smallest size is too wide: wrap instead of clipping.
            lines = fm.boundingRect(QRectF(0, 0, width, 10000),
                                    int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere),
                                    self._text).height()
            self.setFixedHeight(max(self._line_height(self._max_px), int(lines) + 2))
        else:
            self.setFixedHeight(self._line_height(self._max_px))
        self.update()

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        if e.oldSize().width() != e.size().width():
            self._refit()

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setFont(self._font(self._fitted_px))
        p.setPen(self._colour)
        flags = int(self._align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
                    | Qt.TextFlag.TextWrapAnywhere)
        p.drawText(QRectF(self.rect()), flags, self._text)
        p.end()
