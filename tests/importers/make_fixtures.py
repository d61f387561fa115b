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


# -- 6 … 15. Exports as the platforms and offices write them (issue 13) ---------------------------
# Not shaped to the importer: each file has the columns, the header layout, the vocabulary and the
# junk its platform or office produces. tests/services/test_import_platforms.py asserts the people.
PLATFORMS = DATA / "platforms"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉兰萍红鹏飞建国志宏晓东海燕林斌宇浩凯"
_UNIS = ("重庆大学", "西南大学", "重庆邮电大学", "重庆医科大学", "西南政法大学", "重庆交通大学")


def _people(n: int, seed: int) -> list[str]:
    """n different Chinese names, the same every run."""
    out: list[str] = []
    i = seed
    while len(out) < n:
        name = _SURNAMES[i * 7 % len(_SURNAMES)] + _GIVEN[i * 11 % len(_GIVEN)] + (
            _GIVEN[i * 5 % len(_GIVEN)] if i % 3 else "")
        if name not in out:
            out.append(name)
        i += 1
    return out


def _book(sheets: list[tuple[str, list[list[object]]]], merges: dict[str, list[str]] | None = None
          ) -> object:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def wjx_rows() -> list[list[object]]:
    """问卷星 'download answers (by choice text)': 序号 is the answer's number; questions numbered."""
    head = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的姓名", "2、您的单位",
            "3、您的职务", "4、手机号码", "5、电子邮箱", "6、您的参会身份", "7、拟参加的活动", "8、国籍"]
    rows: list[list[object]] = [head]
    kinds = ("A.嘉宾", "B.普通参会人员", "B.普通参会人员", "C.媒体记者", "B.普通参会人员")
    acts = ("高峰论坛", "高峰论坛┋签约仪式", "开幕式┋高峰论坛", "", "人才创新平台发布")
    for i, name in enumerate(_people(20, 3), start=1):
        rows.append([i, f"2024/11/{1 + i % 9:02d} 10:{i:02d}:13", f"{60 + i * 7}秒", "微信",
                     "N/A", f"123.147.{i}.{i * 3}(重庆-重庆)", name, _UNIS[i % len(_UNIS)], "教授",
                     f"1380013{i:04d}", f"wjx{i}@example.cn", kinds[i % 5], acts[i % 5], "中国"])
    rows.append([21, "2024/11/09 11:00:00", "12秒", "链接", "N/A", "127.0.0.1(未知)", "测试",
                 "测试单位", "", "13800000000", "test@test.com", "A.嘉宾", "高峰论坛", "中国"])
    rows.append([22, "2024/11/09 11:05:00", "9秒", "链接", "N/A", "127.0.0.1(未知)", "请填写真实姓名",
                 "", "", "", "", "B.普通参会人员", "", ""])
    return rows


def jinshuju_rows() -> list[list[object]]:
    """金数据 data export: submitter and WeChat profile columns around the form's own fields."""
    head = ["序号", "姓名", "手机", "邮箱", "单位", "职务", "参会身份", "参加活动", "审核状态",
            "微信昵称", "微信性别", "微信国家", "微信省份", "微信城市", "提交人", "提交时间", "修改时间", "IP"]  # noqa: E501
    rows: list[list[object]] = [head]
    states = ("审核通过", "审核通过", "待审核", "审核未通过", "审核通过")
    for i, name in enumerate(_people(15, 40), start=1):
        rows.append([i, name, f"1390013{i:04d}", f"jsj{i}@example.cn", _UNIS[(i + 2) % len(_UNIS)],
                     "研究员", "企业代表" if i % 4 == 0 else "参会者", "高峰论坛;签约仪式" if i % 4 == 0
                     else "高峰论坛", states[i % 5], f"小{name[-1]}🌸", "女" if i % 2 else "男",
                     "安道尔", "Canillo", "", f"微信用户{i}", f"2024-11-0{1 + i % 8} 09:00", "", "1.2.3.4"])
    return rows


