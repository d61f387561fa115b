"""Stable JSON shapes for `--json` output (other programs depend on these keys)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from checkin_app.domain.clock import zone
from checkin_app.domain.types import (
    ActivityInfo,
    ActivityStats,
    CheckInRecord,
    DelegateView,
    ScanResult,
)

LOCAL = zone()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def delegate_dict(d: DelegateView) -> dict[str, Any]:
    """A delegate for scripts: id, codes, names, organisation, country, category, status."""
    return {
        "id": d.id,
        "registration_code": d.registration_code,
        "name_native": d.name_native,
        "name_latin": d.name_latin,
        "display_name": d.display_name,
        "honorific": d.honorific,
        "organisation": d.organisation,
        "organisation_zh": d.organisation_zh,
        "organisation_en": d.organisation_en,
        "country": d.country,
        "country_name_zh": d.country_name_zh,
        "country_name_en": d.country_name_en,
        "category": d.category.code,
        "category_name_zh": d.category.name_zh,
        "category_name_en": d.category.name_en,
        "status": d.status,
        "attention_note": d.attention_note,
        "team": d.team,
        "walk_in": d.walk_in,
    }


def event_dict(e: CheckInRecord) -> dict[str, Any]:
    """A recorded check-in event."""
    return {
        "uuid": e.uuid,
        "delegate_id": e.delegate_id,
        "activity": e.activity_code,
        "direction": e.direction,
        "desk": e.desk,
        "operator": e.operator,
        "at": _iso(e.at),
        "at_local": _iso(e.at.astimezone(LOCAL)),
        "verdict": e.verdict,
        "undoes": e.undoes,
        "forced": e.forced,
    }


def scan_dict(r: ScanResult) -> dict[str, Any]:
    """A scan outcome: verdict code, bilingual words, delegate and recorded event."""
    return {
        "verdict": r.verdict.value,
        "severity": r.severity.value,
        "admitted": r.admitted,
        "direction": r.direction,
        "message_en": r.message_en,
        "message_zh": r.message_zh,
        "next_en": r.next_en,
        "next_zh": r.next_zh,
        "code": r.code,
        "activity": r.activity.code if r.activity else None,
        "delegate": delegate_dict(r.delegate) if r.delegate else None,
        "event": event_dict(r.event) if r.event else None,
        "previous": event_dict(r.previous) if r.previous else None,
    }


def activity_dict(a: ActivityInfo) -> dict[str, Any]:
    """An activity with its rules."""
    return {
        "code": a.code,
        "name_zh": a.name_zh,
        "name_en": a.name_en,
        "hall_zh": a.hall_zh,
        "hall_en": a.hall_en,
        "starts_at": _iso(a.starts_at),
        "ends_at": _iso(a.ends_at),
        "doors_open_minutes": a.doors_open_minutes,
        "capacity": a.capacity,
        "admitted_categories": sorted(a.admitted_categories),
        "reentry": a.reentry,
        "exits_scanned": a.exits_scanned,
        "is_main": a.is_main,
    }


def stats_dict(s: ActivityStats) -> dict[str, Any]:
    """Counts for one activity."""
    return asdict(s)
