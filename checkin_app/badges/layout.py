"""Fitting text into a box: the largest size up to the template's, shrinking to a minimum, then wrapping.

Never overflows and never clips: when even the minimum size on the allowed number of lines does not
fit, the text keeps shrinking (and that is logged) rather than leaving its box.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from checkin_app.badges.fonts import FontSet, Run
from checkin_app.badges.punctuation import NO_END, NO_START

log = logging.getLogger(__name__)

MM = 72 / 25.4
LINE_GAP = 0.12  # between wrapped lines, as a fraction of the size
ABSOLUTE_MIN = 2.0  # pt; below this nothing is legible anyway
# No line may start with closing punctuation or end with opening punctuation (Chinese rules).
_NO_START = NO_START
_NO_END = NO_END


@dataclass(frozen=True, slots=True)
class FittedText:
    """Lines of runs at one size, and whether the size had to go below the template's minimum."""

    lines: tuple[tuple[Run, ...], ...]
    texts: tuple[str, ...]
    size: float
    widths: tuple[float, ...]  # pt
    ascent: float  # per pt
    descent: float  # per pt
    below_minimum: bool

    @property
    def line_height(self) -> float:
        """Distance between baselines in pt."""
        return (self.ascent + self.descent + LINE_GAP) * self.size

    @property
    def block_height(self) -> float:
        """Height of all lines from the first ascender to the last descender, in pt."""
        n = len(self.lines)
        return (n * (self.ascent + self.descent) + (n - 1) * LINE_GAP) * self.size


def _breakable_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3FFFF)  # Extensions B and later break like other Han


def segments(text: str) -> list[str]:
    """The text cut at every place a line may break (after a space, between CJK characters)."""
    out: list[str] = []
    start = 0
    for i in range(1, len(text)):
        prev, ch = text[i - 1], text[i]
        if ch in _NO_START or prev in _NO_END or unicodedata.combining(ch):
            continue
        after_space = prev == " " and ch != " "
        beside_cjk = (_breakable_cjk(prev) or _breakable_cjk(ch)) and " " not in (prev, ch)
        if after_space or beside_cjk:
            out.append(text[start:i])
            start = i
    out.append(text[start:])
    return [s for s in out if s]


def fit_text(fs: FontSet, text: str, weight: str, *, width: float, height: float, size: float,
             min_size: float, max_lines: int) -> FittedText:
    """Lay `text` out in a `width` × `height` pt box (see module docstring)."""
    text = " ".join(text.split())
    runs = tuple(fs.runs(text, weight))
    asc, desc = fs.extent(runs)
    w1 = fs.width(runs, 1.0) or 1e-9
    single = min(size, width / w1, height / (asc + desc))
    if single >= min_size or max_lines == 1:
        return _result(fs, [text], [runs], single, asc, desc, min_size)

    segs = segments(text)
    if len(segs) < 2:
        return _result(fs, [text], [runs], single, asc, desc, min_size)
    seg_w = [fs.width(fs.runs(s.strip(), weight), 1.0) for s in segs]
    space_w = fs.width(fs.runs("a a", weight), 1.0) - fs.width(fs.runs("aa", weight), 1.0)

    def wrap(s: float) -> list[str] | None:
        lines: list[list[int]] = [[]]
        line_w = 0.0
        for i, w in enumerate(seg_w):
            add = w + (space_w if lines[-1] and segs[i - 1].endswith(" ") else 0.0)
            if lines[-1] and (line_w + add) * s > width:
                lines.append([i])
                line_w = w
            else:
                lines[-1].append(i)
                line_w += add
            if w * s > width:
                return None
        n = len(lines)
        if n > max_lines or (n * (asc + desc) + (n - 1) * LINE_GAP) * s > height:
            return None
        return ["".join(segs[i] for i in idx).strip() for idx in lines]

    def best(lo: float, hi: float) -> tuple[float, list[str]] | None:
        found = wrap(lo)
        if found is None:
            return None
        for _ in range(14):
            mid = (lo + hi) / 2
            attempt = wrap(mid)
            if attempt is None:
                hi = mid
            else:
                lo, found = mid, attempt
        return lo, found

    top = wrap(size)
    wrapped = (size, top) if top is not None else best(min_size, size)
    if wrapped is None:
        wrapped = best(ABSOLUTE_MIN, min_size)
        if wrapped is None or wrapped[0] < single:
            return _result(fs, [text], [runs], single, asc, desc, min_size)
    s, lines = wrapped
    line_runs = [tuple(fs.runs(t, weight)) for t in lines]
    # Lines are re-measured whole (kerning, shaping): make sure each still fits at this size.
    widest = max(fs.width(r, 1.0) for r in line_runs)
    s = min(s, width / widest)
    return _result(fs, lines, line_runs, s, asc, desc, min_size)


def _result(fs: FontSet, texts: list[str], runs: list[tuple[Run, ...]], size: float,
            asc: float, desc: float, min_size: float) -> FittedText:
    below = size < min_size - 1e-6
    if below:
        log.info("text shrunk below its minimum size (%.1f < %.1f pt): %s", size, min_size,
                 " / ".join(texts))
    return FittedText(tuple(runs), tuple(texts), size,
                      tuple(fs.width(r, size) for r in runs), asc, desc, below)
