"""Formatting people's names per culture (DESIGN §8).

Chinese, Japanese and Korean names keep their native order without a comma ("张伟", "김민준");
names of family-first cultures written in Latin letters put the family first in capitals
("NGUYỄN Thị Minh Khai", "NAGY István"); other names are "Given FAMILY", with every part of a
double surname ("José Luis RODRÍGUEZ ZAPATERO"). Full-width Latin letters typed with a Chinese or
Japanese input method are made ordinary ("ＡＢＣ" → "ABC"), while full-width punctuation inside
Chinese text stays ("ＩＢＭ（中国）有限公司" → "IBM（中国）有限公司").
"""

from __future__ import annotations

import re
import unicodedata

# Places whose names are written family name first, also in Latin letters.
FAMILY_FIRST_COUNTRIES = frozenset({"CN", "TW", "HK", "MO", "KR", "KP", "JP", "HU", "VN", "KH"})
# Places where people carry two surnames (father's, then mother's) written after the given names.
DOUBLE_SURNAME_COUNTRIES = frozenset({
    "ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV", "NI",
    "CR", "PR", "PA", "UY", "GQ",
})
# Words that belong to the surname that follows them ("de la Fuente", "van der Berg").
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "i", "da", "das", "do", "dos", "di",
                        "van", "von", "der", "den", "ter", "le", "du", "al", "el", "bin", "binti"})
# Letters only Vietnamese uses (ơ, ư and the stacked tone marks of U+1EA0-1EF9).
_VIETNAMESE = re.compile("[\u01a0\u01a1\u01af\u01b0\u1ea0-\u1eb7\u1eba-\u1ecb\u1ece-\u1ef9]")
_CJK = re.compile("[\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u318f\u31a0-\u31ff"
                  "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]+")


def has_cjk(text: str) -> bool:
    """Whether the text has Han characters, kana or Hangul."""
    return _CJK.search(text) is not None


def normalise_width(text: str) -> str:
    """Full-width Latin letters and digits made ordinary; half-width katakana made full width.

    Full-width punctuation and spaces are kept in text with Chinese, Japanese or Korean in it (the
    parentheses of "重庆大学（筹）" are right there), and made ordinary in text without.
    """
    if not any("\u3000" <= c <= "\uffef" for c in text):
        return text
    cjk = has_cjk(text)
    out: list[str] = []
    for c in text:
        cp = ord(c)
        alnum = 0xFF10 <= cp <= 0xFF19 or 0xFF21 <= cp <= 0xFF3A or 0xFF41 <= cp <= 0xFF5A
        if alnum or (not cjk and 0xFF01 <= cp <= 0xFF5E):
            out.append(chr(cp - 0xFEE0))
        elif not cjk and cp == 0x3000:
            out.append(" ")
        else:
            out.append(c)
    result = "".join(out)
    return _HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), result)


def is_latin_script(text: str) -> bool:
    """Whether every letter of the text is a Latin letter."""
    return all(unicodedata.name(ch, "").startswith("LATIN") for ch in text if ch.isalpha())


def family_first(country: str, *parts: str) -> bool:
    """Whether a name from this place is written family first; with no place known, whether its
    letters are Vietnamese ones (ẹ and ọ are left out of that test: Yoruba names have them)."""
    if country:
        return country.upper() in FAMILY_FIRST_COUNTRIES
    return any(_VIETNAMESE.search(p) for p in parts)


def upper_family(family: str, country: str = "") -> str:
    """The family name in capitals; Turkish and Azerbaijani capitals keep the dot (ŞAHİN)."""
    if country.upper() in ("TR", "AZ"):
        family = family.replace("i", "İ")
    return family.upper()


def format_latin_name(family: str, given: str, *, country: str = "",
                      style: str = "given_FAMILY") -> str:
    """A name in Latin letters in its culture's order and the template's style.

    `style` is one of the templates' Western styles (given_FAMILY, given_family, FAMILY_given,
    "FAMILY, given"); family-first cultures are always written family first, without a comma.
    """
    family, given = normalise_width(family).strip(), normalise_width(given).strip()
    plain = style == "given_family"
    fam = family if plain else upper_family(family, country)
    if family_first(country, family, given):
        return " ".join(p for p in (fam, given) if p)
    if style == "FAMILY_given":
        return " ".join(p for p in (fam, given) if p)
    if style == "FAMILY, given":
        return ", ".join(p for p in (fam, given) if p)
    return " ".join(p for p in (given, fam) if p)


