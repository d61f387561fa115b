"""Streaming rows out of CSV (in the encodings Chinese Excel writes) and XLSX, merged cells filled."""

from __future__ import annotations

import array
import codecs
import csv
import io
import itertools
import multiprocessing
import pickle
import posixpath
import queue
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from checkin_app.domain.messages import DeskError, Message, Words, msg, text
from checkin_app.lifeline import die_with_parent

# Bytes read per step when checking an encoding or scanning a sheet for merged cells.
_CHUNK = 1 << 20
# Lines looked at to guess the delimiter (a title row and the header are among them).
_SNIFF_LINES = 40
DELIMITERS = (",", "\t", ";", "|")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "big5")
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"

Row = list[object]


class ReadError(DeskError):
    """The file cannot be read at all (wrong type, wrong encoding, gone); carries a catalogue Message."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What was found out about a file before reading it."""

    kind: str  # "csv" or "xlsx"
    sheets: tuple[str, ...]
    sheet: str
    encoding: str
    delimiter: str
    rows_estimate: int | None


def sheet_list(sheets: tuple[str, ...]) -> Words:
    """A workbook's sheet names as each language lists them ("、" between them in Chinese)."""
    return Words(text("import.list_sep", "zh").join(sheets), text("import.list_sep", "en").join(sheets))


def file_kind(path: Path) -> str:
    """'xlsx' or 'csv' from the file's first bytes (the extension lies often enough)."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ReadError(msg("import.read.cannot_open", path=path, error=str(exc))) from exc
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_XLS_MAGIC):
        raise ReadError(msg("import.read.old_xls", name=path.name))
    return "csv"


# -- CSV --------------------------------------------------------------------------------------


# A line of a registration export is a few hundred characters (the 100,000-row benchmark export
# has 142 bytes a line) and Excel's longest cell is 32,767 characters. A record (a line, or lines
# joined by a line break inside quotes) over MAX_RECORD_CHARS is refused before it is held whole:
# a 200 MB file of one line must not become a 200 MB string, or a list of 100 million fields.
MAX_RECORD_CHARS = 1 << 20
# One cell: csv's own limit, which stays as the csv module sets it (131,072 characters, four
# times Excel's longest cell); a longer one is refused with its line.


def _bad_line(path: Path, encoding: str) -> int | None:
    """The line holding the first bytes that do not decode in `encoding`, or None when the whole
    file decodes (read in chunks: memory stays flat)."""
    skip = 0
    with path.open("rb") as f:
        head = f.read(4)
    # Without its mark, so an error's offset is the file's (the -sig and BOM codecs shift it).
    if codecs.lookup(encoding).name == "utf-8-sig" and head.startswith(codecs.BOM_UTF8):
        encoding, skip = "utf-8", 3
    elif codecs.lookup(encoding).name == "utf-16" and head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encoding, skip = ("utf-16-le" if head[:2] == codecs.BOM_UTF16_LE else "utf-16-be"), 2
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 1
    with path.open("rb") as f:
        f.seek(skip)
        while chunk := f.read(_CHUNK):
            pending = decoder.getstate()[0]
            try:
                lines += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as exc:
                # The text up to the bad bytes: its line breaks say the line.
                good = (pending + chunk)[:max(exc.start, 0)]
                return lines + good.decode(encoding, errors="replace").count("\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lines
    return None


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes without error."""
    return _bad_line(path, encoding) is None


def _undecodable(path: Path, encoding: str, line: int, declared: bool = False) -> ReadError:
    if declared:
        return ReadError(msg("import.read.bom_mismatch", name=path.name, encoding=encoding, line=line))
    return ReadError(msg("import.read.undecodable", name=path.name, encoding=encoding, line=line))


def detect_encoding(path: Path) -> str:
    """The encoding of a CSV: from its byte-order mark, else the first of UTF-8 and GB18030 that fits.

    GB18030 is a superset of GBK and GB2312, which is what Excel on Chinese Windows writes.
    """
    with path.open("rb") as f:
        head = f.read(4096)
    declared = ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else
                "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None)
    if declared is not None:
        bad = _bad_line(path, declared)
        if bad is not None:
            raise _undecodable(path, declared, bad, declared=True)
        return declared
    if b"\x00" in head and not _decodes(path, "utf-8"):
        # UTF-16 without a mark: tabs and line breaks leave a zero byte on one side; the side
        # tells the byte order. (A stray NUL in valid UTF-8 is just a stray NUL.)
        pairs = {head[i:i + 2] for i in range(0, len(head) - 1, 2)}
        for candidate, marks in (("utf-16-le", {b"\n\x00", b"\t\x00", b",\x00"}),
                                 ("utf-16-be", {b"\x00\n", b"\x00\t", b"\x00,"})):
            if pairs & marks and _decodes(path, candidate):
                return candidate
    for candidate in ("utf-8", "gb18030"):
        if _decodes(path, candidate):
            return candidate
    raise ReadError(msg("import.read.no_encoding", name=path.name))


