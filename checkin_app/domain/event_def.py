"""The event definition (event, activities, categories) as data: frozen types, checking, normal form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAIN_CODE = "MAIN"
SINGLE, REENTRY, ONCE_PER_DAY = "single", "reentry", "once_per_day"
MODES = (SINGLE, REENTRY, ONCE_PER_DAY)
# Words organisers write for a mode in a spreadsheet cell, beside the codes themselves.
MODE_WORDS = {
    "single": SINGLE, "单次": SINGLE, "单次入场": SINGLE, "once": SINGLE,
    "reentry": REENTRY, "re-entry": REENTRY, "可重复": REENTRY, "可重复入场": REENTRY,
    "once_per_day": ONCE_PER_DAY, "once-per-day": ONCE_PER_DAY, "每天一次": ONCE_PER_DAY,
    "每日一次": ONCE_PER_DAY,
}
ERROR, WARNING = "error", "warning"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
COLOUR_RE = re.compile(r"^#[0-9A-F]{6}$")
# Characters an alias cannot hold: they separate aliases in a spreadsheet cell.
ALIAS_SEPARATORS = re.compile(r"[,;，；、\n\r\t]")
MAX_MINUTES = 24 * 60
LIMITS = {"name": 200, "venue": 200, "hall": 200, "attention": 200, "alias": 100, "template": 64}
_TRUE = {"true", "yes", "y", "1", "是", "对", "√", "✓", "x"}
_FALSE = {"false", "no", "n", "0", "否", "不", ""}


# -- the definition --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EventDef:
    """The conference: names, venue, time zone and first and last day."""

    code: str
    name_zh: str
    name_en: str
    venue_zh: str
    venue_en: str
    timezone: str
    starts_on: date
    ends_on: date

    @property
    def tz(self) -> tzinfo:
        """The event's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class ActivityDef:
    """An activity or the main entrance; times are local to the event's time zone.

    Admitted categories: `admits` (or every category when `admits_all`), plus the categories that
    list this activity among their default activities, minus `excepted`.
    """

    code: str
    name_zh: str
    name_en: str
    hall_zh: str = ""
    hall_en: str = ""
    day: date = date(2000, 1, 1)
    start: time = time(0, 0)
    end: time = time(23, 59)
    end_day: date | None = None  # a multi-day activity (the main entrance) ends on this day
    doors_before: int = 30  # minutes the door admits before the start
    doors_after: int = 0  # minutes the door still admits after the end
    capacity: int | None = None
    admits: tuple[str, ...] = ()
    admits_all: bool = False
    excepted: tuple[str, ...] = ()
    mode: str = REENTRY
    exits_scanned: bool = False
    main: bool = False
    archived: bool = False

    def starts_at(self, tz: tzinfo) -> datetime:
        """Start as an aware datetime."""
        return datetime.combine(self.day, self.start, tz)

    def ends_at(self, tz: tzinfo) -> datetime:
        """End as an aware datetime."""
        return datetime.combine(self.end_day or self.day, self.end, tz)


@dataclass(frozen=True, slots=True)
class CategoryDef:
    """A delegate category: names, colour, badge, attention, default activities, export aliases."""

    code: str
    name_zh: str
    name_en: str
    colour: str = "#607D8B"
    badge_template: str = ""  # "" = the template that lists the category, else the default one
    attention: bool = False
    attention_zh: str = ""
    attention_en: str = ""
    default_activities: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventDefinition:
    """One event with its programme and categories, in file order."""

    event: EventDef
    activities: tuple[ActivityDef, ...]
    categories: tuple[CategoryDef, ...]

    def activity(self, code: str) -> ActivityDef | None:
        """An activity by code."""
        return next((a for a in self.activities if a.code == code), None)

    def category(self, code: str) -> CategoryDef | None:
        """A category by code."""
        return next((c for c in self.categories if c.code == code), None)


def admitted(definition: EventDefinition) -> dict[str, tuple[str, ...]]:
    """Every activity's admitted category codes (in category order), the rules desks apply."""
    order = [c.code for c in definition.categories]
    by_default: dict[str, set[str]] = {}
    for cat in definition.categories:
        for code in cat.default_activities:
            by_default.setdefault(code, set()).add(cat.code)
    out: dict[str, tuple[str, ...]] = {}
    for act in definition.activities:
        chosen = set(order) if act.admits_all else set(act.admits) | by_default.get(act.code, set())
        chosen -= set(act.excepted)
        out[act.code] = tuple(c for c in order if c in chosen)
    return out


