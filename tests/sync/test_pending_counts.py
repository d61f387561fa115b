"""What "not uploaded" counts (real hub process): scans, not a scan plus its badge print record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from checkin_app.services.checkin import CheckInService
from checkin_app.sync.client import SyncStatus
from checkin_app.ui.sync_status import status_text, status_tip
from tests.sync.conftest import HubRig
from tests.sync.test_badge_sync import DOORS, first_approved, print_badge


def test_one_scan_with_its_print_is_one_not_uploaded(rig: HubRig, tmp_path: Path) -> None:
    db, sync = rig.desk(tmp_path, "Desk A")
    sync.sync_once()
    did, code = first_approved(db)
    assert CheckInService(db, DOORS).scan(code, desk="Desk A").admitted
    print_badge(db, did, tmp_path / "pdf", "Desk A")
    status = sync.status()
    assert (status.pending, status.pending_scans, status.pending_other) == (2, 1, 1)
    assert "未上传 1" in status_text(status, "zh")[0]
    assert "1 not on hub" in status_text(status, "en")[0]
    assert "print records" not in status_text(status, "en")[0]
    tip = status_tip(status, "en")
    assert "Not on the hub yet: 1" in tip and "Badge print records not on the hub yet: 1" in tip
    sync.push_once()
    status = sync.status()
    assert (status.pending, status.pending_scans, status.pending_other) == (0, 0, 0)
    assert "未上传 0" in status_text(status, "zh")[0]
    sync.close_clients()



def test_a_refused_print_is_named_with_the_refusals_not_in_the_queue() -> None:
    at = datetime(2024, 11, 23, 1, 31, 5, tzinfo=UTC)
    refused = SyncStatus(True, True, 0, at, refused=1)
    assert status_text(refused, "en")[0].endswith("0 not on hub · 1 refused")
