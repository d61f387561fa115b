"""Import report lines (sheet/line, column, value, problem in Chinese and English) and their CSV file."""

from __future__ import annotations

import csv
import heapq
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from checkin_app.domain.messages import CATALOGUE, both, pair, text
from checkin_app.domain.spreadsheet import spreadsheet_cell

ERROR = "error"  # the row is not imported
WARNING = "warning"  # the row is imported; someone should look
INFO = "info"  # nothing wrong, but worth knowing (a skipped total row, a missing person)

# A problem code's words are the catalogue's "import.problem.<code>"; {value} and other fields are
# filled from the problem's params.
PROBLEM_PREFIX = "import.problem."


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

    def __reduce__(self) -> tuple[type[Problem], tuple[str, int, str, str, str, str, str, str]]:
        # Problems cross from the row-check worker and through the report's spill files by
        # pickle: as a plain tuple, not the per-field state dataclasses give slotted classes
        # (which calls dataclasses.fields() for each one: 2 s of the importing process's time
        # per 100,000 rows with warnings).
        return (Problem, (self.sheet, self.line, self.column, self.value, self.severity, self.code,
                          self.message_zh, self.message_en))

    @property
    def blocks(self) -> bool:
        """Whether this problem kept the row out of the database."""
        return self.severity == ERROR


# Report codes of values a vocabulary column holds that the event does not know, by column kind.
UNKNOWN_VALUE_CODES = {"unknown_category": "category", "unknown_activity": "activity",
                       "unknown_status": "status", "pending_status": "status",
                       "unknown_country": "country", "unknown_track": "track"}
# (zh, en) of each column kind, in the order the report groups them.
KIND_NAMES = {kind: pair(f"import.kind.{kind}")
              for kind in ("category", "activity", "status", "track", "country")}


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


# Distinct unknown values grouped per column kind; values past these are counted in the lines of
# the report, not grouped (a hostile file of a million different countries stays bounded).
MAX_UNKNOWN_VALUES = 1000


class UnknownGroups:
    """Unknown-value report lines grouped by column kind and value as they come, with exact counts."""

    def __init__(self, keep_lines: int = 5, limit: int = MAX_UNKNOWN_VALUES) -> None:
        self._keep = keep_lines
        self._limit = limit
        # (kind, folded value) → [first line's problem, count, the smallest lines]
        self._groups: dict[tuple[str, str], tuple[Problem, list[int], list[int]]] = {}
        self._per_kind: dict[str, int] = {}

    def add(self, p: Problem) -> None:
        """Count the line with its value (when it is one of an unknown value)."""
        from checkin_app.importers.text import fold

        kind = UNKNOWN_VALUE_CODES.get(p.code)
        if kind is None:
            return
        key = (kind, fold(p.value))
        group = self._groups.get(key)
        if group is None:
            if self._per_kind.get(kind, 0) >= self._limit:
                return
            self._per_kind[kind] = self._per_kind.get(kind, 0) + 1
            group = self._groups[key] = (p, [0], [])
        group[1][0] += 1
        lines = group[2]
        if p.line not in lines and (len(lines) < self._keep or p.line < lines[-1]):
            lines.append(p.line)
            lines.sort()
            del lines[self._keep:]

    def absorb(self, other: UnknownGroups) -> None:
        """Add another part's groups (the same file's other lines)."""
        for key, (p, count, lines) in other._groups.items():
            mine = self._groups.get(key)
            if mine is None:
                self._groups[key] = (p, [count[0]], list(lines))
                continue
            mine[1][0] += count[0]
            mine[2][:] = sorted(set(mine[2]) | set(lines))[:self._keep]

    def values(self) -> tuple[UnknownValue, ...]:
        """The groups, most frequent first within each kind."""
        out = [UnknownValue(kind, p.column, p.value, count[0], tuple(lines), p.severity)
               for (kind, _), (p, count, lines) in self._groups.items()]
        out.sort(key=lambda u: (list(KIND_NAMES).index(u.kind), -u.count, u.value))
        return tuple(out)


