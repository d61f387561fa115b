"""The hub's settings on SQLite and PostgreSQL: values by key, and an identity made once."""

from __future__ import annotations

from checkin_app.hub.db import HubDatabase
from checkin_app.hub.settings import HubSettings


def test_a_setting_is_stored_replaced_and_read_back(hub_db: HubDatabase) -> None:
    settings = HubSettings(hub_db)
    assert settings.setting("hub.url") is None
    settings.set_setting("hub.url", "https://10.0.0.2:8443")
    settings.set_setting("hub.url", "https://10.0.0.3:8443")
    assert settings.setting("hub.url") == "https://10.0.0.3:8443"


def test_the_hub_id_is_made_once_and_kept_across_openings(hub_db: HubDatabase) -> None:
    first = HubSettings(hub_db).hub_id()
    assert len(first) == 16
    assert HubSettings(hub_db).hub_id() == first  # a desk's cursor stays valid for this hub
