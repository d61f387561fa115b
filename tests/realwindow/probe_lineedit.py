"""A plain QLineEdit window (the IME control): logs its text as JSON lines to argv[1].

Run as a script with the project's Python: `python probe_lineedit.py OUT.jsonl`.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit

TITLE = "rw-ime-probe"


def main() -> int:
    out = open(sys.argv[1], "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives as long as the app)

    def log(ev: str, **fields: object) -> None:
        out.write(json.dumps({"ev": ev, "t": time.time(), **fields}, ensure_ascii=False) + "\n")

    app = QApplication(sys.argv[:1])
    edit = QLineEdit()
    edit.setWindowTitle(TITLE)
    edit.resize(420, 48)
    edit.textChanged.connect(lambda text: log("text", text=text))
    edit.returnPressed.connect(lambda: log("return", text=edit.text()))
    edit.show()
    edit.activateWindow()
    edit.setFocus()

    def check_focus() -> None:
        if edit.hasFocus():
            log("focus", platform=QGuiApplication.platformName(),
                im_visible=QGuiApplication.inputMethod().isVisible())
            timer.stop()

    timer = QTimer()
    timer.timeout.connect(check_focus)
    timer.start(50)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
