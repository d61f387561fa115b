"""Merge decisions as desks use them: delegates.merged_into, kept in step with the stored decisions."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from checkin_app.domain import merging
from checkin_app.domain.messages import Message, msg
from checkin_app.storage import models as m
from checkin_app.storage.models_import import ImportSamePerson

_D = cast(Table, m.Delegate.__table__)
_S = cast(Table, ImportSamePerson.__table__)
MERGE = "merge"


def _edges(session: Session, *, leaving: tuple[int, int] | None = None) -> dict[int, int]:
    """{merged record id: kept record id} from the stored MERGE decisions, oldest first;
    `leaving`: a pair (low id, high id) whose stored decision is about to be replaced."""
    rows = session.execute(
        select(_S.c.delegate_id, _S.c.other_id, _S.c.kept_id)
        .where(_S.c.decision == MERGE).order_by(_S.c.at, _S.c.delegate_id, _S.c.other_id)).all()
    return merging.merge_edges(
        (low if kept == high else high, kept) for low, high, kept in rows
        if (low, high) != leaving and kept in (low, high))


def refusal(session: Session, kept_id: int, other_id: int) -> Message | None:
    """Why merging `other_id` into `kept_id` cannot be stored (a loop, or a record merged into
    another person already), or None. Run before the pair's decision is replaced."""
    edges = _edges(session, leaving=cast(tuple[int, int], tuple(sorted((kept_id, other_id)))))
    try:
        elsewhere = merging.conflicting(edges, other_id, kept_id)
        edges[other_id] = kept_id
        merging.final_record(edges, other_id)
    except merging.MergeCycle:
        code = _codes(session, kept_id, other_id)
        return msg("import.same.cycle", kept=code[kept_id], other=code[other_id])
    if elsewhere is not None:
        code = _codes(session, other_id, elsewhere)
        return msg("import.same.merged_elsewhere", other=code[other_id], into=code[elsewhere])
    return None


def _codes(session: Session, *ids: int) -> dict[int, str]:
    found = dict(session.execute(select(_D.c.id, _D.c.registration_code).where(_D.c.id.in_(ids))).all())
    return {i: str(found.get(i, i)) for i in ids}


def relink(session: Session, now: datetime) -> list[int]:
    """Set every delegate's merged_into from the stored decisions (the end of its chain, '' for a
    record not merged); returns the ids changed, whose updated_at moves to `now` so the change
    travels like any other change of the row."""
    finals = merging.final_records(_edges(session))
    uids = dict(session.execute(select(_D.c.id, _D.c.uid).where(
        _D.c.id.in_(set(finals.values())))).all()) if finals else {}
    want = {d: uids[k] for d, k in finals.items() if k in uids}
    have = dict(session.execute(select(_D.c.id, _D.c.merged_into).where(
        (_D.c.merged_into != "") | _D.c.id.in_(list(want)))).all())
    changed = {d: want.get(d, "") for d in have.keys() | want.keys()
               if have.get(d, "") != want.get(d, "")}
    if changed:
        session.connection().execute(
            update(_D).where(_D.c.id == bindparam("_id"))
            .values(merged_into=bindparam("_into"), updated_at=now),
            [{"_id": d, "_into": into} for d, into in changed.items()])
    return sorted(changed)
