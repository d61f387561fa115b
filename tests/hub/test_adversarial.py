"""A hostile enrolled desk, and hostile strangers, against a real hub on loopback (SQLite and PostgreSQL).

Each test sends one attack of issue 15 and asserts the refusal: a desk speaks only for itself,
key revocations come only from the organiser, and no request (too large, malformed, or holding
absurd health reports) takes the hub down or blocks the other desks.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import socket
import ssl
import time
import uuid as uuidlib
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import ensure_certificate
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage import models_security as sec
from checkin_app.sync.protocol import API_PREFIX, H_PROTOCOL, PROTOCOL_VERSION, iso
from tests.factories import MiniEvent, local, make_event
from tests.hub.support import PG_ENV, HubProcess, pg_admin_url, scratch_name, with_database

CODES = MiniEvent()


@dataclass
class Hub:
    """A hub process, a handle on its database, and desks enrolled over HTTP."""

    backend: str
    store: HubStore
    proc: HubProcess
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def log(self) -> str:
        return self.proc.log.read_text(errors="replace")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.proc.url, verify=False, timeout=30.0,
                            headers={H_PROTOCOL: str(PROTOCOL_VERSION)})

    def desk(self, name: str) -> str:
        """The API token of an enrolled desk of this name (enrolled once per module)."""
        if name not in self.tokens:
            token = self.store.create_enrolment(name)
            with self.client() as c:
                r = c.post(API_PREFIX + "/enrol", json={"token": token})
                assert r.status_code == 200, r.text
                self.tokens[name] = r.json()["token"]
        return self.tokens[name]

    def push(self, desk: str | None, items: Any = None, *, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        """POST /push as this desk (None: no token), JSON items or raw bytes."""
        h = dict(headers or {})
        if desk is not None:
            h["Authorization"] = f"Bearer {self.desk(desk)}"
        content = body if body is not None else json.dumps({"items": items}).encode()
        with self.client() as c:
            return c.post(API_PREFIX + "/push", content=content, headers=h)


def checkin(delegate: str = CODES.attendee, activity: str = "MAIN", *, desk: str = "Desk A",
            at: datetime | None = None, **over: Any) -> dict[str, Any]:
    """A check-in item as a desk pushes it."""
    u = str(uuidlib.uuid4())
    p: dict[str, Any] = {
        "uuid": u, "delegate": delegate, "activity": activity, "direction": "in", "desk": desk,
        "operator": "volunteer", "at": iso(at or local(23, 9, 30)), "received_at": None,
        "verdict": "ADMIT", "forced": False, "reason": "", "undoes": None, "conflict": False}
    p.update(over)
    return {"table": "checkins", "key": u, "payload": p}


def stored(r: httpx.Response) -> set[str]:
    assert r.status_code == 200, r.text
    return {s["key"] for s in r.json()["stored"]}


def refused(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 200, r.text
    return {str(x["key"]): x["reason"] for x in r.json()["rejected"]}


def event_row(hub: Hub, uuid: str) -> m.CheckIn | None:
    with hub.store.db.read() as s:
        return s.scalar(select(m.CheckIn).where(m.CheckIn.uuid == uuid))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """One hub per backend for the module, holding the mini event (tests.factories)."""
    tmp = tmp_path_factory.mktemp(f"adv-{request.param}")
    admin = ""
    if request.param == "sqlite":
        url = str(tmp / "hub.sqlite3")
    else:
        base = os.environ.get(PG_ENV)
        if not base:
            pytest.skip(f"{PG_ENV} is not set")
        import psycopg

        template = request.getfixturevalue("pg_template").rpartition("/")[2]
        name = scratch_name("checkin_adv")
        admin = pg_admin_url(base)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = with_database(base, name)
    db = HubDatabase(url)
    make_event(db, hall_capacity=None)  # type: ignore[arg-type]
    store = HubStore(db)
    store.refresh()
    ensure_certificate(tmp / "tls")
    proc = HubProcess(url, tmp / "tls", log=tmp / "hub.log").start()
    rig = Hub(request.param, store, proc)
    yield rig
    proc.stop()
    db.close()
    if admin:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


# -- 1. key and desk revocations come only from the organiser --------------------------------
def test_a_desk_cannot_revoke_a_signing_key(hub: Hub) -> None:
    victim = "ab" * 32
    revocation = {"table": "key_revocations", "key": victim, "payload": {
        "public_key": victim, "key_id": 7, "revoked_at": iso(datetime.now(UTC)),
        "reason": "hacked by desk A", "desk": "Desk A", "operator": "x"}}
    genuine = checkin()
    r = hub.push("Desk A", [revocation, genuine])
    assert "organiser" in refused(r)[victim]
    assert genuine["key"] in stored(r)  # the rest of the push goes in
    with hub.store.db.read() as s:
        assert s.scalars(select(sec.KeyRevocation)).all() == []
        assert s.scalar(select(mh.HubChange.seq).where(mh.HubChange.table_name == "key_revocations")) is None


# -- 2. a desk speaks only for itself ---------------------------------------------------------
def test_a_desk_records_only_in_its_own_name(hub: Hub) -> None:
    posing = checkin(CODES.vip, desk="Desk B")
    entry_uuid = str(uuidlib.uuid4())
    audit = {"table": "audit", "key": entry_uuid, "payload": {
        "uuid": entry_uuid, "at": iso(local(23, 9)), "desk": "Desk B", "operator": "Desk B's manager",
        "action": "override", "subject": "x", "before_json": "", "after_json": "{}",
        "prev_hash": "0" * 64, "hash": "ab" * 32}}
    r = hub.push("Desk A", [posing, audit])
    assert {posing["key"], entry_uuid} <= stored(r)
    row = event_row(hub, posing["key"])
    assert row is not None and row.desk == "Desk A"
    with hub.store.db.read() as s:
        assert s.scalar(select(mh.HubAudit.desk).where(mh.HubAudit.uuid == entry_uuid)) == "Desk A"
        logged = s.scalar(select(mh.HubChange.payload).where(mh.HubChange.row_key == posing["key"]))
    assert logged is not None and json.loads(logged)["desk"] == "Desk A"


@pytest.mark.parametrize("claim, why", [
    ({"verdict": "PWNED"}, "unknown verdict"),
    ({"verdict": 7}, "must be text"),
    ({"direction": "sideways"}, "direction"),
    ({"at": "2099-01-01T00:00:00+00:00"}, "too far"),
    ({"at": "2024-01-01T00:00:00+00:00"}, "too far"),
    ({"at": "yesterday"}, "not an ISO time"),
    ({"forced": True}, "manager"),
    ({"forced": "yes"}, "true or false"),
    ({"undoes": "0" * 36}, "UNDO"),
    ({"operator": "x" * 125}, "longer than 100"),
    ({"reason": "\x00"}, "cannot be stored"),
    ({"uuid": None}, "missing"),
])
def test_a_claim_a_desk_may_not_make_is_refused_alone(hub: Hub, claim: dict[str, Any], why: str) -> None:
    bad, good = checkin(CODES.noted, "HALL"), checkin(CODES.media)
    bad["payload"].update(claim)
    r = hub.push("Desk A", [bad, good])
    reasons = refused(r)
    assert len(reasons) == 1 and why in next(iter(reasons.values()))
    assert stored(r) == {good["key"]}
    assert event_row(hub, bad["key"]) is None


def test_the_event_days_and_the_hubs_clock_are_both_within_the_window(hub: Hub) -> None:
    rehearsal = checkin(CODES.vip, "LOUNGE", at=local(24, 17))  # a rehearsal clock on the event's day
    real_time = checkin(CODES.vip, "LOUNGE", at=datetime.now(UTC) - timedelta(hours=30))
    assert stored(hub.push("Desk A", [rehearsal, real_time])) == {rehearsal["key"], real_time["key"]}


def test_forced_needs_the_managers_marker_and_then_is_not_a_conflict(hub: Hub) -> None:
    first = checkin(CODES.attendee_excluded, "HALL", desk="Desk B", at=local(23, 9, 1))
    assert stored(hub.push("Desk B", [first]))
    unmarked = checkin(CODES.attendee_excluded, "HALL", at=local(23, 9, 2), forced=True, operator="")
    marked = checkin(CODES.attendee_excluded, "HALL", at=local(23, 9, 3), forced=True,
                     operator="Manager Li", reason="VIP escort", verdict="NOT_ADMITTED_HERE")
    r = hub.push("Desk A", [unmarked, marked])
    assert list(refused(r)) == [unmarked["key"]] and stored(r) == {marked["key"]}
    row = event_row(hub, marked["key"])
    assert row is not None and row.forced and not row.conflict


def test_a_desk_undoes_only_its_own_events_unless_a_manager_says_so(hub: Hub) -> None:
    b_event = checkin(CODES.attendee, "LOUNGE", desk="Desk B", at=local(23, 10))
    a_event = checkin(CODES.attendee, "LOUNGE", at=local(23, 10, 1))
    assert stored(hub.push("Desk B", [b_event]))

    def undo(target: dict[str, Any], **over: Any) -> dict[str, Any]:
        return checkin(CODES.attendee, "LOUNGE", at=local(23, 10, 5), verdict="UNDO",
                       undoes=target["key"], **over)

    sneaky = undo(b_event)
    own = undo(a_event)
    other_pair = checkin(CODES.vip, "LOUNGE", at=local(23, 10, 6), verdict="UNDO", undoes=a_event["key"])
    of_an_undo = undo(own)
    nowhere = undo({"key": str(uuidlib.uuid4())})
    r = hub.push("Desk A", [a_event, sneaky, own, other_pair, of_an_undo, nowhere])
    reasons = refused(r)
    assert "its own events" in reasons[sneaky["key"]]
    assert "same delegate" in reasons[other_pair["key"]]
    assert "cannot itself be undone" in reasons[of_an_undo["key"]]
    assert "not at the hub" in reasons[nowhere["key"]]
    assert stored(r) == {a_event["key"], own["key"]}
    # A manager at desk A may undo desk B's scan, and says so.
    by_manager = undo(b_event, forced=True, operator="Manager Li", reason="wrong person scanned")
    assert stored(hub.push("Desk A", [by_manager])) == {by_manager["key"]}


def test_a_malformed_item_is_refused_alone(hub: Hub) -> None:
    good = checkin(CODES.media_allowed)
    items: list[Any] = ["not an item", 7, None, {"table": "checkins"},
                        {"table": "checkins", "payload": []}, {"table": ["x"], "payload": {}},
                        {"table": "audit", "key": "k", "payload": {"uuid": 5}}, good]
    r = hub.push("Desk A", items)
    assert stored(r) == {good["key"]}
    assert len(r.json()["rejected"]) == len(items) - 1


def hub_cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> str:
    """`checkin-app hub … --db HUB` as the organiser runs it beside the hub (in this process)."""
    from checkin_app.cli import main

    capsys.readouterr()
    assert main(["hub", *args, "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_the_organiser_revokes_a_desk_key_and_lifts_it_again_audited(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`hub revoke-desk` then `hub lift-revocation`: badges signed by the key are valid again."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from checkin_app.domain.verdicts import Verdict
    from checkin_app.services import keys
    from checkin_app.services.checkin import CheckInService
    from checkin_app.sync.protocol import AccessRefused
    from tests.sync.conftest import HubRig, build_hub
    from tests.sync.test_enrolment_keys import NOW, walk_in

    key_file = tmp_path / "event-key.pem"
    keys.write_key_file(key_file, Ed25519PrivateKey.generate())
    path = tmp_path / "hub.sqlite3"
    store = build_hub(path, 20)
    cert = ensure_certificate(tmp_path / "tls")
    proc = HubProcess(str(path), tmp_path / "tls", args=["--event-key", str(key_file)]).start()
    rig = HubRig(path, store, proc, cert.fingerprint)
    try:
        a_db, a = rig.desk(tmp_path, "Desk A")
        b_db, b = rig.desk(tmp_path, "Desk B")
        a.sync_once()
        b.sync_once()
        with a_db.read() as s:
            signer = keys.signing_key(s)
        assert signer is not None
        badge = walk_in(a_db, "现场嘉宾")
        hub_cli(capsys, path, "revoke-desk", "Desk A", "--reason", "wrong laptop")  # made in error
        assert b.pull_once(wait=15.0).applied >= 1
        assert CheckInService(b_db, NOW).scan(badge, desk="Desk B").verdict is Verdict.REVOKED

        printed = hub_cli(capsys, path, "lift-revocation", str(signer.key_id), "--reason",
                          "it was desk C's laptop")
        assert "lifted" in printed
        assert b.pull_once(wait=15.0).applied >= 1
        assert CheckInService(b_db, NOW).scan(badge, desk="Desk B").verdict is Verdict.SIGNATURE_ONLY
        with store.db.read() as s:
            entry = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "key_revocation_lift")).one()
        assert entry.operator == "hub" and "desk C" in entry.after_json
        # The desk itself was cut off in error too: reinstated, it syncs again (audited).
        with pytest.raises(AccessRefused):
            a.push_once()
        assert "reinstated" in hub_cli(capsys, path, "reinstate-desk", "Desk A", "--reason", "wrong laptop")
        a.sync_once()
        with store.db.read() as s:
            assert s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "desk_reinstated")).one()
        a.close_clients()
        b.close_clients()
    finally:
        proc.stop()
        store.db.close()
        for d in rig.desks:
            d.close()


# -- 4. no request takes the hub down ----------------------------------------------------------
def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


_BOMB: list[bytes] = []


def gzip_bomb() -> bytes:
    """About 250 KB of gzip that decompresses to 256 MiB of zeros (made once)."""
    if not _BOMB:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b"\0" * (1 << 20)
        _BOMB.append(b"".join([*(z.compress(chunk) for _ in range(256)), z.flush()]))
    return _BOMB[0]


def raw_request(hub: Hub, head: str, body: bytes = b"", *, read: bool = True) -> bytes:
    """One HTTPS request written by hand (a Content-Length the body need not match)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", hub.proc.port), timeout=10) as sock, \
            ctx.wrap_socket(sock) as tls:
        tls.sendall(head.encode("latin-1") + body)
        if not read:
            return b""
        out = b""
        with contextlib.suppress(OSError):
            while chunk := tls.recv(65536):
                out += chunk
                if b"\r\n\r\n" in out:
                    break
        return out


