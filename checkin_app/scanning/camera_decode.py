"""Camera frames to codes, Qt-free: zxing-cpp on a frame's luminance, and the repeat window.

A frame arrives as a `Frame`: a buffer and how its pixels lie (a YUV frame's Y plane is already the
luminance zxing wants, a packed YUYV frame has it every other byte, RGB frames are converted by
zxing itself), so no frame is copied or converted in Python. `FrameDecoder` reads QR codes from
it; `RepeatFilter` says whether a code is a new scan or the same code still held in front of the
camera.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import zxingcpp

PixelLayout = Literal["lum", "bgrx", "rgbx", "xrgb", "xbgr"]
_FORMATS = {
    "lum": zxingcpp.ImageFormat.Lum,
    "bgrx": zxingcpp.ImageFormat.BGRA,
    "rgbx": zxingcpp.ImageFormat.RGBA,
    "xrgb": zxingcpp.ImageFormat.ARGB,
    "xbgr": zxingcpp.ImageFormat.ABGR,
}
_BYTES_PER_PIXEL = {"lum": 1, "bgrx": 4, "rgbx": 4, "xrgb": 4, "xbgr": 4}

# A code held up to the camera is seen in every frame; the same code again within this many
# seconds of its last sighting is the same scan (a person who walks off and comes back later is
# a new one).
REPEAT_WINDOW_S = 3.0
# Above this width the first pass reads every second pixel of every second row: a QR held up
# to a 720p/1080p camera has modules several pixels wide, and a quarter of the pixels decode in
# about a third of the time. Only when that finds nothing is the full frame read.
HALF_PASS_MIN_WIDTH = 1000


@dataclass(frozen=True, slots=True)
class Frame:
    """One camera frame's pixels: `data` holds `height` rows of `row_stride` bytes.

    `offset` is where the first pixel starts and `pix_stride` the bytes from one pixel to the
    next (1 for a Y plane, 2 for the Y of packed YUYV, 4 for RGB32).
    """

    data: bytes
    width: int
    height: int
    row_stride: int
    layout: PixelLayout = "lum"
    pix_stride: int = 0  # 0: the layout's own pixel size
    offset: int = 0

    @classmethod
    def gray(cls, data: bytes, width: int, height: int) -> Frame:
        """A tightly packed 8-bit grayscale image (what PIL's "L" mode gives)."""
        return cls(data, width, height, width)


def _view(frame: Frame, step: int) -> zxingcpp.ImageView:
    pix = frame.pix_stride or _BYTES_PER_PIXEL[frame.layout]
    buf = memoryview(frame.data)[frame.offset:]
    rows = frame.row_stride * step
    # zxing wants whole rows in the buffer: a frame read from an offset (the Y of UYVY) loses
    # its last row rather than read past the end.
    height = min(frame.height // step, len(buf) // rows)
    return zxingcpp.ImageView(buf, frame.width // step, height, _FORMATS[frame.layout], rows,
                              pix * step)


class FrameDecoder:
    """Reads the QR codes in camera frames (safe to call from a worker thread).

    Read options are fixed here after measuring (bench/bench_camera.py, docs/camera.md): QR only
    (a badge, a confirmation e-mail and a phone all show QR; fewer formats is faster), rotation
    and inverted codes on (upside-down badges, dark-mode phone screens).
    """

    def __init__(self, *, formats: tuple[zxingcpp.BarcodeFormat, ...] = (zxingcpp.BarcodeFormat.QRCode,),
                 half_pass: bool = True) -> None:
        self.formats = formats
        self.half_pass = half_pass

    def decode(self, frame: Frame) -> list[str]:
        """The texts of the codes found in `frame` (empty when none is)."""
        if self.half_pass and frame.width >= HALF_PASS_MIN_WIDTH:
            found = self._read(_view(frame, 2), downscale=False)
            if found:
                return found
        return self._read(_view(frame, 1), downscale=True)

    def _read(self, view: zxingcpp.ImageView, *, downscale: bool) -> list[str]:
        # A BarcodeFormats made per call: one kept alive past interpreter exit is reported as a
        # leak by nanobind.
        formats = zxingcpp.BarcodeFormats(list(self.formats))
        results = zxingcpp.read_barcodes(view, formats=formats, try_rotate=True,
                                         try_downscale=downscale, try_invert=True)
        return [r.text for r in results if r.valid and r.text]


def same_code(code: str) -> str:
    """The form two sightings are compared in: a token reads the same in upper or lower case."""
    return "".join(code.split()).upper()


class RepeatFilter:
    """Lets a code through once, then not again while it keeps being seen within the window.

    Each sighting renews the window, so a badge left in front of the camera is one scan however
    long it stays; another code in between does not reset it (two people at the desk).
    """

    def __init__(self, window_s: float = REPEAT_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def is_new(self, code: str) -> bool:
        """Whether `code` is a new scan now (and note that it was seen)."""
        now = self._clock()
        key = same_code(code)
        # Forget what is out of the window so the table never grows with the day's scans.
        self._last_seen = {k: t for k, t in self._last_seen.items() if now - t <= self.window_s}
        new = key not in self._last_seen
        self._last_seen[key] = now
        return new

    def forget(self) -> None:
        """Start afresh (the camera was switched off and on: the next sighting is a scan)."""
        self._last_seen.clear()