def group_unknown(problems: Iterable[Problem], *, keep_lines: int = 5) -> tuple[UnknownValue, ...]:
    """Unknown-value report lines grouped by column kind and value, most frequent first."""
    groups = UnknownGroups(keep_lines, limit=1 << 62)
    for p in problems:
        groups.add(p)
    return groups.values()


def problem(code: str, severity: str, *, sheet: str, line: int, column: str, value: object,
            **params: object) -> Problem:
    """A report line with its message filled in from the catalogue ("import.problem.<code>").

    A parameter given as `name_zh` and `name_en` (event data in both languages) fills `{name}` of
    the Chinese and of the English words; any other fills both.
    """
    value_text = "" if value is None else str(value)
    # Straight from the table, not through text(): one call per report line of a big file, and an
    # unknown code or a missing field must still fail here, not print the code.
    zh, en = CATALOGUE[PROBLEM_PREFIX + code]
    zh_fields: dict[str, object] = {"value": value_text}
    en_fields: dict[str, object] = {"value": value_text}
    for name, v in params.items():
        if name.endswith("_zh"):
            zh_fields[name[:-3]] = v
        elif name.endswith("_en"):
            en_fields[name[:-3]] = v
        else:
            zh_fields[name] = en_fields[name] = v
    return Problem(sheet, line, column, value_text, severity, code, zh.format(**zh_fields),
                   en.format(**en_fields))


# Notes (INFO) of one kind shown line by line; the rest are counted in one line.
NOTES_PER_KIND = 20
# Errors and warnings (and the people a full import did not list) shown line by line per code in
# the result, the wizard and the terminal; the rest are counted in one line per code. The report
# file, when one is asked for, lists every line.
ROWS_PER_CODE = 1000
# Notes that name a person to check: held to ROWS_PER_CODE like errors, not to NOTES_PER_KIND.
_EVERY_NOTE = frozenset({"missing_from_file"})

def _line_order(p: Problem) -> tuple[bool, int]:
    """Report order: by line, lines not in the file (0) last."""
    return (p.line == 0, p.line)


class ReportSpool:
    """Every report line of one part of an import, in a temporary file as it comes (pickled in
    batches), read back in order when the report file is written: the full list never sits in
    memory."""

    def __init__(self) -> None:
        # Closed by close() (the import's ExitStack), not by a with block: it outlives this call.
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="checkin-import-report-")  # noqa: SIM115
        self._batch: list[tuple[str, int, str, str, str, str, str, str]] = []

    def add(self, p: Problem) -> None:
        """Spool one line."""
        self._batch.append((p.sheet, p.line, p.column, p.value, p.severity, p.code, p.message_zh,
                            p.message_en))
        if len(self._batch) >= 2000:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def __iter__(self) -> Iterator[Problem]:
        self._flush()
        self._file.seek(0)
        while True:
            try:
                batch = pickle.load(self._file)  # our own temporary file, written just now
            except EOFError:
                return
            for row in batch:
                yield Problem(*row)

    def close(self) -> None:
        """Remove the temporary file."""
        self._file.close()


