"""HubStore: everything the hub does to its database under one name, put together from its parts."""

from __future__ import annotations

from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.hub.changelog import ChangeLog
from checkin_app.hub.conflicts import ConflictView, flagged_admissions
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.desks import Desks
from checkin_app.hub.ingest import PushIngest
from checkin_app.hub.settings import HubSettings


class HubStore(PushIngest):
    """The hub's database work, one transaction per call; no logic of its own.

    It is the push ingest (hub.ingest) with the other parts beside it: the change log
    (hub.changelog), desks and enrolment (hub.desks), settings (hub.settings) and the
    conflicts view (hub.conflicts). Their methods are bound below under the names the routes,
    the CLI and the tests call, so a change goes in the part's module, never here.
    """

    def __init__(self, db: HubDatabase, clock: Clock | None = None) -> None:
        clock = clock or SystemClock()
        super().__init__(db, clock, ChangeLog(db, clock))
        self.desk_registry = Desks(db, clock, self.changelog)
        self.settings = HubSettings(db)
        # The change log (allocate and publish are bound by the ingest, which uses them).
        self.refresh = self.changelog.refresh
        self.high_water = self.changelog.high_water
        self.changes_after = self.changelog.changes_after
        self.changes = self.changelog.changes
        # Desks: enrolment, authentication, revocation, health.
        self.create_enrolment = self.desk_registry.create_enrolment
        self.enrol = self.desk_registry.enrol
        self.authenticate = self.desk_registry.authenticate
        self.revoke = self.desk_registry.revoke
        self.reinstate = self.desk_registry.reinstate
        self.report = self.desk_registry.report
        self.flush_health = self.desk_registry.flush_health
        self.desks = self.desk_registry.desks
        # Settings.
        self.setting = self.settings.setting
        self.set_setting = self.settings.set_setting
        self.hub_id = self.settings.hub_id

    def conflicts(self) -> list[ConflictView]:
        """Flagged admissions beside the earlier ones (hub.conflicts.flagged_admissions)."""
        return flagged_admissions(self.db)
