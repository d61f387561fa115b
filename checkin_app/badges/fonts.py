"""Bundled badge fonts: text split into runs by script, each run in a bundled font that covers it.

Noto Sans draws Latin (every diacritic the delegates have), Cyrillic and Greek; WenQuanYi Micro Hei
draws Chinese, Hangul and kana, and a Hanazono subset the CJK characters it lacks (Extension A,
the Extension B characters of JIS X 0213 and HKSCS such as 𠮷 and 𪚥); Noto Sans Arabic, Hebrew,
Thai, Lao, Khmer, Myanmar, Devanagari, Bengali, Tamil, Telugu, Sinhala, Ethiopic, Georgian,
Armenian and Mongolian their scripts; a Symbola subset emoji (monochrome). See
resources/fonts/README-fonts.md for where each file comes from and its licence.

Every script that needs it is shaped with HarfBuzz (through ReportLab's uharfbuzz support), and
right-to-left runs are ordered by a simplified Unicode bidi algorithm (one paragraph, no explicit
embeddings: what names and organisations need). A character that no bundled font has is left out
(never a replacement box), logged once, and reported by `uncovered_chars` for the import report.
Fonts other than the three every badge uses are read only when a text first needs them.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord

from checkin_app.badges.punctuation import PAIRS
from checkin_app.paths import fonts_dir

log = logging.getLogger(__name__)

LATIN = "latin"
CJK = "cjk"
CJK_EXT = "cjk_ext"
ARABIC = "arabic"
HEBREW = "hebrew"
THAI = "thai"
LAO = "lao"
KHMER = "khmer"
MYANMAR = "myanmar"
DEVANAGARI = "devanagari"
BENGALI = "bengali"
TAMIL = "tamil"
TELUGU = "telugu"
SINHALA = "sinhala"
ETHIOPIC = "ethiopic"
GEORGIAN = "georgian"
ARMENIAN = "armenian"
MONGOLIAN = "mongolian"
EMOJI = "emoji"

REGULAR = "regular"
BOLD = "bold"
NEUTRAL = "neutral"  # not a family: a character that goes with the run it is in

# Outline width, as a fraction of the size, that makes a regular face look bold (faces without a
# bold: CJK, Mongolian, emoji); the outline widens the text a little, so the runs' widths include
# it and fitting stays exact.
FAKE_BOLD_STROKE = 0.028


@dataclass(frozen=True, slots=True)
class FaceSpec:
    """One bundled font file and the ReportLab name it is registered under."""

    name: str
    file: str
    subfont: int = 0


def _noto(family: str, script: str, bold: bool = True) -> dict[tuple[str, str], FaceSpec]:
    regular = FaceSpec(f"Badge-NotoSans{script}", f"NotoSans{script}-Regular.ttf")
    heavy = FaceSpec(f"Badge-NotoSans{script}-Bold", f"NotoSans{script}-Bold.ttf") if bold else regular
    return {(family, REGULAR): regular, (family, BOLD): heavy}


# Which file draws which family in which weight. A family whose bold is its regular face is drawn
# bold with a thin outline stroke (see Run.fake_bold), which printers reproduce well at badge sizes.
FACES: dict[tuple[str, str], FaceSpec] = {
    (LATIN, REGULAR): FaceSpec("Badge-NotoSans", "NotoSans-Regular.ttf"),
    (LATIN, BOLD): FaceSpec("Badge-NotoSans-Bold", "NotoSans-Bold.ttf"),
    (CJK, REGULAR): FaceSpec("Badge-WQYMicroHei", "wqy-microhei.ttc", 0),
    (CJK, BOLD): FaceSpec("Badge-WQYMicroHei", "wqy-microhei.ttc", 0),
    **_noto(ARABIC, "Arabic"),
    (CJK_EXT, REGULAR): FaceSpec("Badge-HanazonoExt", "hanazono-cjkext-subset.ttf"),
    (CJK_EXT, BOLD): FaceSpec("Badge-HanazonoExt", "hanazono-cjkext-subset.ttf"),
    **_noto(HEBREW, "Hebrew"),
    **_noto(THAI, "Thai"),
    **_noto(LAO, "Lao"),
    **_noto(KHMER, "Khmer"),
    **_noto(MYANMAR, "Myanmar"),
    **_noto(DEVANAGARI, "Devanagari"),
    **_noto(BENGALI, "Bengali"),
    **_noto(TAMIL, "Tamil"),
    **_noto(TELUGU, "Telugu"),
    **_noto(SINHALA, "Sinhala"),
    **_noto(ETHIOPIC, "Ethiopic"),
    **_noto(GEORGIAN, "Georgian"),
    **_noto(ARMENIAN, "Armenian"),
    **_noto(MONGOLIAN, "Mongolian", bold=False),
    (EMOJI, REGULAR): FaceSpec("Badge-SymbolaEmoji", "Symbola-emoji-subset.ttf"),
    (EMOJI, BOLD): FaceSpec("Badge-SymbolaEmoji", "Symbola-emoji-subset.ttf"),
}
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(fam for fam, _w in FACES))
# Read when the font set is made: nearly every badge uses them.
EAGER = (LATIN, CJK, ARABIC)
# Where to look, after a character's own script, for a font that has it.
FALLBACK: tuple[str, ...] = (LATIN, CJK, CJK_EXT, ARABIC,
                             *(f for f in FAMILIES if f not in (LATIN, CJK, CJK_EXT, ARABIC)))
# Families drawn from HarfBuzz glyphs (reordering, conjuncts, marks, joining); the others are drawn
# as plain text unless a combining mark needs placing.
SHAPED = frozenset(FAMILIES) - {LATIN, CJK, CJK_EXT, EMOJI}

# Unicode blocks → the family of their script (sorted, inclusive).
SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0530, 0x058F, ARMENIAN),
    (0x0590, 0x05FF, HEBREW),
    (0x0600, 0x06FF, ARABIC),
    (0x0750, 0x077F, ARABIC),
    (0x08A0, 0x08FF, ARABIC),
    (0x0900, 0x097F, DEVANAGARI),
    (0x0980, 0x09FF, BENGALI),
    (0x0B80, 0x0BFF, TAMIL),
    (0x0C00, 0x0C7F, TELUGU),
    (0x0D80, 0x0DFF, SINHALA),
    (0x0E00, 0x0E7F, THAI),
    (0x0E80, 0x0EFF, LAO),
    (0x1000, 0x109F, MYANMAR),
    (0x10A0, 0x10FF, GEORGIAN),
    (0x1100, 0x11FF, CJK),
    (0x1200, 0x139F, ETHIOPIC),
    (0x1780, 0x17FF, KHMER),
    (0x1800, 0x18AF, MONGOLIAN),
    (0x19E0, 0x19FF, KHMER),
    (0x1C90, 0x1CBF, GEORGIAN),
    (0x1CD0, 0x1CFF, DEVANAGARI),
    (0x2300, 0x23FF, EMOJI),
    (0x2600, 0x27BF, EMOJI),
    (0x2B00, 0x2BFF, EMOJI),
    (0x2D00, 0x2D2F, GEORGIAN),
    (0x2D80, 0x2DDF, ETHIOPIC),
    (0x2E80, 0x2FDF, CJK),
    (0x3000, 0x9FFF, CJK),
    (0xA8E0, 0xA8FF, DEVANAGARI),
    (0xA960, 0xA97F, CJK),
    (0xA9E0, 0xA9FF, MYANMAR),
    (0xAA60, 0xAA7F, MYANMAR),
    (0xAB00, 0xAB2F, ETHIOPIC),
    (0xAC00, 0xD7FF, CJK),
    (0xF900, 0xFAFF, CJK),
    (0xFB13, 0xFB17, ARMENIAN),
    (0xFB1D, 0xFB4F, HEBREW),
    (0xFB50, 0xFDFF, ARABIC),
    (0xFE70, 0xFEFF, ARABIC),
    (0xFF00, 0xFFEF, CJK),
    (0x11660, 0x1167F, MONGOLIAN),
    (0x1E7E0, 0x1E7FF, ETHIOPIC),
    (0x1F000, 0x1F1FF, EMOJI),
    (0x1F200, 0x1F2FF, EMOJI),
    (0x1F300, 0x1FAFF, EMOJI),
    (0x20000, 0x3FFFF, CJK),
)
_RANGE_STARTS = [lo for lo, _hi, _f in SCRIPT_RANGES]


def preferred_family(ch: str) -> str | None:
    """The family a character belongs to by script; None for neutrals (spaces, digits, punctuation)."""
    cp = ord(ch)
    i = bisect.bisect_right(_RANGE_STARTS, cp) - 1
    if i >= 0 and cp <= SCRIPT_RANGES[i][1]:
        return SCRIPT_RANGES[i][2]
    if ch.isspace() or not (ch.isalpha() or unicodedata.combining(ch)):
        return None
    return LATIN


def is_ignorable(ch: str) -> bool:
    """Invisible format characters (joiners, variation selectors, bidi marks): they belong to the
    run they are in, never make a run of their own and are never reported as missing."""
    cp = ord(ch)
    if cp < 0xAD:
        return False
    return (unicodedata.category(ch) == "Cf" or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF
            or 0x180B <= cp <= 0x180F or cp == 0x034F)


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text drawn in one font, runs left to right on the page.

    `shaped` runs are drawn from their HarfBuzz glyphs (`text` is then a ReportLab ShapedStr in
    visual order); `rtl` runs were shaped right to left. `width` is at size 1 pt; `source` is the
    characters as written (logical order).
    """

    text: str
    font: str
    family: str
    rtl: bool
    shaped: bool
    fake_bold: bool
    width: float
    source: str = ""


