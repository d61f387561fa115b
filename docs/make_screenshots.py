"""Take the README screenshots of the desk from the real window (run it under Xvfb).

Usage: Xvfb :99 &  DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_screenshots.py
Environment: SHOT_W/SHOT_H (window size), SHOT_LANG (zh|en), SHOT_SAMPLE (demo sample label),
SHOT_OUT (folder), SHOT_1..SHOT_4 (file names), SHOT_SEARCH (search text).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from checkin_app.domain.clock import OffsetClock  # noqa: E402
from checkin_app.domain.types import ScanResult  # noqa: E402
from checkin_app.services.badges import BadgeService  # noqa: E402
from checkin_app.services.catalog import CatalogService  # noqa: E402
from checkin_app.services.demo import build_demo  # noqa: E402
from checkin_app.storage.db import Database  # noqa: E402
from checkin_app.ui.app import apply_app_font, load_fonts  # noqa: E402
from checkin_app.ui.desk_services import DeskServices  # noqa: E402
from checkin_app.ui.main_window import MainWindow  # noqa: E402


def main() -> None:
    """Build a small demo, scan a few people, grab the window three times."""
    width, height = int(os.environ.get("SHOT_W", 1366)), int(os.environ.get("SHOT_H", 768))
    out = Path(os.environ.get("SHOT_OUT", str(ROOT / "docs" / "screenshots")))
    tmp = Path(tempfile.mkdtemp())
    db = Database(tmp / "demo.sqlite3")
    summary = build_demo(db, size=2000, seed=7)
    clock = OffsetClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    CatalogService(db, clock).save_settings(
        desk_name="A厅 3号台", activity_code="MAIN", language=os.environ.get("SHOT_LANG", "zh")
    )
    BadgeService(db, clock).save_settings(desk="A厅 3号台", operator="setup",
                                          printer=f"folder:{tmp / 'badges'}")
    app = QApplication(sys.argv)
    apply_app_font(app, load_fonts())
    w = MainWindow(DeskServices.from_db(db, clock))
    w.resize(width, height)
    code = summary.samples[os.environ.get("SHOT_SAMPLE", "attendee")]

    def later(ms: int, fn: Callable[[], object]) -> None:
        QTimer.singleShot(ms, fn)

    def shot(name: str) -> None:
        app.processEvents()
        w.grab().save(str(out / name))
        print("saved", out / name)

    def scan(text: str) -> None:
        w.scan_field.setText(text)
        w.scan_field._finish()

    def search_name() -> None:
        w.focus_search()
        ev = QInputMethodEvent()
        ev.setCommitString(os.environ.get("SHOT_SEARCH", "王"))  # as an input method types it
        QApplication.sendEvent(w.search.field, ev)

    seen = {"n": 0}

    def on_result(r: ScanResult) -> None:
        if r.code != code.upper():
            return
        seen["n"] += 1
        if seen["n"] == 1:
            later(400, lambda: (shot(os.environ.get("SHOT_1", "scan-admit.png")), scan(code)))
        elif seen["n"] == 2:
            later(400, lambda: (shot(os.environ.get("SHOT_2", "scan-already-in.png")), search_name()))
            later(1800, lambda: (shot(os.environ.get("SHOT_3", "search.png")), show_badges()))
            later(4000, lambda: (shot(os.environ.get("SHOT_4", "print-queue.png")), app.quit()))

    def show_badges() -> None:
        w.search.field.clear()
        w.focus_scanner()
        w.lower_tabs.setCurrentIndex(1)

    w.controller.scanFinished.connect(on_result)

    def go() -> None:
        # A few earlier scans so the recent list and counts look like a working desk.
        for label in ("VIP", "serbian_latin", "cancelled", "korean", "competitor"):
            scan(summary.samples[label])
        scan(code)

    w.readyToScan.connect(lambda: later(300, go))
    later(0, w.start)
    app.exec()
    w.shutdown()
    db.close()


if __name__ == "__main__":
    main()