def test_a_gzip_bomb_is_refused_without_the_hub_growing(hub: Hub) -> None:
    pid = hub.proc.proc.pid if hub.proc.proc else 0
    before = _rss_mb(pid)
    bomb = gzip_bomb()
    gz = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    stranger = hub.push(None, body=bomb, headers=gz)
    assert stranger.status_code == 403
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _i: hub.push("Desk A", body=bomb, headers=gz), range(4)))
    assert [a.status_code for a in answers] == [413] * 4
    assert "too large" in answers[0].json()["message_en"]
    assert _rss_mb(pid) - before < 120  # decompressed at most to the limit, never to 256 MiB
    genuine = checkin(CODES.vip, "LOUNGE", at=local(23, 12))
    assert stored(hub.push("Desk A", [genuine])) == {genuine["key"]}


def test_a_body_over_the_limit_is_refused_before_it_is_read(hub: Hub) -> None:
    token = hub.desk("Desk A")
    head = (f"POST {API_PREFIX}/push HTTP/1.1\r\nHost: x\r\n{H_PROTOCOL}: {PROTOCOL_VERSION}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {200 * 1024 * 1024}\r\n\r\n")
    answer = raw_request(hub, head)  # not a byte of the 200 MB is sent
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    stranger = raw_request(hub, head.replace(token, "nobody"))
    assert stranger.startswith(b"HTTP/1.1 403"), stranger[:200]


