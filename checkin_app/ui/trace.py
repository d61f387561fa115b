"""What the desk window did, one JSON line each, for tests and benchmarks that drive the real window.

Set CHECKIN_TRACE to a file path; without it nothing is written and nothing is installed. The
lines are {"ev": "ready"}, {"ev": "scan", "code", "source"}, {"ev": "verdict", "verdict",
"delegate_id", "registration_code", "direction"}, {"ev": "ime_warning", "source"},
{"ev": "focus", "widget"} — each with "t", seconds since the epoch — and, for the throughput
benchmark (bench/bench_realwindow.py):

- {"ev": "key", "xt", "mono"}: the first key press of a burst (the first after a verdict was
  painted, or after 0.5 s without keys): "xt" is the key event's own timestamp (QKeyEvent
  .timestamp(): the X server's time in ms, which on Linux is CLOCK_MONOTONIC), "mono" is
  time.monotonic() in ms when Qt delivered it, so the two clocks can be compared.
- {"ev": "painted", "state", "code", "paint", "flushed"}: a new verdict (or error) reached the
  screen: "paint" is time.monotonic() in ms when the panel's paint event arrived, "flushed" when
  the event loop came back from that repaint (the window's backing store was flushed to X).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

TRACE_ENV = "CHECKIN_TRACE"
BURST_GAP_MS = 500  # keys further apart than this are a new burst (a scanner types in ms)

# What a watched widget shows now: (an object that changes with each new verdict, fields), or None.
Shown = Callable[[], "tuple[object, dict[str, Any]] | None"]


class Trace:
    """Appends events to the trace file named by CHECKIN_TRACE (a no-op when unset)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path if path is not None else os.environ.get(TRACE_ENV, "")

    @property
    def enabled(self) -> bool:
        """Whether events are written."""
        return bool(self.path)

    def emit(self, ev: str, **fields: Any) -> None:
        """Write one event line (small, appended and flushed: a test reads it while we run)."""
        if not self.path:
            return
        line = json.dumps({"ev": ev, "t": round(time.time(), 3), **fields}, ensure_ascii=False,
                          default=str)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def mono_ms() -> float:
    """time.monotonic() in ms: the clock the X server stamps its events with (Linux)."""
    return time.monotonic() * 1000.0


def watch_paint(widget: Any, shown: Shown, trace: Trace | None = None) -> None:
    """Trace when what `widget` shows (per `shown`) is first painted, and the first key of each
    burst application-wide. Does nothing (installs nothing) unless CHECKIN_TRACE is set."""
    trace = trace or Trace()
    if not trace.enabled:
        return
    _PaintKeyTrace.get(trace).watch(widget, shown)


class _PaintKeyTrace:
    """One application-wide event filter: key presses and paints of the watched widgets."""

    _instance: _PaintKeyTrace | None = None

    @classmethod
    def get(cls, trace: Trace) -> _PaintKeyTrace:
        if cls._instance is None:
            cls._instance = cls(trace)
        return cls._instance

    def __init__(self, trace: Trace) -> None:
        # Qt only here: this module's Trace is used where no QApplication exists.
        from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
        from PySide6.QtGui import QKeyEvent

        self.trace = trace
        self.armed = True
        self.last_key_xt = -1
        self.last_shown: dict[int, object] = {}
        self.watched: dict[int, Shown] = {}
        owner = self
        key_press, paint = QEvent.Type.KeyPress, QEvent.Type.Paint

        class Filter(QObject):
            def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
                t = ev.type()
                if t == key_press and isinstance(ev, QKeyEvent):
                    owner.on_key(ev.timestamp())
                elif t == paint:
                    shown = owner.watched.get(id(obj))
                    if shown is not None:
                        owner.on_paint(id(obj), shown)
                return False

        self._single_shot = QTimer.singleShot
        self.filter = Filter()
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self.filter)

    def watch(self, widget: Any, shown: Shown) -> None:
        self.watched[id(widget)] = shown
        widget.destroyed.connect(lambda *_: self.watched.pop(id(widget), None))

    def on_key(self, xt: int) -> None:
        if xt == self.last_key_xt:
            return  # the same press delivered again (window, then widget)
        gap = (xt - self.last_key_xt) % 2**32 if self.last_key_xt >= 0 else BURST_GAP_MS + 1
        self.last_key_xt = xt
        if self.armed or gap > BURST_GAP_MS:
            self.armed = False
            self.trace.emit("key", xt=xt, mono=round(mono_ms(), 3))

    def on_paint(self, key: int, shown: Shown) -> None:
        now = shown()
        if now is None or now[0] is self.last_shown.get(key):
            return
        self.last_shown[key] = now[0]
        painted = mono_ms()
        fields = now[1]
        self.armed = True

        def flushed() -> None:
            self.trace.emit("painted", paint=round(painted, 3), flushed=round(mono_ms(), 3),
                            **fields)

        # A zero timer runs once the event loop is back from this repaint, i.e. after every
        # child was painted and the window's backing store went to the X server.
        self._single_shot(0, flushed)
