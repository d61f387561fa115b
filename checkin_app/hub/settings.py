"""The hub's own settings (URL, fingerprint, dashboard key, identity), kept in its sync_state table."""

from __future__ import annotations

from sqlalchemy import select

from checkin_app.hub.db import HubDatabase
from checkin_app.storage import models_hub as mh
from checkin_app.sync.protocol import new_token


class HubSettings:
    """Hub-side values by key; one transaction per call."""

    def __init__(self, db: HubDatabase) -> None:
        self.db = db

    def setting(self, key: str) -> str | None:
        """A hub-side value from sync_state."""
        with self.db.read() as s:
            return s.scalar(select(mh.SyncState.value).where(mh.SyncState.key == key))

    def set_setting(self, key: str, value: str) -> None:
        """Store a hub-side value in sync_state."""
        with self.db.write() as s:
            s.merge(mh.SyncState(key=key, value=value))

    def hub_id(self) -> str:
        """This hub's identity (random, made once), so a desk never mixes cursors of two hubs."""
        current = self.setting("hub.id")
        if current:
            return current
        value = new_token()[:16]
        self.set_setting("hub.id", value)
        return value