MALFORMED: list[tuple[bytes, dict[str, str]]] = [
    (b"{not json", {}),
    (b"\xff\xfe\xfa garbage", {}),
    (b'{"items": [{"table": "checkins", "key": "\\ud800", "payload": {"uuid": "\\udfff", "at": "\\ud83d"}}]}',
     {}),
    (b"[" * 5000 + b"]" * 5000, {}),
    (b"[" * 500_000, {}),
    (b'{"items": "all of them"}', {}),
    (b'{"items": {"table": "checkins"}}', {}),
    (b"[1, 2, 3]", {}),
    (b"null", {}),
    (b'{"items": [[], 1.5e999, {"table": 1}, {"table": "checkins", "payload": {"at": 7}}]}', {}),
    (b'{"items": [{"table": "checkins", "payload": {"uuid": "u", "delegate": {"x": 1}}}]}', {}),
    (b"not gzip at all", {"Content-Encoding": "gzip"}),
    (gzip.compress(b'{"items": []}')[:-9], {"Content-Encoding": "gzip"}),
]


@pytest.mark.parametrize("body, headers", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_push_gets_a_reason_never_a_server_error(
        hub: Hub, body: bytes, headers: dict[str, str]) -> None:
    r = hub.push("Desk A", body=body, headers=headers)
    assert r.status_code < 500, r.text
    answer = r.json()
    assert r.status_code == 200 or answer["message_en"]
    assert "Traceback" not in hub.log


def test_malformed_enrolments_and_queries_get_4xx(hub: Hub) -> None:
    with hub.client() as c:
        for body in (b"{", b"[]", b'{"token": 5}', b'{"token": "x", "public_key": "zz"}', b"\xff" * 10,
                     b'{"token": "' + b"a" * 100_000 + b'"}'):
            r = c.post(API_PREFIX + "/enrol", content=body)
            assert 400 <= r.status_code < 500, (body[:20], r.status_code, r.text)
        auth = {"Authorization": f"Bearer {hub.desk('Desk A')}"}
        for query in ("since=abc", "limit=x", "wait=nan", "since=-5", f"since={2**63}", f"since={2**70}",
                      "wait=1e308"):
            r = c.get(f"{API_PREFIX}/changes?{query}", headers=auth)
            assert r.status_code < 500, (query, r.status_code)
    assert "Traceback" not in hub.log


def test_absurd_health_reports_are_clamped_and_block_nobody(hub: Hub) -> None:
    liar, honest = hub.desk("Desk Liar"), hub.desk("Desk Honest")
    with hub.client() as c:
        for desk_time in ("2090-01-01T00:00:00+00:00", "1900-01-01T00:00:00+00:00", "garbage", "9" * 5000):
            r = c.get(f"{API_PREFIX}/changes?since={2**63}", headers={
                "Authorization": f"Bearer {liar}", "X-Desk-Queue": "99999999999999999999",
                "X-Desk-Time": desk_time, "X-Desk-Printer": "%00%ff%ED%A0%80" * 50,
                "X-Desk-App": "\x7f" * 99})
            assert r.status_code == 200, r.text
        r = c.get(f"{API_PREFIX}/changes", headers={
            "Authorization": f"Bearer {honest}", "X-Desk-Queue": "3",
            "X-Desk-Time": iso(datetime.now(UTC)) or ""})
        assert r.status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            desks = {d.name: d for d in hub.store.desks()}
            if desks["Desk Honest"].queue_length == 3 and desks["Desk Liar"].last_seen_at is not None:
                break
            time.sleep(0.2)
        assert desks["Desk Honest"].queue_length == 3
        liar_row = desks["Desk Liar"]
        assert liar_row.queue_length == 10_000_000 and liar_row.clock_skewed
        assert liar_row.clock_offset_ms is not None and -(2**31) <= liar_row.clock_offset_ms < 2**31
        key = hub.store.setting("hub.dashboard_key")
        assert c.get(f"/dashboard/data?key={key}").status_code == 200
    assert "Traceback" not in hub.log


def test_unstorable_values_are_refused_alone_on_both_databases(hub: Hub) -> None:
    long_desk = checkin(CODES.media, "LOUNGE", desk="D" * 125, at=local(23, 13))
    print_uuid = str(uuidlib.uuid4())
    bad_print = {"table": "badge_prints", "key": print_uuid, "payload": {
        "uuid": print_uuid, "delegate": CODES.media, "badge_serial": 2**40, "desk": "D" * 125,
        "operator": "v", "printer": "p" * 400, "reason": "first", "outcome": "printed", "message": "",
        "at": iso(local(23, 13)), "template": "", "job_uuid": ""}}
    serial = {"table": "badge_revocations", "key": f"{CODES.media}:{2**63}", "payload": {
        "delegate": CODES.media, "serial": 2**63, "revoked_at": iso(local(23, 13)), "reason": "r"}}
    r = hub.push("Desk A", [long_desk, bad_print, serial])
    assert stored(r) == {long_desk["key"]}  # the desk name comes from the token, not the payload
    assert set(refused(r)) == {print_uuid, f"{CODES.media}:{2**63}"}
    row = event_row(hub, long_desk["key"])
    assert row is not None and row.desk == "Desk A"
    with pytest.raises(ValueError):
        hub.store.create_enrolment("D" * 125)


# -- hypothesis: whatever the body, an answer with a reason -------------------------------------
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
_fields = st.sampled_from(["uuid", "delegate", "activity", "direction", "desk", "operator", "at", "verdict",
                           "forced", "reason", "undoes", "serial", "badge_serial", "public_key", "printer"])
_payload = st.dictionaries(_fields, _json | st.text(max_size=200), max_size=10)
_item = st.fixed_dictionaries({"table": st.sampled_from(["checkins", "audit", "badge_prints", "delegates",
                                                         "badge_revocations", "key_revocations", "x"]),
                               "key": _json, "payload": _payload | _json})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.binary(max_size=300),
    _json.map(lambda v: json.dumps(v).encode()),
    st.lists(_item, max_size=6).map(lambda items: json.dumps({"items": items}).encode()),
))
def test_any_push_body_gets_an_answer_never_a_server_error(hub: Hub, body: bytes) -> None:
    r = hub.push("Desk Fuzz", body=body)
    assert r.status_code in (200, 400, 413), r.text
    answer = r.json()
    if r.status_code == 200:
        assert {"stored", "duplicates", "rejected"} <= set(answer)


