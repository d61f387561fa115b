"""Search keys for finding people by name, pinyin, initials, code or organisation, and query folding."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product
from typing import NamedTuple

from anyascii import anyascii

# Kinds, best first; the number is also the first character of the stored key (see stored_key).
FULL_NAME = 0
NAME_PART = 1
INITIALS = 2
CODE = 3
ORGANISATION = 4
KINDS: tuple[int, ...] = (FULL_NAME, NAME_PART, INITIALS, CODE, ORGANISATION)

# Longer keys only bloat the index: nobody types 64 characters into a search box.
MAX_KEY_LENGTH = 64
# Chinese organisation names are indexed by their suffixes (substring search through a prefix
# index); each suffix is cut to this many characters, so a middle substring longer than this
# is only found when it is also the start of the name.
ORG_SUFFIX_LENGTH = 8
# An English organisation name is indexed from each word onwards, cut to this length.
ORG_WORDS_LENGTH = 32
# Bounds on key variants, so one odd record (a 12-part name, many polyphones) stays cheap.
_MAX_UNITS = 6
_MAX_COMBINATIONS = 16
_MAX_ORG_STARTS = 32

# Words no one searches an organisation by; skipping them as starting points saves index rows.
_ORG_STOPWORDS = frozenset({
    "the", "of", "and", "for", "in", "at", "on", "to", "a", "an", "co", "ltd", "inc", "llc", "plc",
    "gmbh", "corp", "corporation", "company", "limited",
})  # fmt: skip
# Legal-form endings of Chinese company names; their own suffixes ("有限公司", "公司", ...) would
# match almost every company, so substrings starting inside them are not indexed.
_ZH_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "公司")

# Surnames whose reading differs from the everyday reading of the character (单 shàn, not dān).
# The everyday reading is kept as well, because people type what they see.
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",),
    "查": ("zha",), "朴": ("piao",), "乐": ("yue", "le"), "盖": ("ge", "gai"), "缪": ("miao",),
    "翟": ("zhai",), "覃": ("qin",), "种": ("chong",), "秘": ("bi",), "召": ("shao",),
    "折": ("she",), "句": ("gou",), "员": ("yun",), "贲": ("ben",), "繁": ("po",),
    "柏": ("bai",), "重": ("chong",), "长孙": ("zhang sun",), "尉迟": ("yu chi",),
    "万俟": ("mo qi",), "澹台": ("tan tai",),
}  # fmt: skip
# Two-character surnames, for splitting a Chinese name that came without family/given fields.
_COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "澹台", "万俟", "呼延", "端木", "独孤", "南宫", "西门", "轩辕", "申屠", "太史",
    "钟离", "闻人", "百里", "东郭", "公冶", "赫连", "濮阳", "淳于", "仲孙", "单于",
})  # fmt: skip

# Serbian Cyrillic to Gaj's Latin alphabet, the spelling Serbian passports and badges use.
# anyascii alone gives a Russian-style transliteration (ш → sh), which no Serbian would type.
_SERBIAN_LATIN = str.maketrans(
    {
        "ђ": "đ", "ж": "ž", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "ć", "ч": "č", "џ": "dž",
        "ш": "š", "ц": "c", "х": "h", "й": "j",
    }
)  # fmt: skip
# Đ is written "Dj" as often as "D" when diacritics are unavailable (Djordje, Djokovic).
_DJ = str.maketrans({"đ": "dj", "ђ": "dj"})
# German umlauts are commonly written out (Müller → Mueller).
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})

_SPLIT_UNITS = re.compile(r"[\s·・•,，;；/|]+")
_SPLIT_WORDS = re.compile(r"[\s·・•,，;；/|\-‐‑–—'’.()（）]+")
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff\u3005\u3007"
_HAN_OR_RUN = re.compile(f"[{_HAN_CLASS}]|[^{_HAN_CLASS}]+")


def _is_cjk(cp: int) -> bool:
    """Han, kana and Hangul: scripts matched as typed, not transliterated."""
    return (
        0x3400 <= cp <= 0x4DBF  # CJK extension A
        or 0x4E00 <= cp <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs (NFKC leaves a few)
        or 0x20000 <= cp <= 0x3FFFF  # extensions B and later
        or cp in (0x3005, 0x3007)  # 々 iteration mark, 〇 ideographic zero
        or 0x3040 <= cp <= 0x30FF  # hiragana, katakana
        or 0x31F0 <= cp <= 0x31FF  # katakana phonetic extensions
        or 0x1100 <= cp <= 0x11FF  # Hangul jamo
        or 0x3130 <= cp <= 0x318F  # Hangul compatibility jamo
        or 0xA960 <= cp <= 0xA97F  # Hangul jamo extended A
        or 0xAC00 <= cp <= 0xD7FF  # Hangul syllables, jamo extended B
    )


def _is_han(cp: int) -> bool:
    return (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
        or cp in (0x3005, 0x3007)
    )


class _FoldTable(dict[int, str]):
    """A str.translate table filled on first use of each character.

    Letters and digits become lower-case ASCII (anyascii drops diacritics and transliterates
    Cyrillic, Greek, ...); CJK letters stay as they are; everything else (spaces, punctuation,
    symbols, combining marks, controls, lone surrogates) disappears.
    """

    def __init__(self, *, keep_cjk: bool) -> None:
        super().__init__()
        self.keep_cjk = keep_cjk

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if ch.isascii():
            out = ch.lower() if ch.isalnum() else ""
        elif unicodedata.category(ch)[0] not in "LN":
            out = ""
        elif self.keep_cjk and _is_cjk(cp):
            out = ch
        else:
            out = "".join(c for c in anyascii(ch).lower() if c.isascii() and c.isalnum())
        self[cp] = out
        return out


_FOLD = _FoldTable(keep_cjk=True)
_ROMANISE = _FoldTable(keep_cjk=False)


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def fold(text: str) -> str:
    """Lower-case, diacritic-free, NFKC form without spaces or punctuation; CJK kept as typed.

    Keys and queries go through the same folding, so "Đorđe  Petrović", "dorde-petrovic" and
    "DORDE PETROVIC" all become "dordepetrovic", and "Ђорђе" becomes "djordje".
    """
    return _prepare(text).translate(_FOLD)


def normalise_query(text: str) -> str:
    """The folded form of what someone typed into the search box ("" when nothing searchable)."""
    # Cut the raw text first: folding a pasted novel would be wasted work.
    return fold(text[: MAX_KEY_LENGTH * 4])[:MAX_KEY_LENGTH]


@lru_cache(maxsize=65536)
def fold_variants(text: str) -> tuple[str, ...]:
    """Every folded spelling a person might type for this text; the plain fold comes first."""
    s = _prepare(text)
    out = [s.translate(_FOLD)]
    has_cyrillic = any(0x0400 <= ord(c) <= 0x04FF for c in s)
    if has_cyrillic:
        s_latin = s.translate(_SERBIAN_LATIN)
        out.append(s_latin.translate(_FOLD))
    else:
        s_latin = s
    if "đ" in s_latin or "ђ" in s_latin:
        out.append(s_latin.translate(_DJ).translate(_FOLD))
    if any(c in s for c in "äöü"):
        out.append(s.translate(_UMLAUTS).translate(_FOLD))
    if any(_is_cjk(ord(c)) and not _is_han(ord(c)) for c in s):
        # Hangul and kana are matched as typed, and also by their romanisation (김 → gim).
        out.append(s.translate(_ROMANISE))
    return tuple(dict.fromkeys(v for v in out if v))


def has_han(text: str) -> bool:
    """Whether the text contains at least one Chinese character."""
    return any(_is_han(ord(c)) for c in text)


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of the Han characters in text (other text folded as usual)."""
    # Imported here: loading the pinyin dictionaries takes a quarter of a second, which the
    # desk should not pay at start-up for a feature used only when someone types a name.
    from pypinyin import lazy_pinyin

    syllables: list[str] = []
    for piece in lazy_pinyin(_prepare(text)):
        syllables.extend(w for w in (fold(p) for p in _SPLIT_WORDS.split(piece)) if w)
    return tuple(syllables)


