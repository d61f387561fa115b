"""docs/organiser.md run as written: its files, its commands in order, a real hub, the verdicts it promises.

The guide's fenced blocks drive the test, so guide and test cannot drift apart:
- ```` ```yaml file=NAME ```` / ```` ```csv file=NAME encoding=gb18030 ````: a file written into the folder;
- ```` ```yaml edit=NAME ````: an activity entry that replaces the entry of the same code in that file;
- ```` ```text dashboard=CODE ````: fields changed in that activity's row of the dashboard's activity page
  (as a browser posts the form);
- ```` ```sh step ````: commands run in order, in-process (`checkin_app.cli.main`); a trailing
  `# → VERDICT` is the verdict that scan must give; `"$(checkin-app …)"` is replaced by that
  command's output and `checkin-enrol:v1?…` by the code `hub enrol-desk` printed;
- ```` ```sh serve ````: the hub, started as its own process on loopback.
Unmarked blocks (the desk window, sample output) are not run.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from checkin_app.cli import main
from checkin_app.hub.app import POLL_INTERVAL_S
from checkin_app.services.event_files import check_file
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.sync.protocol import H_PROTOCOL, PROTOCOL_VERSION
from tests.hub.support import ROOT, free_port

GUIDE = ROOT / "docs" / "organiser.md"
FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```\s*$", re.M | re.S)
EXPECT = re.compile(r"#\s*→\s*([A-Z_]+)\s*$")
ADMITTING = {"ADMIT", "ADMIT_WITH_ATTENTION"}
RED = {"NOT_ADMITTED_HERE", "NOT_OPEN_YET", "CLOSED", "FULL", "CANCELLED", "UNKNOWN_CODE",
       "INCOMPLETE_CODE", "FORGED", "REVOKED", "WRONG_EVENT"}


@dataclass(frozen=True)
class Block:
    """One marked fenced block of the guide."""

    kind: str  # "file", "edit", "dashboard", "step" or "serve"
    text: str
    name: str = ""
    encoding: str = "utf-8"


def guide_blocks(text: str) -> list[Block]:
    """The marked blocks of the guide, in page order."""
    out: list[Block] = []
    for match in FENCE.finditer(text):
        words = match.group(2).split()
        opts = dict(w.split("=", 1) for w in words if "=" in w)
        body = match.group(3)
        if "file" in opts:
            out.append(Block("file", body, opts["file"], opts.get("encoding", "utf-8")))
        elif "edit" in opts:
            out.append(Block("edit", body, opts["edit"]))
        elif "dashboard" in opts:
            out.append(Block("dashboard", body, opts["dashboard"]))
        elif "step" in words or "serve" in words:
            out.append(Block("serve" if "serve" in words else "step", body))
    return out


def replace_entry(document: str, entry: str) -> str:
    """The YAML document with the list entry of the same `code` replaced by `entry`."""
    code = re.search(r"- code: (\S+)", entry)
    assert code, entry
    pattern = re.compile(rf"^  - code: {re.escape(code.group(1))}\n(?:(?!  - |\S).*\n)*", re.M)
    assert pattern.search(document), f"no entry {code.group(1)} to edit"
    return pattern.sub(lambda _m: entry, document, count=1)


@dataclass(frozen=True)
class Scan:
    """A `checkin` step: who, where, when, the verdict given and the one the guide promises."""

    person: str
    activity: str
    clock: str
    verdict: str
    expected: str


class Run:
    """The guide's folder, its hub process and what its commands printed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hub: subprocess.Popen[bytes] | None = None
        self.hub_url = ""
        self.enrol_code = ""
        self.outputs: list[tuple[str, int, str]] = []
        self.scans: list[Scan] = []

    def cli(self, argv: list[str]) -> tuple[int, str, str]:
        """One `checkin-app` command in-process."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(argv)
        return rc, out.getvalue(), err.getvalue()

    def expand(self, token: str) -> str:
        if token.startswith("$(") and token.endswith(")"):
            inner = shlex.split(token[2:-1])
            assert inner[0] == "checkin-app", token
            rc, out, err = self.cli(inner[1:])
            assert rc == 0, err
            return out.strip()
        if token.startswith("checkin-enrol:"):
            assert self.enrol_code, "enrol before `hub enrol-desk` printed a code"
            return self.enrol_code
        return token

    def step(self, line: str) -> None:
        expected = EXPECT.search(line)
        words = shlex.split(line, comments=True)
        assert words[0] == "checkin-app", line
        argv = [self.expand(w) for w in words[1:]]
        t0 = time.monotonic()
        rc, out, err = self.cli(argv)
        self.outputs.append((line, rc, out))
        took = time.monotonic() - t0
        assert took < 20, f"{line}: {took:.1f} s"
        if argv[0] == "hub" and argv[1:2] == ["enrol-desk"]:
            last = out.strip().splitlines()[-1].strip()
            self.enrol_code = last.removeprefix("checkin-app enrol '").rstrip("'")
        if argv[0] == "checkin":
            first = out.splitlines()[0] if out else err
            verdict = first.split()[1]
            person = words[2]
            if person.startswith("$("):
                person = shlex.split(person[2:-1])[2]
            clock = argv[argv.index("--clock") + 1]
            activity = argv[argv.index("--activity") + 1]
            self.scans.append(Scan(person, activity, clock, verdict, expected.group(1) if expected else ""))
            assert rc == (1 if verdict in RED else 0), (line, out, err)
            return
        if argv[0] == "import" and "--dry-run" in argv and "--map" not in argv:
            # The first dry run: the platform's own words are listed grouped, and block their rows.
            assert rc == 1 and "嘉宾 ×2" in out and "媒体 ×2" in out and "工作人员 ×1" in out, out
            return
        assert rc == 0, f"{line}\n{out}\n{err}"
        if self.hub is not None and argv[0] == "hub" and argv[1:2] in (["publish"], ["event"]):
            # A change written beside the running hub reaches its feed with its next look at the
            # database (once a second); a person typing the next command takes longer than that.
            time.sleep(2 * POLL_INTERVAL_S)

    def serve(self, line: str) -> None:
        words = shlex.split(line, comments=True)
        assert words[:2] == ["checkin-app", "hub"], line
        port = free_port()
        self.hub_url = f"https://127.0.0.1:{port}"
        log = (self.folder / "hub.log").open("ab")
        # The guide's command, plus where to listen: loopback, a free port (the guide's default
        # listens on every address at 8443 and names the laptop's LAN address).
        self.hub = subprocess.Popen(
            [sys.executable, "-m", "checkin_app", *words[1:], "--host", "127.0.0.1", "--port", str(port),
             "--public-url", self.hub_url],
            cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.hub.poll() is None, (self.folder / "hub.log").read_text(errors="replace")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.hub_url + "/api/v1/hello", verify=False, timeout=1.0,
                             headers={H_PROTOCOL: str(PROTOCOL_VERSION)}).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError("the hub did not start")

    def dashboard_edit(self, code: str, text: str) -> None:
        """Change an activity on the dashboard's activity page as a manager's browser does."""
        link = next(out.strip() for line, _rc, out in self.outputs if "dashboard-key" in line)
        labels = {"日期 Day": "day", "开始 Start": "start", "结束 End": "end", "容量 Capacity": "capacity"}
        found = re.findall(r"(日期 Day|开始 Start|结束 End|容量 Capacity)\s+(\S+)", text)
        wanted = {labels[k]: v for k, v in found}
        assert wanted, text
        with httpx.Client(verify=False, follow_redirects=True, timeout=10) as client:
            assert client.get(link).status_code == 200  # the key becomes the session cookie
            page = client.get(self.hub_url + "/dashboard/activities").text
            action = f"/dashboard/activities/{code}"
            form = re.search(rf"<form method=post action='{action}'>(.*?)</form>", page, re.S)
            assert form, page
            fields = dict(re.findall(r"name=(\w+) [^>]*?value='([^']*)'", form.group(1)))
            assert set(wanted) <= set(fields), (wanted, fields)
            answer = client.post(self.hub_url + action, data={**fields, **wanted})
        assert answer.status_code == 200 and f"{code} updated" in html.unescape(answer.text), answer.text

    def stop(self) -> None:
        if self.hub is not None and self.hub.poll() is None:
            self.hub.terminate()
            try:
                self.hub.wait(10)
            except subprocess.TimeoutExpired:
                self.hub.kill()
                self.hub.wait(10)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """An empty folder as the organiser's working folder; per-user folders inside it too."""
    folder = tmp_path / "expo"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "home" / var.lower()))
    monkeypatch.delenv("CHECKIN_CLOCK", raising=False)
    r = Run(folder)
    yield r
    r.stop()