def normalised(definition: EventDefinition) -> EventDefinition:
    """The one form a definition is stored and exported in (same rules, canonical spelling).

    Lists follow category / activity order without repeats; a category an activity names and
    whose default activities name it too is kept on the category's side only; `admits` is empty
    when every category is admitted; a one-day activity has no end day.
    """
    cat_order = {c.code: i for i, c in enumerate(definition.categories)}
    act_order = {a.code: i for i, a in enumerate(definition.activities)}

    def ordered(codes: Iterable[str], order: Mapping[str, int]) -> tuple[str, ...]:
        return tuple(sorted(set(codes), key=lambda c: (order.get(c, len(order)), c)))

    cats = tuple(
        replace(c, colour=c.colour.upper(),
                default_activities=ordered(c.default_activities, act_order),
                aliases=tuple(dict.fromkeys(c.aliases)))
        for c in definition.categories)
    by_default: dict[str, set[str]] = {}
    for c in cats:
        for a in c.default_activities:
            by_default.setdefault(a, set()).add(c.code)
    acts = tuple(
        replace(a,
                admits=() if a.admits_all else ordered(set(a.admits) - by_default.get(a.code, set()),
                                                       cat_order),
                excepted=ordered(a.excepted, cat_order),
                end_day=None if a.end_day == a.day else a.end_day)
        for a in definition.activities)
    return EventDefinition(definition.event, acts, cats)


# -- where a value came from, and problems -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Loc:
    """Where in the file: sheet (or section), line (1-based, 0 when unknown) and cell (or key path)."""

    sheet: str = ""
    line: int = 0
    cell: str = ""


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read from a file: field → (value, where); values still untyped."""

    loc: Loc
    values: Mapping[str, tuple[object, Loc]]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A whole file as read, before checking; `problems` are the reader's own (syntax, layout)."""

    event: RawRecord | None
    activities: tuple[RawRecord, ...] = ()
    categories: tuple[RawRecord, ...] = ()
    problems: tuple[EventProblem, ...] = ()


