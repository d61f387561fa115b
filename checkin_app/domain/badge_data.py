"""What a badge shows about one person (BadgeData) and the text fields templates may use."""

from __future__ import annotations

from dataclasses import dataclass

from checkin_app.domain.messages import msg, pair
from checkin_app.domain.names import badge_name_lines, normalise_width
from checkin_app.domain.tokens import is_walk_in_id

# The mark a walk-in's badge carries (the desk's word for a walk-in, as on screen).
WALK_IN_ZH, WALK_IN_EN = pair(msg("badge.walk_in_mark"))


@dataclass(frozen=True, slots=True)
class BadgeData:
    """Everything the renderer needs for one badge; built by the badge service, never ORM."""

    delegate_id: int
    registration_code: str
    badge_serial: int
    code: str  # what the QR carries (signed token or registration code)
    family_name: str
    given_name: str
    name_native: str
    name_latin: str
    name_order: str  # 'eastern' or 'western'
    honorific: str
    organisation_zh: str
    organisation_en: str
    position_zh: str
    position_en: str
    country: str
    country_zh: str
    country_en: str
    category_code: str
    category_zh: str
    category_en: str
    category_colour: str
    team: str = ""
    track: str = ""
    photo_path: str | None = None
    event_zh: str = ""
    event_en: str = ""
    venue_zh: str = ""
    venue_en: str = ""
    dates: str = ""


# How templates may ask for Western (and other non-CJK) names to be written.
WESTERN_STYLES = ("given_FAMILY", "given_family", "FAMILY_given", "FAMILY, given")


def name_lines(d: BadgeData, western: str = "given_FAMILY") -> tuple[str, str]:
    """The name as it is printed largest, and the second (Latin) line ("" when it adds nothing).

    Chinese, Japanese and Korean names keep their native order without a comma ("张伟"), with
    the Latin form underneath; Cyrillic, Arabic, Thai, ... names print natively with the Latin
    form underneath; Latin-script names follow their culture's order ("NGUYỄN Thị Minh Khai")
    or else the template's Western style ("Given FAMILY"). See domain/names.py.
    """
    return badge_name_lines(family=d.family_name, given=d.given_name, native=d.name_native,
                            latin=d.name_latin, order=d.name_order, country=d.country,
                            style=western)


def badge_number(d: BadgeData) -> str:
    """Printed badge number: registration code and serial ("CQ24-AB12CD · 2" from the 2nd badge)."""
    return d.registration_code if d.badge_serial <= 1 else f"{d.registration_code} · {d.badge_serial}"


def is_walk_in(d: BadgeData) -> bool:
    """Registered at a desk: walk-ins, and only they, hold an id from a desk's walk-in block
    (the id they keep on the hub and every other desk)."""
    return is_walk_in_id(d.delegate_id)


def fields(d: BadgeData, western: str = "given_FAMILY") -> dict[str, str]:
    """Every placeholder a template text may use, as plain strings ("" when unknown)."""
    name, second = name_lines(d, western)
    walk_in = is_walk_in(d)
    # Full-width Latin typed with a Chinese input method is made ordinary ("ＩＢＭ（中国）" →
    # "IBM（中国）": the Chinese parentheses stay).
    org_zh, org_en = (normalise_width(x).strip() for x in (d.organisation_zh, d.organisation_en))
    pos_zh, pos_en = (normalise_width(x).strip() for x in (d.position_zh, d.position_en))
    organisation = org_zh or org_en
    return {
        "name": name,
        "name_latin": second,
        "honorific": d.honorific,
        "organisation": organisation,
        "organisation_secondary": org_en if org_zh and org_en and org_en != org_zh else "",
        "organisation_zh": org_zh,
        "organisation_en": org_en,
        "position": pos_zh or pos_en,
        "position_secondary": pos_en if pos_zh and pos_en and pos_en != pos_zh else "",
        "position_zh": pos_zh,
        "position_en": pos_en,
        "country_code": d.country,
        "country_zh": d.country_zh,
        "country_en": d.country_en,
        "country": " ".join(p for p in (d.country_zh, d.country_en) if p and p != d.country)
        or d.country,
        "category_code": d.category_code,
        "category_zh": d.category_zh,
        "category_en": d.category_en,
        "category": " ".join(p for p in (d.category_zh, d.category_en) if p),
        "team": d.team,
        "track": d.track,
        "badge_number": badge_number(d),
        "registration_code": d.registration_code,
        "serial": str(d.badge_serial),
        "code": d.code,
        "event_zh": d.event_zh,
        "event_en": d.event_en,
        "venue_zh": d.venue_zh,
        "venue_en": d.venue_en,
        "dates": d.dates,
        # "" for a registered delegate, so a template element bound to it (or drawn "when" it
        # is set) appears on walk-ins' badges only.
        "walk_in": f"{WALK_IN_ZH} {WALK_IN_EN}" if walk_in else "",
        "walk_in_zh": WALK_IN_ZH if walk_in else "",
        "walk_in_en": WALK_IN_EN if walk_in else "",
    }


FIELD_NAMES = frozenset(fields(BadgeData(
    0, "", 1, "", "", "", "", "", "western", "", "", "", "", "", "", "", "", "", "", "", "#000000",
)))
