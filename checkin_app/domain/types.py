"""Frozen value types that services hand to the CLI and the GUI (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from checkin_app.domain.verdicts import Severity, Verdict


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """A delegate category with its colour and attention instruction."""

    code: str
    name_zh: str
    name_en: str
    colour: str
    attention: bool = False
    attention_zh: str = ""
    attention_en: str = ""


@dataclass(frozen=True, slots=True)
class DelegateView:
    """What the desk shows about one person."""

    id: int
    registration_code: str
    name_native: str
    name_latin: str
    display_name: str
    honorific: str
    organisation_zh: str
    organisation_en: str
    position: str
    country: str
    country_name_zh: str
    country_name_en: str
    category: CategoryInfo
    status: str
    attention_note: str
    team: str
    walk_in: bool = False
    position_zh: str = ""
    position_en: str = ""

    @property
    def organisation(self) -> str:
        """The organisation in whichever language we have, Chinese first."""
        return self.organisation_zh or self.organisation_en


@dataclass(frozen=True, slots=True)
class ActivityInfo:
    """An activity (or the main entrance) with its admission rules."""

    id: int
    code: str
    name_zh: str
    name_en: str
    hall_zh: str
    hall_en: str
    starts_at: datetime
    ends_at: datetime
    doors_open_minutes: int
    capacity: int | None
    admitted_categories: frozenset[str]
    reentry: bool
    exits_scanned: bool
    is_main: bool
    # From the event definition: the door still admits this long after the end; re-entry that
    # starts afresh every day (a multi-day main entrance); withdrawn (kept for its check-ins).
    doors_after_minutes: int = 0
    once_per_day: bool = False
    archived: bool = False


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    """One recorded check-in event (append-only)."""

    uuid: str
    delegate_id: int
    activity_code: str
    direction: str
    desk: str
    operator: str
    at: datetime
    verdict: str
    undoes: str | None = None
    forced: bool = False


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The outcome of one scan: verdict, words, who, and what was recorded."""

    verdict: Verdict
    severity: Severity
    admitted: bool
    title_zh: str
    title_en: str
    message_zh: str
    message_en: str
    next_zh: str
    next_en: str
    code: str
    delegate: DelegateView | None
    activity: ActivityInfo | None
    event: CheckInRecord | None
    previous: CheckInRecord | None = None
    details: dict[str, str] = field(default_factory=dict)
    # "in" or "out": an exit scan's result says so, and then (when recorded) its words are
    # the exit's (verdicts.EXIT_WORDING), not "admit"; `verdict` stays ADMIT for an exit.
    direction: str = "in"


@dataclass(frozen=True, slots=True)
class ActivityStats:
    """Counts for one activity, derived from events."""

    activity_code: str
    name_zh: str
    name_en: str
    registered: int
    checked_in: int
    inside_now: int
    capacity: int | None
