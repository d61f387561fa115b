"""Turning one spreadsheet row into a validated delegate record plus its report lines (pure, no I/O)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from checkin_app.domain.messages import pair
from checkin_app.domain.names import family_first, split_full_name
from checkin_app.domain.romanise import generated_latin
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
        digits = _NOT_DIGIT.sub("", value)
        for cc in ("0086", "86"):
            if digits.startswith(cc) and len(digits) == len(cc) + 11:
                digits = digits[len(cc):]
        value = digits
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()


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
    person_key: str = ""
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
    if _SHEET_ERROR.match(text):
        return "error"
    if _TEST.search(text):
        return "test"
    if fold(text) in _PLACEHOLDERS or text.startswith(PLACEHOLDER_PREFIXES):
        return "placeholder"
    if "?" in text or "\ufffd" in text or FULL_WIDTH_QUESTION in text:
        return "lost"  # 刘?: a character the export could not write
    if not any(ch.isalpha() for ch in text):
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
    return None if out is None else tuple(out[k] for k in _NAME_KEYS)  # type: ignore[return-value]


def _split_names(full: str, family: str, given: str, latin: str, country: str
                 ) -> dict[str, str] | None:
    full_text = clean(full)
    spaced = _SPACED_NAME.fullmatch(full_text) if " " in full_text else None
    if spaced and not (family or given):
        family, given = spaced.groups()  # "田中 花子", "欧阳 娜娜": the space is where the name splits
    full, family, given, latin = (_han_only(clean(x)) for x in (full, family, given, latin))
    if not (full or family or given or latin):
        return None
    if _EAST_ASIAN_SCRIPTS.search(family + given) and _korean_swapped(family, given):
        family, given = given, family  # 'First: 정, Last: 지민': the surname put first
    # Chinese, Korean and Japanese names are written family name first without a space, also when
    # the form asked for First and Last ("지민" / "정" is 정지민, never "지민 정").
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
    text = _PHONE_MARKS.sub("", digits)
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


class RowValidator:
    """Validates rows of one sheet under one column mapping."""

    def __init__(self, catalog: Catalog, headers: Sequence[object], mapping: Sequence[str | None],
                 options: RowOptions, sheet: str = "") -> None:
        self.catalog = catalog
        self.options = options
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

    def mapped(self, field_key: str) -> bool:
        """Whether some column feeds this field."""
        return field_key in self.columns

    def _raw(self, cells: Sequence[object], key: str) -> object:
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

    def _col(self, key: str) -> str:
        cols = self.columns.get(key)
        return self.headers[cols[0]] if cols else BY_KEY[key].name_en

    def _p(self, code: str, severity: str, line: int, key: str, value: object, **kw: object) -> Problem:
        return problem(code, severity, sheet=self.sheet, line=line, column=self._col(key),
                       value=clean(value), **kw)

    def kind(self, cells: Sequence[object]) -> str:
        """'blank', 'total', 'header' or 'data'."""
        texts = self._texts = [clean(c) for c in cells]
        filled = [t for t in texts if t]
        if not filled:
            return "blank"
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
        values: dict[str, Any] = {}
        given_name = self._text(cells, "name") or self._text(cells, "family_name") + self._text(
            cells, "given_name")
        reason = junk_reason(given_name)
        if reason is not None:
            # A test row, a placeholder, #N/A: one line saying so, not an error per column.
            zh, en = JUNK_REASONS[reason]
            return Outcome(kind, None, [self._p("junk_row", ERROR, line, "name", given_name,
                                                reason_zh=zh, reason_en=en)], "")

        # -- registration number and the key --------------------------------------------------
        code = self._code(line, self._raw(cells, "registration_code"), probs)
        private: dict[str, str] = {}
        identity: list[tuple[str, str]] = []
        key_value = code
        for f in self._private_fields:
            raw = self._raw(cells, f)
            text = self._private(line, f, raw, probs)
            if text and f in self.options.keep:
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
        if self.mapped("country"):
            raw_country = self._text(cells, "country")
            mapped = self._mapped("country", raw_country)
            iso: str | None = ""
            if mapped == REJECT:
                probs.append(self._p("mapped_reject", ERROR, line, "country", raw_country))
            elif mapped is not None:
                iso = "" if mapped == IGNORE else mapped
            elif raw_country:
                iso = _country(raw_country)
                if iso is None:
                    probs.append(self._p("unknown_country", WARNING, line, "country", raw_country))
                    iso = ""
            values["country"] = iso

        # -- names --------------------------------------------------------------------------
        # Read after the country: the Latin name made for a row without one depends on where
        # the person is from (one call per row).
        person = names(self._text(cells, "name"), self._text(cells, "family_name"),
                       self._text(cells, "given_name"), self._text(cells, "name_latin"),
                       country=str(values.get("country") or ""))
        if person is None:
            probs.append(self._p("missing_name", ERROR, line, "name", ""))
        else:
            values.update(person)

        # -- texts --------------------------------------------------------------------------
        for src, zh_col, en_col in (("organisation", "organisation_zh", "organisation_en"),
                                    ("position", "position_zh", "position_en")):
            generic = self._text(cells, src)
            english = self._text(cells, f"{src}_en")
            if self.mapped(src) and self.mapped(f"{src}_en"):
                # Two columns fill the two languages and never replace each other: a Latin-only
                # 单位 with an empty 单位（英文） is the English name; with both, each keeps its own.
                if has_han(generic) or english:
                    values[zh_col], values[en_col] = generic, english
                else:
                    values[zh_col], values[en_col] = "", generic
                continue
            if self.mapped(src):
                is_zh = has_han(generic) or not generic
                values[zh_col] = generic if is_zh else ""
                values[en_col] = "" if is_zh else generic
            if self.mapped(f"{src}_en"):
                values[en_col] = english
        for f in ("honorific", "team", "track", "attention_note"):
            if self.mapped(f):
                values[f] = self._text(cells, f)
        self._badge_warnings(line, values, probs)
        for col, limit in LIMITS.items():
            long_text = values.get(col)
            if isinstance(long_text, str) and len(long_text) > limit:
                values[col] = long_text[:limit]
                probs.append(self._p("truncated", WARNING, line,
                                     _SOURCE.get(col, col), long_text, limit=limit))

        # -- category -----------------------------------------------------------------------
        category = self._category(line, cells, probs)
        if category is not None:
            values["category_id"] = category.id

        # -- status -------------------------------------------------------------------------
        if self.mapped("status"):
            status_text = self._text(cells, "status")
            folded = fold(answer_text(status_text))
            mapped = self._mapped("status", status_text)
            if mapped == REJECT:
                probs.append(self._p("mapped_reject", ERROR, line, "status", status_text))
            elif mapped in STATUSES:
                values["status"] = mapped
            elif not folded or folded in _APPROVED:
                values["status"] = "approved"
            elif folded in _CANCELLED:
                values["status"] = "cancelled"
            elif folded in _PENDING:
                probs.append(self._p("pending_status", ERROR, line, "status", status_text))
            else:
                probs.append(self._p("unknown_status", ERROR, line, "status", status_text))

        # -- activities ---------------------------------------------------------------------
        listed, extra = self._activities(line, cells, category, probs)
        listed, extra = self._track(line, cells, category, probs, listed, extra)

        if any(p.blocks for p in probs):
            return Outcome(kind, None, probs, key_value)
        person_key = ""
        if person is not None:
            org = values.get("organisation_zh") or values.get("organisation_en") or ""
            person_key = fold(person["name_native"]) + "|" + fold(str(org))
            if org:
                identity.append(("name_org", identity_hash("name_org", person_key)))
        record = Record(
            line=line, key=key_value, registration_code=code, values=values,
            activities=listed, extra_admissions=extra, private=private,
            photo_name=self._text(cells, "photo"), person_key=person_key,
            identity=tuple(identity),
        )
        return Outcome(kind, record, probs, key_value)

    # -- pieces ------------------------------------------------------------------------------
    def _code(self, line: int, raw: object, probs: list[Problem]) -> str:
        if raw is None:
            return ""
        numeric = isinstance(raw, int | float) and not isinstance(raw, bool)
        text = digits_from_number(raw)[0] if numeric else clean(raw)
        code = _WHITE.sub("", text).upper()
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

    def _badge_warnings(self, line: int, values: dict[str, object], probs: list[Problem]) -> None:
        """What the badge cannot show as given: characters no bundled font has (left out on the
        badge), and a name with no Latin form (the badge shows the native name alone)."""
        for col in ("name_native", "name_latin", "organisation_zh", "organisation_en",
                    "position_zh", "position_en"):
            text = values.get(col)
            if isinstance(text, str) and text:
                missing = _uncovered(text)
                if missing:
                    probs.append(self._p("uncovered_chars", WARNING, line, _SOURCE.get(col, col),
                                         text, chars=missing))
        native, latin = values.get("name_native"), values.get("name_latin")
        if isinstance(native, str) and native and _latin_missing(native, str(latin or "")):
            probs.append(self._p("latin_missing", INFO, line, "name_latin", native))

    def _private(self, line: int, f: str, raw: object, probs: list[Problem]) -> str:
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

    def _category(self, line: int, cells: Sequence[object], probs: list[Problem]) -> CategoryRef | None:
        text = self._text(cells, "category")
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
        mapped = self._mapped("track", text)
        if mapped == IGNORE:
            return listed, extra
        if mapped == REJECT:
            probs.append(self._p("mapped_reject", ERROR, line, "track", text))
            return listed, extra
        act = self.catalog.activities.get(mapped) if mapped else self.catalog.track(text)
        if act is None or act.is_main:
            probs.append(self._p("unknown_track", WARNING, line, "track", text))
            return listed, extra
        out_listed = set(listed or ())
        out_extra = set(extra or ())
        out_listed.add(act.id)
        if category is not None and category.code not in act.admitted:
            out_extra.add(act.id)
            probs.append(self._p("track_admission", INFO, line, "track", text,
                                 activity_zh=act.name_zh, activity_en=act.name_en))
        return frozenset(out_listed), frozenset(out_extra)

    def _activities(self, line: int, cells: Sequence[object], category: CategoryRef | None,
                    probs: list[Problem]) -> tuple[frozenset[int] | None, frozenset[int] | None]:
        if not self.mapped("activities"):
            return None, None
        # The column is the person's whole list: an emptied cell takes back what an earlier
        # import granted (admissions by category are unaffected).
        tokens = split_list(self._raw(cells, "activities"))
        listed: set[int] = set()
        extra: set[int] = set()
        for token in tokens:
            mapped = self._mapped("activity", token)
            if mapped == IGNORE:
                continue
            if mapped == REJECT:
                probs.append(self._p("mapped_reject", ERROR, line, "activities", token))
                continue
            act = self.catalog.activities.get(mapped) if mapped else self.catalog.activity(token)
            if act is None:
                probs.append(self._p("unknown_activity", ERROR, line, "activities", token, token=token))
                continue
            if act.is_main:
                continue
            listed.add(act.id)
            if category is not None and category.code not in act.admitted:
                extra.add(act.id)
                probs.append(self._p("activity_extra", WARNING, line, "activities", token,
                                     category=f"{category.name_zh} {category.code}",
                                     activity_zh=act.name_zh, activity_en=act.name_en))
        return frozenset(listed), frozenset(extra)


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
def _latin_missing(native: str, latin: str) -> bool:
    from checkin_app.domain.romanise import latin_missing

    return latin_missing(native, latin)


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
