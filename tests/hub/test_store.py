"""HubStore is its parts put together: each name a caller uses is a part's own method; one log, one clock."""

from __future__ import annotations

from checkin_app.hub.store import HubStore


def test_each_name_is_the_parts_own_method_and_the_parts_share_one_change_log(hub: HubStore) -> None:
    parts = {
        hub.changelog: ("allocate", "publish", "refresh", "high_water", "changes_after", "changes"),
        hub.desk_registry: ("create_enrolment", "enrol", "authenticate", "revoke", "reinstate", "report",
                            "flush_health", "desks"),
        hub.settings: ("setting", "set_setting", "hub_id"),
    }
    for part, names in parts.items():
        for name in names:
            bound, own = getattr(hub, name), getattr(part, name)
            # A staticmethod (allocate) is the same function; a method is bound to the part itself.
            assert bound == own and getattr(bound, "__self__", part) is part, name
    assert hub.desk_registry.changelog is hub.changelog
    assert hub.changelog.clock is hub.clock is hub.desk_registry.clock
