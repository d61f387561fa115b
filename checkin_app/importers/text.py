"""Cleaning spreadsheet cells: spaces of every width, full-width punctuation, numbers Excel mangled, dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from checkin_app.importers.vocab import ANSWER_LETTER, CHINESE_DATE, HAN_FIRST, HAN_LAST, LIST_SEPARATORS

# Characters that look like nothing or like a space in a cell: NBSP, ideographic space, zero-width
# marks, BOM. NFKC turns most wide forms into ASCII, but not the zero-width ones.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200a\u202f\u205f]+")
# Any character cleaning folds or drops (a space of any kind, an invisible mark).
_FOLDED = re.compile(r"[\s\u00a0\u3000\u2000-\u200a\u202f\u205f\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Separators between several values in one cell (activities): 、，,;；／/| and line breaks.
_LIST_SEPARATORS = re.compile(LIST_SEPARATORS)
# A survey answer's letter: "A.嘉宾", "B、媒体", "C) Guest".
_ANSWER_LETTER = re.compile(ANSWER_LETTER)
_SCIENTIFIC = re.compile(r"^([+-]?)(\d+)(?:\.(\d*))?[eE]\+?(\d+)$")
_DECIMAL_INT = re.compile(r"^[+-]?\d+\.0+$")

# Excel's day zero in the 1900 system (which counts a 29 February 1900 that never was).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_1904 = datetime(1904, 1, 1)


def clean(value: object) -> str:
    """A cell as plain text: wide forms narrowed, odd spaces folded, trimmed.

    Numbers that are whole (13800138000.0) lose the ".0" Excel's float storage added.
    """
    if type(value) is str:
        # Most cells (every one of a CSV): checked first, without the type tests below.
        if value.isascii():
            # NFKC leaves ASCII alone: only spaces need folding, and text without a space that
            # prints (no tab, no line break) has none.
            if value.isalnum() or not value or (" " not in value and value.isprintable()):
                return value
            return " ".join(value.split())
        if _FOLDED.search(value) is None and unicodedata.is_normalized("NFKC", value):
            # Nothing to fold, drop or narrow (most names and organisations): as it is, without
            # a cache entry per person's name.
            return value
        return _clean_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.isascii():
        # The common case, and NFKC leaves ASCII alone: only spaces need folding.
        return " ".join(text.split()) if not text.isalnum() else text
    return _clean_text(text)


# Cells repeat a lot (organisations, countries, categories, activities): cleaning each distinct
# text once saves a normalisation check per cell of a big import.
@lru_cache(maxsize=65536)
def _clean_text(text: str) -> str:
    text = text.translate(_INVISIBLE)
    if unicodedata.is_normalized("NFKC", text):
        return _SPACES.sub(" ", text).strip()
    # NFKC: full-width letters, digits and punctuation become ASCII (Ａ１，→ A1,), the ideographic
    # space becomes a space. CJK characters themselves are left alone.
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def clean_multiline(value: object) -> str:
    """Like clean, but line breaks inside the cell survive (for splitting lists)."""
    if isinstance(value, str):
        return "\n".join(clean(part) for part in value.splitlines())
    return clean(value)


def fold(text: str) -> str:
    """A key for matching names of things: case, spaces and punctuation do not count."""
    if type(text) is str and text.isalnum():
        # Codes and names that are letters and digits only (B0000001, CN, 张伟): what the steps
        # below give, without a cache entry per registration number or person.
        if text.isascii():
            return text.lower()
        if unicodedata.is_normalized("NFKC", text):
            low = text.casefold()
            return low if low.isalnum() else "".join(ch for ch in low if ch.isalnum())
    return _fold(text)


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    text = clean(text).casefold()
    # Most keys (codes, names) are letters and digits only: nothing to drop, no walk per letter.
    return text if text.isalnum() else "".join(ch for ch in text if ch.isalnum())


def split_list(value: object) -> list[str]:
    """Several values in one cell, separated by 、，,;； / | or line breaks."""
    if isinstance(value, str):
        return list(_split_text(value))
    text = clean_multiline(value)
    return [p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip()]


# Lists of activities repeat down a registration list: each distinct cell is split once.
@lru_cache(maxsize=8192)
def _split_text(value: str) -> tuple[str, ...]:
    text = clean_multiline(value)
    return tuple(p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip())


def digits_from_number(value: object) -> tuple[str, bool]:
    """Digits of a number however Excel stored it, and whether digits were surely lost.

    13800138000.0 → ("13800138000", False); "1.38001E+10" → ("13800100000", True): the text
    keeps six significant digits of an eleven-digit number, so the rest is gone.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value, False  # the common case of a text cell (a CSV): plain digits as they are
    if isinstance(value, bool):
        return clean(value), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        if value != value or not value.is_integer():
            return clean(value), False
        # A float holds 15-17 significant digits exactly; a phone number fits.
        return str(int(value)), abs(value) >= 1e16
    text = clean(value)
    m = _SCIENTIFIC.match(text.replace(" ", ""))
    if m:
        sign, whole, frac, exp = m.group(1), m.group(2), m.group(3) or "", int(m.group(4))
        try:
            number = Decimal(f"{whole}.{frac or '0'}e{exp}")
        except InvalidOperation:  # pragma: no cover - the pattern only lets valid numbers in
            return text, False
        if number != number.to_integral_value():
            return text, False
        digits = str(int(number))
        significant = len((whole + frac).lstrip("0").rstrip("0"))
        shown = len(whole.lstrip("0")) + len(frac)
        lost = shown < len(digits) and significant < len(digits)
        return sign.replace("+", "") + digits, lost
    if _DECIMAL_INT.match(text):
        return text.split(".")[0], False
    return text, False


