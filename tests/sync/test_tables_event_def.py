"""The event definition's columns travel to desks with the activities and categories they belong to."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from checkin_app.domain.clock import FixedClock
from checkin_app.services import event_files as ef
from checkin_app.services.event_setup import EventSetupService
from checkin_app.storage.db import Database
from checkin_app.sync import tables as st

CLOCK = FixedClock(datetime(2024, 11, 20, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


def test_a_desk_gets_the_whole_definition_from_the_synced_tables(tmp_path: Path) -> None:
    hub, desk = Database(tmp_path / "hub.sqlite3"), Database(tmp_path / "desk.sqlite3")
    try:
        EventSetupService(hub, CLOCK).apply(ef.chongqing())
        with hub.read() as s:
            payloads = {n: [p for _, p in st.REGISTRY[n].export(s, None)]
                        for n in ("events", "categories", "activities")}
        main = next(p for p in payloads["activities"] if p["code"] == "MAIN")
        assert main["once_per_day"] is True and main["reentry"] is True
        assert {"doors_after_minutes", "admits_all", "except_categories", "archived"} <= set(main)
        guest = next(p for p in payloads["categories"] if p["code"] == "GUEST")
        assert "嘉宾" in guest["aliases"] and "badge_template" in guest
        with desk.write() as s:
            for name in ("events", "categories", "activities"):
                st.REGISTRY[name].apply(s, payloads[name])
        assert EventSetupService(desk, CLOCK).current() == ef.chongqing()
    finally:
        hub.close()
        desk.close()
