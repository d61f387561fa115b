"""Turning ORM rows into the frozen dataclasses that leave the service layer."""

from __future__ import annotations

from typing import Any

from checkin_app.domain.countries import country_names
from checkin_app.domain.names import display_name
from checkin_app.domain.types import ActivityInfo, CategoryInfo, CheckInRecord, DelegateView
from checkin_app.storage import models as m


def category_info(c: m.Category) -> CategoryInfo:
    """Frozen category."""
    return CategoryInfo(
        code=c.code,
        name_zh=c.name_zh,
        name_en=c.name_en,
        colour=c.colour,
        attention=c.attention,
        attention_zh=c.attention_zh,
        attention_en=c.attention_en,
    )


def delegate_view(d: m.Delegate) -> DelegateView:
    """Frozen delegate with its category and country names."""
    return delegate_view_from(d, category_info(d.category))


def delegate_view_from(d: Any, category: CategoryInfo) -> DelegateView:
    """Frozen delegate from anything with the delegates table's attributes (ORM object or Row)."""
    zh, en = country_names(d.country) if d.country else ("", "")
    return DelegateView(
        id=d.id,
        registration_code=d.registration_code,
        name_native=d.name_native,
        name_latin=d.name_latin,
        display_name=display_name(
            family=d.family_name,
            given=d.given_name,
            native=d.name_native,
            latin=d.name_latin,
            order=d.name_order,
        ),
        honorific=d.honorific,
        organisation_zh=d.organisation_zh,
        organisation_en=d.organisation_en,
        position=d.position_zh or d.position_en,
        country=d.country,
        country_name_zh=zh,
        country_name_en=en,
        category=category,
        status=d.status,
        attention_note=d.attention_note,
        team=d.team,
        walk_in=d.walk_in,
        position_zh=d.position_zh,
        position_en=d.position_en,
    )


def activity_info(a: m.Activity) -> ActivityInfo:
    """Frozen activity with its rules."""
    return ActivityInfo(
        id=a.id,
        code=a.code,
        name_zh=a.name_zh,
        name_en=a.name_en,
        hall_zh=a.hall_zh,
        hall_en=a.hall_en,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        doors_open_minutes=a.doors_open_minutes,
        capacity=a.capacity,
        admitted_categories=frozenset(c.code for c in a.categories),
        reentry=a.reentry,
        exits_scanned=a.exits_scanned,
        is_main=a.is_main,
        doors_after_minutes=a.doors_after_minutes,
        once_per_day=a.once_per_day,
        archived=a.archived,
    )


def checkin_record(c: m.CheckIn, activity_code: str) -> CheckInRecord:
    """Frozen check-in event."""
    return CheckInRecord(
        uuid=c.uuid,
        delegate_id=c.delegate_id,
        activity_code=activity_code,
        direction=c.direction,
        desk=c.desk,
        operator=c.operator,
        at=c.at,
        verdict=c.verdict,
        undoes=c.undoes,
        forced=c.forced,
    )