def check_encoding(path: Path, encoding: str) -> None:
    """Raise a ReadError naming the problem (and the line) if the file does not decode in `encoding`."""
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise ReadError(msg("import.read.unknown_encoding", encoding=encoding)) from exc
    bad = _bad_line(path, encoding)
    if bad is not None:
        raise _undecodable(path, encoding, bad)


def _open_text(path: Path, encoding: str) -> tuple[IO[bytes], io.TextIOWrapper]:
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    return raw, text


class _TooLong(Exception):
    """A record over MAX_RECORD_CHARS (raised from inside the csv reader's line source)."""


def _lines(text: io.TextIOWrapper, record: list[int]) -> Iterator[str]:
    """The file's lines for csv.reader, none held past MAX_RECORD_CHARS; record[0] counts the
    characters of the record being read (the caller zeroes it after each record).

    NUL characters are dropped: they mean nothing in a registration, Excel never writes one, and
    PostgreSQL cannot store one (a name holding one could never reach the hub).
    """
    while line := text.readline(MAX_RECORD_CHARS + 1):
        record[0] += len(line)
        if record[0] > MAX_RECORD_CHARS:
            raise _TooLong()
        yield line.replace("\x00", "") if "\x00" in line else line


def _too_long(path: Path, line: int) -> ReadError:
    return ReadError(msg("import.read.line_too_long", name=path.name, line=line,
                         limit=MAX_RECORD_CHARS))


def _csv_error(path: Path, line: int, exc: csv.Error) -> ReadError:
    if "field larger than field limit" in str(exc):
        limit = csv.field_size_limit()
        return ReadError(msg("import.read.cell_too_long", name=path.name, line=line, limit=limit))
    return ReadError(msg("import.read.malformed", name=path.name, line=line, error=str(exc)))


def detect_delimiter(path: Path, encoding: str) -> str:
    """The delimiter that splits most of the first lines into the same, largest number of fields."""
    raw, text = _open_text(path, encoding)
    lines = []
    with raw, text:
        try:
            for number in range(1, _SNIFF_LINES + 1):
                line = text.readline(MAX_RECORD_CHARS + 1)
                if not line:
                    break
                if len(line) > MAX_RECORD_CHARS:
                    raise _too_long(path, number)
                lines.append(line.replace("\x00", ""))
        except UnicodeDecodeError as exc:
            raise _undecodable(path, encoding, _bad_line(path, encoding) or len(lines) + 1) from exc
    sample = "".join(lines)
    best = "\t" if encoding.startswith("utf-16") else ","
    best_score: tuple[int, int, int] = (0, 0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delim)
                      if any(r)]
        except csv.Error:  # a cell over csv's limit with this delimiter: not this one
            continue
        split = [c for c in counts if c > 1]
        if not split:
            continue
        # The most cells made on the lines agreeing on a width (a header of nine columns beats
        # two lines cut in two by a '|' in a cell), then most lines split, then the wider table.
        mode = max(set(split), key=lambda c: (split.count(c), c))
        score = (split.count(mode) * (mode - 1), len(split), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def iter_csv(path: Path, encoding: str, delimiter: str,
             progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Row]]:
    """(line number, cells) for every record; a line number is where the record starts.

    Streamed: memory holds one record, at most MAX_RECORD_CHARS, whatever the file's size.
    """
    total = path.stat().st_size
    raw, text = _open_text(path, encoding)
    record = [0]
    with raw, text:
        reader = csv.reader(_lines(text, record), delimiter=delimiter)
        n = 0
        try:
            while True:
                line = reader.line_num + 1
                record[0] = 0
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                n += 1
                if progress is not None and n % 1000 == 0:
                    progress(raw.tell(), total)
                yield line, list(cells)
        except UnicodeDecodeError as exc:
            raise _undecodable(path, encoding, _bad_line(path, encoding) or reader.line_num + 1) from exc
        except _TooLong:  # named by the line its record starts on (an unclosed quote's line)
            raise _too_long(path, line) from None
        except csv.Error as exc:
            raise _csv_error(path, line, exc) from exc


# -- XLSX -------------------------------------------------------------------------------------

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


