"""Badge templates as data: JSON files validated on load, page presets and n-up sheets for A4.

A template names its page (a preset such as "A6" or a size in mm) and lists elements placed in
millimetres from the top-left corner. Every problem in a file is reported as a TemplateError whose
bilingual message names the file and the field, never as a traceback.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin_app.domain.badge_data import FIELD_NAMES, WESTERN_STYLES
from checkin_app.domain.messages import Message, both, msg
from checkin_app.paths import resource

INCH = 25.4

# Page presets in mm (width, height).
PRESETS: dict[str, tuple[float, float]] = {
    "A6": (105.0, 148.0),
    "A6-landscape": (148.0, 105.0),
    "A7": (74.0, 105.0),
    "A7-landscape": (105.0, 74.0),
    "4x3in": (4 * INCH, 3 * INCH),
    "3x4in": (3 * INCH, 4 * INCH),
    "4x6in": (4 * INCH, 6 * INCH),
    "6x4in": (6 * INCH, 4 * INCH),
    "CR80": (85.6, 53.98),
    "CR80-portrait": (53.98, 85.6),
    "label-54x90": (54.0, 90.0),
    "label-90x54": (90.0, 54.0),
    "label-100x50": (100.0, 50.0),
}

A4 = (210.0, 297.0)


@dataclass(frozen=True, slots=True)
class Sheet:
    """An n-up sheet: `cols` × `rows` badges on A4, with cut marks."""

    name: str
    cols: int
    rows: int
    paper: tuple[float, float] = A4

    @property
    def per_page(self) -> int:
        """Badges per sheet."""
        return self.cols * self.rows


SHEETS: dict[str, Sheet] = {
    "a4-2up": Sheet("a4-2up", 1, 2),
    "a4-4up": Sheet("a4-4up", 2, 2),
    "a4-8up": Sheet("a4-8up", 2, 4),
    "a4-10up": Sheet("a4-10up", 2, 5),
}

ALIGN = ("left", "center", "right")
VALIGN = ("top", "middle", "bottom")
WEIGHTS = ("regular", "bold")
EC_LEVELS = ("auto", "L", "M", "Q", "H")
COLOUR_WORDS = ("category", "on_category")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


class TemplateError(ValueError):
    """A template file is unusable; `field` names the offending field, the message is bilingual."""

    def __init__(self, source: str, field: str, reason: Message) -> None:
        self.source = source
        self.field = field
        self.reason = reason
        where = f"{source}: {field}" if field else source
        super().__init__(both(msg("template.error", where=where, reason=reason)))


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in mm from the top-left corner of the badge."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class TextElement:
    """Text bound to fields ("{name}") or fixed; shrinks to fit, then wraps, never overflows."""

    box: Box
    text: str
    size: float
    min_size: float
    max_lines: int
    weight: str
    align: str
    valign: str
    colour: str


@dataclass(frozen=True, slots=True)
class RectElement:
    """A filled and/or stroked rectangle; fill "category" makes the category colour band.

    `when` names a field: the rectangle is drawn only when that field is not empty (a frame
    around a text that only some badges have, such as the walk-in mark).
    """

    box: Box
    fill: str | None
    stroke: str | None
    line_width: float
    radius: float
    when: str = ""


@dataclass(frozen=True, slots=True)
class QrElement:
    """The badge QR code, `size` mm square including its quiet zone."""

    x: float
    y: float
    size: float
    field: str
    ec: str
    min_module_mm: float


@dataclass(frozen=True, slots=True)
class ImageElement:
    """A logo (file next to the templates) or the delegate's photo, fitted into its box."""

    box: Box
    src: str | None
    field: str | None


Element = TextElement | RectElement | QrElement | ImageElement


@dataclass(frozen=True, slots=True)
class Template:
    """A validated badge layout."""

    name: str
    title_zh: str
    title_en: str
    width: float
    height: float
    categories: frozenset[str]
    default: bool
    western: str
    background: str
    elements: tuple[Element, ...]
    folder: Path


