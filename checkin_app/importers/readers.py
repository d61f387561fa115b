"""Streaming rows out of CSV (in the encodings Chinese Excel writes) and XLSX, merged cells filled."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import multiprocessing
import pickle
import queue
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

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


class ReadError(Exception):
    """The file cannot be read at all (wrong type, wrong encoding, gone); the message is bilingual."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What was found out about a file before reading it."""

    kind: str  # "csv" or "xlsx"
    sheets: tuple[str, ...]
    sheet: str
    encoding: str
    delimiter: str
    rows_estimate: int | None


def file_kind(path: Path) -> str:
    """'xlsx' or 'csv' from the file's first bytes (the extension lies often enough)."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ReadError(f"无法打开文件 {path}：{exc}\nCannot open {path}: {exc}") from exc
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_XLS_MAGIC):
        raise ReadError(
            f"{path.name} 是旧版 Excel（.xls）文件。请在 Excel 中另存为 .xlsx 或 CSV 后再导入。\n"
            f"{path.name} is an old Excel (.xls) file. Save it as .xlsx or CSV in Excel, then import that."
        )
    return "csv"


# -- CSV --------------------------------------------------------------------------------------


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes without error (checked in chunks: memory stays flat)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """The encoding of a CSV: from its byte-order mark, else the first of UTF-8 and GB18030 that fits.

    GB18030 is a superset of GBK and GB2312, which is what Excel on Chinese Windows writes.
    """
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
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
    raise ReadError(
        f"{path.name} 既不是 UTF-8 也不是 GB18030/GBK 编码，请选择文件的编码（例如 big5）。\n"
        f"{path.name} is neither UTF-8 nor GB18030/GBK; choose the file's encoding (e.g. big5)."
    )


def check_encoding(path: Path, encoding: str) -> None:
    """Raise a ReadError naming the problem if the file does not decode in `encoding`."""
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise ReadError(f"未知编码：{encoding}\nUnknown encoding: {encoding}") from exc
    if not _decodes(path, encoding):
        raise ReadError(
            f"{path.name} 不能按 {encoding} 编码读取（会出现乱码），请换一种编码。\n"
            f"{path.name} cannot be read as {encoding} (the text would be garbled); choose another "
            "encoding."
        )


def _open_text(path: Path, encoding: str) -> tuple[IO[bytes], io.TextIOWrapper]:
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    return raw, text


def detect_delimiter(path: Path, encoding: str) -> str:
    """The delimiter that splits most of the first lines into the same, largest number of fields."""
    raw, text = _open_text(path, encoding)
    lines = []
    with raw, text:
        try:
            for _ in range(_SNIFF_LINES):
                line = text.readline()
                if not line:
                    break
                lines.append(line)
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{path.name} 不能按 {encoding} 编码读取，请换一种编码。\n"
                f"{path.name} cannot be read as {encoding}; choose another encoding."
            ) from exc
    sample = "".join(lines)
    best = "\t" if encoding.startswith("utf-16") else ","
    best_score: tuple[int, int, int] = (0, 0, 0)
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delim) if any(r)]
        split = [c for c in counts if c > 1]
        if not split:
            continue
        # Most lines split, then most lines agreeing on a width, then the wider table.
        mode = max(set(split), key=split.count)
        score = (len(split), split.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def iter_csv(path: Path, encoding: str, delimiter: str,
             progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Row]]:
    """(line number, cells) for every record; a line number is where the record starts."""
    total = path.stat().st_size
    raw, text = _open_text(path, encoding)
    with raw, text:
        reader = csv.reader(text, delimiter=delimiter)
        n = 0
        try:
            while True:
                line = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                n += 1
                if progress is not None and n % 1000 == 0:
                    progress(raw.tell(), total)
                yield line, list(cells)
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{path.name} 第 {reader.line_num + 1} 行附近不能按 {encoding} 编码读取，请换一种编码。\n"
                f"{path.name} cannot be read as {encoding} near line {reader.line_num + 1}; choose "
                "another encoding."
            ) from exc
        except csv.Error as exc:
            raise ReadError(
                f"{path.name} 第 {reader.line_num} 行格式错误：{exc}\n"
                f"{path.name} line {reader.line_num} is malformed: {exc}"
            ) from exc


# -- XLSX -------------------------------------------------------------------------------------

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_MERGE_START = re.compile(rb"<(?:\w+:)?mergeCells[\s>]")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def merged_ranges(archive: zipfile.ZipFile, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col) of every merged range, 1-based rows, 0-based cols.

    openpyxl's read-only mode skips <mergeCells>, which sits after all the cell data; scanning the
    decompressed sheet for it is quick and keeps only the tail in memory.
    """
    ranges: list[tuple[int, int, int, int]] = []
    tail = b""
    in_merges = False
    with archive.open(sheet_path) as f:
        while chunk := f.read(_CHUNK):
            data = tail + chunk
            if not in_merges:
                m = _MERGE_START.search(data)
                if m is None:
                    tail = data[-64:]
                    continue
                in_merges = True
                data = data[m.start():]
            cut = data.rfind(b">") + 1
            for c1, r1, c2, r2 in _MERGE.findall(data[:cut]):
                ranges.append((int(r1), _col_index(c1), int(r2), _col_index(c2)))
            tail = data[cut:]
    return ranges


