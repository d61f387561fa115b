"""Hypothesis strategies for event definitions: random valid ones, in normal form."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from hypothesis import strategies as st

from checkin_app.domain.event_def import (
    MODES,
    ActivityDef,
    CategoryDef,
    EventDef,
    EventDefinition,
    normalised,
)

# Zones without daylight saving: every local time exists exactly once, so times survive UTC.
ZONES = ("Asia/Shanghai", "UTC", "Asia/Tokyo", "Asia/Kolkata", "Africa/Nairobi")
TEMPLATES = ("", "vip", "guest", "delegate", "media")
_CODE_TAIL = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def texts(max_size: int = 24) -> st.SearchStrategy[str]:
    """Names in any script, trimmed, never empty, without '-' (aliases carry one)."""
    chars = st.characters(whitelist_categories=("L", "N", "P", "S", "Zs"), blacklist_characters="-")
    return st.text(chars, min_size=1, max_size=max_size).filter(lambda s: s == s.strip() and bool(s))


def codes() -> st.SearchStrategy[str]:
    return st.builds(lambda a, b: a + b, st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                     st.text(st.sampled_from(_CODE_TAIL), max_size=6))


@st.composite
def definitions(draw: st.DrawFn) -> EventDefinition:
    """A random valid definition (normal form)."""
    first = draw(st.dates(date(2024, 1, 1), date(2030, 12, 1)))
    last = first + timedelta(days=draw(st.integers(0, 3)))
    event = EventDef(draw(codes()), draw(texts()), draw(texts()), draw(st.just("") | texts()),
                     draw(st.just("") | texts()), draw(st.sampled_from(ZONES)), first, last)
    cat_codes = draw(st.lists(codes(), min_size=1, max_size=5, unique=True))
    act_codes = ["MAIN", *draw(st.lists(codes().filter(lambda c: c != "MAIN"), max_size=4, unique=True))]
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    activities = []
    for i, code in enumerate(act_codes):
        day = draw(st.sampled_from(days))
        end_day = draw(st.sampled_from([d for d in days if d >= day]))
        start = draw(st.times(time(0, 0), time(22, 0)).map(
            lambda t: t.replace(microsecond=0, second=t.second if t.minute % 2 else 0)))
        later = [t for t in (time(23, 0), time(23, 59), time(23, 59, 30)) if t > start]
        end = draw(st.sampled_from(later) | st.times(start, time(23, 59, 59)).map(
            lambda t: t.replace(microsecond=0)).filter(lambda t, s=start, d=day, e=end_day: e > d or t > s))
        admits_all = draw(st.booleans())
        admits = () if admits_all else tuple(draw(st.lists(st.sampled_from(cat_codes), unique=True)))
        excepted = tuple(draw(st.lists(st.sampled_from(cat_codes), unique=True)
                              .map(lambda xs, a=admits: [x for x in xs if x not in a])))
        activities.append(ActivityDef(
            code, draw(texts()), draw(texts()), draw(st.just("") | texts()), draw(st.just("") | texts()),
            day=day, start=start, end=end, end_day=end_day,
            doors_before=draw(st.integers(0, 300)), doors_after=draw(st.integers(0, 300)),
            capacity=draw(st.none() | st.integers(1, 5000)), admits=admits, admits_all=admits_all,
            excepted=excepted, mode=draw(st.sampled_from(MODES)), exits_scanned=draw(st.booleans()),
            main=i == 0, archived=i > 0 and draw(st.booleans())))
    categories = []
    for code in cat_codes:
        attention = draw(st.booleans())
        words = draw(st.lists(texts(8).filter(lambda w: not re.search(r"[,;，；、]", w)),
                              max_size=3, unique=True))
        categories.append(CategoryDef(
            code, f"{draw(texts())} {code}", f"{draw(texts())} {code}",
            "#" + draw(st.text(st.sampled_from("0123456789ABCDEF"), min_size=6, max_size=6)),
            draw(st.sampled_from(TEMPLATES)), attention,
            draw(texts()) if attention else "", draw(st.just("") | texts()),
            tuple(draw(st.lists(st.sampled_from(act_codes), unique=True))),
            tuple(f"{w}-{code}" for w in words)))
    return normalised(EventDefinition(event, tuple(activities), tuple(categories)))