# -- 3 and 4: a hub that stops at once, and slow clients ------------------------------------------
@pytest.fixture
def lone_hub(tmp_path: Path) -> Iterator[Hub]:
    """A hub of its own (SQLite), with a 1-second deadline for request heads."""
    db = HubDatabase(tmp_path / "hub.sqlite3")
    make_event(db, hall_capacity=None)  # type: ignore[arg-type]
    store = HubStore(db)
    store.refresh()
    ensure_certificate(tmp_path / "tls")
    proc = HubProcess(str(tmp_path / "hub.sqlite3"), tmp_path / "tls",
                      env={"CHECKIN_HUB_HEADER_TIMEOUT_S": "1"}).start()
    yield Hub("sqlite", store, proc)
    proc.stop()
    db.close()


def test_the_hub_stops_within_a_second_quietly_with_long_polls_open(lone_hub: Hub) -> None:
    hub = lone_hub
    auth = {"Authorization": f"Bearer {hub.desk('Desk A')}"}
    high = hub.store.high_water()

    def long_poll(_i: int) -> int:
        with hub.client() as c:
            try:
                return c.get(f"{API_PREFIX}/changes?since={high}&wait=25", headers=auth).status_code
            except httpx.HTTPError:
                return -1

    with ThreadPoolExecutor(5) as pool:
        polls = [pool.submit(long_poll, i) for i in range(5)]
        time.sleep(1.0)  # all five are waiting at the hub now
        assert hub.proc.proc is not None
        started = time.monotonic()
        hub.proc.proc.send_signal(signal.SIGTERM)
        rc = hub.proc.proc.wait(10)
        took = time.monotonic() - started
        answers = [p.result(10) for p in polls]
    assert took < 1.5, took
    assert rc == 0
    assert set(answers) <= {200, 204}  # each long-poll was answered, none cut off
    log = hub.log
    assert "Traceback" not in log and "Cancel" not in log and "ERROR" not in log


