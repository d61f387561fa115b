"""Camera frames made from what delegates show: a printed badge, a phone screen, an e-mail printout.

The badge is the real renderer's PDF rasterised by pdftoppm; the phone screen and the printout
draw the QR from badges/qr.py (the matrix the badges print). Each is then placed in a camera frame
the way a hand holds it (scale, position, tilt) and spoiled by one condition at a time: perspective,
blur, noise, glare, low contrast, low brightness, moiré, a finger over the code, upside down.
Pillow only (no numpy); the same seed gives the same frames.
"""

from __future__ import annotations

import math
import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from checkin_app.badges.qr import QUIET_MODULES, qr_matrix
from checkin_app.badges.render import render_badge
from checkin_app.badges.templates import QrElement, load_templates
from checkin_app.domain.badge_data import BadgeData
from checkin_app.scanning.camera_decode import Frame

# A 128-character signed token's shape (prefix + RFC 4648 base32), what a badge QR carries.
TOKEN_128 = "CQ1" + ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 4)[:125]
REGISTRATION_CODE = "CQ24-AB23CD"
BADGE_DPI = 200
HD = (1280, 720)
FULL_HD = (1920, 1080)


@dataclass(frozen=True, slots=True)
class Shown:
    """Something held up to the camera: its picture (grayscale) and where its QR is in it."""

    image: Image.Image
    qr_centre: tuple[float, float]
    qr_side: float  # px, quiet zone included
    text: str


def _mm_px(mm: float, dpi: int = BADGE_DPI) -> float:
    return mm * dpi / 25.4


def badge_picture(code: str = TOKEN_128, template: str = "delegate") -> Shown:
    """A real badge: the renderer's PDF, rasterised by pdftoppm at 200 dpi."""
    from tests.badges.conftest import badge

    return picture_of_badge(badge(code=code), template)


@lru_cache(maxsize=8)
def picture_of_badge(data: BadgeData, template: str = "delegate") -> Shown:
    """The badge of `data` as printed: the renderer's PDF, rasterised by pdftoppm at 200 dpi."""
    t = load_templates().templates[template]
    qr = next(e for e in t.elements if isinstance(e, QrElement))
    pdf = render_badge(data, t)
    exe = shutil.which("pdftoppm")
    assert exe, "pdftoppm (poppler-utils) is needed; .ci/run installs it"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "badge.pdf"
        src.write_bytes(pdf)
        subprocess.run([exe, "-r", str(BADGE_DPI), "-gray", "-png", "-singlefile", str(src),
                        str(Path(tmp) / "page")], check=True, timeout=60)
        with Image.open(Path(tmp) / "page.png") as img:
            picture = img.convert("L")
    side = _mm_px(qr.size)
    centre = (_mm_px(qr.x) + side / 2, _mm_px(qr.y) + side / 2)
    return Shown(picture, centre, side, data.code)


def _qr_image(code: str, module_px: int, *, dark: int = 0, light: int = 255) -> Image.Image:
    m = qr_matrix(code, 40.0, 0.4)
    n = m.count + 2 * QUIET_MODULES
    img = Image.new("L", (n, n), light)
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(m.modules):
        for c, dark_module in enumerate(row):
            if dark_module:
                draw.point((c + QUIET_MODULES, r + QUIET_MODULES), fill=dark)
    return img.resize((n * module_px, n * module_px), Image.Resampling.NEAREST)


