"""Hub side of offline bundles: take in a desk's events, write the hub's data for an offline desk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checkin_app.hub.store import HubStore, PushResult
from checkin_app.sync.bundle import KIND_DESK, KIND_HUB, BundleInfo, _write, read_bundle
from checkin_app.sync.protocol import iso


def import_desk_events(store: HubStore, path: Path) -> tuple[BundleInfo, PushResult]:
    """Ingest a desk's bundle exactly like a push (idempotent: importing twice stores nothing twice)."""
    header, chunks = read_bundle(path, KIND_DESK)
    desk = str(header.get("desk") or "bundle")
    total = PushResult()
    n = 0
    for chunk in chunks:
        r = store.ingest(desk, chunk)
        total.stored += r.stored
        total.duplicates += r.duplicates
        total.rejected += r.rejected
        total.high = r.high
        n += len(chunk)
    return BundleInfo(KIND_DESK, n, desk=desk), total


def export_hub_data(store: HubStore, path: Path) -> BundleInfo:
    """Everything desks pull (event, activities, delegates, check-ins …) as one file."""
    hub = store.hub_id()

    def lines() -> Iterator[dict[str, Any]]:
        with store.db.read() as session:
            for seq, table, key, payload in store.changes(session, 0, None):
                yield {"s": seq, "t": table, "k": key, "p": json.loads(payload)}

    n = _write(path, {"kind": KIND_HUB, "hub": hub, "created_at": iso(store.clock.now())}, lines())
    return BundleInfo(KIND_HUB, n, hub=hub)
