"""Every script is drawn as HarfBuzz shapes it: the glyphs ReportLab wrote into the badge PDF (read
back from the page's content stream, the subset fonts' ToUnicode maps and Widths) are the glyphs,
order and positions uharfbuzz gives for the same text with the same font file."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics

from checkin_app.badges import fonts as F
from checkin_app.badges.fonts import BOLD, FACES, REGULAR, SHAPED, fonts
from checkin_app.badges.render import render_badge
from checkin_app.badges.templates import Template, parse_template
from checkin_app.paths import fonts_dir
from tests.badges.conftest import badge

# (text, its runs in visual order: (characters as written, family)). Latin, CJK and emoji are
# drawn by their cmap glyphs (no ligatures, no kerning); every other script through HarfBuzz.
CASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("स्वाति शर्मा", [("स्वाति शर्मा", F.DEVANAGARI)]),  # conjunct, i-sign before, reph
    ("क्षत्रिय", [("क्षत्रिय", F.DEVANAGARI)]),
    ("प्रियंका चोपड़ा", [("प्रियंका चोपड़ा", F.DEVANAGARI)]),
    ("সৌরভ গঙ্গোপাধ্যায়", [("সৌরভ গঙ্গোপাধ্যায়", F.BENGALI)]),
    ("லக்ஷ்மி ஸ்ரீநிவாசன்", [("லக்ஷ்மி ஸ்ரீநிவாசன்", F.TAMIL)]),
    ("శ్రీనివాస్ రెడ్డి", [("శ్రీనివాస్ రెడ్డి", F.TELUGU)]),
    ("ශ්‍රී ලංකා", [("ශ්‍රී ලංකා", F.SINHALA)]),  # with a ZWJ (rakaaraansaya)
    ("น้ำ สมชาย ใจดี", [("น้ำ สมชาย ใจดี", F.THAI)]),  # stacked tone mark over sara am
    ("ເຂົ້າ ສົມພອນ", [("ເຂົ້າ ສົມພອນ", F.LAO)]),
    ("ស្រី សុខា", [("ស្រី សុខា", F.KHMER)]),  # coeng subscript, pre-base vowel
    ("မြန်မာ အောင်ဆန်း", [("မြန်မာ အောင်ဆန်း", F.MYANMAR)]),  # medial ra, reordering
    ("ᠮᠣᠩᠭᠣᠯ ᠪᠠᠲᠣ", [("ᠮᠣᠩᠭᠣᠯ ᠪᠠᠲᠣ", F.MONGOLIAN)]),  # joining forms
    ("አበበ ቢቂላ", [("አበበ ቢቂላ", F.ETHIOPIC)]),
    ("ნინო ბერიძე", [("ნინო ბერიძე", F.GEORGIAN)]),
    ("Արամ Խաչատրյան", [("Արամ Խաչատրյան", F.ARMENIAN)]),
    ("محمد عبد الرحمن", [("محمد عبد الرحمن", F.ARABIC)]),
    # Right to left with Latin inside: the Latin word keeps its order, the paragraph runs right
    # to left, the parentheses are mirrored.
    ("محمد Smith", [("Smith", F.LATIN), ("محمد ", F.ARABIC)]),
    ("شركة IBM للحلول", [(" للحلول", F.ARABIC), ("IBM", F.LATIN), ("شركة ", F.ARABIC)]),
    ("דוד Cohen כהן", [(" כהן", F.HEBREW), ("Cohen", F.LATIN), ("דוד ", F.HEBREW)]),
    ("Tel Aviv תל אביב", [("Tel Aviv ", F.LATIN), ("תל אביב", F.HEBREW)]),
    ("𠮷野 𪚥", [("𠮷", F.CJK_EXT), ("野 ", F.CJK), ("𪚥", F.CJK_EXT)]),
    ("やまだ たろう", [("やまだ たろう", F.CJK)]),  # the space between kana is kept
    ("Anna 😀 ✈️", [("Anna ", F.LATIN), ("😀", F.EMOJI), (" ", F.LATIN), ("✈️", F.EMOJI)]),
]


@dataclass(frozen=True)
class Glyph:
    font: str  # the ReportLab font name
    gid: int
    x: float  # pt, from the line's first glyph
    y: float  # pt, from the baseline


@cache
def _hb_font(file: str) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob((fonts_dir() / file).read_bytes())))


def harfbuzz(segments: list[tuple[str, str]], size: float, weight: str = REGULAR) -> list[Glyph]:
    """The glyphs of the line shaped by uharfbuzz directly, run by run."""
    out: list[Glyph] = []
    pen = 0.0
    for text, family in segments:
        spec = FACES[(family, weight)]
        font = _hb_font(spec.file)
        scale = size / font.face.upem
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        shaped = family in SHAPED
        hb.shape(font, buf, F.FEATURES if shaped else {"kern": False, "liga": False})
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            out.append(Glyph(spec.name, info.codepoint, pen + pos.x_offset * scale,
                             pos.y_offset * scale))
            pen += pos.x_advance * scale
    return out


# -- reading the PDF back -----------------------------------------------------------------------
_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJ.finditer(pdf)}


def _stream(obj: bytes) -> bytes:
    head, rest = obj.split(b"stream", 1)
    data = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    if b"ASCII85Decode" in head:
        data = base64.a85decode(data.strip().removeprefix(b"<~").removesuffix(b"~>"))
    return zlib.decompress(data) if b"FlateDecode" in head else data


def _unescape(s: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == 0x5C:  # backslash
            nxt = s[i + 1:i + 2]
            octal = re.match(rb"[0-7]{1,3}", s[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


@dataclass
class PdfFont:
    rl_name: str
    to_unicode: dict[int, int]
    widths: list[float]


def _uni(hexdigits: bytes) -> int:
    # Strict: UTF-16 as PDF wants (badges/fonts.py fixes ReportLab's <20BB7> for 𠮷).
    return ord(bytes.fromhex(hexdigits.decode()).decode("utf-16-be"))


def _fonts(objects: dict[int, bytes]) -> dict[str, PdfFont]:
    by_face: dict[str, str] = {}
    for n in fonts().loaded():
        face = pdfmetrics.getFont(n).face
        by_face[(face.name + face.subfontNameX).decode("latin-1")] = n
    out: dict[str, PdfFont] = {}
    for body in objects.values():
        if b"/Subtype /TrueType" not in body or b"/ToUnicode" not in body:
            continue
        name = re.search(rb"/Name /(\S+)", body).group(1).decode()  # type: ignore[union-attr]
        base = re.search(rb"/BaseFont /\w+\+(\S+)", body).group(1).decode()  # type: ignore[union-attr]
        cmap_ref = int(re.search(rb"/ToUnicode (\d+) 0 R", body).group(1))  # type: ignore[union-attr]
        widths = [float(w) for w in re.search(rb"/Widths \[([^\]]*)\]", body).group(1).split()]  # type: ignore[union-attr]
        cmap = _stream(objects[cmap_ref])
        to_uni: dict[int, int] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                to_uni[int(code, 16)] = _uni(uni)
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            for lo, hi, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start = _uni(uni)
                for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    to_uni[code] = start + k
        out[name] = PdfFont(by_face[base], to_uni, widths)
    return out


_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|\[|\]|/[^\s/\[\]()]+|[-+]?\d*\.?\d+|[A-Za-z*']+")


def pdf_lines(pdf: bytes) -> list[list[Glyph]]:
    """Every text object (one per line) of every page as glyphs with positions."""
    objects = _objects(pdf)
    fonts_ = _fonts(objects)
    lines: list[list[Glyph]] = []
    for body in objects.values():
        if re.search(rb"/Type /Page\b(?!s)", body):
            ref = re.search(rb"/Contents (\d+) 0 R", body)
            assert ref is not None
            lines += _lines(_stream(objects[int(ref.group(1))]), fonts_)
    return lines


def _lines(content: bytes, fonts_: dict[str, PdfFont]) -> list[list[Glyph]]:
    lines: list[list[Glyph]] = []
    stack: list[object] = []
    font: PdfFont | None = None
    size = 0.0
    pen = rise = 0.0
    current: list[Glyph] = []
    array: list[object] | None = None

    def show(items: list[object]) -> None:
        nonlocal pen
        assert font is not None
        for it in items:
            if isinstance(it, float):
                pen -= it / 1000 * size
                continue
            assert isinstance(it, bytes)
            for code in it:
                assert code != 0, "a .notdef glyph (tofu) was drawn"
                uni = font.to_unicode[code]
                gid = pdfmetrics.getFont(font.rl_name).face.charToGlyph[uni]
                current.append(Glyph(font.rl_name, gid, pen, rise))
                pen += font.widths[code] / 1000 * size

    for tok in _TOKEN.findall(content):
        if tok.startswith(b"("):
            item: object = _unescape(tok[1:-1])
        elif tok == b"[":
            array = []
            continue
        elif tok == b"]":
            stack.append(array)
            array = None
            continue
        elif re.fullmatch(rb"[-+]?\d*\.?\d+", tok):
            item = float(tok)
        elif tok.startswith(b"/"):
            item = tok[1:].decode()
        else:
            op = tok.decode()
            if op == "BT":
                current, pen, rise = [], 0.0, 0.0
            elif op == "ET":
                if current:
                    lines.append(current)
            elif op == "Tf":
                size = float(stack[-1])  # type: ignore[arg-type]
                font = fonts_.get(str(stack[-2]))  # None: ReportLab's initial Helvetica
            elif op == "Ts":
                rise = float(stack[-1])  # type: ignore[arg-type]
            elif op == "Tj":
                show([stack[-1]])
            elif op == "TJ":
                show(stack[-1])  # type: ignore[arg-type]
            stack = []
            continue
        if array is not None:
            array.append(item)
        else:
            stack.append(item)
    return lines


# -- the badge --------------------------------------------------------------------------------
SIZE = 20.0


def _template(weight: str) -> Template:
    return parse_template({
        "name": "script-check",
        "page": {"width_mm": 200, "height_mm": 30},
        "elements": [{"type": "text", "x": 2, "y": 2, "w": 196, "h": 26, "field": "organisation",
                      "size": SIZE, "min_size": 4, "align": "left", "weight": weight}],
    }, source="test", folder=Path("."))


def _close(a: list[Glyph], b: list[Glyph]) -> bool:
    x0a, x0b = a[0].x, b[0].x
    return all(abs((g.x - x0a) - (h.x - x0b)) < 0.01 * SIZE and abs(g.y - h.y) < 0.01 * SIZE
               for g, h in zip(a, b, strict=True))


@pytest.mark.parametrize("weight", [REGULAR, BOLD])
@pytest.mark.parametrize(("text", "segments"), CASES, ids=[c[0] for c in CASES])
def test_pdf_glyphs_are_harfbuzz_glyphs(text: str, segments: list[tuple[str, str]], weight: str) -> None:
    assert not fonts().uncovered(text)
    pdf = render_badge(badge(organisation_zh=text, organisation_en=""), _template(weight))
    (line,) = pdf_lines(pdf)
    expected = harfbuzz(segments, SIZE, weight)
    assert [(g.font, g.gid) for g in line] == [(g.font, g.gid) for g in expected]
    assert _close(line, expected), (line, expected)


def test_hard_cases_are_really_reordered() -> None:
    # A guard on the check itself: the shaped glyphs are not simply the characters' cmap glyphs.
    font = _hb_font(FACES[(F.DEVANAGARI, REGULAR)].file)
    names = [font.glyph_to_string(g.gid) for g in harfbuzz([("स्वाति", F.DEVANAGARI)], SIZE)]
    assert "viramadeva" not in names and "saprehalfdeva" in names  # स् is a half form
    i_sign = next(i for i, n in enumerate(names) if n.startswith("ivowelsign"))
    assert i_sign == names.index("tadeva") - 1  # the i-sign is drawn before त, its consonant


def test_every_face_has_truetype_outlines() -> None:
    fs = fonts()
    for spec in {s.name: s for s in FACES.values()}.values():
        fs.register(spec.name)  # ReportLab reads it (it refuses CFF outlines)
        assert "glyf" in pdfmetrics.getFont(spec.name).face.table, spec.file
        assert (fonts_dir() / spec.file).stat().st_size < 6_000_000


def test_fonts_are_read_only_when_needed() -> None:
    fs = F.FontSet(fonts_dir())
    assert {fs.face(f, w) for f in F.EAGER for w in (REGULAR, F.BOLD)} >= set(fs.loaded())
    fs.runs("ស្រី", REGULAR)
    assert fs.face(F.KHMER, REGULAR) in fs.loaded()
    assert fs.face(F.THAI, REGULAR) not in fs.loaded()


def test_a_sheet_of_every_script_renders_to_png(tmp_path: Path) -> None:
    from checkin_app.badges.render import write_batch
    from checkin_app.badges.templates import load_templates

    template = load_templates().default()
    items = [(badge(name_native=t, family_name="", given_name="", name_latin="",
                    name_order="western", organisation_zh=t, organisation_en=""), template)
             for t, _ in CASES]
    out = tmp_path / "scripts.pdf"
    assert write_batch(items, out) == len(CASES)
    lines = pdf_lines(out.read_bytes())  # every page read back: no .notdef anywhere
    assert len(lines) > 5 * len(CASES)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(out),
                        str(tmp_path / "page")], check=True)
        assert list(tmp_path.glob("page*.png"))