# code → (problem zh, problem en, what to do zh, what to do en); {field}, {value} and params filled in.
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    "syntax": ("文件无法读取：{detail}", "The file cannot be read: {detail}",
               "检查该行附近的格式（缩进、冒号、引号）",
               "Check the layout near that line (indent, colons, quotes)"),
    "no_sheet": ("缺少工作表“{detail}”", "Sheet \"{detail}\" is missing",
                 "用 event new 生成的模板，保留三个工作表",
                 "Start from the file event new writes; keep its three sheets"),
    "no_header": ("找不到表头行", "No header row found",
                  "第一行应为表头（如“代码 code”）",
                  "The first row must hold the headers (e.g. \"代码 code\")"),
    "not_a_mapping": ("这里应为字段列表（键: 值）", "A list of fields (key: value) is expected here",
                      "参照模板的格式填写", "Follow the layout of the template"),
    "not_a_list": ("这里应为列表", "A list is expected here",
                   "每项以“- ”开头，参照模板", "Start each item with \"- \", as in the template"),
    "unknown_field": ("未知字段 {field}，已忽略", "Unknown field {field}; ignored",
                      "检查拼写，或删除该字段", "Check the spelling or remove it"),
    "missing": ("缺少必填项 {field}", "Required field {field} is missing",
                "填写该项", "Fill it in"),
    "wrong_type": ("{field} 应为{expected_zh}，而不是 {value}", "{field} must be {expected_en}, not {value}",
                   "按说明改成正确的类型", "Change it to the kind of value described"),
    "too_long": ("{field} 过长（最多 {limit} 个字符）", "{field} is too long (at most {limit} characters)",
                 "缩短该项", "Shorten it"),
    "bad_code": ("代码 {value} 无效", "Code {value} is not valid",
                 "代码用大写字母开头，只含大写字母、数字和下划线，最多 32 个字符",
                 "Use capital letters, digits and _ only, starting with a letter, at most 32 characters"),
    "duplicate_code": ("代码 {value} 重复（第一次出现在 {other}）",
                       "Code {value} is used twice (first at {other})",
                       "每个代码只能用一次，改掉其中一个", "Every code must be unique; change one of them"),
    "bad_date": ("日期 {value} 无效", "Date {value} is not valid",
                 "写成 2024-11-23 的形式", "Write it as 2024-11-23"),
    "bad_time": ("时间 {value} 无效", "Time {value} is not valid",
                 "写成 09:30 的形式（24 小时制）", "Write it as 09:30 (24-hour clock)"),
    "bad_number": ("{field} 应为 {low} 到 {high} 之间的整数，而不是 {value}",
                   "{field} must be a whole number from {low} to {high}, not {value}",
                   "改成整数", "Write a whole number"),
    "bad_bool": ("{field} 应为 是/否（true/false），而不是 {value}",
                 "{field} must be yes/no (true/false), not {value}",
                 "填 是 或 否", "Write yes or no"),
    "bad_mode": ("入场方式 {value} 无效", "Entry mode {value} is not valid",
                 "填 single（单次）、reentry（可重复）或 once_per_day（每天一次）",
                 "Use single, reentry or once_per_day"),
    "bad_colour": ("颜色 {value} 无效", "Colour {value} is not valid",
                   "写成 #C62828 的形式（# 加六位十六进制）", "Write it as #C62828 (# and six hex digits)"),
    "bad_timezone": ("时区 {value} 无效", "Time zone {value} is not valid",
                     "用 IANA 时区名，如 Asia/Shanghai", "Use an IANA time zone name such as Asia/Shanghai"),
    "unknown_template": ("没有名为 {value} 的证件模板", "No badge template named {value}",
                         "可用：{known}；留空则按类别自动选择",
                         "Available: {known}; leave it empty to choose by category"),
    "unknown_category": ("未知类别 {value}", "Unknown category {value}",
                         "先在“类别”中定义它，或改为已有的类别代码",
                         "Define it under categories first, or use an existing code"),
    "unknown_activity": ("未知活动 {value}", "Unknown activity {value}",
                         "先在“活动”中定义它，或改为已有的活动代码",
                         "Define it under activities first, or use an existing code"),
    "event_dates": ("大会结束日期 {value} 早于开始日期", "The event ends ({value}) before it starts",
                    "检查开始和结束日期", "Check the first and last day"),
    "end_before_start": ("结束时间 {value} 不晚于开始时间 {start}",
    "Ends at {value}, not after its start {start}",
                         "改正开始或结束时间（跨天活动请填结束日期）",
                         "Correct the start or end (an activity over several days needs an end day)"),
    "outside_dates": ("{field} {value} 不在大会日期 {first} 至 {last} 之内",
                      "{field} {value} is outside the event's dates {first} to {last}",
                      "改正日期，或修改大会的开始/结束日期",
                      "Correct the day, or the event's first / last day"),
    "no_main": ("没有主入口", "There is no main entrance",
                "将一个代码为 MAIN 的活动设为主入口（main: 是）",
                "Make one activity with code MAIN the main entrance (main: yes)"),
    "several_mains": ("主入口多于一个（{value}）", "More than one main entrance ({value})",
                      "只保留一个主入口", "Keep one main entrance"),
    "main_code": ("主入口的代码应为 MAIN，而不是 {value}",
    "The main entrance's code must be MAIN, not {value}",
                  "将主入口的代码改为 MAIN（签到台默认打开 MAIN）",
                  "Change its code to MAIN (desks open at MAIN by default)"),
    "admitted_and_excepted": ("类别 {value} 既被准入又被排除",
    "Category {value} is both admitted and excepted",
                              "从其中一处删除", "Remove it from one of the two lists"),
    "bad_alias": ("别名 {value} 含有分隔符（逗号、分号、顿号或换行）",
                  "Alias {value} holds a separator (comma, semicolon or line break)",
                  "拆成几个别名", "Split it into several aliases"),
    "alias_taken": ("别名 {value} 已指向类别 {other}", "Alias {value} already names category {other}",
                    "一个别名只能对应一个类别", "An alias can name one category only"),
    "no_categories": ("没有定义任何类别", "No category is defined",
                      "至少定义一个类别", "Define at least one category"),
    "no_activities": ("没有定义任何活动", "No activity is defined",
                      "至少定义主入口 MAIN", "Define at least the main entrance MAIN"),
    "admits_nobody": ("活动 {value} 不准入任何类别", "Activity {value} admits no category",
                      "填写准入类别，或在类别的默认活动中列出它",
                      "List admitted categories, or name it in a category's default activities"),
}

@dataclass(frozen=True, slots=True)
class EventProblem:
    """One line of a check report: where, the value, the problem and what to do, in both languages."""

    sheet: str
    line: int
    cell: str
    field: str
    value: str
    severity: str
    code: str
    message_zh: str
    message_en: str
    hint_zh: str
    hint_en: str

    @property
    def where(self) -> str:
        """sheet / line / cell as one short text."""
        parts = [self.sheet, f"line {self.line}" if self.line else "", self.cell]
        return " ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, object]:
        """Plain dict for --json."""
        return {"sheet": self.sheet, "line": self.line, "cell": self.cell, "field": self.field,
                "value": self.value, "severity": self.severity, "code": self.code,
                "message_zh": self.message_zh, "message_en": self.message_en,
                "hint_zh": self.hint_zh, "hint_en": self.hint_en}