def _join_eastern(family: str, given: str) -> str:
    """张 + 伟 → 张伟; Latin-letter parts keep a space (NGUYỄN Thị Minh Khai)."""
    if family and given and has_cjk(family[-1]) and has_cjk(given[0]):
        return family + given
    return " ".join(p for p in (family, given) if p)


def split_full_name(full: str, country: str = "") -> tuple[str, str]:
    """(family, given) of a name written in one field, by its culture's conventions.

    "PETROVIĆ Đorđe": a word in capitals is the family; "Smith, John": before the comma;
    family-first places (Vietnam, Hungary, ...): the first word; Spanish-speaking places: the last
    two words with their particles ("José Luis Rodríguez Zapatero", "Juan de la Fuente García");
    else the last word. A single word is a given name (mononym).
    """
    full = " ".join(normalise_width(full).split())
    if "," in full:
        fam, giv = (p.strip() for p in full.split(",", 1))
        return fam, giv
    parts = full.split(" ")
    if len(parts) < 2:
        return "", full
    caps = [p for p in parts if p.isupper() and len(p) > 1]
    if caps and len(caps) < len(parts):
        i = parts.index(caps[0])
        j = i
        while j < len(parts) and (parts[j].isupper() or parts[j].lower() in _PARTICLES):
            j += 1
        return " ".join(parts[i:j]), " ".join(parts[:i] + parts[j:])
    if family_first(country, full):
        return parts[0], " ".join(parts[1:])
    surnames = 2 if country.upper() in DOUBLE_SURNAME_COUNTRIES and len(parts) >= 3 else 1
    start = len(parts)
    for _ in range(surnames):
        start -= 1
        while start > 1 and parts[start - 1].lower() in _PARTICLES:
            start -= 1
        if start <= 1:
            break
    start = max(start, 1)
    return " ".join(parts[start:]), " ".join(parts[:start])


def display_name(
    *, family: str, given: str, native: str, latin: str, order: str, country: str = ""
) -> str:
    """The name to show largest on the desk and the badge."""
    if native:
        return normalise_width(native)
    if order == "eastern":
        joined = _join_eastern(normalise_width(family), normalise_width(given))
        if joined and is_latin_script(joined) and family:
            return format_latin_name(family, given, country=country or "CN")
        return joined or latin
    if family or given:
        return format_latin_name(family, given, country=country)
    return latin


def latin_display(*, family_latin: str, given_latin: str, order: str) -> str:
    """Latin form: 'ZHANG Wei' for eastern order, 'Given FAMILY' for western."""
    if order == "eastern":
        return " ".join(p for p in (family_latin.upper(), given_latin) if p)
    return " ".join(p for p in (given_latin, family_latin.upper()) if p)


def badge_name_lines(*, family: str, given: str, native: str, latin: str, order: str,
                     country: str = "", style: str = "given_FAMILY") -> tuple[str, str]:
    """The name as a badge prints it largest, and the second (Latin) line ("" when it adds nothing).

    Chinese, Japanese and Korean names keep their native order without a comma ("张伟") with the
    Latin form underneath; other scripts (Cyrillic, Arabic, Thai, ...) print natively with the Latin
    form underneath; names in Latin letters follow their culture's order (family first for
    Vietnamese and Hungarian names) and otherwise the template's Western style.
    """
    native = normalise_width(native).strip()
    latin = normalise_width(latin).strip()
    family, given = normalise_width(family).strip(), normalise_width(given).strip()
    if native and not is_latin_script(native):
        return native, latin if latin and latin != native else ""
    if family and is_latin_script(family + given):
        return format_latin_name(family, given, country=country, style=style), ""
    if order == "eastern" and native and family_first(country, native):
        fam, giv = split_full_name(native, country)
        return format_latin_name(fam, giv, country=country, style=style), ""
    return native or latin, latin if native and latin and latin != native else ""
