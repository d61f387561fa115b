"""The desk core: every desk service built once on one database, shared by the GUI and the CLI (Qt-free)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from checkin_app.domain.clock import Clock
from checkin_app.domain.messages import both, msg
from checkin_app.domain.types import CategoryInfo, DelegateView
from checkin_app.printing.status import PrinterState
from checkin_app.services import walkin
from checkin_app.services.badges import BadgeService
from checkin_app.services.catalog import CatalogService
from checkin_app.services.checkin import CheckInService
from checkin_app.services.conflicts import ConflictService
from checkin_app.services.pins import PinService
from checkin_app.services.search import SearchService, SeenAt
from checkin_app.services.walkin import WalkInForm, WalkInResult
from checkin_app.storage.db import Database

if TYPE_CHECKING:
    # Loaded with the first import or bundle, not at desk start-up (readers, spreadsheets); the
    # sync client (httpx) only by a desk that may talk to a hub, not by one-shot CLI commands.
    from checkin_app.services.importing import ImportService
    from checkin_app.sync.bundle import BundleInfo
    from checkin_app.sync.client import DeskSync, HubConfig


class Searcher(Protocol):
    """Anything that finds people by name or code."""

    def search(self, text: str, *, limit: int = 20) -> list[DelegateView]:
        """Best matches first."""
        ...

    def seen_at(self, delegate_ids: Sequence[int], activity_code: str) -> dict[int, SeenAt]:
        """Who of these has checked in to the activity."""
        ...


class WalkIns:
    """Walk-in registration at this desk: the form's categories, and register-and-check-in."""

    def __init__(self, db: Database, checkin: CheckInService) -> None:
        self._db = db
        self._checkin = checkin

    def categories(self) -> list[CategoryInfo]:
        """Categories in their display order, for the walk-in form."""
        return walkin.categories(self._db)

    def register(self, form: WalkInForm, *, activity_code: str, desk: str,
                 operator: str) -> WalkInResult:
        """Create the walk-in, issue their badge code and check them in (one transaction)."""
        return walkin.register_walk_in(self._checkin, form, activity_code=activity_code,
                                       desk=desk, operator=operator)


class Bundles:
    """USB-stick bundles: this desk's records out, the hub's data in."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def export(self, path: Path, *, operator: str) -> BundleInfo:
        """Write this desk's records not yet on the hub to `path`."""
        from checkin_app.sync.bundle import export_desk_events

        return export_desk_events(self._db, path, operator=operator)

    def import_hub_data(self, path: Path, *, fingerprint: str, operator: str) -> BundleInfo:
        """Check the hub's signature on `path` and apply its data."""
        from checkin_app.sync.bundle import import_hub_data

        return import_hub_data(self._db, path, fingerprint=fingerprint, operator=operator)


class DeskCore:
    """Every service of one desk, built once (Dangerzone's core shared by its CLI and GUI).

    `db` is a path or an opened Database; the core closes only a database it opened. Each
    keyword replaces one real service (tests pass slow or failing fakes this way); the rest
    are built on `db`. `sync` is the desk's sync client, None while the desk is not enrolled
    with a hub (`enrol` makes it); `hub=False` is a desk that never talks to a hub.
    """

    def __init__(self, db: Database | str | Path, clock: Clock, *,
                 checkin: CheckInService | None = None, catalog: CatalogService | None = None,
                 search: Searcher | None = None, badges: BadgeService | None = None,
                 pins: PinService | None = None, conflicts: ConflictService | None = None,
                 importer: ImportService | None = None, hub: bool = True) -> None:
        self._owns_db = not isinstance(db, Database)
        self._db = db if isinstance(db, Database) else Database(db)
        self.clock = clock
        self.checkin = checkin or CheckInService(self._db, clock)
        self.catalog = catalog or CatalogService(self._db, clock)
        self.search: Searcher = search or SearchService(self._db)
        self.badges = badges or BadgeService(self._db, clock)
        self.pins = pins or PinService(self._db, clock)
        self.conflicts = conflicts or ConflictService(self._db)
        self.walkins = WalkIns(self._db, self.checkin)
        self.bundles = Bundles(self._db)
        # The printer line the hub's dashboard shows, read from the sync threads.
        self.printer_state: Callable[[], str] = PrinterState(self._db)
        self._importer = importer
        self.can_sync = hub
        # Sync speaks real time with the hub (its clock check, its receive times): no desk clock.
        self.sync: DeskSync | None = None
        if hub:
            candidate = self._new_sync()
            if candidate.config() is not None:
                self.sync = candidate

    @property
    def db_path(self) -> Path:
        """Where the desk database lives (for messages and the files kept beside it)."""
        return Path(self._db.path)

    def build_name_index(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Build the name-search keys a big import left pending (0 at once when none are)."""
        from checkin_app.services.search import build_pending

        return build_pending(self._db, progress)

    @property
    def importer(self) -> ImportService:
        """Registration import (built on first use)."""
        if self._importer is None:
            from checkin_app.services.importing import ImportService

            self._importer = ImportService(self._db, self.clock)
        return self._importer

    def _new_sync(self) -> DeskSync:
        from checkin_app.sync.client import DeskSync

        return DeskSync(self._db, printer_state=self.printer_state)

    def enrol(self, code: str, *, manager: str = "") -> HubConfig:
        """Enrol this desk with a hub (network: call off the GUI thread); `sync` is then set.

        `manager`: who verified a PIN, needed when the desk already belongs to a hub (audited).
        """
        if not self.can_sync:
            raise RuntimeError(both(msg("desk.no_hub")))
        sync = self.sync or self._new_sync()
        config = sync.enrol(code, manager=manager)
        self.sync = sync
        return config

    def close(self) -> None:
        """Close the database if the core opened it (call after every worker has stopped)."""
        if self.sync is not None:
            self.sync.close_clients()
        if self._owns_db:
            self._db.close()