def make_problem(code: str, loc: Loc, *, fld: str = "", value: object = "", severity: str = ERROR,
                 **params: object) -> EventProblem:
    """A report line with its words filled in from MESSAGES."""
    text = _shown(value)
    zh, en, hint_zh, hint_en = MESSAGES[code]
    values: dict[str, object] = {"field": fld, "value": text, "detail": "", "other": "",
                                 "expected_zh": "", "expected_en": "", "limit": "", "low": "",
                                 "high": "", "start": "", "first": "", "last": "", "known": ""}
    values.update(params)
    return EventProblem(loc.sheet, loc.line, loc.cell, fld, text, severity, code,
                        zh.format(**values), en.format(**values), hint_zh.format(**values),
                        hint_en.format(**values))


def _shown(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date | time) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of checking: the definition (None when an error blocks it) and every problem."""

    definition: EventDefinition | None
    problems: tuple[EventProblem, ...]

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return self.definition is not None

    @property
    def errors(self) -> tuple[EventProblem, ...]:
        """The blocking problems."""
        return tuple(p for p in self.problems if p.severity == ERROR)


# -- value parsing ------------------------------------------------------------------------------
class _Bad(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, str] = {k: str(v) for k, v in params.items()}


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        raise _Bad("wrong_type", expected_zh="文字", expected_en="text")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str | int | float):
        return str(v).strip()
    raise _Bad("wrong_type", expected_zh="文字", expected_en="text")


def parse_text(v: object, limit: int = 200) -> str:
    """Trimmed text ("" for nothing); too long or not text is a problem."""
    t = _text(v)
    if len(t) > limit:
        raise _Bad("too_long", limit=limit)
    return t


def parse_code(v: object) -> str:
    """An upper-case code."""
    t = _text(v).upper()
    if not CODE_RE.match(t):
        raise _Bad("bad_code")
    return t


def parse_date(v: object) -> date:
    """A date from a date, a datetime at midnight or ISO text."""
    if isinstance(v, datetime):
        if v.time() != time(0, 0):
            raise _Bad("bad_date")
        return v.date()
    if isinstance(v, date):
        return v
    t = _text(v).replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if not m:
        raise _Bad("bad_date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise _Bad("bad_date") from None


def parse_time(v: object) -> time:
    """A time from a time, a spreadsheet day fraction or "HH:MM[:SS]"."""
    if isinstance(v, datetime):
        return v.time().replace(microsecond=0)
    if isinstance(v, time):
        return v.replace(microsecond=0, tzinfo=None)
    if isinstance(v, float) and not isinstance(v, bool) and 0 <= v < 1:
        seconds = round(v * 86400)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    t = _text(v).replace("：", ":")
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", t)
    if not m:
        raise _Bad("bad_time")
    try:
        return time(int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError:
        raise _Bad("bad_time") from None


def parse_int(v: object, low: int, high: int) -> int:
    """A whole number in [low, high]."""
    if isinstance(v, bool):
        raise _Bad("bad_number", low=low, high=high)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*-?\d+\s*", v):
        v = int(v)
    if not isinstance(v, int) or not low <= v <= high:
        raise _Bad("bad_number", low=low, high=high)
    return v


def parse_bool(v: object) -> bool:
    """yes/no in the words organisers use."""
    if isinstance(v, bool):
        return v
    if v is None:
        return False
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    t = _text(v).lower() if isinstance(v, str) else "?"
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise _Bad("bad_bool")


def split_list(v: object) -> list[str]:
    """Items of a list value: a list, or text separated by commas, semicolons, 、 or lines."""
    if v is None:
        return []
    if isinstance(v, list | tuple):
        return [_text(x) for x in v if _text(x)]
    return [p.strip() for p in ALIAS_SEPARATORS.split(_text(v)) if p.strip()]


def parse_codes(v: object) -> list[str]:
    """A list of codes (duplicates left to the caller)."""
    out = []
    for item in split_list(v):
        if item in ("*", "全部", "ALL", "all"):
            out.append("*")
            continue
        out.append(parse_code(item))
    return out


def parse_colour(v: object) -> str:
    """#RRGGBB upper-case."""
    t = _text(v).upper()
    if not COLOUR_RE.match(t):
        raise _Bad("bad_colour")
    return t