def excel_serial_to_date(serial: float, *, epoch_1904: bool = False) -> date | None:
    """The date an Excel serial number stands for, or None when it cannot be one (1900-2199)."""
    if serial != serial or serial < 1 or serial > 120_000:
        return None
    base = _EXCEL_1904 if epoch_1904 else _EXCEL_EPOCH
    return (base + timedelta(days=int(serial))).date()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),  # 2024-11-23, 2024/11/23 09:00
    re.compile(CHINESE_DATE),  # 2024年11月23日
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20241123
)
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")  # 23/11/2024 or 11/23/2024
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_TEXT_MONTH = re.compile(r"^(\d{1,2})[- ]([A-Za-z]{3})[a-z]*[- ,]+(\d{4})$")  # 23 Nov 2024
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})$")  # Nov 23, 2024


def parse_date(value: object, *, epoch_1904: bool = False) -> date | None:
    """A date from a real date cell, an Excel serial number or common text forms; None if unsure.

    Day-first and month-first text (03/04/2024) is ambiguous; it is read day-first only when
    the first number cannot be a month, month-first only when the second cannot be.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_to_date(float(value), epoch_1904=epoch_1904)
    text = clean(value)
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return excel_serial_to_date(float(text), epoch_1904=epoch_1904)
    try:
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DMY.match(text)
        if m:
            a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if a > 12 >= b:
                return date(y, b, a)
            if b > 12 >= a:
                return date(y, a, b)
            return None
        m = _TEXT_MONTH.match(text)
        if m and m.group(2).lower()[:3] in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))
        m = _MONTH_FIRST.match(text)
        if m and m.group(1).lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    except ValueError:  # 2024-02-30 and friends
        return None
    return None


# The same ranges as a pattern: one search in C instead of a comparison per character.
_HAN = re.compile(f"[{HAN_FIRST}-{HAN_LAST}\U00020000-\U0002ffff]")


def has_han(text: str) -> bool:
    """Whether the text holds any Chinese character (Extension A, the Unified Ideographs, or
    plane 2)."""
    return _HAN.search(text) is not None


def is_latin(text: str) -> bool:
    """Whether every letter of the text is Latin (with or without diacritics)."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


def answer_text(text: str) -> str:
    """A survey choice without its answer letter: "A.嘉宾" → "嘉宾" (other text unchanged)."""
    return _ANSWER_LETTER.sub("", text, count=1)