# -- XLSX limits --------------------------------------------------------------------------------
# A workbook is a zip of XML parts, and both readers trust it: calamine keeps a sheet as one dense
# grid from A1 to its last cell with a value (a single value at XFD1048576 asks for 550 GB and
# aborts the process), copies a shared string into every cell that uses it (a 13 KB file with one
# 1 MB string used by 2,000 cells took 2 GB), holds the shared strings whole (about 3.5 times their
# XML) and buffers whitespace between tags (300 MB of it took 312 MB; a 3 MB file holds 3 GB). So the
# zip's directory and the parts the readers load are checked before either reader sees them.
#
# Sizes are set from a 100,000-row export (the design size; 11 columns, 1.1 million cells): its
# sheet is 62 MB of XML (inline strings, 9.6 times smaller deflated), an Excel-style shared-strings
# part for it about 6 MB (estimated from its distinct values); read whole it peaks at 163 MB. Each
# limit leaves three to six times that: a sheet at the limits (92,000 rows × 40 columns, 199 MB of
# XML) peaks at 616 MB read, calamine alone at 609 MB.
MAX_XLSX_PARTS = 2000  # parts in the zip (a workbook has about 10 plus 2-3 per sheet or picture)
MAX_SHEET_BYTES = 200 << 20  # one sheet's XML, uncompressed: about 320,000 rows of that export
MAX_XLSX_BYTES = 400 << 20  # every part together, uncompressed
MAX_SHARED_BYTES = 32 << 20  # the shared strings, uncompressed: at most ~110 MB held by calamine
MAX_PART_BYTES = 16 << 20  # any other XML part (styles, workbook, relations: kilobytes in practice)
# Uncompressed ÷ compressed for a part over 1 MB: real sheets are 5-15 (100,000 rows of one value
# are 18, empty formatted cells 12); deflate's ceiling is 1,032, where whitespace and zip bombs sit.
MAX_RATIO = 100
_RATIO_FROM = 1 << 20
MAX_SHEETS = 256
# Cells of a sheet's grid (rows × columns up to the last cell with a value): 100,000 rows × 40
# columns. calamine holds 32 bytes a cell plus the text; the grid read from it 8 bytes a cell more.
MAX_CELLS = 4_000_000
# Text the cells of one sheet hold once shared strings are copied into them (an export's is 20-30 MB).
MAX_CELL_TEXT_BYTES = 128 << 20
# An XML element or a run of text with no tag in it: Excel's longest cell (32,767 characters) is
# under 128 KB; a longer run is whitespace or junk that calamine would buffer whole.
MAX_XML_RUN = 1 << 20
# Merged ranges of a sheet (a team list merges a few cells a team: thousands at 100,000 rows).
MAX_MERGES = 100_000

_MB = 1 << 20


def _mb(n: int) -> str:
    return f"{n / _MB:,.0f} MB" if n >= _MB else f"{n:,} B"


def _refuse(name: str, why: Message) -> ReadError:
    return ReadError(msg("import.read.refused", name=name, why=why))


def check_xlsx_directory(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a workbook whose zip directory declares more than the limits allow (nothing is
    decompressed: a bomb is refused in milliseconds)."""
    infos = archive.infolist()
    if len(infos) > MAX_XLSX_PARTS:
        raise _refuse(name, msg("import.xlsx.too_many_parts", count=len(infos), limit=MAX_XLSX_PARTS))
    seen: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in seen:  # two readers could take different ones
            raise _refuse(name, msg("import.xlsx.part_twice", part=info.filename))
        seen.add(info.filename)
        size = info.file_size
        total += size
        limit = _part_limit(info.filename)
        if size > limit:
            raise _refuse(name, msg("import.xlsx.part_too_big", part=info.filename, size=_mb(size),
                                    limit=_mb(limit)))
        if size >= _RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise _refuse(name, msg("import.xlsx.zip_bomb", part=info.filename, ratio=ratio,
                                    limit=MAX_RATIO))
    if total > MAX_XLSX_BYTES:
        raise _refuse(name, msg("import.xlsx.too_big", size=_mb(total), limit=_mb(MAX_XLSX_BYTES)))


def _part_limit(part: str) -> int:
    low = part.lower()
    if low.endswith((".xml", ".rels")) and "/media/" not in low:
        if "worksheets/" in low or "chartsheets/" in low:
            return MAX_SHEET_BYTES
        if low.endswith("sharedstrings.xml"):
            return MAX_SHARED_BYTES
        return MAX_PART_BYTES
    return MAX_XLSX_BYTES  # pictures and other files: neither reader opens them


def _xml_chunks(archive: zipfile.ZipFile, part: str, name: str) -> Iterator[tuple[int, bytes]]:
    """(offset, XML) of a part, a megabyte at a time, each cut after a '>' so no tag is split.

    Read through zipfile, which stops at the declared size and checks the CRC: a part that holds
    more than its directory says, or is damaged, is refused here with a clear message.
    """
    tail = b""
    offset = 0
    try:
        with archive.open(part) as f:
            while chunk := f.read(_CHUNK):
                data = tail + chunk
                cut = data.rfind(b">") + 1
                if len(data) - cut > MAX_XML_RUN:
                    raise _refuse(name, msg("import.xlsx.xml_run", part=part, limit=_mb(MAX_XML_RUN)))
                if cut:
                    yield offset, data[:cut]
                    offset += cut
                tail = data[cut:]
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _refuse(name, msg("import.xlsx.part_damaged", part=part, error=str(exc))) from exc
    if tail.strip():
        yield offset, tail


def _verify_part(archive: zipfile.ZipFile, part: str, name: str) -> None:
    for _ in _xml_chunks(archive, part, name):
        pass


_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


def _shared_string_sizes(archive: zipfile.ZipFile, part: str, name: str) -> array.array[int]:
    """An upper bound of each shared string's size (the bytes of its XML item), in order."""
    starts: list[int] = []
    sizes: array.array[int] = array.array("Q")
    end = 0
    for offset, data in _xml_chunks(archive, part, name):
        found = [offset + m.start() for m in _SI.finditer(data)]
        if found:
            if starts:
                found.insert(0, starts[-1])
            sizes.extend(b - a for a, b in itertools.pairwise(found))
            starts = [found[-1]]
        end = offset + len(data)
    if starts:
        sizes.append(end - starts[-1])
    return sizes


@dataclass(slots=True)
class SheetScan:
    """What a sheet's XML holds, found without building it: the last row and column with a value
    (1-based), its merged ranges, and the bytes of text its shared-string cells copy."""

    max_row: int = 0
    max_col: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    shared_text: int = 0


def _above(s: bytes, lo: int, hi: int) -> bytes:
    """A regex for the strings over [lo-hi] that sort after `s` as cell references do (longer
    first, then letter by letter): rows and columns greater than a known one."""
    cls = b"[%c-%c]" % (lo, hi)
    alts = [cls + b"{%d,}" % (len(s) + 1)]
    for i, ch in enumerate(s):
        if ch < hi:
            alts.append(re.escape(s[:i]) + b"[%c-%c]" % (ch + 1, hi) + cls + b"{%d}" % (len(s) - i - 1))
    return b"(?:" + b"|".join(alts) + b")"


def _col_letters(n: int) -> bytes:
    out = b""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = bytes([65 + rem]) + out
    return out


_TAG_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
_ANY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s>/])([^>]*)>")
_ATTR_R = re.compile(rb"""\br\s*=\s*["']\s*([A-Za-z]{0,3})([0-9]{0,10})\s*["']""")
_SHARED_INDEX = re.compile(
    rb"""\bt\s*=\s*["']s["'][^>]*(?<!/)>\s*<(?:[A-Za-z_][\w.-]*:)?v>\s*([0-9]{1,10})\s*<""")
