"""Throughput at the real window: the desk under Xvfb, codes typed by xdotool at scanner speed.

Run: python -m bench.bench_realwindow [--size 100000] [--sustained 500] [--repeats 15] [--ime none,ibus]

For each input method (none; ibus with libpinyin on, as on volunteers' laptops):
- latency: a registration code and a signed badge token, each typed with `xdotool type --delay 2`
  and `--delay 5` followed by Return (one xdotool call, as a scanner sends code + CR), `repeats`
  times each, one scan at a time: first key → verdict painted. The first key's time is the key
  event's own X server timestamp (QKeyEvent.timestamp(), CLOCK_MONOTONIC ms on Linux), the paint
  is time.monotonic() in the desk when its repaint of the new verdict was flushed (CHECKIN_TRACE
  lines "key" and "painted", checkin_app/ui/trace.py) — the same clock, no xdotool timing.
- floor: the same bursts into a bare QLineEdit (this file with --floor: the line edit, and a
  label that shows the code on Return, traced by the same code), started the same way.
- sustained (first input method only): `sustained` scans in a row, registration codes and tokens
  alternating, each typed as soon as the previous verdict was painted (a queue that never waits
  for people): scans per minute, p50/p99 first key → painted; the same run into the floor.
The desk runs on a copy of the cached 100,000-delegate demo database; each scan checks in a
person not checked in before, so every scan is a recorded admission. If the desk process dies,
or a verdict is not painted within 10 s, or a scan is not recorded, the benchmark fails (exit 1).
Results: bench/results/realwindow.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import CACHE, checkpoint, copy_db, demo_database, percentiles, row, write_results

FLOOR_TITLE = "bench-floor-lineedit"
WRAP = 2**32  # X timestamps are 32-bit ms
DELAYS = (2, 5)
PAINT_TIMEOUT_S = 10.0


# -- the floor app (run as `python -m bench.bench_realwindow --floor TRACE`) --------------------
def floor_app(trace_path: str) -> int:
    """A bare QLineEdit; on Return a label shows the code (what the desk's verdict panel does)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

    from checkin_app.ui.trace import Trace, watch_paint

    app = QApplication(sys.argv[:1])
    win = QWidget()
    win.setWindowTitle(FLOOR_TITLE)
    win.resize(900, 600)
    class FloorEdit(QLineEdit):
        """What any scanner field needs: an input method must not turn the code into pinyin."""

        def inputMethodQuery(self, query: Qt.InputMethodQuery, /, *args: Any) -> Any:
            # Qt's ibus context asks this, not the widget attribute (as the desk's ScanField).
            if query == Qt.InputMethodQuery.ImEnabled:
                return False
            return super().inputMethodQuery(query, *args)

    edit = FloorEdit()
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly)
    label = QLabel("-")
    label.setStyleSheet("font-size: 64px;")
    lay = QVBoxLayout(win)
    lay.addWidget(edit)
    lay.addWidget(label, 1)
    trace = Trace(trace_path)
    shown: list[tuple[object, dict[str, Any]] | None] = [None]

    def on_return() -> None:
        code = edit.text()
        edit.clear()
        label.setText(code)
        shown[0] = (object(), {"state": "result", "code": code, "verdict": "FLOOR"})

    edit.returnPressed.connect(on_return)
    watch_paint(label, lambda: shown[0], trace)
    win.show()
    win.activateWindow()
    edit.setFocus()
    trace.emit("ready", focus=1)
    return app.exec()


