"""Offline bundles (USB stick): a desk's unsynced events to the hub, and the hub's data to an offline desk.

Both are gzip-compressed JSON lines: a header line, then one line per item, then an end line
with the count, so a file cut short (a stick pulled too early) is recognised and refused.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin_app.storage.db import Database
from checkin_app.sync.protocol import PROTOCOL_VERSION, SyncError, bilingual, dumps, iso

FORMAT = "checkin-desk/bundle"
KIND_DESK = "desk-events"
KIND_HUB = "hub-data"
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """What a bundle file holds."""

    kind: str
    items: int
    desk: str = ""
    hub: str = ""


def _write(path: Path, header: dict[str, Any], lines: Iterator[dict[str, Any]]) -> int:
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        f.write(dumps({"format": FORMAT, "protocol": PROTOCOL_VERSION, **header}) + b"\n")
        for line in lines:
            f.write(dumps(line) + b"\n")
            n += 1
        f.write(dumps({"end": True, "count": n}) + b"\n")
    os.replace(tmp, path)
    return n


def _damaged(path: Path) -> SyncError:
    return SyncError(bilingual(f"数据包 {path} 已损坏或不完整（未导入任何内容）",
                               f"Bundle {path} is damaged or cut short (nothing was imported)"))


def read_bundle(path: Path, kind: str) -> tuple[dict[str, Any], Iterator[list[dict[str, Any]]]]:
    """The header and the items in chunks; raises SyncError for a foreign, newer or truncated file.

    The whole file is checked (end line and count) before the first chunk is handed out, so a
    damaged bundle is refused as a whole rather than half imported.
    """
    try:
        with gzip.open(path, "rb") as f:
            header = json.loads(f.readline())
            ended = False
            for n, raw in enumerate(f):
                obj = json.loads(raw)
                if obj.get("end"):
                    ended = obj.get("count") == n
                    break
    except (OSError, ValueError, EOFError) as exc:
        raise _damaged(path) if "header" in locals() else SyncError(bilingual(
            f"{path} 不是签到数据包", f"{path} is not a check-in bundle")) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("kind") != kind:
        zh, en = {KIND_DESK: ("签到台导出的数据包", "a desk's export"),
                  KIND_HUB: ("中心服务器导出的数据包", "a hub's export")}[kind]
        raise SyncError(bilingual(f"{path} 不是{zh}", f"{path} is not {en}"))
    if header.get("protocol") != PROTOCOL_VERSION:
        raise SyncError(bilingual(
            f"数据包协议版本 v{header.get('protocol')} 与本程序 v{PROTOCOL_VERSION} 不符",
            f"Bundle protocol v{header.get('protocol')} does not match this program's v{PROTOCOL_VERSION}"))
    if not ended:
        raise _damaged(path)

    def chunks() -> Iterator[list[dict[str, Any]]]:
        chunk: list[dict[str, Any]] = []
        with gzip.open(path, "rb") as f:
            f.readline()
            for raw in f:
                obj = json.loads(raw)
                if obj.get("end"):
                    break
                chunk.append(obj)
                if len(chunk) >= CHUNK:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    return header, chunks()


# -- desk side ----------------------------------------------------------------------------------
def export_desk_events(db: Database, path: Path) -> BundleInfo:
    """Write every event this desk has not yet got onto the hub (they stay queued for the network too)."""
    from checkin_app.services.catalog import CatalogService
    from checkin_app.sync.client import DeskSync

    sync = DeskSync(db)
    cfg = sync.config()
    desk = (cfg.desk if cfg else "") or CatalogService(db).settings().desk_name or "desk"
    with db.read() as s:
        items, _marks = sync._outbox(s, limit=None)
    n = _write(path, {"kind": KIND_DESK, "desk": desk, "hub": cfg.hub_id if cfg else "",
                      "created_at": iso(sync.clock.now())}, iter(items))
    return BundleInfo(KIND_DESK, n, desk=desk)


def import_hub_data(db: Database, path: Path) -> BundleInfo:
    """Apply a hub's data bundle at an offline desk (idempotent; a re-import changes nothing)."""
    from checkin_app.sync.client import K_HUB, DeskSync, _get, _set

    header, chunks = read_bundle(path, KIND_HUB)
    sync = DeskSync(db)
    with db.read() as s:
        known_hub = _get(s, K_HUB) or ""
    same_hub = known_hub in ("", header.get("hub"))
    n = 0
    for chunk in chunks:
        sync._apply(chunk, big=True, move_cursor=same_hub)
        n += len(chunk)
    if same_hub and not known_hub:
        with db.write() as s:
            _set(s, K_HUB, str(header.get("hub", "")))
    sync.index_pending()
    return BundleInfo(KIND_HUB, n, hub=str(header.get("hub", "")))
