"""Latin names made only where a standard exists: pinyin, Revised Romanization, ICAO/Serbian, ELOT 743.

A Latin name the registration gives is always used as given; this module is only asked for a name
that came without one. Where a reading cannot be guessed from the script (Japanese kanji, Arabic,
Hebrew, Thai, Indic scripts, ...) or where Mainland pinyin would not be the person's name (Hong Kong,
Macao, Taiwan, overseas Chinese), it gives "" and `latin_missing` says so for the import report.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from checkin_app.domain.names import latin_display

# What the import report shows for a name that needs a Latin form from the organiser.
LATIN_MISSING_ZH = "缺少外文名"
LATIN_MISSING_EN = "Latin name missing"

# Chinese names from these places are read in Cantonese, Hokkien or Wade-Giles, not Mainland pinyin.
NOT_PINYIN_PLACES = frozenset({"HK", "MO", "TW"})

# Surnames read differently from the character's everyday reading (曾 Zeng, not Ceng).
_SURNAME_PINYIN = {
    "曾": "Zeng", "单": "Shan", "解": "Xie", "仇": "Qiu", "区": "Ou", "查": "Zha", "朴": "Piao",
    "乐": "Yue", "盖": "Ge", "缪": "Miao", "翟": "Zhai", "覃": "Qin", "种": "Chong", "秘": "Bi",
    "柏": "Bai", "重": "Chong", "长孙": "Zhangsun", "尉迟": "Yuchi", "万俟": "Moqi", "澹台": "Tantai",
}  # fmt: skip

# Korean surnames as their bearers write them (passports), not as strict RR would (Gim, I, Bak).
_KOREAN_SURNAMES = {
    "김": "Kim", "이": "Lee", "리": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang",
    "조": "Cho", "윤": "Yoon", "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh", "서": "Seo",
    "신": "Shin", "권": "Kwon", "황": "Hwang", "안": "Ahn", "송": "Song", "류": "Ryu", "유": "Yoo",
    "전": "Jeon", "홍": "Hong", "고": "Ko", "문": "Moon", "양": "Yang", "손": "Son", "배": "Bae",
    "백": "Baek", "허": "Heo", "남": "Nam", "심": "Shim", "노": "Noh", "하": "Ha", "곽": "Kwak",
    "성": "Sung", "차": "Cha", "주": "Joo", "우": "Woo", "구": "Koo", "민": "Min", "나": "Na",
    "진": "Jin", "지": "Ji", "엄": "Eom", "채": "Chae", "원": "Won", "천": "Cheon", "방": "Bang",
    "공": "Kong", "현": "Hyun", "함": "Ham", "변": "Byun", "염": "Yeom", "여": "Yeo", "추": "Choo",
    "도": "Do", "석": "Seok", "선": "Sun", "설": "Seol", "마": "Ma", "길": "Gil", "연": "Yeon",
    "표": "Pyo", "명": "Myung", "기": "Ki", "반": "Ban", "왕": "Wang", "금": "Keum", "육": "Yook",
    "인": "In", "맹": "Maeng", "제": "Je", "모": "Mo", "탁": "Tak", "국": "Kook", "은": "Eun",
    "용": "Yong", "예": "Ye", "경": "Kyung", "봉": "Bong", "황보": "Hwangbo", "남궁": "Namgung",
    "제갈": "Jegal", "선우": "Sunwoo", "독고": "Dokgo", "사공": "Sagong", "서문": "Seomun",
}  # fmt: skip

# Cyrillic by place: the country's own Latin alphabet or official system, through cyrtranslit.
# Elsewhere (Russia, Kazakhstan, unknown) the ICAO Doc 9303 passport table, through iuliia.
_CYRILLIC_LANGUAGE = {"RS": "sr", "BA": "sr", "ME": "me", "MK": "mk", "BG": "bg", "BY": "by", "MN": "mn"}
# No well-kept library has Ukraine's national system (2010): no guess, the organiser fills it.
_NO_CYRILLIC_STANDARD = frozenset({"UA"})
_SERBIAN_LETTERS = frozenset("ђћљњџјЂЋЉЊЏЈ")


def script(text: str) -> str:
    """The script of a name's letters: han, kana, hangul, cyrillic, greek, latin, other, or ''."""
    seen: set[str] = set()
    for ch in text:
        kind = _CHAR_SCRIPTS.get(ch)
        if kind is None:
            kind = _char_script(ch)
            if len(_CHAR_SCRIPTS) < _CHAR_SCRIPTS_MAX:  # bounded: a hostile text of every character
                _CHAR_SCRIPTS[ch] = kind
        if kind == "kana":
            return "kana"  # kana anywhere makes a Japanese name, even beside kanji
        if kind:
            seen.add(kind)
    for name in ("other", "hangul", "han", "cyrillic", "greek", "latin"):
        if name in seen:
            return name
    return ""