def phone_screenshot(code: str = TOKEN_128, *, brightness: float = 1.0, moire: bool = False,
                     dark_mode: bool = False) -> Shown:
    """A phone held up with its QR: a dark bezel, a lit screen with a header bar and lines of text.

    `moire` draws the screen's pixel grid (a dark line every third pixel row and column), which a
    camera samples into moiré; `dark_mode` shows the code light on dark, as some wallets do.
    """
    w, h, bezel = 720, 1480, 36
    screen_bg = 30 if dark_mode else 250
    img = Image.new("L", (w + 2 * bezel, h + 2 * bezel), 12)
    screen = Image.new("L", (w, h), screen_bg)
    d = ImageDraw.Draw(screen)
    d.rectangle((0, 0, w, 150), fill=90 if not dark_mode else 60)
    for i in range(8):  # lines of text above and below the code
        y = 190 + i * 34 if i < 4 else 1130 + (i - 4) * 34
        d.rectangle((60, y, 60 + (i * 97) % 420 + 180, y + 14), fill=120)
    qr = _qr_image(code, 9, dark=235 if dark_mode else 0, light=screen_bg)
    qx, qy = (w - qr.width) // 2, 360
    screen.paste(qr, (qx, qy))
    if moire:
        grid = ImageDraw.Draw(screen)
        for x in range(0, w, 3):
            grid.line((x, 0, x, h), fill=140, width=1)
        for y in range(0, h, 3):
            grid.line((0, y, w, y), fill=140, width=1)
    if brightness != 1.0:
        screen = screen.point(lambda v: int(v * brightness))
    img.paste(screen, (bezel, bezel))
    return Shown(img, (bezel + qx + qr.width / 2, bezel + qy + qr.height / 2), qr.width, code)


def email_printout(code: str = REGISTRATION_CODE) -> Shown:
    """A confirmation e-mail printed on A4 (150 dpi): text lines and a 30 mm registration QR."""
    w, h = 1240, 1754
    img = Image.new("L", (w, h), 252)
    d = ImageDraw.Draw(img)
    for i in range(30):
        y = 140 + i * 40
        if 560 < y < 1080:
            continue
        d.rectangle((120, y, 120 + (i * 131) % 700 + 300, y + 12), fill=70)
    side = int(30 * 150 / 25.4)
    qr = _qr_image(code, 1, dark=10, light=252)
    n = qr.width
    qr = qr.resize((side - side % n or n, side - side % n or n), Image.Resampling.NEAREST)
    img.paste(qr, (120, 600))
    return Shown(img, (120 + qr.width / 2, 600 + qr.height / 2), qr.width, code)


# -- placing in a frame ----------------------------------------------------------------------------
def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _perspective(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """Coefficients PIL wants: for each output (frame) point, where to read in the source."""
    a: list[list[float]] = []
    b: list[float] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    return _solve(a, b)


def _background(size: tuple[int, int], rng: random.Random) -> Image.Image:
    base = Image.new("L", size, rng.randint(90, 150))
    d = ImageDraw.Draw(base)
    for _ in range(6):  # a desk, a wall, a sleeve: large soft shapes behind the object
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randint(80, 400)
        d.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(40, 200))
    return base.filter(ImageFilter.GaussianBlur(12))


def place(shown: Shown, rng: random.Random, size: tuple[int, int] = HD, *, qr_px: float = 260,
          angle_deg: float = 0.0, tilt: float = 0.0) -> Image.Image:
    """`shown` held in front of the camera: its QR `qr_px` wide near the middle of the frame,
    turned by `angle_deg`, its far edge `tilt` (0..1) narrower than its near one."""
    w, h = size
    cx = w / 2 + rng.uniform(-0.15, 0.15) * w
    cy = h / 2 + rng.uniform(-0.12, 0.12) * h
    qx, qy = shown.qr_centre
    half = shown.qr_side / 2
    # The map is fixed by where the QR's own corners land: a square of qr_px, its top edge
    # narrower by `tilt` and the whole a little shorter (turned away from the camera).
    corners = [(qx - half, qy - half), (qx + half, qy - half), (qx + half, qy + half),
               (qx - half, qy + half)]
    r = qr_px / 2
    top, bottom, tall = r * (1 - tilt / 2), r * (1 + tilt / 4), r * (1 - tilt * 0.3)
    a = math.radians(angle_deg)
    out: list[tuple[float, float]] = []
    for dx, dy in ((-top, -tall), (top, -tall), (bottom, tall), (-bottom, tall)):
        out.append((cx + dx * math.cos(a) - dy * math.sin(a), cy + dx * math.sin(a) + dy * math.cos(a)))
    coeffs = _perspective(out, corners)
    warped = shown.image.transform(size, Image.Transform.PERSPECTIVE, coeffs,
                                   Image.Resampling.BILINEAR, fillcolor=0)
    mask = Image.new("L", shown.image.size, 255).transform(
        size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR, fillcolor=0)
    frame = _background(size, rng)
    frame.paste(warped, (0, 0), mask)
    return frame