_ATTR_T_SHARED = re.compile(rb"""\bt\s*=\s*["']s["']""")


class _SheetScanner:
    """Scans a sheet's XML in chunks. Cells written as Excel and the libraries write them
    (`<c r="B7" ...>`, rows in order) cost a few searches a megabyte; any other form is walked tag
    by tag, as calamine places cells (a cell without a reference follows the one before it)."""

    def __init__(self, archive: zipfile.ZipFile, part: str, shared: array.array[int],
                 name: str) -> None:
        self.archive = archive
        self.scan = SheetScan()
        self.shared = shared
        self.longest = max(shared, default=0)
        self.name = name
        self.part = part
        self.prefix = b""
        self.row = 0  # the row of the last <row> tag, for cells without a reference
        self.col = 0
        self.s_cells = 0

    def feed(self, data: bytes) -> None:
        if not self.scan.max_row and not self.prefix:
            m = _TAG_ROOT.search(data)
            if m and m.group(1):
                self.prefix = m.group(1) + b":"
        # Cells are looked for in the whole part, merged ranges wherever they are: a stray
        # <mergeCells> inside the sheet data must not hide the cells after it.
        self._cells(data)
        if b"mergeCell" in data:  # a plain find first: the regex has no fixed start, and is slow
            for c1, r1, c2, r2 in _MERGE.findall(data):
                self.scan.merges.append((int(r1), _col_index(c1), int(r2), _col_index(c2)))
            if len(self.scan.merges) > MAX_MERGES:
                raise _refuse(self.name, msg("import.xlsx.too_many_merges", part=self.part,
                                             limit=MAX_MERGES))

    def _cells(self, data: bytes) -> None:
        p = self.prefix
        # Every tag starting "<c" (cells, and <cols>, <cfRule>... which send their chunk the slow
        # way) against those written <c r="...": equal means every cell has its reference first.
        # calamine goes by local names, so a cell under any prefix (":c") is walked tag by tag too.
        if (p or b":c" in data or data.count(b"<c") != data.count(b'<c r="')
                or not self._canonical(data)):
            self._walk(data)
        if self.longest:
            self.s_cells += data.count(b'"s"') + data.count(b"'s'")
        last = data.rfind(b"<" + p + b'row r="')
        if last >= 0:
            m = re.match(rb'<[^"]*"([0-9]{1,10})"', data[last:last + 40])
            if m:
                self.row = int(m.group(1))
        self._check()

    def _content(self, data: bytes, start: int) -> bool:
        end = data.find(b">", start)
        return end > 0 and data[end - 1:end] != b"/"

    def _note(self, row: int, col: int) -> None:
        if row > self.scan.max_row:
            self.scan.max_row = row
        if col > self.scan.max_col:
            self.scan.max_col = col

    def _canonical(self, data: bytes) -> bool:
        """Note the cells beyond the extent so far; False when a reference is not plain A1 form."""
        head = b"<" + re.escape(self.prefix) + rb'c r="'
        ref = re.compile(head + rb'([A-Z]{1,3})([0-9]{1,7})"')
        # The last cell with a value is the furthest row (rows come in order) and usually the
        # widest column; then only a cell beyond both needs looking at.
        pos = len(data)
        for _ in range(64):
            pos = data.rfind(b"<" + self.prefix + b'c r="', 0, pos)
            if pos < 0:
                break
            if self._content(data, pos):
                m = ref.match(data, pos)
                if m:
                    self._note(int(m.group(2)), _col_index(m.group(1)) + 1)
                break
        rows = _above(b"%d" % self.scan.max_row, 48, 57) if self.scan.max_row else b"[0-9]+"
        cols = _above(_col_letters(self.scan.max_col), 65, 90) if self.scan.max_col else b"[A-Z]+"
        odd_or_beyond = re.compile(head + rb'(?:(?![A-Z]{1,3}[0-9]{1,7}")|[A-Z]{1,3}' + rows + rb'"|'
                                   + cols + rb'[0-9])')
        for m in odd_or_beyond.finditer(data):
            found = ref.match(data, m.start())
            if found is None:
                return False
            if self._content(data, m.start()):
                self._note(int(found.group(2)), _col_index(found.group(1)) + 1)
        return True

    def _walk(self, data: bytes) -> None:
        for m in _ANY_TAG.finditer(data):
            kind, attrs = m.group(1), m.group(2)
            ref = _ATTR_R.search(attrs)
            if kind == b"row":
                self.row = int(ref.group(2)) if ref and ref.group(2) else self.row + 1
                self.col = 0
                continue
            if ref and ref.group(1):
                self.col = _col_index(ref.group(1).upper()) + 1
            else:
                self.col += 1
            row = int(ref.group(2)) if ref and ref.group(2) else self.row
            if not attrs.endswith(b"/"):
                self._note(max(row, 1), self.col)

    def _check(self) -> None:
        area = self.scan.max_row * self.scan.max_col
        if area > MAX_CELLS:
            raise _refuse(self.name, msg("import.xlsx.too_many_cells", part=self.part,
                                         row=self.scan.max_row, col=self.scan.max_col, area=area,
                                         limit=MAX_CELLS))

    def finish(self) -> SheetScan:
        # Shared strings are copied into every cell using one: bound that text, exactly when the
        # quick bound (every such cell holding the longest string) is over the limit.
        if self.s_cells * self.longest > MAX_CELL_TEXT_BYTES:
            self.scan.shared_text = self._exact_shared_text()
            if self.scan.shared_text > MAX_CELL_TEXT_BYTES:
                raise _refuse(self.name, msg("import.xlsx.shared_too_big", part=self.part,
                                             size=_mb(self.scan.shared_text),
                                             limit=_mb(MAX_CELL_TEXT_BYTES)))
        else:
            self.scan.shared_text = self.s_cells * self.longest
        return self.scan

    def _exact_shared_text(self) -> int:
        total = 0
        sizes = self.shared
        pattern = _SHARED_INDEX
        marks = 0
        found = 0
        for _offset, data in _xml_chunks(self.archive, self.part, self.name):
            marks += len(_ATTR_T_SHARED.findall(data))
            indices = pattern.findall(data)
            found += len(indices)
            try:
                total += sum(map(sizes.__getitem__, map(int, indices)))
            except IndexError:
                raise _refuse(self.name, msg("import.xlsx.shared_missing", part=self.part)) from None
        if marks != found:  # a shared-string cell not written as <c t="s"><v>N</v>: count it at the longest
            total += (marks - found) * self.longest
        return total


