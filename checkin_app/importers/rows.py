"""Turning one spreadsheet row into a validated delegate record plus its report lines (pure, no I/O)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from checkin_app.domain.messages import pair
from checkin_app.domain.names import family_first, split_full_name
from checkin_app.domain.romanise import generated_latin, latin_missing
from checkin_app.domain.search_keys import split_chinese_name
from checkin_app.importers.countries import country_code
from checkin_app.importers.fields import (
    BY_KEY,
    PRIVATE_FIELDS,
    exact_field,
    header_score,
    header_text,
)
from checkin_app.importers.report import ERROR, INFO, WARNING, Problem, problem
from checkin_app.importers.text import (
    answer_text,
    clean,
    digits_from_number,
    fold,
    has_han,
    parse_date,
    split_list,
)
from checkin_app.importers.vocab import (
    APPROVED_WORDS,
    CANCELLED_WORDS,
    CATEGORY_PARTS,
    FULL_WIDTH_QUESTION,
    PENDING_WORDS,
    PLACEHOLDER_NAMES,
    PLACEHOLDER_PREFIXES,
    SECTION_ROW,
    TEST_NAME,
    TOTAL_ROW,
    TRACK_ACTIVITY_WORDS,
    TRACK_NOISE_WORDS,
)


@dataclass(frozen=True, slots=True)
class CategoryRef:
    """A category of the target event."""

    id: int
    code: str
    name_zh: str
    name_en: str
    # What registration exports call it (from the event definition): 嘉宾, Guest, VIP嘉宾 …
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActivityRef:
    """An activity of the target event and the categories it admits by default."""

    id: int
    code: str
    name_zh: str
    name_en: str
    is_main: bool
    admitted: frozenset[str]


class Catalog:
    """Categories and activities of the event, found by code, Chinese or English name."""

    def __init__(self, categories: Sequence[CategoryRef], activities: Sequence[ActivityRef]) -> None:
        self.categories = {c.code: c for c in categories}
        self.activities = {a.code: a for a in activities}
        self._cat: dict[str, str] = {}
        for c in categories:
            for name in (c.code, c.name_zh, c.name_en):
                self._cat.setdefault(fold(name), c.code)
        for c in categories:  # after every code and name: an alias never shadows one
            for alias in c.aliases:
                self._cat.setdefault(fold(alias), c.code)
        self._act: dict[str, str] = {}
        for a in activities:
            for name in (a.code, a.name_zh, a.name_en):
                self._act.setdefault(fold(name), a.code)
        self._act_names = [(fold(n), a.code) for a in activities if not a.is_main
                           for n in (a.name_zh, a.name_en) if fold(n)]

    @property
    def track_activities(self) -> dict[str, ActivityRef]:
        """The activities a competition track can name: the competitions' finals and tracks
        (names with 赛道, 赛, track, competition, cup, final), or every activity that is not the
        main entrance when no name says so."""
        found = {code: a for code, a in self.activities.items() if not a.is_main and any(
            w in f"{a.name_zh} {a.name_en}".casefold() for w in TRACK_ACTIVITY_WORDS)}
        return found or {code: a for code, a in self.activities.items() if not a.is_main}

    def category(self, text: str) -> CategoryRef | None:
        """The category a cell names: '贵宾', 'VIP', 'vip', '贵宾 VIP' or '贵宾/VIP'."""
        code = self._cat.get(fold(text)) or self._cat.get(fold(answer_text(text)))
        if code is None:
            # "贵宾 VIP", "贵宾（VIP）": every part must name the same category.
            parts = {self._cat.get(fold(p)) for p in re.split(CATEGORY_PARTS, clean(text)) if p}
            if len(parts) == 1:
                code = parts.pop()
        return self.categories.get(code) if code else None

    def activity(self, text: str) -> ActivityRef | None:
        """The activity a list item names (code, Chinese or English name)."""
        key = fold(answer_text(text))
        code = self._act.get(fold(text)) or self._act.get(key)
        if code is None and len(key) >= 2:
            # A short name ("高峰论坛", "签约仪式"): the one activity whose name holds it.
            hits = {c for name, c in self._act_names if key in name}
            code = hits.pop() if len(hits) == 1 else None
        return self.activities.get(code) if code else None

    def track(self, text: str) -> ActivityRef | None:
        """The activity of a competition track: "智能制造", "星渝杯·数字经济赛道", "Main track"."""
        found = self.activity(text)
        if found is not None:
            return found
        key = fold(answer_text(text))
        for word in TRACK_NOISE_WORDS:
            key = key.replace(fold(word), "")
        if len(key) < 2:
            return None
        hits = {c for name, c in self._act_names if key in name}
        return self.activities.get(hits.pop()) if len(hits) == 1 else None


@dataclass(frozen=True, slots=True)
class RowOptions:
    """How rows are read: which key matches people, what personal data is kept."""

    key_field: str = "registration_code"
    keep: frozenset[str] = frozenset()
    default_category: str | None = None
    # Registration numbers that are all digits are padded to this width (Excel drops leading zeros).
    code_width: int | None = None
    epoch_1904: bool = False
    # Value mappings chosen by the organiser, per vocabulary column ("category", "activity",
    # "status", "country"): folded cell value → target (a code, approved/cancelled, "-" to leave
    # it out, or REJECT). They apply before the event's own names and aliases.
    value_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


# Personal data that identifies a person in any list (with name + organisation).
IDENTITY_FIELDS = ("id_number", "email", "phone")


def identity_hash(kind: str, value: str) -> str:
    """The stored form of an identifying value: a hash, never the value itself. An e-mail is
    matched without case; a phone without +86 / 0086 and without separators."""
    if kind == "email":
        value = value.strip().lower()
    elif kind == "phone":
        digits = value if value.isascii() and value.isdigit() else _NOT_DIGIT.sub("", value)
        for cc in ("0086", "86"):
            if digits.startswith(cc) and len(digits) == len(cc) + 11:
                digits = digits[len(cc):]
        value = digits
    # 128 bits of SHA-256 (32 hex digits): as good as all 256 at telling people apart, half the
    # bytes in the table and its index (migration 0016 shortened the ones stored before).
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()[:32]


# Why a row is no person, (zh, en) for the report line (the catalogue's "import.junk.<reason>").
JUNK_REASONS = {reason: pair(f"import.junk.{reason}")
                for reason in ("test", "placeholder", "error", "lost", "punctuation")}


# A value mapped to this rejects the row; "-" (IGNORE) leaves the value out.
REJECT = "reject"
IGNORE = "-"
VOCABULARIES = ("category", "activity", "status", "country", "track")
STATUSES = ("approved", "cancelled")


@dataclass(frozen=True, slots=True)
class Record:
    """A valid row: the delegate columns the file provides, admissions and kept personal data."""

    line: int
    key: str
    registration_code: str
    values: dict[str, Any]
    # Activity ids the row lists (None when the file says nothing about activities for this row).
    activities: frozenset[int] | None
    # Of those, the ones the category does not admit by default: individual admissions.
    extra_admissions: frozenset[int] | None
    private: dict[str, str] = field(default_factory=dict)
    photo_name: str = ""
    # A short digest of the name and organisation as folded (b"" without a name): two rows of
    # the file with the same one are probably one person, listed twice.
    person_key: bytes = b""
    # What identifies the person across sources: (kind, hash) of the ID number, e-mail, phone
    # and name + organisation (hashes only: nothing personal is stored for it).
    identity: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        # An import spools its records through pickle: as a plain tuple of fields, not the
        # per-field state dataclasses give slotted classes (a second per 100,000 rows).
        return (Record, (self.line, self.key, self.registration_code, self.values, self.activities,
                         self.extra_admissions, self.private, self.photo_name, self.person_key,
                         self.identity))


class Outcome(NamedTuple):
    """What became of one row."""

    kind: str  # 'data', 'blank', 'total' or 'header'
    record: Record | None
    problems: list[Problem]
    key: str  # the matching key, also for a rejected row ("" when there is none)


# Maximum lengths of the delegate columns (storage/models.py); longer text is cut with a warning.
LIMITS = {
    "registration_code": 64, "family_name": 120, "given_name": 120, "name_native": 200,
    "name_latin": 200, "honorific": 60, "organisation_zh": 300, "organisation_en": 300,
    "position_zh": 200, "position_en": 200, "team": 200, "track": 100, "attention_note": 500,
}

_SHORTEST_LIMIT = min(LIMITS.values())
# The fields validate reads, in the order RowValidator._row_texts gives their texts (then the
# personal-data fields the mapping has); the plain-text ones last.
_PLAIN_FIELDS = ("honorific", "team", "track", "attention_note")
_READ_FIELDS = ("name", "family_name", "given_name", "name_latin", "country", "organisation",
                "organisation_en", "position", "position_en", "category", "status", "photo",
                *_PLAIN_FIELDS)
_PLAIN_START = _READ_FIELDS.index(_PLAIN_FIELDS[0])

# Statuses exports write (importers/vocab.py), folded as cells are.
_CANCELLED = {fold(w) for w in CANCELLED_WORDS}
_APPROVED = {fold(w) for w in APPROVED_WORDS}
_PENDING = {fold(w) for w in PENDING_WORDS}
_TOTAL = re.compile(TOTAL_ROW, re.IGNORECASE)
_CODE_OK = re.compile(r"^[A-Z0-9][A-Z0-9\-_/.#]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_HAN_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
# Compiled once (a pattern given as text is looked up in re's cache at every row).
_SPACED_NAME = re.compile(r"([\u3400-\u9fff]{1,3})\s+([\u3040-\u30ff\u3400-\u9fff]{1,4})")
_NOT_DIGIT = re.compile(r"\D")
_PHONE_MARKS = re.compile(r"[\s\-().]")
_WHITE = re.compile(r"\s")


def _han_only(text: str) -> str:
    """张 伟 → 张伟: people pad two-character names with a space to line them up."""
    return _HAN_SPACE.sub("", text) if " " in text else text


_EAST_ASIAN_SCRIPTS = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u1100-\u11ff]")
# Korean family names of one syllable (the common ones: nine people in ten).
_KOREAN_SURNAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송류유홍전고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변"
    "염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용")


def _korean_swapped(family: str, given: str) -> bool:
    """Whether a Hangul name's parts are the wrong way round (one-syllable surname in 'given')."""
    hangul = re.compile(r"^[\uac00-\ud7af]+$")
    if not (hangul.match(family) and hangul.match(given)):
        return False
    return len(given) == 1 and given in _KOREAN_SURNAMES and len(family) >= 2


