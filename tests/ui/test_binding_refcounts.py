"""The Qt bindings keep Python's reference counts: a long day of scans must not abort the desk."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

# PySide6 6.12.0 on CPython 3.11 dropped one reference to None with every binding call that
# returns nothing (and to True/False with some that return them); the desk started with about
# 65,000 references to None, each scan cost about 420, and the process aborted ("none_dealloc")
# after about 150 scans. Immortal objects (3.12+) only hide it, so count on any Python.
CALLS = 5_000


def _drift(calls: int, fn: object) -> tuple[int, int, int]:
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(calls):
        fn()  # type: ignore[operator]
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    return after[0] - before[0], after[1] - before[1], after[2] - before[2]


def test_calls_that_return_nothing_keep_none(qtbot: QtBot) -> None:
    w = QWidget()
    qtbot.addWidget(w)
    label = QLabel("x")
    qtbot.addWidget(label)
    for fn in (w.update, lambda: w.setToolTip("t"), lambda: label.setText("张伟 Zhang Wei"),
               lambda: w.setObjectName("n")):
        d_none, _, _ = _drift(CALLS, fn)
        # A few references may come and go with caches; a leak is one per call.
        assert abs(d_none) < CALLS // 10, (fn, d_none)


def test_calls_that_return_booleans_keep_true_and_false(qtbot: QtBot) -> None:
    w = QWidget()
    qtbot.addWidget(w)
    _, d_true, d_false = _drift(CALLS, w.isVisible)
    assert abs(d_false) < CALLS // 10 and abs(d_true) < CALLS // 10, (d_true, d_false)
    _, d_true, d_false = _drift(CALLS, w.isEnabled)
    assert abs(d_false) < CALLS // 10 and abs(d_true) < CALLS // 10, (d_true, d_false)


def test_a_long_run_of_widget_calls_does_not_abort_the_process() -> None:
    """What the desk does in a day, compressed: the process must end normally."""
    code = textwrap.dedent("""
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        label = QLabel()
        for i in range(200_000):
            label.setText(str(i))
            label.update()
        print("done")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0 and "done" in proc.stdout, proc.stderr[-2000:]
