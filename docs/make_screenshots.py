"""Take the README screenshots of the desk from the real window (run it under Xvfb).

Usage: Xvfb :99 &  DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/make_screenshots.py
Environment: SHOT_W/SHOT_H (window size), SHOT_LANG (zh|en), SHOT_SAMPLE (demo sample label),
SHOT_OUT (folder), SHOT_1..SHOT_6 (file names), SHOT_SEARCH (search text), SHOT_SYNC=0 (skip the
hub: no shots 5 and 6). scan-admit-en-1080p.png is shot 1 of a run with SHOT_W=1920 SHOT_H=1080
SHOT_LANG=en SHOT_SAMPLE=serbian_cyrillic SHOT_SYNC=0 SHOT_OUT=<a scratch folder>.

Shots 5 and 6 come from a real hub on loopback (`checkin-app hub` in a child process) and two
more desks driven from here: the conflicts tab with flagged admissions and a refusal, then the
status bar online (Chinese) and, with the hub stopped and a scan queued, offline (English).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from PySide6.QtCore import QRect, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QImage, QInputMethodEvent, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import select  # noqa: E402

from checkin_app.demo.build import build_demo  # noqa: E402
from checkin_app.desk import DeskCore  # noqa: E402
from checkin_app.domain.clock import FixedClock, OffsetClock  # noqa: E402
from checkin_app.domain.types import ScanResult  # noqa: E402
from checkin_app.hub.db import HubDatabase  # noqa: E402
from checkin_app.hub.store import HubStore  # noqa: E402
from checkin_app.hub.tls import ensure_certificate  # noqa: E402
from checkin_app.services.badges import BadgeService  # noqa: E402
from checkin_app.services.catalog import CatalogService  # noqa: E402
from checkin_app.services.checkin import CheckInService  # noqa: E402
from checkin_app.storage import models as m  # noqa: E402
from checkin_app.storage.db import Database  # noqa: E402
from checkin_app.sync.client import DeskSync  # noqa: E402
from checkin_app.sync.protocol import H_PROTOCOL, PROTOCOL_VERSION, EnrolmentCode  # noqa: E402
from checkin_app.ui.app import apply_app_font, load_fonts  # noqa: E402
from checkin_app.ui.main_window import MainWindow  # noqa: E402

DESK = "A厅 3号台"
SIZE, SEED = 2000, 7
TZ = ZoneInfo("Asia/Shanghai")


class Hub:
    """`checkin-app hub` on loopback in a child process, over a demo database built here."""

    def __init__(self, tmp: Path) -> None:
        self.path = tmp / "hub.sqlite3"
        self.db = HubDatabase(self.path)
        build_demo(cast(Database, self.db), size=SIZE, seed=SEED)  # the same event as the desk
        self.store = HubStore(self.db)
        self.store.refresh()
        self.tls = tmp / "tls"
        self.fingerprint = ensure_certificate(self.tls).fingerprint
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"https://127.0.0.1:{self.port}"
        self.log = tmp / "hub.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "checkin_app", "hub", "--db", str(self.path),
                 "--host", "127.0.0.1", "--port", str(self.port), "--tls-dir", str(self.tls),
                 "--public-url", self.url],
                stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT),
                env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace")[-2000:])
            try:
                if httpx.get(self.url + "/api/v1/hello", verify=False, timeout=1.0,
                             headers={H_PROTOCOL: str(PROTOCOL_VERSION)}).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the hub did not start")

    def code(self, desk: str) -> str:
        """A one-time enrolment code, as the hub's page shows it."""
        return EnrolmentCode(self.url, self.store.create_enrolment(desk), self.fingerprint,
                             desk).encode()

    def stop_process(self) -> None:
        """Stop serving (as when the hub laptop goes away); the database stays readable here."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)

    def close(self) -> None:
        self.stop_process()
        self.db.close()


def main() -> None:
    """Build a small demo, scan a few people, grab the window; then the same desk with a hub."""
    width, height = int(os.environ.get("SHOT_W", 1366)), int(os.environ.get("SHOT_H", 768))
    out = Path(os.environ.get("SHOT_OUT", str(ROOT / "docs" / "screenshots")))
    tmp = Path(tempfile.mkdtemp())
    db = Database(tmp / "demo.sqlite3")
    summary = build_demo(db, size=SIZE, seed=SEED)
    hub = Hub(tmp) if os.environ.get("SHOT_SYNC", "1") != "0" else None
    if hub is not None:
        hub.start()
    clock = OffsetClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    CatalogService(db, clock).save_settings(
        desk_name=DESK, activity_code="MAIN", language=os.environ.get("SHOT_LANG", "zh")
    )
    BadgeService(db, clock).save_settings(desk=DESK, operator="setup",
                                          printer=f"folder:{tmp / 'badges'}")
    app = QApplication(sys.argv)
    apply_app_font(app, load_fonts())
    w = MainWindow(DeskCore(db, clock))
    w.resize(width, height)
    code = summary.samples[os.environ.get("SHOT_SAMPLE", "attendee")]

    def later(ms: int, fn: Callable[[], object]) -> None:
        QTimer.singleShot(ms, fn)

    def shot_then(ms: int, key: str, default: str, step: Callable[[], None]) -> None:
        """In `ms`, save the window as $`key` (or `default`), then do the next step."""
        def run() -> None:
            shot_window(app, w, out / os.environ.get(key, default))
            step()

        later(ms, run)

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
            shot_then(400, "SHOT_1", "scan-admit.png", lambda: scan(code))
        elif seen["n"] == 2:
            shot_then(400, "SHOT_2", "scan-already-in.png", search_name)
            shot_then(1800, "SHOT_3", "search.png", show_badges)
            shot_then(4000, "SHOT_4", "print-queue.png", with_hub)

    def show_badges() -> None:
        w.search.field.clear()
        w.focus_scanner()
        w.lower_tabs.setCurrentIndex(1)

    def with_hub() -> None:
        if hub is not None:
            sync_shots(app, w, hub, tmp, out, summary.samples)
        app.quit()

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
    if hub is not None:
        hub.close()


def wait_until(app: QApplication, done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Keep the window running until `done()`; the script's steps read top to bottom."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def sync_shots(app: QApplication, w: MainWindow, hub: Hub, tmp: Path, out: Path,
               samples: dict[str, str]) -> None:
    """Shots 5 and 6: the conflicts tab, and the status bar online and offline."""
    assert w.sync is not None
    bridge, conflicts, label = w.sync.bridge, w.conflicts, w.sync.label
    w.switch_activity("OPENING")  # single entry: where two offline desks can both admit someone
    wait_until(app, lambda: w.controller.activity_code == "OPENING", "the activity")
    enrolled: list[str] = []
    bridge.enrolled.connect(enrolled.append)
    bridge.enrol(hub.code(DESK))
    wait_until(app, lambda: bool(enrolled) and label.status is not None and label.status.online
               and label.status.pending == 0, "enrolment and the first sync")
    # This laptop's clock is a minute and a half fast: the hub says so with every sync (the
    # desk has its sync client once enrolled).
    assert bridge.sync is not None
    bridge.sync.clock = OffsetClock(datetime.now(UTC) + timedelta(seconds=95))

    def desk(name: str) -> tuple[Database, DeskSync]:
        ddb = Database(tmp / f"{name}.sqlite3")
        sync = DeskSync(ddb)
        sync.enrol(hub.code(name))
        sync.sync_once()
        return ddb, sync

    def admit(ddb: Database, name: str, code: str, minute: int) -> None:
        at = datetime(2024, 11, 23, 9, minute, tzinfo=TZ)
        r = CheckInService(ddb, FixedClock(at)).scan(code, activity_code="OPENING", desk=name)
        assert r.event is not None, r.verdict

    talent, intl = samples["talent"], samples["intl_org"]
    # Hall B lost the network before the doors opened and admitted two people at 09:20.
    b_db, b = desk("B厅 1号台")
    admit(b_db, "B厅 1号台", talent, 20)
    admit(b_db, "B厅 1号台", intl, 20)
    # Online, this desk admits one of them again (pushed at once) …
    results: list[ScanResult] = []
    w.controller.scanFinished.connect(results.append)

    def scan(code: str) -> ScanResult:
        n = len(results)
        w.scan_field.setText(code)
        w.scan_field._finish()
        wait_until(app, lambda: len(results) > n, f"the scan of {code}")
        return results[-1]

    assert scan(talent).event is not None
    wait_until(app, lambda: label.status is not None and label.status.pending == 0, "the push")
    # … and Hall C, offline too, the other one at 09:26. Then Hall B comes back.
    c_db, c = desk("C厅 2号台")
    admit(c_db, "C厅 2号台", intl, 26)
    c.push_once()
    b.push_once()
    # Someone on this desk's list the hub has not heard of (added here by hand): refused.
    with w.core.checkin.db.write() as s:
        cat = s.scalar(select(m.Category.id).where(m.Category.code == "TALENT"))
        s.add(m.Delegate(uid="screenshot-late-0001", registration_code="CQ24-LATE01",
                         name_native="周晓岚", name_latin="ZHOU Xiaolan", category_id=cat,
                         status="approved", updated_at=datetime(2024, 11, 22, tzinfo=UTC)))
    assert scan("CQ24-LATE01").event is not None
    wait_until(app, lambda: len(conflicts.conflicts) == 2 and len(conflicts.refused) >= 1
               and label.status is not None and label.status.refused >= 1
               and bool(label.status.warnings), "conflicts, refusal and clock warning")
    w.lower_tabs.setCurrentIndex(w.lower_tabs.indexOf(w.conflicts_panel))
    w.focus_scanner()
    shot_window(app, w, out / os.environ.get("SHOT_5", "conflicts-tab.png"))

    strips = [status_strip(app, w)]
    # The hub goes away; the desk keeps scanning and counts what waits for it.
    w.set_language("en")
    hub.stop_process()
    assert scan(samples["enterprise"]).event is not None
    wait_until(app, lambda: label.status is not None and not label.status.online
               and label.status.pending > 0, "offline with a queue")
    strips.append(status_strip(app, w))
    save_stacked(strips, out / os.environ.get("SHOT_6", "status-bar-sync.png"))
    for sync, ddb in ((b, b_db), (c, c_db)):
        sync.close_clients()
        ddb.close()


def shot_window(app: QApplication, w: MainWindow, path: Path) -> None:
    app.processEvents()
    w.grab().save(str(path))
    print("saved", path)


def status_strip(app: QApplication, w: MainWindow) -> QImage:
    """The sync state at the right end of the status bar, at full size.

    Without the clock beside it: on the rehearsal clock (2024) the last sync shows today's
    time, which is right but confusing in a picture.
    """
    app.processEvents()
    bar = w.statusBar()
    assert w.sync is not None
    left = w.sync.label.geometry().left() - 12
    return bar.grab(QRect(left, 0, bar.width() - left, bar.height())).toImage()


def save_stacked(images: list[QImage], path: Path, gap: int = 10) -> None:
    width = max(i.width() for i in images)
    height = sum(i.height() for i in images) + gap * (len(images) - 1)
    canvas = QImage(width, height, QImage.Format.Format_RGB32)
    canvas.fill(QColor("#FFFFFF"))
    p = QPainter(canvas)
    y = 0
    for image in images:
        p.drawImage(width - image.width(), y, image)
        y += image.height() + gap
    p.end()
    canvas.save(str(path))
    print("saved", path)


if __name__ == "__main__":
    main()