def scan_sheet(archive: zipfile.ZipFile, part: str, shared: array.array[int], name: str) -> SheetScan:
    """The extent, merged ranges and shared text of a sheet, refusing one over the limits."""
    scanner = _SheetScanner(archive, part, shared, name)
    for _offset, data in _xml_chunks(archive, part, name):
        scanner.feed(data)
    return scanner.finish()


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_parts(archive: zipfile.ZipFile, name: str) -> tuple[str, dict[str, str]]:
    """The workbook part and each sheet's part, by sheet name, from the workbook's relations."""
    from xml.etree import ElementTree

    def rels(part: str) -> dict[str, str]:
        folder, _, base = part.rpartition("/")
        rel_part = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        out: dict[str, str] = {}
        if rel_part not in archive.NameToInfo:
            return out
        for el in ElementTree.fromstring(archive.read(rel_part)).iter():
            if _local(el.tag) == "Relationship" and el.get("Id") and el.get("Target"):
                target = str(el.get("Target"))
                out[str(el.get("Id"))] = (target.lstrip("/") if target.startswith("/")
                                          else posixpath.normpath(posixpath.join(folder, target)))
        return out

    try:
        book = next((t for t in rels("").values() if t.endswith(".xml") and t in archive.NameToInfo
                     and "workbook" in t.lower()), "xl/workbook.xml")
        targets = rels(book)
        sheets: dict[str, str] = {}
        for el in ElementTree.fromstring(archive.read(book)).iter():
            if _local(el.tag) == "sheet":
                rid = el.get(f"{{{_REL_NS}}}id") or next(
                    (v for k, v in el.attrib.items() if _local(k) == "id"), None)
                target = targets.get(rid or "")
                if el.get("name") is not None and target:
                    sheets[str(el.get("name"))] = target
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error) as exc:
        raise _refuse(name, msg("import.xlsx.no_structure", error=str(exc))) from exc
    if len(sheets) > MAX_SHEETS:
        raise _refuse(name, msg("import.xlsx.too_many_sheets", count=len(sheets), limit=MAX_SHEETS))
    return book, sheets