def eventbrite_csv() -> str:
    """Eventbrite 'Attendee summary' report (UTF-8, CRLF, one row per attendee of an order)."""
    head = ("Order #,Order Date,First Name,Last Name,Email,Quantity,Price Tier,Ticket Type,Attendee #,"
            "Group,Order Type,Currency,Total Paid,Fees Paid,Eventbrite Fees,"
            "Eventbrite Payment Processing,Attendee Status,Company,Job Title,Country")
    people = [("Anna", "Berg", "SE", "Karolinska Institutet"), ("Jimin", "Jung", "Korea, Republic of", "KAIST"),  # noqa: E501
              ("지민", "정", "KR", "서울대학교"), ("Marko", "Petrović", "Republic of Serbia", "University of Belgrade"),  # noqa: E501
              ("Noa", "Levi", "IL", "Technion"), ("Aung", "Min", "MM", "Yangon University"),
              ("Sigrún", "Jónsdóttir", "IS", "University of Iceland"), ("Somchai", "Sukjai", "Thailand",
                                                                         "Chulalongkorn University")]
    lines = [head]
    statuses = ("Attending", "Checked In", "Attending", "Not Attending")
    people += [("Lucas", "Moreau", "France", "Institut Pasteur"), ("Priya", "Sharma", "IND", "IIT Delhi"),
               ("Kwame", "Mensah", "Ghana", "University of Ghana"), ("Olga", "Ivanova", "Russian Federation",
                                                                     "MSU")]
    for i, (first, last, country, org) in enumerate(people, start=1):
        order = 987654300 + (i + 1) // 2
        tier = "International Delegate" if i % 3 else "Media Pass"
        lines.append(f"{order},2024-10-{10 + i % 18} 08:1{i % 10}:00+08:00,{first},{last},"
                     f"{first.lower()}.{i}@example.org,1,,{tier},"
                     f"{1469000000 + i},,Free Order,USD,0.00,0.00,0.00,0.00,{statuses[i % 4]},"
                     f"\"{org}\",Researcher,{country}")
    return "\r\n".join(lines) + "\r\n"


def gov_rows() -> tuple[list[list[object]], list[str]]:
    """A government office's summary sheet: merged title, two-row header, section rows."""
    rows: list[list[object]] = [
        ["2024中国重庆国际人才交流大会重要嘉宾汇总表"] + [None] * 6,
        ["序号", "姓名", "工作单位", "职务", "联系方式", None, "类别"],
        [None, None, None, None, "手机", "邮箱", None],
        ["一、院士专家"] + [None] * 6,
    ]
    n = 0
    for name in _people(6, 70):
        n += 1
        rows.append([n, name, _UNIS[n % len(_UNIS)], "院士", f"1370013{n:04d}", f"ys{n}@cae.cn", "院士"])
    rows.append(["二、企业代表"] + [None] * 6)
    for name in _people(6, 90):
        n += 1
        rows.append([n, name, "重庆长安汽车股份有限公司", "总工程师", f"1370013{n:04d}", None, "企业代表"])
    rows.append([n + 1, "刘?", "重庆大学", "教授", None, None, "院士"])
    rows.append([n + 2, "#N/A", "#N/A", "#N/A", None, None, "#N/A"])
    return rows, ["A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3"]


def gb18030_csv() -> str:
    """Excel on Chinese Windows, 'CSV (逗号分隔)': GB18030, CRLF, leading zeros gone, 单位（英文）."""
    lines = ["报名编号,姓名,性别,单位,单位（英文）,职务,国家/地区,参会身份,证件类型,证件号码"]
    for i, name in enumerate(_people(12, 120), start=1):
        lines.append(f"{i},{name},{'男' if i % 2 else '女'},{_UNIS[i % len(_UNIS)]},"
                     f"{'Chongqing University' if i % len(_UNIS) == 0 else ''},教授,中国,"
                     f"{'嘉宾' if i % 3 == 0 else '参会代表'},居民身份证,")
    lines.append("13,Ana Jovanović,女,University of Belgrade,,Professor,塞尔维亚,嘉宾,护照,")
    return "\r\n".join(lines) + "\r\n"


def utf16_txt() -> str:
    """Excel's 'Unicode text': UTF-16 with a BOM, tabs, CRLF; countries as guests wrote them."""
    lines = ["序号\t姓名\tName in English\t国家\t单位\t类别"]
    guests = [("Đorđe Petrović", "", "Србија", "Univerzitet u Beogradu"),
              ("김민준", "KIM Min-jun", "대한민국", "KBS"), ("สมชาย ใจดี", "Somchai JAIDEE", "ประเทศไทย",
                                                          "Chulalongkorn University"),
              ("Иван Петров", "Ivan PETROV", "Россия", "ТАСС"), ("יעל כהן", "Yael COHEN", "ISR", "Technion"),
              ("Jón Jónsson", "", "Ísland", "Háskóli Íslands"), ("田中 花子", "TANAKA Hanako", "日本国", "NHK"),  # noqa: E501
              ("Nguyễn Văn An", "", "Việt Nam", "VNU")]
    for i, (name, latin, country, org) in enumerate(guests, start=1):
        lines.append(f"{i}\t{name}\t{latin}\t{country}\t{org}\t国际组织")
    return "\r\n".join(lines) + "\r\n"


def per_category_sheets() -> list[tuple[str, list[list[object]]]]:
    """One sheet per category, each numbered from 1 (the three lists share their numbers)."""
    out: list[tuple[str, list[list[object]]]] = []
    for sheet, cat, seed, n in (("嘉宾", "嘉宾", 150, 8), ("媒体", "媒体", 170, 6), ("工作人员", "工作人员", 190, 6)):  # noqa: E501
        rows: list[list[object]] = [["序号", "姓名", "单位", "类别", "备注"]]
        for i, name in enumerate(_people(n, seed), start=1):
            rows.append([i, name, _UNIS[i % len(_UNIS)], cat, None])
        out.append((sheet, rows))
    return out


