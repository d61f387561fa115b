"""The fields an import understands, the header names that mean them, and finding the header row."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checkin_app.importers.text import clean, fold


@dataclass(frozen=True, slots=True)
class Field:
    """One thing a column can hold, with its names in both languages and the headers that mean it."""

    key: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    # Personal data the desks do not need: dropped unless the import is told to keep it.
    private: bool = False
    # Several columns may feed it (活动1, 活动2 …); their values are joined.
    multi: bool = False


FIELDS: tuple[Field, ...] = (
    Field("registration_code", "报名编号", "Registration No.", (
        "报名编号", "报名号", "注册编号", "注册号", "参会编号", "参会证号", "编号", "序号编码", "报名ID",
        "报名码", "确认码", "Registration No", "Registration Number", "Registration ID", "Reg No",
        "Registration Code", "Reg Code", "Confirmation No", "Confirmation Code", "Ticket No",
        "Attendee ID", "Delegate ID", "Code", "Attendee #", "Attendee No", "Attendee Number",
        "Ticket #", "ID", "序号", "No.", "No", "#", "S/N", "Serial No")),
    Field("name", "姓名", "Name", (
        "姓名", "中文姓名", "名字", "全名", "嘉宾姓名", "参会人", "参会人姓名", "Name", "Full name",
        "Chinese name", "Name (Chinese)", "Delegate name", "Attendee name", "Participant",
        "真实姓名", "您的姓名", "参会者姓名", "嘉宾名单", "中文名")),
    Field("family_name", "姓", "Family name", (
        "姓", "姓氏", "Family name", "Last name", "Surname", "Family")),
    Field("given_name", "名", "Given name", (
        "名", "Given name", "First name", "Forename", "Given names")),
    Field("name_latin", "英文姓名", "Name in Latin letters", (
        "英文名", "英文姓名", "拼音", "姓名拼音", "护照姓名", "外文姓名", "English name",
        "Name (English)", "Name in English", "Latin name", "Passport name", "Name in pinyin",
        "Pinyin")),
    Field("honorific", "称谓", "Honorific", (
        "称谓", "尊称", "称呼", "Honorific", "Salutation", "Title", "Prefix")),
    Field("organisation", "单位", "Organisation", (
        "单位", "工作单位", "所在单位", "单位名称", "机构", "所属机构", "组织", "公司", "单位/机构",
        "就职单位", "Organization", "Organisation", "Institution", "Company", "Affiliation",
        "Employer", "Organization name", "Unit", "单位（中文）", "中文单位", "工作单位及职务")),
    Field("organisation_en", "单位（英文）", "Organisation (English)", (
        "英文单位", "单位英文", "单位英文名称", "单位（英文）", "单位(英文)", "英文单位名称",
        "Organization (English)", "Organisation in English", "Company (English)",
        "Organisation (English)", "Organization in English", "Institution (English)")),
    Field("position", "职务", "Position", (
        "职务", "职位", "职称", "岗位", "头衔", "Position", "Job title", "Job", "Role title",
        "Designation")),
    Field("position_en", "职务（英文）", "Position (English)", (
        "英文职务", "职务英文", "职务（英文）", "Position (English)", "Job title (English)")),
    Field("country", "国家/地区", "Country/Region", (
        "国家/地区", "国家", "地区", "国籍", "国家和地区", "国家或地区", "国别", "所在国家",
        "Country/Region", "Country", "Region", "Nationality", "Country or region",
        "Country of residence")),
    Field("category", "类别", "Category", (
        "类别", "嘉宾类别", "参会身份", "身份", "人员类别", "参会类别", "参会类型", "嘉宾类型", "类型",
        "Category", "Type", "Delegate type", "Participant type", "Attendee type",
        "Delegate category", "Registration type", "Role", "Ticket Type", "Ticket", "人员类型",
        "参会人员类别", "您的身份")),
    Field("activities", "参加活动", "Activities", (
        "参加活动", "参会活动", "活动", "报名活动", "参加场次", "参加会议", "分论坛", "日程", "Activities",
        "Activity", "Sessions", "Session", "Events", "Programme", "Program"), multi=True),
    Field("status", "状态", "Status", (
        "状态", "审核状态", "报名状态", "是否取消", "Status", "Registration status", "Approval",
        "Attendee Status", "签到状态", "审核结果")),
    Field("team", "团队/项目", "Team/Project", (
        "团队", "队伍", "团队名称", "队名", "项目", "项目名称", "参赛项目", "Team", "Team name",
        "Project", "Project name")),
    Field("track", "赛道", "Track", ("赛道", "组别", "赛道名称", "Track", "Competition track",
                                     "参赛赛道", "参赛组别", "Category of competition")),
    Field("attention_note", "备注", "Note", (
        "备注", "特别说明", "注意事项", "特殊需求", "Note", "Notes", "Remarks", "Remark", "Comments",
        "Special needs", "Attention")),
    Field("photo", "照片", "Photo", (
        "照片", "照片文件", "照片文件名", "头像", "证件照", "Photo", "Photo file", "Picture",
        "Photo filename", "Image")),
    Field("phone", "手机", "Mobile", (
        "手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "移动电话", "Mobile", "Phone",
        "Tel", "Telephone", "Mobile phone", "Mobile number", "Phone number", "Cell", "Cell Phone",
        "Work Phone", "手机号码（必填）"), private=True),
    Field("email", "邮箱", "Email", (
        "邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "Email", "E-mail", "Email address",
        "Mail"), private=True),
    Field("id_number", "证件号码", "ID number", (
        "证件号码", "证件号", "身份证", "身份证号", "身份证号码", "护照号", "护照号码", "ID number",
        "ID No", "Passport No", "Passport number", "ID card", "Document number"), private=True),
    Field("birth_date", "出生日期", "Date of birth", (
        "出生日期", "生日", "出生年月", "Date of birth", "Birth date", "Birthday", "DOB"),
        private=True),
    Field("arrival_date", "抵达日期", "Arrival date", (
        "抵达日期", "到达日期", "报到日期", "抵渝日期", "来渝日期", "Arrival date", "Arrival",
        "Check-in date"), private=True),
    Field("gender", "性别", "Gender", ("性别", "Gender", "Sex"), private=True),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
PRIVATE_FIELDS: frozenset[str] = frozenset(f.key for f in FIELDS if f.private)
# Keys an import can be matched on besides the registration number (all unique per person).
KEY_FIELDS: tuple[str, ...] = ("registration_code", "id_number", "email", "phone")

# "报名编号（必填）", "Email *", "Name [required]": the bracketed part says nothing about meaning.
_BRACKETED = re.compile(r"[(（\[【<《].*?[)）\]】>》]")
# Survey questions: "1、您的姓名", "3. 手机号码", "Q2: Your organisation", "第4题 单位".
_QUESTION = re.compile(r"^(?:q|question|第)?\s*\d{1,3}\s*(?:题)?\s*[、.．:：)）\-]?\s*", re.IGNORECASE)
_POLITE = re.compile(r"^(?:请(?:您)?(?:填写|输入|选择|提供)?(?:您的)?|您的|你的|your\s+|please\s+"
                     r"(?:enter|give|provide)\s+(?:your\s+)?)", re.IGNORECASE)

# Columns survey and ticket platforms add about the submission, not the person (问卷星, 金数据,
# Eventbrite), the ID type (证件类型: 居民身份证 is not a category), a team's number (团队编号 is
# not the person's) and WeChat profile columns (微信性别, 微信国家: the account's, not the person's
# answers): never mapped, whatever words they contain.
_IGNORED = {fold(h) for h in (
    "提交答卷时间", "答卷时间", "所用时间", "来源", "来源详情", "来自IP", "IP", "IP地址", "填写设备",
    "操作系统", "浏览器", "总分", "提交时间", "修改时间", "填写时间", "更新时间", "创建时间",
    "提交人", "提交者", "填写人", "修改人", "来源渠道", "渠道", "地理位置", "UTM", "Order #",
    "Order No", "Order Number", "Order ID", "Order Date", "Order Type", "Quantity", "Price Tier",
    "Currency", "Total Paid", "Fees Paid", "Eventbrite Fees", "Eventbrite Payment Processing",
    "Barcode #", "Buyer Name", "Buyer Email", "Buyer First Name", "Buyer Last Name", "Group",
    "Device Name", "Check-In Date", "Checked in", "证件类型", "证件类别", "ID type", "Document type",
    "Type of ID", "团队编号", "队伍编号", "项目编号", "团队ID", "Team ID", "Team No", "Team number",
    "Project ID", "Project No", "序列号", "答题序号", "备注（系统）")}
_IGNORED_PREFIXES = ("微信", "wechat", "weixin", "openid", "unionid", "buyer", "billing", "order")

# Weak names for the person's number: a column that names it better wins (报名编号 over 序号).
_WEAK = {fold(h): rank for rank, hs in ((1, ("编号", "Code", "ID", "Ticket No", "Ticket #")),
                                        (2, ("序号", "No.", "No", "#", "S/N", "Serial No")))
         for h in hs if fold(h)}


def _header_key(text: str) -> str:
    text = _BRACKETED.sub("", clean(text)).replace("*", "")
    text = _POLITE.sub("", _QUESTION.sub("", text).strip())
    return fold(text)


def ignored(header: object) -> bool:
    """Whether a header is a platform's column about the submission, never the person's data."""
    raw = fold(clean(header))
    key = _header_key(clean(header))
    if raw in _IGNORED or key in _IGNORED:
        return True
    return any(raw.startswith(p) for p in _IGNORED_PREFIXES) and raw not in _EXACT


def rank(header: object) -> int:
    """How well a header names its field (0 best): 报名编号 0, 编号 1, 序号 2."""
    text = clean(header)
    for part in (text, *re.sub(r"[^\u3400-\u9fff]+", " ", text).split(),
                 re.sub(r"[\u3400-\u9fff（）()]+", " ", text).strip()):
        found = _WEAK.get(fold(part), _WEAK.get(_header_key(part))) if fold(part) else None
        if found is not None:
            return found
    return 0


_EXACT: dict[str, str] = {}
for _f in FIELDS:
    for _alias in (_f.name_zh, _f.name_en, *_f.aliases):
        _EXACT.setdefault(fold(_alias), _f.key)
        _EXACT.setdefault(_header_key(_alias), _f.key)
# Longest aliases first, so 工作单位 wins over 单位 and 英文姓名 over 姓名 in a containing header.
_CONTAINED = sorted(
    ((k, v) for k, v in _EXACT.items() if len(k) >= (2 if not k.isascii() else 5)),
    key=lambda kv: -len(kv[0]),
)


def recognise(header: object) -> str | None:
    """The field a header names, or None when it is not recognised (or a platform's own column)."""
    raw = fold(clean(header))
    if not raw or ignored(header):
        return None
    found = _EXACT.get(raw) or _EXACT.get(_header_key(clean(header)))
    if found:
        return found
    text = clean(header)
    if re.search(r"[A-Za-z]", text) and re.search(r"[\u3400-\u9fff]", text):
        # A two-language header ("No.\n序号", "姓名 Name"): each language on its own.
        han = re.sub(r"[^\u3400-\u9fff]+", " ", text).split()
        latin = re.sub(r"[\u3400-\u9fff（）()]+", " ", text).strip()
        for part in (latin, *han):
            if ignored(part):
                return None
            found = _EXACT.get(fold(part)) or _EXACT.get(_header_key(part))
            if found:
                return found
    key = _header_key(text)
    for alias, field in _CONTAINED:
        if alias in key:
            return field
    return None


def exact_field(folded: str) -> str | None:
    """The field a folded header names exactly (a cheap test, for rows that repeat the header)."""
    return _EXACT.get(folded)


def auto_mapping(headers: Sequence[object]) -> list[str | None]:
    """A field (or None) per column; a single-valued field goes to the column naming it best
    (报名编号 before 编号 before 序号), the first of those when several name it as well."""
    found = [recognise(h) for h in headers]
    best: dict[str, tuple[int, int]] = {}
    for i, (h, field) in enumerate(zip(headers, found, strict=True)):
        if field is not None and not BY_KEY[field].multi:
            r = (rank(h), i)
            if field not in best or r < best[field]:
                best[field] = r
    return [f if f is None or BY_KEY[f].multi or best[f][1] == i else None
            for i, f in enumerate(found)]


def header_score(row: Sequence[object], known: Mapping[str, str] | None = None) -> int:
    """How many different fields a row's cells name (a header row names several).

    `known` adds headers a saved preset maps (folded header → field).
    """
    found = set()
    for c in row:
        f = (known or {}).get(fold(clean(c))) or recognise(c)
        if f:
            found.add(f)
    return len(found)


def find_header(rows: Sequence[Sequence[object]], known: Mapping[str, str] | None = None) -> int | None:
    """Index of the header among the first rows: the row naming the most fields (at least two)."""
    best, best_score = None, 1
    for i, row in enumerate(rows):
        score = header_score(row, known)
        if score > best_score:
            best, best_score = i, score
    return best


def header_text(header: object, index: int) -> str:
    """How a column is named in reports: its header, or its spreadsheet letter when blank."""
    text = clean(header)
    return text or f"#{column_letter(index)}"


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def merge_sub_header(upper: Sequence[object], lower: Sequence[object]) -> list[str] | None:
    """A header over two rows (merged "联系方式" over "手机" and "邮箱"; "序号" merged down over
    both rows), as one row; None when the lower row is data, not the header's second line.

    The lower row is a header's when every filled cell repeats the cell above (a merge carried
    down) or names a field, and at least one names a field the upper row's cell does not.
    """
    width = max(len(upper), len(lower))
    up = [clean(upper[i]) if i < len(upper) else "" for i in range(width)]
    low = [clean(lower[i]) if i < len(lower) else "" for i in range(width)]
    adds = 0
    for u, w in zip(up, low, strict=True):
        if not w or w == u:
            continue
        f = recognise(w)
        if f is None and not ignored(w):
            return None
        if f is not None and f != recognise(u):
            adds += 1
    if not adds:
        return None
    out = []
    for u, w in zip(up, low, strict=True):
        out.append(w if w and w != u and (recognise(w) or ignored(w)) else (u or w))
    return out