# -- validation helpers ------------------------------------------------------------------------
class _V:
    """Reads typed values from a JSON object, raising TemplateError naming the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, code: str, **params: object) -> TemplateError:
        return TemplateError(self.source, field, msg(code, **params))

    def obj(self, value: Any, field: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, "template.not_object")
        return value

    def number(self, o: Mapping[str, Any], key: str, path: str, *, default: float | None = None,
               positive: bool = False, minimum: float | None = None) -> float:
        field = f"{path}.{key}" if path else key
        if key not in o:
            if default is None:
                raise self.fail(field, "template.missing")
            return default
        v = o[key]
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(field, "template.not_number", value=repr(v))
        if positive and v <= 0:
            raise self.fail(field, "template.not_positive", value=str(v))
        if minimum is not None and v < minimum:
            raise self.fail(field, "template.below_minimum", minimum=str(minimum), value=str(v))
        return float(v)

    def text(self, o: Mapping[str, Any], key: str, path: str, *, default: str | None = None,
             choices: tuple[str, ...] | None = None) -> str:
        field = f"{path}.{key}" if path else key
        if key not in o:
            if default is None:
                raise self.fail(field, "template.missing")
            return default
        v = o[key]
        if not isinstance(v, str):
            raise self.fail(field, "template.not_text", value=repr(v))
        if choices is not None and v not in choices:
            allowed = ", ".join(choices)
            raise self.fail(field, "template.not_allowed", value=repr(v), allowed=allowed)
        return v

    def colour(self, o: Mapping[str, Any], key: str, path: str, default: str | None,
               *, words: bool = True) -> str | None:
        field = f"{path}.{key}" if path else key
        if key not in o or o[key] is None:
            return default
        v = o[key]
        ok = isinstance(v, str) and (_HEX.match(v) or (words and v in COLOUR_WORDS))
        if not ok:
            raise self.fail(field, "template.bad_colour_or_word" if words else "template.bad_colour",
                            value=repr(v))
        return str(v)

    def box(self, o: Mapping[str, Any], path: str, page: tuple[float, float]) -> Box:
        b = Box(self.number(o, "x", path, minimum=0), self.number(o, "y", path, minimum=0),
                self.number(o, "w", path, positive=True), self.number(o, "h", path, positive=True))
        self.inside(b.x, b.y, b.w, b.h, path, page)
        return b

    def inside(self, x: float, y: float, w: float, h: float, path: str,
               page: tuple[float, float]) -> None:
        if x + w > page[0] + 0.01 or y + h > page[1] + 0.01:
            raise self.fail(path, "template.outside_page", width=f"{page[0]:g}", height=f"{page[1]:g}")


def _placeholders(fmt: str, v: _V, field: str) -> None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None]
    except ValueError as exc:
        raise v.fail(field, "template.bad_format", detail=str(exc)) from exc
    for name in names:
        if name not in FIELD_NAMES:
            known = ", ".join(sorted(FIELD_NAMES))
            raise v.fail(field, "template.unknown_field", name=f"{{{name}}}", known=known)


def _element(raw: Any, i: int, v: _V, page: tuple[float, float], folder: Path) -> Element:
    path = f"elements[{i}]"
    o = v.obj(raw, path)
    kind = v.text(o, "type", path, choices=("text", "rect", "band", "qr", "image"))
    if kind == "text":
        box = v.box(o, path, page)
        if "field" in o and "text" in o:
            raise v.fail(path, "template.field_or_text")
        if "field" in o:
            name = v.text(o, "field", path)
            if name not in FIELD_NAMES:
                known = ", ".join(sorted(FIELD_NAMES))
                raise v.fail(f"{path}.field", "template.unknown_field", name=repr(name), known=known)
            fmt = "{" + name + "}"
        else:
            fmt = v.text(o, "text", path)
            _placeholders(fmt, v, f"{path}.text")
        size = v.number(o, "size", path, positive=True)
        min_size = v.number(o, "min_size", path, default=min(size, 6.0), positive=True)
        if min_size > size:
            raise v.fail(f"{path}.min_size", "template.min_above_size", size=f"{size:g}")
        max_lines = v.number(o, "max_lines", path, default=1, positive=True)
        if max_lines not in (1, 2, 3):
            raise v.fail(f"{path}.max_lines", "template.max_lines")
        return TextElement(
            box, fmt, size, min_size, int(max_lines),
            v.text(o, "weight", path, default="regular", choices=WEIGHTS),
            v.text(o, "align", path, default="center", choices=ALIGN),
            v.text(o, "valign", path, default="middle", choices=VALIGN),
            v.colour(o, "colour", path, "#000000") or "#000000",
        )
    if kind in ("rect", "band"):
        box = v.box(o, path, page)
        fill = v.colour(o, "fill", path, "category" if kind == "band" else None)
        stroke = v.colour(o, "stroke", path, None)
        if fill is None and stroke is None:
            raise v.fail(path, "template.fill_or_stroke")
        when = v.text(o, "when", path, default="")
        if when and when not in FIELD_NAMES:
            known = ", ".join(sorted(FIELD_NAMES))
            raise v.fail(f"{path}.when", "template.unknown_field", name=repr(when), known=known)
        return RectElement(box, fill, stroke, v.number(o, "line_width", path, default=0.3, minimum=0),
                           v.number(o, "radius", path, default=0, minimum=0), when)
    if kind == "qr":
        x, y = v.number(o, "x", path, minimum=0), v.number(o, "y", path, minimum=0)
        size = v.number(o, "size", path, positive=True)
        v.inside(x, y, size, size, path, page)
        field = v.text(o, "field", path, default="code")
        if field not in FIELD_NAMES:
            raise v.fail(f"{path}.field", "template.unknown_qr_field", name=repr(field))
        return QrElement(x, y, size, field, v.text(o, "ec", path, default="auto", choices=EC_LEVELS),
                         v.number(o, "min_module_mm", path, default=0.5, positive=True))
    # image
    box = v.box(o, path, page)
    src = v.text(o, "src", path, default="") or None
    bound = v.text(o, "field", path, default="") or None
    if (src is None) == (bound is None):
        raise v.fail(path, "template.src_or_photo")
    if bound is not None and bound != "photo":
        raise v.fail(f"{path}.field", "template.photo_only")
    if src is not None and not (folder / src).is_file():
        raise v.fail(f"{path}.src", "template.no_image", src=src)
    return ImageElement(box, src, bound)


def parse_template(raw: Any, *, source: str, folder: Path) -> Template:
    """Validate a decoded JSON document and build the Template."""
    v = _V(source)
    o = v.obj(raw, "")
    name = v.text(o, "name", "")
    page_raw = v.obj(o.get("page"), "page") if "page" in o else None
    if page_raw is None:
        raise v.fail("page", "template.missing")
    if "preset" in page_raw:
        preset: str = v.text(page_raw, "preset", "page", choices=tuple(PRESETS))
        width, height = PRESETS[preset]
    else:
        width = v.number(page_raw, "width_mm", "page", positive=True)
        height = v.number(page_raw, "height_mm", "page", positive=True)
    cats = o.get("categories", [])
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        raise v.fail("categories", "template.categories")
    names = v.obj(o.get("names", {}), "names")
    western = v.text(names, "western", "names", default="given_FAMILY", choices=WESTERN_STYLES)
    default = o.get("default", False)
    if not isinstance(default, bool):
        raise v.fail("default", "template.not_bool")
    elements_raw = o.get("elements")
    if not isinstance(elements_raw, list) or not elements_raw:
        raise v.fail("elements", "template.no_elements")
    elements = tuple(_element(e, i, v, (width, height), folder) for i, e in enumerate(elements_raw))
    return Template(
        name=name,
        title_zh=v.text(o, "title_zh", "", default=name),
        title_en=v.text(o, "title_en", "", default=name),
        width=width,
        height=height,
        categories=frozenset(c.upper() for c in cats),
        default=default,
        western=western,
        background=v.colour(o, "background", "", "#FFFFFF", words=False) or "#FFFFFF",
        elements=elements,
        folder=folder,
    )


def load_template(path: Path) -> Template:
    """Read and validate one template file."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(source, "", msg("template.unreadable", detail=str(exc.strerror or exc))) from exc
    except UnicodeDecodeError as exc:
        raise TemplateError(source, "", msg("template.not_utf8")) from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(source, f"line {exc.lineno} column {exc.colno}",
                            msg("template.bad_json", detail=exc.msg)) from exc
    return parse_template(raw, source=source, folder=path.parent)