# -- driving a window ------------------------------------------------------------------------
class TraceReader:
    """Reads a trace file incrementally (the desk appends while we read)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.events: list[dict[str, Any]] = []

    def poll(self) -> list[dict[str, Any]]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return self.events
        end = data.rfind(b"\n") + 1  # only whole lines
        for line in data[:end].splitlines():
            self.events.append(json.loads(line))
        self.offset += end
        return self.events


@dataclass
class Sample:
    kind: str
    delay: int
    chars: int
    key_to_paint_ms: float  # X timestamp of the first key → repaint flushed
    delivered_to_paint_ms: float  # Qt delivered the first key → repaint flushed
    x_to_delivered_ms: float  # X server stamped the first key → Qt delivered it
    key_to_paint_event_ms: float  # X timestamp of the first key → the panel's paint event began
    verdict: str


class Target:
    """A window under test (the desk or the floor) with its trace and its process."""

    def __init__(self, name: str, proc: Any, trace_path: Path, session: Any) -> None:
        self.name, self.proc, self.session = name, proc, session
        self.reader = TraceReader(trace_path)
        self.wid = 0

    def focus(self) -> None:
        """The X keyboard focus to this window, as a click on its title bar gives it."""
        from tests.realwindow.xsession import poll

        self.session.activate(self.wid)
        poll(lambda: self.session.active_window() == self.wid, 5, what=f"{self.name} to be active")

    def check_alive(self) -> None:
        if not self.proc.alive():
            raise BenchFailure(f"{self.name}: the process died (exit {self.proc.popen.returncode}):\n"
                               f"{self.proc.tail(40)}")

    def scan(self, code: str, delay: int, kind: str) -> Sample:
        from tests.realwindow.xsession import HARDWARE, run

        self.check_alive()
        start = len(self.reader.poll())
        # One xdotool call for code + CR (xdotool types "\r" as Return; "\n" is no Return to Qt):
        # a scanner does not pause before its terminator.
        run([*HARDWARE, "xdotool", "type", "--clearmodifiers", "--delay", str(delay), "--",
             code + "\r"], self.session.env, timeout=60)
        end = time.monotonic() + PAINT_TIMEOUT_S
        while True:
            new = self.reader.poll()[start:]
            painted = [e for e in new if e["ev"] == "painted"]
            if painted:
                break
            if time.monotonic() > end:
                self.check_alive()
                raise BenchFailure(f"{self.name}: no verdict painted {PAINT_TIMEOUT_S} s after "
                                   f"{code!r}; trace since: {new}")
            if not self.proc.alive():
                self.check_alive()
            time.sleep(0.002)
        keys = [e for e in new if e["ev"] == "key"]
        p = painted[0]
        if not keys:
            raise BenchFailure(f"{self.name}: no first-key line for {code!r}; trace: {new}")
        if len(painted) > 1 or p.get("state") != "result":
            raise BenchFailure(f"{self.name}: {code!r} gave {painted} (one verdict expected)")
        k = keys[0]
        xt, mono = int(k["xt"]), float(k["mono"])
        flushed = float(p["flushed"])
        key_to_paint = (flushed - xt) % WRAP  # X time is CLOCK_MONOTONIC ms, wrapped at 2^32
        delivered = (mono - xt) % WRAP
        return Sample(kind, delay, len(code), key_to_paint, flushed - mono, delivered,
                      (float(p["paint"]) - xt) % WRAP, str(p.get("verdict")))


class BenchFailure(RuntimeError):
    """The desk died, did not answer or did not record: the figures would be wrong."""


# -- set-up -------------------------------------------------------------------------------------
def keyed_database(size: int) -> Path:
    """The cached demo database with what `checkin-app demo` adds to it: an event key and a
    certified desk, so badges carry signed tokens (cached beside it)."""
    from checkin_app.services.keys import demo_key_file, setup_demo_keys
    from checkin_app.storage.db import Database

    path = CACHE / f"realwindow-keyed-{size}.sqlite3"
    if not path.exists():
        tmp = copy_db(demo_database(size), path.with_suffix(".building"))
        db = Database(tmp)
        setup_demo_keys(db, demo_key_file(tmp))
        checkpoint(db.engine)
        db.close()
        tmp.replace(path)
    return path


def people(size: int, want: int) -> list[dict[str, Any]]:
    """Delegates a MAIN desk admits at the rehearsal clock, with their signed tokens (cached)."""
    from tests.realwindow.desk import _PICK_SNIPPET, CLOCK, SRC, python_env
    from tests.realwindow.xsession import run

    path = CACHE / f"realwindow-people-{size}-{want}.json"
    if path.exists():
        return list(json.loads(path.read_text(encoding="utf-8")))
    src = keyed_database(size)

    out = run([sys.executable, "-c", _PICK_SNIPPET, str(src), str(want), CLOCK],
              python_env(dict(os.environ)), timeout=600, cwd=SRC).stdout
    picked = list(json.loads(out))
    if any(p["token"] == p["code"] for p in picked):
        raise BenchFailure("the demo database gave unsigned badge codes (no certified desk key)")
    if len(picked) < want:
        raise BenchFailure(f"only {len(picked)} admissible delegates in the demo")
    path.write_text(json.dumps(picked, ensure_ascii=False), encoding="utf-8")
    return picked


def start_desk(session: Any, ime: Any, size: int, workdir: Path) -> tuple[Target, Path]:
    from tests.realwindow.desk import Desk, write_settings

    db = copy_db(keyed_database(size), workdir / f"desk-{ime.name}.sqlite3")
    name = f"Bench {ime.name}"
    write_settings(db, desk_name=name, activity_code="MAIN", direction="in", language="zh")
    desk = Desk(session, ime.env, db, workdir, name)
    t0 = time.monotonic()
    desk.start(timeout=120)
    print(f"  desk ready in {time.monotonic() - t0:.1f} s ({ime.name})")
    assert desk.proc is not None
    target = Target(f"desk ({ime.name})", desk.proc, desk.trace_path, session)
    target.wid = desk.wid
    return target, db


def start_floor(session: Any, ime: Any, workdir: Path) -> Target:
    from tests.realwindow.desk import SRC, python_env
    from tests.realwindow.xsession import poll, spawn

    trace = workdir / f"floor-{ime.name}.jsonl"
    trace.unlink(missing_ok=True)
    proc = spawn(f"floor-{ime.name}", [sys.executable, "-m", "bench.bench_realwindow", "--floor",
                                       str(trace)], python_env(ime.env), session.logdir, cwd=SRC)
    target = Target(f"floor ({ime.name})", proc, trace, session)

    def window() -> int:
        target.check_alive()
        wins = session.windows(pid=proc.pid, name=FLOOR_TITLE)
        return wins[0] if wins else 0

    target.wid = poll(window, 30, interval=0.1, what="the floor window")
    poll(lambda: any(e["ev"] == "ready" for e in target.reader.poll()), 30, what="floor ready")
    target.focus()
    return target


def recorded_admissions(db: Path) -> int:
    from tests.realwindow.desk import sql

    return int(sql(db, "SELECT COUNT(*) FROM checkins WHERE verdict = 'ADMIT'")[0][0])


# -- measuring ----------------------------------------------------------------------------------
def latency_round(target: Target, persons: list[dict[str, Any]], repeats: int) -> list[Sample]:
    out: list[Sample] = []
    it = iter(persons)
    # Interleaved (code, token, at 2 and 5 ms) so drifting machine load hits every kind alike.
    for _ in range(repeats):
        for delay in DELAYS:
            for kind in ("code", "token"):
                p = next(it)
                out.append(target.scan(p["code"] if kind == "code" else p["token"], delay, kind))
                time.sleep(0.05)  # one scan at a time: nothing of the last one still in flight
    return out


def sustained_run(target: Target, persons: list[dict[str, Any]], n: int, delay: int) -> dict[str, Any]:
    samples: list[Sample] = []
    t0 = time.monotonic()
    for i, p in enumerate(persons[:n]):
        kind = "code" if i % 2 == 0 else "token"
        samples.append(target.scan(p["code"] if kind == "code" else p["token"], delay, kind))
    wall = time.monotonic() - t0
    lat = percentiles([s.key_to_paint_ms for s in samples])
    return {"scans": len(samples), "delay_ms": delay, "wall_s": round(wall, 2),
            "scans_per_minute": round(len(samples) / wall * 60, 1),
            "key_to_painted_ms": lat,
            "key_to_paint_event_ms": percentiles([s.key_to_paint_event_ms for s in samples]),
            "x_to_delivered_ms": percentiles([s.x_to_delivered_ms for s in samples]),
            "verdicts": sorted({s.verdict for s in samples})}


def summarise(samples: list[Sample]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for delay in DELAYS:
        for kind in ("code", "token"):
            ss = [s for s in samples if s.delay == delay and s.kind == kind]
            if not ss:
                continue
            out[f"{kind}@{delay}ms"] = {
                "chars": ss[0].chars,
                "typing_ms": (ss[0].chars) * delay,  # nominal: chars + CR, `delay` apart
                "key_to_painted_ms": percentiles([s.key_to_paint_ms for s in ss]),
                "delivered_to_painted_ms": percentiles([s.delivered_to_paint_ms for s in ss]),
                "x_to_delivered_ms": percentiles([s.x_to_delivered_ms for s in ss]),
                "key_to_paint_event_ms": percentiles([s.key_to_paint_event_ms for s in ss]),
                "verdicts": sorted({s.verdict for s in ss}),
            }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--floor", metavar="TRACE", help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--sustained", type=int, default=500)
    ap.add_argument("--sustained-delay", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--ime", default="none,ibus")
    args = ap.parse_args()
    if args.floor:
        return floor_app(args.floor)

    from tests.realwindow.ime import InputMethod
    from tests.realwindow.xsession import XSession

    imes = [s for s in args.ime.split(",") if s]
    per_ime = args.repeats * len(DELAYS) * 2
    persons = people(args.size, per_ime + args.sustained)
    workdir = CACHE / "realwindow"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    session = XSession(home=workdir / "home", logdir=workdir / "logs")
    results: dict[str, Any] = {"size": args.size, "repeats": args.repeats, "ime": {},
                               "loadavg_before": os.getloadavg()}
    t_start = time.monotonic()
    try:
        session.start()
        for n, name in enumerate(imes):
            ime = InputMethod(name, session)
            try:
                ime.start()
                (workdir / f"prove-{name}").mkdir()
                ime.prove_intercepts(workdir / f"prove-{name}")
                res: dict[str, Any] = {}
                floor = start_floor(session, ime, workdir)
                desk, db = start_desk(session, ime, args.size, workdir)
                before = recorded_admissions(db)
                desk_lat, floor_lat = [], []
                # Desk and floor by turns (blocks of one repeat), so load drifts hit both alike.
                for r in range(args.repeats):
                    chunk = persons[r * len(DELAYS) * 2:(r + 1) * len(DELAYS) * 2]
                    desk.focus()
                    desk_lat += latency_round(desk, chunk, 1)
                    floor.focus()
                    floor_lat += latency_round(floor, chunk, 1)
                res["latency"] = {"desk": summarise(desk_lat), "floor": summarise(floor_lat)}
                for key, d in res["latency"]["desk"].items():
                    f = res["latency"]["floor"][key]
                    d["ratio_p50_to_floor"] = round(d["key_to_painted_ms"]["p50"]
                                                    / f["key_to_painted_ms"]["p50"], 2)
                    print(row(f"{name} desk  {key}", d["key_to_painted_ms"]))
                    print(row(f"{name} floor {key}", f["key_to_painted_ms"]))
                if n == 0 and args.sustained:
                    rest = persons[per_ime:]
                    desk.focus()
                    res["sustained"] = {"desk": sustained_run(desk, rest, args.sustained,
                                                              args.sustained_delay)}
                    floor.focus()
                    res["sustained"]["floor"] = sustained_run(floor, rest, args.sustained,
                                                              args.sustained_delay)
                    for who in ("desk", "floor"):
                        s = res["sustained"][who]
                        print(f"{name} sustained {who}: {s['scans']} scans in {s['wall_s']} s = "
                              f"{s['scans_per_minute']}/min; " + row("", s["key_to_painted_ms"]))
                desk.check_alive()
                recorded = recorded_admissions(db) - before
                expected = per_ime + (args.sustained if n == 0 else 0)
                res["recorded_admissions"] = recorded
                if recorded != expected:
                    raise BenchFailure(f"{name}: {recorded} admissions recorded, {expected} scanned")
                desk.proc.stop()
                floor.proc.stop()
                results["ime"][name] = res
            finally:
                ime.stop()
    except BenchFailure as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        session.stop()
    results["run_s"] = round(time.monotonic() - t_start, 1)
    results["loadavg_after"] = os.getloadavg()
    first = results["ime"][imes[0]]
    if "sustained" in first:
        spm = first["sustained"]["desk"]["scans_per_minute"]
        results["persons_per_hour_machine_bound"] = round(spm * 60)
    print(f"results: {write_results('realwindow', results)} ({results['run_s']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