# -- conditions ------------------------------------------------------------------------------------
def blur(img: Image.Image, radius: float) -> Image.Image:
    """Out of focus or moving."""
    return img.filter(ImageFilter.GaussianBlur(radius))


def noise(img: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Sensor noise of a cheap webcam in a dim hall."""
    random.seed(rng.random())  # effect_noise has no seed of its own
    grain = Image.effect_noise(img.size, sigma)
    return ImageChops.add(img, grain, scale=1.0, offset=-128)


def glare(img: Image.Image, rng: random.Random, *, radius: int = 110, strength: float = 0.9,
          centre: tuple[float, float] | None = None) -> Image.Image:
    """A ceiling light reflected in a glossy badge pouch or a phone screen, on the code
    (within a radius of `centre`, the frame's middle by default)."""
    w, h = img.size
    blob = Image.radial_gradient("L").resize((2 * radius, 2 * radius))
    blob = blob.point(lambda v: int(max(0, 255 - v * 1.4) * strength))
    mx, my = centre if centre is not None else (w / 2, h / 2)
    cx = int(mx + rng.uniform(-0.8, 0.8) * radius)
    cy = int(my + rng.uniform(-0.8, 0.8) * radius)
    out = img.copy()
    out.paste(255, (cx - radius, cy - radius, cx + radius, cy + radius), blob)
    return out


def low_contrast(img: Image.Image, low: int, high: int) -> Image.Image:
    """A washed-out print or an over-exposed frame: every level squeezed into low..high."""
    return img.point(lambda v: low + v * (high - low) // 255)


def occlude(img: Image.Image, rng: random.Random, qr_px: float) -> Image.Image:
    """A thumb over one edge of the code (about a tenth of it), away from the finder patterns."""
    w, h = img.size
    out = img.copy()
    d = ImageDraw.Draw(out)
    t = qr_px * 0.14
    cx, cy = w / 2, h / 2
    # The thumb reaches in from the bottom edge's middle (the finders are in three corners).
    d.ellipse((cx - t, cy + qr_px * 0.22, cx + t, cy + qr_px * 0.22 + 3 * t), fill=rng.randint(120, 170))
    return out


@dataclass(frozen=True, slots=True)
class Condition:
    """One way frames are spoiled, and how to make one such frame from a seed."""

    name: str
    what: str
    make: Callable[[random.Random, tuple[int, int]], tuple[Image.Image, str]]


def _badge_frame(rng: random.Random, size: tuple[int, int], **kw: float) -> tuple[Image.Image, str]:
    shown = badge_picture()
    qr_px = rng.uniform(230, 330) * size[1] / 720
    return place(shown, rng, size, qr_px=qr_px, angle_deg=kw.get("angle", rng.uniform(-10, 10)),
                 tilt=kw.get("tilt", 0.0)), shown.text


def _centred(shown: Shown, rng: random.Random, size: tuple[int, int], qr_px: float,
             **kw: float) -> Image.Image:
    # Occlusion and glare are aimed at the middle of the frame, so the code is put there.
    return place(shown, _Centre(rng), size, qr_px=qr_px, angle_deg=kw.get("angle", 0.0),
                 tilt=kw.get("tilt", 0.0))


class _Centre(random.Random):
    """A Random whose placement offsets are zero (the code in the frame's middle)."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng.random())

    def uniform(self, a: float, b: float) -> float:
        return 0.0 if (a, b) in ((-0.15, 0.15), (-0.12, 0.12)) else super().uniform(a, b)


def _make_conditions() -> list[Condition]:
    def clean(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        return _badge_frame(rng, size)

    def upside_down(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        return _badge_frame(rng, size, angle=180 + rng.uniform(-10, 10))

    def perspective(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        return _badge_frame(rng, size, tilt=rng.uniform(0.35, 0.6), angle=rng.uniform(-20, 20))

    def blurred(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        img, text = _badge_frame(rng, size)
        return blur(img, rng.uniform(1.5, 2.5) * size[1] / 720), text

    def noisy(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        img, text = _badge_frame(rng, size)
        return noise(img, rng.uniform(25, 45), rng), text

    def glared(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        shown = badge_picture()
        qr_px = rng.uniform(260, 330) * size[1] / 720
        img = _centred(shown, rng, size, qr_px)
        return glare(img, rng, radius=int(qr_px * 0.35), strength=0.95), shown.text

    def faint(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        img, text = _badge_frame(rng, size)
        return low_contrast(img, 95, 160), text

    def occluded(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        shown = badge_picture()
        qr_px = rng.uniform(260, 330) * size[1] / 720
        return occlude(_centred(shown, rng, size, qr_px), rng, qr_px), shown.text

    def phone(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        shown = phone_screenshot()
        qr_px = rng.uniform(260, 360) * size[1] / 720
        img = _centred(shown, rng, size, qr_px, angle=rng.uniform(-15, 15),
                       tilt=rng.uniform(0.2, 0.4))
        return glare(img, rng, radius=int(qr_px * 0.3), strength=0.8), shown.text

    def phone_dim(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        shown = phone_screenshot(brightness=0.3)
        qr_px = rng.uniform(260, 360) * size[1] / 720
        img = place(shown, rng, size, qr_px=qr_px, angle_deg=rng.uniform(-15, 15))
        return noise(img, 12, rng), shown.text

    def phone_moire(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        shown = phone_screenshot(moire=True, dark_mode=rng.random() < 0.5)
        qr_px = rng.uniform(260, 360) * size[1] / 720
        return place(shown, rng, size, qr_px=qr_px, angle_deg=rng.uniform(-15, 15)), shown.text

    def email(rng: random.Random, size: tuple[int, int]) -> tuple[Image.Image, str]:
        shown = email_printout()
        qr_px = rng.uniform(150, 260) * size[1] / 720
        img = place(shown, rng, size, qr_px=qr_px, angle_deg=rng.uniform(-20, 20) + (
            180 if rng.random() < 0.3 else 0), tilt=rng.uniform(0.0, 0.3))
        return noise(img, 15, rng), shown.text

    return [
        Condition("clean", "printed badge, held straight", clean),
        Condition("upside_down", "printed badge upside down (±10°)", upside_down),
        Condition("perspective", "printed badge tilted back 35–60 %, turned ±20°", perspective),
        Condition("blur", "printed badge out of focus (Gaussian 1.5–2.5 px at 720p)", blurred),
        Condition("noise", "printed badge, sensor noise σ 25–45", noisy),
        Condition("glare", "printed badge, a light's reflection over the code", glared),
        Condition("low_contrast", "printed badge, levels squeezed into 95–160", faint),
        Condition("occlusion", "printed badge, a thumb over the code's lower edge", occluded),
        Condition("phone_glare_tilt", "phone screen, tilted, turned ±15°, with glare", phone),
        Condition("phone_dim", "phone screen at 30 % brightness, noise σ 12", phone_dim),
        Condition("phone_moire", "phone screen's pixel grid (moiré), half in dark mode", phone_moire),
        Condition("email_printout", "confirmation e-mail printout, small code, some upside down",
                  email),
    ]


CONDITIONS = _make_conditions()


def frame_of(img: Image.Image) -> Frame:
    """A grayscale picture as the decoder's frame."""
    gray = img if img.mode == "L" else img.convert("L")
    return Frame.gray(gray.tobytes(), gray.width, gray.height)


def frames_for(condition: Condition, count: int, size: tuple[int, int] = HD, seed: int = 17
               ) -> list[tuple[Image.Image, str]]:
    """`count` frames of one condition and the text each must read as."""
    rng = random.Random(f"{condition.name}-{seed}-{size}")
    return [condition.make(rng, size) for _ in range(count)]