def templates_dir() -> Path:
    """The bundled templates folder."""
    return resource("badge_templates")


@dataclass(frozen=True, slots=True)
class TemplateSet:
    """All templates of a folder, and which one each category uses."""

    templates: dict[str, Template]
    errors: tuple[TemplateError, ...]

    def for_category(self, code: str) -> Template:
        """The template for a category: the one listing it, else the default one."""
        code = code.upper()
        for t in self.templates.values():
            if code in t.categories:
                return t
        return self.default()

    def default(self) -> Template:
        """The default template (or the first one when none is marked)."""
        for t in self.templates.values():
            if t.default:
                return t
        if not self.templates:
            raise TemplateError("badge_templates", "", msg("template.none_usable"))
        return next(iter(self.templates.values()))

    def get(self, name_or_path: str) -> Template:
        """A template by name, or a template file by path."""
        if name_or_path in self.templates:
            return self.templates[name_or_path]
        p = Path(name_or_path)
        if p.suffix == ".json" and p.exists():
            return load_template(p)
        known = ", ".join(sorted(self.templates))
        raise TemplateError(name_or_path, "", msg("template.no_such", known=known))


def load_templates(folder: Path | None = None) -> TemplateSet:
    """Every *.json template in the folder; broken ones are reported in `errors`, not raised."""
    folder = folder or templates_dir()
    good: dict[str, Template] = {}
    bad: list[TemplateError] = []
    for path in sorted(folder.glob("*.json")):
        try:
            t = load_template(path)
        except TemplateError as exc:
            bad.append(exc)
            continue
        good[t.name] = t
    return TemplateSet(good, tuple(bad))


def sheet_named(name: str) -> Sheet | None:
    """A sheet by name; None for "none" (one badge per page)."""
    if name in ("", "none"):
        return None
    try:
        return SHEETS[name]
    except KeyError:
        known = ", ".join(["none", *SHEETS])
        raise TemplateError(name, "", msg("template.no_such_sheet", known=known)) from None
