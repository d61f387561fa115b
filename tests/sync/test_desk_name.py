"""A desk's local name and its enrolled name: what is shown where they differ, what a push carries."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from checkin_app.services.catalog import CatalogService
from checkin_app.storage import models as m
from checkin_app.sync.desk_name import DeskName
from tests.sync.conftest import HubRig
from tests.sync.test_client import codes, scan_all


def test_one_name_is_shown_as_it_is() -> None:
    assert DeskName("Desk 3").shown("en") == "Desk 3"
    assert DeskName("Desk 3", "Desk 3").shown("zh") == "Desk 3"
    assert DeskName("", "hall-A-1").shown("en") == "hall-A-1"  # enrolled, never named here
    assert DeskName(" hall-A-1 ", "hall-A-1").differs is False
    assert DeskName("Desk 3", "hall-A-1").explained("en") != "" and DeskName("x").explained("zh") == ""


def test_two_names_are_both_shown_in_both_languages_and_the_enrolled_one_is_sent() -> None:
    name = DeskName("Desk 3", "hall-A-1")
    assert name.differs
    assert name.shown("en") == "Desk 3 (enrolled as hall-A-1)"
    assert name.shown("zh") == "Desk 3（中心服务器登记为 hall-A-1）"
    assert "hall-A-1" in name.explained("zh") and "hall-A-1" in name.explained("en")
    assert name.identity == "hall-A-1"
    assert DeskName("Desk 3").identity == "Desk 3"  # no hub: its own name


def test_a_desk_renamed_here_still_pushes_under_its_enrolled_name(rig: HubRig, tmp_path: Path) -> None:
    db, sync = rig.desk(tmp_path, "hall-A-1")
    sync.sync_once()
    CatalogService(db).save_settings(desk_name="Desk 3")  # a manager renames it at the desk
    status = sync.status()
    local = CatalogService(db).settings().desk_name
    assert DeskName(local, status.desk).shown("en") == "Desk 3 (enrolled as hall-A-1)"
    made = scan_all(db, "Desk 3", codes(rig.store, 2))
    with db.read() as s:
        items, _marks = sync._outbox(s)
    sent = [it["payload"]["desk"] for it in items if it["table"] == "checkins"]
    assert sent == ["hall-A-1", "hall-A-1"]
    assert sync.push_once().remaining == 0
    with rig.store.db.read() as s:
        stored = set(s.scalars(select(m.CheckIn.desk).where(m.CheckIn.uuid.in_(made))))
    assert stored == {"hall-A-1"}
    sync.close_clients()
