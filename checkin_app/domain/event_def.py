"""The event definition (event, activities, categories) as data: frozen types, checking, normal form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkin_app.domain import event_sheets as sheets
from checkin_app.domain.messages import Message, msg, pair

MAIN_CODE = "MAIN"
SINGLE, REENTRY, ONCE_PER_DAY = "single", "reentry", "once_per_day"
MODES = (SINGLE, REENTRY, ONCE_PER_DAY)
# Words organisers write for a mode in a spreadsheet cell, beside the codes themselves.
MODE_WORDS = sheets.MODE_WORDS
ERROR, WARNING = "error", "warning"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
COLOUR_RE = re.compile(r"^#[0-9A-F]{6}$")
# Characters an alias cannot hold: they separate aliases in a spreadsheet cell.
ALIAS_SEPARATORS = re.compile(sheets.ALIAS_SEPARATORS)
MAX_MINUTES = 24 * 60
LIMITS = {"name": 200, "venue": 200, "hall": 200, "attention": 200, "alias": 100, "template": 64}
_TRUE = sheets.TRUE_WORDS
_FALSE = sheets.FALSE_WORDS


# -- the definition --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EventDef:
    """The conference: names, venue, time zone and first and last day."""

    code: str
    name_zh: str
    name_en: str
    venue_zh: str
    venue_en: str
    timezone: str
    starts_on: date
    ends_on: date

    @property
    def tz(self) -> tzinfo:
        """The event's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class ActivityDef:
    """An activity or the main entrance; times are local to the event's time zone.

    Admitted categories: `admits` (or every category when `admits_all`), plus the categories that
    list this activity among their default activities, minus `excepted`.
    """

    code: str
    name_zh: str
    name_en: str
    hall_zh: str = ""
    hall_en: str = ""
    day: date = date(2000, 1, 1)
    start: time = time(0, 0)
    end: time = time(23, 59)
    end_day: date | None = None  # a multi-day activity (the main entrance) ends on this day
    doors_before: int = 30  # minutes the door admits before the start
    doors_after: int = 0  # minutes the door still admits after the end
    capacity: int | None = None
    admits: tuple[str, ...] = ()
    admits_all: bool = False
    excepted: tuple[str, ...] = ()
    mode: str = REENTRY
    exits_scanned: bool = False
    main: bool = False
    archived: bool = False

    def starts_at(self, tz: tzinfo) -> datetime:
        """Start as an aware datetime."""
        return datetime.combine(self.day, self.start, tz)

    def ends_at(self, tz: tzinfo) -> datetime:
        """End as an aware datetime."""
        return datetime.combine(self.end_day or self.day, self.end, tz)


@dataclass(frozen=True, slots=True)
class CategoryDef:
    """A delegate category: names, colour, badge, attention, default activities, export aliases."""

    code: str
    name_zh: str
    name_en: str
    colour: str = "#607D8B"
    badge_template: str = ""  # "" = the template that lists the category, else the default one
    attention: bool = False
    attention_zh: str = ""
    attention_en: str = ""
    default_activities: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventDefinition:
    """One event with its programme and categories, in file order."""

    event: EventDef
    activities: tuple[ActivityDef, ...]
    categories: tuple[CategoryDef, ...]

    def activity(self, code: str) -> ActivityDef | None:
        """An activity by code."""
        return next((a for a in self.activities if a.code == code), None)

    def category(self, code: str) -> CategoryDef | None:
        """A category by code."""
        return next((c for c in self.categories if c.code == code), None)


def admitted(definition: EventDefinition) -> dict[str, tuple[str, ...]]:
    """Every activity's admitted category codes (in category order), the rules desks apply."""
    order = [c.code for c in definition.categories]
    by_default: dict[str, set[str]] = {}
    for cat in definition.categories:
        for code in cat.default_activities:
            by_default.setdefault(code, set()).add(cat.code)
    out: dict[str, tuple[str, ...]] = {}
    for act in definition.activities:
        chosen = set(order) if act.admits_all else set(act.admits) | by_default.get(act.code, set())
        chosen -= set(act.excepted)
        out[act.code] = tuple(c for c in order if c in chosen)
    return out


