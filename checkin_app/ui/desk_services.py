"""The narrow set of services the desk window needs, so tests can build it from any database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from checkin_app.domain.clock import Clock
from checkin_app.domain.types import DelegateView
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.search import SearchService, SeenAt
from checkin_app.storage.db import Database


class Searcher(Protocol):
    """Anything that finds people by name or code."""

    def search(self, text: str, *, limit: int = 20) -> list[DelegateView]:
        """Best matches first."""
        ...

    def seen_at(self, delegate_ids: Sequence[int], activity_code: str) -> dict[int, SeenAt]:
        """Who of these has checked in to the activity."""
        ...


@dataclass(frozen=True, slots=True)
class DeskServices:
    """Check-in, catalogue and search services plus the clock they share."""

    checkin: CheckInService
    catalog: CatalogService
    search: Searcher
    clock: Clock

    @classmethod
    def from_db(cls, db: Database, clock: Clock) -> DeskServices:
        """Wire the real services on one database."""
        return cls(CheckInService(db, clock), CatalogService(db, clock), SearchService(db), clock)
