"""Event definition files: YAML (commented, ruamel.yaml) and an XLSX workbook, read and written."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, time
from pathlib import Path
from typing import Any

from checkin_app.domain import event_sheets
from checkin_app.domain.clock import DEFAULT_TIME_ZONE
from checkin_app.domain.event_def import (
    ACTIVITY_FIELDS,
    CATEGORY_FIELDS,
    EVENT_FIELDS,
    FIELDS_OF,
    WARNING,
    ActivityDef,
    CategoryDef,
    CheckReport,
    EventDefinition,
    EventProblem,
    Field,
    Loc,
    RawDocument,
    RawRecord,
    check_document,
    make_problem,
)
from checkin_app.domain.messages import Words, both, msg, pair
from checkin_app.paths import resource

SECTIONS = ("event", "activities", "categories")
# Sheet titles (Excel does not allow "/" in a sheet name) and the words that find them again.
SHEETS = event_sheets.SHEETS
_SHEET_WORDS = event_sheets.SHEET_WORDS
TEMPLATES = ("blank", "chongqing")
CHONGQING_FILE = "chongqing-2024.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class EventFileError(Exception):
    """A file that cannot be written (or a kind of file not known); the message is bilingual."""


# -- reading --------------------------------------------------------------------------------------
def read_document(path: Path) -> RawDocument:
    """Read a YAML or XLSX event file into a raw document; never raises for what the file holds."""
    suffix = path.suffix.lower()
    loc = Loc(path.name)
    if suffix not in YAML_SUFFIXES + XLSX_SUFFIXES:
        return RawDocument(None, problems=(make_problem(
            "syntax", loc, detail=f"unknown file type {suffix or '(none)'}; use .yaml or .xlsx"),))
    try:
        if suffix in XLSX_SUFFIXES:
            return read_xlsx(path)
        return read_yaml(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        return RawDocument(None, problems=(make_problem("syntax", loc, detail=str(exc)),))


def check_file(path: Path, *, templates: Iterable[str] | None = None) -> CheckReport:
    """Read and check one file."""
    return check_document(read_document(path), templates=templates)


def _plain(value: Any) -> Any:
    """ruamel's scalar and container types as plain Python values."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _line_of(container: Any, key: Any, fallback: int) -> int:
    try:
        lc = container.lc
        pos = lc.key(key) if isinstance(container, dict) else lc.item(key)
        return int(pos[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return fallback


def read_yaml(text: str) -> RawDocument:
    """A YAML event file as a raw document (line numbers kept for the report)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except Exception as exc:  # any parser error becomes one report line, never a traceback
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = int(getattr(mark, "line", -1)) + 1
        detail = str(getattr(exc, "problem", None) or exc).splitlines()[0][:200]
        return RawDocument(None, problems=(make_problem("syntax", Loc("", max(line, 0)), detail=detail),))
    problems: list[EventProblem] = []
    if not isinstance(data, dict):
        problems.append(make_problem("not_a_mapping", Loc("", 1)))
        return RawDocument(None, problems=tuple(problems))
    for key in data:
        if str(key) not in SECTIONS:
            problems.append(make_problem("unknown_field", Loc("", _line_of(data, key, 1), str(key)),
                                         fld=str(key), severity=WARNING))

    def record(node: Any, path: str, line: int) -> RawRecord | None:
        if not isinstance(node, dict):
            problems.append(make_problem("not_a_mapping", Loc("", line, path)))
            return None
        values: dict[str, tuple[object, Loc]] = {}
        for k, v in node.items():
            values[str(k)] = (_plain(v), Loc("", _line_of(node, k, line), f"{path}.{k}"))
        return RawRecord(Loc("", line, path), values)

    event = None
    if "event" in data:
        event = record(data["event"], "event", _line_of(data, "event", 1))
    else:
        problems.append(make_problem("missing", Loc("", 1), fld="event"))
    lists: dict[str, list[RawRecord]] = {"activities": [], "categories": []}
    for section, out in lists.items():
        node = data.get(section)
        line = _line_of(data, section, 1)
        if node is None:
            continue
        if not isinstance(node, list):
            problems.append(make_problem("not_a_list", Loc("", line, section)))
            continue
        for i, item in enumerate(node):
            rec = record(item, f"{section}[{i + 1}]", _line_of(node, i, line))
            if rec is not None:
                out.append(rec)
    return RawDocument(event, tuple(lists["activities"]), tuple(lists["categories"]), tuple(problems))


def _fold(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def _field_words(f: Field) -> set[str]:
    return {_fold(w) for w in (f.key, f.name_zh, f.name_en, f"{f.name_zh} {f.name_en}",
                               f"{f.name_zh} {f.name_en} ({f.key})", f"({f.key})")}


def _find_field(fields: Sequence[Field], label: object) -> Field | None:
    text = _fold(label)
    if not text:
        return None
    for f in fields:
        if text in _field_words(f):
            return f
    m = re.search(r"\(([a-z_]+)\)\s*$", text)
    if m:
        return next((f for f in fields if f.key == m[1]), None)
    return None


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def read_xlsx(path: Path) -> RawDocument:
    """An event workbook (sheets 大会 Event, 活动 Activities, 类别 Categories) as a raw document."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # not a workbook, a damaged one, a password-protected one
        return RawDocument(None, problems=(make_problem("syntax", Loc(path.name), detail=str(exc)[:200]),))
    problems: list[EventProblem] = []
    try:
        titles = {s: _sheet_for(book.sheetnames, s) for s in SECTIONS}
        event: RawRecord | None = None
        if titles["event"] is None:
            problems.append(make_problem("no_sheet", Loc(path.name), detail=SHEETS["event"]))
        else:
            ws = book[titles["event"]]
            sheet = ws.title
            values: dict[str, tuple[object, Loc]] = {}
            for row in ws.iter_rows(min_row=1):
                label = row[0].value if row else None
                if label is None:
                    continue
                f = _find_field(EVENT_FIELDS, label)
                value = _cell_value(row[1].value) if len(row) > 1 else None
                if f is None:
                    if row[0].row > 1 and value not in (None, ""):
                        problems.append(make_problem("unknown_field", Loc(sheet, row[0].row,
                                                                          f"A{row[0].row}"),
                                                     fld=str(label), severity=WARNING))
                    continue
                values[f.key] = (value, Loc(sheet, row[0].row, f"B{row[0].row}"))
            event = RawRecord(Loc(sheet, 1, "A1"), values)
        lists: dict[str, list[RawRecord]] = {"activities": [], "categories": []}
        for section, out in lists.items():
            title = titles[section]
            if title is None:
                problems.append(make_problem("no_sheet", Loc(path.name), detail=SHEETS[section]))
                continue
            ws = book[title]
            rows = ws.iter_rows()
            header = next(rows, None)
            columns: dict[int, str] = {}
            for cell in header or ():
                if cell.value is None or not str(cell.value).strip():
                    continue
                f = _find_field(FIELDS_OF[section], cell.value)
                if f is None:
                    problems.append(make_problem("unknown_field", Loc(title, 1, cell.coordinate),
                                                 fld=str(cell.value), severity=WARNING))
                else:
                    columns[cell.column] = f.key
            if header is not None and not columns:
                problems.append(make_problem("no_header", Loc(title, 1, "A1")))
                continue
            for row in rows:
                vals: dict[str, tuple[object, Loc]] = {}
                for cell in row:
                    key = columns.get(cell.column)
                    value = _cell_value(cell.value)
                    if key is None or value is None or value == "":
                        continue
                    vals[key] = (value, Loc(title, cell.row, f"{get_column_letter(cell.column)}{cell.row}"))
                if vals:
                    r = row[0].row
                    out.append(RawRecord(Loc(title, r, f"A{r}"), vals))
    finally:
        book.close()
    return RawDocument(event, tuple(lists["activities"]), tuple(lists["categories"]), tuple(problems))


def _sheet_for(names: Sequence[str], section: str) -> str | None:
    zh, en = _SHEET_WORDS[section]
    for name in names:
        if zh in name or en in name.casefold():
            return name
    return None


# -- writing --------------------------------------------------------------------------------------
def _event_values(d: EventDefinition) -> dict[str, Any]:
    e = d.event
    return {"code": e.code, "name_zh": e.name_zh, "name_en": e.name_en, "venue_zh": e.venue_zh,
            "venue_en": e.venue_en, "timezone": e.timezone, "starts_on": e.starts_on,
            "ends_on": e.ends_on}


def _activity_values(a: ActivityDef) -> dict[str, Any]:
    """Field → value; fields at their default are left out (except the ones every row shows)."""
    out: dict[str, Any] = {
        "code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "hall_zh": a.hall_zh,
        "hall_en": a.hall_en, "day": a.day, "start": a.start, "end": a.end, "end_day": a.end_day,
        "doors_before": a.doors_before, "doors_after": a.doors_after, "capacity": a.capacity,
        "admits": ["*"] if a.admits_all else list(a.admits), "except": list(a.excepted),
        "mode": a.mode, "exits_scanned": a.exits_scanned, "main": a.main, "archived": a.archived,
    }
    for key, default in (("end_day", None), ("except", []), ("archived", False), ("hall_zh", ""),
                         ("hall_en", "")):
        if out[key] == default:
            del out[key]
    return out


def _category_values(c: CategoryDef) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "colour": c.colour,
        "badge_template": c.badge_template, "attention": c.attention, "attention_zh": c.attention_zh,
        "attention_en": c.attention_en, "default_activities": list(c.default_activities),
        "aliases": list(c.aliases),
    }
    for key in ("badge_template", "attention_zh", "attention_en", "default_activities"):
        if not out[key]:
            del out[key]
    return out


def _hm(t: time) -> str:
    return t.isoformat("seconds" if t.second else "minutes")


def _intro() -> str:
    """The YAML file's opening comment: what it is, how to check it, how dates and times are written."""
    return (f"# {both(msg('event.file.title'), sep=' / ')}\n"
            f"# {both(msg('event.file.how'), sep=chr(10) + '# ')}\n"
            f"# {both(msg('event.file.formats'), sep=chr(10) + '# ')}\n")


def _need(f: Field, sep: str) -> str:
    return both(msg("event.file.required" if f.required else "event.file.optional"), sep=sep)


def _legend(section: str) -> str:
    zh, en = pair(msg(f"event.file.section.{section}"))
    lines = ["#", f"# ── {zh} / {en} ──"]
    for f in FIELDS_OF[section]:
        need = _need(f, " ")
        lines.append(f"#   {f.key}: {f.name_zh} / {f.name_en} ({need}) — {f.help_zh} / {f.help_en}")
    return "\n".join(lines) + "\n"


# Characters that give a plain YAML scalar a meaning of its own: at the start (indicators) or
# anywhere in a flow collection (separators, comments, keys).
_YAML_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_YAML_IN_FLOW = frozenset(",[]{}#:?")


def _needs_quotes(text: str) -> bool:
    """Whether a text must be quoted to read back from YAML (inside a flow list too) as itself."""
    return bool(text) and (text[0] in _YAML_INDICATORS or any(c in _YAML_IN_FLOW for c in text))


def yaml_text(definition: EventDefinition) -> str:
    """The definition as a commented YAML file (field legend before each section)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import SingleQuotedScalarString as Q

    def node(values: dict[str, Any]) -> CommentedMap:
        m = CommentedMap()
        for k, v in values.items():
            if isinstance(v, list):
                # In a flow list ([a, b]) a plain "?-A" opens a mapping key and "a, b" is two items:
                # quote every text that YAML could read as structure, so it reads back as written.
                seq = CommentedSeq([Q(x) if isinstance(x, str) and _needs_quotes(x) else x for x in v])
                seq.fa.set_flow_style()
                m[k] = seq
            elif isinstance(v, date):
                m[k] = Q(v.isoformat())
            elif isinstance(v, time):
                m[k] = Q(_hm(v))
            elif isinstance(v, str) and (v != v.strip() or _needs_quotes(v)):
                m[k] = Q(v)
            else:
                m[k] = v
        return m

    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    parts = [_intro()]
    sections: list[tuple[str, Any]] = [
        ("event", node(_event_values(definition))),
        ("activities", [node(_activity_values(a)) for a in definition.activities]),
        ("categories", [node(_category_values(c)) for c in definition.categories]),
    ]
    for name, value in sections:
        buf = io.StringIO()
        doc = CommentedMap()
        doc[name] = value
        yaml.dump(doc, buf)
        parts.append(_legend(name))
        parts.append(buf.getvalue())
        parts.append("\n")
    return "".join(parts).rstrip("\n") + "\n"


def _cell_text(key: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return event_sheets.YES if value else event_sheets.NO
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return _hm(value)
    if isinstance(value, list):
        return ", ".join(value) if value else None
    return value


def write_xlsx(definition: EventDefinition, path: Path) -> None:
    """The definition as a workbook: 大会 Event (field / value / help), 活动 Activities, 类别 Categories."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEETS["event"]
    ws.append([both(msg(f"event.file.head.{h}"), sep=" ") for h in ("field", "value", "help")])
    for f in EVENT_FIELDS:
        ws.append([f"{f.name_zh} {f.name_en}", None, f"{f.help_zh} / {f.help_en}"])
        _put(ws.cell(ws.max_row, 2), _cell_text(f.key, _event_values(definition)[f.key]))
    for cell in ws[1]:
        cell.font, cell.fill = bold, head_fill
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 70
    tables: list[tuple[str, Sequence[Field], list[dict[str, Any]]]] = [
        ("activities", ACTIVITY_FIELDS, [_activity_values(a) for a in definition.activities]),
        ("categories", CATEGORY_FIELDS, [_category_values(c) for c in definition.categories]),
    ]
    for section, fields, rows in tables:
        sheet = book.create_sheet(SHEETS[section])
        sheet.append([f"{f.name_zh} {f.name_en}" for f in fields])
        for i, f in enumerate(fields, start=1):
            cell = sheet.cell(1, i)
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            need = _need(f, " / ")
            cell.comment = Comment(f"{f.key} — {need}\n{f.help_zh}\n{f.help_en}", "checkin-app")
            sheet.column_dimensions[cell.column_letter].width = 14 if f.key not in (
                "name_zh", "name_en", "hall_zh", "hall_en", "admits") else 30
        for r, values in enumerate(rows, start=2):
            for i, f in enumerate(fields, start=1):
                _put(sheet.cell(r, i), _cell_text(f.key, values.get(f.key)))
        sheet.freeze_panes = "B2"
    try:
        book.save(path)
    except OSError as exc:
        raise EventFileError(both(msg("event.file.cannot_write", path=path, error=exc))) from exc


def _put(cell: Any, value: Any) -> None:
    """Set a cell; text is always text (a name starting with = is never run as a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_definition(definition: EventDefinition, path: Path) -> None:
    """Write YAML or XLSX by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        write_xlsx(definition, path)
        return
    if suffix not in YAML_SUFFIXES:
        raise EventFileError(both(msg("event.file.unknown_type", suffix=suffix or msg("event.file.none"))))
    try:
        path.write_text(yaml_text(definition), encoding="utf-8")
    except OSError as exc:
        raise EventFileError(both(msg("event.file.cannot_write", path=path, error=exc))) from exc


# -- starter files ------------------------------------------------------------------------------
def events_dir() -> Path:
    """The bundled event definitions (the demo's among them)."""
    return resource("events")


def chongqing() -> EventDefinition:
    """The Chongqing 2024 conference, the demo's event, from its bundled file."""
    report = check_file(events_dir() / CHONGQING_FILE)
    if report.definition is None:  # a broken bundled file is a bug, said plainly
        first = report.errors[0]
        said = msg("event.file.bundled_broken", where=first.where,
                   problem=Words(first.message_zh, first.message_en))
        raise EventFileError(both(said))
    return report.definition


def blank() -> EventDefinition:
    """The smallest event that passes the check: a main entrance and one category, to fill in."""
    from checkin_app.domain.event_def import EventDef

    first, last = date(2025, 6, 1), date(2025, 6, 2)
    def words(part: str) -> tuple[str, str]:
        return pair(msg(f"event.blank.{part}"))

    vip_zh, vip_en = words("vip_attention")
    aliases = event_sheets.BLANK_ALIASES
    return EventDefinition(
        EventDef("MY_EVENT", *words("name"), *words("venue"), DEFAULT_TIME_ZONE, first, last),
        (ActivityDef("MAIN", *words("main"), *words("main_hall"),
                     day=first, start=time(8, 0), end=time(18, 0), end_day=last, doors_before=0,
                     admits_all=True, mode="once_per_day", main=True),
         ActivityDef("OPENING", *words("opening"), *words("opening_hall"), day=first,
                     start=time(9, 0), end=time(10, 30), doors_before=30, capacity=500,
                     admits=("ATTENDEE",), mode="single")),
        (CategoryDef("VIP", *words("vip"), "#C62828", attention=True, attention_zh=vip_zh,
                     attention_en=vip_en, default_activities=("OPENING",), aliases=aliases["VIP"]),
         CategoryDef("ATTENDEE", *words("attendee"), "#78909C", aliases=aliases["ATTENDEE"])),
    )


def starter(template: str) -> EventDefinition:
    """A starter definition: "blank" or "chongqing"."""
    if template == "blank":
        return blank()
    if template == "chongqing":
        return chongqing()
    raise EventFileError(both(msg("event.file.no_template", template=template, known=", ".join(TEMPLATES))))
