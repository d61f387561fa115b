"""Hostile import files: zip bombs, shared-string copies, far cells, whole-sheet merges, a 200 MB CSV,
over-long lines and cells, NULs, bytes that are not the declared encoding. Each is refused with a
message in both languages, or read within a memory and time budget measured in a subprocess."""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from checkin_app.importers import readers
from checkin_app.importers.readers import ReadError, XlsxSource
from checkin_app.storage.db import Database

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
       '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
       'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
       'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
       '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override '
       'PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
         'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
       'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
       'relationships"><sheets><sheet name="报名信息" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
            'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
            'formats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_EMPTY_SST = f'<sst {_NS} count="0" uniqueCount="0"></sst>'
_HEADER = ("报名编号", "姓名", "单位")


# -- building workbooks byte by byte ----------------------------------------------------------------

class _Part:
    """A zip member: its raw deflate stream, CRC and size (declared sizes may be made to lie)."""

    def __init__(self, name: str, data: bytes = b"", *, raw: bytes | None = None, crc: int = 0,
                 size: int = 0) -> None:
        self.name = name
        if raw is None:
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            raw, crc, size = co.compress(data) + co.flush(), zlib.crc32(data), len(data)
        self.raw, self.crc, self.size = raw, crc, size


def _write_zip(path: Path, parts: list[_Part]) -> None:
    """A plain (not zip64) archive written by hand, so a part can be a precomputed bomb."""
    central = b""
    with path.open("wb") as f:
        for p in parts:
            offset = f.tell()
            name = p.name.encode()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, p.crc, len(p.raw),
                                p.size, len(name), 0) + name)
            f.write(p.raw)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, p.crc,
                                   len(p.raw), p.size, len(name), 0, 0, 0, 0, 0, offset) + name
        start = f.tell()
        f.write(central)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), start, 0))


def _repeated(prefix: bytes, block: bytes, times: int, suffix: bytes) -> _Part:
    """prefix + block × times + suffix, deflated without deflating it all: after a full flush the
    compressor starts afresh, so each further block compresses to the same bytes."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = co.compress(prefix) + co.flush(zlib.Z_FULL_FLUSH)
    first = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    assert first == again
    raw = head + first * times + co.compress(suffix) + co.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    size = len(prefix) + len(block) * times + len(suffix)
    return _Part("", raw=raw, crc=zlib.crc32(suffix, crc), size=size)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _rows(n: int) -> str:
    out = ['<row r="1">' + "".join(_cell(f"{c}1", h) for c, h in zip("ABC", _HEADER, strict=True)) + "</row>"]
    for i in range(2, n + 2):
        out.append(f'<row r="{i}">{_cell(f"A{i}", f"B{i:06d}")}{_cell(f"B{i}", "张伟")}'
                   f'{_cell(f"C{i}", "重庆大学")}</row>')
    return "".join(out)


def _sheet(body: str, *, dim: str = "A1:C4", tail: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><dimension ref="{dim}"/>'
            f"<sheetData>{body}</sheetData>{tail}</worksheet>")


def _workbook(path: Path, sheet: str | _Part, shared: str | _Part = _EMPTY_SST) -> Path:
    parts = [_Part("[Content_Types].xml", _CT.encode()), _Part("_rels/.rels", _RELS.encode()),
             _Part("xl/workbook.xml", _WB.encode()), _Part("xl/_rels/workbook.xml.rels", _WB_RELS.encode())]
    for name, part in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
        if isinstance(part, str):
            part = _Part(name, part.encode())
        part.name = name
        parts.append(part)
    _write_zip(path, parts)
    return path


# -- measuring in a subprocess ------------------------------------------------------------------------

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from checkin_app.importers import readers
kind, path = sys.argv[1], Path(sys.argv[2])
t0 = time.perf_counter()
out = {}
try:
    if kind == "xlsx":
        with readers.XlsxSource(path) as book:
            rows = list(book.iter_rows(None))
            out["estimate"] = book.rows_estimate(None)
        out["rows"] = len(rows)
    else:  # streamed: counted, only the first rows kept
        enc = readers.detect_encoding(path)
        rows = []
        out["rows"] = 0
        for item in readers.iter_csv(path, enc, readers.detect_delimiter(path, enc)):
            out["rows"] += 1
            if len(rows) < 3:
                rows.append(item)
    out["width"] = max((len(r) for _, r in rows), default=0)
    out["first"] = [[str(c) for c in r[:4]] for _, r in rows[:3]]
except readers.ReadError as exc:
    out["error"] = str(exc)
out["seconds"] = time.perf_counter() - t0
# ru_maxrss of a process started by subprocess (vfork, then exec) keeps the parent's high-water
# mark: under pytest it read 143 MB for a 20 MB child. The new address space's own is VmHWM.
try:
    hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    out["peak_mb"] = int(hwm.split()[1]) / 1024
except (OSError, StopIteration):
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out, ensure_ascii=False))
"""


