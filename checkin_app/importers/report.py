"""Import report lines (sheet/line, column, value, problem in Chinese and English) and their CSV file."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from checkin_app.domain.spreadsheet import spreadsheet_cell

ERROR = "error"  # the row is not imported
WARNING = "warning"  # the row is imported; someone should look
INFO = "info"  # nothing wrong, but worth knowing (a skipped total row, a missing person)

# code → (Chinese, English); {value} and other fields are filled from the problem's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing_name": ("缺少姓名", "Name is missing"),
    "missing_key": ("缺少{field_zh}，无法识别此人", "{field_en} is missing, so the person cannot be matched"),
    "bad_code": ("报名编号含有无效字符", "Registration number contains characters that are not allowed"),
    "code_padded": ("报名编号前导零已补回：{fixed}",
                    "Leading zeros of the registration number restored: {fixed}"),
    "duplicate_key": ("与第 {other} 行{field_zh}重复，此行未导入",
                      "Same {field_en} as line {other}; this row was not imported"),
    "duplicate_person": ("与第 {other} 行姓名和单位相同，可能是同一人",
                         "Same name and organisation as line {other}: possibly the same person"),
    "missing_category": ("缺少类别", "Category is missing"),
    "unknown_category": ("未知类别：{value}（应为本次大会的类别名称或代码）",
                         "Unknown category: {value} (use a category name or code of this event)"),
    "unknown_activity": ("未知活动：{token}", "Unknown activity: {token}"),
    "activity_extra": ("类别“{category}”默认不能参加“{activity_zh}”，已为此人单独开通",
                       "Category {category} is not admitted to {activity_en} by default; "
                       "this person was given an individual admission"),
    "unknown_track": ("赛道“{value}”对应不到本次大会的活动（未单独开通）",
                      "Track {value} matches no activity of this event (no admission given)"),
    "track_admission": ("赛道“{value}”：已开通“{activity_zh}”", "Track {value}: admitted to {activity_en}"),
    "unknown_country": ("未知国家/地区：{value}（已留空）", "Unknown country/region: {value} (left empty)"),
    "unknown_status": ("无法识别的状态：{value}", "Unrecognised status: {value}"),
    "mapped_reject": ("按值映射拒绝：{value}，此行未导入",
    "Rejected by the value mapping: {value}; row not imported"),
    "pending_status": ("报名尚未审核通过，未导入", "Registration is not approved yet; not imported"),
    "bad_phone": ("手机号码无效：{value}", "Invalid phone number: {value}"),
    "phone_digits_lost": ("号码以科学计数法保存，后几位已丢失：{value}"
                          "（请在 Excel 中将该列设为文本后重新导出）",
                          "Number was saved in scientific notation and lost digits: {value} "
                          "(format the column as text in Excel and export again)"),
    "bad_email": ("电子邮箱无效：{value}", "Invalid email address: {value}"),
    "bad_id": ("证件号码校验不通过：{value}", "ID number fails its check digit: {value}"),
    "bad_date": ("无法识别的日期：{value}", "Unrecognised date: {value}"),
    "truncated": ("内容过长，已截断为 {limit} 个字符", "Too long; cut to {limit} characters"),
    "uncovered_chars": ("徽章字体没有这些字符，徽章上将省略：{chars}",
                        "No badge font has these characters; the badge leaves them out: {chars}"),
    "latin_missing": ("缺少外文名：徽章只显示本名，请补充外文名",
                      "Latin name missing: the badge shows the native name alone; add one"),
    "photo_missing": ("照片文件未找到：{value}", "Photo file not found: {value}"),
    "junk_row": ("不是报名人员（{reason_zh}）：{value}，此行未导入",
                 "Not a registered person ({reason_en}): {value}; row not imported"),
    "section_row": ("分组标题行，已跳过：{value}", "Section heading row skipped: {value}"),
    "total_row": ("合计行，已跳过", "Total row skipped"),
    "header_row": ("重复的表头行，已跳过", "Repeated header row skipped"),
    "missing_from_file": ("此人在系统中但不在本次完整导入的文件中（未删除，请核实）",
                          "In the system but not in this full import (not deleted; please check)"),
    "code_qualified": ("报名编号 {value} 已属于来源“{other}”的另一人；此人保存为 {stored}",
                       "Registration number {value} belongs to someone of source {other}; this "
                       "person is stored as {stored}"),
    "same_person_other_source": (
        "可能与来源“{other_source}”的 {other_code} 是同一人（{by_zh}相同）：已分别保存，请核实后合并或保留",
        "Possibly the same person as {other_code} of source {other_source} (same {by_en}): kept "
        "apart; check, then merge or keep both"),
    "more_notes": ("另有 {count} 行同样的提示（例如第 {lines} 行）：{what_zh}",
                   "{count} more lines with the same note (e.g. lines {lines}): {what_en}"),
    "code_taken": ("报名编号 {value} 已属于另一人，此行未导入",
                   "Registration number {value} already belongs to someone else; row not imported"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One report line."""

    sheet: str
    line: int  # 0 when the line is not in the file (a missing person)
    column: str
    value: str
    severity: str
    code: str
    message_zh: str
    message_en: str

    @property
    def blocks(self) -> bool:
        """Whether this problem kept the row out of the database."""
        return self.severity == ERROR


