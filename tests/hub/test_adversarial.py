"""A hostile enrolled desk, and hostile strangers, against a real hub on loopback (SQLite and PostgreSQL).

Each test sends one attack of issue 15 and asserts the refusal: a desk speaks only for itself,
key revocations come only from the organiser, and no request (too large, malformed, or holding
absurd health reports) takes the hub down or blocks the other desks.
"""

from __future__ import annotations

import json
import os
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
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


def test_the_organiser_revokes_a_desk_key_and_lifts_it_again_audited(tmp_path: Path) -> None:
    """`hub revoke-desk` then `hub lift-revocation`: badges signed by the key are valid again."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from checkin_app.domain.verdicts import Verdict
    from checkin_app.services import keys
    from checkin_app.services.checkin import CheckInService
    from tests.sync.conftest import HubRig, build_hub
    from tests.sync.test_enrolment_keys import NOW, hub_cli, walk_in

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
        hub_cli(path, "revoke-desk", "Desk A", "--reason", "wrong laptop")  # made in error
        assert b.pull_once(wait=15.0).applied >= 1
        assert CheckInService(b_db, NOW).scan(badge, desk="Desk B").verdict is Verdict.REVOKED

        printed = hub_cli(path, "lift-revocation", str(signer.key_id), "--reason", "it was desk C's laptop")
        assert "lifted" in printed
        assert b.pull_once(wait=15.0).applied >= 1
        assert CheckInService(b_db, NOW).scan(badge, desk="Desk B").verdict is Verdict.SIGNATURE_ONLY
        with store.db.read() as s:
            entry = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "key_revocation_lift")).one()
        assert entry.operator == "hub" and "desk C" in entry.after_json
        a.close_clients()
        b.close_clients()
    finally:
        proc.stop()
        store.db.close()
        for d in rig.desks:
            d.close()