class XlsxSource:
    """One workbook opened read-only; rows come with merged cells filled in.

    Read by calamine (Rust; python-calamine), several times faster than openpyxl; openpyxl reads
    a workbook calamine cannot open. Before either touches a part, the part is checked against
    the limits above (the zip's directory on opening, a sheet's extent when it is first read), so
    a hostile workbook is refused with a message instead of taking the memory.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cal: Any = None
        self.book: Any = None
        self._scans: dict[str, SheetScan] = {}
        # Grids read, kept while the import reads them again (the header search reads a sheet's
        # start first), up to MAX_CELLS cells in all: the oldest go first.
        self._grids: dict[str, list[list[object]]] = {}
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile, zlib.error) as exc:
            raise ReadError(msg("import.read.xlsx_unreadable", name=path.name, error=str(exc))) from exc
        try:
            self._check()
            self._open()
        except BaseException:
            self._zip.close()
            raise

    def _check(self) -> None:
        name = self.path.name
        check_xlsx_directory(self._zip, name)
        _, self._parts = sheet_parts(self._zip, name)
        shared: array.array[int] = array.array("Q")
        for info in self._zip.infolist():
            low = info.filename.lower()
            if not low.endswith((".xml", ".rels")) or "/media/" in low:
                continue
            if low.endswith("sharedstrings.xml"):
                shared = _shared_string_sizes(self._zip, info.filename, name)
            elif not any(d in low for d in ("worksheets/", "chartsheets/", "drawings/", "charts/")):
                _verify_part(self._zip, info.filename, name)  # what calamine reads on opening
        self._shared = shared

    def _open(self) -> None:
        path = self.path
        try:
            from python_calamine import CalamineWorkbook

            self._cal = CalamineWorkbook.from_path(str(path))
        except Exception:  # a workbook calamine cannot open: openpyxl may
            self._cal = None
        if self._cal is not None:
            self.sheets = tuple(str(n) for n in self._cal.sheet_names)
            self.epoch_1904 = _date1904(path)
            return
        import openpyxl  # imported on demand: the desk itself never needs it

        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ReadError(msg("import.read.xlsx_unreadable", name=path.name, error=str(exc))) from exc
        self.sheets = tuple(str(n) for n in self.book.sheetnames)
        self.epoch_1904 = bool(getattr(self.book, "epoch", None) and self.book.epoch.year == 1904)

    def close(self) -> None:
        """Release the file handle."""
        self._grids.clear()
        if self._cal is not None:
            self._cal.close()
        elif self.book is not None:
            self.book.close()
        self._zip.close()

    def __enter__(self) -> XlsxSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _name(self, name: str | None) -> str:
        if name is None:
            name = self.sheets[0]
        if name not in self.sheets:
            raise ReadError(msg("import.read.no_sheet", sheet=name, listed=sheet_list(self.sheets)))
        return name

    def scan(self, name: str | None) -> SheetScan:
        """The sheet's extent and merged ranges from its XML; a ReadError when over the limits."""
        name = self._name(name)
        found = self._scans.get(name)
        if found is None:
            part = self._parts.get(name)
            if part is None or part not in self._zip.NameToInfo:
                raise _refuse(self.path.name, msg("import.xlsx.no_sheet_part", sheet=name))
            found = self._scans[name] = scan_sheet(self._zip, part, self._shared, self.path.name)
        return found

    def sheet(self, name: str | None) -> Any:
        """The named sheet (or the first), checked against the limits; a ReadError listing the
        sheets when it does not exist."""
        name = self._name(name)
        self.scan(name)
        return self._cal.get_sheet_by_name(name) if self._cal is not None else self.book[name]

    def rows_estimate(self, name: str | None) -> int | None:
        """The sheet's last row with a value (from its XML, not its claimed dimension)."""
        return self.scan(name).max_row or None

    def iter_rows(self, name: str | None,
                  progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Row]]:
        """(row number, cells) of every row; a merged range repeats its top-left value in its cells."""
        name = self._name(name)
        grid = self._grid(name)
        total = len(grid)
        for number, cells in enumerate(grid, start=1):
            if progress is not None and number % 1000 == 0:
                progress(number, total)
            yield number, [None if c == "" else c for c in cells]

    def _grid(self, name: str) -> list[list[object]]:
        grid = self._grids.get(name)
        if grid is not None:
            return grid
        scan = self.scan(name)
        ws = self.sheet(name)
        if self._cal is not None:
            # The whole sheet at once: calamine reads it in Rust in a fraction of openpyxl's time.
            grid = ws.to_python(skip_empty_area=False)
        else:
            # Not past the last value: a claimed dimension or a formatted cell far out costs nothing.
            ws.reset_dimensions()
            grid = [list(r) for r in ws.iter_rows(max_row=scan.max_row or 1, max_col=scan.max_col or 1,
                                                   values_only=True)] if scan.max_row else []
        fill_merges(grid, scan.merges, self.path.name)
        kept = sum(len(g) * (len(g[0]) if g else 0) for g in self._grids.values())
        size = len(grid) * (len(grid[0]) if grid else 0)
        while self._grids and kept + size > MAX_CELLS:
            oldest = next(iter(self._grids))
            kept -= len(self._grids[oldest]) * len(self._grids[oldest][0] if self._grids[oldest] else ())
            del self._grids[oldest]
        self._grids[name] = grid
        return grid


