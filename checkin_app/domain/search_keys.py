"""Search keys for finding people by name, pinyin, initials, code or organisation, and query folding."""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product
from typing import NamedTuple

from anyascii import anyascii

from checkin_app.domain.romanise import icao_9303, to_simplified

# Kinds, best first; the number is also the first character of the stored key (see stored_key).
FULL_NAME = 0
NAME_PART = 1
INITIALS = 2  # initials of a Chinese name's pinyin ("zw" for 张伟)
OTHER_INITIALS = 3  # initials of any other name ("dp" for Đorđe Petrović)
CODE = 4
ORGANISATION = 5
KINDS: tuple[int, ...] = (FULL_NAME, NAME_PART, INITIALS, OTHER_INITIALS, CODE, ORGANISATION)
# One-letter typos: the deletion neighbourhood of name keys (see typo_keys). Looked up only
# when the kinds above found too few, so every exact match ranks before every typo match.
TYPO = 6
# Bump when the keys built for the same delegate change; a database whose keys were built
# under another version is re-indexed before its next search (services.search).
KEY_FORMAT = 2
# Typo matching: for names of at least TYPO_MIN_LENGTH letters, at edit distance 1
# (one letter wrong, missing, extra, or two neighbours swapped). Deletions are taken from the
# first TYPO_PREFIX letters only (SymSpell's prefix trick), which bounds the keys per name.
TYPO_MIN_LENGTH = 4
TYPO_PREFIX = 8

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
        elif self.keep_cjk and _is_han(cp):
            # Traditional and simplified characters fold alike (張偉 and 张伟), one character
            # at a time, so a prefix of a name folds to a prefix of the name's key.
            out = to_simplified(ch)
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
    "DORDE PETROVIC" all become "dordepetrovic", "Ђорђе" becomes "djordje", and 張偉 becomes 张伟.
    """
    return _prepare(text).translate(_FOLD)


def normalise_query(text: str) -> str:
    """The folded form of what someone typed into the search box ("" when nothing searchable)."""
    # Cut the raw text first: folding a pasted novel would be wasted work.
    return fold(text[: MAX_KEY_LENGTH * 4])[:MAX_KEY_LENGTH]


# ü typed in pinyin (lü, lǚ, lu:) after l or n: the syllable pypinyin writes lv, as in 吕 and 女.
_PINYIN_U_UMLAUT = re.compile("(?<=[ln])(?:u\u0308[\u0300-\u036f]*|u:)")


def query_variants(text: str) -> tuple[str, ...]:
    """The folded spellings to look up for what was typed, the best first; () when none.

    "lü haoran" and "lu: haoran" look up lvhaoran (吕) before luhaoran (卢 as well as 吕);
    Cyrillic is looked up as typed (anyascii), by the passport table (ICAO: Юлия → iuliia) and
    as Serbian Latin (Ђорђе → dorde), so a Latin record is found by its Cyrillic spelling.
    """
    raw = text[: MAX_KEY_LENGTH * 4]
    out: list[str] = []
    decomposed = unicodedata.normalize("NFD", _prepare(raw))
    if _PINYIN_U_UMLAUT.search(decomposed):
        out.append(fold(_PINYIN_U_UMLAUT.sub("v", decomposed)))
    out.append(fold(raw))
    if any(0x0400 <= ord(c) <= 0x04FF for c in raw):
        out.extend(fold_variants(raw)[1:])
    return tuple(dict.fromkeys(v[:MAX_KEY_LENGTH] for v in out if v))


# Two-letter pinyin syllables: "ma" or "li" typed alone means the surname, not initials.
_TWO_LETTER_SYLLABLES = frozenset({
    "ai", "an", "ao", "ba", "bi", "bo", "bu", "ca", "ce", "ci", "cu", "da", "de", "di", "du", "en",
    "er", "fa", "fo", "fu", "ga", "ge", "gu", "ha", "he", "hu", "ji", "ju", "ka", "ke", "ku", "la",
    "le", "li", "lu", "lv", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "nu", "nv", "ou", "pa",
    "pi", "po", "pu", "qi", "qu", "re", "ri", "ru", "sa", "se", "si", "su", "ta", "te", "ti", "tu",
    "wa", "wo", "wu", "xi", "xu", "ya", "ye", "yi", "yo", "yu", "za", "ze", "zi", "zu",
})  # fmt: skip


def search_order(query: str) -> tuple[int, ...]:
    """The kinds to look up for this folded query, best first.

    Two letters that are not a pinyin syllable ("zy", "zw") are most likely a Chinese name's
    initials: those rank before names starting with the letters (张瑶 before Žygimantas).
    """
    if len(query) == 2 and query.isascii() and query.isalpha() and query not in _TWO_LETTER_SYLLABLES:
        return (INITIALS, FULL_NAME, NAME_PART, OTHER_INITIALS, CODE, ORGANISATION)
    return KINDS


# -- one-letter typos -------------------------------------------------------------------------
# A SymSpell-style deletion neighbourhood kept in the same key table: a name term t stores
# "d t" (kind TYPO) for every d that is t's first TYPO_PREFIX letters with one letter deleted,
# plus those letters themselves when t is longer. Two strings at edit distance 1 (Damerau:
# transpositions included) always share such a d, so a query needs a handful of exact lookups
# (typo_probes) and the candidates are then scored on the whole strings (RapidFuzz).


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


def typo_eligible(query: str) -> bool:
    """Whether a folded query is looked up with typos: Latin letters only, TYPO_MIN_LENGTH or more."""
    return len(query) >= TYPO_MIN_LENGTH and query.isascii() and query.isalpha()


def typo_keys(term: str) -> list[str]:
    """The TYPO key texts of one name term ("d term"), [] for a term too short or not Latin."""
    if not typo_eligible(term):
        return []
    head = term[:TYPO_PREFIX]
    found = _deletions(head)
    if len(term) > len(head):
        found.add(head)
    return sorted(f"{d} {term}" for d in found)


def typo_probes(query: str) -> tuple[list[str], list[str]]:
    """What to look up for a folded query with a typo: (TYPO prefixes, exact name terms).

    A TYPO prefix p matches the keys "p <term>"; an exact term matches a full-name or name-part
    key equal to it (the query with its extra letter deleted).
    """
    head = query[:TYPO_PREFIX]
    prefixes = sorted({head} | _deletions(head))
    exact = sorted(_deletions(query) | {head})
    return prefixes, exact


def typo_ranges(query: str) -> list[tuple[str, str]]:
    """Stored-key ranges [low, high) holding the typo candidates of a folded query.

    One range per TYPO prefix ("6kuzneso " up to "6kuzneso!"), and one per exact full-name or
    name-part term (the key itself and nothing longer: a space sorts below every folded letter).
    """
    prefixes, exact = typo_probes(query)
    ranges = [key_range(TYPO, p + " ") for p in prefixes]
    for term in exact:
        for kind in (FULL_NAME, NAME_PART):
            low = stored_key(kind, term)
            ranges.append((low, low + " "))
    return ranges


DISTINCT_KEYS_SQL = """WITH RECURSIVE r(lo, hi) AS (VALUES {values}),
d(k, hi) AS (
  SELECT (SELECT "key" FROM search_keys WHERE "key" >= r.lo AND "key" < r.hi ORDER BY "key" LIMIT 1), r.hi
  FROM r
  UNION ALL
  SELECT (SELECT "key" FROM search_keys WHERE "key" > d.k AND "key" < d.hi ORDER BY "key" LIMIT 1), d.hi
  FROM d WHERE d.k IS NOT NULL
)
SELECT k FROM d WHERE k IS NOT NULL LIMIT ?"""


def distinct_keys_sql(ranges: int) -> str:
    """SQLite statement listing the distinct keys in `ranges` ranges (params: low, high, ..., limit).

    One index seek per distinct key (a skip scan), however many delegates share a key: 800
    people called 张伟 cost one step, not 800 rows.
    """
    return DISTINCT_KEYS_SQL.format(values=", ".join(["(?, ?)"] * ranges))


def typo_term(kind: int, text: str) -> str:
    """The name term a typo candidate key stands for (the text after the space of a TYPO key)."""
    return text.split(" ", 1)[1] if kind == TYPO else text


@lru_cache(maxsize=65536)
def fold_variants(text: str) -> tuple[str, ...]:
    """Every folded spelling a person might type for this text; the plain fold comes first."""
    s = _prepare(text)
    out = [s.translate(_FOLD)]
    has_cyrillic = any(0x0400 <= ord(c) <= 0x04FF for c in s)
    if has_cyrillic:
        s_latin = s.translate(_SERBIAN_LATIN)
        out.append(s_latin.translate(_FOLD))
        # Russian passports spell by ICAO Doc 9303 (Юлия → Iuliia, anyascii's Yuliya).
        out.append(icao_9303(s).translate(_FOLD))
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
    simplified = to_simplified(unit)  # 單 reads as 单 does
    if surname and simplified in _SURNAME_READINGS:
        spellings.extend(tuple(r.split()) for r in _SURNAME_READINGS[simplified])
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


def _rendering_keys(units: Sequence[_Unit], sub_words: Iterable[str], initials_kind: int) -> Iterator[Key]:
    """Keys of one way of writing a name; Key(TYPO, term) marks the terms that get typo keys."""
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
            full = "".join(r.text for r in combo)
            yield Key(FULL_NAME, full)
            if displayed and i == 0:
                # Typos only for the name as displayed, in its first spelling: the name typed
                # with a typo is the one on the screen; every order and variant would treble
                # the typo keys.
                yield Key(TYPO, full)
            # Initials only in the displayed order ("zw" for ZHANG Wei): reversed ones would
            # mostly add noise to a two-letter query.
            initials = "".join(r.initials for r in combo)
            if displayed and len(initials) >= 2 and all(r.initials for r in combo):
                yield Key(initials_kind, initials)
    for unit in units:
        for r in unit:
            yield Key(NAME_PART, r.text)
        yield Key(TYPO, unit[0].text)
    for word in sub_words:
        variants = fold_variants(word)
        for v in variants:
            yield Key(NAME_PART, v)
        if variants:
            yield Key(TYPO, variants[0])


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


_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


def _best(keys: Iterable[Key]) -> dict[str, int]:
    """Each key text once, under its best kind (first in KINDS), cut to the stored length."""
    best: dict[str, int] = {}
    for kind, text in keys:
        text = text[:MAX_KEY_LENGTH]
        if text and (text not in best or _RANK[kind] < _RANK[best[text]]):
            best[text] = kind
    return best


# Names and organisations repeat a lot (张伟, 重庆大学), so their keys are cached.
@lru_cache(maxsize=16384)
def _name_keys(
    native: str, latin: str, family: str, given: str, order: str
) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    """(text, kind) of a name's keys, and the terms that get typo keys."""
    keys = list(_iter_name_keys(native, latin, family.strip(), given.strip(), order))
    typo = tuple(dict.fromkeys(k.text[:MAX_KEY_LENGTH] for k in keys if k.kind == TYPO))
    return tuple(_best(k for k in keys if k.kind != TYPO).items()), typo


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
        yield from _rendering_keys(units, words, OTHER_INITIALS)
        if any(has_han(p) for p in parts):
            idx = surname_index if parts is structured else None
            yield from _rendering_keys(_pinyin_units(parts, idx), [], INITIALS)
            if parts is not structured and len(parts) == 1:
                # A lone Chinese name like 张伟 with no family/given split on the row.
                split = split_chinese_name(parts[0])
                if split is not None:
                    yield from _rendering_keys(_pinyin_units(split, 0), [], INITIALS)


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
    return [Key(kind, text) for kind, text in _key_pairs(d)]


