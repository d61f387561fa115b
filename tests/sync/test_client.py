"""The desk sync client against a real hub process: enrolment, pinning, push/pull, faults, replays."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from checkin_app.domain.clock import FixedClock
from checkin_app.hub.store import HubStore
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.search import SearchService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import (
    H_PROTOCOL,
    AccessRefused,
    EnrolmentCode,
    PinMismatch,
    ProtocolMismatch,
    SyncError,
)
from checkin_app.sync.transport import make_client
from tests.hub.support import HubProcess, TcpProxy
from tests.sync.conftest import HubRig

DOORS = FixedClock(datetime(2024, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))


def codes(store: HubStore, n: int, offset: int = 0) -> list[str]:
    """Registration codes of approved delegates (who may enter MAIN)."""
    with store.db.read() as s:
        return list(s.scalars(select(m.Delegate.registration_code).where(m.Delegate.status == "approved")
                              .order_by(m.Delegate.id).offset(offset).limit(n)))


def uuids(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(m.CheckIn.uuid)))


def hub_uuids(store: HubStore) -> list[str]:
    with store.db.read() as s:
        return list(s.scalars(select(m.CheckIn.uuid)))


def scan_all(db: Database, desk: str, people: list[str], activity: str = "MAIN") -> list[str]:
    svc = CheckInService(db, DOORS)
    out = []
    for c in people:
        r = svc.scan(c, activity_code=activity, desk=desk)
        assert r.event is not None, (c, r.verdict)
        out.append(r.event.uuid)
    return out


def test_enrol_download_and_round_trip(rig: HubRig, tmp_path: Path) -> None:
    db, sync = rig.desk(tmp_path, "Desk A")
    pushed, applied = sync.sync_once()
    assert applied > 300 and pushed.remaining == 0
    sync.index_pending()
    assert CatalogService(db).settings().desk_name == "Desk A"
    assert SearchService(db).search("zhang")  # the search index was rebuilt after the download
    with db.read() as s, rig.store.db.read() as h:
        assert s.scalar(select(func.count()).select_from(m.Delegate)) == h.scalar(
            select(func.count()).select_from(m.Delegate))
    made = scan_all(db, "Desk A", codes(rig.store, 5))
    assert sync.pending_count() == 5
    result = sync.push_once()
    assert result.stored >= 5 and result.remaining == 0
    assert sorted(hub_uuids(rig.store)) == sorted(made)
    sync.pull_once()
    with db.read() as s:
        assert all(s.scalars(select(m.CheckIn.received_at)))  # the hub's receive time came back
    status = sync.status()
    assert status.enrolled and status.online and status.pending == 0 and status.last_ok_at
    sync.close_clients()


def test_a_desk_whose_clock_is_off_is_told_so_in_words_and_by_code(rig: HubRig, tmp_path: Path) -> None:
    from checkin_app.domain.clock import OffsetClock
    from checkin_app.ui.sync_status import status_text

    fast = OffsetClock(datetime.now(UTC) + timedelta(minutes=3))
    _db, sync = rig.desk(tmp_path, "Desk F", clock=fast)
    sync.sync_once()
    status = sync.status()
    assert status.warning_codes == ("clock",)
    assert "ahead of the hub" in status.warnings[0] and "时钟" in status.warnings[0]
    assert status_text(status, "en")[0].endswith("⚠ clock off")
    sync.close_clients()


def test_used_token_is_refused(rig: HubRig, tmp_path: Path) -> None:
    code = rig.code("Desk B")
    DeskSync(Database(tmp_path / "b1.sqlite3")).enrol(code)
    other = Database(tmp_path / "b2.sqlite3")
    rig.desks.append(other)
    with pytest.raises(AccessRefused, match="already used"):
        DeskSync(other).enrol(code)
    assert DeskSync(other).config() is None


def test_wrong_fingerprint_is_refused_before_the_token_is_sent(rig: HubRig, tmp_path: Path) -> None:
    real = EnrolmentCode.decode(rig.code("Desk C"))
    fake = EnrolmentCode(real.url, real.token, "ab" * 32, real.desk).encode()
    db = Database(tmp_path / "c.sqlite3")
    rig.desks.append(db)
    with pytest.raises(PinMismatch, match="does not match the pinned fingerprint"):
        DeskSync(db).enrol(fake)
    assert DeskSync(db).config() is None
    # The token never left the desk, so the genuine code still works.
    assert DeskSync(db).enrol(real.encode()).desk == "Desk C"


def test_a_hub_with_another_certificate_is_refused_after_enrolment(make_rig: object, tmp_path: Path) -> None:
    from tests.sync.conftest import HubRig as Rig

    rig: Rig = make_rig()  # type: ignore[operator]
    _db, sync = rig.desk(tmp_path, "Desk D")
    sync.sync_once()
    rig.proc.stop()
    impostor = HubProcess(str(rig.path), tmp_path / "other-tls", port=rig.proc.port).start()
    try:
        with pytest.raises(PinMismatch, match="pinned"):
            sync.pull_once()
    finally:
        impostor.stop()
        sync.close_clients()


def test_revoked_desk_is_refused(rig: HubRig, tmp_path: Path) -> None:
    db, sync = rig.desk(tmp_path, "Desk E")
    sync.sync_once()
    rig.store.revoke("Desk E")
    scan_all(db, "Desk E", codes(rig.store, 1))
    with pytest.raises(AccessRefused, match="revoked"):
        sync.push_once()
    with pytest.raises(AccessRefused, match="revoked"):
        sync.pull_once()
    assert sync.pending_count() == 1  # kept locally, never lost
    sync.close_clients()


def test_protocol_mismatch_is_refused_both_ways(rig: HubRig) -> None:
    r = httpx.get(rig.proc.url + "/api/v1/hello", verify=False, headers={H_PROTOCOL: "99"})
    assert r.status_code == 409
    body = r.json()
    assert "协议版本不一致" in body["message_zh"] and "Protocol version mismatch" in body["message_en"]
    with pytest.raises(ProtocolMismatch, match="v2"):
        EnrolmentCode.decode("checkin-enrol:v2?u=https://127.0.0.1:1&t=x&f=" + "a" * 64)


def test_duplicate_push_replayed_stores_nothing_twice(rig: HubRig, tmp_path: Path) -> None:
    db, sync = rig.desk(tmp_path, "Desk F")
    sync.sync_once()
    scan_all(db, "Desk F", codes(rig.store, 3))
    cfg = sync.config()
    assert cfg is not None
    with db.read() as s:
        items, _ = sync._outbox(s)
    from checkin_app.sync.protocol import dumps, gzip_bytes

    body = gzip_bytes(dumps({"items": items}))
    with make_client(cfg.url, fingerprint=cfg.fingerprint, cert_pem=cfg.cert_pem, token=cfg.token) as c:
        first = c.post("/api/v1/push", content=body, headers={"Content-Encoding": "gzip"}).json()
        again = c.post("/api/v1/push", content=body, headers={"Content-Encoding": "gzip"}).json()
    assert len(first["stored"]) == len(items) and not first["duplicates"]
    assert not again["stored"] and len(again["duplicates"]) == len(items)
    result = sync.push_once()  # the desk itself now replays what it never got an answer for
    assert result.stored == 0 and result.remaining == 0
    assert sorted(hub_uuids(rig.store)) == sorted(uuids(db))
    sync.close_clients()


def test_hub_killed_mid_push_loses_and_duplicates_nothing(make_rig: object, tmp_path: Path) -> None:
    from tests.sync.conftest import HubRig as Rig

    rig: Rig = make_rig()  # type: ignore[operator]
    db, sync = rig.desk(tmp_path, "Desk G")
    sync.sync_once()
    port, tls = rig.proc.port, rig.proc.tls_dir
    scanned = scan_all(db, "Desk G", codes(rig.store, 40))

    for fault, stored_before_kill in (("push-before-commit", False), ("push-after-commit", True)):
        rig.proc.kill()
        rig.proc = HubProcess(str(rig.path), tls, port=port, fault=(fault, 20)).start()
        if fault == "push-after-commit":
            scanned += scan_all(db, "Desk G", codes(rig.store, 10, offset=40))
        errors: list[BaseException] = []

        def push(errors: list[BaseException] = errors) -> None:
            try:
                sync.push_once()
            except SyncError as exc:
                errors.append(exc)

        t = threading.Thread(target=push)
        t.start()
        deadline = time.monotonic() + 10
        if stored_before_kill:
            while len(hub_uuids(rig.store)) < len(scanned) and time.monotonic() < deadline:
                time.sleep(0.05)  # committed; the answer is still on its way
        else:
            time.sleep(1.0)  # inside the transaction
        rig.proc.kill()
        t.join(30)
        assert errors, "the push must fail when the hub dies"
        assert sync.pending_count() > 0
        on_hub = hub_uuids(rig.store)
        assert len(on_hub) == len(set(on_hub))
        if not stored_before_kill:
            assert on_hub == []  # the killed transaction left nothing behind
        rig.proc = HubProcess(str(rig.path), tls, port=port).start()
        result = sync.push_once()
        assert result.remaining == 0
        if stored_before_kill:
            assert result.duplicates >= 10
    assert sorted(hub_uuids(rig.store)) == sorted(scanned) == sorted(uuids(db))
    sync.close_clients()


def test_pull_cut_mid_response_resumes_without_loss(make_rig: object, tmp_path: Path) -> None:
    from tests.sync.conftest import HubRig as Rig

    rig: Rig = make_rig(size=1500)  # type: ignore[operator]
    proxy = TcpProxy(rig.proc.port)
    try:
        db, sync = rig.desk(tmp_path, "Desk H", url=proxy.url)
        sync.push_once()
        proxy.cut_after = 60_000
        sync.close_clients()  # the next request opens the connection that will be cut
        with pytest.raises(SyncError):
            sync.pull_once(limit=0)
        assert proxy.cuts == 1
        partial = sync.cursor()
        high = rig.store.high_water()
        assert 0 < partial < high
        while sync.pull_once(limit=0).more:
            pass
        assert sync.cursor() == high
        with db.read() as s, rig.store.db.read() as h:
            desk_uids = list(s.scalars(select(m.Delegate.uid)))
            hub_uids = set(h.scalars(select(m.Delegate.uid)))
        assert len(desk_uids) == len(set(desk_uids)) and set(desk_uids) == hub_uids
        sync.close_clients()
    finally:
        proxy.close()


def test_a_hub_whose_database_cannot_write_says_so_and_loses_nothing(rig: HubRig, tmp_path: Path) -> None:
    """Another program holds the hub's SQLite file locked (like a full disk: no write goes in)."""
    import sqlite3

    db, sync = rig.desk(tmp_path, "Desk L")
    sync.sync_once()
    scanned = scan_all(db, "Desk L", codes(rig.store, 3))
    holder = sqlite3.connect(rig.path, timeout=1, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(SyncError, match=r"database failed \(database is locked\).*Nothing on this desk"
                           ) as refused:
            sync.push_once()  # the hub waits out its busy timeout, then answers 503 in words
        assert "中心服务器的数据库暂时出错" in str(refused.value)  # the worker shows it in the status bar
        assert sync.pending_count() == len(scanned)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sync.push_once().remaining == 0
    assert sorted(hub_uuids(rig.store)) == sorted(scanned)
    sync.close_clients()


def test_a_hub_that_answers_without_taking_anything_does_not_hold_the_desk_for_ever(
        rig: HubRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A hub (or something posing as one) that answers every push with empty lists: the desk
    # used to send the same batch again and again, for ever, inside push_once.
    db, sync = rig.desk(tmp_path, "Desk L")
    sync.sync_once()
    made = scan_all(db, "Desk L", codes(rig.store, 2))

    def empty(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"stored": [], "duplicates": [], "rejected": []})

    liar = httpx.Client(transport=httpx.MockTransport(empty), base_url="https://hub.invalid")
    monkeypatch.setattr(sync, "_client", lambda _cfg: liar)
    with pytest.raises(SyncError) as err:
        sync.push_once()
    assert "did not" in str(err.value) or "without taking" in str(err.value)
    assert "中心服务器" in str(err.value)
    assert sync.pending_count() == len(made)  # nothing was lost or marked as sent
    monkeypatch.undo()
    assert sync.push_once().stored >= len(made)
    sync.close_clients()