# Report codes of values a vocabulary column holds that the event does not know, by column kind.
UNKNOWN_VALUE_CODES = {"unknown_category": "category", "unknown_activity": "activity",
                       "unknown_status": "status", "pending_status": "status",
                       "unknown_country": "country", "unknown_track": "track"}
KIND_NAMES = {"category": ("类别", "category"), "activity": ("活动", "activity"),
              "status": ("状态", "status"), "track": ("赛道", "track"),
              "country": ("国家/地区", "country")}


@dataclass(frozen=True, slots=True)
class UnknownValue:
    """One value the event does not know, with how many rows hold it (嘉宾 ×412) and the first lines."""

    kind: str  # "category", "activity", "status" or "country"
    column: str
    value: str
    count: int
    lines: tuple[int, ...]  # the first few lines holding it
    severity: str

    @property
    def label(self) -> str:
        """'嘉宾 ×412'."""
        return f"{self.value} ×{self.count}"


def group_unknown(problems: Iterable[Problem], *, keep_lines: int = 5) -> tuple[UnknownValue, ...]:
    """Unknown-value report lines grouped by column kind and value, most frequent first."""
    from checkin_app.importers.text import fold

    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        kind = UNKNOWN_VALUE_CODES.get(p.code)
        if kind is not None:
            groups.setdefault((kind, fold(p.value)), []).append(p)
    out = [UnknownValue(kind, ps[0].column, ps[0].value, len(ps),
                        tuple(sorted({p.line for p in ps})[:keep_lines]), ps[0].severity)
           for (kind, _), ps in groups.items()]
    out.sort(key=lambda u: (list(KIND_NAMES).index(u.kind), -u.count, u.value))
    return tuple(out)


def problem(code: str, severity: str, *, sheet: str, line: int, column: str, value: object,
            **params: object) -> Problem:
    """A report line with its message filled in from MESSAGES."""
    text = "" if value is None else str(value)
    zh, en = MESSAGES[code]
    fields = {"value": text, **params}
    return Problem(sheet, line, column, text, severity, code, zh.format(**fields), en.format(**fields))


# Notes (INFO) of one kind shown line by line; the rest are counted in one line.
NOTES_PER_KIND = 20
# Notes that name a person to check, each one (never counted away).
_EVERY_NOTE = frozenset({"missing_from_file"})


class ReportLines:
    """An import's report lines as they come: every error and warning, and of each kind of note
    (INFO) the first NOTES_PER_KIND lines, then one line counting the rest, so that a
    100,000-row file's report stays bounded and readable (not 70,000 'Latin name missing')."""

    def __init__(self, per_kind: int = NOTES_PER_KIND) -> None:
        self.lines: list[Problem] = []
        self._per_kind = per_kind
        self._notes: dict[str, int] = {}
        # code → [lines counted, first such lines, the first counted line]
        self._more: dict[str, tuple[list[int], Problem]] = {}

    def append(self, p: Problem) -> None:
        """Keep the line, or count it with the notes of its kind."""
        if p.severity != INFO or p.code in _EVERY_NOTE:
            self.lines.append(p)
            return
        n = self._notes[p.code] = self._notes.get(p.code, 0) + 1
        if n <= self._per_kind:
            self.lines.append(p)
            return
        more = self._more.get(p.code)
        if more is None:
            self._more[p.code] = ([p.line], p)
        elif len(more[0]) < 5:
            more[0].append(p.line)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Append each."""
        for p in problems:
            self.append(p)

    def summary(self) -> list[Problem]:
        """One line per kind of note that had more lines than were kept."""
        out = []
        for code, (lines, first) in self._more.items():
            count = self._notes[code] - self._per_kind
            out.append(problem("more_notes", INFO, sheet=first.sheet, line=0, column=first.column,
                               value=f"{code} ×{count}", count=f"{count:,}",
                               lines=", ".join(str(n) for n in lines if n),
                               what_zh=first.message_zh, what_en=first.message_en))
        return out

    def all(self) -> list[Problem]:
        """The lines kept and the counting lines."""
        return [*self.lines, *self.summary()]


SEVERITY_NAMES = {ERROR: ("错误", "error"), WARNING: ("警告", "warning"), INFO: ("提示", "info")}
REPORT_HEADER = ("工作表 Sheet", "行 Line", "列 Column", "值 Value", "级别 Severity", "代码 Code",
                 "问题 Problem", "Problem (English)")


def report_rows(problems: Iterable[Problem]) -> Iterable[list[str]]:
    """The report as table rows (without the header)."""
    for p in problems:
        zh, en = SEVERITY_NAMES.get(p.severity, (p.severity, p.severity))
        yield [p.sheet, str(p.line) if p.line else "", p.column, p.value, f"{zh} {en}", p.code,
               p.message_zh, p.message_en]


def write_report(path: Path, problems: Iterable[Problem]) -> int:
    """Write the report as UTF-8 CSV with a BOM (opens right in Excel on Chinese Windows)."""
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(REPORT_HEADER)
        for row in report_rows(problems):
            # A value from the export may begin with "=" or "@": in the report it stays text.
            w.writerow([spreadsheet_cell(c) for c in row])
            n += 1
    return n