# Rows that are no person: test rows, form placeholders, spreadsheet errors, lost characters.
_PLACEHOLDERS = {fold(w) for w in PLACEHOLDER_NAMES}
_TEST = re.compile(TEST_NAME, re.IGNORECASE)
_SHEET_ERROR = re.compile(r"^#(N/A|REF!|VALUE!|NAME\?|DIV/0!|NULL!|NUM!|SPILL!|CALC!|GETTING_DATA)$",
                          re.IGNORECASE)
# Section rows of a hand-made sheet: "一、院士专家", "二. 企业代表", "第三部分 媒体", "(一) 嘉宾".
_SECTION = re.compile(SECTION_ROW)


def junk_reason(name: str) -> str | None:
    """Why a name is no person's (None when it may be one): test, placeholder, error, lost."""
    text = clean(name)
    if not text:
        return None
    if text[0] == "#" and _SHEET_ERROR.match(text):
        return "error"
    if _TEST.search(text):
        return "test"
    if fold(text) in _PLACEHOLDERS or text.startswith(PLACEHOLDER_PREFIXES):
        return "placeholder"
    if "?" in text or "\ufffd" in text or FULL_WIDTH_QUESTION in text:
        return "lost"  # 刘?: a character the export could not write
    if not (text[0].isalpha() or any(ch.isalpha() for ch in text)):
        return "punctuation"
    return None