def _empty(value: object) -> bool:
    return value is None or value == ""


def fill_merges(grid: list[list[object]], merges: list[tuple[int, int, int, int]], name: str) -> None:
    """Repeat each merged range's top-left value in its other cells, within the grid.

    A range is cut to the rows and columns the sheet has (one over a whole sheet costs what the
    sheet's cells cost). Excel empties a range's other cells when it merges them; a range whose
    other cells hold values was not merged by Excel, and is left alone: nothing is overwritten.
    """
    if not grid:
        return
    width = max(len(r) for r in grid)
    budget = 2 * max(MAX_CELLS, len(grid) * width)  # overlapping ranges are not a workbook's
    for r1, c1, r2, c2 in merges:
        r1, c1 = r1 - 1, c1  # rows 1-based in the scan, columns 0-based
        r2, c2 = min(r2 - 1, len(grid) - 1), min(c2, width - 1)
        if r1 < 0 or r1 > r2 or c1 > c2:
            continue
        budget -= (r2 - r1 + 1) * (c2 - c1 + 1)
        if budget < 0:
            raise _refuse(name, msg("import.xlsx.merges_overlap"))
        top = grid[r1]
        value = top[c1] if c1 < len(top) else None
        if _empty(value):
            continue
        others = (cells[c] for r, cells in enumerate(grid[r1:r2 + 1], start=r1)
                  for c in range(c1, min(c2, len(cells) - 1) + 1) if (r, c) != (r1, c1))
        if not all(_empty(v) for v in others):
            continue
        for cells in grid[r1:r2 + 1]:
            _fill(cells, c1, c2, value)


_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")


def _date1904(path: Path) -> bool:
    """Whether the workbook counts dates from 1904 (old Mac Excel)."""
    try:
        with zipfile.ZipFile(path) as z:
            return bool(_DATE1904.search(z.read("xl/workbook.xml")[:8192]))
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def _fill(cells: Row, first: int, last: int, value: object) -> None:
    if len(cells) <= last:
        cells.extend([None] * (last + 1 - len(cells)))
    for i in range(first, last + 1):
        cells[i] = value


# -- XLSX in a reader process -------------------------------------------------------------------

# Rows a reader process sends per message, and messages queued ahead of the importer: the
# parser runs ahead by at most this much, so memory stays bounded whatever the file's size.
STREAM_ROWS = 2000
STREAM_QUEUED = 8
# Rows of the chosen sheet kept for reading again (the header search and the preview read the
# start of the sheet before the import reads all of it).
_REPLAY_ROWS = 1000
# How often a waiting importer checks that the reader process is still alive, in seconds.
_POLL = 0.2


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a ReadError carrying its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return ReadError(msg("import.read.xlsx_error", error=str(exc)))
    return exc


