"""The managers' dashboard of a real hub process (SQLite, PostgreSQL): key, desks, counts, conflicts, QR."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from checkin_app.demo.hub import load_demo
from checkin_app.domain.clock import FixedClock
from checkin_app.hub.dashboard import enrolment_text, fmt_local
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import ensure_certificate
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import EnrolmentCode
from tests.factories import local
from tests.hub.support import HubProcess

SH = ZoneInfo("Asia/Shanghai")


@dataclass
class Dash:
    """A hub process with the demo event, its manager key and the desks a test made."""

    store: HubStore
    proc: HubProcess
    fingerprint: str
    key: str
    tmp: Path
    desks: list[Database] = field(default_factory=list)

    def client(self) -> httpx.Client:
        # The browser of a manager: the hub's self-signed certificate, cookies kept.
        return httpx.Client(base_url=self.proc.url, verify=False, timeout=30.0, follow_redirects=True)

    def desk(self, name: str, **kwargs: object) -> tuple[Database, DeskSync]:
        db = Database(self.tmp / f"{name}.sqlite3")
        self.desks.append(db)
        sync = DeskSync(db, **kwargs)  # type: ignore[arg-type]
        token = self.store.create_enrolment(name)
        sync.enrol(EnrolmentCode(self.proc.url, token, self.fingerprint, name).encode())
        return db, sync


@pytest.fixture
def make_dash(tmp_path: Path) -> Iterator[Callable[[str], Dash]]:
    made: list[Dash] = []

    def build(url: str) -> Dash:
        db = HubDatabase(url)
        store = HubStore(db)
        load_demo(store.db, size=300, seed=7)
        store.refresh()
        key = secrets.token_urlsafe(16)
        store.set_setting("hub.dashboard_key", key)  # the hub keeps the key it finds
        tls = tmp_path / f"tls{len(made)}"
        cert = ensure_certificate(tls)
        dash = Dash(store, HubProcess(url, tls).start(), cert.fingerprint, key, tmp_path)
        made.append(dash)
        return dash

    yield build
    for d in made:
        d.proc.stop()
        d.store.db.close()
        for desk in d.desks:
            desk.close()


def _opening_person(store: HubStore) -> str:
    with store.db.read() as s:
        act = s.scalars(select(m.Activity).where(m.Activity.code == "OPENING")).one()
        cats = [c.id for c in act.categories]
        code = s.scalar(select(m.Delegate.registration_code).where(
            m.Delegate.status == "approved", m.Delegate.category_id.in_(cats)).order_by(m.Delegate.id))
    assert code is not None
    return code


def _main_people(store: HubStore, n: int) -> list[str]:
    with store.db.read() as s:
        return list(s.scalars(select(m.Delegate.registration_code).where(m.Delegate.status == "approved")
                              .order_by(m.Delegate.id.desc()).limit(n)))


def test_the_dashboard_needs_the_managers_key(make_dash: Callable[[str], Dash], tmp_path: Path) -> None:
    dash = make_dash(str(tmp_path / "hub.sqlite3"))
    with dash.client() as c:
        for path in ("/dashboard", "/dashboard?key=wrong", "/dashboard?key=" + dash.key[:-1],
                     "/dashboard?key=密钥", "/dashboard/sections", "/dashboard/enrol"):
            r = c.get(path)
            assert r.status_code == 401, path
            assert "需要管理密钥" in r.text and "Manager key needed" in r.text
            assert dash.key not in r.text
        r = c.get("/dashboard/data", params={"key": "wrong"})
        assert r.status_code == 401 and r.json()["error"] == "key"
        r = c.post("/dashboard/enrol", content=b"desk=Intruder",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 401
        assert "Intruder" not in [d.name for d in dash.store.desks()]
        # The right key once: a cookie from then on, and the key leaves the address bar.
        r = c.get("/dashboard", params={"key": dash.key})
        assert r.status_code == 200 and str(r.url).endswith("/dashboard")
        assert r.history and r.history[0].status_code == 303
        assert c.get("/dashboard/data").status_code == 200
        assert c.get("/dashboard/sections").status_code == 200


def test_desks_counts_and_conflicts_agree_with_the_database(
        make_dash: Callable[[str], Dash], hub_url: str) -> None:
    dash = make_dash(hub_url)
    person = _opening_person(dash.store)
    walkers = _main_people(dash.store, 3)
    # Desk A: a printer, and one check-in not yet pushed. Desk B: its clock five minutes fast.
    a_db, a = dash.desk("Desk A", printer_state=lambda: "ready: Zebra ZD421")
    b_db, b = dash.desk("Desk B", clock=FixedClock(datetime.now(UTC) + timedelta(minutes=5)))
    dash.desk("Desk C")  # enrolled, never synced: offline
    dash.store.create_enrolment("Desk D")
    assert dash.store.revoke("Desk D")
    for sync in (a, b):
        sync.sync_once()
    # Both desks, apart, let the same person into the single-entry opening ceremony.
    first = CheckInService(a_db, FixedClock(local(23, 9, 20))).scan(person, activity_code="OPENING",
                                                                      desk="Desk A")
    later = CheckInService(b_db, FixedClock(local(23, 9, 26))).scan(person, activity_code="OPENING",
                                                                      desk="Desk B")
    assert first.event is not None and later.event is not None
    for code in walkers[:2]:
        assert CheckInService(a_db, FixedClock(local(23, 9, 21))).scan(code, desk="Desk A").event
    a.push_once()
    b.push_once()
    assert CheckInService(a_db, FixedClock(local(23, 9, 22))).scan(walkers[2], desk="Desk A").event
    a.pull_once()  # reports its queue: one check-in the hub does not have
    b.pull_once()

    with dash.client() as c:
        r = c.get("/dashboard", params={"key": dash.key})
        assert r.status_code == 200
        page = r.text
        data = c.get("/dashboard/data").json()

    # What the page shows.
    assert "2024中国重庆国际人才交流大会" in page
    rows = {name: _row(page, name) for name in ("Desk A", "Desk B", "Desk C", "Desk D")}
    assert "● 在线 / online" in rows["Desk A"] and "ready: Zebra ZD421" in rows["Desk A"]
    with dash.store.db.read() as s:
        seen = {d.name: d.last_seen_at for d in s.scalars(select(mh.HubDesk))}
    assert fmt_local(seen["Desk A"]) in rows["Desk A"]
    assert re.search(r"<td class=n>1</td>", rows["Desk A"])  # queue
    assert "⚠" in rows["Desk B"] and "时钟偏差超过 1 分钟" in rows["Desk B"]
    assert "clock off by over a minute" in rows["Desk B"]
    assert re.search(r"\+(29\d|30\d)(\.\d)? s", rows["Desk B"])
    assert "○ 离线 / offline" in rows["Desk C"] and "已吊销 / revoked" in rows["Desk D"]
    opening = _row(page, "<b>OPENING</b>")
    assert "<td class=n>1</td>" in opening and "1 / 2000" in opening
    conflict = _row(page, person)
    assert "Desk A<br>09:20:00" in conflict and "Desk B<br>09:26:00" in conflict
    assert "冲突 / conflicts <b>1</b>" in page and "时钟偏差 / clock warnings <b>1</b>" in page

    # The JSON agrees with the database.
    with dash.store.db.read() as s:
        acts = dict(s.execute(select(m.Activity.code, m.Activity.id)).all())
        undone = select(m.CheckIn.undoes).where(m.CheckIn.undoes.is_not(None))
        admitted = {code: s.scalar(select(func.count(func.distinct(m.CheckIn.delegate_id))).where(
            m.CheckIn.activity_id == a_id, m.CheckIn.direction == "in", m.CheckIn.undoes.is_(None),
            m.CheckIn.uuid.not_in(undone))) for code, a_id in acts.items()}
        desks = {d.name: d for d in s.scalars(select(mh.HubDesk))}
        flagged = set(s.scalars(select(m.CheckIn.uuid).where(m.CheckIn.conflict.is_(True))))
    assert {a["code"]: a["checked_in"] for a in data["activities"]} == admitted
    assert admitted["OPENING"] == 1 and admitted["MAIN"] == 2
    assert {d["name"]: d["queue"] for d in data["desks"]} == {n: d.queue_length for n, d in desks.items()}
    assert {d["name"] for d in data["desks"] if d["revoked"]} == {"Desk D"}
    assert {d["name"] for d in data["desks"] if d["clock_skewed"]} == {"Desk B"}
    assert {c["uuid"] for c in data["conflicts"]} == flagged == {later.event.uuid}
    [c] = data["conflicts"]
    assert (c["desk"], c["first_desk"], c["code"]) == ("Desk B", "Desk A", person)
    assert datetime.fromisoformat(c["first_at"]) == local(23, 9, 20)
    for sync in (a, b):
        sync.close_clients()


def test_enrolment_page_shows_a_qr_code_that_enrols_a_desk(
        make_dash: Callable[[str], Dash], tmp_path: Path, qapp: object) -> None:
    dash = make_dash(str(tmp_path / "hub.sqlite3"))
    with dash.client() as c:
        c.get("/dashboard", params={"key": dash.key})
        form = c.get("/dashboard/enrol", params={"desk": "Hall F"})
        assert form.status_code == 200 and "method=post" in form.text
        assert "Hall F" not in [d.name for d in dash.store.desks()]  # looking creates nothing
        empty = c.post("/dashboard/enrol", data={"desk": "  "})
        assert empty.status_code == 400 and "Enter a desk name" in empty.text
        r = c.post("/dashboard/enrol", data={"desk": "Hall E 入口"})
        assert r.status_code == 200
    svg = re.search(r"<svg.*?</svg>", r.text, re.S)
    assert svg is not None
    text = _decode_qr(svg.group(0))
    shown = re.search(r"<code id=code>(.*?)</code>", r.text)
    assert shown is not None and text == shown.group(1).replace("&amp;", "&")
    code = EnrolmentCode.decode(text)
    assert (code.url, code.fingerprint, code.desk) == (dash.proc.url, dash.fingerprint, "Hall E 入口")
    assert text == enrolment_text(dash.proc.url, code.token, dash.fingerprint, "Hall E 入口")
    # The decoded code really enrols a desk, once.
    db = Database(tmp_path / "hall-e.sqlite3")
    dash.desks.append(db)
    assert DeskSync(db).enrol(text).desk == "Hall E 入口"


def _row(page: str, marker: str) -> str:
    """The table row of the page that contains `marker`."""
    i = page.index(marker)
    start = page.rindex("<tr>", 0, i)
    return page[start:page.index("</tr>", i)]


def _decode_qr(svg: str) -> str:
    """Render the page's SVG as a browser would (white page) and read it with zxing-cpp."""
    import zxingcpp
    from PIL import Image
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    assert renderer.isValid()
    image = QImage(400, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = Image.frombuffer("L", (gray.width(), gray.height()), bytes(gray.constBits()), "raw", "L",
                              gray.bytesPerLine(), 1)
    found = zxingcpp.read_barcodes(pixels)
    assert len(found) == 1, found
    return str(found[0].text)


# -- on the day: activity times and capacity from the dashboard --------------------------------
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _opening(dash: Dash) -> tuple[datetime, datetime, int | None]:
    with dash.store.db.read() as s:
        a = s.scalars(select(m.Activity).where(m.Activity.code == "OPENING")).one()
        return a.starts_at.astimezone(SH), a.ends_at.astimezone(SH), a.capacity


def test_a_manager_moves_the_opening_and_the_desks_follow(make_dash: Callable[[str], Dash],
                                                          tmp_path: Path) -> None:
    dash = make_dash(str(tmp_path / "hub.sqlite3"))
    start, end, _cap = _opening(dash)
    desk_db, sync = dash.desk("Door 1")
    sync.sync_once()
    with dash.client() as c:
        # No key, no change.
        r = c.post("/dashboard/activities/OPENING", content=b"day=2024-11-23&start=10:00", headers=FORM)
        assert r.status_code == 401
        assert c.get("/dashboard", params={"key": dash.key}).status_code == 200
        page = c.get("/dashboard/activities")
        assert page.status_code == 200 and "OPENING" in page.text and "开幕式" in page.text
        form = (f"day={start.date().isoformat()}&start={start.replace(minute=30):%H:%M}"
                f"&end={end.replace(hour=end.hour + 1):%H:%M}&doors_before=45&doors_after=10"
                "&capacity=1800").encode()
        r = c.post("/dashboard/activities/OPENING", content=form, headers=FORM)
        assert r.status_code == 200 and "OPENING" in r.text and "updated" in r.text
        assert r.history and r.history[0].status_code == 303  # a reload does not post again
        # Wrong input: said in both languages, nothing changed.
        bad = c.post("/dashboard/activities/OPENING",
                     content=f"day={start.date()}&start=25:99&end=11:00&doors_before=0&doors_after=0&capacity="
                     .encode(), headers=FORM)
        assert bad.status_code == 400 and "开始时间" in bad.text and "Start" in bad.text
        backwards = c.post("/dashboard/activities/OPENING",
                           content=f"day={start.date()}&start=12:00&end=11:00&doors_before=0&doors_after=0&capacity="
                           .encode(), headers=FORM)
        assert backwards.status_code == 400
    new_start, new_end, cap = _opening(dash)
    assert (new_start.hour, new_start.minute) == (start.hour, 30)
    assert new_end.hour == end.hour + 1 and cap == 1800
    with dash.store.db.read() as s:
        actions = list(s.scalars(select(m.AuditEntry.action).where(m.AuditEntry.operator == "dashboard")))
    assert actions, "the change is audited"
    # The desk gets the new window with its next pull.
    sync.pull_once()
    opening = next(a for a in CatalogService(desk_db).activities() if a.code == "OPENING")
    assert opening.starts_at.astimezone(SH).minute == 30 and opening.capacity == 1800
    assert opening.doors_open_minutes == 45 and opening.doors_after_minutes == 10
    sync.close_clients()
