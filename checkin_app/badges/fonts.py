"""Bundled badge fonts: registered once per process, text split into runs by the font that has the glyphs.

Noto Sans covers Latin (with every diacritic the delegates have), Cyrillic and Greek; WenQuanYi
Micro Hei covers Chinese (simplified and traditional), Hangul and Kana; Noto Sans Arabic covers
Arabic, which is shaped with HarfBuzz (through ReportLab's uharfbuzz support) and laid out right
to left. A character that no bundled font has is logged once and drawn as a visible replacement.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord

from checkin_app.paths import fonts_dir

log = logging.getLogger(__name__)

LATIN = "latin"
CJK = "cjk"
ARABIC = "arabic"

REGULAR = "regular"
BOLD = "bold"

# Drawn for a character no bundled font has: visible, and itself in the Latin font.
REPLACEMENT = "\ufffd"
# Outline width, as a fraction of the size, that makes a regular CJK face look bold; the outline
# widens the text a little, so the runs' widths include it and fitting stays exact.
FAKE_BOLD_STROKE = 0.028


@dataclass(frozen=True, slots=True)
class FaceSpec:
    """One bundled font file and the ReportLab name it is registered under."""

    name: str
    file: str
    subfont: int = 0


# Which file draws which family in which weight. WenQuanYi has no bold face: bold CJK is drawn
# with a thin outline stroke (see Run.fake_bold), which printers reproduce well at badge sizes.
FACES: dict[tuple[str, str], FaceSpec] = {
    (LATIN, REGULAR): FaceSpec("Badge-NotoSans", "NotoSans-Regular.ttf"),
    (LATIN, BOLD): FaceSpec("Badge-NotoSans-Bold", "NotoSans-Bold.ttf"),
    (CJK, REGULAR): FaceSpec("Badge-WQYMicroHei", "wqy-microhei.ttc", 0),
    (CJK, BOLD): FaceSpec("Badge-WQYMicroHei", "wqy-microhei.ttc", 0),
    (ARABIC, REGULAR): FaceSpec("Badge-NotoSansArabic", "NotoSansArabic-Regular.ttf"),
    (ARABIC, BOLD): FaceSpec("Badge-NotoSansArabic-Bold", "NotoSansArabic-Bold.ttf"),
}
# Fallback order when the preferred family lacks a character.
FALLBACK = (LATIN, CJK, ARABIC)


def _is_arabic(cp: int) -> bool:
    return (0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF
            or 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF)


def _is_cjk(cp: int) -> bool:
    return (0x1100 <= cp <= 0x11FF or 0x2E80 <= cp <= 0x2FDF or 0x3000 <= cp <= 0x9FFF
            or 0xA960 <= cp <= 0xA97F or 0xAC00 <= cp <= 0xD7FF or 0xF900 <= cp <= 0xFAFF
            or 0xFF00 <= cp <= 0xFFEF or 0x20000 <= cp <= 0x3FFFF)


def preferred_family(ch: str) -> str | None:
    """The family a character belongs to by script; None for neutrals (spaces, digits, punctuation)."""
    cp = ord(ch)
    if _is_arabic(cp):
        return ARABIC
    if _is_cjk(cp):
        return CJK
    if ch.isspace() or not (ch.isalpha() or unicodedata.combining(ch)):
        return None
    return LATIN


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text drawn in one font, left to right on the page.

    `text` is in visual order for right-to-left runs only after shaping; `shaped` runs are drawn
    from their HarfBuzz glyphs. `width` is at size 1 pt.
    """

    text: str
    font: str
    family: str
    rtl: bool
    shaped: bool
    fake_bold: bool
    width: float
    missing: bool = False
    source: str = ""  # the characters as written (before shaping and reordering)


