"""Encoding and delimiter detection, CSV and XLSX streaming, merged cells."""

from __future__ import annotations

import itertools
import multiprocessing
from pathlib import Path

import pytest

from checkin_app.importers import readers
from checkin_app.importers.readers import ReadError, XlsxSource, XlsxStream

DATA = Path(__file__).with_name("data")


@pytest.mark.parametrize(("name", "encoding", "delimiter"), [
    ("chinese_excel_gb18030.csv", "gb18030", ","),
    ("unicode_text_utf16.txt", "utf-16", "\t"),
    ("media_utf8_bom.csv", "utf-8-sig", ","),
    ("problems_utf8.csv", "utf-8", ";"),
])
def test_detects_encoding_and_delimiter(name: str, encoding: str, delimiter: str) -> None:
    path = DATA / name
    assert readers.file_kind(path) == "csv"
    assert readers.detect_encoding(path) == encoding
    assert readers.detect_delimiter(path, encoding) == delimiter


def test_gb18030_reads_without_garbling() -> None:
    rows = list(readers.iter_csv(DATA / "chinese_excel_gb18030.csv", "gb18030", ","))
    assert rows[0][1][:2] == ["报名编号", "姓名"]
    assert rows[1][1][2] == "重庆长安汽车股份有限公司"


def test_wrong_encoding_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="utf-8"):
        readers.check_encoding(DATA / "chinese_excel_gb18030.csv", "utf-8")
    with pytest.raises(ReadError, match="Unknown encoding"):
        readers.check_encoding(DATA / "chinese_excel_gb18030.csv", "klingon")


def test_utf16_without_bom_is_detected(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes("姓名\t单位\r\n张伟\t重庆大学\r\n".encode("utf-16-le"))
    assert readers.detect_encoding(p) == "utf-16-le"


def test_multiline_cells_keep_their_starting_line(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('姓名,活动\n张伟,"开幕式\n签约"\n李娜,开幕式\n', encoding="utf-8")
    assert [line for line, _ in readers.iter_csv(p, "utf-8", ",")] == [1, 2, 4]


def test_old_xls_is_refused_with_advice(tmp_path: Path) -> None:
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ReadError, match="xlsx"):
        readers.file_kind(p)


def test_xlsx_merged_cells_are_filled_down_and_across() -> None:
    with XlsxSource(DATA / "platform_export.xlsx") as book:
        assert book.sheets == ("说明", "报名信息")
        rows = dict(book.iter_rows("报名信息"))
    title = "2024中国重庆国际人才交流大会 参会人员名单"
    assert all(c == title for c in rows[1][:13])
    # The team captain's organisation and category carry down over the two members.
    for line in (8, 9, 10):
        assert rows[line][4] == "新加坡国立大学"
        assert rows[line][7] == "参赛选手"
    assert rows[11][0] == "合计"


def test_missing_sheet_lists_the_sheets() -> None:
    with XlsxSource(DATA / "platform_export.xlsx") as book, pytest.raises(ReadError, match="报名信息"):
        book.sheet("Sheet1")


def test_stray_nul_in_utf8_is_not_utf16(tmp_path: Path) -> None:
    # Found by hypothesis: a NUL inside a UTF-8 file once made it look like UTF-16.
    p = tmp_path / "a.csv"
    p.write_text("报名编号,姓名,类别\r\n\x00,\r\n", encoding="utf-8")
    assert readers.detect_encoding(p) == "utf-8"
    assert readers.detect_delimiter(p, "utf-8") == ","


def test_reader_process_gives_the_rows_xlsx_source_gives() -> None:
    path = DATA / "platform_export.xlsx"
    with XlsxSource(path) as book:
        expected = {name: list(book.iter_rows(name)) for name in book.sheets}
        epoch = book.epoch_1904
    with XlsxStream(path, None, 30) as stream:
        chosen = "报名信息"
        assert stream.epoch_1904 == epoch
        assert set(stream.sheets) == set(expected)
        # Read the start twice (header search, preview), then everything: the same rows.
        assert list(itertools.islice(stream.iter_rows(chosen), 5)) == expected[chosen][:5]
        assert list(stream.iter_rows(chosen)) == expected[chosen]
        with pytest.raises(ReadError, match="报名信息"):
            stream.sheet("nope")


def test_reader_process_errors_are_raised_here(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ReadError) as here:
        XlsxSource(broken)
    with pytest.raises(ReadError) as there:
        XlsxStream(broken, None, 30)
    assert str(there.value) == str(here.value)
    assert multiprocessing.active_children() == []


def test_bad_bytes_are_named_by_their_line_in_any_encoding(tmp_path: Path) -> None:
    # The line of the first bytes that do not decode, also after a UTF-16 byte-order mark (whose
    # codec shifts the error's offset) and across the reader's 1 MB chunks.
    p = tmp_path / "u16.txt"
    p.write_bytes("姓名\t单位\r\n".encode("utf-16") + "张伟\t重庆大学\r\n".encode("utf-16-le") * 150_000
                  + b"\x00\xd8\x41\x00\r\x00\n\x00")  # a lone high surrogate on line 150,002
    assert p.stat().st_size > 2 * readers._CHUNK
    with pytest.raises(ReadError, match="line 150002"):
        readers.check_encoding(p, "utf-16")
    with pytest.raises(ReadError, match="第 150002 行"):
        readers.detect_encoding(p)


def test_a_wide_header_outweighs_a_few_cells_holding_the_other_delimiter(tmp_path: Path) -> None:
    # Found by hypothesis: two one-cell lines "0|" once made '|' the delimiter of a nine-column CSV.
    p = tmp_path / "a.csv"
    p.write_text("报名编号,姓名,类别,参加活动,国家/地区,手机,邮箱,状态,出生日期\r\n0|\r\n0|\r\n",
                 encoding="utf-8")
    assert readers.detect_delimiter(p, "utf-8") == ","


def test_openpyxl_reads_what_calamine_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    # openpyxl is the fallback for a workbook calamine cannot open: the same rows, merges filled
    # the same way, the same limits (calamine's opening made to fail; openpyxl reads the file).
    from checkin_app.importers.text import clean

    def read(book: XlsxSource) -> dict[str, list[tuple[int, list[str]]]]:
        # As the importer sees them (calamine gives 3.0 where openpyxl gives 3).
        return {name: [(n, [clean(c) for c in cells]) for n, cells in book.iter_rows(name)]
                for name in book.sheets}

    path = DATA / "platform_export.xlsx"
    with XlsxSource(path) as book:
        expected = read(book)
    import python_calamine

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise ValueError("calamine cannot open this one")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)
    with XlsxSource(path) as book:
        assert book._cal is None and book.book is not None
        got = read(book)
    assert got == expected