def names(full: str, family: str, given: str, latin: str, country: str = "") -> dict[str, str] | None:
    """family_name, given_name, name_native, name_latin and name_order from what the row gives.

    A Latin name the row gives is kept; otherwise one is made only by a standard (see
    domain.romanise), which depends on the country (no Mainland pinyin for HK, MO, TW).
    """
    found = _names(full, family, given, latin, country)
    return None if found is None else dict(zip(_NAME_KEYS, found, strict=True))


_NAME_KEYS = ("family_name", "given_name", "name_native", "name_latin", "name_order")


# Names repeat (a family name and one given character; a list imported again): each distinct
# name is split and romanised once.
@lru_cache(maxsize=8192)
def _names(full: str, family: str, given: str, latin: str, country: str
           ) -> tuple[str, str, str, str, str] | None:
    out = _split_names(full, family, given, latin, country)
    if out is None:
        return None
    return (out["family_name"], out["given_name"], out["name_native"], out["name_latin"],
            out["name_order"])  # the order of _NAME_KEYS


def _split_names(full: str, family: str, given: str, latin: str, country: str
                 ) -> dict[str, str] | None:
    full_text = clean(full)
    if not (family or given) and " " not in full_text:
        # One name field without a space (most lists): nothing to split there, swap or join; what
        # the general steps below would give for it.
        full, latin = full_text, _han_only(clean(latin))
        family = given = joined = ""
        if not (full or latin):
            return None
    else:
        spaced = _SPACED_NAME.fullmatch(full_text) if " " in full_text else None
        if spaced and not (family or given):
            family, given = spaced.groups()  # "田中 花子", "欧阳 娜娜": the space is where it splits
        full, family, given, latin = (_han_only(clean(x)) for x in (full, family, given, latin))
        if not (full or family or given or latin):
            return None
        if _EAST_ASIAN_SCRIPTS.search(family + given) and _korean_swapped(family, given):
            family, given = given, family  # 'First: 정, Last: 지민': the surname put first
        # Chinese, Korean and Japanese names are written family name first without a space, also
        # when the form asked for First and Last ("지민" / "정" is 정지민, never "지민 정").
        cjk = has_han(family + given) or bool(_EAST_ASIAN_SCRIPTS.search(family + given))
        joined = (family + given) if cjk else " ".join(p for p in (given, family) if p)
    native = full or joined
    if not native and latin:
        native = latin
    eastern = has_han(native) or bool(_EAST_ASIAN_SCRIPTS.search(native))
    if eastern:
        if not (family or given):
            split = split_chinese_name(native)
            if split is not None:
                family, given = split
            else:
                parts = native.split()
                family, given = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else ("", native)
        if not latin:
            latin = generated_latin(family=family, given=given, native=native, country=country,
                                    order="eastern")
        return {"family_name": family, "given_name": given, "name_native": native,
                "name_latin": latin, "name_order": "eastern"}
    if not (family or given):
        # One field: split by the name's culture — capitals mark the family ("PETROVIĆ Đorđe"),
        # "Smith, John", family first in Vietnam and Hungary ("Nguyễn Thị Minh Khai"), two
        # surnames in Spanish-speaking places ("José Luis Rodríguez Zapatero"), else the last word.
        family, given = split_full_name(native, country)
        if "," in native:
            native = f"{given} {family}".strip()
    # Vietnamese and Hungarian names keep the family first in Latin letters too.
    order = "eastern" if family and family_first(country, native) else "western"
    if not latin:
        latin = generated_latin(family=family, given=given, native=native, country=country,
                                order=order)
    return {"family_name": family, "given_name": given, "name_native": native,
            "name_latin": latin, "name_order": order}


