"""Writes the hand-made import fixtures in tests/importers/data/ (run it again after changing them).

Each file imitates one kind of real export and carries the spreadsheet realities the importer must
survive; the tests assert the values and report lines that follow from exactly these rows.
Run: .venv/bin/python -m tests.importers.make_fixtures
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).with_name("data")
FIXED_TIME = datetime(2024, 11, 1, 9, 0, 0)

# -- 1. The registration platform's Excel export ------------------------------------------------
# A merged title row and a notes row above the header; category and organisation merged down
# over a team; numbers that lost their leading zeros; a phone stored as a float; an Excel serial
# date and a real date cell; a blank row; a total row at the bottom.
XLSX_HEADER = ["序号", "报名编号", "姓名", "英文姓名", "单位", "职务", "国家/地区", "嘉宾类别",
               "参加活动", "手机", "抵达日期", "备注", "照片"]
XLSX_ROWS: list[list[object]] = [
    [1, "000101", "张伟", None, "重庆大学", "教授", "中国", "特邀嘉宾", "开幕式、人才助力西部大开发高峰论坛",
     13800138000.0, 45618, None, None],
    [2, 102, "欧阳娜娜", None, "重庆大学", "副教授", "CN", "特邀嘉宾", "OPENING", 13900139000, 45619, None, None],  # noqa: E501
    [3, "000103", "Đorđe Petrović", None, "Embassy of Serbia in China", "Ambassador", "塞尔维亚", "VIP",
     "开幕式\n合作项目签约仪式", None, datetime(2024, 11, 22), "请通知礼宾官", None],
    [None] * 13,
    # A competition team: category and organisation cells are merged down over three rows.
    [4, "000104", "李明", "LI Ming", "新加坡国立大学", "队长", "新加坡", "参赛选手", "GEEC_MAIN", None, None, None, "photos\\team-li-ming.png"],  # noqa: E501
    [5, "000105", "Tan Wei Jie", None, None, "队员", "Singapore", None, "GEEC_MAIN", None, None, None, "tan.png"],  # noqa: E501
    [6, 106, "Nur Aisyah", None, None, "队员", "SG", None, "GEEC_MAIN", None, None, None, None],
    ["合计", None, "6人"] + [None] * 10,
]


def make_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "报名信息"
    ws.append(["2024中国重庆国际人才交流大会 参会人员名单"] + [None] * (len(XLSX_HEADER) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(XLSX_HEADER))
    ws.append(["导出时间：2024-11-01 09:00"] + [None] * (len(XLSX_HEADER) - 1))
    ws.append(XLSX_HEADER)
    for r in XLSX_ROWS:
        ws.append(r)
    ws.cell(row=6, column=11).number_format = "yyyy-mm-dd"
    # The team: organisation (E) and category (H) merged from the captain's row down.
    first = 3 + 5  # header on line 3, team captain on line 8
    ws.merge_cells(start_row=first, start_column=5, end_row=first + 2, end_column=5)
    ws.merge_cells(start_row=first, start_column=8, end_row=first + 2, end_column=8)
    cover = wb.create_sheet("说明", 0)  # a cover sheet in front, as some platforms add
    cover.append(["本文件由报名平台导出"])
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.save(path)


# -- 2. Chinese Excel "CSV" (GB18030/GBK) with Chinese headers ------------------------------------
# Full-width spaces and punctuation, activities separated by 、，; a phone in scientific notation.
GB_CSV = (
    "报名编号,姓名,工作单位,国家/地区,参会身份,参加活动,手机,邮箱,状态\r\n"
    "CQ-0001,\u3000王\u3000芳\u3000,重庆长安汽车股份有限公司,中国,企业代表,"
    "\"智能网联新能源汽车人才对接会，新一代电子信息制造业合作交流会\",13512345678,wangfang@changan.com.cn,审核通过\r\n"
    "ＣＱ－０００２,赵磊,重庆邮电大学,中华人民共和国,海外及高层次人才,开幕式；人才创新平台发布,1.38001E+10,"
    "zhaolei＠cqupt.edu.cn,已通过\r\n"
    "CQ-0003,陈静,新华社,中国,媒体,合作项目签约仪式,0236512345,chenjing@xinhua,已取消\r\n"
)

# -- 3. Excel "Unicode text": UTF-16 with BOM, tab-separated, English headers ----------------------
UTF16_TXT = (
    "Registration No.\tFull name\tOrganization\tCountry/Region\tCategory\tActivities\tMobile\tE-mail\tStatus\r\n"  # noqa: E501
    "EN-001\tMaria Schmidt\tTechnische Universität München\tGermany\tACADEMICIAN\tOpening ceremony; SIGNING\t"
    "+49 89 289 01\tmaria.schmidt@tum.de\tApproved\r\n"
    "EN-002\tJohn SMITH\tUNESCO\tUnited States of America\tInternational organisation\tSUMMIT\t\t"
    "john@unesco.org\tconfirmed\r\n"
    "EN-003\tAiko Tanaka\tUniversity of Tokyo\tJPN\tTALENT\t\t\t\tcancelled\r\n"
)

# -- 4. UTF-8 with BOM, a title line, mixed-language headers, names in several scripts ------------
UTF8_BOM_CSV = (
    "重庆国际人才交流大会 媒体报名表,,,,,,\r\n"
    "Registration No.,中文姓名,English name,Organization,国家,Category,Activities\r\n"
    "M-01,Иван Петров,Ivan PETROV,ТАСС,俄罗斯,媒体,OPENING\r\n"
    "M-02,Ngozi Okafor,,Nigerian Television Authority,NG,Media,Opening ceremony\r\n"
    "M-03,金敏俊,KIM Min-jun,KBS,韩国,MEDIA,\r\n"
)

# -- 5. A hand-edited UTF-8 sheet full of mistakes (one per row), semicolon-separated -------------
PROBLEMS_CSV = (
    "Registration No.;Name;Organisation;Country;Category;Activities;Mobile;Email;Status\n"
    "P-001;;Chongqing University;CN;ATTENDEE;;;;\n"  # missing name
    "P-002;刘洋;重庆大学;CN;Speaker;;;;\n"  # unknown category
    "P-003;周杰;重庆大学;CN;参会者;Gala dinner;;;\n"  # unknown activity
    "P-004;Ana Silva;Universidade de Lisboa;Atlantis;ATTENDEE;;;;\n"  # unknown country (warning)
    "P-005;孙丽;西南大学;CN;ATTENDEE;;;;\n"
    "P-005;孙丽丽;西南大学;CN;ATTENDEE;;;;\n"  # duplicate registration number
    "P-007;孙丽;西南大学;CN;ATTENDEE;;;;\n"  # same name and organisation as P-005 (warning)
    "P-008;何静;重庆医科大学;CN;ATTENDEE;;12345;he@;\n"  # invalid phone and email (warnings)
    "P-009;吴刚;重庆大学;CN;ATTENDEE;;;;待审核\n"  # not approved yet
    "P-010;郑爽;重庆大学;CN;媒体;合作项目签约仪式;;;\n"  # media at signing: individual admission
    ";;;;;;;;\n"
    "Total;9;;;;;;;\n"
)

# A photo per delegate, named by registration number; one named in a file-name column instead.
PHOTOS = ("000101.png", "000103.jpg", "team-li-ming.png")


def tiny_png() -> bytes:
    """A 1×1 grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00\x80"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    make_xlsx(DATA / "platform_export.xlsx")
    (DATA / "chinese_excel_gb18030.csv").write_bytes(GB_CSV.encode("gb18030"))
    (DATA / "unicode_text_utf16.txt").write_bytes(UTF16_TXT.encode("utf-16"))
    (DATA / "media_utf8_bom.csv").write_bytes(UTF8_BOM_CSV.encode("utf-8-sig"))
    (DATA / "problems_utf8.csv").write_bytes(PROBLEMS_CSV.encode("utf-8"))
    photos = DATA / "photos"
    photos.mkdir(exist_ok=True)
    for name in PHOTOS:
        (photos / name).write_bytes(tiny_png())


if __name__ == "__main__":
    main()
