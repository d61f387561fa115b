"""Verdict codes (DESIGN §6), their severity and the bilingual words shown to the volunteer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from checkin_app.domain.messages import Message, msg, text


class Verdict(StrEnum):
    """What a scan means for the person in front of the desk."""

    ADMIT = "ADMIT"
    ADMIT_WITH_ATTENTION = "ADMIT_WITH_ATTENTION"
    ALREADY_IN = "ALREADY_IN"
    SIGNATURE_ONLY = "SIGNATURE_ONLY"
    NOT_ADMITTED_HERE = "NOT_ADMITTED_HERE"
    NOT_OPEN_YET = "NOT_OPEN_YET"
    CLOSED = "CLOSED"
    FULL = "FULL"
    CANCELLED = "CANCELLED"
    REVOKED = "REVOKED"
    FORGED = "FORGED"
    INCOMPLETE_CODE = "INCOMPLETE_CODE"  # a signed code cut short or misread: scan it again
    UNKNOWN_CODE = "UNKNOWN_CODE"
    WRONG_EVENT = "WRONG_EVENT"


class Severity(StrEnum):
    """Colour family of a verdict: green admit, amber admit-but-look, red stop."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, slots=True)
class Wording:
    """Headline and next step for the volunteer, in both languages."""

    title_zh: str
    title_en: str
    next_zh: str
    next_en: str


# Each text names the next action, because a student volunteer must not have to think. The
# next step is not always at the bottom of what the volunteer sees, so no text points "below"
# or "above": it says "shown". The words live in the catalogue (domain.messages) under
# verdict.<CODE>.title / .next; Wording keeps the shape the UI and CLI read.
def _wording(key: str) -> Wording:
    title, step = msg(f"verdict.{key}.title"), msg(f"verdict.{key}.next")
    return Wording(text(title, "zh"), text(title, "en"), text(step, "zh"), text(step, "en"))


_CODES = frozenset(v.value for v in Verdict)
WORDING: dict[Verdict, Wording] = {v: _wording(v.value) for v in Verdict}

EXIT_WORDING = _wording("EXIT")
"""The words of a recorded exit (direction "out"): an exit is never shown as "admit"."""


def title_message(verdict: Verdict | str, direction: str = "in") -> Message:
    """The catalogue message of a verdict's headline (an exit has its own)."""
    if direction == "out" and verdict != "UNDO":
        return msg("verdict.EXIT.title")
    if verdict not in _CODES:  # a newer desk's verdict (or UNDO): its code is its words
        return msg("verdict.other.title", code=str(verdict))
    return msg(f"verdict.{verdict}.title")


def wording(verdict: Verdict | str, direction: str = "in") -> Wording:
    """The words for a recorded or shown verdict; exits (direction "out") have their own.

    An unknown code (a newer desk's verdict in a synced event) gets its code as its words.
    """
    if direction == "out" and verdict != "UNDO":
        return EXIT_WORDING
    try:
        return WORDING[Verdict(verdict)]
    except ValueError:
        text = str(verdict)
        return Wording(text, text, "", "")


_GREEN = {Verdict.ADMIT}
_AMBER = {Verdict.ADMIT_WITH_ATTENTION, Verdict.SIGNATURE_ONLY}


def verdict_title(code: str) -> tuple[str, str]:
    """A recorded verdict code in words (zh, en); an unknown code stays as it is."""
    w = wording(code)
    return w.title_zh, w.title_en


def severity(verdict: Verdict, admitted: bool) -> Severity:
    """Colour for a verdict; ALREADY_IN is amber when re-entry lets them in, red otherwise."""
    if verdict in _GREEN:
        return Severity.GREEN
    if verdict in _AMBER:
        return Severity.AMBER
    if verdict is Verdict.ALREADY_IN:
        return Severity.AMBER if admitted else Severity.RED
    return Severity.RED


ADMITTING = frozenset({Verdict.ADMIT, Verdict.ADMIT_WITH_ATTENTION, Verdict.SIGNATURE_ONLY})