def attendance(page: str) -> dict[str, tuple[int, ...]]:
    """The dashboard's attendance table: activity code -> numbers of its cells."""
    rows: dict[str, tuple[int, ...]] = {}
    row = r"<tr><td><b>([A-Z0-9_]+)</b>.*?</td>((?:<td class=n>.*?</td>)+)</tr>"
    for code, cells in re.findall(row, page):
        texts = [html.unescape(re.sub(r"<[^>]+>", " ", c))
                 for c in re.findall(r"<td class=n>(.*?)</td>", cells)]
        rows[code] = tuple(int(n) for t in texts for n in re.findall(r"\d+", t))
    return rows


def test_the_organiser_guide_runs_as_written(run: Run) -> None:
    blocks = guide_blocks(GUIDE.read_text(encoding="utf-8"))
    assert [b.kind for b in blocks].count("serve") == 1
    for block in blocks:
        if block.kind == "file":
            (run.folder / block.name).write_bytes(block.text.encode(block.encoding))
        elif block.kind == "edit":
            path = run.folder / block.name
            path.write_text(replace_entry(path.read_text(encoding="utf-8"), block.text), encoding="utf-8")
        elif block.kind == "dashboard":
            run.dashboard_edit(block.name, block.text)
        elif block.kind == "serve":
            run.serve(block.text.strip())
        else:
            for line in block.text.splitlines():
                if line.strip():
                    run.step(line)

    # Every scan gave the verdict the guide says it gives.
    assert [s.verdict for s in run.scans] == [s.expected for s in run.scans]
    # The export's own words (嘉宾 / 媒体 / 工作人员) were mapped to the event's categories.
    with contextlib.closing(Database(run.folder / "hub.sqlite3")) as hub_db, hub_db.read() as session:
        category = dict(session.execute(select(m.Delegate.registration_code, m.Category.code)
                                  .join(m.Category, m.Delegate.category_id == m.Category.id)).all())
    assert {category["WX-0001"], category["WX-0002"], category["WX-0003"]} == {"GUEST", "PRESS", "STAFF"}
    assert category["WX-0004"] == "VIP"
    # An imported person is admitted at the main entrance; a category an activity does not admit is not.
    assert any(s.activity == "MAIN" and s.verdict == "ADMIT" for s in run.scans)
    assert any(s.verdict == "NOT_ADMITTED_HERE" and category[s.person] == "PRESS" for s in run.scans)
    # Once per day: admitted on each of two rehearsal days, ALREADY_IN the second time on a day.
    main_scans = [s for s in run.scans if s.activity == "MAIN"]
    for person in {s.person for s in main_scans}:
        days: dict[str, list[str]] = {}
        for s in main_scans:
            if s.person == person:
                days.setdefault(s.clock[:10], []).append(s.verdict)
        if len(days) == 2 and all(v[:2] == ["ADMIT", "ALREADY_IN"] for v in days.values()):
            break
    else:
        raise AssertionError(f"no person admitted once on each of two days: {main_scans}")
    # The summit's new start, applied at the hub on the day, reached the desk.
    assert any(s.activity == "FORUM" and s.verdict == "NOT_OPEN_YET" for s in run.scans)

    # The summit's change, as the apply at the hub listed it: in the event's time, not UTC.
    applied = [out for line, _rc, out in run.outputs if line.startswith("checkin-app hub event apply")]
    assert "starts_at: 2027-05-18 09:30 → 2027-05-18 10:00" in applied[-1], applied[-1]
    assert "capacity: 800 → 1000" in applied[-1]

    # The dinner moved on the dashboard: the exported file and the desk both have it.
    exported = check_file(run.folder / "expo.yaml").definition
    assert exported is not None
    gala = exported.activity("GALA")
    assert gala is not None and (f"{gala.start:%H:%M}", f"{gala.end:%H:%M}") == ("19:00", "21:00")
    listing = next(out for line, _rc, out in reversed(run.outputs)
                   if line.startswith("checkin-app activities"))
    assert re.search(r"^GALA\s+05-18 19:00 – 05-18 21:00", listing, re.M), listing

    # The dashboard (the link `hub dashboard-key` printed) counts what the desk sent.
    link = next(out.strip() for line, _rc, out in run.outputs if "dashboard-key" in line)
    assert link.startswith(run.hub_url + "/dashboard?key=")
    admitted: dict[str, set[str]] = {}
    for s in run.scans:
        if s.verdict in ADMITTING:
            admitted.setdefault(s.activity, set()).add(s.person)
    registered = len(category)
    with httpx.Client(verify=False, follow_redirects=True, timeout=10) as client:
        deadline = time.monotonic() + 15
        while True:
            page = client.get(link)
            assert page.status_code == 200
            rows = attendance(page.text)
            done = rows.get("MAIN", (0, 0))[:2] == (len(admitted["MAIN"]), registered)
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert "2027西部人才科技博览会" in page.text
    assert rows["MAIN"][:2] == (len(admitted["MAIN"]), registered), rows
    assert rows["FORUM"][0] == len(admitted["FORUM"]) and rows["FORUM"][-1] == 1000, rows
    assert rows["GALA"][0] == 0, rows
