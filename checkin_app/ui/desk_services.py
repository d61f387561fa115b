"""The narrow set of services the desk window needs, so tests can build it from any database."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Protocol

from checkin_app.domain.clock import Clock
from checkin_app.domain.types import DelegateView
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.storage.db import Database

log = logging.getLogger(__name__)


class Searcher(Protocol):
    """Anything that finds people by name or code."""

    def search(self, text: str, limit: int = 20) -> list[DelegateView]:
        """Best matches first."""
        ...


class _NoSearch:
    """Stands in while the search service is not installed, so the rest of the desk still works."""

    def search(self, text: str, limit: int = 20) -> list[DelegateView]:
        return []


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
        # Looked up by name, and a broken search module is logged rather than fatal: scanning
        # at the door matters more than finding people by name.
        try:
            module = importlib.import_module("checkin_app.services.search")
        except ImportError:
            log.exception("search service unavailable; name search is disabled")
            module = None
        service_cls = getattr(module, "SearchService", None)
        searcher: Searcher = service_cls(db) if service_cls is not None else _NoSearch()
        return cls(CheckInService(db, clock), CatalogService(db, clock), searcher, clock)
