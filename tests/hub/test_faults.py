"""The push path's fault points: a hook a test installs on one store runs inside and after the commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from checkin_app.hub.store import HubStore
from checkin_app.storage import models as m
from tests.factories import MiniEvent, local
from tests.hub.test_ingest import checkin


class Boom(Exception):
    """What the hook raises to stand for the hub dying at that point."""


def _stored(hub: HubStore) -> set[str]:
    with hub.db.read() as s:
        return set(s.scalars(select(m.CheckIn.uuid)))


def test_the_hooks_run_at_both_points_and_a_store_has_none_by_default(hub: HubStore) -> None:
    seen: list[tuple[str, set[str]]] = []
    item = checkin(MiniEvent().attendee, "MAIN", "A", local(23, 9, 5))
    assert hub.ingest("A", [item]).stored  # no hook: nothing happens at either point
    hub.faults = lambda point: seen.append((point, _stored(hub)))
    again = checkin(MiniEvent().vip, "MAIN", "A", local(23, 9, 6))
    hub.ingest("A", [again])
    # Before the commit another reader does not see the push yet; after it, it does.
    assert seen == [("push-before-commit", {item["key"]}), ("push-after-commit", {item["key"], again["key"]})]


def test_a_fault_inside_the_transaction_leaves_nothing_behind(hub: HubStore) -> None:
    def die(point: str) -> None:
        if point == "push-before-commit":
            raise Boom(point)

    hub.faults = die
    item = checkin(MiniEvent().attendee, "MAIN", "A", local(23, 9, 5))
    with pytest.raises(Boom):
        hub.ingest("A", [item])
    assert _stored(hub) == set()
    hub.faults = lambda point: None
    assert [s["key"] for s in hub.ingest("A", [item]).stored] == [item["key"]]  # the retry stores it