def test_a_client_that_never_finishes_its_request_head_is_disconnected(lone_hub: Hub) -> None:
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", lone_hub.proc.port), timeout=10) as sock, \
            ctx.wrap_socket(sock) as tls:
        started = time.monotonic()
        tls.sendall(b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\n")  # and then nothing more
        with contextlib.suppress(OSError):
            assert tls.recv(100) == b""  # closed by the hub
        assert time.monotonic() - started < 5
    with socket.create_connection(("127.0.0.1", lone_hub.proc.port), timeout=10) as sock, \
            ctx.wrap_socket(sock) as tls:
        started = time.monotonic()  # a connection that says nothing at all
        with contextlib.suppress(OSError):
            assert tls.recv(100) == b""
        assert time.monotonic() - started < 5
    with lone_hub.client() as c:  # the hub serves on
        assert c.get(API_PREFIX + "/hello").status_code == 200


# -- 6. data at rest --------------------------------------------------------------------------
def test_databases_are_created_0600_and_looser_ones_tightened(tmp_path: Path) -> None:
    from checkin_app.storage.db import Database

    db = Database(tmp_path / "new" / "desk.sqlite3")
    with db.write() as s:
        s.add(mh.SyncState(key="k", value="v"))
    for f in (tmp_path / "new" / "desk.sqlite3", tmp_path / "new" / "desk.sqlite3-wal"):
        assert f.stat().st_mode & 0o777 == 0o600, f
    db.close()
    loose = tmp_path / "old.sqlite3"
    Database(loose).close()
    loose.chmod(0o644)
    Database(loose).close()
    assert loose.stat().st_mode & 0o777 == 0o600


def test_the_dashboard_key_is_printed_once_then_on_request(
        lone_hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    key = lone_hub.store.setting("hub.dashboard_key")
    assert key and lone_hub.log.count(key) == 1  # printed when made
    lone_hub.proc.stop()
    lone_hub.proc.start()
    assert lone_hub.log.count(key) == 1 and "dashboard-key" in lone_hub.log
    printed = hub_cli(capsys, Path(lone_hub.proc.db), "dashboard-key")
    assert printed.strip().endswith(f"/dashboard?key={key}")


def test_a_reprint_revokes_only_the_badge_in_use(hub: Hub) -> None:
    with hub.store.db.read() as s:
        serial = s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.uid == CODES.noted))
    assert serial is not None

    def revocation(n: int) -> dict[str, Any]:
        return {"table": "badge_revocations", "key": f"{CODES.noted}:{n}", "payload": {
            "delegate": CODES.noted, "serial": n, "revoked_at": iso(local(23, 14)), "reason": "lost",
            "desk": "Desk B", "operator": "v"}}

    future, in_use, next_one = revocation(serial + 5), revocation(serial), revocation(serial + 1)
    r = hub.push("Desk A", [future, in_use, next_one])  # two reprints offline, and a made-up one
    assert "in use" in refused(r)[future["key"]]
    assert stored(r) == {in_use["key"], next_one["key"]}
    with hub.store.db.read() as s:
        assert s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.uid == CODES.noted)) == serial + 2
        desks = set(s.scalars(select(sec.BadgeRevocation.desk)))
    assert desks == {"Desk A"}


