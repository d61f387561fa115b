"""The desk's USB-stick dialog: behind the PIN, exports what the hub lacks, imports the trusted hub's data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from sqlalchemy import func, select

from checkin_app.hub.bundles import export_hub_data
from checkin_app.hub.tls import ensure_certificate
from checkin_app.services.pins import PinService
from checkin_app.storage import models as m
from checkin_app.ui.bundle_dialog import BundleDialog
from checkin_app.ui.pin_dialog import PinDialog
from tests.sync.conftest import build_hub
from tests.ui.conftest import Desk, sync_of
from tests.ui.test_manager import _next_dialog, _ok


def _ask(desk: Desk) -> PinDialog:
    """A manager exists; the USB action asks for the PIN."""
    PinService(desk.db, desk.clock).set_pin("Li Lei", "2468", desk="Test desk 1", operator="setup")
    sync_of(desk.window).bundle_action.trigger()
    pin = _next_dialog(desk, PinDialog)
    assert isinstance(pin, PinDialog)
    return pin


def _open(desk: Desk) -> BundleDialog:
    w = desk.window
    pin = _ask(desk)
    desk.qtbot.keyClicks(pin.pin, "2468")
    _ok(pin)
    desk.qtbot.waitUntil(lambda: sync_of(w).bundle_dialog is not None, timeout=5000)
    dlg = sync_of(w).bundle_dialog
    assert isinstance(dlg, BundleDialog)
    return dlg


def _delegates(desk: Desk) -> int:
    with desk.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.Delegate)) or 0)


def test_the_usb_dialog_needs_the_pin(desk: Desk) -> None:
    w = desk.window
    _ask(desk).reject()
    desk.qtbot.waitUntil(lambda: w.manager.dialog is None)
    assert sync_of(w).bundle_dialog is None


def test_export_writes_the_scans_the_hub_lacks_and_is_audited(desk: Desk, tmp_path: Path) -> None:
    made = desk.scan(desk.samples["attendee"])
    assert made.event is not None
    dlg = _open(desk)
    assert not dlg.fingerprint.isHidden()  # not enrolled: the import row asks for a fingerprint
    target = tmp_path / "stick" / "desk.bundle"
    target.parent.mkdir()
    dlg.export_path.setText(str(target))
    dlg.export_button.click()
    desk.qtbot.waitUntil(lambda: "Exported" in dlg.message.text(), timeout=10000)
    lines = [json.loads(x) for x in gzip.decompress(target.read_bytes()).splitlines()]
    assert made.event.uuid in {line.get("key") for line in lines}
    assert "not signed" in dlg.message.text()  # this desk holds no certified key
    with desk.db.read() as s:
        entry = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "bundle_export")).one()
    assert entry.operator == "Li Lei" and entry.subject == "desk.bundle"
    dlg.reject()
    desk.qtbot.waitUntil(lambda: sync_of(desk.window).bundle_dialog is None)


def test_import_takes_only_the_trusted_hubs_bundle(desk: Desk, tmp_path: Path) -> None:
    hub = build_hub(tmp_path / "hub.sqlite3", 40)
    try:
        cert = ensure_certificate(tmp_path / "tls")
        stick = tmp_path / "hub.bundle"
        export_hub_data(hub, stick, cert)
    finally:
        hub.db.close()
    before = _delegates(desk)
    dlg = _open(desk)
    assert not dlg.fingerprint.isHidden()
    dlg.import_path.setText(str(stick))
    dlg.import_button.click()  # no fingerprint typed
    desk.qtbot.waitUntil(lambda: "--fingerprint" in dlg.message.text(), timeout=10000)
    assert dlg.message.objectName() == "statusError" and dlg.import_button.isEnabled()
    dlg.fingerprint.setText(ensure_certificate(tmp_path / "other").fingerprint)
    dlg.import_button.click()
    desk.qtbot.waitUntil(lambda: "signed by another hub" in dlg.message.text(), timeout=10000)
    assert _delegates(desk) == before  # nothing from a refused bundle
    dlg.fingerprint.setText(cert.fingerprint.upper())
    with desk.qtbot.waitSignal(dlg.imported, timeout=20000):
        dlg.import_button.click()
    assert "signature checked" in dlg.message.text() and dlg.message.objectName() == "hint"
    assert _delegates(desk) > before
    dlg.reject()
    desk.qtbot.waitUntil(lambda: desk.window.focusWidget() is desk.window.scan_field, timeout=5000)