# Each character's script ("" for what is no letter), decided once: characters repeat, names do not.
_CHAR_SCRIPTS: dict[str, str] = {}
_CHAR_SCRIPTS_MAX = 50_000


def _char_script(ch: str) -> str:
    cp = ord(ch)
    if not unicodedata.category(ch).startswith("L"):
        return ""
    if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF:
        return "kana"
    if 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or cp >= 0x20000:
        return "han"
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return "hangul"
    if 0x0400 <= cp <= 0x052F:
        return "cyrillic"
    if 0x0370 <= cp <= 0x03FF or 0x1F00 <= cp <= 0x1FFF:
        return "greek"
    if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF or 0xFF21 <= cp <= 0xFF5A:
        return "latin"
    return "other"


def latin_missing(native: str, latin: str) -> bool:
    """Whether a delegate needs a Latin name from the organiser: none given, none made, not Latin."""
    return not latin.strip() and script(native) not in ("latin", "")


def generated_latin(*, family: str, given: str, native: str, country: str = "", order: str = "") -> str:
    """A standard Latin form of a name that came without one, or "" where none can be made.

    `order` is "eastern" or "western" as the importer decided; the result is written the same
    way ("KIM Minjun", "Đorđe PETROVIĆ").
    """
    country = country.strip().upper()
    text = native or f"{family}{given}"
    kind = script(text)
    parts = (family, given) if (family or given) else ("", native)
    if kind == "latin":
        return latin_display(family_latin=parts[0], given_latin=parts[1], order=order or "western")
    if kind == "han":
        if not _pinyin_allowed(text, country):
            return ""
        fam = _SURNAME_PINYIN.get(parts[0]) or _pinyin(parts[0])
        return latin_display(family_latin=fam, given_latin=_pinyin(parts[1]), order="eastern")
    if kind == "hangul":
        fam, giv = (family, given) if family else _split_korean(given or native)
        fam_latin = _KOREAN_SURNAMES.get(fam) or _hangul(fam)
        return latin_display(family_latin=fam_latin, given_latin=_hangul(giv), order="eastern")
    if kind == "cyrillic":
        out = [cyrillic_to_latin(p, country) for p in parts]
        if any(p and not o for p, o in zip(parts, out, strict=True)):
            return ""
        return latin_display(family_latin=out[0], given_latin=out[1], order=order or "western")
    if kind == "greek":
        return latin_display(family_latin=elot743(parts[0]), given_latin=elot743(parts[1]),
                             order=order or "western")
    return ""  # kana and kanji, Arabic, Hebrew, Thai, Indic, ...: no reading to guess


# -- Chinese ------------------------------------------------------------------------------------


def to_simplified(text: str) -> str:
    """Simplified characters for traditional ones, character by character (OpenCC's t2s table)."""
    return "".join(_t2s_char(c) for c in text)


@lru_cache(maxsize=65536)
def _t2s_char(ch: str) -> str:
    if 0xD800 <= ord(ch) <= 0xDFFF:
        return ch  # a lone surrogate (a broken paste) cannot go through OpenCC's UTF-8
    return str(_opencc().convert(ch)) or ch


@lru_cache(maxsize=1)
def _opencc() -> Any:
    import opencc  # loaded on first use (13 ms): the desk starts without it

    return opencc.OpenCC("t2s")


def _pinyin_allowed(text: str, country: str) -> bool:
    if country == "CN":
        return True
    if country:
        return False  # Hong Kong, Macao, Taiwan, Singapore, Japan, ...: not Mainland pinyin
    # No country: simplified characters are Mainland writing; traditional ones are not.
    han = [c for c in text if script(c) == "han"]
    return all(_t2s_char(c) == c for c in han)


def warm() -> None:
    """Load pypinyin's tables now (a worker process about to romanise many names)."""
    generated_latin(family="张", given="伟", native="张伟", country="CN")


@lru_cache(maxsize=50_000)
def _pinyin(text: str) -> str:
    """Toneless pinyin, syllables run together and capitalised: 伟明 → Weiming."""
    from pypinyin import lazy_pinyin  # slow import; only an import or a walk-in needs it

    return "".join(lazy_pinyin(text)).capitalize()


# -- Korean -------------------------------------------------------------------------------------

_KOREAN_COMPOUND_SURNAMES = frozenset(k for k in _KOREAN_SURNAMES if len(k) == 2)


def _split_korean(name: str) -> tuple[str, str]:
    s = "".join(name.split())
    if len(name.split()) == 2:
        first, rest = name.split()
        return first, rest
    n = 2 if s[:2] in _KOREAN_COMPOUND_SURNAMES and len(s) >= 4 else 1
    return (s[:n], s[n:]) if len(s) >= 2 else ("", s)


def _hangul(text: str) -> str:
    """Revised Romanization of a name part, syllable by syllable: 민준 → Minjun, 복남 → Boknam.

    RR does not carry sound changes between the syllables of a given name, so each syllable is
    romanised alone (korean-romanizer would write 복남 as Bongnam, as in running text).
    """
    from korean_romanizer.romanizer import Romanizer

    out = "".join(Romanizer(c).romanize() if script(c) == "hangul" else c for c in text.replace(" ", ""))
    return out.capitalize()