class ReportLines:
    """An import's report lines as they come, bounded: of each error and warning code the first
    ROWS_PER_CODE lines, of each kind of note (INFO) the first NOTES_PER_KIND, then one line per
    code counting the rest (exactly), so a 1.5-million-row file's report stays small and readable.
    With a spool, every error and warning line (and every person missing) also goes to it, for the
    full report file; notes past NOTES_PER_KIND stay counted there too (see file_summary)."""

    def __init__(self, per_kind: int = NOTES_PER_KIND, per_code: int | None = None,
                 spool: ReportSpool | None = None) -> None:
        self.lines: list[Problem] = []
        self.spool = spool
        self._per_kind = per_kind
        self._per_code = ROWS_PER_CODE if per_code is None else per_code
        # code → lines of that code (exact), and how many of them are kept in `lines`
        self.counts: dict[str, int] = {}
        self._shown: dict[str, int] = {}
        self.severities: dict[str, int] = {}
        # code → (the first few counted lines, the first counted line)
        self._more: dict[str, tuple[list[int], Problem]] = {}
        self.unknown = UnknownGroups()

    def _limit(self, p: Problem) -> int:
        return self._per_kind if p.severity == INFO and p.code not in _EVERY_NOTE else self._per_code

    def append(self, p: Problem) -> None:
        """Keep the line, or count it with the lines of its code."""
        self.severities[p.severity] = self.severities.get(p.severity, 0) + 1
        n = self.counts[p.code] = self.counts.get(p.code, 0) + 1
        self.unknown.add(p)
        limit = self._limit(p)
        if self.spool is not None and (n <= limit or limit == self._per_code):
            self.spool.add(p)
        if n <= limit:
            self.lines.append(p)
            self._shown[p.code] = self._shown.get(p.code, 0) + 1
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

    def absorb(self, other: ReportLines) -> None:
        """Take in another part of the same import's report (its lines, counts and groups)."""
        self.lines.extend(other.lines)
        for mine, theirs in ((self.counts, other.counts), (self._shown, other._shown),
                             (self.severities, other.severities)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v
        for code, (lines, first) in other._more.items():
            more = self._more.setdefault(code, ([], first))
            more[0][:] = (more[0] + lines)[:5]
        self.unknown.absorb(other.unknown)

    @property
    def total(self) -> int:
        """Every line, kept or counted."""
        return sum(self.counts.values())

    def summary(self) -> list[Problem]:
        """One line per code that had more lines than were kept."""
        out = []
        for code, (lines, first) in self._more.items():
            count = self.counts[code] - self._shown.get(code, 0)
            if count <= 0:
                continue
            shown = ", ".join(str(n) for n in lines if n) or "—"
            if first.severity == INFO and code not in _EVERY_NOTE:
                out.append(problem("more_notes", INFO, sheet=first.sheet, line=0, column=first.column,
                                   value=f"{code} ×{count}", count=f"{count:,}", lines=shown,
                                   what_zh=first.message_zh, what_en=first.message_en))
                continue
            zh, en = SEVERITY_NAMES.get(first.severity, (first.severity, first.severity))
            out.append(problem("more_rows", first.severity, sheet=first.sheet, line=0,
                               column=first.column, value=f"{code} ×{count}", count=f"{count:,}",
                               lines=shown, severity_zh=zh, severity_en=en,
                               what_zh=first.message_zh, what_en=first.message_en))
        return out

    def all(self) -> list[Problem]:
        """The lines kept and the counting lines."""
        return [*self.lines, *self.summary()]

    def file_summary(self) -> list[Problem]:
        """The counting lines the full report file holds: those of notes (it lists every error,
        warning and missing person, and the notes as the result shows them)."""
        return [p for p in self.summary() if p.code == "more_notes"]


def merged_lines(parts: Iterable[Iterable[Problem]]) -> Iterator[Problem]:
    """Report lines of the parts of an import (each already in line order) in line order, lines
    not in the file last; a part earlier in `parts` first on the same line."""
    return heapq.merge(*parts, key=_line_order)


SEVERITY_NAMES = {sev: pair(f"import.severity.{sev}") for sev in (ERROR, WARNING, INFO)}
# The report's columns, both languages in each ("工作表 Sheet"); the last holds the English problem.
REPORT_HEADER = (*(both(f"import.report.{c}", sep=" ")
                   for c in ("sheet", "line", "column", "value", "severity", "code", "problem")),
                 text("import.report.problem_en", "en"))


def report_rows(problems: Iterable[Problem]) -> Iterable[list[str]]:
    """The report as table rows (without the header)."""
    for p in problems:
        zh, en = SEVERITY_NAMES.get(p.severity, (p.severity, p.severity))
        yield [p.sheet, str(p.line) if p.line else "", p.column, p.value, f"{zh} {en}", p.code,
               p.message_zh, p.message_en]


def write_report(path: Path, problems: Iterable[Problem]) -> int:
    """Write the report as UTF-8 CSV with a BOM (opens right in Excel on Chinese Windows), line by
    line as `problems` gives them, into REPORT.csv.part renamed when complete (a failed or killed
    write leaves the old report, never half of one)."""
    n = 0
    part = path.with_name(path.name + ".part")
    try:
        with part.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(REPORT_HEADER)
            for row in report_rows(problems):
                # A value from the export may begin with "=" or "@": in the report it stays text.
                w.writerow([spreadsheet_cell(c) for c in row])
                n += 1
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return n
