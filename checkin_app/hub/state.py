"""What the hub's routes share: the store, the change feed and hub-level settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from checkin_app.hub.feed import ChangeFeed
from checkin_app.hub.store import HubStore


@dataclass
class HubState:
    """What the routes share: the store, the change feed and hub-level settings."""

    store: HubStore
    feed: ChangeFeed = field(init=False)
    hub_id: str = ""
    dashboard_key: str = ""
    public_url: str = ""
    fingerprint: str = ""

    def __post_init__(self) -> None:
        store = self.store

        self.feed = ChangeFeed(store.changes_after, store.high_water, on_tables=store.forget)