def _with_u_umlaut(spellings: Iterable[str]) -> set[str]:
    # pypinyin writes ü as v (吕 → lv); people also type lu, and passports say lyu.
    out: set[str] = set()
    for s in spellings:
        out.add(s)
        if "v" in s:
            out.add(s.replace("v", "u"))
            out.add(s.replace("v", "yu"))
    return out


class _Reading(NamedTuple):
    """One way of writing a name unit: its folded spelling and its initials."""

    text: str
    initials: str


@lru_cache(maxsize=65536)
def _pinyin_readings(unit: str, surname: bool) -> tuple[_Reading, ...]:
    """Pinyin spellings of a Chinese name unit, with the surname readings when it is a surname."""
    spellings: list[tuple[str, ...]] = []
    if surname and unit in _SURNAME_READINGS:
        spellings.extend(tuple(r.split()) for r in _SURNAME_READINGS[unit])
    spellings.append(_syllables(unit))
    out: dict[str, _Reading] = {}
    for syllables in spellings:
        if not syllables:
            continue
        initials = "".join(s[0] for s in syllables)
        for text in sorted(_with_u_umlaut(["".join(syllables)])):
            out.setdefault(text, _Reading(text, initials))
    return tuple(out.values())


def split_chinese_name(name: str) -> tuple[str, str] | None:
    """Family and given name of an all-Han name like 张伟 or 欧阳娜娜, or None if unsure."""
    s = "".join(name.split())
    if not 2 <= len(s) <= 5 or not all(_is_han(ord(c)) for c in s):
        return None
    n = 2 if s[:2] in _COMPOUND_SURNAMES and len(s) >= 3 else 1
    return s[:n], s[n:]


