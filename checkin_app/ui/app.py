"""Start the desk GUI: application, bundled fonts, translator, set-up, main window."""

from __future__ import annotations

import os
import sys
import time

# Taken at import, as early as the GUI code can; CHECKIN_T0_NS (from a launcher) is earlier.
_IMPORTED_NS = time.time_ns()

from PySide6.QtCore import QByteArray, QSettings, QTimer  # noqa: E402
from PySide6.QtGui import QFont, QFontDatabase  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402

from checkin_app.desk import DeskCore  # noqa: E402
from checkin_app.paths import fonts_dir  # noqa: E402
from checkin_app.ui import style  # noqa: E402
from checkin_app.ui.main_window import MainWindow  # noqa: E402
from checkin_app.ui.texts import word  # noqa: E402

EXIT_WHEN_READY = "CHECKIN_EXIT_WHEN_READY"
T0_ENV = "CHECKIN_T0_NS"
GEOMETRY_KEY = "window/geometry"


def load_fonts() -> list[str]:
    """Register every bundled font; returns the families Qt now knows from them."""
    families: list[str] = []
    folder = fonts_dir()
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def apply_app_font(app: QApplication, families: list[str]) -> None:
    """Noto Sans for Latin and Cyrillic, WenQuanYi Micro Hei for Chinese, whatever the OS has."""
    chosen = [f for f in style.FAMILIES if f in families] or families
    font = QFont(app.font())
    if chosen:
        font.setFamilies(chosen)
    font.setPointSize(11)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    app.setFont(font)


def _ready_ms() -> float:
    start = int(os.environ.get(T0_ENV, "0") or 0) or _IMPORTED_NS
    return (time.time_ns() - start) / 1e6


def run_gui(core: DeskCore, argv: list[str] | None = None,
            recovered: tuple[str, str] | None = None) -> int:
    """Run the desk on its core until the window closes; returns the process exit code.

    `recovered`: (one line, full text) of a damaged database replaced at open, shown in the
    status bar for the whole session in both languages (services.recovery words it).
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        argv if argv is not None else sys.argv)
    app.setApplicationName("checkin-desk")
    app.setApplicationDisplayName(word("ui.window.app_name", "zh"))
    apply_app_font(app, load_fonts())

    window = MainWindow(core)
    if recovered is not None:
        notice = QLabel(recovered[0])
        notice.setObjectName("recovered")
        notice.setToolTip(recovered[1])
        window.statusBar().addWidget(notice)
    # The first start shows the set-up dialog before the desk window: closing that dialog
    # closes the only window there is, and Qt's default would end the app right there (it
    # did: the first start quit). The app ends when the desk window closes, or set-up is
    # cancelled.
    app.setQuitOnLastWindowClosed(False)
    window.setupCancelled.connect(app.quit)
    window.closed.connect(app.quit)
    settings = QSettings("checkin-desk", "desk-window")
    saved = settings.value(GEOMETRY_KEY)
    if not (isinstance(saved, QByteArray) and window.restoreGeometry(saved)):
        window.fit_to_screen()
    window.readyToScan.connect(lambda: QTimer.singleShot(300, window.place_on_screen))
    if os.environ.get(EXIT_WHEN_READY):
        def on_ready() -> None:
            focused = window.scan_field.hasFocus()
            print(f"READY {_ready_ms():.1f} ms focus={int(focused)}", flush=True)
            QTimer.singleShot(0, window.close)

        window.readyToScan.connect(on_ready)
    QTimer.singleShot(0, window.start)
    code = app.exec()
    if window.is_ready and not os.environ.get(EXIT_WHEN_READY):  # size and state, for next time
        settings.setValue(GEOMETRY_KEY, window.saveGeometry())
        settings.sync()
    window.shutdown()
    return int(code)
