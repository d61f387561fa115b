"""Walk-in registration at a desk: create the person, give them a desk-signed badge code, admit them.

Walk-in ids come from the block of this desk's certified key (tokens.walk_in_id), so desks that
are offline, or never talk to each other, still never hand out the same id; the registration
code shown and printed is the same number in words, e.g. W00A3-00012.
"""

from __future__ import annotations

import unicodedata
import uuid as uuidlib
from dataclasses import dataclass, field

from sqlalchemy import func, select

from checkin_app.domain import tokens
from checkin_app.domain.countries import COUNTRIES
from checkin_app.domain.messages import Message, Words, msg, pair, text
from checkin_app.domain.types import CategoryInfo, DelegateView, ScanResult
from checkin_app.services import audit, search
from checkin_app.services.badge_codes import badge_code
from checkin_app.services.checkin import MAIN, CheckInError, CheckInService
from checkin_app.services.keys import signing_key
from checkin_app.services.views import category_info
from checkin_app.storage import models as m
from checkin_app.storage.db import Database


@dataclass(frozen=True, slots=True)
class WalkInForm:
    """The minimal form a desk lead fills in."""

    name_native: str
    name_latin: str
    organisation: str
    country: str
    category: str
    activities: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class WalkInResult:
    """The new person, their badge code and the check-in that admitted them."""

    delegate: DelegateView
    badge_code: str
    scan: ScanResult


def _has_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA"))
               for ch in text)


def form_messages(form: WalkInForm) -> list[Message]:
    """What is missing or wrong in a form; empty when it can be saved."""
    out = []
    if not form.name_native.strip() and not form.name_latin.strip():
        out.append(msg("walkin.name_needed"))
    if form.country and form.country.upper() not in COUNTRIES:
        out.append(msg("walkin.unknown_country", country=form.country))
    if not form.category:
        out.append(msg("walkin.category_needed"))
    return out


def form_problems(form: WalkInForm) -> list[tuple[str, str]]:
    """What is missing or wrong in a form (zh, en); empty when it can be saved."""
    return [pair(m) for m in form_messages(form)]


def register_walk_in(checkin: CheckInService, form: WalkInForm, *, activity_code: str = MAIN,
                     desk: str, operator: str) -> WalkInResult:
    """Create a walk-in at this desk, issue their badge code and check them in, in one transaction."""
    problems = form_messages(form)
    if problems:
        zh, en = text("list.sep", "zh"), text("list.sep", "en")
        raise CheckInError(msg("walkin.problems", problems=Words(
            zh.join(text(p, "zh") for p in problems), en.join(text(p, "en") for p in problems))))
    now = checkin.clock.now()
    with checkin.db.write() as s:
        signer = signing_key(s)
        if signer is None:
            raise CheckInError(msg("walkin.no_signing_key"))
        cat_id = s.scalar(select(m.Category.id).where(m.Category.code == form.category.upper()))
        if cat_id is None:
            raise CheckInError(msg("category.unknown", code=form.category))
        act_ids = dict(s.execute(select(m.Activity.code, m.Activity.id).where(
            m.Activity.code.in_([a.upper() for a in form.activities]))).all())
        missing = sorted({a.upper() for a in form.activities} - set(act_ids))
        if missing:
            raise CheckInError(msg("activities.unknown", codes=", ".join(missing)))
        first, last = tokens.walk_in_block(signer.key_id)
        newest = s.scalar(select(func.max(m.Delegate.id)).where(m.Delegate.id.between(first, last)))
        if newest == last:
            raise CheckInError(msg("walkin.numbers_used_up"))
        delegate_id = (newest or first - 1) + 1
        native, latin = form.name_native.strip(), form.name_latin.strip()
        org = form.organisation.strip()
        org_zh = org if _has_cjk(org) else ""
        s.add(m.Delegate(
            id=delegate_id, uid=str(uuidlib.uuid4()), registration_code=tokens.badge_number(delegate_id),
            name_native=native or latin, name_latin=latin,
            name_order="eastern" if _has_cjk(native) else "western",
            organisation_zh=org_zh, organisation_en="" if org_zh else org,
            country=form.country.upper(), category_id=cat_id, status="approved", badge_serial=1,
            walk_in=True, registered_by_desk=desk, updated_at=now,
        ))
        s.flush()
        admitted = set(s.scalars(select(m.ActivityCategory.activity_id).where(
            m.ActivityCategory.category_id == cat_id)))
        for _code, aid in sorted(act_ids.items()):
            if aid not in admitted:  # the category already opens the others
                s.add(m.DelegateAdmission(delegate_id=delegate_id, activity_id=aid, allow=True))
        s.flush()
        search.index_delegates(s, [delegate_id])
        token = badge_code(s, delegate_id)
        audit.record(s, at=now, desk=desk, operator=operator, action="walk_in",
                     subject=tokens.badge_number(delegate_id),
                     after={"delegate_id": delegate_id, "name_native": native, "name_latin": latin,
                            "organisation": org, "country": form.country.upper(),
                            "category": form.category.upper(),
                            "activities": sorted(act_ids), "key_id": signer.key_id})
        scan = checkin.check_in_in_session(s, delegate_id, activity_code=activity_code, desk=desk,
                                           operator=operator, now=now, code=token)
    assert scan.delegate is not None
    return WalkInResult(scan.delegate, token, scan)


def categories(db: Database) -> list[CategoryInfo]:
    """Categories in their display order, for the walk-in form."""
    with db.read() as s:
        return [category_info(c) for c in s.scalars(select(m.Category).order_by(m.Category.sort_order,
                                                                                m.Category.id))]
