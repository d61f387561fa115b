"""Verdict icons painted with QPainter, so they never depend on a font having the glyph."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from checkin_app.domain.verdicts import Severity, Verdict


class Glyph(StrEnum):
    """The shapes the desk draws."""

    CHECK = "check"
    ATTENTION = "attention"
    CROSS = "cross"
    SCAN = "scan"
    WAIT = "wait"
    ERROR = "error"
    UNDO = "undo"
    EXIT = "exit"  # an open door with an arrow leaving it: a recorded exit


def glyph_for(verdict: Verdict | str, severity: Severity) -> Glyph:
    """Tick for green, exclamation for amber, cross for red."""
    if verdict == "UNDO":
        return Glyph.UNDO
    if severity is Severity.GREEN:
        return Glyph.CHECK
    if severity is Severity.AMBER:
        return Glyph.ATTENTION
    return Glyph.CROSS


def paint_glyph(p: QPainter, rect: QRectF, glyph: Glyph, colour: QColor,
                disc: QColor | None = None) -> None:
    """Draw `glyph` inside `rect`: a filled disc (when given) with the symbol in `colour`."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    side = min(rect.width(), rect.height())
    r = QRectF(0, 0, side, side)
    r.moveCenter(rect.center())
    if disc is not None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(disc)
        p.drawEllipse(r)
    w = side * (0.09 if glyph is Glyph.EXIT else 0.11)
    pen = QPen(colour, w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    x, y, s = r.x(), r.y(), side

    def pt(fx: float, fy: float) -> QPointF:
        return QPointF(x + fx * s, y + fy * s)

    if glyph is Glyph.CHECK:
        path = QPainterPath(pt(0.27, 0.52))
        path.lineTo(pt(0.44, 0.69))
        path.lineTo(pt(0.74, 0.34))
        p.drawPath(path)
    elif glyph is Glyph.CROSS:
        p.drawLine(pt(0.32, 0.32), pt(0.68, 0.68))
        p.drawLine(pt(0.68, 0.32), pt(0.32, 0.68))
    elif glyph in (Glyph.ATTENTION, Glyph.ERROR):
        p.drawLine(pt(0.5, 0.24), pt(0.5, 0.58))
        p.setBrush(colour)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(pt(0.5, 0.74), w * 0.75, w * 0.75)
    elif glyph is Glyph.SCAN:
        # Four corner brackets and a beam: the universal "scan here" sign.
        a, b = 0.26, 0.74
        k = 0.14
        for cx, cy, dx, dy in ((a, a, 1, 1), (b, a, -1, 1), (a, b, 1, -1), (b, b, -1, -1)):
            p.drawLine(pt(cx, cy), pt(cx + dx * k, cy))
            p.drawLine(pt(cx, cy), pt(cx, cy + dy * k))
        p.drawLine(pt(0.34, 0.5), pt(0.66, 0.5))
    elif glyph is Glyph.WAIT:
        p.drawArc(QRectF(pt(0.28, 0.28), pt(0.72, 0.72)), 90 * 16, -270 * 16)
    elif glyph is Glyph.EXIT:
        door = QPainterPath(pt(0.50, 0.27))
        for fx, fy in ((0.27, 0.27), (0.27, 0.73), (0.50, 0.73)):
            door.lineTo(pt(fx, fy))
        p.drawPath(door)
        p.drawLine(pt(0.40, 0.50), pt(0.77, 0.50))
        head = QPainterPath(pt(0.64, 0.36))
        head.lineTo(pt(0.78, 0.50))
        head.lineTo(pt(0.64, 0.64))
        p.drawPath(head)
    elif glyph is Glyph.UNDO:
        p.drawArc(QRectF(pt(0.3, 0.3), pt(0.7, 0.7)), 90 * 16, -250 * 16)
        path = QPainterPath(pt(0.5, 0.2))
        path.lineTo(pt(0.38, 0.3))
        path.lineTo(pt(0.5, 0.4))
        p.drawPath(path)
    p.restore()


def glyph_pixmap(glyph: Glyph, colour: str, disc: str | None, size: int, dpr: float = 1.0
                 ) -> QPixmap:
    """A transparent pixmap with one glyph, for lists and buttons."""
    pm = QPixmap(int(size * dpr), int(size * dpr))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    paint_glyph(p, QRectF(0, 0, size, size), glyph, QColor(colour),
                QColor(disc) if disc else None)
    p.end()
    return pm


def glyph_icon(glyph: Glyph, colour: str, disc: str | None = None, size: int = 32) -> QIcon:
    """A QIcon with one glyph."""
    return QIcon(glyph_pixmap(glyph, colour, disc, size, 2.0))