def test_a_walk_in_in_another_desks_id_block_is_refused(hub: Hub) -> None:
    from checkin_app.domain.tokens import walk_in_id
    from checkin_app.sync import tables as sync_tables

    hub.desk("Desk B")
    with hub.store.db.write() as s:
        for key_id, name in ((901, "Desk B"), (902, "Desk A")):
            if s.scalar(select(sec.DeskKey.id).where(sec.DeskKey.key_id == key_id)) is None:
                s.add(sec.DeskKey(key_id=key_id, desk_name=name, public_key=f"{key_id:064x}",
                                  created_at=datetime.now(UTC)))
    with hub.store.db.read() as s:
        [(_uid, template)] = list(sync_tables.DELEGATES.export(s, [CODES.attendee]))

    def walk_in(key_id: int, n: int) -> dict[str, Any]:
        uid = str(uuidlib.uuid4())
        p = {**template, "uid": uid, "id": walk_in_id(key_id, n), "registration_code": f"W-{uid[:8]}",
             "walk_in": True}
        return {"table": "delegates", "key": uid, "payload": p}

    in_b_block, in_own_block = walk_in(901, 1), walk_in(902, 1)
    r = hub.push("Desk A", [in_b_block, in_own_block])
    assert "Desk B" in refused(r)[in_b_block["key"]]
    assert stored(r) == {in_own_block["key"]}
