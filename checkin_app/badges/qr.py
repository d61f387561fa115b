"""QR codes for badges: error correction chosen for the printed size, quiet zone kept, drawn as vectors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

from checkin_app.domain.messages import both, msg

QUIET_MODULES = 4  # ISO/IEC 18004 asks for four modules of white on every side
_LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
_STRONGEST_FIRST = ("H", "Q", "M", "L")


@dataclass(frozen=True, slots=True)
class QrMatrix:
    """A QR symbol: dark modules, its version and error-correction level."""

    modules: tuple[tuple[bool, ...], ...]
    version: int
    level: str

    @property
    def count(self) -> int:
        """Modules per side, without the quiet zone."""
        return len(self.modules)

    def module_mm(self, size_mm: float) -> float:
        """Module size when the symbol plus quiet zone fills `size_mm`."""
        return size_mm / (self.count + 2 * QUIET_MODULES)


_VERSIONS: dict[tuple[int, int, str], int | None] = {}


def _version_for(data: str, level: str) -> int | None:
    # The version depends only on the encoding mode and the length, so a batch of same-shaped
    # codes (every signed token has the same length) sizes the symbol once.
    d = qr_util.QRData(data)
    key = (d.mode, len(d), level)
    if key not in _VERSIONS:
        q = qrcode.QRCode(error_correction=_LEVELS[level], border=0)
        q.add_data(d, optimize=0)
        try:
            _VERSIONS[key] = int(q.best_fit())
        except DataOverflowError:
            _VERSIONS[key] = None
    return _VERSIONS[key]


def choose_level(data: str, size_mm: float, min_module_mm: float) -> tuple[str, int]:
    """The strongest error correction whose modules still print at least `min_module_mm` wide.

    Stronger correction survives scratches and folds but needs more, smaller modules; a badge QR
    is read by phone cameras and desk imagers, which need modules of about half a millimetre.
    """
    fallback: tuple[str, int] | None = None
    for level in _STRONGEST_FIRST:
        version = _version_for(data, level)
        if version is None:
            continue
        count = 17 + 4 * version + 2 * QUIET_MODULES
        if size_mm / count >= min_module_mm:
            return level, version
        fallback = (level, version)
    if fallback is None:
        raise ValueError(both(msg("badge.qr_too_long"), first_lang="en", sep=" / "))
    return fallback


@lru_cache(maxsize=512)
def qr_matrix(data: str, size_mm: float, min_module_mm: float = 0.5, ec: str = "auto") -> QrMatrix:
    """Encode `data` (upper-case codes use the compact alphanumeric mode)."""
    if ec == "auto":
        level, version = choose_level(data, size_mm, min_module_mm)
    else:
        level = ec
        v = _version_for(data, level)
        if v is None:
            raise ValueError(both(msg("badge.qr_too_long"), first_lang="en", sep=" / "))
        version = v
    rows = _best_masked(data, version, level)
    modules = tuple(tuple(c == "1" for c in row) for row in rows)
    return QrMatrix(modules, version, level)


# -- mask selection ------------------------------------------------------------------------------
# The qrcode package places the data eight times to score the eight masks (ISO/IEC 18004 §7.8.3),
# which costs ~7 ms a symbol: too slow for 10,000 badges. Here the data is placed once; each mask is
# then an XOR over the data modules on integer rows, and the same four penalty rules are scored with
# regular expressions and bit arithmetic.

@dataclass(frozen=True, slots=True)
class _Layout:
    n: int
    data_rows: tuple[int, ...]  # per row: bit set where a data module is
    mask_rows: tuple[tuple[int, ...], ...]  # per mask, per row: mask bits on data modules
    fmt_rows: tuple[int, ...]  # per row: bits of the format-information modules


def _row_int(cells: list[bool | None] | list[bool], want: object = True) -> int:
    v = 0
    for c in cells:
        v = (v << 1) | (1 if c is want or (want is True and c) else 0)
    return v


def _scratch(version: int, level: str) -> qrcode.QRCode:
    q = qrcode.QRCode(version=version, error_correction=_LEVELS[level], border=0)
    n = version * 4 + 17
    q.modules_count = n
    q.modules = [[None] * n for _ in range(n)]
    q.setup_position_probe_pattern(0, 0)
    q.setup_position_probe_pattern(n - 7, 0)
    q.setup_position_probe_pattern(0, n - 7)
    q.setup_position_adjust_pattern()
    q.setup_timing_pattern()
    return q


@lru_cache(maxsize=64)
def _layout(version: int, level: str) -> _Layout:
    q = _scratch(version, level)
    n = q.modules_count
    before = [row[:] for row in q.modules]
    q.setup_type_info(True, 0)
    fmt = [[before[r][c] is None and q.modules[r][c] is not None for c in range(n)]
           for r in range(n)]
    if version >= 7:
        q.setup_type_number(True)
    data = [[cell is None for cell in row] for row in q.modules]
    data_rows = tuple(_row_int(row) for row in data)
    masks = []
    for k in range(8):
        f = qr_util.mask_func(k)
        masks.append(tuple(_row_int([data[r][c] and bool(f(r, c)) for c in range(n)])
                           for r in range(n)))
    return _Layout(n, data_rows, tuple(masks), tuple(_row_int(row) for row in fmt))


@lru_cache(maxsize=64)
def _format_bits(version: int, level: str, mask: int) -> tuple[int, ...]:
    q = _scratch(version, level)
    q.setup_type_info(False, mask)
    return tuple(_row_int([c is True for c in row]) for row in q.modules)


# The symbol is scored as two big integers, rows and columns each packed (n + 1) bits apart with a
# zero gap bit, so that one integer operation scores every row (or column) at once and no run or
# pattern spans two lines. The gap is zero in the light image too (it is masked with `valid`).
_FINDER = (1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0)  # rule 3's 1:1:3:1:1 pattern with four light modules


@dataclass(frozen=True, slots=True)
class _Packed:
    valid: int
    masks: tuple[int, ...]
    masks_t: tuple[int, ...]
    fmt: int
    fmt_t: int
    fmt_bits: tuple[int, ...]
    fmt_bits_t: tuple[int, ...]


def _pack(rows: list[int] | tuple[int, ...], n: int) -> int:
    v = 0
    for i, r in enumerate(rows):
        v |= r << (i * (n + 1))
    return v


def _transpose(rows: list[int] | tuple[int, ...], n: int) -> list[int]:
    strs = [format(r, f"0{n}b") for r in rows]
    return [int("".join(col), 2) for col in zip(*strs, strict=True)]


@lru_cache(maxsize=64)
def _packed(version: int, level: str) -> _Packed:
    lay = _layout(version, level)
    n = lay.n
    fmt_bits = [_format_bits(version, level, k) for k in range(8)]
    return _Packed(
        valid=_pack([(1 << n) - 1] * n, n),
        masks=tuple(_pack(m, n) for m in lay.mask_rows),
        masks_t=tuple(_pack(_transpose(m, n), n) for m in lay.mask_rows),
        fmt=_pack(lay.fmt_rows, n),
        fmt_t=_pack(_transpose(lay.fmt_rows, n), n),
        fmt_bits=tuple(_pack(f, n) for f in fmt_bits),
        fmt_bits_t=tuple(_pack(_transpose(f, n), n) for f in fmt_bits),
    )


def _runs_score(x: int) -> int:
    """Rule 1 on one colour: (length - 2) for every run of five or more."""
    w = x & (x >> 1) & (x >> 2) & (x >> 3) & (x >> 4)  # a bit where five in a row start
    # A run of length L has L - 4 such starts; its top start has no start above it.
    return w.bit_count() + 2 * (w & ~(w >> 1)).bit_count()


def _finder_count(dark: int, light: int) -> int:
    """Rule 3: occurrences of the finder-like pattern, in either direction."""
    shifted = [(dark >> t, light >> t) for t in range(len(_FINDER))]
    count = 0
    for pattern in (_FINDER, _FINDER[::-1]):
        m = -1
        for (d, li), bit in zip(shifted, pattern, strict=True):
            m &= d if bit else li
        count += m.bit_count()
    return count


def _penalty(dark: int, dark_t: int, valid: int, n: int) -> int:
    """ISO/IEC 18004 §7.8.3 penalty of one masked symbol (rows packed in `dark`, columns in
    `dark_t`)."""
    light, light_t = ~dark & valid, ~dark_t & valid
    score = (_runs_score(dark) + _runs_score(light) + _runs_score(dark_t) + _runs_score(light_t))
    row = n + 1
    d2, l2 = dark & (dark >> row), light & (light >> row)  # each row with the one after it
    score += 3 * ((d2 & (d2 >> 1)).bit_count() + (l2 & (l2 >> 1)).bit_count())
    score += 40 * (_finder_count(dark, light) + _finder_count(dark_t, light_t))
    dark_pct = dark.bit_count() * 100 / (n * n)
    return score + 10 * int(abs(dark_pct - 50) // 5)


def _best_masked(data: str, version: int, level: str) -> list[str]:
    q = qrcode.QRCode(version=version, error_correction=_LEVELS[level], border=0)
    q.add_data(data, optimize=0)
    q.makeImpl(False, 0)
    lay = _layout(version, level)
    pk = _packed(version, level)
    n = lay.n
    placed0 = [_row_int(row) for row in q.modules]
    # Undo mask 0 on the data modules: the bare data bits.
    bare = [p ^ m for p, m in zip(placed0, lay.mask_rows[0], strict=True)]
    bare_p, bare_t = _pack(bare, n), _pack(_transpose(bare, n), n)
    best: tuple[int, int] | None = None
    for k in range(8):
        dark = ((bare_p ^ pk.masks[k]) & ~pk.fmt) | pk.fmt_bits[k]
        dark_t = ((bare_t ^ pk.masks_t[k]) & ~pk.fmt_t) | pk.fmt_bits_t[k]
        score = _penalty(dark, dark_t, pk.valid, n)
        if best is None or score < best[0]:
            best = (score, k)
    assert best is not None
    k = best[1]
    fmt = _format_bits(version, level, k)
    rows = [((b ^ m) & ~f) | fb
            for b, m, f, fb in zip(bare, lay.mask_rows[k], lay.fmt_rows, fmt, strict=True)]
    return [format(r, f"0{n}b") for r in rows]


def dark_runs(m: QrMatrix) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, first column, length): fewer PDF operators."""
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(m.modules):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return runs