@dataclass(frozen=True, slots=True)
class DelegateText:
    """The searchable text of one delegate, as stored on the delegate row."""

    name_native: str = ""
    name_latin: str = ""
    family_name: str = ""
    given_name: str = ""
    name_order: str = "western"
    registration_code: str = ""
    organisation_zh: str = ""
    organisation_en: str = ""


class Key(NamedTuple):
    """One search key: its kind (lower ranks better) and its folded text."""

    kind: int
    text: str


def stored_key(kind: int, text: str) -> str:
    """The value kept in search_keys.key: the kind digit, then the folded text.

    The index is on key alone, so putting the kind first makes each kind one contiguous
    range; a lookup for full names never wades through thousands of organisation keys
    that share its prefix (half the delegates of a Chongqing event work at a "chongqing ...").
    """
    return f"{kind}{text}"


def key_range(kind: int, query: str) -> tuple[str, str]:
    """Bounds [low, high) of the stored keys of this kind that start with the folded query."""
    low = stored_key(kind, query)
    return low, _successor(low)


def _successor(prefix: str) -> str:
    """The smallest string greater than every string starting with prefix.

    SQLite compares UTF-8 bytes, which orders like code points, so bumping the last character
    is exact (unlike appending U+FFFF, which sorts below characters outside the BMP such as 𠮷).
    """
    s = prefix
    while s and ord(s[-1]) >= 0x10FFFF:
        s = s[:-1]
    if not s:
        return "\U0010ffff"
    nxt = ord(s[-1]) + 1
    if 0xD800 <= nxt <= 0xDFFF:  # surrogates cannot be encoded; skip over them
        nxt = 0xE000
    return s[:-1] + chr(nxt)


# -- building keys ----------------------------------------------------------------------------

# A unit is one piece of a name (a family name, a given name, a word), given as the
# alternative folded spellings it can be typed in. A rendering is a name as a list of units.
_Unit = tuple[_Reading, ...]


def _ascii_initial(word: str) -> str:
    return next((v[0] for v in fold_variants(word) if v.isascii()), "")