def foreign_affairs_rows() -> list[list[object]]:
    """A foreign-affairs office's bilingual guest list: two-line headers, numbered from 1."""
    rows: list[list[object]] = [["No.\n序号", "姓名\nName", "国家\nCountry", "单位\nOrganisation",
                                 "单位（英文）\nOrganisation (English)", "职务\nPosition", "类别\nCategory"]]
    guests = [("Ana Jovanović", "Serbia", "贝尔格莱德大学", "University of Belgrade", "International Organization"),  # noqa: E501
              ("Marko Marković", "Србија", "塞尔维亚工商会", "", "Delegate"),
              ("Sarah Johnson", "United Kingdom", "英国皇家工程院", "Royal Academy of Engineering", "院士"),
              ("Ahmed Hassan", "Egypt", "联合国教科文组织", "UNESCO", "International Organization"),
              ("Lee Min-ho", "Korea, Republic of", "韩国科学技术院", "KAIST", "Delegate"),
              ("Maria Rossi", "Italia", "", "Politecnico di Milano", "Delegate")]
    for i, (name, country, zh, en, cat) in enumerate(guests, start=1):
        rows.append([i, name, country, zh, en, "Professor", cat])
    return rows


def team_rows() -> list[list[object]]:
    """A competition's team list: the team's number beside the person's, tracks by short name."""
    rows: list[list[object]] = [["团队编号", "团队名称", "赛道", "报名编号", "姓名", "角色", "单位", "国家", "类别"]]  # noqa: E501
    tracks = ("智能制造赛道", "数字经济赛道", "生物医药与大健康赛道", "新能源与新材料赛道")
    names = _people(12, 210)
    for t in range(4):
        for k in range(3):
            i = t * 3 + k
            rows.append([f"XY2024-{t + 1:03d}", f"星渝{t + 1}队", f"星渝杯·{tracks[t]}",
                         f"XYP{i + 1:04d}", names[i], "队长" if k == 0 else "队员", _UNIS[t], "中国", "参赛选手"])  # noqa: E501
    return rows


def vip_rows() -> list[list[object]]:
    """A protocol office's VIP list: organisation in the guest's language, English column often empty."""
    rows: list[list[object]] = [["序号", "姓名", "单位", "单位（英文）", "职务", "职务（英文）", "国籍", "备注", "类别"]]  # noqa: E501
    vips = [("张伟", "重庆市人民政府", "Chongqing Municipal People's Government", "副市长", "Vice Mayor", "中国"),  # noqa: E501
            ("Đorđe Petrović", "Embassy of Serbia in China", "", "Ambassador", "", "塞尔维亚"),
            ("Hans Müller", "Technische Universität München", "", "Präsident", "President", "德国"),
            ("Jean Dupont", "UNESCO", "UNESCO", "Directeur", "Director", "法国"),
            ("李娜", "重庆大学", "", "校长", "", "中国")]
    for i, (name, org, org_en, pos, pos_en, country) in enumerate(vips, start=1):
        rows.append([i, name, org, org_en, pos, pos_en, country, "请通知礼宾官" if i == 2 else None, "贵宾"])
    return rows


def make_platform_exports(folder: Path = PLATFORMS) -> None:
    """The ten exports of issue 13."""
    folder.mkdir(parents=True, exist_ok=True)
    _book([("Sheet1", wjx_rows())]).save(folder / "问卷星_答卷数据.xlsx")  # type: ignore[attr-defined]
    _book([("数据", jinshuju_rows())]).save(folder / "金数据_报名表.xlsx")  # type: ignore[attr-defined]
    (folder / "eventbrite_attendees.csv").write_bytes(eventbrite_csv().encode("utf-8"))
    rows, merges = gov_rows()
    _book([("汇总表", rows)], {"汇总表": merges}).save(folder / "重要嘉宾汇总表.xlsx")  # type: ignore[attr-defined]
    (folder / "报名_gb18030.csv").write_bytes(gb18030_csv().encode("gb18030"))
    (folder / "外宾_unicode.txt").write_bytes(utf16_txt().encode("utf-16"))
    _book(per_category_sheets()).save(folder / "分类名单.xlsx")  # type: ignore[attr-defined]
    _book([("外宾名单", foreign_affairs_rows())]).save(folder / "外事办嘉宾名单.xlsx")  # type: ignore[attr-defined]
    _book([("参赛团队", team_rows())]).save(folder / "星渝杯参赛团队.xlsx")  # type: ignore[attr-defined]
    _book([("贵宾", vip_rows())]).save(folder / "礼宾处贵宾名单.xlsx")  # type: ignore[attr-defined]


def main() -> None:
    make_platform_exports()
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