def normalised(definition: EventDefinition) -> EventDefinition:
    """The one form a definition is stored and exported in (same rules, canonical spelling).

    Lists follow category / activity order without repeats; a category an activity names and
    whose default activities name it too is kept on the category's side only; `admits` is empty
    when every category is admitted; a one-day activity has no end day.
    """
    cat_order = {c.code: i for i, c in enumerate(definition.categories)}
    act_order = {a.code: i for i, a in enumerate(definition.activities)}

    def ordered(codes: Iterable[str], order: Mapping[str, int]) -> tuple[str, ...]:
        return tuple(sorted(set(codes), key=lambda c: (order.get(c, len(order)), c)))

    cats = tuple(
        replace(c, colour=c.colour.upper(),
                default_activities=ordered(c.default_activities, act_order),
                aliases=tuple(dict.fromkeys(c.aliases)))
        for c in definition.categories)
    by_default: dict[str, set[str]] = {}
    for c in cats:
        for a in c.default_activities:
            by_default.setdefault(a, set()).add(c.code)
    acts = tuple(
        replace(a,
                admits=() if a.admits_all else ordered(set(a.admits) - by_default.get(a.code, set()),
                                                       cat_order),
                excepted=ordered(a.excepted, cat_order),
                end_day=None if a.end_day == a.day else a.end_day)
        for a in definition.activities)
    return EventDefinition(definition.event, acts, cats)


# -- where a value came from, and problems -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Loc:
    """Where in the file: sheet (or section), line (1-based, 0 when unknown) and cell (or key path)."""

    sheet: str = ""
    line: int = 0
    cell: str = ""


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read from a file: field → (value, where); values still untyped."""

    loc: Loc
    values: Mapping[str, tuple[object, Loc]]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A whole file as read, before checking; `problems` are the reader's own (syntax, layout)."""

    event: RawRecord | None
    activities: tuple[RawRecord, ...] = ()
    categories: tuple[RawRecord, ...] = ()
    problems: tuple[EventProblem, ...] = ()


# A problem's words are the catalogue's event.problem.<code> and its hint event.hint.<code>
# (checkin_app/domain/words/event.py); {field}, {value} and the problem's params are filled in.
PROBLEM_CODES = frozenset({
    "syntax", "no_sheet", "no_header", "not_a_mapping", "not_a_list", "unknown_field", "missing",
    "wrong_type", "too_long", "bad_code", "duplicate_code", "bad_date", "bad_time", "bad_number",
    "bad_bool", "bad_mode", "bad_colour", "bad_timezone", "unknown_template", "unknown_category",
    "unknown_activity", "event_dates", "end_before_start", "outside_dates", "no_main",
    "several_mains", "main_code", "admitted_and_excepted", "bad_alias", "alias_taken",
    "no_categories", "no_activities", "admits_nobody",
})


@dataclass(frozen=True, slots=True)
class EventProblem:
    """One line of a check report: where, the value, the problem and what to do, in both languages."""

    sheet: str
    line: int
    cell: str
    field: str
    value: str
    severity: str
    code: str
    message_zh: str
    message_en: str
    hint_zh: str
    hint_en: str

    @property
    def where(self) -> str:
        """sheet / line / cell as one short text."""
        parts = [self.sheet, f"line {self.line}" if self.line else "", self.cell]
        return " ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, object]:
        """Plain dict for --json."""
        return {"sheet": self.sheet, "line": self.line, "cell": self.cell, "field": self.field,
                "value": self.value, "severity": self.severity, "code": self.code,
                "message_zh": self.message_zh, "message_en": self.message_en,
                "hint_zh": self.hint_zh, "hint_en": self.hint_en}


def make_problem(code: str, loc: Loc, *, fld: str = "", value: object = "", severity: str = ERROR,
                 **params: object) -> EventProblem:
    """A report line with its words from the catalogue (event.problem.<code>, event.hint.<code>)."""
    text = _shown(value)
    values: dict[str, object] = {"field": fld, "value": text, "detail": "", "other": "",
                                 "expected": "", "limit": "", "low": "", "high": "", "start": "",
                                 "first": "", "last": "", "known": ""}
    values.update(params)
    return said_problem(code, msg(f"event.problem.{code}", **values), msg(f"event.hint.{code}", **values),
                        loc=loc, fld=fld, value=text, severity=severity)


def said_problem(code: str, problem: Message, hint: Message, *, loc: Loc = Loc(), fld: str = "",
                 value: str = "", severity: str = ERROR) -> EventProblem:
    """A report line from a problem and a hint message (the service's refusals use it too)."""
    zh, en = pair(problem)
    hint_zh, hint_en = pair(hint)
    return EventProblem(loc.sheet, loc.line, loc.cell, fld, value, severity, code, zh, en, hint_zh,
                        hint_en)