@lru_cache(maxsize=65536)
def _text_unit(text: str) -> _Unit:
    """A name unit in its own script: its folded spellings, initials for alphabetic ones."""
    initials = [_ascii_initial(w) for w in _SPLIT_WORDS.split(text) if w]
    joined = "".join(initials) if initials and all(initials) else ""
    return tuple(_Reading(v, joined if v.isascii() else "") for v in fold_variants(text))


def _orders(units: Sequence[_Unit]) -> list[tuple[Sequence[_Unit], bool]]:
    """The unit orders a name may be typed in, each with whether it is the displayed order."""
    orders: list[tuple[Sequence[_Unit], bool]] = [(units, True)]
    if len(units) >= 2:
        # Family name moved to the other end: "Wei Zhang" for ZHANG Wei, "Lefèvre Marie".
        orders.append(([units[-1], *units[:-1]], False))
    if len(units) >= 3:
        orders.append(([*units[1:], units[0]], False))
        # Middle names left out: "Marie Lefèvre" for Marie Claire LEFÈVRE.
        orders.append(([units[0], units[-1]], False))
        orders.append(([units[-1], units[0]], False))
    return orders


def _rendering_keys(units: Sequence[_Unit], sub_words: Iterable[str]) -> Iterator[Key]:
    units = [u for u in units if u]
    if not units:
        return
    for order, displayed in _orders(units):
        for i, combo in enumerate(islice(product(*order), _MAX_COMBINATIONS)):
            # The name as displayed, plainly folded (the first combination), is always a key.
            # Beyond it, nobody types "김minjun" (a script mixed with a romanisation), nor a
            # Chinese or Korean name in characters with the given name first.
            scripts = {r.text.isascii() for r in combo}
            mixed = len(scripts) > 1
            cjk_reversed = not displayed and False in scripts
            if not (displayed and i == 0) and (mixed or cjk_reversed):
                continue
            yield Key(FULL_NAME, "".join(r.text for r in combo))
            # Initials only in the displayed order ("zw" for ZHANG Wei): reversed ones would
            # mostly add noise to a two-letter query.
            initials = "".join(r.initials for r in combo)
            if displayed and len(initials) >= 2 and all(r.initials for r in combo):
                yield Key(INITIALS, initials)
    for unit in units:
        for r in unit:
            yield Key(NAME_PART, r.text)
    for word in sub_words:
        for v in fold_variants(word):
            yield Key(NAME_PART, v)


def _units_and_words(parts: Sequence[str]) -> tuple[list[_Unit], list[str]]:
    units = [_text_unit(p) for p in parts]
    words = [w for p in parts for w in _SPLIT_WORDS.split(p) if w]
    return units, words if len(words) > len(parts) else []


def _pinyin_units(parts: Sequence[str], surname_index: int | None) -> list[_Unit]:
    units: list[_Unit] = []
    for i, p in enumerate(parts):
        if has_han(p):
            units.append(_pinyin_readings("".join(p.split()), i == surname_index))
        else:
            units.append(_text_unit(p))
    return units


def _best(keys: Iterable[Key]) -> dict[str, int]:
    """Each key text once, under its best (lowest) kind, cut to the stored length."""
    best: dict[str, int] = {}
    for kind, text in keys:
        text = text[:MAX_KEY_LENGTH]
        if text and kind < best.get(text, len(KINDS)):
            best[text] = kind
    return best


# Names and organisations repeat a lot (张伟, 重庆大学), so their keys are cached.
@lru_cache(maxsize=16384)
def _name_keys(native: str, latin: str, family: str, given: str, order: str) -> tuple[tuple[str, int], ...]:
    return tuple(_best(_iter_name_keys(native, latin, family.strip(), given.strip(), order)).items())


