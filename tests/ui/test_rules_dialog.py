"""The desk shows the event and every activity's rules read-only (times, capacity, who may enter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from checkin_app.services.catalog import CatalogService
from checkin_app.ui.rules_dialog import RulesDialog

if TYPE_CHECKING:
    from tests.ui.conftest import Desk


def _open(desk: Desk) -> RulesDialog:
    w = desk.window
    with desk.qtbot.waitSignal(w.controller.rulesLoaded, timeout=5000):
        w.act_rules.trigger()
    dlg = w.rules_dialog
    assert dlg is not None and dlg.isVisible()
    return dlg


def test_rules_list_every_activity_with_times_capacity_and_categories(desk: Desk) -> None:
    dlg = _open(desk)
    catalog = CatalogService(desk.db, desk.clock)
    activities = catalog.activities()
    assert dlg.table.rowCount() == len(activities)
    names = [dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())]
    assert names[0].startswith("MAIN")
    # An activity that does not admit every category names those it admits.
    cats = {c.code: c for c in catalog.categories()}
    narrow = next(a for a in activities if a.admitted_categories != set(cats))
    row = next(r for r, a in enumerate(activities) if a.code == narrow.code)
    admitted = dlg.table.item(row, 4).text()
    some = next(iter(narrow.admitted_categories))
    assert cats[some].name_zh in admitted
    refused = next(c for c in cats if c not in narrow.admitted_categories)
    assert cats[refused].name_zh not in admitted
    assert ":" in dlg.table.item(row, 1).text()  # times
    assert dlg.title.text()


def test_rules_view_closes_back_to_the_scanner(desk: Desk) -> None:
    dlg = _open(desk)
    dlg.reject()
    desk.qtbot.waitUntil(lambda: desk.window.focusWidget() is desk.window.scan_field, timeout=3000)
    assert desk.window.scan_field.inputMethodQuery(Qt.InputMethodQuery.ImEnabled) is False