class FontSet:
    """The registered badge fonts and their character coverage (one per process: use `fonts()`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.coverage: dict[str, frozenset[int]] = {}
        self.ascent: dict[str, float] = {}
        self.descent: dict[str, float] = {}
        for spec in {s.name: s for s in FACES.values()}.values():
            path = folder / spec.file
            if spec.name in pdfmetrics.getRegisteredFontNames():
                font = pdfmetrics.getFont(spec.name)
            else:
                kwargs = {"subfontIndex": spec.subfont} if spec.file.endswith(".ttc") else {}
                font = TTFont(spec.name, str(path), **kwargs)
                pdfmetrics.registerFont(font)
            face = font.face
            self.coverage[spec.name] = frozenset(face.charToGlyph)
            self.ascent[spec.name] = face.ascent / 1000
            self.descent[spec.name] = -face.descent / 1000
        self._missing_logged: set[str] = set()
        self._lock = threading.Lock()

    # -- coverage ----------------------------------------------------------------------------
    def face(self, family: str, weight: str) -> str:
        """The registered font name for a family and weight."""
        return FACES[(family, weight)].name

    def has_glyph(self, font: str, ch: str) -> bool:
        """Whether `font` maps the character to a glyph."""
        return ord(ch) in self.coverage[font]

    def family_for(self, ch: str, preferred: str | None) -> str | None:
        """The family to draw `ch` with: its own script's, else the first bundled one that has it."""
        order = (preferred, *FALLBACK) if preferred else FALLBACK
        for fam in order:
            if fam and ord(ch) in self.coverage[self.face(fam, REGULAR)]:
                return fam
        return None

    def _note_missing(self, ch: str) -> None:
        with self._lock:
            if ch in self._missing_logged:
                return
            self._missing_logged.add(ch)
        log.warning("no bundled font has U+%04X %s; a replacement mark is drawn instead",
                    ord(ch), unicodedata.name(ch, "?"))

    # -- runs --------------------------------------------------------------------------------
    def runs(self, text: str, weight: str = REGULAR) -> list[Run]:
        """Split `text` into font runs in visual (left-to-right) order, measured at 1 pt."""
        return list(_runs_cached(self, unicodedata.normalize("NFC", text), weight))

    def width(self, runs: Sequence[Run], size: float) -> float:
        """Width of a line of runs at `size` pt."""
        return sum(r.width for r in runs) * size

    def extent(self, runs: Sequence[Run]) -> tuple[float, float]:
        """Ascent and descent (both positive, per pt) of the tallest fonts in a line."""
        if not runs:
            return self.ascent[self.face(LATIN, REGULAR)], self.descent[self.face(LATIN, REGULAR)]
        return (max(self.ascent[r.font] for r in runs), max(self.descent[r.font] for r in runs))

    def split_runs(self, text: str, weight: str) -> list[Run]:
        """Uncached body of `runs`."""
        segments: list[tuple[str, str | None]] = []  # (text, family or None for missing)
        current: list[str] = []
        fam: str | None = ""
        for ch in text:
            pref = preferred_family(ch)
            if pref is None and fam and self.has_glyph(self.face(fam, REGULAR), ch):
                current.append(ch)  # neutrals stay with the run they are in
                continue
            want = self.family_for(ch, pref or (fam or None))
            if want is None:
                self._note_missing(ch)
            if current and want != fam:
                segments.append(("".join(current), fam))
                current = []
            fam = want
            current.append(ch)
        if current:
            segments.append(("".join(current), fam))

        rtl_paragraph = _first_strong_is_rtl(text)
        runs = [self._make_run(seg, f, weight) for seg, f in segments]
        if rtl_paragraph:
            runs.reverse()
        return [r for r in runs if r.text]

    def _make_run(self, text: str, family: str | None, weight: str) -> Run:
        if family is None:
            font = self.face(LATIN, REGULAR)
            shown = REPLACEMENT * len(text)
            return Run(shown, font, LATIN, False, False, False,
                       pdfmetrics.stringWidth(shown, font, 1), missing=True, source=text)
        font = self.face(family, weight)
        fake_bold = weight == BOLD and FACES[(family, BOLD)] == FACES[(family, REGULAR)]
        if family == ARABIC:
            # Words are shaped one by one (HarfBuzz joins the letters and orders each word's
            # glyphs); the words themselves are then laid out right to left.
            words = text.strip().split(" ")
            shaped = [_shape(w, font) for w in reversed(words) if w]
            space = _shape(" ", font)
            joined: ShapedStr | str = ""
            for i, w in enumerate(shaped):
                joined = w if i == 0 else joined + space + w
            assert isinstance(joined, ShapedStr)
            width = sum(d.x_advance for d in joined.__shapeData__) / 1000
            return Run(joined, font, family, True, True, fake_bold, width, source=text)
        if any(unicodedata.combining(c) for c in text):
            # A combining mark left after NFC (no precomposed letter exists): let HarfBuzz
            # position it on its base letter.
            s = _shape(text, font)
            return Run(s, font, family, False, True, fake_bold,
                       sum(d.x_advance for d in s.__shapeData__) / 1000, source=text)
        extra = FAKE_BOLD_STROKE if fake_bold else 0.0
        return Run(text, font, family, False, False, fake_bold,
                   pdfmetrics.stringWidth(text, font, 1) + extra, source=text)


def _first_strong_is_rtl(text: str) -> bool:
    for ch in text:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return True
        if bidi == "L":
            return False
    return False


# Standard ligatures and kerning only: discretionary ligatures would, for instance, turn the name
# محمد into a decorated, vowelled form that the person did not write.
_FEATURES = {"kern": True, "liga": True, "dlig": False}
_shape_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _shape(word: str, font: str) -> ShapedStr:
    # ReportLab maps glyphs without a character (joined Arabic forms) to private code points in
    # the shared font object, so shaping is serialised.
    with _shape_lock:
        frag = [pdfmetrics.stringWidth(word, font, 1000), (ABag(fontName=font, fontSize=1000), word)]
        s = shapeFragWord(frag, features=_FEATURES, force=True)[1][1]
    assert isinstance(s, ShapedStr)
    return s


@lru_cache(maxsize=20000)
def _runs_cached(fs: FontSet, text: str, weight: str) -> tuple[Run, ...]:
    return tuple(fs.split_runs(text, weight))


_FONTS: FontSet | None = None
_FONTS_LOCK = threading.Lock()


def fonts() -> FontSet:
    """The process-wide FontSet; registers the bundled fonts on first use."""
    global _FONTS
    if _FONTS is None:
        with _FONTS_LOCK:
            if _FONTS is None:
                _FONTS = FontSet(fonts_dir())
    return _FONTS