def _phone(value: object) -> tuple[str, str | None]:
    """Normalised phone and the problem code, if any."""
    digits, lost = digits_from_number(value)
    if lost:
        return digits, "phone_digits_lost"
    text = digits if digits.isascii() and digits.isdigit() else _PHONE_MARKS.sub("", digits)
    plus = text.startswith("+")
    core = text.lstrip("+")
    if not core.isdigit() or not 7 <= len(core) <= 15:
        return digits, "bad_phone"
    if not plus and len(core) == 11 and core[0] != "1" and core[0] != "0":
        return digits, "bad_phone"
    return ("+" if plus else "") + core, None


def _id_number(value: object) -> tuple[str, str | None]:
    digits, lost = digits_from_number(value)
    text = _WHITE.sub("", digits).upper()
    if lost:
        return text, "phone_digits_lost"
    if re.fullmatch(r"\d{17}[\dX]", text):
        total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != text[17]:
            return text, "bad_id"
    return text, None


# What a validator keeps per distinct value (a country, a category, an organisation, an activity
# list): at most this many entries per table, only values up to this long, and at most this many
# characters of values in all, so a hostile file of distinct or huge values cannot grow memory
# without bound (a few MB at most); what is not kept is worked out again, with the same result.
_MEMO_ENTRIES = 20_000
_MEMO_CHARS = 300
_MEMO_BUDGET = 1_000_000


# Worked out once per distinct value, placed on each row's line: (values to set, report lines).
_TextParts = tuple[tuple[tuple[str, str], ...], tuple[Problem, ...]]
_Admissions = tuple[frozenset[int], frozenset[int], tuple[Problem, ...]]
# A track's activity (None when it admits to nothing) and whether it is an individual admission.
_TrackDecision = tuple[int | None, bool, tuple[Problem, ...]]


