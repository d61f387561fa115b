"""Scanning a merged record's code into the real window: the panel shows the kept person and says,
in both languages, whose code it was and as whom it was checked in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from checkin_app.domain.verdicts import Verdict
from checkin_app.storage import models as m

if TYPE_CHECKING:
    from tests.ui.conftest import Desk


def test_the_panel_names_the_merged_record_and_shows_the_kept_person(desk: Desk) -> None:
    kept_code = desk.samples["attendee"]
    with desk.db.write() as s:
        kept = s.execute(select(m.Delegate.id, m.Delegate.uid, m.Delegate.name_native)
                         .where(m.Delegate.registration_code == kept_code)).one()
        other = s.execute(select(m.Delegate.id, m.Delegate.registration_code, m.Delegate.name_native)
                          .where(m.Delegate.status == "approved", m.Delegate.id != kept.id,
                                 m.Delegate.walk_in.is_(False))
                          .order_by(m.Delegate.id).limit(1)).one()
        # What a pull from the hub writes once the organiser merged the two.
        s.execute(update(m.Delegate).where(m.Delegate.id == other.id)
                  .values(merged_into=kept.uid, source="guests"))
    r = desk.scan(other.registration_code)
    panel = desk.window.result
    assert r.admitted and r.verdict in (Verdict.ADMIT, Verdict.ADMIT_WITH_ATTENTION)
    assert r.delegate is not None and r.delegate.id == kept.id
    assert panel.name_native.text() == kept.name_native
    shown = panel.next_step.text()
    said = f"合并记录：此码属于 {other.name_native}（来源 guests），按 {kept.name_native}（{kept_code}）办理"
    assert said in shown
    assert f"Merged record: this code is {other.name_native}'s (source guests)" in shown
    assert "请放行" in shown  # the verdict's own next step is still there
    again = desk.scan(kept_code)
    assert again.verdict is Verdict.ALREADY_IN