def _shown(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date | time) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of checking: the definition (None when an error blocks it) and every problem."""

    definition: EventDefinition | None
    problems: tuple[EventProblem, ...]

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return self.definition is not None

    @property
    def errors(self) -> tuple[EventProblem, ...]:
        """The blocking problems."""
        return tuple(p for p in self.problems if p.severity == ERROR)


# -- value parsing ------------------------------------------------------------------------------
class _Bad(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = dict(params)  # str or Message: make_problem takes either


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        raise _Bad("wrong_type", expected=msg("event.expected.text"))
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str | int | float):
        return str(v).strip()
    raise _Bad("wrong_type", expected=msg("event.expected.text"))


def parse_text(v: object, limit: int = 200) -> str:
    """Trimmed text ("" for nothing); too long or not text is a problem."""
    t = _text(v)
    if len(t) > limit:
        raise _Bad("too_long", limit=limit)
    return t


def parse_code(v: object) -> str:
    """An upper-case code."""
    t = _text(v).upper()
    if not CODE_RE.match(t):
        raise _Bad("bad_code")
    return t


def parse_date(v: object) -> date:
    """A date from a date, a datetime at midnight or ISO text."""
    if isinstance(v, datetime):
        if v.time() != time(0, 0):
            raise _Bad("bad_date")
        return v.date()
    if isinstance(v, date):
        return v
    t = _text(v).replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if not m:
        raise _Bad("bad_date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _Bad("bad_date") from None


def parse_time(v: object) -> time:
    """A time from a time, a spreadsheet day fraction or "HH:MM[:SS]"."""
    if isinstance(v, datetime):
        return v.time().replace(microsecond=0)
    if isinstance(v, time):
        return v.replace(microsecond=0, tzinfo=None)
    if isinstance(v, float) and not isinstance(v, bool) and 0 <= v < 1:
        seconds = round(v * 86400)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    t = _text(v).replace(sheets.FULL_WIDTH_COLON, ":")
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", t)
    if not m:
        raise _Bad("bad_time")
    try:
        return time(int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError:
        raise _Bad("bad_time") from None


def parse_int(v: object, low: int, high: int) -> int:
    """A whole number in [low, high]."""
    if isinstance(v, bool):
        raise _Bad("bad_number", low=low, high=high)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*-?\d+\s*", v):
        v = int(v)
    if not isinstance(v, int) or not low <= v <= high:
        raise _Bad("bad_number", low=low, high=high)
    return v


def parse_bool(v: object) -> bool:
    """yes/no in the words organisers use."""
    if isinstance(v, bool):
        return v
    if v is None:
        return False
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    t = _text(v).lower() if isinstance(v, str) else "?"
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise _Bad("bad_bool")


def split_list(v: object) -> list[str]:
    """Items of a list value: a list, or text separated by commas, semicolons, 、 or lines."""
    if v is None:
        return []
    if isinstance(v, list | tuple):
        return [_text(x) for x in v if _text(x)]
    return [p.strip() for p in ALIAS_SEPARATORS.split(_text(v)) if p.strip()]


def parse_codes(v: object) -> list[str]:
    """A list of codes (duplicates left to the caller)."""
    out = []
    for item in split_list(v):
        if item in sheets.ALL_WORDS:
            out.append("*")
            continue
        out.append(parse_code(item))
    return out


def parse_colour(v: object) -> str:
    """#RRGGBB upper-case."""
    t = _text(v).upper()
    if not COLOUR_RE.match(t):
        raise _Bad("bad_colour")
    return t


def parse_mode(v: object) -> str:
    """single / reentry / once_per_day."""
    t = _text(v).lower().replace(" ", "_")
    mode = MODE_WORDS.get(t)
    if mode is None:
        raise _Bad("bad_mode")
    return mode