def _best_kinds(d: DelegateText) -> tuple[dict[str, int], tuple[str, ...]]:
    """Each key text of a delegate under its best kind, and the name terms its typo keys come from."""
    name_keys, typo_terms = _name_keys(d.name_native, d.name_latin, d.family_name, d.given_name,
                                       d.name_order)
    best = dict(name_keys)
    code = fold(d.registration_code)[:MAX_KEY_LENGTH]
    for text, kind in ((code, CODE), *_org_zh_keys(d.organisation_zh), *_org_en_keys(d.organisation_en)):
        if text and (text not in best or _RANK[kind] < _RANK[best[text]]):
            best[text] = kind
    return best, typo_terms


def _key_pairs(d: DelegateText) -> list[tuple[int, str]]:
    """build_keys as plain (kind, text) pairs (the same order): a bulk import builds millions,
    and a named tuple per key cost a third of the time."""
    best, typo_terms = _best_kinds(d)
    keys = {(kind, text) for text, kind in best.items()}
    if typo_terms:
        keys.update((TYPO, t) for term in typo_terms for t in _typo_keys(term))
    return sorted(keys)


def _stored_keys(d: DelegateText) -> list[str]:
    """[stored_key(kind, text) for kind, text in build_keys(d)], built faster for a bulk import:
    the typo keys of a name (most of a person's keys) are made once per name, and the stored
    strings sort as the (kind, text) pairs do, since each kind is one digit."""
    best, typo_terms = _best_kinds(d)
    stored = {f"{kind}{text}" for text, kind in best.items()}
    if typo_terms:
        stored |= _typo_stored(typo_terms)
    return sorted(stored)


