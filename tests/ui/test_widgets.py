"""Small widgets: names that shrink instead of clipping, painted icons, bundled fonts."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontMetricsF, QRawFont
from pytestqt.qtbot import QtBot

from checkin_app.domain.verdicts import Severity, Verdict
from checkin_app.ui.fit_label import FitLabel
from checkin_app.ui.icons import Glyph, glyph_for, glyph_pixmap
from checkin_app.ui.style import CJK_FAMILY, LATIN_FAMILY


def test_long_name_shrinks_to_fit(qtbot: QtBot, app_fonts: list[str]) -> None:
    label = FitLabel(100, 14, bold=True)
    qtbot.addWidget(label)
    label.resize(500, label.height())
    long_name = "Maximiliano Alejandro Fernández de la Cruz y Montenegro"
    label.setText(long_name)
    assert label.fitted_px < 100
    f = QFont(label.font())
    f.setPixelSize(label.fitted_px)
    f.setBold(True)
    assert QFontMetricsF(f).horizontalAdvance(long_name) <= 500
    label.setText("王伟")
    assert label.fitted_px == 100


def test_too_long_name_wraps_instead_of_clipping(qtbot: QtBot, app_fonts: list[str]) -> None:
    label = FitLabel(60, 30)
    qtbot.addWidget(label)
    label.resize(200, label.height())
    one_line = label.height()
    label.setText("Đorđe Petrović-Njegoš Karađorđević Obrenović Nemanjić")
    assert label.fitted_px == 30
    assert label.height() > one_line - 1


def test_icons_are_painted(qtbot: QtBot) -> None:
    for glyph in Glyph:
        img = glyph_pixmap(glyph, "#000000", "#FFFFFF", 48).toImage()
        centre = QColor(img.pixel(img.width() // 2, img.height() // 2))
        assert img.width() == 48
        # The disc is opaque white and something dark is drawn on it.
        dark = sum(
            1 for x in range(0, 48, 2) for y in range(0, 48, 2)
            if QColor(img.pixel(x, y)).lightness() < 100 and QColor(img.pixel(x, y)).alpha())
        assert dark > 5, glyph
        assert centre.alpha() > 0
    assert glyph_for(Verdict.ADMIT, Severity.GREEN) is Glyph.CHECK
    assert glyph_for(Verdict.CANCELLED, Severity.RED) is Glyph.CROSS
    assert glyph_for(Verdict.ADMIT_WITH_ATTENTION, Severity.AMBER) is Glyph.ATTENTION


def test_bundled_fonts_cover_chinese_latin_and_cyrillic(app_fonts: list[str]) -> None:
    assert LATIN_FAMILY in app_fonts
    assert CJK_FAMILY in app_fonts
    cjk = QRawFont.fromFont(QFont(CJK_FAMILY))
    latin = QRawFont.fromFont(QFont(LATIN_FAMILY))
    assert all(cjk.supportsCharacter(ord(c)) for c in "王建国请扫描准许入场签到")
    assert all(latin.supportsCharacter(ord(c)) for c in "ĐorđePetrovićАлексей")