class RowValidator:
    """Validates rows of one sheet under one column mapping.

    What depends on a value alone (a country, a category, a status, an organisation, an activity
    list with the row's category) is worked out once per distinct value and kept on the
    validator with the catalogue and options it was worked out under: setting either starts
    afresh. The columns and headers are fixed when the validator is made.
    """

    def __init__(self, catalog: Catalog, headers: Sequence[object], mapping: Sequence[str | None],
                 options: RowOptions, sheet: str = "") -> None:
        self._catalog = catalog
        self._options = options
        self.sheet = sheet
        self.headers = [header_text(h, i) for i, h in enumerate(headers)]
        self.columns: dict[str, list[int]] = {}
        for i, f in enumerate(mapping):
            if f is not None:
                self.columns.setdefault(f, []).append(i)
        self._texts: list[str] = []
        self.key_field = options.key_field
        # The personal-data fields some column feeds, in a fixed order (the same for every row).
        self._private_fields = [f for f in sorted(PRIVATE_FIELDS) if f in self.columns]
        # Per mapping, not per row: validate takes every field's text (_text) from the cleaned
        # cells in one call. A field one column feeds is that cell ("" past the row's end), an
        # unmapped one the "" padded on at the end (index -1), one several columns feed is
        # joined per row.
        fields = _READ_FIELDS + tuple(self._private_fields)
        single = [cols[0] if cols and len(cols) == 1 else -1
                  for cols in (self.columns.get(f) for f in fields)]
        self._fetch = itemgetter(*single)
        self._width = max(single) + 1
        self._joined = tuple((n, f) for n, f in enumerate(fields) if len(self.columns.get(f, ())) > 1)
        self._one_column = {f: cols[0] for f, cols in self.columns.items() if len(cols) == 1}
        self._private_at = tuple((f, len(_READ_FIELDS) + n) for n, f in enumerate(self._private_fields))
        self._text_parts = tuple(
            (src, f"{src}_en", zh_col, en_col, _READ_FIELDS.index(src),
             _READ_FIELDS.index(f"{src}_en"))
            for src, zh_col, en_col in (("organisation", "organisation_zh", "organisation_en"),
                                        ("position", "position_zh", "position_en"))
            if self.mapped(src) or self.mapped(f"{src}_en"))
        self._plain_at = tuple((f, _READ_FIELDS.index(f)) for f in _PLAIN_FIELDS if self.mapped(f))
        self._has_country = self.mapped("country")
        self._has_status = self.mapped("status")
        self._forget()

    @property
    def catalog(self) -> Catalog:
        """The event's categories and activities the rows are checked against."""
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._forget()

    @property
    def options(self) -> RowOptions:
        """How rows are read (an XLSX import sets them again once it knows the date system)."""
        return self._options

    @options.setter
    def options(self, options: RowOptions) -> None:
        self._options = options
        self._forget()

    def _remember(self, memo: dict[Any, Any], key: Any, size: int, value: Any) -> Any:
        """value, kept in memo under key when the table has room and the key is short enough."""
        if size <= _MEMO_CHARS and len(memo) < _MEMO_ENTRIES and self._kept + size <= _MEMO_BUDGET:
            memo[key] = value
            self._kept += size
        return value

    def _forget(self) -> None:
        """Start the per-value tables afresh (they hold results under the catalogue and options)."""
        self._kept = 0  # characters of the values kept, in all tables
        self._countries: dict[str, tuple[str, Problem | None]] = {}
        self._text_values: dict[tuple[str, str, str], _TextParts] = {}
        self._categories: dict[str, tuple[CategoryRef | None, Problem | None]] = {}
        self._statuses: dict[str, tuple[str | None, Problem | None]] = {}
        self._admissions: dict[tuple[str | None, str | None], _Admissions] = {}
        self._tracks: dict[tuple[str, str | None], _TrackDecision] = {}

    def mapped(self, field_key: str) -> bool:
        """Whether some column feeds this field."""
        return field_key in self.columns

    def _raw(self, cells: Sequence[object], key: str) -> object:
        i = self._one_column.get(key)
        if i is not None:
            return cells[i] if i < len(cells) else None
        cols = self.columns.get(key)
        if not cols:
            return None
        if len(cols) == 1:
            return cells[cols[0]] if cols[0] < len(cells) else None
        parts = [clean(cells[i]) for i in cols if i < len(cells) and clean(cells[i])]
        return "\n".join(parts)

    def _text(self, cells: Sequence[object], key: str) -> str:
        """The cleaned text of a field ("" when unmapped or empty)."""
        cols = self.columns.get(key)
        if not cols:
            return ""
        if len(cols) == 1:
            i = cols[0]
            return self._texts[i] if i < len(self._texts) else ""
        return clean(self._raw(cells, key))

    def _row_texts(self, cells: Sequence[object]) -> tuple[str, ...]:
        """The _text of each of _READ_FIELDS, then of each personal-data field (after kind)."""
        texts = self._texts
        missing = self._width - len(texts)
        pad = [""] * (missing + 1) if missing > 0 else [""]
        found: tuple[str, ...] = self._fetch(texts + pad)
        if not self._joined:
            return found
        out = list(found)
        for n, f in self._joined:
            out[n] = self._text(cells, f)
        return tuple(out)

    def _col(self, key: str) -> str:
        cols = self.columns.get(key)
        return self.headers[cols[0]] if cols else BY_KEY[key].name_en

    def _p(self, code: str, severity: str, line: int, key: str, value: object, **kw: object) -> Problem:
        return problem(code, severity, sheet=self.sheet, line=line, column=self._col(key),
                       value=clean(value), **kw)

    def _at(self, note: Problem, line: int) -> Problem:
        """A report line worked out once for a value (at line 0), on this row's line."""
        return Problem(self.sheet, line, note.column, note.value, note.severity, note.code,
                       note.message_zh, note.message_en)

    def kind(self, cells: Sequence[object]) -> str:
        """'blank', 'total', 'header' or 'data'."""
        texts = self._texts = list(map(clean, cells))
        for first in texts:
            if first:
                break
        else:
            return "blank"
        # Most rows are people: another kind of row starts with what could begin a section, a
        # total or a field's name, and only then is the whole row looked at.
        if not (_SECTION.match(first) or _TOTAL.match(first) or exact_field(fold(first)) is not None):
            return "data"
        filled = [t for t in texts if t]
        if len(filled) <= 2 and _SECTION.match(filled[0]):
            return "section"
        if _TOTAL.match(filled[0]) and len(filled) <= max(3, len(texts) // 2):
            return "total"
        # A header repeated below (another office's block pasted in): most cells name fields.
        if exact_field(fold(filled[0])) is not None and len(filled) >= 3:
            named = sum(exact_field(fold(t)) is not None for t in filled)
            if named >= len(filled) - 1 and header_score(filled) >= 3:
                return "header"
        return "data"

    def validate(self, line: int, cells: Sequence[object]) -> Outcome:
        """The record (None when an error blocks the row), the row's report lines and its key."""
        probs: list[Problem] = []
        kind = self.kind(cells)
        if kind == "blank":
            return Outcome(kind, None, [], "")
        if kind in ("total", "header", "section"):
            first = next((c for c in cells if clean(c)), "")
            severity = WARNING if kind == "section" else INFO
            return Outcome(kind, None, [problem(f"{kind}_row", severity, sheet=self.sheet, line=line,
                                                column="", value=clean(first))], "")
        row = self._row_texts(cells)
        (name, family_name, given_name, name_latin, country_text, _, _, _, _, category_text,
         status_text, photo) = row[:_PLAIN_START]
        values: dict[str, Any] = {}
        full_name = name or family_name + given_name
        reason = junk_reason(full_name)
        if reason is not None:
            # A test row, a placeholder, #N/A: one line saying so, not an error per column.
            zh, en = JUNK_REASONS[reason]
            return Outcome(kind, None, [self._p("junk_row", ERROR, line, "name", full_name,
                                                reason_zh=zh, reason_en=en)], "")

        # -- registration number and the key --------------------------------------------------
        code = self._code(line, self._raw(cells, "registration_code"), probs)
        private: dict[str, str] = {}
        identity: list[tuple[str, str]] = []
        key_value = code
        keep = self._options.keep
        for f, at in self._private_at:
            text = self._private(line, f, self._raw(cells, f), probs, row[at])
            if text and f in keep:
                private[f] = text
            if text and f in IDENTITY_FIELDS:
                identity.append((f, identity_hash(f, text)))
            if f == self.key_field:
                key_value = text.lower() if f == "email" else text
        if not key_value:
            fld = BY_KEY[self.key_field]
            probs.append(self._p("missing_key", ERROR, line, self.key_field, "",
                                 field_zh=fld.name_zh, field_en=fld.name_en))
        if code:
            values["registration_code"] = code

        # -- country ------------------------------------------------------------------------
        if self._has_country:
            found_country = self._countries.get(country_text)
            if found_country is None:
                found_country = self._remember(self._countries, country_text, len(country_text),
                                               self._country_of(country_text))
            iso, note = found_country
            if note is not None:
                probs.append(self._at(note, line))
            values["country"] = iso

        # -- names --------------------------------------------------------------------------
        # Read after the country: the Latin name made for a row without one depends on where
        # the person is from (one call per row).
        person = _names(name, family_name, given_name, name_latin, str(values.get("country") or ""))
        if person is None:
            probs.append(self._p("missing_name", ERROR, line, "name", ""))
        else:
            (values["family_name"], values["given_name"], values["name_native"], values["name_latin"],
             values["name_order"]) = person  # in the order of _NAME_KEYS

        # -- texts --------------------------------------------------------------------------
        notes: list[Problem] = []
        for src, en_src, zh_col, en_col, at, en_at in self._text_parts:
            generic, english = row[at], row[en_at]
            text_key = (src, generic, english)
            found_text = self._text_values.get(text_key)
            if found_text is None:
                found_text = self._remember(
                    self._text_values, text_key, len(generic) + len(english),
                    self._texts_of(src, en_src, zh_col, en_col, generic, english))
            values.update(found_text[0])
            notes.extend(found_text[1])
        for f, at in self._plain_at:
            values[f] = row[at]
        # What the badge cannot show as given: characters no bundled font has (left out on the
        # badge) in the name, the organisation and the position (those worked out with their
        # values), then a name with no Latin form (the badge shows the native name alone).
        if person is not None:
            for col, text in (("name_native", person[2]), ("name_latin", person[3])):
                if text:
                    missing = _uncovered(text)
                    if missing:
                        probs.append(self._p("uncovered_chars", WARNING, line, _SOURCE[col], text,
                                             chars=missing))
        for note in notes:
            probs.append(self._at(note, line))
        if person is not None and person[2] and latin_missing(person[2], person[3]):
            probs.append(self._p("latin_missing", INFO, line, "name_latin", person[2]))
        # Every value so far is text: when none is longer than the shortest limit, none is cut.
        if max(map(len, values.values()), default=0) > _SHORTEST_LIMIT:
            for col, limit in LIMITS.items():
                long_text = values.get(col)
                if isinstance(long_text, str) and len(long_text) > limit:
                    values[col] = long_text[:limit]
                    probs.append(self._p("truncated", WARNING, line,
                                         _SOURCE.get(col, col), long_text, limit=limit))

        # -- category -----------------------------------------------------------------------
        found_category = self._categories.get(category_text)
        if found_category is None:
            found_category = self._remember(self._categories, category_text, len(category_text),
                                            self._category_of(category_text))
        category, note = found_category
        if note is not None:
            probs.append(self._at(note, line))
        if category is not None:
            values["category_id"] = category.id

        # -- status -------------------------------------------------------------------------
        if self._has_status:
            found_status = self._statuses.get(status_text)
            if found_status is None:
                found_status = self._remember(self._statuses, status_text, len(status_text),
                                              self._status_of(status_text))
            status, note = found_status
            if note is not None:
                probs.append(self._at(note, line))
            if status is not None:
                values["status"] = status

        # -- activities ---------------------------------------------------------------------
        listed, extra = self._activities(line, cells, category, probs)
        listed, extra = self._track(line, cells, category, probs, listed, extra)

        if probs and any(p.severity == ERROR for p in probs):  # Problem.blocks, without a call each
            return Outcome(kind, None, probs, key_value)
        person_key = b""
        if person is not None:
            org = values.get("organisation_zh") or values.get("organisation_en") or ""
            folded = fold(person[2]) + "|" + fold(str(org))
            # Made here, where the rows are checked (in the worker for a big file): the
            # importing process only compares these 8 bytes (duplicate_person).
            person_key = hashlib.blake2b(folded.encode(), digest_size=8).digest()
            if org:
                identity.append(("name_org", identity_hash("name_org", folded)))
        # Positional, in the order of the fields: one call per row.
        record = Record(line, key_value, code, values, listed, extra, private, photo, person_key,
                        tuple(identity))
        return Outcome(kind, record, probs, key_value)

    # -- per-value results (kept in the tables of _forget) --------------------------------------
    def _country_of(self, raw_country: str) -> tuple[str, Problem | None]:
        """The country a cell names (ISO code or ""), and its report line (at line 0) if any."""
        mapped = self._mapped("country", raw_country)
        if mapped == REJECT:
            return "", self._p("mapped_reject", ERROR, 0, "country", raw_country)
        if mapped is not None:
            return ("" if mapped == IGNORE else mapped), None
        if raw_country:
            iso = _country(raw_country)
            if iso is None:
                return "", self._p("unknown_country", WARNING, 0, "country", raw_country)
            return iso, None
        return "", None

    def _texts_of(self, src: str, en_src: str, zh_col: str, en_col: str, generic: str,
                  english: str) -> _TextParts:
        """The organisation's (or position's) two columns from the generic and English cells, and
        what the badge cannot show of them (at line 0)."""
        out: dict[str, str] = {}
        if self.mapped(src) and self.mapped(en_src):
            # Two columns fill the two languages and never replace each other: a Latin-only
            # 单位 with an empty 单位（英文） is the English name; with both, each keeps its own.
            if has_han(generic) or english:
                out[zh_col], out[en_col] = generic, english
            else:
                out[zh_col], out[en_col] = "", generic
        else:
            if self.mapped(src):
                is_zh = has_han(generic) or not generic
                out[zh_col] = generic if is_zh else ""
                out[en_col] = "" if is_zh else generic
            if self.mapped(en_src):
                out[en_col] = english
        notes: list[Problem] = []
        for col in (zh_col, en_col):
            text = out.get(col)
            if text:
                missing = _uncovered(text)
                if missing:
                    notes.append(self._p("uncovered_chars", WARNING, 0, _SOURCE[col], text,
                                         chars=missing))
        return tuple(out.items()), tuple(notes)

    def _category_of(self, text: str) -> tuple[CategoryRef | None, Problem | None]:
        """The category a cell names, and its report line (at line 0) if any."""
        probs: list[Problem] = []
        found = self._category(0, text, probs)
        return found, (probs[0] if probs else None)

    def _status_of(self, status_text: str) -> tuple[str | None, Problem | None]:
        """The status a cell names (None: none set), and its report line (at line 0) if any."""
        folded = fold(answer_text(status_text))
        mapped = self._mapped("status", status_text)
        if mapped == REJECT:
            return None, self._p("mapped_reject", ERROR, 0, "status", status_text)
        if mapped in STATUSES:
            return mapped, None
        if not folded or folded in _APPROVED:
            return "approved", None
        if folded in _CANCELLED:
            return "cancelled", None
        if folded in _PENDING:
            return None, self._p("pending_status", ERROR, 0, "status", status_text)
        return None, self._p("unknown_status", ERROR, 0, "status", status_text)

    # -- pieces ------------------------------------------------------------------------------
    def _code(self, line: int, raw: object, probs: list[Problem]) -> str:
        if raw is None:
            return ""
        numeric = isinstance(raw, int | float) and not isinstance(raw, bool)
        text = digits_from_number(raw)[0] if numeric else clean(raw)
        code = (text if text.isalnum() else _WHITE.sub("", text)).upper()
        if not code:
            return ""
        width = self.options.code_width
        if width and code.isdigit() and len(code) < width:
            fixed = code.zfill(width)
            probs.append(self._p("code_padded", WARNING, line, "registration_code", code, fixed=fixed))
            code = fixed
        if len(code) > LIMITS["registration_code"] or not _CODE_OK.match(code):
            probs.append(self._p("bad_code", ERROR, line, "registration_code", text))
            return ""
        return code

    def _private(self, line: int, f: str, raw: object, probs: list[Problem],
                 cleaned: str | None = None) -> str:
        """A personal-data field's value; `cleaned` is clean(raw) when the caller has it."""
        if cleaned is None:
            cleaned = clean(raw)
        if not cleaned:
            return ""
        if f == "phone":
            text, issue = _phone(raw)
        elif f == "id_number":
            text, issue = _id_number(raw)
        elif f == "email":
            text = cleaned.replace(" ", "")
            issue = None if _EMAIL.match(text) else "bad_email"
        elif f in ("birth_date", "arrival_date"):
            parsed = parse_date(raw, epoch_1904=self.options.epoch_1904)
            text = parsed.isoformat() if parsed else cleaned
            issue = None if parsed else "bad_date"
        else:
            text, issue = cleaned, None
        if issue is not None:
            # Shown masked: the report goes around by email, the full value is in the file anyway.
            shown = cleaned if issue == "phone_digits_lost" else _mask(f, cleaned)
            probs.append(self._p(issue, WARNING, line, f, shown))
        return text

    def _category(self, line: int, text: str, probs: list[Problem]) -> CategoryRef | None:
        if not text:
            if self.options.default_category:
                return self.catalog.categories.get(self.options.default_category)
            probs.append(self._p("missing_category", ERROR, line, "category", ""))
            return None
        mapped = self._mapped("category", text)
        if mapped == REJECT:
            probs.append(self._p("mapped_reject", ERROR, line, "category", text))
            return None
        found = self.catalog.categories.get(mapped) if mapped else self.catalog.category(text)
        if found is None:
            probs.append(self._p("unknown_category", ERROR, line, "category", text))
        return found

    def _mapped(self, kind: str, text: str) -> str | None:
        """The organiser's mapping for this value of a vocabulary column, if any."""
        table = self.options.value_map.get(kind)
        if not table or not text:
            return None
        return table.get(fold(text)) or table.get(fold(answer_text(text)))

    def _track(self, line: int, cells: Sequence[object], category: CategoryRef | None,
               probs: list[Problem], listed: frozenset[int] | None, extra: frozenset[int] | None
               ) -> tuple[frozenset[int] | None, frozenset[int] | None]:
        """A competition track admits to its track activity ("智能制造" → the 星渝杯 智能制造 final),
        also where the person's category is admitted to another competition only."""
        text = self._text(cells, "track") if self.mapped("track") else ""
        if not text:
            return listed, extra
        key = (text, category.code if category is not None else None)
        found = self._tracks.get(key)
        if found is None:
            found = self._remember(self._tracks, key, len(text), self._track_of(text, category))
        act_id, individual, notes = found
        for note in notes:
            probs.append(self._at(note, line))
        if act_id is None:
            return listed, extra
        out_listed = set(listed or ())
        out_extra = set(extra or ())
        out_listed.add(act_id)
        if individual:
            out_extra.add(act_id)
        return frozenset(out_listed), frozenset(out_extra)

    def _track_of(self, text: str, category: CategoryRef | None) -> _TrackDecision:
        """The activity a track cell admits to (None: none), whether the category does not admit
        to it already, and the report lines (at line 0)."""
        mapped = self._mapped("track", text)
        if mapped == IGNORE:
            return None, False, ()
        if mapped == REJECT:
            return None, False, (self._p("mapped_reject", ERROR, 0, "track", text),)
        act = self.catalog.activities.get(mapped) if mapped else self.catalog.track(text)
        if act is None or act.is_main:
            return None, False, (self._p("unknown_track", WARNING, 0, "track", text),)
        if category is not None and category.code not in act.admitted:
            return act.id, True, (self._p("track_admission", INFO, 0, "track", text,
                                          activity_zh=act.name_zh, activity_en=act.name_en),)
        return act.id, False, ()

    def _activities(self, line: int, cells: Sequence[object], category: CategoryRef | None,
                    probs: list[Problem]) -> tuple[frozenset[int] | None, frozenset[int] | None]:
        if not self.mapped("activities"):
            return None, None
        raw = self._raw(cells, "activities")
        if raw is None or isinstance(raw, str):
            # Lists repeat down a registration list; what they admit to depends on the category.
            key = (raw, category.code if category is not None else None)
            found = self._admissions.get(key)
            if found is None:
                found = self._remember(self._admissions, key, len(raw or ""),
                                       self._admissions_of(raw, category))
        else:
            found = self._admissions_of(raw, category)
        listed, extra, notes = found
        for note in notes:
            probs.append(self._at(note, line))
        return listed, extra

    def _admissions_of(self, raw: object, category: CategoryRef | None) -> _Admissions:
        """The activities an activity cell lists, those the category does not admit to, and the
        report lines (at line 0)."""
        # The column is the person's whole list: an emptied cell takes back what an earlier
        # import granted (admissions by category are unaffected).
        tokens = split_list(raw)
        listed: set[int] = set()
        extra: set[int] = set()
        notes: list[Problem] = []
        for token in tokens:
            mapped = self._mapped("activity", token)
            if mapped == IGNORE:
                continue
            if mapped == REJECT:
                notes.append(self._p("mapped_reject", ERROR, 0, "activities", token))
                continue
            act = self.catalog.activities.get(mapped) if mapped else self.catalog.activity(token)
            if act is None:
                notes.append(self._p("unknown_activity", ERROR, 0, "activities", token, token=token))
                continue
            if act.is_main:
                continue
            listed.add(act.id)
            if category is not None and category.code not in act.admitted:
                extra.add(act.id)
                notes.append(self._p("activity_extra", WARNING, 0, "activities", token,
                                     category=f"{category.name_zh} {category.code}",
                                     activity_zh=act.name_zh, activity_en=act.name_en))
        return frozenset(listed), frozenset(extra), tuple(notes)


# Characters some badge font is known to have (each is decided on its own): a text made only of
# these needs no walk through the font tables. Names rarely repeat, their characters do.
_COVERED: set[str] = set()


def _uncovered(text: str) -> str:
    """The characters of text no badge font has, sorted and spaced ("" when all are covered)."""
    if unicodedata.is_normalized("NFC", text) and _COVERED.issuperset(text):
        return ""
    return _uncovered_text(text)


# Organisations and positions repeat down a list: each distinct text is checked against the
# fonts once (a check walks every character through the font table).
@lru_cache(maxsize=16384)
def _uncovered_text(text: str) -> str:
    # Imported here: the font table loads ReportLab and reads the fonts on first use.
    from checkin_app.badges.fonts import uncovered_chars

    missing = uncovered_chars(text)
    _COVERED.update(ch for ch in unicodedata.normalize("NFC", text) if ch not in missing)
    return " ".join(sorted(missing))


@lru_cache(maxsize=16384)
def _country(text: str) -> str | None:
    return country_code(text)


# Which file field a delegate column comes from (for naming the column in a report line).
_SOURCE = {
    "family_name": "family_name", "given_name": "given_name", "name_native": "name",
    "name_latin": "name_latin", "organisation_zh": "organisation", "organisation_en": "organisation_en",
    "position_zh": "position", "position_en": "position_en",
}


def _mask(f: str, text: str) -> str:
    """Personal data shown in a report with its middle hidden (13800138000 → 138****8000)."""
    if f in ("phone", "id_number") and len(text) > 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if f == "email" and "@" in text:
        user, _, domain = text.partition("@")
        return (user[:1] + "***@" + domain) if user else text
    return text