def timezone_ok(name: str) -> bool:
    """Whether an IANA zone of this name exists here (tzdata ships with the app)."""
    if not name or name != name.strip() or ".." in name or name.startswith("/"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# -- the schema ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record: key, words in both languages, whether required, an example."""

    key: str
    name_zh: str
    name_en: str
    help_zh: str
    help_en: str
    required: bool = False


def _fields(section: str, names: Mapping[str, tuple[str, str]], required: Iterable[str]
            ) -> tuple[Field, ...]:
    """A section's fields: names from event_sheets (read back), help from the catalogue."""
    need = set(required)
    return tuple(Field(key, zh, en, *pair(msg(f"event.help.{section}.{key}")), key in need)
                 for key, (zh, en) in names.items())


EVENT_FIELDS = _fields("event", sheets.EVENT_NAMES,
                       ("code", "name_zh", "name_en", "timezone", "starts_on", "ends_on"))
ACTIVITY_FIELDS = _fields("activities", sheets.ACTIVITIES_NAMES,
                          ("code", "name_zh", "name_en", "day", "start", "end"))
CATEGORY_FIELDS = _fields("categories", sheets.CATEGORIES_NAMES, ("code", "name_zh", "name_en"))
FIELDS_OF = {"event": EVENT_FIELDS, "activities": ACTIVITY_FIELDS, "categories": CATEGORY_FIELDS}


def field_label(section: str, key: str) -> str:
    """'开始时间 Start (start)': how a report names a field."""
    f = next((f for f in FIELDS_OF[section] if f.key == key), None)
    return f"{f.name_zh} {f.name_en} ({key})" if f else key


# -- checking -----------------------------------------------------------------------------------
@dataclass
class _Checker:
    templates: frozenset[str] | None
    problems: list[EventProblem] = field(default_factory=list)

    def add(self, code: str, loc: Loc, *, fld: str = "", value: object = "", severity: str = ERROR,
            **params: object) -> None:
        self.problems.append(make_problem(code, loc, fld=fld, value=value, severity=severity,
                                          **params))

    def add_bad(self, bad: _Bad, loc: Loc, *, fld: str, value: object) -> None:
        self.problems.append(make_problem(bad.code, loc, fld=fld, value=value, **bad.params))

    def get(self, rec: RawRecord, section: str, key: str, parse: Callable[[object], Any],
            default: Any = None) -> Any:
        """The parsed value of a field, or `default` (with a problem when it was required or bad)."""
        spec = next(f for f in FIELDS_OF[section] if f.key == key)
        label = field_label(section, key)
        raw, loc = rec.values.get(key, (None, rec.loc))
        empty = raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == ()
        if empty:
            if spec.required:
                self.add("missing", loc if key in rec.values else rec.loc, fld=label)
            return default
        try:
            return parse(raw)
        except _Bad as bad:
            self.add_bad(bad, loc, fld=label, value=raw)
        except (TypeError, ValueError, OverflowError):
            self.add("wrong_type", loc, fld=label, value=raw, expected=msg("event.expected.valid"))
        return default

    def unknown_fields(self, rec: RawRecord, section: str) -> None:
        known = {f.key for f in FIELDS_OF[section]}
        for key, (_v, loc) in rec.values.items():
            if key not in known:
                self.add("unknown_field", loc, fld=key, severity=WARNING)


def _where(loc: Loc) -> str:
    return " ".join(p for p in (loc.sheet, f"line {loc.line}" if loc.line else "", loc.cell) if p)


def _raw_code(rec: RawRecord) -> str | None:
    raw = rec.values.get("code", (None, rec.loc))[0]
    try:
        return parse_code(raw)
    except (_Bad, TypeError, ValueError):
        return None


def check_document(doc: RawDocument, *, templates: Iterable[str] | None = None) -> CheckReport:
    """Check a read file; the definition comes back (in normal form) only when nothing blocks it.

    `templates`: names of the badge templates there are (None: not checked).
    """
    c = _Checker(frozenset(templates) if templates is not None else None, list(doc.problems))
    event, dates = _check_event(c, doc.event)
    cat_codes = {x for x in map(_raw_code, doc.categories) if x}
    act_codes = {x for x in map(_raw_code, doc.activities) if x}
    categories = [_check_category(c, r, act_codes) for r in doc.categories]
    activities = [_check_activity(c, r, dates, cat_codes) for r in doc.activities]
    if not doc.categories and doc.event is not None:
        c.add("no_categories", doc.event.loc)
    if not doc.activities and doc.event is not None:
        c.add("no_activities", doc.event.loc)
    _check_unique(c, [(x, r) for r in doc.categories if (x := _raw_code(r))])
    _check_unique(c, [(x, r) for r in doc.activities if (x := _raw_code(r))])
    cat_ok = [(x, r) for x, r in zip(categories, doc.categories, strict=True) if x is not None]
    act_ok = [(x, r) for x, r in zip(activities, doc.activities, strict=True) if x is not None]
    _check_aliases(c, cat_ok)
    mains = [(a, r) for a, r in act_ok if a.main]
    if act_ok and not mains:
        c.add("no_main", act_ok[0][1].loc)
    if len(mains) > 1:
        c.add("several_mains", mains[1][1].loc, value=", ".join(a.code for a, _ in mains))
    for a, r in mains:
        if a.code != MAIN_CODE:
            c.add("main_code", r.values.get("code", (None, r.loc))[1], value=a.code)
    blocked = (event is None or any(p.severity == ERROR for p in c.problems)
               or None in categories or None in activities)
    if blocked or event is None:
        return CheckReport(None, tuple(c.problems))
    definition = EventDefinition(event, tuple(a for a in activities if a is not None),
                                 tuple(x for x in categories if x is not None))
    for code, cats in admitted(definition).items():
        act = definition.activity(code)
        if not cats and act is not None and not act.archived:
            rec = next(r for x, r in act_ok if x.code == code)
            c.add("admits_nobody", rec.loc, value=code, severity=WARNING)
    return CheckReport(normalised(definition), tuple(c.problems))


def _check_unique(c: _Checker, items: Sequence[tuple[str, RawRecord]]) -> None:
    first: dict[str, RawRecord] = {}
    for code, rec in items:
        if code in first:
            c.add("duplicate_code", rec.values.get("code", (None, rec.loc))[1], fld="code", value=code,
                  other=_where(first[code].loc))
        else:
            first[code] = rec


def _check_aliases(c: _Checker, cats: Sequence[tuple[CategoryDef, RawRecord]]) -> None:
    owner: dict[str, str] = {}
    for x, _r in cats:
        for word in (x.code, x.name_zh, x.name_en):
            owner.setdefault(word.casefold(), x.code)
    for x, r in cats:
        loc = r.values.get("aliases", (None, r.loc))[1]
        for alias in x.aliases:
            if ALIAS_SEPARATORS.search(alias):
                c.add("bad_alias", loc, fld=field_label("categories", "aliases"), value=alias)
                continue
            other = owner.setdefault(alias.casefold(), x.code)
            if other != x.code:
                c.add("alias_taken", loc, fld=field_label("categories", "aliases"), value=alias,
                      other=other)


def _check_event(c: _Checker, rec: RawRecord | None
                 ) -> tuple[EventDef | None, tuple[date, date] | None]:
    if rec is None:
        return None, None
    c.unknown_fields(rec, "event")
    s = "event"
    code = c.get(rec, s, "code", parse_code)
    name_zh = c.get(rec, s, "name_zh", parse_text, "")
    name_en = c.get(rec, s, "name_en", parse_text, "")
    venue_zh = c.get(rec, s, "venue_zh", parse_text, "")
    venue_en = c.get(rec, s, "venue_en", parse_text, "")
    tz_name = c.get(rec, s, "timezone", lambda v: parse_text(v, 64))
    if tz_name is not None and not timezone_ok(tz_name):
        c.add("bad_timezone", rec.values["timezone"][1], fld=field_label(s, "timezone"), value=tz_name)
        tz_name = None
    first = c.get(rec, s, "starts_on", parse_date)
    last = c.get(rec, s, "ends_on", parse_date)
    if first is None or last is None:
        return None, None
    if last < first:
        c.add("event_dates", rec.values["ends_on"][1], fld=field_label(s, "ends_on"), value=last)
        return None, None
    if code is None or tz_name is None or not name_zh or not name_en:
        return None, (first, last)
    return EventDef(code, name_zh, name_en, venue_zh, venue_en, tz_name, first, last), (first, last)


def _check_category(c: _Checker, rec: RawRecord, act_codes: set[str]) -> CategoryDef | None:
    c.unknown_fields(rec, "categories")
    s = "categories"
    before = len(c.problems)
    code = c.get(rec, s, "code", parse_code)
    name_zh = c.get(rec, s, "name_zh", parse_text, "")
    name_en = c.get(rec, s, "name_en", parse_text, "")
    colour = c.get(rec, s, "colour", parse_colour, "#607D8B")
    template = c.get(rec, s, "badge_template", lambda v: parse_text(v, LIMITS["template"]), "")
    if template and c.templates is not None and template not in c.templates:
        c.add("unknown_template", rec.values["badge_template"][1], fld=field_label(s, "badge_template"),
              value=template, known=", ".join(sorted(c.templates)) or "—")
    attention = c.get(rec, s, "attention", parse_bool, False)
    attention_zh = c.get(rec, s, "attention_zh", parse_text, "")
    attention_en = c.get(rec, s, "attention_en", parse_text, "")
    defaults = c.get(rec, s, "default_activities", parse_codes, [])
    for code_ in defaults:
        if code_ not in act_codes:
            c.add("unknown_activity", rec.values["default_activities"][1],
                  fld=field_label(s, "default_activities"), value=code_)
    aliases = c.get(rec, s, "aliases", lambda v: [parse_text(a, LIMITS["alias"]) for a in _items(v)], [])
    if any(p.severity == ERROR for p in c.problems[before:]) or code is None or not (name_zh and name_en):
        return None
    return CategoryDef(code, name_zh, name_en, colour, template, attention, attention_zh, attention_en,
                       tuple(d for d in defaults if d != "*"), tuple(a for a in aliases if a))


def _items(v: object) -> list[object]:
    """Alias items: a list as it is (so a separator inside one is reported), or text split up."""
    if isinstance(v, list | tuple):
        return list(v)
    return list(split_list(v))


def _check_activity(c: _Checker, rec: RawRecord, dates: tuple[date, date] | None,
                    cat_codes: set[str]) -> ActivityDef | None:
    c.unknown_fields(rec, "activities")
    s = "activities"
    before = len(c.problems)
    code = c.get(rec, s, "code", parse_code)
    name_zh = c.get(rec, s, "name_zh", parse_text, "")
    name_en = c.get(rec, s, "name_en", parse_text, "")
    hall_zh = c.get(rec, s, "hall_zh", parse_text, "")
    hall_en = c.get(rec, s, "hall_en", parse_text, "")
    day = c.get(rec, s, "day", parse_date)
    start = c.get(rec, s, "start", parse_time)
    end = c.get(rec, s, "end", parse_time)
    end_day = c.get(rec, s, "end_day", parse_date)
    doors_before = c.get(rec, s, "doors_before", lambda v: parse_int(v, 0, MAX_MINUTES), 30)
    doors_after = c.get(rec, s, "doors_after", lambda v: parse_int(v, 0, MAX_MINUTES), 0)
    capacity = c.get(rec, s, "capacity", lambda v: parse_int(v, 1, 10_000_000))
    admits = c.get(rec, s, "admits", parse_codes, [])
    excepted = c.get(rec, s, "except", parse_codes, [])
    for key, listed in (("admits", admits), ("except", excepted)):
        for code_ in listed:
            if code_ != "*" and code_ not in cat_codes:
                c.add("unknown_category", rec.values[key][1], fld=field_label(s, key), value=code_)
    for code_ in set(admits) & set(excepted) - {"*"}:
        c.add("admitted_and_excepted", rec.values["except"][1], fld=field_label(s, "except"),
              value=code_)
    mode = c.get(rec, s, "mode", parse_mode, REENTRY)
    exits = c.get(rec, s, "exits_scanned", parse_bool, False)
    main = c.get(rec, s, "main", parse_bool, False)
    archived = c.get(rec, s, "archived", parse_bool, False)
    if day is not None and start is not None and end is not None:
        last_day = end_day or day
        if datetime.combine(last_day, end) <= datetime.combine(day, start):
            loc = rec.values.get("end", (None, rec.loc))[1]
            c.add("end_before_start", loc, fld=field_label(s, "end"),
                  value=f"{last_day.isoformat()} {end.isoformat('minutes')}",
                  start=f"{day.isoformat()} {start.isoformat('minutes')}")
        if dates is not None:
            for key, d in (("day", day), ("end_day", last_day)):
                if not dates[0] <= d <= dates[1] and (key == "day" or end_day is not None):
                    c.add("outside_dates", rec.values[key][1], fld=field_label(s, key), value=d,
                          first=dates[0].isoformat(), last=dates[1].isoformat())
    if (any(p.severity == ERROR for p in c.problems[before:]) or code is None or day is None
            or start is None or end is None or not (name_zh and name_en)):
        return None
    return ActivityDef(
        code=code, name_zh=name_zh, name_en=name_en, hall_zh=hall_zh, hall_en=hall_en, day=day,
        start=start, end=end, end_day=end_day, doors_before=doors_before, doors_after=doors_after,
        capacity=capacity, admits=tuple(a for a in admits if a != "*"), admits_all="*" in admits,
        excepted=tuple(e for e in excepted if e != "*"), mode=mode, exits_scanned=exits, main=main,
        archived=archived)


def day_start(moment: datetime, tz: tzinfo) -> datetime:
    """Local midnight of the day `moment` falls on, in the event's time zone (aware)."""
    return datetime.combine(moment.astimezone(tz).date(), time(0, 0), tz)