def _stream_xlsx(path: str, sheet: str | None, head_rows: int, out: Any) -> None:
    """The reader process: the workbook's facts and the first rows of the sheets looked at for a
    header, then every row of the chosen sheet, STREAM_ROWS at a time; errors are sent, not raised."""
    die_with_parent()  # a killed import must not leave its reader behind, stuck on a full queue
    try:
        from checkin_app.importers.fields import find_header

        with XlsxSource(Path(path)) as book:
            heads: dict[str, list[tuple[int, Row]]] = {}
            chosen: str | None = sheet
            if sheet is None:
                # The same search as the importer's: the first sheet with a recognisable header.
                chosen = book.sheets[0]
                for name in book.sheets:
                    heads[name] = list(itertools.islice(book.iter_rows(name), head_rows))
                    if find_header([cells for _, cells in heads[name]]) is not None:
                        chosen = name
                        break
            elif sheet not in book.sheets:
                chosen = None  # the importer reports the missing sheet itself
            estimates = {name: book.rows_estimate(name) for name in book.sheets}
            out.put(("meta", book.sheets, book.epoch_1904, estimates, heads, chosen))
            if chosen is not None:
                batch: list[tuple[int, Row]] = []
                for item in book.iter_rows(chosen):
                    batch.append(item)
                    if len(batch) >= STREAM_ROWS:
                        out.put(("rows", batch))
                        batch = []
                if batch:
                    out.put(("rows", batch))
        out.put(("end",))
    except BaseException as exc:  # the importer raises it, as if it had read the file itself
        out.put(("error", _portable(exc)))


class XlsxStream:
    """A big workbook parsed in a spawned reader process while this one checks and writes rows.

    openpyxl's parsing is most of the time an XLSX import takes and holds one core; with the
    rows arriving through a bounded queue, the importer works on a second core meanwhile. It
    answers what an import asks of an XlsxSource: the sheets, the first rows of each sheet
    searched for a header, and the chosen sheet's rows (read again from its start at most until
    the real read goes past the first _REPLAY_ROWS). Closing it stops the reader at once.
    """

    def __init__(self, path: Path, sheet: str | None, head_rows: int) -> None:
        self.path = path
        # Spawned, not forked: the caller may be a thread of the GUI (as for search workers).
        ctx = multiprocessing.get_context("spawn")
        self._queue: Any = ctx.Queue(STREAM_QUEUED)
        self._proc = ctx.Process(target=_stream_xlsx, args=(str(path), sheet, head_rows, self._queue),
                                 name="checkin-xlsx-reader", daemon=True)
        self._proc.start()
        self._rows: list[tuple[int, Row]] = []
        self._done = False
        self._streamed = False
        try:
            meta = self._next()
        except BaseException:
            self.close()
            raise
        _, sheets, epoch, self._estimates, self._heads, self._chosen = meta
        self.sheets: tuple[str, ...] = tuple(sheets)
        self.epoch_1904 = bool(epoch)

    def _next(self) -> Any:
        while True:
            try:
                msg = self._queue.get(timeout=_POLL)
            except queue.Empty:
                if self._proc.is_alive():
                    continue
                try:
                    msg = self._queue.get(timeout=_POLL)  # sent just before it ended
                except queue.Empty:
                    code = self._proc.exitcode
                    # Message(), not msg(): a local `msg` (the reader's answer) is in scope here.
                    raise ReadError(Message("import.read.reader_died",
                                            {"name": self.path.name, "code": code})) from None
            if msg[0] == "error":
                raise msg[1]
            return msg

    def close(self) -> None:
        """Stop the reader process (at once, when the import ends early) and release the queue."""
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._proc.close()
        self._queue.close()
        self._queue.join_thread()

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def sheet(self, name: str | None) -> str:
        """The sheet's name (the first when None); a ReadError listing the sheets when it does not exist."""
        if name is None:
            return self.sheets[0]
        if name not in self.sheets:
            raise ReadError(msg("import.read.no_sheet", sheet=name, listed=sheet_list(self.sheets)))
        return name

    def rows_estimate(self, name: str | None) -> int | None:
        """The sheet's declared number of rows (may be missing or wrong)."""
        return cast("int | None", self._estimates.get(self.sheet(name)))

    def iter_rows(self, name: str | None,
                  progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Row]]:
        """As XlsxSource.iter_rows; a sheet other than the chosen one has only its first rows."""
        name = self.sheet(name)
        rows: Iterator[tuple[int, Row]] = (
            self._chosen_rows() if name == self._chosen else iter(self._heads.get(name, ())))
        total = self.rows_estimate(name) or 0
        for number, cells in rows:
            if progress is not None and number % 1000 == 0:
                progress(number, max(total, number))
            yield number, list(cells)

    def _chosen_rows(self) -> Iterator[tuple[int, Row]]:
        if self._streamed:
            raise RuntimeError("the rows of this sheet have been read already")
        i = 0
        while True:
            while i < len(self._rows):
                yield self._rows[i]
                i += 1
            if self._done:
                return
            msg = self._next()
            if msg[0] == "end":
                self._done = True
            elif self._streamed or len(self._rows) >= _REPLAY_ROWS:
                # The real read: keep only the rows in hand.
                self._streamed = True
                self._rows, i = msg[1], 0
            else:
                self._rows.extend(msg[1])