class XlsxSource:
    """One workbook opened read-only; rows come with merged cells filled in.

    Read by calamine (Rust; python-calamine), several times faster than openpyxl and with the
    merged ranges; openpyxl (streaming, merged ranges scanned from the sheet's XML) reads a
    workbook calamine cannot open.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cal: Any = None
        self._merges: dict[str, list[tuple[int, int, int, int]]] = {}
        self._grids: dict[str, list[list[object]]] = {}
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
            self.book: Any = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ReadError(
                f"无法读取 Excel 文件 {path.name}：{exc}\nCannot read the Excel file {path.name}: {exc}"
            ) from exc
        self.sheets = tuple(str(n) for n in self.book.sheetnames)
        self.epoch_1904 = bool(getattr(self.book, "epoch", None) and self.book.epoch.year == 1904)

    def close(self) -> None:
        """Release the file handle."""
        if self._cal is not None:
            self._cal.close()
            self._grids.clear()
        else:
            self.book.close()

    def __enter__(self) -> XlsxSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def sheet(self, name: str | None) -> Any:
        """The named sheet (or the first); a ReadError listing the sheets when it does not exist."""
        if name is None:
            name = self.sheets[0]
        if name not in self.sheets:
            listed = "、".join(self.sheets)
            raise ReadError(
                f"工作簿中没有名为 {name} 的工作表（现有：{listed}）\n"
                f"No sheet named {name} in the workbook (sheets: {', '.join(self.sheets)})"
            )
        return self._cal.get_sheet_by_name(name) if self._cal is not None else self.book[name]

    def rows_estimate(self, name: str | None) -> int | None:
        """The sheet's declared number of rows (cheap; may be missing or wrong)."""
        try:
            ws = self.sheet(name)
            if self._cal is not None:
                return int(ws.height + ws.start[0]) or None if ws.start else None
            return int(ws.max_row or 0) or None
        except ReadError:
            raise
        except Exception:  # a sheet without a dimension element
            return None

    def iter_rows(self, name: str | None,
                  progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Row]]:
        """(row number, cells) of every row; a merged range repeats its top-left value in every cell."""
        if self._cal is not None:
            yield from self._calamine_rows(name, progress)
            return
        ws = self.sheet(name)
        merges = self._merges.get(ws.title)
        if merges is None:
            merges = self._merges[ws.title] = merged_ranges(self.book._archive, ws._worksheet_path)
        # Ranges starting at a row, and the values they carry down to later rows.
        starting: dict[int, list[tuple[int, int, int, int]]] = {}
        for rng in merges:
            starting.setdefault(rng[0], []).append(rng)
        carried: list[tuple[int, int, int, object]] = []  # (last row, first col, last col, value)
        total = self.rows_estimate(name) or 0
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells: Row = list(values)
            if carried:
                carried = [c for c in carried if c[0] >= number]
                for _last, c1, c2, value in carried:
                    _fill(cells, c1, c2, value)
            for r1, c1, r2, c2 in starting.get(number, ()):
                value = cells[c1] if c1 < len(cells) else None
                _fill(cells, c1, c2, value)
                if r2 > r1:
                    carried.append((r2, c1, c2, value))
            if progress is not None and number % 1000 == 0:
                progress(number, max(total, number))
            yield number, cells


    def _calamine_rows(self, name: str | None,
                       progress: Callable[[int, int], None] | None) -> Iterator[tuple[int, Row]]:
        ws = self.sheet(name)
        key = str(ws.name)
        grid = self._grids.get(key)
        if grid is None:
            # The whole sheet at once (calamine reads it in Rust in a fraction of openpyxl's
            # time); kept while the workbook is open, as the header search reads it first.
            grid = ws.to_python(skip_empty_area=False)
            for (r1, c1), (r2, c2) in ws.merged_cell_ranges or ():
                if r1 >= len(grid):
                    continue
                value = grid[r1][c1] if c1 < len(grid[r1]) else ""
                for r in range(r1, min(r2, len(grid) - 1) + 1):
                    _fill(grid[r], c1, c2, value)
            self._grids[key] = grid
        total = len(grid)
        for number, cells in enumerate(grid, start=1):
            if progress is not None and number % 1000 == 0:
                progress(number, total)
            yield number, [None if c == "" else c for c in cells]


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
        return ReadError(f"读取 Excel 文件时出错：{exc}\nError while reading the Excel file: {exc}")
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
                    raise ReadError(
                        f"读取 {self.path.name} 的进程意外退出（代码 {code}），未导入任何数据。\n"
                        f"The process reading {self.path.name} stopped unexpectedly (code {code}); "
                        "nothing was imported."
                    ) from None
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
            listed = "、".join(self.sheets)
            raise ReadError(
                f"工作簿中没有名为 {name} 的工作表（现有：{listed}）\n"
                f"No sheet named {name} in the workbook (sheets: {', '.join(self.sheets)})"
            )
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