class FontSet:
    """The badge fonts and their character coverage (one per process: use `fonts()`).

    Coverage is read from each font's character map alone; a font is registered with ReportLab
    (parsed in full) only when a run is drawn with it. `register` False makes a set that only
    answers coverage questions, registering nothing up front (an import's report).
    """

    def __init__(self, folder: Path, *, register: bool = True) -> None:
        self.folder = folder
        self._coverage: dict[str, frozenset[int]] = {}
        self._registered: set[str] = set()
        self.ascent: dict[str, float] = {}
        self.descent: dict[str, float] = {}
        self._missing_logged: set[str] = set()
        # Per character: the family drawing it by its script, None if no font has it, or NEUTRAL.
        self._script_family: dict[str, str | None] = {}
        self._lock = threading.RLock()
        if register:
            for fam in EAGER:
                for weight in (REGULAR, BOLD):
                    self._load(FACES[(fam, weight)])

    # -- loading -----------------------------------------------------------------------------
    def _cover(self, spec: FaceSpec) -> frozenset[int]:
        got = self._coverage.get(spec.name)
        if got is None:
            got = self._coverage[spec.name] = _cmap(self.folder / spec.file, spec.subfont)
        return got

    def _load(self, spec: FaceSpec) -> frozenset[int]:
        """Register the face with ReportLab (once) and note its ascent and descent."""
        with self._lock:
            if spec.name not in self._registered:
                if spec.name in pdfmetrics.getRegisteredFontNames():
                    font = pdfmetrics.getFont(spec.name)
                else:
                    path = self.folder / spec.file
                    kwargs = {"subfontIndex": spec.subfont} if spec.file.endswith(".ttc") else {}
                    font = TTFont(spec.name, str(path), **kwargs)
                    pdfmetrics.registerFont(font)
                face = font.face
                self.ascent[spec.name] = face.ascent / 1000
                self.descent[spec.name] = -face.descent / 1000
                self._registered.add(spec.name)
            return self._cover(spec)

    def register(self, font: str) -> None:
        """Register a badge font with ReportLab now (it is otherwise when first drawn)."""
        self._load(next(s for s in FACES.values() if s.name == font))

    def loaded(self) -> list[str]:
        """Names of the fonts registered with ReportLab so far."""
        return sorted(self._registered)

    # -- coverage ----------------------------------------------------------------------------
    def face(self, family: str, weight: str) -> str:
        """The registered font name for a family and weight."""
        return FACES[(family, weight)].name

    def coverage(self, font: str) -> frozenset[int]:
        """Code points a registered badge font maps (reads the font if it was not yet)."""
        got = self._coverage.get(font)
        if got is None:
            got = self._cover(next(s for s in FACES.values() if s.name == font))
        return got

    def has_glyph(self, font: str, ch: str) -> bool:
        """Whether `font` maps the character to a glyph."""
        return ord(ch) in self.coverage(font)

    def _family_has(self, family: str, cp: int) -> bool:
        spec = FACES[(family, REGULAR)]
        cov = self._coverage.get(spec.name)
        return cp in (cov if cov is not None else self._cover(spec))

    def family_for(self, ch: str, preferred: str | None) -> str | None:
        """The family to draw `ch` with: its own script's, else the first bundled one that has it."""
        cp = ord(ch)
        if preferred and self._family_has(preferred, cp):
            return preferred
        for fam in FALLBACK:
            if fam != preferred and self._family_has(fam, cp):
                return fam
        return None

    def uncovered(self, text: str) -> set[str]:
        """The characters of `text` that no bundled font has (they are left out of a badge)."""
        out: set[str] = set()
        for ch in unicodedata.normalize("NFC", text):
            if ch.isspace() or is_ignorable(ch) or unicodedata.category(ch) == "Cc":
                continue
            if self.family_for(ch, preferred_family(ch)) is None:
                out.add(ch)
        return out

    def _note_missing(self, ch: str) -> None:
        with self._lock:
            if ch in self._missing_logged:
                return
            self._missing_logged.add(ch)
        log.warning("no bundled font has U+%04X %s; it is left out of the badge",
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
            latin = FACES[(LATIN, REGULAR)]
            self._load(latin)
            return self.ascent[latin.name], self.descent[latin.name]
        return (max(self.ascent[r.font] for r in runs), max(self.descent[r.font] for r in runs))

    def split_runs(self, text: str, weight: str) -> list[Run]:
        """Uncached body of `runs`: fonts per character, bidi levels, runs in visual order."""
        chars = [ch for ch in text if unicodedata.category(ch) != "Cc"]
        levels = _bidi_levels(chars)
        fams = self._families(chars, levels)
        # Consecutive characters with one family and one level make a run (logical order).
        spans: list[tuple[str, str | None, int]] = []
        start = 0
        for i in range(1, len(chars) + 1):
            if i == len(chars) or fams[i] != fams[start] or levels[i] != levels[start]:
                if start < i:
                    spans.append(("".join(chars[start:i]), fams[start], levels[start]))
                start = i
        kept = [(t, f, lv) for t, f, lv in spans if f is not None]
        order = _visual_order([lv for _t, _f, lv in kept])
        runs = [self._make_run(kept[k][0], kept[k][1], weight, kept[k][2] % 2 == 1)
                for k in order]
        return [r for r in runs if r.text]

    def _families(self, chars: list[str], levels: list[int]) -> list[str | None]:
        """The family of each character; None for one no font has (left out, logged)."""
        n = len(chars)
        fams: list[str | None] = [None] * n
        neutral = [False] * n
        known = self._script_family
        for i, ch in enumerate(chars):
            try:
                fam = known[ch]
            except KeyError:
                pref = None if is_ignorable(ch) else preferred_family(ch)
                fam = known[ch] = self.family_for(ch, pref) if pref else NEUTRAL
            if fam is NEUTRAL:
                neutral[i] = True
                continue
            fams[i] = fam
            if fam is None:
                self._note_missing(ch)
        # Neutrals (spaces, digits, punctuation, joiners, combining marks) go with the run before
        # them when its font has them, else with the run after, else wherever a font has them;
        # a neighbour in the same direction comes first ("IBM للحلول": the space is Arabic's).
        if not any(neutral):
            return fams
        following: list[int | None] = [None] * n  # the next character with a family
        after: int | None = None
        for i in range(n - 1, -1, -1):
            following[i] = after
            if not neutral[i] and fams[i]:
                after = i
        for i, ch in enumerate(chars):
            if not neutral[i]:
                continue
            prev = fams[i - 1] if i else None
            j = following[i]
            nxt = fams[j] if j is not None else None
            if is_ignorable(ch):
                fams[i] = prev or nxt
                continue
            cp = ord(ch)
            order = (prev, nxt)
            if i and levels[i - 1] != levels[i] and j is not None and levels[j] == levels[i]:
                order = (nxt, prev)
            for cand in order:
                if cand and self._family_has(cand, cp):
                    fams[i] = cand
                    break
            else:
                fams[i] = self.family_for(ch, prev or nxt)
                if fams[i] is None and not ch.isspace():
                    self._note_missing(ch)
                elif fams[i] is None:
                    fams[i] = prev or nxt or LATIN
        return fams

    def _make_run(self, text: str, family: str, weight: str, rtl: bool) -> Run:
        font = self.face(family, weight)
        if font not in self._registered:
            self._load(FACES[(family, weight)])
        fake_bold = weight == BOLD and FACES[(family, BOLD)] == FACES[(family, REGULAR)]
        plain = text.isascii()  # no marks, no joiners: nothing to shape or strip
        needs_shaping = not plain and ((family in SHAPED and not _digits_only(text)) or any(
            unicodedata.combining(c) for c in text))
        if needs_shaping:
            s = _shape(text, font)
            width = sum(d.x_advance for d in s.__shapeData__) / 1000
            return Run(s, font, family, rtl, True, fake_bold,
                       width + (FAKE_BOLD_STROKE if fake_bold else 0.0), source=text)
        # Joiners and variation selectors only mean something to shaping (a font may even have a
        # visible glyph for them, as Symbola does).
        shown = text if plain else "".join(c for c in text if not is_ignorable(c))
        if rtl:  # right-to-left punctuation between right-to-left words: reversed and mirrored
            shown = "".join(_MIRROR.get(c, c) for c in reversed(shown))
        extra = FAKE_BOLD_STROKE if fake_bold else 0.0
        return Run(shown, font, family, rtl, False, fake_bold,
                   pdfmetrics.stringWidth(shown, font, 1) + extra, source=text)


def _digits_only(text: str) -> bool:
    # Numbers inside right-to-left text are laid out left to right; HarfBuzz, guessing the
    # direction from the script, would turn Arabic-Indic digits around.
    return all(unicodedata.bidirectional(c) in ("EN", "AN", "CS", "ES", "ET", "WS") for c in text)


_PAIRS = PAIRS
_MIRROR = {a: b for i in range(0, len(_PAIRS), 2) for a, b in
           ((_PAIRS[i], _PAIRS[i + 1]), (_PAIRS[i + 1], _PAIRS[i]))}


# -- bidi (simplified UAX #9 for one paragraph without explicit embeddings) ---------------------
_STRONG_R = frozenset(("R", "AL"))
_NUMBER = frozenset(("EN", "AN"))


# Where right-to-left letters, Arabic digits and right-to-left marks are; text without any is
# all left to right (level 0), as nearly every badge text is.
_RTL = re.compile("[\u0590-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufeff"
                  "\U00010800-\U00010fff\U0001e800-\U0001efff]")


def _bidi_levels(chars: Sequence[str]) -> list[int]:
    """Embedding level of each character: even left to right, odd right to left."""
    if _RTL.search("".join(chars)) is None:
        return [0] * len(chars)
    types = [unicodedata.bidirectional(c) for c in chars]
    para = 0
    for t in types:
        if t == "L":
            break
        if t in _STRONG_R:
            para = 1
            break
    # W1 (marks take the type before them), W2 (European digits after Arabic letters are Arabic
    # numbers), W4-W5 (separators and terminators around digits), W7 (digits after L are L).
    last_strong = "R" if para else "L"
    resolved: list[str] = []
    for i, t in enumerate(types):
        if t == "NSM":
            t = resolved[i - 1] if i else ("R" if para else "L")
        if t in ("L", "R", "AL"):
            last_strong = t
        elif t == "EN":
            t = "AN" if last_strong == "AL" else ("L" if last_strong == "L" else "EN")
        resolved.append("R" if t == "AL" else t)
    for i, t in enumerate(resolved):
        if t in ("ES", "CS", "ET") and 0 < i < len(resolved) - 1 \
                and resolved[i - 1] in _NUMBER and resolved[i + 1] == resolved[i - 1]:
            resolved[i] = resolved[i - 1]
    # N1-N2: a stretch of neutrals takes the direction around it when both sides agree (numbers
    # count as right to left), else the paragraph's.
    def direction(t: str) -> str | None:
        if t == "L":
            return "L"
        if t == "R" or t in _NUMBER:
            return "R"
        return None

    n = len(resolved)
    dirs = [direction(t) for t in resolved]
    i = 0
    while i < n:
        if dirs[i] is not None:
            i += 1
            continue
        j = i
        while j < n and dirs[j] is None:
            j += 1
        edge = "R" if para else "L"
        before = dirs[i - 1] if i else edge
        after = dirs[j] if j < n else edge
        fill = before if before is not None and before == after else edge
        for k in range(i, j):
            resolved[k] = fill
        i = j
    # I1-I2.
    levels: list[int] = []
    for t in resolved:
        if para == 0:
            levels.append(0 if t == "L" else 1 if t == "R" else 2)
        else:
            levels.append(1 if t == "R" else 2)
    return levels


def _visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of runs (with these levels) in visual order (UAX #9 L2, at run granularity)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    top = max(levels)
    lowest_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


# Standard ligatures and kerning only: discretionary ligatures would, for instance, turn the name
# محمد into a decorated, vowelled form that the person did not write.
FEATURES = {"kern": True, "liga": True, "dlig": False}
_shape_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _shape(text: str, font: str) -> ShapedStr:
    # ReportLab maps glyphs without a character (conjuncts, joined forms) to private code points
    # in the shared font object, so shaping is serialised.
    with _shape_lock:
        frag = [pdfmetrics.stringWidth(text, font, 1000), (ABag(fontName=font, fontSize=1000), text)]
        s = shapeFragWord(frag, features=FEATURES, force=True)[1][1]
    assert isinstance(s, ShapedStr)
    return s


@lru_cache(maxsize=20000)
def _runs_cached(fs: FontSet, text: str, weight: str) -> tuple[Run, ...]:
    return tuple(fs.split_runs(text, weight))


_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """ReportLab's ToUnicode map, with characters above U+FFFF written as UTF-16 (surrogate
    pairs) as PDF wants: ReportLab writes 𠮷 as <20BB7>, so a viewer's copy and search of an
    Extension B name or an emoji gave other characters."""
    cmap: str = _reportlab_to_unicode(fontname, subset)
    for v in subset:
        if v > 0xFFFF:
            u = v - 0x10000
            cmap = cmap.replace(f"<{v:04X}>", f"<{0xD800 + (u >> 10):04X}{0xDC00 + (u & 0x3FF):04X}>")
    return cmap


ttfonts.makeToUnicodeCMap = _to_unicode_cmap

@cache
def _cmap(path: Path, subfont: int) -> frozenset[int]:
    """The code points a font file's character map has, read by HarfBuzz (a millisecond or
    two, where ReportLab's full parse of the CJK font takes 80 ms and leaves a quarter of a
    million objects for the garbage collector to walk). Private-use code points are left out:
    ReportLab uses them for shaped glyphs without a character; so is U+FFFF, which ends a
    format 4 map."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)), subfont if path.suffix == ".ttc" else 0)
    return frozenset(c for c in face.unicodes if not 0xE000 <= c <= 0xF8FF and c != 0xFFFF)


_FONTS: FontSet | None = None
_COVERAGE: FontSet | None = None
_FONTS_LOCK = threading.Lock()


def fonts() -> FontSet:
    """The process-wide FontSet; registers the bundled fonts on first use."""
    global _FONTS
    if _FONTS is None:
        with _FONTS_LOCK:
            if _FONTS is None:
                _FONTS = FontSet(fonts_dir())
    return _FONTS


def uncovered_chars(text: str) -> set[str]:
    """The characters of `text` no bundled font has: a badge leaves them out (an import report
    should warn about them, e.g. for every name and organisation of a row). No font is
    registered for it: an import only asks which characters the fonts have."""
    global _COVERAGE
    if _COVERAGE is None:
        with _FONTS_LOCK:
            if _COVERAGE is None:
                _COVERAGE = _FONTS or FontSet(fonts_dir(), register=False)
    return _COVERAGE.uncovered(text)