def _measure(kind: str, path: Path, timeout: float = 120) -> dict[str, object]:
    """Read the file in a fresh interpreter: its own peak RSS and time, and survival:
    a reader that aborts (as calamine does when an allocation fails) fails the test here."""
    done = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path)], capture_output=True, text=True,
                          timeout=timeout, cwd=Path(__file__).parents[2], check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The same measurement of a small, ordinary workbook: the interpreter, calamine and the reader."""
    path = _workbook(tmp_path_factory.mktemp("floor") / "ok.xlsx", _sheet(_rows(3)))
    result = _measure("xlsx", path)
    assert result["rows"] == 4
    return result


def _refused(result: dict[str, object], *words: str) -> str:
    message = str(result.get("error", ""))
    assert message, f"not refused: {result}"
    zh, _, en = message.partition("\n")
    assert "不能导入" in zh and "cannot be imported" in en and "Nothing was imported" in en
    for w in words:
        assert w in message, message
    return message


# Budget for a refusal: what the floor takes plus a little (no part is decompressed in memory).
REFUSE_MB = 40
REFUSE_S = 3.0


# -- zip bombs ----------------------------------------------------------------------------------------

def test_whitespace_bomb_is_refused_from_the_zip_directory(tmp_path: Path, floor: dict[str, object]) -> None:
    # 3 GiB of spaces inside <sheetData> in a 3 MB file; calamine buffers whitespace between tags,
    # so reading it took 1 MB of memory for every megabyte of spaces.
    head = _sheet(_rows(3)).split("</sheetData>")[0].encode()
    bomb = _repeated(head, b" " * (1 << 20), 3072, b"</sheetData></worksheet>")
    path = _workbook(tmp_path / "whitespace.xlsx", bomb)
    assert 2_500_000 < path.stat().st_size < 4_000_000
    result = _measure("xlsx", path)
    _refused(result, "3,072 MB", "xl/worksheets/sheet1.xml")
    assert float(result["peak_mb"]) < float(floor["peak_mb"]) + REFUSE_MB  # type: ignore[arg-type]
    assert float(result["seconds"]) < REFUSE_S  # type: ignore[arg-type]


def test_shared_strings_bomb_is_refused(tmp_path: Path, floor: dict[str, object]) -> None:
    # 650 MB of tiny shared strings in 1.6 MB: calamine holds them at about 3.5 times their XML.
    bomb = _repeated(f"<sst {_NS}>".encode(), b"<si><t>a</t></si>" * 65536, 600, b"</sst>")
    path = _workbook(tmp_path / "strings.xlsx", _sheet(_rows(3)), bomb)
    assert 1_000_000 < path.stat().st_size < 2_500_000
    result = _measure("xlsx", path)
    _refused(result, "xl/sharedStrings.xml", "limit 32 MB")
    assert float(result["peak_mb"]) < float(floor["peak_mb"]) + REFUSE_MB  # type: ignore[arg-type]
    assert float(result["seconds"]) < REFUSE_S  # type: ignore[arg-type]


def test_a_part_holding_more_than_its_directory_says_is_refused(tmp_path: Path,
                                                                floor: dict[str, object]) -> None:
    # The same whitespace, declared as 1 MB: the directory checks pass; the scan's zipfile stops at
    # the declared size and the CRC fails (calamine's zip reader also stops there).
    head = _sheet(_rows(3)).split("</sheetData>")[0].encode()
    bomb = _repeated(head, b" " * (1 << 20), 400, b"</sheetData></worksheet>")
    bomb.size = 1 << 20
    path = _workbook(tmp_path / "liar.xlsx", bomb)
    result = _measure("xlsx", path)
    _refused(result, "damaged")
    assert float(result["peak_mb"]) < float(floor["peak_mb"]) + REFUSE_MB  # type: ignore[arg-type]


def test_one_long_shared_string_copied_into_many_cells_is_refused(tmp_path: Path,
                                                                 floor: dict[str, object]) -> None:
    # calamine copies a shared string into every cell that uses it: one 1 MB string in 2,000 cells
    # asked for 2 GB from a file of under 1 MB (random letters, so the ratio check does not see it).
    rng = random.Random(5)
    text = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=1 << 20))
    rows = _rows(1) + "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(3, 2003))
    path = _workbook(tmp_path / "copies.xlsx", _sheet(rows, dim="A1:C2002"),
                     f"<sst {_NS}><si><t>{text}</t></si></sst>")
    assert path.stat().st_size < 1_000_000
    result = _measure("xlsx", path)
    _refused(result, "shared strings", "共享字符串")
    assert float(result["peak_mb"]) < float(floor["peak_mb"]) + REFUSE_MB  # type: ignore[arg-type]


# -- a sheet's extent ---------------------------------------------------------------------------------

@pytest.mark.parametrize("far", [
    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    # Other ways to write the same cell: the reference not first, a namespace prefix, lower case.
    '<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>',
    '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
    '<row r="1048576"><c  r="XFD1048576"><v>1</v></c></row>',
    # A stray <mergeCells> inside the sheet data hides nothing after it.
    '<mergeCells count="0"/><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
])
def test_a_value_far_out_is_refused_not_allocated(tmp_path: Path, floor: dict[str, object], far: str) -> None:
    # One value at XFD1048576: calamine's grid from A1 to it is 17 billion cells; it asked for
    # 550 GB and aborted the process.
    path = _workbook(tmp_path / "far.xlsx", _sheet(_rows(3) + far))
    result = _measure("xlsx", path)
    _refused(result, "1,048,576", "16,384", "limit 4,000,000")
    assert float(result["peak_mb"]) < float(floor["peak_mb"]) + REFUSE_MB  # type: ignore[arg-type]


@pytest.mark.parametrize("far", [
    '<x:row r="900000"><x:c r="ZZ900000"><x:v>1</x:v></x:c></x:row>',
    # calamine goes by local names: an unprefixed cell in a prefixed sheet counts the same.
    '<row r="900000"><c r="ZZ900000"><v>1</v></c></row>',
])
def test_a_far_value_with_a_namespace_prefix_is_refused(tmp_path: Path, far: str) -> None:
    xml = (f'<?xml version="1.0"?><x:worksheet {_NS.replace("xmlns=", "xmlns:x=")}><x:sheetData>'
           '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>报名编号</x:t></x:is></x:c></x:row>'
           f"{far}</x:sheetData></x:worksheet>")
    path = _workbook(tmp_path / "prefixed.xlsx", xml)
    with XlsxSource(path) as book, pytest.raises(ReadError, match="900,000"):
        next(book.iter_rows(None))


def test_a_stray_formatted_cell_and_a_claimed_dimension_cost_nothing(tmp_path: Path,
                                                                      floor: dict[str, object]) -> None:
    # A formatted but empty cell at XFD1048576 and a dimension claiming the whole sheet: the data is
    # still 4 rows of 3 cells, and the row estimate is the real one.
    body = _rows(3) + '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    path = _workbook(tmp_path / "stray.xlsx", _sheet(body, dim="A1:XFD1048576"))
    result = _measure("xlsx", path)
    assert "error" not in result, result
    assert (result["rows"], result["width"], result["estimate"]) == (4, 3, 4)
    assert float(result["peak_mb"]) < float(floor["peak_mb"]) + 10  # type: ignore[arg-type]


def test_a_merge_over_the_whole_sheet_costs_only_the_data_and_overwrites_nothing(
        tmp_path: Path, floor: dict[str, object]) -> None:
    # A1:XFD1048576 over 20,000 rows: filling it cell by cell took 3 GB and 24 s before running out
    # (100,000 rows). Excel empties a range's other cells when merging; this one holds the data,
    # so it is left as it is.
    n = 20_000
    merge = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    path = _workbook(tmp_path / "merged.xlsx", _sheet(_rows(n), dim="A1:XFD1048576", tail=merge))
    plain = _measure("xlsx", _workbook(tmp_path / "plain.xlsx", _sheet(_rows(n), dim=f"A1:C{n + 1}")))
    result = _measure("xlsx", path)
    assert "error" not in result, result
    assert (result["rows"], result["width"]) == (n + 1, 3)
    assert result["first"] == [list(_HEADER), ["B000002", "张伟", "重庆大学"],
                               ["B000003", "张伟", "重庆大学"]]
    # The merge costs what the same sheet without it costs, within noise.
    assert float(result["peak_mb"]) < float(plain["peak_mb"]) + 10  # type: ignore[arg-type]
    assert float(result["seconds"]) < 2 * float(plain["seconds"]) + 1  # type: ignore[arg-type]


def test_real_merges_still_fill_within_the_data(tmp_path: Path) -> None:
    # A title merged across to XFD (wider than the data) and a captain's organisation merged down.
    body = ('<row r="1">' + _cell("A1", "参会人员名单") + "</row>" + '<row r="2">'
            + "".join(_cell(f"{c}2", h) for c, h in zip("ABC", _HEADER, strict=True)) + "</row>"
            + f'<row r="3">{_cell("A3", "T-1")}{_cell("B3", "李明")}{_cell("C3", "新加坡国立大学")}</row>'
            + f'<row r="4">{_cell("A4", "T-2")}{_cell("B4", "王芳")}</row>'
            + f'<row r="5">{_cell("A5", "T-3")}{_cell("B5", "赵强")}</row>')
    merges = '<mergeCells count="2"><mergeCell ref="A1:XFD1"/><mergeCell ref="C3:C5"/></mergeCells>'
    path = _workbook(tmp_path / "title.xlsx", _sheet(body, dim="A1:C5", tail=merges))
    with XlsxSource(path) as book:
        rows = dict(book.iter_rows(None))
    assert rows[1] == ["参会人员名单"] * 3
    assert [rows[r][2] for r in (3, 4, 5)] == ["新加坡国立大学"] * 3


def test_too_many_sheets_is_refused(tmp_path: Path) -> None:
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, 300))
    parts = [_Part("[Content_Types].xml", _CT.encode()), _Part("_rels/.rels", _RELS.encode()),
             _Part("xl/workbook.xml", _WB.replace('<sheet name="报名信息" sheetId="1" r:id="rId1"/>',
                                                 sheets).encode()),
             _Part("xl/_rels/workbook.xml.rels", _WB_RELS.encode()),
             _Part("xl/worksheets/sheet1.xml", _sheet(_rows(3)).encode()),
             _Part("xl/sharedStrings.xml", _EMPTY_SST.encode())]
    _write_zip(tmp_path / "many.xlsx", parts)
    with pytest.raises(ReadError, match="299 sheets"):
        XlsxSource(tmp_path / "many.xlsx")


# -- CSV ----------------------------------------------------------------------------------------------

def test_a_200_mb_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    # The reader's part of a 200 MB import (encoding check, delimiter, every record): it holds one
    # record at a time. Budget: 25 MB over a small file's peak, and 20 s on this 2-core machine
    # (about 5 s unloaded).
    header = "报名编号,姓名,英文姓名,单位,职务,国家/地区,嘉宾类别,参加活动,手机,邮箱,备注\r\n"
    note = "需要清真餐；" * 30
    block = "".join(f"B{i:07d},张伟,Zhang Wei,重庆大学,研究员,中国,参会者,开幕式、SUMMIT,13800138000,"
                    f"u{i}@example.cn,{note}\r\n" for i in range(1000)).encode()
    big = tmp_path / "big.csv"
    times = -(-(200 << 20) // len(block))
    with big.open("wb") as f:
        f.write(header.encode())
        for _ in range(times):
            f.write(block)
    small = tmp_path / "small.csv"
    small.write_bytes(header.encode() + block)
    base = _measure("csv", small)
    result = _measure("csv", big)
    assert big.stat().st_size >= 200 << 20
    assert result["rows"] == 1 + 1000 * times
    assert float(result["peak_mb"]) < float(base["peak_mb"]) + 25  # type: ignore[arg-type]
    assert float(result["seconds"]) < 20  # type: ignore[arg-type]


def _csv_refused(path: Path, *words: str) -> str:
    with pytest.raises(ReadError) as err:
        enc = readers.detect_encoding(path)
        list(readers.iter_csv(path, enc, readers.detect_delimiter(path, enc)))
    message = str(err.value)
    zh, _, en = message.partition("\n")
    assert zh and en and "第" in zh and "line" in en
    for w in words:
        assert w in message, message
    return message


def test_an_over_long_header_cell_names_line_1(tmp_path: Path) -> None:
    p = tmp_path / "header.csv"
    p.write_text("报名编号,姓名," + "单" * 200_000 + "\n1,张伟,x\n", encoding="utf-8")
    _csv_refused(p, "第 1 行", "line 1 has a cell over 131,072 characters")


def test_an_over_long_line_names_its_line_and_is_never_held_whole(tmp_path: Path) -> None:
    # 50 MB of commas and no line break on line 3: csv would have made a list of 50 million fields.
    p = tmp_path / "line.csv"
    with p.open("wb") as f:
        f.write("报名编号,姓名\n1,张伟\n".encode())
        f.write(b"," * (50 << 20))
    _csv_refused(p, "第 3 行", "line 3 is over 1,048,576 characters")
    result = _measure("csv", p)
    assert "line 3" in str(result["error"]) and float(result["peak_mb"]) < 60  # type: ignore[arg-type]


def test_an_unclosed_quote_is_refused_with_its_line(tmp_path: Path) -> None:
    p = tmp_path / "quote.csv"
    p.write_text("报名编号,姓名\n1,张伟\n2,\"李娜\n" + "3,王芳\n" * 200_000, encoding="utf-8")
    _csv_refused(p, "第 3 行", "line 3")


def test_nul_bytes_are_dropped_not_imported(tmp_path: Path) -> None:
    p = tmp_path / "nul.csv"
    p.write_bytes("报名编号,姓名\r\n1,张\x00伟\r\n\x00,\r\n".encode())
    enc = readers.detect_encoding(p)
    assert enc == "utf-8"
    rows = list(readers.iter_csv(p, enc, readers.detect_delimiter(p, enc)))
    assert rows == [(1, ["报名编号", "姓名"]), (2, ["1", "张伟"]), (3, ["", ""])]


def test_bytes_that_are_not_the_declared_utf8_name_their_line(tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + "报名编号,姓名\n1,张伟\n".encode() * 3000 + b"2,\xff\xfe\n3,x\n")
    _csv_refused(p, "第 6001 行", "line 6001", "byte-order mark")
    with pytest.raises(ReadError, match="line 6001"):
        readers.check_encoding(p, "utf-8-sig")


# -- the command line ---------------------------------------------------------------------------------

def test_cli_refuses_hostile_files_without_a_traceback(tmp_path: Path, demo_db: Database) -> None:
    db = str(demo_db.path)
    far = _workbook(tmp_path / "far.xlsx",
                    _sheet(_rows(3) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    long_line = tmp_path / "line.csv"
    long_line.write_bytes("报名编号,姓名\n1,张伟\n".encode() + b"x" * (2 << 20))
    cli = Path(sys.executable).with_name("checkin-app")
    for path, words in ((far, "1,048,576"), (long_line, "line 3")):
        done = subprocess.run([str(cli), "import", str(path), "--db", db, "--dry-run"],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode != 0
        assert "Traceback" not in done.stderr and "_csv.Error" not in done.stderr
        assert words in done.stderr and "未导入任何数据" in done.stderr, done.stderr