def parse_mode(v: object) -> str:
    """single / reentry / once_per_day."""
    t = _text(v).lower().replace(" ", "_")
    mode = MODE_WORDS.get(t)
    if mode is None:
        raise _Bad("bad_mode")
    return mode


def timezone_ok(name: str) -> bool:
    """Whether an IANA zone of this name exists here (tzdata ships with the app)."""
    if not name or name != name.strip() or ".." in name or name.startswith("/"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# -- the schema ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record: key, words in both languages, whether required, an example."""

    key: str
    name_zh: str
    name_en: str
    help_zh: str
    help_en: str
    required: bool = False


EVENT_FIELDS = (
    Field("code", "大会代码", "Event code", "大写字母、数字、下划线，用于区分不同大会",
          "capitals, digits and _; tells one event from another", True),
    Field("name_zh", "中文名称", "Chinese name", "大会的中文全称", "full name in Chinese", True),
    Field("name_en", "英文名称", "English name", "大会的英文全称", "full name in English", True),
    Field("venue_zh", "会场（中文）", "Venue (Chinese)", "会场名称", "venue name in Chinese"),
    Field("venue_en", "会场（英文）", "Venue (English)", "会场英文名称", "venue name in English"),
    Field("timezone", "时区", "Time zone", "IANA 时区名，如 Asia/Shanghai；所有时间均按此时区",
          "IANA name such as Asia/Shanghai; every time in this file is in it", True),
    Field("starts_on", "开始日期", "First day", "大会第一天，如 2024-11-22",
          "first day, e.g. 2024-11-22", True),
    Field("ends_on", "结束日期", "Last day", "大会最后一天", "last day", True),
)
ACTIVITY_FIELDS = (
    Field("code", "代码", "Code", "活动代码；主入口必须为 MAIN",
          "activity code; the main entrance is MAIN", True),
    Field("name_zh", "中文名称", "Chinese name", "活动中文名称", "name in Chinese", True),
    Field("name_en", "英文名称", "English name", "活动英文名称", "name in English", True),
    Field("hall_zh", "场地（中文）", "Hall (Chinese)", "厅室名称", "hall or room in Chinese"),
    Field("hall_en", "场地（英文）", "Hall (English)", "厅室英文名称", "hall or room in English"),
    Field("day", "日期", "Day", "活动当天（跨天活动为第一天）",
          "the day (first day of a multi-day activity)", True),
    Field("start", "开始时间", "Start", "如 09:00", "e.g. 09:00", True),
    Field("end", "结束时间", "End", "如 10:30", "e.g. 10:30", True),
    Field("end_day", "结束日期", "End day", "跨天活动的最后一天；当天结束可留空",
          "last day of a multi-day activity; empty when it ends the same day"),
    Field("doors_before", "提前入场（分钟）", "Doors open before (min)", "开始前多少分钟开始放行",
          "minutes before the start the door admits"),
    Field("doors_after", "延后入场（分钟）", "Doors open after (min)", "结束后多少分钟内仍可入场",
          "minutes after the end the door still admits"),
    Field("capacity", "容量", "Capacity", "最多在场人数；不限可留空",
          "most people inside; empty for no limit"),
    Field("admits", "准入类别", "Admitted categories", "类别代码列表；* 表示全部类别",
          "category codes; * for every category"),
    Field("except", "排除类别", "Excepted categories", "即使默认准入也不放行的类别",
          "categories refused even where admitted by default"),
    Field("mode", "入场方式", "Entry mode", "single 单次 / reentry 可重复 / once_per_day 每天一次",
          "single / reentry / once_per_day"),
    Field("exits_scanned", "扫描离场", "Exits scanned", "离场也扫码时为 是（用于在场人数）",
          "yes when exits are scanned too (for who is inside)"),
    Field("main", "主入口", "Main entrance", "是否为主入口（报到处）", "whether this is the main entrance"),
    Field("archived", "已归档", "Archived", "已撤下但保留签到记录的活动",
          "withdrawn, kept for its check-ins"),
)
CATEGORY_FIELDS = (
    Field("code", "代码", "Code", "类别代码，如 VIP、GUEST", "category code such as VIP, GUEST", True),
    Field("name_zh", "中文名称", "Chinese name", "类别中文名称", "name in Chinese", True),
    Field("name_en", "英文名称", "English name", "类别英文名称", "name in English", True),
    Field("colour", "颜色", "Colour", "证件和结果色，如 #C62828", "badge and result colour, e.g. #C62828"),
    Field("badge_template", "证件模板", "Badge template", "模板名称；留空则自动选择",
          "template name; empty chooses by category"),
    Field("attention", "需关注", "Attention", "扫码时提示工作人员注意", "the desk alerts the volunteer"),
    Field("attention_zh", "提示（中文）", "Attention text (Chinese)", "如 请通知礼宾官",
          "e.g. 请通知礼宾官"),
    Field("attention_en", "提示（英文）", "Attention text (English)", "如 Notify the protocol officer",
          "e.g. Notify the protocol officer"),
    Field("default_activities", "默认活动", "Default activities", "此类别默认可参加的活动代码",
          "activities this category is admitted to"),
    Field("aliases", "别名", "Aliases", "报名导出表中对此类别的叫法，如 嘉宾、Guest",
          "what registration exports call it, e.g. 嘉宾, Guest"),
)
FIELDS_OF = {"event": EVENT_FIELDS, "activities": ACTIVITY_FIELDS, "categories": CATEGORY_FIELDS}


def field_label(section: str, key: str) -> str:
    """'开始时间 Start (start)': how a report names a field."""
    f = next((f for f in FIELDS_OF[section] if f.key == key), None)
    return f"{f.name_zh} {f.name_en} ({key})" if f else key


# -- checking -----------------------------------------------------------------------------------
@dataclass
class _Checker:
    templates: frozenset[str] | None
    problems: list[EventProblem] = field(default_factory=list)

    def add(self, code: str, loc: Loc, *, fld: str = "", value: object = "", severity: str = ERROR,
            **params: object) -> None:
        self.problems.append(make_problem(code, loc, fld=fld, value=value, severity=severity,
                                          **params))

    def add_bad(self, bad: _Bad, loc: Loc, *, fld: str, value: object) -> None:
        self.problems.append(make_problem(bad.code, loc, fld=fld, value=value, **bad.params))

    def get(self, rec: RawRecord, section: str, key: str, parse: Callable[[object], Any],
            default: Any = None) -> Any:
        """The parsed value of a field, or `default` (with a problem when it was required or bad)."""
        spec = next(f for f in FIELDS_OF[section] if f.key == key)
        label = field_label(section, key)
        raw, loc = rec.values.get(key, (None, rec.loc))
        empty = raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == ()
        if empty:
            if spec.required:
                self.add("missing", loc if key in rec.values else rec.loc, fld=label)
            return default
        try:
            return parse(raw)
        except _Bad as bad:
            self.add_bad(bad, loc, fld=label, value=raw)
        except (TypeError, ValueError, OverflowError):
            self.add("wrong_type", loc, fld=label, value=raw, expected_zh="有效的值",
                     expected_en="a valid value")
        return default

    def unknown_fields(self, rec: RawRecord, section: str) -> None:
        known = {f.key for f in FIELDS_OF[section]}
        for key, (_v, loc) in rec.values.items():
            if key not in known:
                self.add("unknown_field", loc, fld=key, severity=WARNING)


def _where(loc: Loc) -> str:
    return " ".join(p for p in (loc.sheet, f"line {loc.line}" if loc.line else "", loc.cell) if p)


def _raw_code(rec: RawRecord) -> str | None:
    raw = rec.values.get("code", (None, rec.loc))[0]
    try:
        return parse_code(raw)
    except (_Bad, TypeError, ValueError):
        return None


def check_document(doc: RawDocument, *, templates: Iterable[str] | None = None) -> CheckReport:
    """Check a read file; the definition comes back (in normal form) only when nothing blocks it.

    `templates`: names of the badge templates there are (None: not checked).
    """
    c = _Checker(frozenset(templates) if templates is not None else None, list(doc.problems))
    event, dates = _check_event(c, doc.event)
    cat_codes = {x for x in map(_raw_code, doc.categories) if x}
    act_codes = {x for x in map(_raw_code, doc.activities) if x}
    categories = [_check_category(c, r, act_codes) for r in doc.categories]
    activities = [_check_activity(c, r, dates, cat_codes) for r in doc.activities]
    if not doc.categories and doc.event is not None:
        c.add("no_categories", doc.event.loc)
    if not doc.activities and doc.event is not None:
        c.add("no_activities", doc.event.loc)
    _check_unique(c, [(x, r) for r in doc.categories if (x := _raw_code(r))])
    _check_unique(c, [(x, r) for r in doc.activities if (x := _raw_code(r))])
    cat_ok = [(x, r) for x, r in zip(categories, doc.categories, strict=True) if x is not None]
    act_ok = [(x, r) for x, r in zip(activities, doc.activities, strict=True) if x is not None]
    _check_aliases(c, cat_ok)
    mains = [(a, r) for a, r in act_ok if a.main]
    if act_ok and not mains:
        c.add("no_main", act_ok[0][1].loc)
    if len(mains) > 1:
        c.add("several_mains", mains[1][1].loc, value=", ".join(a.code for a, _ in mains))
    for a, r in mains:
        if a.code != MAIN_CODE:
            c.add("main_code", r.values.get("code", (None, r.loc))[1], value=a.code)
    blocked = (event is None or any(p.severity == ERROR for p in c.problems)
               or None in categories or None in activities)
    if blocked or event is None:
        return CheckReport(None, tuple(c.problems))
    definition = EventDefinition(event, tuple(a for a in activities if a is not None),
                                 tuple(x for x in categories if x is not None))
    for code, cats in admitted(definition).items():
        act = definition.activity(code)
        if not cats and act is not None and not act.archived:
            rec = next(r for x, r in act_ok if x.code == code)
            c.add("admits_nobody", rec.loc, value=code, severity=WARNING)
    return CheckReport(normalised(definition), tuple(c.problems))


def _check_unique(c: _Checker, items: Sequence[tuple[str, RawRecord]]) -> None:
    first: dict[str, RawRecord] = {}
    for code, rec in items:
        if code in first:
            c.add("duplicate_code", rec.values.get("code", (None, rec.loc))[1], fld="code", value=code,
                  other=_where(first[code].loc))
        else:
            first[code] = rec


def _check_aliases(c: _Checker, cats: Sequence[tuple[CategoryDef, RawRecord]]) -> None:
    owner: dict[str, str] = {}
    for x, _r in cats:
        for word in (x.code, x.name_zh, x.name_en):
            owner.setdefault(word.casefold(), x.code)
    for x, r in cats:
        loc = r.values.get("aliases", (None, r.loc))[1]
        for alias in x.aliases:
            if ALIAS_SEPARATORS.search(alias):
                c.add("bad_alias", loc, fld=field_label("categories", "aliases"), value=alias)
                continue
            other = owner.setdefault(alias.casefold(), x.code)
            if other != x.code:
                c.add("alias_taken", loc, fld=field_label("categories", "aliases"), value=alias,
                      other=other)


def _check_event(c: _Checker, rec: RawRecord | None
                 ) -> tuple[EventDef | None, tuple[date, date] | None]:
    if rec is None:
        return None, None
    c.unknown_fields(rec, "event")
    s = "event"
    code = c.get(rec, s, "code", parse_code)
    name_zh = c.get(rec, s, "name_zh", parse_text, "")
    name_en = c.get(rec, s, "name_en", parse_text, "")
    venue_zh = c.get(rec, s, "venue_zh", parse_text, "")
    venue_en = c.get(rec, s, "venue_en", parse_text, "")
    tz_name = c.get(rec, s, "timezone", lambda v: parse_text(v, 64))
    if tz_name is not None and not timezone_ok(tz_name):
        c.add("bad_timezone", rec.values["timezone"][1], fld=field_label(s, "timezone"), value=tz_name)
        tz_name = None
    first = c.get(rec, s, "starts_on", parse_date)
    last = c.get(rec, s, "ends_on", parse_date)
    if first is None or last is None:
        return None, None
    if last < first:
        c.add("event_dates", rec.values["ends_on"][1], fld=field_label(s, "ends_on"), value=last)
        return None, None
    if code is None or tz_name is None or not name_zh or not name_en:
        return None, (first, last)
    return EventDef(code, name_zh, name_en, venue_zh, venue_en, tz_name, first, last), (first, last)


def _check_category(c: _Checker, rec: RawRecord, act_codes: set[str]) -> CategoryDef | None:
    c.unknown_fields(rec, "categories")
    s = "categories"
    before = len(c.problems)
    code = c.get(rec, s, "code", parse_code)
    name_zh = c.get(rec, s, "name_zh", parse_text, "")
    name_en = c.get(rec, s, "name_en", parse_text, "")
    colour = c.get(rec, s, "colour", parse_colour, "#607D8B")
    template = c.get(rec, s, "badge_template", lambda v: parse_text(v, LIMITS["template"]), "")
    if template and c.templates is not None and template not in c.templates:
        c.add("unknown_template", rec.values["badge_template"][1], fld=field_label(s, "badge_template"),
              value=template, known=", ".join(sorted(c.templates)) or "—")
    attention = c.get(rec, s, "attention", parse_bool, False)
    attention_zh = c.get(rec, s, "attention_zh", parse_text, "")
    attention_en = c.get(rec, s, "attention_en", parse_text, "")
    defaults = c.get(rec, s, "default_activities", parse_codes, [])
    for code_ in defaults:
        if code_ not in act_codes:
            c.add("unknown_activity", rec.values["default_activities"][1],
                  fld=field_label(s, "default_activities"), value=code_)
    aliases = c.get(rec, s, "aliases", lambda v: [parse_text(a, LIMITS["alias"]) for a in _items(v)], [])
    if any(p.severity == ERROR for p in c.problems[before:]) or code is None or not (name_zh and name_en):
        return None
    return CategoryDef(code, name_zh, name_en, colour, template, attention, attention_zh, attention_en,
                       tuple(d for d in defaults if d != "*"), tuple(a for a in aliases if a))


def _items(v: object) -> list[object]:
    """Alias items: a list as it is (so a separator inside one is reported), or text split up."""
    if isinstance(v, list | tuple):
        return list(v)
    return list(split_list(v))


def _check_activity(c: _Checker, rec: RawRecord, dates: tuple[date, date] | None,
                    cat_codes: set[str]) -> ActivityDef | None:
    c.unknown_fields(rec, "activities")
    s = "activities"
    before = len(c.problems)
    code = c.get(rec, s, "code", parse_code)
    name_zh = c.get(rec, s, "name_zh", parse_text, "")
    name_en = c.get(rec, s, "name_en", parse_text, "")
    hall_zh = c.get(rec, s, "hall_zh", parse_text, "")
    hall_en = c.get(rec, s, "hall_en", parse_text, "")
    day = c.get(rec, s, "day", parse_date)
    start = c.get(rec, s, "start", parse_time)
    end = c.get(rec, s, "end", parse_time)
    end_day = c.get(rec, s, "end_day", parse_date)
    doors_before = c.get(rec, s, "doors_before", lambda v: parse_int(v, 0, MAX_MINUTES), 30)
    doors_after = c.get(rec, s, "doors_after", lambda v: parse_int(v, 0, MAX_MINUTES), 0)
    capacity = c.get(rec, s, "capacity", lambda v: parse_int(v, 1, 10_000_000))
    admits = c.get(rec, s, "admits", parse_codes, [])
    excepted = c.get(rec, s, "except", parse_codes, [])
    for key, listed in (("admits", admits), ("except", excepted)):
        for code_ in listed:
            if code_ != "*" and code_ not in cat_codes:
                c.add("unknown_category", rec.values[key][1], fld=field_label(s, key), value=code_)
    for code_ in set(admits) & set(excepted) - {"*"}:
        c.add("admitted_and_excepted", rec.values["except"][1], fld=field_label(s, "except"),
              value=code_)
    mode = c.get(rec, s, "mode", parse_mode, REENTRY)
    exits = c.get(rec, s, "exits_scanned", parse_bool, False)
    main = c.get(rec, s, "main", parse_bool, False)
    archived = c.get(rec, s, "archived", parse_bool, False)
    if day is not None and start is not None and end is not None:
        last_day = end_day or day
        if datetime.combine(last_day, end) <= datetime.combine(day, start):
            loc = rec.values.get("end", (None, rec.loc))[1]
            c.add("end_before_start", loc, fld=field_label(s, "end"),
                  value=f"{last_day.isoformat()} {end.isoformat('minutes')}",
                  start=f"{day.isoformat()} {start.isoformat('minutes')}")
        if dates is not None:
            for key, d in (("day", day), ("end_day", last_day)):
                if not dates[0] <= d <= dates[1] and (key == "day" or end_day is not None):
                    c.add("outside_dates", rec.values[key][1], fld=field_label(s, key), value=d,
                          first=dates[0].isoformat(), last=dates[1].isoformat())
    if (any(p.severity == ERROR for p in c.problems[before:]) or code is None or day is None
            or start is None or end is None or not (name_zh and name_en)):
        return None
    return ActivityDef(
        code=code, name_zh=name_zh, name_en=name_en, hall_zh=hall_zh, hall_en=hall_en, day=day,
        start=start, end=end, end_day=end_day, doors_before=doors_before, doors_after=doors_after,
        capacity=capacity, admits=tuple(a for a in admits if a != "*"), admits_all="*" in admits,
        excepted=tuple(e for e in excepted if e != "*"), mode=mode, exits_scanned=exits, main=main,
        archived=archived)


def day_start(moment: datetime, tz: tzinfo) -> datetime:
    """Local midnight of the day `moment` falls on, in the event's time zone (aware)."""
    return datetime.combine(moment.astimezone(tz).date(), time(0, 0), tz)