def _iter_name_keys(native: str, latin: str, family: str, given: str, order: str) -> Iterator[Key]:
    eastern = order == "eastern"
    if not (family or given):
        split = split_chinese_name(native)
        if split is not None:
            family, given = split
            eastern = True
    structured: list[str] = []
    surname_index: int | None = None
    if family or given:
        structured = [p for p in ((family, given) if eastern else (given, family)) if p]
        if family:
            surname_index = structured.index(family)
    native_parts = [p for p in _SPLIT_UNITS.split(native) if p]
    if structured and fold("".join(native_parts)) in (
        fold("".join(structured)),
        fold("".join(reversed(structured))),
    ):
        native_parts = []  # the same name as the family/given fields: nothing new to index
    for parts in (structured, native_parts, [p for p in _SPLIT_UNITS.split(latin) if p]):
        if not parts:
            continue
        if len(parts) > _MAX_UNITS:
            # Bound the orders and combinations; the tail still counts for the full name.
            parts = [*parts[: _MAX_UNITS - 1], " ".join(parts[_MAX_UNITS - 1 :])]
        units, words = _units_and_words(parts)
        yield from _rendering_keys(units, words)
        if any(has_han(p) for p in parts):
            idx = surname_index if parts is structured else None
            yield from _rendering_keys(_pinyin_units(parts, idx), [])
            if parts is not structured and len(parts) == 1:
                # A lone Chinese name like 张伟 with no family/given split on the row.
                split = split_chinese_name(parts[0])
                if split is not None:
                    yield from _rendering_keys(_pinyin_units(split, 0), [])


@lru_cache(maxsize=4096)
def _org_zh_keys(org: str) -> tuple[tuple[str, int], ...]:
    s = _prepare(org)
    legal = next((f for f in _ZH_LEGAL_FORMS if s.endswith(f) and len(s) > len(f)), "")
    core = s[: len(s) - len(legal)]
    # Units: each Han character, or a whole run of other letters/digits (a word like "TCL").
    units = [
        folded
        for word in _SPLIT_WORDS.split(core)
        for piece in _HAN_OR_RUN.findall(word)
        if (folded := piece.translate(_FOLD))
    ]
    keys = [Key(ORGANISATION, fold(s))]
    tail = fold(legal)
    for i in range(1, min(len(units), _MAX_ORG_STARTS)):
        suffix = ("".join(units[i:]) + tail)[:ORG_SUFFIX_LENGTH]
        if len(suffix) >= 2:
            keys.append(Key(ORGANISATION, suffix))
    return tuple(_best(keys).items())


@lru_cache(maxsize=4096)
def _org_en_keys(org: str) -> tuple[tuple[str, int], ...]:
    words = [w for w in (fold(w) for w in _SPLIT_WORDS.split(_prepare(org))) if w]
    return tuple(
        _best(
            Key(ORGANISATION, "".join(words[i:])[:ORG_WORDS_LENGTH])
            for i, word in enumerate(words[:_MAX_ORG_STARTS])
            if i == 0 or (word not in _ORG_STOPWORDS and len(word) > 1)
        ).items()
    )


def build_keys(d: DelegateText) -> list[Key]:
    """All search keys of one delegate: each text once, under its best kind, sorted."""
    best = dict(_name_keys(d.name_native, d.name_latin, d.family_name, d.given_name, d.name_order))
    code = fold(d.registration_code)[:MAX_KEY_LENGTH]
    for text, kind in ((code, CODE), *_org_zh_keys(d.organisation_zh), *_org_en_keys(d.organisation_en)):
        if text and kind < best.get(text, len(KINDS)):
            best[text] = kind
    return sorted(Key(kind, text) for text, kind in best.items())


# A delegate row as search indexing reads it: id, then the DelegateText fields in their order.
TextRow = tuple[int, str, str, str, str, str, str, str, str]


def key_params(rows: Sequence[TextRow]) -> list[tuple[int, str, int]]:
    """(delegate id, stored key, kind) of every key of these rows, in row then key order.

    A top-level function of plain tuples, so a worker process can run it for a bulk import.
    """
    return [
        (row[0], stored_key(kind, text), kind)
        for row in rows
        for kind, text in build_keys(DelegateText(*row[1:]))
    ]