@lru_cache(maxsize=16384)
def _typo_stored(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f"{TYPO}{t}" for term in terms for t in _typo_keys(term))


# _stored_keys and key_params read a key's kind from its first character.
assert all(0 <= k <= 9 for k in (*KINDS, TYPO))


@lru_cache(maxsize=65536)
def _typo_keys(term: str) -> tuple[str, ...]:
    return tuple(typo_keys(term))


# A delegate row as search indexing reads it: id, then the DelegateText fields in their order.
TextRow = tuple[int, str, str, str, str, str, str, str, str]


# The key rows of a chunk in three flat pieces (delegate ids, the stored keys joined by NUL, the
# kinds as bytes): what a worker process sends back. Two million key tuples cost seconds to
# pickle and unpickle; these three objects are copied as they are.
PackedKeys = tuple["array[int]", str, bytes]


def packed_key_params(rows: Sequence[TextRow]) -> PackedKeys:
    """key_params(rows), packed for sending between processes (see unpack_keys)."""
    params = key_params(rows)
    return (array("q", [p[0] for p in params]), "\x00".join(p[1] for p in params),
            bytes(p[2] for p in params))


def unpack_keys(packed: PackedKeys) -> list[tuple[int, str, int]]:
    """The key rows packed_key_params packed."""
    ids, keys, kinds = packed
    return list(zip(ids, keys.split("\x00"), kinds, strict=True)) if ids else []


def key_params(rows: Sequence[TextRow]) -> list[tuple[int, str, int]]:
    """(delegate id, stored key, kind) of every key of these rows, in row then key order.

    A top-level function of plain tuples, so a worker process can run it for a bulk import.
    """
    out: list[tuple[int, str, int]] = []
    for row in rows:
        delegate_id = row[0]
        out += [(delegate_id, key, ord(key[0]) - 48) for key in _stored_keys(DelegateText(*row[1:]))]
    return out