# -- Cyrillic -----------------------------------------------------------------------------------


def cyrillic_to_latin(text: str, country: str = "") -> str:
    """Cyrillic in the Latin letters of its country's standard, or "" when none applies.

    Serbian (RS, BA, and any text with ђ ћ љ њ џ ј) in Gaj's Latin alphabet (Ђорђе → Đorđe);
    Montenegrin, Macedonian, Bulgarian, Belarusian, Mongolian by their national systems; other
    places by ICAO Doc 9303, the passport table (Екатерина Кузнецова → Ekaterina Kuznetsova).
    Letters the chosen table does not know (Kazakh ә, Ukrainian і) give "" rather than a guess.
    """
    if not text:
        return ""
    country = country.upper()
    if country in _NO_CYRILLIC_STANDARD:
        return ""
    lang = _CYRILLIC_LANGUAGE.get(country)
    if lang is None and any(c in _SERBIAN_LETTERS for c in text):
        lang = "sr"
    out = _cyrtranslit(text, lang) if lang else icao_9303(text)
    if any(0x0400 <= ord(c) <= 0x052F for c in out):
        return ""
    return out


def icao_9303(text: str) -> str:
    """Russian Cyrillic by ICAO Doc 9303, the table of Russian passports (Юлия → Iuliia)."""
    return _icao_word(text)


@lru_cache(maxsize=65536)
def _icao_word(text: str) -> str:
    import iuliia

    return str(iuliia.ICAO_DOC_9303.translate(text))


@lru_cache(maxsize=65536)
def _cyrtranslit(text: str, lang: str) -> str:
    import cyrtranslit

    # cyrtranslit writes a capital digraph in capitals (Љубиша → LJubiša), so each word goes
    # through in lower case and gets its capitals back afterwards.
    words = []
    for word in re.split(r"(\W+)", text):
        latin = str(cyrtranslit.to_latin(word.lower(), lang))
        if word.isupper() and len(word) > 1:
            latin = latin.upper()
        elif word[:1].isupper():
            latin = latin[:1].upper() + latin[1:]
        words.append(latin)
    return "".join(words)


# -- Greek (ELOT 743 = ISO 843, transcription) -----------------------------------------------------
# No maintained library does ELOT 743 (the PyPI ones are a 2017 package and a js2py translation),
# and the table is short, so it is written out here from the standard.

_GREEK_LETTERS = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
_GREEK_PAIRS = {"αι": "ai", "ει": "ei", "οι": "oi", "ου": "ou", "υι": "yi", "γγ": "ng", "γξ": "nx",
                "γχ": "nch"}  # fmt: skip
_GREEK_VOICED = frozenset("αεηιουωβγδζλμνρ")  # αυ/ευ/ηυ are av/ev/iv before these, else af/ef/if


def elot743(text: str) -> str:
    """Greek by ELOT 743, as Greek passports: Ευάγγελος Παπαδόπουλος → Evangelos Papadopoulos."""
    return "".join(_elot_word(w) if script(w) == "greek" else w for w in re.split(r"(\W+)", text))


def _elot_word(word: str) -> str:
    # Accents go; a diaeresis stays as a mark that the vowel stands alone (Μαΐου: a-i, not ai).
    decomposed = unicodedata.normalize("NFD", word.lower())
    letters: list[tuple[str, bool]] = []  # (letter, has diaeresis)
    for ch in decomposed:
        if ch == "\u0308" and letters:
            letters[-1] = (letters[-1][0], True)
        elif not unicodedata.combining(ch):
            letters.append((ch, False))
    out: list[str] = []
    i = 0
    n = len(letters)
    while i < n:
        ch = letters[i][0]
        nxt, nxt_split = letters[i + 1] if i + 1 < n else ("", False)
        after = letters[i + 2][0] if i + 2 < n else ""
        pair = ch + nxt
        if ch in "αεη" and nxt == "υ" and not nxt_split:
            vowel = {"α": "a", "ε": "e", "η": "i"}[ch]
            out.append(vowel + ("v" if after and after in _GREEK_VOICED else "f"))
            i += 2
        elif pair in ("μπ", "ντ"):
            initial = i == 0
            final = i + 2 >= n
            out.append(("b" if pair == "μπ" else "d") if initial or final else
                       ("mp" if pair == "μπ" else "nt"))
            i += 2
        elif pair in _GREEK_PAIRS and not nxt_split:
            out.append(_GREEK_PAIRS[pair])
            i += 2
        else:
            out.append(_GREEK_LETTERS.get(ch, ch))
            i += 1
    latin = "".join(out)
    if word.isupper() and len(word) > 1:
        return latin.upper()
    if word[:1].isupper():
        return latin[:1].upper() + latin[1:]
    return latin
