"""Sync fixtures: a real hub process on loopback holding a small demo event, and desk databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

from checkin_app.domain.clock import Clock
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import ensure_certificate
from checkin_app.storage.db import Database
from checkin_app.sync.client import DeskSync
from checkin_app.sync.protocol import EnrolmentCode
from tests.hub.support import HubProcess


@dataclass
class HubRig:
    """A hub database (open in the test too), its certificate and its server process."""

    path: Path
    store: HubStore
    proc: HubProcess
    fingerprint: str
    desks: list[Database] = field(default_factory=list)

    def code(self, name: str, url: str | None = None) -> str:
        """A fresh one-time enrolment code for a desk."""
        token = self.store.create_enrolment(name)
        return EnrolmentCode(url or self.proc.url, token, self.fingerprint, name).encode()

    def desk(self, tmp: Path, name: str, url: str | None = None,
             clock: Clock | None = None) -> tuple[Database, DeskSync]:
        """A new desk database enrolled with this hub (through `url`, e.g. a proxy)."""
        db = Database(tmp / f"desk-{name}.sqlite3")
        self.desks.append(db)
        sync = DeskSync(db, clock)
        sync.enrol(self.code(name, url))
        return db, sync


def build_hub(path: Path, size: int) -> HubStore:
    """A hub SQLite file with the demo event, published."""
    from checkin_app.demo.build import build_demo

    db = HubDatabase(path)
    build_demo(cast(Database, db), size=size, seed=7)
    store = HubStore(db)
    store.refresh()
    return store


@pytest.fixture
def make_rig(tmp_path: Path) -> Iterator[Callable[..., HubRig]]:
    """Build and start hubs; everything is stopped and closed afterwards."""
    rigs: list[HubRig] = []

    def build(size: int = 300, env: dict[str, str] | None = None) -> HubRig:
        path = tmp_path / f"hub{len(rigs)}.sqlite3"
        store = build_hub(path, size)
        tls = tmp_path / f"tls{len(rigs)}"
        cert = ensure_certificate(tls)
        proc = HubProcess(str(path), tls, env=env).start()
        rig = HubRig(path, store, proc, cert.fingerprint)
        rigs.append(rig)
        return rig

    yield build
    for rig in rigs:
        rig.proc.stop()
        rig.store.db.close()
        for d in rig.desks:
            d.close()


@pytest.fixture
def rig(make_rig: Callable[..., HubRig]) -> HubRig:
    """A running hub with 300 demo delegates."""
    return make_rig()
