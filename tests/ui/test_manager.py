"""Manager mode at the desk: the PIN gate, overrides, walk-ins, the idle timeout, entry/exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import select

from checkin_app.domain import tokens
from checkin_app.domain.verdicts import Severity, Verdict
from checkin_app.services import audit
from checkin_app.services.badge_codes import badge_code
from checkin_app.services.keys import KeyService
from checkin_app.services.pins import PinService
from checkin_app.storage import models as m
from checkin_app.ui import style
from checkin_app.ui.override_view import OverrideDialog
from checkin_app.ui.pin_dialog import FirstPinDialog, PinDialog
from checkin_app.ui.walkin_view import WalkInDialog
from tests.ui.conftest import sync_of

if TYPE_CHECKING:
    from tests.ui.conftest import Demo, Desk


def _enrol(demo: Demo, tmp_path: Path, desk: Desk) -> None:
    KeyService(demo.db, desk.clock).init_event(tmp_path / "event.pem", desk_name="Test desk 1",
                                          desk="Test desk 1", operator="test")


def _token(desk: Desk, label: str) -> str:
    with desk.db.read() as s:
        did = s.scalar(select(m.Delegate.id).where(
            m.Delegate.registration_code == desk.samples[label]))
        assert did is not None
        return badge_code(s, did)


def _next_dialog(desk: Desk, kind: type) -> object:
    w = desk.window
    desk.qtbot.waitUntil(lambda: isinstance(w.manager.dialog, kind), timeout=5000)
    return w.manager.dialog


def _ok(dialog: object) -> None:
    buttons = dialog.buttons  # type: ignore[attr-defined]
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_signed_badge_admits_and_a_forged_one_is_red_with_next_step(
        make_desk: Callable[..., Desk], configured: Demo, tmp_path: Path) -> None:
    desk = make_desk()
    _enrol(configured, tmp_path, desk)
    genuine = _token(desk, "attendee")
    assert desk.scan(genuine.lower()).verdict is Verdict.ADMIT
    parts = tokens.split_token(genuine)
    assert parts is not None
    forged = tokens.sign_token(parts[2], Ed25519PrivateKey.generate())
    r = desk.scan(forged)
    panel = desk.window.result
    assert r.verdict is Verdict.FORGED and r.severity is Severity.RED
    assert panel.background_colour() == style.RED.background
    assert panel.title_primary.text() == "伪造或无效证件"
    assert "请勿放行" in panel.next_step.text() and "call security" in panel.next_step.text()
    assert not desk.window.override_bar.isVisible()  # nobody to admit on a forged code
    assert desk.window.focusWidget() is desk.window.scan_field


def test_override_needs_the_pin_then_a_reason_and_is_audited(desk: Desk) -> None:
    w = desk.window
    PinService(desk.db, desk.clock).set_pin("Li Lei", "2468", desk="Test desk 1", operator="setup")
    refused = desk.scan(desk.samples["cancelled"])
    assert refused.verdict is Verdict.CANCELLED
    assert w.override_bar.isVisible()
    desk.qtbot.mouseClick(w.override_bar.button, Qt.MouseButton.LeftButton)
    pin = _next_dialog(desk, PinDialog)
    assert isinstance(pin, PinDialog)
    desk.qtbot.keyClicks(pin.pin, "0000")
    _ok(pin)
    desk.qtbot.waitUntil(lambda: pin.error.isVisible(), timeout=5000)
    assert "4" in pin.error.text() and w.manager.dialog is pin  # 4 tries left, still asking
    desk.qtbot.keyClicks(pin.pin, "2468")
    _ok(pin)
    form = _next_dialog(desk, OverrideDialog)
    assert isinstance(form, OverrideDialog)
    assert not form.ok.isEnabled()  # a reason is required
    desk.qtbot.keyClicks(form.reason_edit, "Registration restored by phone")
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        _ok(form)
    r = blocker.args[0]
    assert r.admitted and r.event is not None and r.event.forced
    assert w.result.background_colour() == style.AMBER.background
    assert "Li Lei" in w.result.attention.text() or "Li Lei" in r.message_en
    desk.qtbot.waitUntil(lambda: w.manager.dialog is None)
    desk.qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field)
    assert w.manager.session.manager == "Li Lei"
    with desk.db.read() as s:
        actions = list(s.scalars(select(m.AuditEntry.action).order_by(m.AuditEntry.id)))
    assert actions[-3:] == ["pin_failed", "manager_login", "override"]
    assert audit.verify_chain(desk.db).ok
    desk.qtbot.waitUntil(lambda: any(row.verdict == "OVERRIDE" for row in w.recent.rows))


def test_manager_session_times_out_and_undo_asks_again(desk: Desk) -> None:
    w = desk.window
    PinService(desk.db, desk.clock).set_pin("Li Lei", "2468", desk="Test desk 1", operator="setup")
    w.manager.session.start("Li Lei")
    desk.clock.advance(seconds=301)
    r = desk.scan(desk.samples["attendee"])
    assert r.event is not None
    w.manager.undo(r.event.uuid)
    pin = _next_dialog(desk, PinDialog)
    assert isinstance(pin, PinDialog)
    pin.reject()
    desk.qtbot.waitUntil(lambda: w.manager.dialog is None)
    desk.qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field)
    with desk.db.read() as s:
        assert s.scalar(select(m.CheckIn.id).where(m.CheckIn.undoes == r.event.uuid)) is None


def test_walk_in_at_the_desk_sets_the_first_pin_and_checks_them_in(
        make_desk: Callable[..., Desk], configured: Demo, tmp_path: Path) -> None:
    desk = make_desk()
    _enrol(configured, tmp_path, desk)
    w = desk.window
    w.manager.act_walk_in.trigger()
    first = _next_dialog(desk, FirstPinDialog)
    assert isinstance(first, FirstPinDialog)
    desk.qtbot.keyClicks(first.name, "Li Lei")
    desk.qtbot.keyClicks(first.pin, "2468")
    desk.qtbot.keyClicks(first.again, "2468")
    _ok(first)
    form = _next_dialog(desk, WalkInDialog)
    assert isinstance(form, WalkInDialog)
    _ok(form)  # empty: refused in the form, nothing saved
    assert form.error.isVisible() and w.manager.dialog is form
    form.name_native.setText("赵敏")  # QTest cannot type CJK; a person would use an IME
    desk.qtbot.keyClicks(form.name_latin, "ZHAO Min")
    with desk.qtbot.waitSignal(w.controller.scanFinished, timeout=5000) as blocker:
        _ok(form)
    r = blocker.args[0]
    assert r.admitted and r.delegate is not None and r.delegate.walk_in
    assert tokens.looks_like_token(r.code)
    assert w.result.walk_in_chip.isVisible() and "现场登记" in w.result.walk_in_chip.text()
    desk.qtbot.waitUntil(lambda: w.manager.dialog is None)
    desk.qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field)
    assert PinService(desk.db, desk.clock).managers() == ["Li Lei"]


def test_exit_mode_is_visible_remembered_and_never_refuses(make_desk: Callable[..., Desk]) -> None:
    desk = make_desk()
    w = desk.window
    assert desk.scan(desk.samples["attendee"]).verdict is Verdict.ADMIT
    with desk.qtbot.waitSignal(w.controller.settingsSaved, timeout=5000):
        desk.qtbot.mouseClick(w.mode_switch.exit, Qt.MouseButton.LeftButton)
    assert w.controller.direction == "out" and "EXIT" in w.mode_label.text()
    assert w.focusWidget() is w.scan_field
    out = desk.scan(desk.samples["cancelled"])  # exits never fail for rules
    assert out.admitted and out.event is not None and out.event.direction == "out"
    again = make_desk()  # the desk restarts in the mode it was left in
    assert again.window.mode_switch.direction == "out"
    with desk.db.read() as s:
        assert "settings" in set(s.scalars(select(m.AuditEntry.action)))


def test_badge_and_import_actions_ask_for_the_pin_and_do_nothing_without_it(desk: Desk) -> None:
    """Reprint, batch print, printer settings, print-job actions, import, hub and USB are manager actions."""
    w = desk.window
    PinService(desk.db, desk.clock).set_pin("Li Lei", "2468", desk="Test desk 1", operator="setup")
    r = desk.scan(desk.samples["attendee"])
    assert r.delegate is not None
    desk.qtbot.waitUntil(lambda: w.badges.person is not None)
    for trigger in (w.badges.on_reprint, w.badges.on_batch, w.badges.on_printer_settings,
                    lambda: w.badges.on_cancel("no-such-job"), w.open_import,
                    sync_of(w).connect_action.trigger, sync_of(w).bundle_action.trigger):
        trigger()
        pin = _next_dialog(desk, PinDialog)
        assert isinstance(pin, PinDialog)
        pin.reject()
        desk.qtbot.waitUntil(lambda: w.manager.dialog is None)
    assert getattr(w, "import_wizard", None) is None
    assert sync_of(w).bundle_dialog is None
    assert not [c for c in w.findChildren(QDialog) if c.isVisible()]  # no enrolment dialog either
    assert w.badges.batch_dialog is None
    with desk.db.read() as s:
        serial = s.scalar(select(m.Delegate.badge_serial).where(m.Delegate.id == r.delegate.id))
    assert serial == 1  # nothing was reprinted


def test_import_opens_for_a_manager_and_names_them(desk: Desk) -> None:
    w = desk.window
    PinService(desk.db, desk.clock).set_pin("Li Lei", "2468", desk="Test desk 1", operator="setup")
    w.open_import()
    pin = _next_dialog(desk, PinDialog)
    assert isinstance(pin, PinDialog)
    desk.qtbot.keyClicks(pin.pin, "2468")
    _ok(pin)
    desk.qtbot.waitUntil(lambda: getattr(w, "import_wizard", None) is not None, timeout=5000)
    w.import_wizard.close()
    desk.qtbot.waitUntil(lambda: w.focusWidget() is w.scan_field, timeout=5000)
