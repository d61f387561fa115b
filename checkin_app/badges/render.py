"""The badge renderer: BadgeData + Template → PDF, one badge per page or n-up on A4 sheets.

Pure: no database, no Qt, no printer. `layout()` computes what goes where (tests check it);
`draw()` puts it on a ReportLab canvas; `render_badge()` and `BatchWriter` make the PDF bytes/file.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import IO

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas

from checkin_app.badges.fonts import BOLD, FAKE_BOLD_STROKE, REGULAR, FontSet, fonts
from checkin_app.badges.layout import MM, FittedText, fit_text
from checkin_app.badges.qr import QUIET_MODULES, QrMatrix, dark_runs, qr_matrix
from checkin_app.badges.templates import (
    ImageElement,
    QrElement,
    RectElement,
    Sheet,
    Template,
    TextElement,
)
from checkin_app.domain.badge_data import BadgeData, fields
from checkin_app.domain.messages import msg

log = logging.getLogger(__name__)

CUT_MARK_MM = 4.0
CUT_MARK_GAP_MM = 1.0


class _Formatter(dict[str, str]):
    def __missing__(self, key: str) -> str:  # validated templates never get here
        return ""


@dataclass(frozen=True, slots=True)
class PlacedText:
    """A text element as laid out: box in pt (from the badge's bottom-left) and the fitted lines."""

    element: TextElement
    text: str
    x: float
    y: float
    w: float
    h: float
    fitted: FittedText
    colour: str

    def line_origins(self) -> list[tuple[float, float]]:
        """(x, baseline) of each line in pt."""
        f, el = self.fitted, self.element
        if el.valign == "top":
            top = self.y + self.h
        elif el.valign == "bottom":
            top = self.y + f.block_height
        else:
            top = self.y + (self.h + f.block_height) / 2
        out = []
        for i, lw in enumerate(f.widths):
            base = top - f.ascent * f.size - i * f.line_height
            if el.align == "left":
                x = self.x
            elif el.align == "right":
                x = self.x + self.w - lw
            else:
                x = self.x + (self.w - lw) / 2
            out.append((x, base))
        return out


@dataclass(frozen=True, slots=True)
class PlacedQr:
    """The QR element with its symbol."""

    element: QrElement
    data: str
    matrix: QrMatrix


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything that will be drawn for one badge."""

    template: Template
    category_colour: str
    texts: tuple[PlacedText, ...]
    qrs: tuple[PlacedQr, ...]


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def on_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on the given background."""
    return "#111111" if _luminance(hex_colour) > 0.55 else "#FFFFFF"


def _resolve(colour: str, category: str) -> str:
    if colour == "category":
        return category
    if colour == "on_category":
        return on_colour(category)
    return colour


@lru_cache(maxsize=256)
def _hex(colour: str) -> Color:
    return HexColor(colour)


@lru_cache(maxsize=64)
def _image(path: str) -> ImageReader | None:
    try:
        return ImageReader(path)
    except Exception:  # a broken logo or photo must not stop the badge
        log.warning("cannot read badge image %s", path, exc_info=True)
        return None


@lru_cache(maxsize=8192)
def _fit(fs: FontSet, text: str, weight: str, width: float, height: float, size: float,
         min_size: float, max_lines: int) -> FittedText:
    # Fixed texts (event name, category, venue) and shared values (organisations, countries)
    # repeat on thousands of badges: each is measured and fitted once. FittedText is immutable.
    return fit_text(fs, text, weight, width=width, height=height, size=size, min_size=min_size,
                    max_lines=max_lines)


def _safe_colour(value: str) -> str:
    v = value.strip()
    if len(v) == 7 and v.startswith("#"):
        try:
            int(v[1:], 16)
            return v.upper()
        except ValueError:
            pass
    return "#607D8B"


class BadgeRenderer:
    """Lays out and draws badges with the process-wide fonts."""

    def __init__(self, font_set: FontSet | None = None) -> None:
        self.fonts = font_set or fonts()

    def layout(self, data: BadgeData, template: Template) -> Layout:
        """Fit every text and encode the QR for one badge."""
        values = _Formatter(fields(data, template.western))
        category = _safe_colour(data.category_colour)
        H = template.height * MM
        texts: list[PlacedText] = []
        qrs: list[PlacedQr] = []
        for el in template.elements:
            if isinstance(el, TextElement):
                text = " ".join(el.text.format_map(values).split())
                if not text:
                    continue
                b = el.box
                w, h = b.w * MM, b.h * MM
                fitted = _fit(self.fonts, text, BOLD if el.weight == "bold" else REGULAR,
                              w, h, el.size, el.min_size, el.max_lines)
                texts.append(PlacedText(el, text, b.x * MM, H - (b.y + b.h) * MM, w, h, fitted,
                                        _resolve(el.colour, category)))
            elif isinstance(el, QrElement):
                payload = values[el.field]
                if payload:
                    qrs.append(PlacedQr(el, payload,
                                        qr_matrix(payload, el.size, el.min_module_mm, el.ec)))
        return Layout(template, category, tuple(texts), tuple(qrs))

    def draw(self, c: Canvas, data: BadgeData, template: Template) -> Layout:
        """Draw one badge with its bottom-left corner at the canvas origin."""
        lay = self.layout(data, template)
        W, H = template.width * MM, template.height * MM
        if template.background.upper() != "#FFFFFF":
            c.setFillColor(_hex(template.background))
            c.rect(0, 0, W, H, stroke=0, fill=1)
        texts = iter(lay.texts)
        qrs = iter(lay.qrs)
        pending_text = next(texts, None)
        pending_qr = next(qrs, None)
        # Elements are drawn in template order (later ones on top).
        values = _Formatter(fields(data, template.western))
        for el in template.elements:
            if isinstance(el, RectElement):
                if not el.when or values[el.when].strip():
                    self._rect(c, el, H, lay.category_colour)
            elif isinstance(el, ImageElement):
                self._image(c, el, H, data, template.folder)
            elif isinstance(el, TextElement):
                if pending_text is not None and pending_text.element is el:
                    self._text(c, pending_text)
                    pending_text = next(texts, None)
            elif pending_qr is not None and pending_qr.element is el:
                self._qr(c, pending_qr, H)
                pending_qr = next(qrs, None)
        return lay

    # -- element painters --------------------------------------------------------------------
    @staticmethod
    def _rect(c: Canvas, el: RectElement, H: float, category: str) -> None:
        b = el.box
        fill = _resolve(el.fill, category) if el.fill else None
        stroke = _resolve(el.stroke, category) if el.stroke else None
        if fill:
            c.setFillColor(_hex(fill))
        if stroke:
            c.setStrokeColor(_hex(stroke))
            c.setLineWidth(el.line_width * MM)
        args = (b.x * MM, H - (b.y + b.h) * MM, b.w * MM, b.h * MM)
        if el.radius:
            c.roundRect(*args, el.radius * MM, stroke=int(bool(stroke)), fill=int(bool(fill)))
        else:
            c.rect(*args, stroke=int(bool(stroke)), fill=int(bool(fill)))

    @staticmethod
    def _image(c: Canvas, el: ImageElement, H: float, data: BadgeData, folder: Path) -> None:
        # A logo is a file next to the templates; a photo is wherever the registration put it.
        path = str(folder / el.src) if el.src else data.photo_path
        if not path:
            return
        img = _image(path)
        if img is None:
            return
        b = el.box
        c.drawImage(img, b.x * MM, H - (b.y + b.h) * MM, b.w * MM, b.h * MM,
                    preserveAspectRatio=True, anchor="c", mask="auto")

    @staticmethod
    def _text(c: Canvas, p: PlacedText) -> None:
        f = p.fitted
        colour = _hex(p.colour)
        c.setFillColor(colour)
        if any(r.fake_bold for line in f.lines for r in line):
            c.setStrokeColor(colour)
            c.setLineWidth(FAKE_BOLD_STROKE * f.size)
        for (x, base), runs in zip(p.line_origins(), f.lines, strict=True):
            t = c.beginText(x, base)
            for run in runs:
                t.setFont(run.font, f.size)
                if run.fake_bold:
                    t.setTextRenderMode(2)  # fill and stroke: the outline thickens the strokes
                t.textOut(run.text)
                if run.fake_bold:
                    t.setTextRenderMode(0)
            c.drawText(t)

    @staticmethod
    def _qr(c: Canvas, p: PlacedQr, H: float) -> None:
        el, m = p.element, p.matrix
        size = el.size * MM
        x0, top = el.x * MM, H - el.y * MM
        c.setFillColor(_hex("#FFFFFF"))
        c.rect(x0, top - size, size, size, stroke=0, fill=1)  # the quiet zone stays white
        mod = size / (m.count + 2 * QUIET_MODULES)
        ox, oy = x0 + QUIET_MODULES * mod, top - QUIET_MODULES * mod
        path = c.beginPath()
        for row, col, n in dark_runs(m):
            # A hair of overlap closes the anti-aliasing seams between neighbouring rectangles.
            path.rect(ox + col * mod, oy - (row + 1) * mod - 0.01, n * mod + 0.01, mod + 0.01)
        c.setFillColor(_hex("#000000"))
        c.drawPath(path, stroke=0, fill=1)


_RENDERER: BadgeRenderer | None = None


def renderer() -> BadgeRenderer:
    """The process-wide renderer (fonts are registered once)."""
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = BadgeRenderer()
    return _RENDERER


def _canvas(out: IO[bytes] | str | Path, size: tuple[float, float], title: str) -> Canvas:
    c = Canvas(out if not isinstance(out, Path) else str(out), pagesize=size, pageCompression=1,
               invariant=1)
    c.setTitle(title)
    c.setCreator("checkin-desk badges")
    return c


def render_badge(data: BadgeData, template: Template) -> bytes:
    """One badge as a one-page PDF at the template's page size."""
    buf = BytesIO()
    c = _canvas(buf, (template.width * MM, template.height * MM), f"Badge {data.registration_code}")
    renderer().draw(c, data, template)
    c.showPage()
    c.save()
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class SheetGrid:
    """Where the cells of an n-up sheet are, in pt from the sheet's bottom-left."""

    paper: tuple[float, float]
    cells: tuple[tuple[float, float], ...]  # bottom-left of each cell, in fill order
    cell_w: float
    cell_h: float
    rotate: bool
    xs: tuple[float, ...]  # column edges
    ys: tuple[float, ...]  # row edges


def sheet_grid(sheet: Sheet, template: Template) -> SheetGrid:
    """Centre cols × rows badges on the sheet, turning them a quarter if that is what fits."""
    from checkin_app.badges.templates import TemplateError

    pw, ph = sheet.paper
    for rotate in (False, True):
        bw, bh = (template.height, template.width) if rotate else (template.width, template.height)
        free_x = pw - sheet.cols * bw
        free_y = ph - sheet.rows * bh
        if free_x >= -0.01 and free_y >= -0.01:
            break
    else:
        raise TemplateError(template.name, "page", msg(
            "template.does_not_fit", width=f"{template.width:g}", height=f"{template.height:g}",
            sheet=sheet.name))
    # Some space between badges (for the cut marks) when the paper leaves room for it.
    gap_x = min(6.0, max(free_x, 0) / (sheet.cols + 1)) if sheet.cols > 1 else 0.0
    gap_y = min(6.0, max(free_y, 0) / (sheet.rows + 1)) if sheet.rows > 1 else 0.0
    left = (pw - sheet.cols * bw - (sheet.cols - 1) * gap_x) / 2
    top = ph - (ph - sheet.rows * bh - (sheet.rows - 1) * gap_y) / 2
    cells = []
    for r in range(sheet.rows):
        for col in range(sheet.cols):
            x = left + col * (bw + gap_x)
            y = top - (r + 1) * bh - r * gap_y
            cells.append((x * MM, y * MM))
    xs = sorted({left + col * (bw + gap_x) + d for col in range(sheet.cols) for d in (0, bw)})
    ys = sorted({top - r * (bh + gap_y) - d for r in range(sheet.rows) for d in (0, bh)})
    return SheetGrid((pw * MM, ph * MM), tuple(cells), bw * MM, bh * MM, rotate,
                     tuple(x * MM for x in xs), tuple(y * MM for y in ys))


def _cut_marks(c: Canvas, g: SheetGrid) -> None:
    """Short hairlines along every cutting line, outside the badges."""
    c.setStrokeColor(_hex("#808080"))
    c.setLineWidth(0.25)
    mark, gap = CUT_MARK_MM * MM, CUT_MARK_GAP_MM * MM
    pw, ph = g.paper
    lo_x, hi_x, lo_y, hi_y = g.xs[0], g.xs[-1], g.ys[0], g.ys[-1]
    for x in g.xs:
        c.line(x, hi_y + gap, x, min(ph, hi_y + gap + mark))
        c.line(x, lo_y - gap, x, max(0.0, lo_y - gap - mark))
    for y in g.ys:
        c.line(lo_x - gap, y, max(0.0, lo_x - gap - mark), y)
        c.line(hi_x + gap, y, min(pw, hi_x + gap + mark), y)
    if lo_x < mark or ph - hi_y < mark:
        # Badges reach the paper edge (A6 on A4): faint dashed guides along the cuts instead.
        c.setDash(2, 3)
        c.setStrokeColor(_hex("#C0C0C0"))
        for x in g.xs:
            c.line(x, lo_y, x, hi_y)
        for y in g.ys:
            c.line(lo_x, y, hi_x, y)
        c.setDash()


Progress = Callable[[int], None]


def _show_page_compressed(c: Canvas) -> None:
    """End the page and compress its content stream now rather than when the file is saved.

    ReportLab keeps every page's drawing operators as text until save(); a 10,000-badge batch
    would hold ~100 KB per sheet. Compressed at once a sheet takes ~5 KB, so memory stays small
    (the page is written exactly as ReportLab would: a FlateDecode content stream).
    """
    c.showPage()
    page = c._doc.Pages.pages[-1]
    stream = getattr(page, "stream", None)
    if stream and not page.Contents:
        data = stream.encode("utf-8") if isinstance(stream, str) else bytes(stream)
        s = PDFStream(content=zlib.compress(data))
        s.dictionary["Filter"] = PDFName("FlateDecode")
        page.Contents = s
        page.stream = None


class BatchWriter:
    """Streams badges into one PDF file: one per page, or n-up sheets with cut marks."""

    def __init__(self, out: IO[bytes] | str | Path, *, sheet: Sheet | None = None,
                 title: str = "Badges") -> None:
        self.sheet = sheet
        self._c = _canvas(out, (595.0, 842.0), title)
        self._r = renderer()
        self._grid: SheetGrid | None = None
        self._grid_for: tuple[float, float] | None = None
        self._slot = 0
        self._open_page = False
        self.count = 0

    def add(self, data: BadgeData, template: Template) -> None:
        """Draw one more badge."""
        c = self._c
        if self.sheet is None:
            c.setPageSize((template.width * MM, template.height * MM))
            self._r.draw(c, data, template)
            _show_page_compressed(c)
            self.count += 1
            return
        size = (template.width, template.height)
        if self._grid is None or self._grid_for != size:
            self._finish_page()
            self._grid = sheet_grid(self.sheet, template)
            self._grid_for = size
        grid = self._grid
        if not self._open_page:
            c.setPageSize(grid.paper)
            _cut_marks(c, grid)
            self._open_page = True
        x, y = grid.cells[self._slot]
        c.saveState()
        if grid.rotate:
            c.translate(x + grid.cell_w, y)
            c.rotate(90)
        else:
            c.translate(x, y)
        self._r.draw(c, data, template)
        c.restoreState()
        self._slot += 1
        self.count += 1
        if self._slot == len(grid.cells):
            self._finish_page()

    def _finish_page(self) -> None:
        if self._open_page:
            _show_page_compressed(self._c)
        self._open_page = False
        self._slot = 0

    def close(self) -> None:
        """Finish the last sheet and write the file."""
        self._finish_page()
        if self.count == 0:
            self._c.setPageSize((595.0, 842.0))
            self._c.showPage()
        self._c.save()


def write_batch(items: Iterable[tuple[BadgeData, Template]], out: IO[bytes] | str | Path, *,
                sheet: Sheet | None = None, progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None, title: str = "Badges") -> int:
    """Render every badge into `out`; returns how many were written (stops early if cancelled)."""
    w = BatchWriter(out, sheet=sheet, title=title)
    for data, template in items:
        if cancelled is not None and cancelled():
            break
        w.add(data, template)
        if progress is not None:
            progress(w.count)
    w.close()
    return w.count
