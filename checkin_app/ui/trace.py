"""What the desk window did, one JSON line each, for tests that drive the real window.

Set CHECKIN_TRACE to a file path; without it nothing is written. The lines are
{"ev": "ready"}, {"ev": "scan", "code", "source"}, {"ev": "verdict", "verdict",
"delegate_id", "registration_code", "direction"}, {"ev": "ime_warning", "source"},
{"ev": "focus", "widget"} — each with "t", seconds since the epoch.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

TRACE_ENV = "CHECKIN_TRACE"


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
