"""Registration import use cases: inspect a file, dry run, apply in one transaction, mapping presets."""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import os
import pickle
import re
import sqlite3
import tempfile
import time
import uuid as uuidlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, ClassVar, cast

from sqlalchemy import BigInteger, Index, Table, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from checkin_app import collector
from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.messages import DeskError, Words, msg, pair, text
from checkin_app.domain.tokens import WALKIN_BASE
from checkin_app.importers import readers
from checkin_app.importers.fields import (
    BY_KEY,
    KEY_FIELDS,
    PRIVATE_FIELDS,
    auto_mapping,
    find_header,
    header_text,
    merge_sub_header,
)
from checkin_app.importers.parallel import ParallelChecker
from checkin_app.importers.parallel import worker_count as parallel_workers
from checkin_app.importers.readers import ReadError
from checkin_app.importers.report import (
    ERROR,
    INFO,
    WARNING,
    Problem,
    ReportLines,
    ReportSpool,
    UnknownValue,
    group_unknown,
    merged_lines,
    problem,
    write_report,
)
from checkin_app.importers.rows import (
    IGNORE,
    REJECT,
    STATUSES,
    VOCABULARIES,
    ActivityRef,
    Catalog,
    CategoryRef,
    Outcome,
    Record,
    RowOptions,
    RowValidator,
)
from checkin_app.importers.text import clean, fold
from checkin_app.importers.vocab import APPROVED_WORDS, CANCELLED_WORDS
from checkin_app.services import audit, same_person, search
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_import import (
    DelegatePrivate,
    ImportAdmission,
    ImportIdentity,
    ImportKey,
    ImportPreset,
    ImportRun,
    ImportSamePerson,
    ImportSource,
)

# Rows validated, looked up and written per step; also how often progress and cancel are checked.
# 5,000: fewer, larger look-ups and inserts (0.3 s of 6 at 100,000 rows against 2,000), and
# still a step every few tenths of a second.
CHUNK = 5000
# Rows read before the header must have shown up (title rows, notes, blank lines above it).
HEADER_SEARCH_ROWS = 30
# Data rows shown in the wizard's preview and used to guess the registration-number width.
SAMPLE_ROWS = 200
# From this file size on, an XLSX is parsed in a reader process while this one checks and writes
# (the process costs most of a second to start; a smaller file is read sooner in-process). With
# one core there is nothing to overlap.
STREAM_XLSX_BYTES = 1 << 20
STREAM_XLSX = (os.cpu_count() or 1) > 1
# From this file size on (some 5,000 rows), an import writes in bulk: indexes that only its own
# writes would update row by row are dropped and built once at the end.
BULK_BYTES = 1 << 20
# Whether a big file's rows are checked on two cores (importers.parallel); off, in this process.
PARALLEL_CHECKS = True
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"})

# Columns a badge prints: a change to one of them makes a printed badge out of date.
BADGE_COLUMNS = frozenset({
    "family_name", "given_name", "name_native", "name_latin", "name_order", "honorific",
    "organisation_zh", "organisation_en", "position_zh", "position_en", "country", "category_id",
    "team", "track", "photo_path", "registration_code",
})
_COMPARED = (
    "registration_code", "family_name", "given_name", "name_native", "name_latin", "name_order",
    "honorific", "organisation_zh", "organisation_en", "position_zh", "position_en", "country",
    "category_id", "status", "team", "track", "attention_note", "photo_path",
)
_D = cast(Table, m.Delegate.__table__)
# The index of identities by hash (the model's own definition): a bulk import that has no other
# source to compare with drops it and builds it once at the end (_Writer.finish).
_IDENTITY_HASH_INDEX: Index = {str(ix.name): ix for ix in cast(Table, ImportIdentity.__table__).indexes}[
    "ix_import_identities_hash"]
# A workbook read in this process or in a reader process.
_Book = readers.XlsxSource | readers.XlsxStream

Progress = Callable[[str, int, int], None]


class ImportFailed(DeskError):
    """An import that cannot start or cannot finish; nothing was written. Carries a catalogue Message."""


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What to read and how; every field left None is detected or taken from the preset."""

    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    # One field key (or None to ignore) per column, overriding detection and preset.
    mapping: tuple[str | None, ...] | None = None
    preset: str | None = None
    header_line: int | None = None
    key_field: str | None = None
    full: bool | None = None
    photos_dir: Path | None = None
    keep: frozenset[str] | None = None
    default_category: str | None = None
    code_width: int | None = None
    operator: str = "import"
    desk: str = ""
    # The registration list the file is (its numbers are unique within it): default the file's
    # stem, or the sheet's name in a workbook of several sheets. Saved with the preset.
    source: str | None = None
    # Value mappings per vocabulary column ("category", "activity", "status", "country"):
    # cell value → target code, approved / cancelled, "-" (leave out) or "reject". Added to the
    # preset's own (these win); saved with the preset.
    value_map: Mapping[str, Mapping[str, str]] | None = None


@dataclass(frozen=True, slots=True)
class FileInspection:
    """What the wizard shows before a dry run: detected reading options, header, mapping, preview."""

    path: Path
    kind: str
    sheets: tuple[str, ...]
    sheet: str
    encoding: str
    delimiter: str
    header_line: int
    headers: tuple[str, ...]
    mapping: tuple[str | None, ...]
    preview: tuple[tuple[str, ...], ...]
    rows_estimate: int | None
    code_width: int | None
    options: ImportOptions
    # The registration list imported (see ImportOptions.source), and whether it was imported before.
    source: str = ""
    source_known: bool = False


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """How the rows of one import came out (a row is counted once)."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    cancelled: int = 0
    rejected: int = 0
    missing: int = 0
    skipped: int = 0
    warnings: int = 0

    def as_dict(self) -> dict[str, int]:
        """Plain dict (for JSON and the import run log)."""
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class SamePerson:
    """A row that looks like a person another source already brought in (same ID number, e-mail,
    phone, or name and organisation). Both are kept apart; the organiser decides."""

    line: int
    name: str
    source_code: str
    other_id: int
    other_source: str
    other_code: str
    other_name: str
    by: tuple[str, ...]  # "id_number", "email", "phone", "name_org"
    # The row's own person as stored (or as an import would store them): their registration
    # number and delegate id (0 while not imported); what a decision names.
    code: str = ""
    delegate_id: int = 0


MERGE = "merge"
APART = "apart"


@dataclass(frozen=True, slots=True)
class SamePersonDecision:
    """The organiser's decision on two people of different sources that look like one.

    Merge: one person — both records stay as they are (each source keeps its own number, data
    and later updates; nothing is copied over or deleted) and are linked, `kept` standing for
    both. Apart: two people. Either way the import stops asking about the pair."""

    kept_id: int
    kept_code: str
    other_id: int
    other_code: str
    decision: str
    at: datetime
    operator: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A registration list imported before: its name, how its numbers are written, its people."""

    name: str
    code_width: int
    prefix: str
    delegates: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The outcome of a dry run or an applied import."""

    applied: bool
    counts: ImportCounts
    problems: tuple[Problem, ...]
    inspection: FileInspection
    file_sha256: str
    seconds: float
    run_uuid: str = ""
    # Delegates written (an array of 64-bit ids: 8 bytes each, not a tuple of int objects).
    changed_ids: Sequence[int] = field(default=(), repr=False)
    # People of this file who look like people of another source (reported, never merged).
    same_people: tuple[SamePerson, ...] = ()
    # `problems` is bounded (ROWS_PER_CODE lines per code, then one counting line): how many lines
    # of each code there were in all, and the report file that lists every one (when asked for).
    problem_counts: Mapping[str, int] = field(default_factory=dict)
    report_file: Path | None = None
    # The unknown values grouped with their exact counts while the rows went by (None: from
    # `problems`).
    unknown: tuple[UnknownValue, ...] | None = field(default=None, repr=False)
    # Whether the people written still wait for their search keys (a big import: committed
    # first, then SearchService.build_pending; the callers start it).
    index_pending: bool = False

    @property
    def rows(self) -> int:
        """Data rows seen in the file."""
        c = self.counts
        return c.new + c.changed + c.unchanged + c.cancelled + c.rejected

    @property
    def unknown_values(self) -> tuple[UnknownValue, ...]:
        """Values of the category, activity, status and country columns the event does not know,
        grouped with their counts (嘉宾 ×412): what a value mapping is needed for."""
        return self.unknown if self.unknown is not None else group_unknown(self.problems)

    @property
    def problems_total(self) -> int:
        """Report lines in all (those in `problems` and those counted in its summary lines)."""
        return sum(self.problem_counts.values()) if self.problem_counts else len(self.problems)


@dataclass(frozen=True, slots=True)
class PresetInfo:
    """A saved mapping preset."""

    name: str
    columns: dict[str, str]
    options: dict[str, Any]
    updated_at: datetime
    # Value mappings saved with the preset: kind → {folded value: target}.
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def _no_event() -> ImportFailed:
    return ImportFailed(msg("import.no_event"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _sha256_or_none(path: Path) -> str | None:
    try:
        return _sha256(path)
    except OSError:
        return None


def key_hash(field_key: str, value: str) -> str:
    """The stored form of a non-code matching key: never the ID number or phone itself."""
    return hashlib.sha256(f"{field_key}\x00{value}".encode()).hexdigest()


def generated_code(field_key: str, value: str) -> str:
    """A stable registration number for a person matched by another key and given none."""
    return "IMP-" + key_hash(field_key, value)[:10].upper()


class ImportService:
    """Reads registration exports into delegates; dry run first, then apply."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    # -- presets ---------------------------------------------------------------------------
    def presets(self) -> list[PresetInfo]:
        """Saved presets, by name."""
        with self.db.read() as s:
            rows = s.scalars(select(ImportPreset).order_by(ImportPreset.name)).all()
            return [_preset_info(p) for p in rows]

    def preset(self, name: str) -> PresetInfo:
        """One preset; a bilingual error naming the saved ones when it does not exist."""
        with self.db.read() as s:
            p = s.scalar(select(ImportPreset).where(ImportPreset.name == name))
            if p is not None:
                return _preset_info(p)
            names = [n for (n,) in s.execute(select(ImportPreset.name).order_by(ImportPreset.name))]
        listed = ", ".join(names) or "—"
        raise ImportFailed(msg("import.preset.unknown", name=name, listed=listed))

    def save_preset(self, name: str, inspection: FileInspection, *,
                    mapping: Sequence[str | None] | None = None, operator: str = "import",
                    desk: str = "", values: Mapping[str, Mapping[str, str]] | None = None
                    ) -> PresetInfo:
        """Store the mapping (by header text, so a reordered export still fits), the options and
        the value mappings (`values`, else those of the inspection's options and preset)."""
        name = clean(name)
        if not name:
            raise ImportFailed(msg("import.preset.no_name"))
        cols = mapping if mapping is not None else inspection.mapping
        columns = {fold(h): (f or "") for h, f in zip(inspection.headers, cols, strict=False) if fold(h)}
        o = inspection.options
        opts = {
            "encoding": inspection.encoding if inspection.kind == "csv" else None,
            "delimiter": inspection.delimiter if inspection.kind == "csv" else None,
            "sheet": inspection.sheet if inspection.kind == "xlsx" else None,
            "key_field": o.key_field, "keep": sorted(o.keep or ()), "full": o.full,
            "default_category": o.default_category, "code_width": o.code_width,
            # Only a source named on purpose: the default (the file's or sheet's name) is found
            # again by itself, and a preset used for every sheet of a workbook must not make
            # them one list.
            "source": o.source or None,
        }
        chosen = normalise_value_map(values if values is not None else (o.value_map or {}))
        config = json.dumps({"columns": columns, "options": opts, "values": chosen},
                            ensure_ascii=False, sort_keys=True)
        now = self.clock.now()
        with self.db.write() as s:
            p = s.scalar(select(ImportPreset).where(ImportPreset.name == name))
            before = p.config_json if p is not None else ""
            if p is None:
                p = ImportPreset(name=name, config_json=config, updated_at=now)
                s.add(p)
            else:
                p.config_json, p.updated_at = config, now
            s.flush()
            audit.record(s, at=now, desk=desk or "-", operator=operator, action="import.preset",
                         subject=name, before={"config": before} if before else None,
                         after={"config": config})
            return _preset_info(p)

    def delete_preset(self, name: str, *, operator: str = "import", desk: str = "") -> bool:
        """Remove a preset; False when there was none."""
        now = self.clock.now()
        with self.db.write() as s:
            p = s.scalar(select(ImportPreset).where(ImportPreset.name == name))
            if p is None:
                return False
            s.delete(p)
            audit.record(s, at=now, desk=desk or "-", operator=operator,
                         action="import.preset.delete", subject=name)
            return True

    def matching_preset(self, inspection: FileInspection) -> PresetInfo | None:
        """The newest preset saved for a file with exactly these column headers (the same
        platform's export again), so the wizard can take it without being told."""
        headers = {fold(h) for h in inspection.headers if fold(h)}
        found = [p for p in self.presets() if headers and set(p.columns) == headers]
        return max(found, key=lambda p: p.updated_at) if found else None

    def suggestions(self, values: Sequence[UnknownValue]) -> dict[tuple[str, str], str]:
        """A close match for unknown values, as (kind, value) → target, each from its own kind
        only: a category from the categories, an activity from the activities, a track from the
        track activities (the competitions' finals), a status from the words for approved and
        cancelled. One whose alias or name contains the value or is contained in it comes first
        ('媒体' → the category with alias 媒体记者), then the nearest spelling. Values with no
        single close match are left out (and countries: those a name can reach are known)."""
        wanted = [u for u in values if u.kind in ("category", "activity", "track", "status")]
        if not wanted:
            return {}
        catalog = self.catalog()
        cats = catalog.categories.values()

        def named(acts: Iterable[ActivityRef]) -> list[tuple[str, str]]:
            return [(n, a.code) for a in acts for n in (a.name_zh, a.name_en, a.code)]

        groups: dict[str, tuple[list[tuple[str, str]], ...]] = {
            "category": ([(a, c.code) for c in cats for a in c.aliases],
                         [(n, c.code) for c in cats for n in (c.name_zh, c.name_en, c.code)]),
            "activity": (named(catalog.activities.values()),),
            "track": (named(catalog.track_activities.values()),),
            "status": ([(w, "approved") for w in APPROVED_WORDS]
                       + [(w, "cancelled") for w in CANCELLED_WORDS],),
        }
        tracks = catalog.track_activities
        out: dict[tuple[str, str], str] = {}
        for u in wanted:
            # A track named the way track columns name one ("数字经济组", "星渝杯·智能制造"),
            # as the import reads it, when that is a track activity.
            found = catalog.track(u.value) if u.kind == "track" else None
            code = found.code if found is not None and found.code in tracks else \
                _close_match(u.value, groups[u.kind])
            if code is not None:
                out[(u.kind, u.value)] = code
        return out

    # -- the same person in two sources ---------------------------------------------------------
    def delegate_id(self, code: str) -> int | None:
        """The delegate holding this registration number (as stored: "WJX-5" for a number
        another source held first), or None."""
        text = clean(code).upper()
        with self.db.read() as s:
            found = s.scalar(select(_D.c.id).where(_D.c.registration_code == text))
            return int(found) if found is not None else None

    def decide_same_person(self, kept_id: int, other_id: int, decision: str, *,
                           operator: str = "import", desk: str = "") -> SamePersonDecision:
        """Store the organiser's decision on two delegates that look like one person: MERGE
        (one person: both records kept as they are and linked, `kept_id` standing for both) or
        APART (two people). Deciding again replaces the decision. Audited."""
        if decision not in (MERGE, APART):
            raise ImportFailed(msg("import.same.bad_decision", decision=decision))
        if kept_id == other_id:
            raise ImportFailed(msg("import.same.itself"))
        now = self.clock.now()
        low, high = sorted((kept_id, other_id))
        with self.db.write() as s:
            rows = {int(r.id): r for r in s.execute(
                select(_D.c.id, _D.c.registration_code, _D.c.source).where(_D.c.id.in_((low, high))))}
            if len(rows) != 2:
                raise ImportFailed(msg("import.same.missing"))
            refused = same_person.refusal(s, kept_id, other_id) if decision == MERGE else None
            if refused is not None:
                raise ImportFailed(refused)
            old = s.get(ImportSamePerson, (low, high))
            before = {"decision": old.decision, "kept": old.kept_id} if old is not None else None
            kept = kept_id if decision == MERGE else 0
            if old is None:
                s.add(ImportSamePerson(delegate_id=low, other_id=high, decision=decision,
                                       kept_id=kept, at=now, operator=operator, desk=desk))
            else:
                old.decision, old.kept_id, old.at, old.operator, old.desk = (
                    decision, kept, now, operator, desk)
            s.flush()
            # Desks act on it: merged_into (and updated_at) of the records it links change, and
            # travel with the delegate rows (sync, bundles).
            same_person.relink(s, now)
            a, b = rows[kept_id], rows[other_id]
            audit.record(s, at=now, desk=desk or "-", operator=operator,
                         action="import.same_person", subject=f"{a.registration_code}={b.registration_code}",
                         before=before, after={"decision": decision, "kept": a.registration_code,
                                               "other": b.registration_code})
            return SamePersonDecision(kept_id, a.registration_code, other_id, b.registration_code,
                                      decision, now, operator)

    def same_person_decisions(self) -> list[SamePersonDecision]:
        """Every stored decision, newest first."""
        with self.db.read() as s:
            rows = s.scalars(select(ImportSamePerson).order_by(ImportSamePerson.at.desc())).all()
            ids = {i for r in rows for i in (r.delegate_id, r.other_id)}
            codes = {int(i): str(c) for i, c in s.execute(
                select(_D.c.id, _D.c.registration_code).where(_D.c.id.in_(ids)))} if ids else {}
            out = []
            for r in rows:
                kept = r.kept_id or r.delegate_id
                other = r.other_id if kept == r.delegate_id else r.delegate_id
                out.append(SamePersonDecision(kept, codes.get(kept, ""), other, codes.get(other, ""),
                                              r.decision, r.at, r.operator))
            return out

    # -- reading -----------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        """The event's categories and activities; ImportFailed when there is no event yet."""
        with self.db.read() as s:
            if s.scalar(select(m.Event.id).limit(1)) is None:
                raise _no_event()
            cats = [CategoryRef(c.id, c.code, c.name_zh, c.name_en, _aliases(c.aliases))
                    for c in s.scalars(select(m.Category).order_by(m.Category.sort_order))]
            admitted: dict[int, set[str]] = {}
            by_id = {c.id: c.code for c in cats}
            for act_id, cat_id in s.execute(select(m.ActivityCategory.activity_id,
                                                   m.ActivityCategory.category_id)):
                admitted.setdefault(act_id, set()).add(by_id[cat_id])
            acts = [ActivityRef(a.id, a.code, a.name_zh, a.name_en, a.is_main,
                                frozenset(admitted.get(a.id, ())))
                    for a in s.scalars(select(m.Activity).order_by(m.Activity.sort_order))]
        if not cats:
            raise _no_event()
        return Catalog(cats, acts)

    def inspect(self, path: Path, options: ImportOptions | None = None) -> FileInspection:
        """Detect the encoding, delimiter, sheet, header row and mapping; read a preview."""
        return self._inspect(path, options, None)

    def _inspect(self, path: Path, options: ImportOptions | None,
                 opened: _Book | None) -> FileInspection:
        options = self._with_preset(options or ImportOptions())
        if not path.is_file():
            raise ImportFailed(msg("import.file_not_found", path=path))
        kind = readers.file_kind(path)
        with ExitStack() as stack:
            sheets: tuple[str, ...] = ()
            sheet = ""
            encoding = delimiter = ""
            estimate: int | None = None
            if kind == "xlsx":
                # Loading a workbook parses its shared strings: seconds for a big export, so
                # an import opens it once for inspecting and reading.
                book = opened or stack.enter_context(readers.XlsxSource(path))
                sheets = book.sheets
                sheet = options.sheet or _best_sheet(book)
                book.sheet(sheet)  # a clear error for a sheet that does not exist
                rows: Iterator[tuple[int, list[object]]] = book.iter_rows(sheet)
                estimate = book.rows_estimate(sheet)
            else:
                if options.encoding:
                    readers.check_encoding(path, options.encoding)
                encoding = options.encoding or readers.detect_encoding(path)
                delimiter = options.delimiter or readers.detect_delimiter(path, encoding)
                rows = readers.iter_csv(path, encoding, delimiter)
            head: list[tuple[int, list[object]]] = []
            for item in rows:
                head.append(item)
                if len(head) >= HEADER_SEARCH_ROWS:
                    break
            if options.header_line is not None:
                idx = next((i for i, (ln, _) in enumerate(head) if ln == options.header_line), None)
            else:
                known = self.preset(options.preset).columns if options.preset else None
                idx = find_header([cells for _, cells in head], known)
            if idx is None:
                raise ImportFailed(msg("import.no_header", name=path.name, rows=HEADER_SEARCH_ROWS))
            header_line, header_cells = head[idx]
            # A header over two rows (a government sheet's 联系方式 over 手机 and 邮箱): read as
            # one, ending on its second row, also when that row is the header line given (the
            # wizard gives back the line it was shown).
            joined = merge_sub_header(header_cells, head[idx + 1][1]) if idx + 1 < len(head) else None
            if joined is not None:
                idx += 1
                header_line, header_cells = head[idx][0], list(joined)
            elif options.header_line is not None and idx > 0:
                joined = merge_sub_header(head[idx - 1][1], header_cells)
                if joined is not None:
                    header_cells = list(joined)
            width = max([len(header_cells)] + [len(c) for _, c in head[idx + 1:]])
            while width and not clean(header_cells[width - 1] if width - 1 < len(header_cells) else None):
                # Trailing columns without a header and without data are formatting, not columns.
                if any(width - 1 < len(c) and clean(c[width - 1]) for _, c in head[idx + 1:]):
                    break
                width -= 1
            headers = tuple(header_text(header_cells[i] if i < len(header_cells) else None, i)
                            for i in range(width))
            preview: list[tuple[str, ...]] = [tuple(clean(c) for c in cells[:width])
                                              for _, cells in head[idx + 1:]]
            for _, cells in rows:
                if len(preview) >= SAMPLE_ROWS:
                    break
                preview.append(tuple(clean(c) for c in cells[:width]))
        mapping = self._mapping(headers, options)
        source = source_name(path, sheet if len(sheets) > 1 else "", options.source)
        src = self.source(source)
        # The width is the source's: what it was first imported with (a file of the same source
        # whose numbers kept wider leading zeros widens it), never guessed from other people.
        guessed = self._guess_code_width(mapping, preview)
        stored = src.code_width if src is not None else 0
        code_width = options.code_width or max(stored, guessed or 0) or None
        return FileInspection(
            path=path, kind=kind, sheets=sheets, sheet=sheet, encoding=encoding,
            delimiter=delimiter, header_line=header_line, headers=headers, mapping=mapping,
            preview=tuple(preview[:SAMPLE_ROWS]), rows_estimate=estimate, code_width=code_width,
            options=options, source=source, source_known=src is not None,
        )

    # -- sources -----------------------------------------------------------------------------
    def source(self, name: str) -> SourceInfo | None:
        """A registration list imported before, or None."""
        with self.db.read() as s:
            src = s.get(ImportSource, name)
            if src is None:
                return None
            n = s.scalar(select(func.count()).select_from(_D).where(_D.c.source == name)) or 0
            return SourceInfo(src.name, src.code_width, src.prefix, n, src.updated_at)

    def sources(self) -> list[SourceInfo]:
        """Every registration list imported so far, by name (what the wizard offers)."""
        with self.db.read() as s:
            counts: dict[str, int] = {str(a): int(b) for a, b in s.execute(
                select(_D.c.source, func.count()).group_by(_D.c.source))}
            return [SourceInfo(x.name, x.code_width, x.prefix, int(counts.get(x.name, 0)), x.updated_at)
                    for x in s.scalars(select(ImportSource).order_by(ImportSource.name))]

    def _with_preset(self, options: ImportOptions) -> ImportOptions:
        if not options.preset:
            return options
        p = self.preset(options.preset)
        o = p.options
        return replace(
            options,
            sheet=options.sheet or o.get("sheet"),
            encoding=options.encoding or o.get("encoding"),
            delimiter=options.delimiter or o.get("delimiter"),
            key_field=options.key_field or o.get("key_field"),
            keep=options.keep if options.keep is not None else (
                frozenset(o["keep"]) if o.get("keep") else None),
            full=options.full if options.full is not None else o.get("full"),
            default_category=options.default_category or o.get("default_category"),
            code_width=options.code_width or o.get("code_width"),
            source=options.source or o.get("source"),
            value_map=_merged(p.values, options.value_map),
        )

    def _mapping(self, headers: Sequence[str], options: ImportOptions) -> tuple[str | None, ...]:
        if options.mapping is not None:
            given = list(options.mapping[: len(headers)])
            return tuple(given + [None] * (len(headers) - len(given)))
        mapping = auto_mapping(headers)
        if options.preset:
            columns = self.preset(options.preset).columns
            for i, h in enumerate(headers):
                if fold(h) in columns:
                    mapping[i] = columns[fold(h)] or None
        return tuple(f if f in BY_KEY else None for f in mapping)

    @staticmethod
    def _guess_code_width(mapping: Sequence[str | None],
                          preview: Sequence[Sequence[str]]) -> int | None:
        """Width of all-digit registration numbers, from the file's codes that kept a leading zero."""
        if "registration_code" not in mapping:
            return None
        col = list(mapping).index("registration_code")
        codes = [r[col] for r in preview if col < len(r) and r[col]]
        zeros = [len(c) for c in codes if c.isdigit() and c.startswith("0")]
        return max(zeros) if zeros else None

    # -- running -----------------------------------------------------------------------------
    def dry_run(self, path: Path, options: ImportOptions | None = None, *,
                progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None,
                report_file: Path | None = None) -> ImportResult:
        """Everything an import would do, reported; nothing is written (but the report file:
        every report line, when one is named)."""
        return self._run(path, options, apply=False, progress=progress, cancelled=cancelled,
                         report_file=report_file)

    def apply(self, path: Path, options: ImportOptions | None = None, *,
              progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None,
              report_file: Path | None = None) -> ImportResult:
        """Import for real, in one transaction: on any failure or a cancel, nothing is written.
        With `report_file`, every report line is written there as CSV (the result holds the
        first ROWS_PER_CODE of each code and counts the rest)."""
        return self._run(path, options, apply=True, progress=progress, cancelled=cancelled,
                         report_file=report_file)

    def _run(self, path: Path, options: ImportOptions | None, *, apply: bool,
             progress: Progress | None, cancelled: Callable[[], bool] | None,
             report_file: Path | None = None) -> ImportResult:
        t0 = time.perf_counter()
        report = progress or (lambda _stage, _done, _total: None)
        stop = cancelled or (lambda: False)
        catalog = self.catalog()
        with ExitStack() as books:
            try:
                book: _Book | None = None
                big = path.is_file() and path.stat().st_size >= BULK_BYTES
                bulk = apply and big
                # A big file's rows are checked on two cores (a worker process and this one).
                # Its worker starts now, while the file is opened and its header found.
                parallel = books.enter_context(ParallelChecker(name=path.name)) \
                    if big and PARALLEL_CHECKS and parallel_workers() > 0 else None
                if path.is_file() and readers.file_kind(path) == "xlsx":
                    book = self._open_xlsx(path, options)
                    books.callback(book.close)
                inspection = self._inspect(path, options, book)
                sha = _sha256(path)
            except OSError as exc:
                raise ImportFailed(msg("import.cannot_read", path=path, error=str(exc))) from exc
            return self._run_inspected(inspection, catalog, sha, book, apply=apply, t0=t0,
                                       report=report, stop=stop, bulk=bulk, parallel=parallel,
                                       report_file=report_file)

    @staticmethod
    def _streams(path: Path) -> bool:
        return STREAM_XLSX and path.stat().st_size >= STREAM_XLSX_BYTES

    def _open_xlsx(self, path: Path, options: ImportOptions | None) -> _Book:
        """The workbook, in a reader process when it is big enough to gain from one."""
        if self._streams(path):
            sheet = self._with_preset(options or ImportOptions()).sheet
            return readers.XlsxStream(path, sheet, HEADER_SEARCH_ROWS)
        return readers.XlsxSource(path)

    def _run_inspected(self, inspection: FileInspection, catalog: Catalog, sha: str,
                       book: _Book | None, *, apply: bool, t0: float,
                       report: Progress, stop: Callable[[], bool],
                       bulk: bool = False, parallel: ParallelChecker | None = None,
                       report_file: Path | None = None) -> ImportResult:
        opts = inspection.options
        key_field = opts.key_field or "registration_code"
        if key_field not in KEY_FIELDS:
            raise ImportFailed(msg("import.bad_key", key=key_field, listed=", ".join(KEY_FIELDS)))
        if key_field not in inspection.mapping:
            f = BY_KEY[key_field]
            raise ImportFailed(msg("import.key_unmapped", field=Words(f.name_zh, f.name_en)))
        if opts.default_category and opts.default_category not in catalog.categories:
            raise ImportFailed(msg("import.bad_default_category", category=opts.default_category))
        unknown_keep = (opts.keep or frozenset()) - PRIVATE_FIELDS
        if unknown_keep:
            raise ImportFailed(msg("import.bad_keep", listed=", ".join(sorted(PRIVATE_FIELDS))))
        epoch_1904 = False
        value_map = normalise_value_map(opts.value_map or {})
        _check_value_map(value_map, catalog)
        row_opts = RowOptions(key_field=key_field, keep=opts.keep or frozenset(),
                              default_category=opts.default_category,
                              code_width=inspection.code_width, epoch_1904=epoch_1904,
                              value_map=value_map)
        photos = _photo_index(opts.photos_dir) if opts.photos_dir else None
        # A workbook parsed in a reader process, and a big file checked on two cores, are
        # checked and written while they are being read (the write transaction is open
        # meanwhile: the writes overlap the checks); anything else is read, validated and
        # checked against itself first, without a database lock, into a spool.
        streaming = isinstance(book, readers.XlsxStream) or parallel is not None
        with ExitStack() as temps:
            # The report in three parts (reading, comparing/writing, people missing), each in
            # line order; with a report file, each part's every line spooled to a temporary file
            # and the three merged into the file at the end.
            spools = [temps.enter_context(closing(ReportSpool())) for _ in range(3)] \
                if report_file is not None else [None, None, None]
            problems, written, missed = (ReportLines(spool=sp) for sp in spools)
            rows = temps.enter_context(closing(_RowStore()))
            spool = temps.enter_context(tempfile.TemporaryFile(prefix="checkin-import-"))
            return self._run_spooled(inspection, catalog, sha, book, row_opts, photos, streaming,
                                     problems, written, missed, rows, spool, apply=apply, t0=t0,
                                     report=report, stop=stop, bulk=bulk, parallel=parallel,
                                     report_file=report_file,
                                     spools=[sp for sp in spools if sp is not None])

    def _run_spooled(self, inspection: FileInspection, catalog: Catalog, sha: str,
                     book: _Book | None, row_opts: RowOptions, photos: dict[str, Path] | None,
                     streaming: bool, problems: ReportLines, written: ReportLines,
                     missed: ReportLines, rows: _RowStore, spool: IO[bytes], *, apply: bool,
                     t0: float, report: Progress, stop: Callable[[], bool],
                     bulk: bool, report_file: Path | None, parallel: ParallelChecker | None,
                     spools: list[ReportSpool]) -> ImportResult:
        path = inspection.path
        opts = inspection.options
        rows_info = _ReadInfo()
        stamp = _stamp(path)
        chunks = self._checked_chunks(inspection, catalog, row_opts, report, stop, book,
                                      problems, rows_info, rows, full=bool(opts.full),
                                      parallel=parallel)
        if not streaming:
            for batch in chunks:
                pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
            _check_unchanged(path, stamp, sha)
            spool.seek(0)
            chunks = _unspool(spool)
        # Phase 2: compare with the database (and write, in one transaction, when applying).
        now = self.clock.now()
        run_uuid = str(uuidlib.uuid4()) if apply else ""
        writer = _Writer(catalog, row_opts, photos, now, apply=apply, operator=opts.operator,
                         desk=opts.desk or "-", sheet=inspection.sheet,
                         columns=_column_names(inspection), source=inspection.source,
                         rows=rows, full=bool(opts.full))
        writer.report = written
        writer.bulk = bulk
        try:
            with (self.db.write() if apply else self.db.read()) as session:
                writer.prefix = _source_prefix(session, inspection.source)
                writer.decided = {(int(a), int(b)) for a, b in session.execute(
                    select(ImportSamePerson.delegate_id, ImportSamePerson.other_id))}
                writer.others = session.scalar(
                    select(ImportIdentity.delegate_id)
                    .join(_D, _D.c.id == ImportIdentity.delegate_id)
                    .where(_D.c.source != inspection.source).limit(1)) is not None
                writer.legacy = not inspection.source_known and session.scalar(
                    select(ImportRun.id).where(ImportRun.source == "",
                                               ImportRun.file_name == path.name[:300]).limit(1)
                ) is not None
                if apply:
                    _save_source(session, inspection.source, inspection.code_width or 0,
                                 writer.prefix, now)
                    run = ImportRun(uuid=run_uuid, at=now, operator=opts.operator,
                                    desk=opts.desk, file_name=path.name[:300], file_sha256=sha,
                                    sheet=inspection.sheet, source=inspection.source,
                                    full=bool(opts.full))
                    session.add(run)
                    session.flush()
                    writer.run_id = run.id
                done = 0
                for chunk in chunks:
                    if stop():
                        raise ImportCancelled()
                    writer.chunk(session, chunk)
                    done += len(chunk)
                    if not streaming:  # streaming reports the reading, which leads
                        report("apply" if apply else "check", done, rows_info.valid)
                if streaming:
                    _check_unchanged(path, stamp, sha)
                writer.finish(session)
                index_pending = len(writer.unindexed) >= search.DEFER_INDEX
                if index_pending:
                    # Thousands of people: committed now (a code scan admits them at once),
                    # their search keys built right after by the caller (build_pending, in bulk);
                    # until then the search finds them by their names as written.
                    search.defer_index(session, writer.unindexed)
                elif writer.unindexed:
                    search.index_delegates(session, writer.unindexed)
                writer.unindexed = array("q")
                if opts.full:
                    writer.missing(session, missed)
                counts = replace(
                    writer.counts, rejected=writer.counts.rejected + rows_info.rejected,
                    skipped=rows_info.skipped,
                    missing=missed.counts.get("missing_from_file", 0),
                )
                lines = ReportLines()
                for part in (problems, written, missed):
                    lines.absorb(part)
                all_problems = lines.all()
                counts = replace(counts, warnings=lines.severities.get(WARNING, 0))
                if report_file is not None:
                    # Inside the transaction: a report that cannot be written (a full disk, a
                    # folder that is not there) fails the import, which then writes nothing.
                    write_report(report_file, itertools.chain(merged_lines(spools),
                                                              lines.file_summary()))
                if apply:
                    run.counts_json = json.dumps(counts.as_dict(), sort_keys=True)
                    if writer.touched:
                        audit.record(session, at=now, desk=opts.desk or "-",
                                     operator=opts.operator, action="import",
                                     subject=path.name,
                                     after={"run": run_uuid, "sha256": sha, **counts.as_dict()})
                if stop():
                    raise ImportCancelled()
        except (ImportCancelled, ImportFailed, ReadError):
            raise
        except OSError as exc:
            raise ImportFailed(msg("import.failed", error=str(exc))) from exc
        all_problems.sort(key=lambda p: (p.line == 0, p.line))
        return ImportResult(
            applied=apply, counts=counts, problems=tuple(all_problems), inspection=inspection,
            file_sha256=sha, seconds=time.perf_counter() - t0, run_uuid=run_uuid,
            changed_ids=writer.touched, same_people=tuple(writer.same_people),
            problem_counts=dict(lines.counts), report_file=report_file, unknown=lines.unknown.values(),
            index_pending=apply and index_pending,
        )

    def _checked_chunks(self, inspection: FileInspection, catalog: Catalog, row_opts: RowOptions,
                        report: Progress, stop: Callable[[], bool], opened: _Book | None,
                        problems: ReportLines, info: _ReadInfo, seen: _RowStore, *,
                        full: bool = False,
                        parallel: ParallelChecker | None = None) -> Iterator[list[Record]]:
        """Valid records about CHUNK at a time, read and checked against the file itself; the
        problems found (in line order) and the counts go to `problems` and `info` as the rows go
        by. The keys and people met so far are in `seen` (on disk), looked up a chunk at a time."""
        path = inspection.path
        validator = RowValidator(catalog, inspection.headers, inspection.mapping, row_opts,
                                 sheet=inspection.sheet)
        key_f = BY_KEY[row_opts.key_field]
        key_col = validator._col(row_opts.key_field)
        name_col = validator._col("name")
        # The rows of this chunk with data, and its report lines (sorted by line once the
        # duplicates are known: a duplicate's line comes after the row's own problems).
        pending: list[tuple[int, Any]] = []
        held: list[Problem] = []

        def resolve() -> list[Record]:
            """The chunk's duplicates of keys and people, against the file so far and itself."""
            earlier = seen.lines("keys", list({o.key for _, o in pending if o.key}))
            firsts: dict[str, int] = {}
            rejected: list[str] = []
            kept: list[tuple[int, Record]] = []
            for line, outcome in pending:
                record = outcome.record
                if outcome.key:
                    first = earlier.get(outcome.key)
                    if first is None:
                        first = firsts.setdefault(outcome.key, line)
                    if first != line:
                        held.append(problem(
                            "duplicate_key", ERROR, sheet=inspection.sheet, line=line,
                            column=key_col, value=outcome.key if key_f.key == "registration_code"
                            else "***", other=first, field_zh=key_f.name_zh, field_en=key_f.name_en))
                        record = None
                if record is None:
                    info.rejected += 1
                    if outcome.key and full:
                        rejected.append(outcome.key)
                    continue
                kept.append((line, record))
            digests = {line: r.person_key for line, r in kept if r.person_key}
            people = seen.lines("people", list(set(digests.values())))
            new_people: dict[bytes, int] = {}
            out: list[Record] = []
            for line, record in kept:
                digest = digests.get(line)
                if digest is not None:
                    other = people.get(digest)
                    if other is None:
                        other = new_people.setdefault(digest, line)
                    if other != line:
                        held.append(problem(
                            "duplicate_person", WARNING, sheet=inspection.sheet, line=line,
                            column=name_col, value=str(record.values.get("name_native", "")),
                            other=other))
                info.valid += 1
                out.append(record)
            seen.put("keys", firsts.items())
            seen.put("people", new_people.items())
            if rejected:
                seen.put("rejected", ((k,) for k in rejected))
            held.sort(key=lambda p: p.line)
            problems.extend(held)
            pending.clear()
            held.clear()
            return out

        def on_progress(done: int, total: int) -> None:
            report("read", done, total)

        with ExitStack() as stack:
            stack.enter_context(collector.paused())
            if inspection.kind == "xlsx":
                book = opened or stack.enter_context(readers.XlsxSource(path))
                row_opts = replace(row_opts, epoch_1904=book.epoch_1904)
                validator.options = row_opts
                rows = book.iter_rows(inspection.sheet, on_progress)
            else:
                rows = readers.iter_csv(path, inspection.encoding, inspection.delimiter, on_progress)
            data = ((line, cells) for line, cells in rows if line > inspection.header_line)
            checked: Iterator[tuple[int, Outcome]]
            if parallel is not None:
                parallel.configure(validator, catalog, inspection.headers, inspection.mapping,
                                   row_opts, inspection.sheet)
                checked = parallel.outcomes(data)
            else:
                checked = ((line, validator.validate(line, cells)) for line, cells in data)
            try:
                for line, outcome in checked:
                    if stop():
                        raise ImportCancelled()
                    held.extend(outcome.problems)
                    if outcome.kind != "data":
                        info.skipped += outcome.kind != "blank"
                        continue
                    pending.append((line, outcome))
                    if len(pending) >= CHUNK:
                        batch = resolve()
                        collector.freeze()
                        if batch:
                            yield batch
            except OSError as exc:
                raise ReadError(msg("import.read.error", name=path.name, error=str(exc))) from exc
            batch = resolve()
            if batch:
                yield batch


# (zh, en) of what identifies a person across sources (the catalogue's "import.identity.<kind>").
IDENTITY_NAMES = {kind: pair(f"import.identity.{kind}")
                  for kind in ("id_number", "email", "phone", "name_org")}


def source_name(path: Path, sheet: str, given: str | None) -> str:
    """The source an import names: the one given, else the sheet's name (a workbook of several
    sheets: one list per sheet), else the file's stem."""
    name = clean(given or "") or clean(sheet) or clean(path.stem)
    return name[:100]


def source_code(code: str) -> str:
    """A number as its source is matched on: an all-digit one without leading zeros (Excel drops
    them in one export and not in the next; 005 and 5 are the same person of the same list)."""
    return (code.lstrip("0") or "0") if code.isdigit() else code


def source_key_hash(source: str, field_key: str, value: str) -> str:
    """The hash a non-code matching key is stored under: within its source (people imported
    before sources had names keep their plain hashes)."""
    return key_hash(field_key if not source else f"{field_key}@{source}", value)


def _source_prefix(session: Session, name: str) -> str:
    """The stored prefix of a source, or a new one from its name: 问卷星 → WENJUANXING, 嘉宾 → JIABIN."""
    src = session.get(ImportSource, name)
    if src is not None and src.prefix:
        return src.prefix
    from anyascii import anyascii

    base = re.sub(r"[^A-Z0-9]", "", anyascii(name).upper())[:12]
    if not base:
        base = "S" + hashlib.sha256(name.encode()).hexdigest()[:5].upper()
    prefix, n = base, 2
    taken = set(session.scalars(select(ImportSource.prefix).where(ImportSource.name != name)))
    while prefix in taken:
        prefix, n = f"{base}{n}", n + 1
    return prefix


def _save_source(session: Session, name: str, width: int, prefix: str, now: datetime) -> None:
    src = session.get(ImportSource, name)
    if src is None:
        session.add(ImportSource(name=name, code_width=width, prefix=prefix, created_at=now,
                                 updated_at=now))
    elif src.code_width != width or src.prefix != prefix:
        src.code_width, src.prefix, src.updated_at = width, prefix, now
    session.flush()


def _parts(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _among(session: Session, col: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`col IN values`, on SQLite as one JSON parameter read by json_each: SQLAlchemy expands
    a plain IN list into a parameter per value, which costs more than SQLite's own look-ups at
    thousands of values a chunk (about a second per 100,000 rows)."""
    if session.get_bind().dialect.name != "sqlite":
        return cast("ColumnElement[bool]", col.in_(values))
    each = func.json_each(json.dumps(list(values), ensure_ascii=False)).table_valued("value")
    return cast("ColumnElement[bool]", col.in_(select(each.c.value)))


def _check_unchanged(path: Path, stamp: tuple[int, int] | None, sha: str) -> None:
    if _stamp(path) != stamp or _sha256_or_none(path) != sha:
        # A file pulled out or rewritten under the reader: what was read is not the file.
        raise ImportFailed(msg("import.file_changed", name=path.name))


@dataclass
class _ReadInfo:
    valid: int = 0
    rejected: int = 0
    skipped: int = 0


class _RowStore:
    """What an import remembers of every row until it ends — the keys and people met (with their
    first line), the keys of rejected rows, the registration numbers given, the delegates seen —
    looked up and added a chunk at a time. In memory up to MEMORY_ENTRIES entries (some 50 MB:
    a file of 100,000 rows), then moved into a private temporary SQLite file (deleted when
    closed, or when the process dies): memory stays bounded however long the file is (a set of
    strings costs some 100 bytes a row in Python; 1.5 million rows, several sets: most of a
    gigabyte)."""

    MEMORY_ENTRIES = 400_000
    # Pages of the temporary file kept in memory (KiB, negative per SQLite): the rest is the
    # operating system's page cache.
    CACHE_KIB = 16384
    _TABLES: ClassVar[dict[str, str]] = {
        "keys": "k TEXT PRIMARY KEY, line INTEGER", "people": "k BLOB PRIMARY KEY, line INTEGER",
        "rejected": "k TEXT PRIMARY KEY", "codes": "k TEXT PRIMARY KEY",
        "seen": "k INTEGER PRIMARY KEY"}
    _LINES = frozenset({"keys", "people"})

    def __init__(self) -> None:
        self._mem: dict[str, dict[Any, int]] | None = {name: {} for name in self._TABLES}
        self._entries = 0
        self._con: sqlite3.Connection | None = None

    def _spill(self) -> None:
        """Move everything into the temporary file (once): from now on it is looked up there."""
        # "": SQLite's private temporary on-disk database (temp_store FILE keeps it on disk).
        con = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA temp_store = FILE")
        con.execute(f"PRAGMA cache_size = -{self.CACHE_KIB}")
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        for name, cols in self._TABLES.items():
            con.execute(f"CREATE TABLE {name} ({cols}) WITHOUT ROWID")
        mem, self._mem, self._con = self._mem or {}, None, con
        for name, entries in mem.items():
            if name in self._LINES:
                con.executemany(f"INSERT INTO {name} VALUES (?, ?)", entries.items())
            else:
                con.executemany(f"INSERT INTO {name} VALUES (?)", ((k,) for k in entries))

    def lines(self, table: str, keys: Sequence[Any]) -> dict[Any, int]:
        """The stored line of each of `keys` that is in `table` ("keys" or "people")."""
        if self._mem is not None:
            known = self._mem[table]
            return {k: known[k] for k in keys if k in known}
        assert self._con is not None
        out: dict[Any, int] = {}
        for part in _parts(keys):
            marks = ",".join("?" * len(part))
            out.update(self._con.execute(f"SELECT k, line FROM {table} WHERE k IN ({marks})", part))
        return out

    def having(self, table: str, keys: Sequence[Any]) -> set[Any]:
        """Those of `keys` that are in `table`."""
        if self._mem is not None:
            known = self._mem[table]
            return {k for k in keys if k in known}
        assert self._con is not None
        out: set[Any] = set()
        for part in _parts(keys):
            marks = ",".join("?" * len(part))
            out.update(k for (k,) in self._con.execute(
                f"SELECT k FROM {table} WHERE k IN ({marks})", part))
        return out

    def put(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Add rows (a key, and its line for "keys" and "people"); a key stored already stays."""
        if self._mem is not None:
            known = self._mem[table]
            before = len(known)
            for row in rows:
                known.setdefault(row[0], row[1] if len(row) > 1 else 0)
            self._entries += len(known) - before
            if self._entries > self.MEMORY_ENTRIES:
                self._spill()
            return
        assert self._con is not None
        cols = 2 if table in self._LINES else 1
        self._con.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({', '.join('?' * cols)})", rows)

    def close(self) -> None:
        """Drop what was remembered (and the temporary file)."""
        self._mem = None
        if self._con is not None:
            self._con.close()


def _unspool(spool: IO[bytes]) -> Iterator[list[Record]]:
    while True:
        try:
            yield pickle.load(spool)  # our own temporary file, written just now
        except EOFError:
            return


def _best_sheet(book: _Book) -> str:
    """The first sheet whose first rows hold a recognisable header (exports add cover sheets)."""
    for name in book.sheets:
        head = []
        for _, cells in book.iter_rows(name):
            head.append(cells)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        if find_header(head) is not None:
            return name
    return book.sheets[0]


def _column_names(inspection: FileInspection) -> dict[str, str]:
    """The file's own header for each mapped field (report lines name columns as the file does)."""
    names = {f.key: f.name_en for f in BY_KEY.values()}
    seen: set[str] = set()
    for h, f in zip(inspection.headers, inspection.mapping, strict=False):
        if f is not None and f not in seen:
            seen.add(f)
            names[f] = h
    return names


def _photo_index(folder: Path) -> dict[str, Path]:
    """Image files by upper-cased file name and by stem (CQ24-ABC123.jpg is found as CQ24-ABC123)."""
    if not folder.is_dir():
        raise ImportFailed(msg("import.no_photo_folder", folder=folder))
    index: dict[str, Path] = {}
    for p in sorted(folder.rglob("*")):
        if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file():
            index.setdefault(clean(p.name).upper(), p.resolve())
            index.setdefault(clean(p.stem).upper(), p.resolve())
    return index


def _preset_info(p: ImportPreset) -> PresetInfo:
    data = json.loads(p.config_json or "{}")
    values = {str(k): {str(a): str(b) for a, b in v.items()}
              for k, v in dict(data.get("values", {})).items() if isinstance(v, dict)}
    return PresetInfo(p.name, dict(data.get("columns", {})), dict(data.get("options", {})), p.updated_at,
                      values)


def _aliases(text: str | None) -> tuple[str, ...]:
    try:
        items = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(a) for a in items) if isinstance(items, list) else ()


def _close_match(value: str, groups: Sequence[Sequence[tuple[str, str]]]) -> str | None:
    """The one code whose word contains the value or is contained in it (two characters at
    least), group by group; else the code of the nearest word by spelling."""
    v = fold(value)
    if not v:
        return None
    for group in groups:
        hits = {code for word, code in group
                if (w := fold(word)) and min(len(w), len(v)) >= 2 and (w in v or v in w)}
        if len(hits) == 1:
            return hits.pop()
    for group in groups:
        words = {fold(word): code for word, code in reversed(group) if fold(word)}
        near = difflib.get_close_matches(v, list(words), n=1, cutoff=0.75)
        if near:
            return words[near[0]]
    return None


def normalise_value_map(raw: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Value mappings with folded source values and canonical targets (codes upper-case)."""
    out: dict[str, dict[str, str]] = {}
    for kind, table in raw.items():
        if kind not in VOCABULARIES:
            raise ImportFailed(msg("import.mapping.bad_kind", kind=kind, listed=", ".join(VOCABULARIES)))
        for value, target in table.items():
            t = clean(target)
            t = t.lower() if t.lower() in (REJECT, *STATUSES) or t == IGNORE else t.upper()
            if fold(value):
                out.setdefault(kind, {})[fold(value)] = t
    return out


def _merged(saved: Mapping[str, Mapping[str, str]], given: Mapping[str, Mapping[str, str]] | None
            ) -> dict[str, dict[str, str]]:
    out = {k: dict(v) for k, v in normalise_value_map(saved).items()}
    for k, v in normalise_value_map(given or {}).items():
        out.setdefault(k, {}).update(v)
    return out


def _check_value_map(value_map: Mapping[str, Mapping[str, str]], catalog: Catalog) -> None:
    """Every mapping target exists: ImportFailed naming the first that does not."""
    from checkin_app.domain.countries import COUNTRIES

    words = {"category": (REJECT,), "activity": (REJECT, IGNORE), "status": (REJECT,),
             "country": (REJECT, IGNORE), "track": (REJECT, IGNORE)}
    for kind, table in value_map.items():
        for value, target in table.items():
            if target in words[kind]:
                continue
            ok = {"category": target in catalog.categories, "activity": target in catalog.activities,
                  "status": target in STATUSES, "country": target in COUNTRIES,
                  "track": target in catalog.activities}[kind]
            if not ok:
                hint = {"category": ", ".join(catalog.categories), "activity": ", ".join(catalog.activities),
                        "status": "approved, cancelled", "country": "ISO 3166 (CN, RS, …)",
                        "track": ", ".join(catalog.activities)}[kind]
                raise ImportFailed(msg("import.mapping.bad_target", kind=kind, value=value, target=target,
                                       hint=hint))


def _insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany of rows that all have the same keys. On SQLite straight through the
    driver with each column's own conversion (SQLAlchemy's per-row parameter handling costs
    more than SQLite's insert at 100,000 people); elsewhere a Core insert."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        session.execute(insert(table), rows)
        return
    cols = list(rows[0])
    procs = [table.c[c].type._cached_bind_processor(conn.dialect) for c in cols]
    # Columns that convert (times, flags) hold few distinct values in an import (one time, two
    # flags): each value is converted once.
    converting: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (i, proc, {}) for i, proc in enumerate(procs) if proc is not None]
    fetch = itemgetter(*cols)
    params = [fetch(row) for row in rows] if len(cols) > 1 else [(fetch(row),) for row in rows]
    if converting:
        for n, found in enumerate(params):
            values = list(found)
            for i, proc, done in converting:
                v = values[i]
                try:
                    values[i] = done[v]
                except KeyError:
                    values[i] = done[v] = proc(v)
                except TypeError:  # not hashable
                    values[i] = proc(v)
            params[n] = tuple(values)
    names = ", ".join(f'"{c}"' for c in cols)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(cols))})',
                         params)


def _uuids(n: int) -> list[str]:
    """n random (version 4) UUIDs from one read of the system's random source (uuid4() reads it
    once per UUID: a system call each, most of its cost at 100,000 people)."""
    h = os.urandom(16 * n).hex()
    # As str(uuid.UUID(bytes=..., version=4)) writes them (version nibble 4, variant 10xx), from
    # the hex digits directly: the UUID class costs several microseconds each.
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-4{h[i + 13:i + 16]}-{_VARIANT[h[i + 16]]}{h[i + 17:i + 20]}-"
            f"{h[i + 20:i + 32]}" for i in range(0, 32 * n, 32)]


# The variant's first hex digit (10xx) from a random one.
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def _masked(col: str, value: object) -> object:
    return "***" if col in PRIVATE_FIELDS else value


class _Writer:
    """Compares record chunks with the database, counts, and (when applying) writes them."""

    def __init__(self, catalog: Catalog, options: RowOptions, photos: dict[str, Path] | None,
                 now: datetime, *, apply: bool, operator: str, desk: str, sheet: str = "",
                 columns: dict[str, str] | None = None, source: str = "",
                 rows: _RowStore | None = None, full: bool = False) -> None:
        self.catalog = catalog
        # The registration numbers given so far and (for a full import) the delegates seen.
        self.rows = rows if rows is not None else _RowStore()
        self.full = full
        self.source = source
        # Put before a number another source holds already as a registration number.
        self.prefix = ""
        # Whether the people of the unnamed source (imported before sources had names) that this
        # file lists are taken over: the file was imported then, and its source is new.
        self.legacy = False
        self.same_people: list[SamePerson] = []
        # A big file (BULK_BYTES): indexes only this import's writes use are built once at the end.
        self.bulk = False
        # Whether people of other sources have identities stored (else no row can match one).
        self.others = True
        # Pairs of delegates (lower id first) the organiser decided on: not reported again.
        self.decided: set[tuple[int, int]] = set()
        self.sheet = sheet
        self.columns = columns or {}
        self.options = options
        self.photos = photos
        self.now = now
        self.apply = apply
        self.operator = operator
        self.desk = desk
        self.run_id = 0
        self.counts = ImportCounts()
        # The report; `problems` holds the chunk's lines until they go there in line order.
        self.report = ReportLines()
        self.problems: list[Problem] = []
        # Ids as 64-bit integers (8 bytes each; a list of ints costs 36).
        self.touched = array("q")
        # Delegates written whose search keys are still to be (re)built: all at once at the end,
        # which lets index_delegates take its bulk path for a big import.
        self.unindexed = array("q")
        # This chunk: registration numbers looked up (given already?) and those it gives.
        self._codes: dict[str, bool] = {}
        self._claimed: list[str] = []
        # Whether _write_identities dropped the identities' hash index (finish builds it again).
        self._hash_index_dropped = False

    def _col(self, field_key: str) -> str:
        return self.columns.get(field_key) or BY_KEY[field_key].name_en

    # -- lookups -----------------------------------------------------------------------------
    def _existing(self, session: Session, chunk: Sequence[Record]) -> dict[str, Any]:
        """Existing delegate rows by record key."""
        cols = [_D.c.id, *(_D.c[c] for c in _COMPARED), _D.c.walk_in, _D.c.source_code,
                _D.c.source]
        kf = self.options.key_field
        if kf == "registration_code":
            # A registration number is unique within its source: people are found by their
            # number in this source, never by the same number in another.
            by_code = {source_code(r.key): r.key for r in chunk}
            # source_code != '' lets SQLite use the partial unique index (source, source_code):
            # without it each chunk scanned the whole table.
            rows = session.execute(select(*cols).where(
                _D.c.source == self.source, _D.c.source_code != "",
                _among(session, _D.c.source_code, list(by_code)))).all()
            found = {by_code[r.source_code]: r for r in rows}
            if self.legacy and len(found) < len(by_code):
                # This file was imported before sources had names: its people are in the
                # unnamed source, and this import takes them over instead of doubling them.
                # They were stored under the number as that import wrote it.
                rest = [k for k in by_code.values() if k not in found]
                for r in session.execute(select(*cols).where(
                        _D.c.source == "", _D.c.walk_in.is_(False),
                        _D.c.registration_code.in_(rest))):
                    found[r.registration_code] = r
            return found
        hashes = {source_key_hash(self.source, kf, r.key): r.key for r in chunk}
        links = session.execute(
            select(ImportKey.key_hash, ImportKey.delegate_id)
            .where(ImportKey.key_field == kf, ImportKey.key_hash.in_(list(hashes)))
        ).all()
        by_id = {d: hashes[h] for h, d in links}
        rows = session.execute(select(*cols).where(_D.c.id.in_(list(by_id)))).all() if by_id else []
        return {by_id[r.id]: r for r in rows}

    def chunk(self, session: Session, chunk: Sequence[Record]) -> None:
        """Plan (and write) one chunk of valid records."""
        self.problems = []
        candidates: set[str] = set()
        for r in chunk:
            own = r.registration_code or generated_code(self.options.key_field, r.key)
            candidates.update((own, f"{self.prefix}-{own}"))
        given = self.rows.having("codes", list(candidates))
        self._codes = {c: c in given for c in candidates}
        self._claimed = []
        seen: list[int] = []
        self._plan(session, chunk, seen)
        self.rows.put("codes", ((c,) for c in self._claimed))
        if self.full:
            self.rows.put("seen", ((d,) for d in seen))
        self.problems.sort(key=lambda p: p.line)
        self.report.extend(self.problems)
        self.problems = []

    def _code_given(self, code: str) -> bool:
        """Whether this import gave the registration number to someone already."""
        known = self._codes.get(code)
        if known is None:
            known = self._codes[code] = bool(self.rows.having("codes", [code]))
        return known

    def _claim(self, code: str) -> None:
        if not self._codes.get(code):
            self._codes[code] = True
            self._claimed.append(code)

    def _plan(self, session: Session, chunk: Sequence[Record], seen: list[int]) -> None:
        existing = self._existing(session, chunk)
        ids = [r.id for r in existing.values()]
        private: dict[int, dict[str, str]] = {}
        if self.options.keep and ids:
            for d, f, v in session.execute(
                select(DelegatePrivate.delegate_id, DelegatePrivate.field, DelegatePrivate.value)
                .where(DelegatePrivate.delegate_id.in_(ids))
            ):
                private.setdefault(d, {})[f] = v
        granted: dict[int, set[int]] = {}
        overrides: dict[tuple[int, int], bool] = {}
        if ids and any(r.activities is not None for r in chunk):
            for d, a in session.execute(select(ImportAdmission.delegate_id, ImportAdmission.activity_id)
                                        .where(ImportAdmission.delegate_id.in_(ids))):
                granted.setdefault(d, set()).add(a)
            for d, a, allow in session.execute(
                select(m.DelegateAdmission.delegate_id, m.DelegateAdmission.activity_id,
                       m.DelegateAdmission.allow).where(m.DelegateAdmission.delegate_id.in_(ids))
            ):
                overrides[(d, a)] = bool(allow)
        codes_taken = self._codes_taken(session, chunk, existing)
        reported = len(self.same_people)
        identities = self._identities(session, chunk, existing)

        inserts: list[tuple[Record, dict[str, Any]]] = []
        updated: list[int] = []
        new = changed = unchanged = cancelled = 0
        for rec in chunk:
            values = dict(rec.values)
            self._photo(rec, values)
            old = existing.get(rec.key)
            own = values.get("registration_code") or (
                old.source_code if old is not None
                else generated_code(self.options.key_field, rec.key))
            values["source_code"] = source_code(own)
            if old is not None and (old.source_code == values["source_code"]
                                    or old.source != self.source):
                code = old.registration_code  # as first stored (perhaps with the source's prefix)
            else:
                code = self._free_code(rec, own, codes_taken, old)
                if code is None:
                    continue
            values["registration_code"] = code
            if old is None:
                self._claim(code)
                inserts.append((rec, values))
                if values.get("status") == "cancelled":
                    cancelled += 1
                else:
                    new += 1
                continue
            seen.append(old.id)
            diff = {c: (getattr(old, c), v) for c, v in values.items()
                    if c in _COMPARED and getattr(old, c) != v}
            if old.source_code != values["source_code"]:
                diff["source_code"] = (old.source_code, values["source_code"])
            if old.source != self.source:
                diff["source"] = (old.source, self.source)  # taken over from the unnamed source
            mine = private.get(old.id, {})
            pdiff = {f: (mine.get(f), v) for f, v in rec.private.items() if mine.get(f) != v}
            add, drop = self._admission_changes(old.id, rec, granted, overrides)
            if not (diff or pdiff or add or drop):
                unchanged += 1
                continue
            if diff.get("status", ("", ""))[1] == "cancelled":
                cancelled += 1
            else:
                changed += 1
            if self.apply:
                self._update(session, old, diff, pdiff, add, drop, code)
                updated.append(old.id)
        self.counts = replace(self.counts, new=self.counts.new + new,
                              changed=self.counts.changed + changed,
                              unchanged=self.counts.unchanged + unchanged,
                              cancelled=self.counts.cancelled + cancelled)
        new_ids = self._insert(session, inserts) if self.apply and inserts else []
        if self.full:
            seen.extend(new_ids)
        if len(self.same_people) > reported:
            # People new here: the number (and id) they are stored under, for a decision.
            id_of = iter(new_ids)
            stored = {rec.line: (str(v["registration_code"]), next(id_of, 0)) for rec, v in inserts}
            self.same_people[reported:] = [
                replace(p, code=stored[p.line][0], delegate_id=stored[p.line][1])
                if p.line in stored and not p.delegate_id else p
                for p in self.same_people[reported:]]
        self.unindexed.extend(updated)
        if self.apply:
            self._write_identities(session, chunk, existing, identities, inserts, new_ids)

    def _free_code(self, rec: Record, own: str, taken: dict[str, str],
                   old: Any) -> str | None:
        """The registration number to store for a person new here (or whose number changed): the
        source's own when nobody holds it, else qualified by the source's prefix ("WJX-5") with
        a note; None (the row rejected) when the source itself gives the number to two people."""
        col = self._col("registration_code")
        holder = taken.get(own)
        if self._code_given(own) or (holder is not None and holder == self.source):
            self.problems.append(problem("code_taken", ERROR, sheet=self.sheet, line=rec.line,
                                         column=col, value=own))
            self.counts = replace(self.counts, rejected=self.counts.rejected + 1)
            return None
        if holder is None:
            self._claim(own)
            return own
        for n in range(1, 100):
            code = f"{self.prefix}-{own}" if n == 1 else f"{self.prefix}-{own}-{n}"
            if code not in taken and not self._code_given(code):
                break
        self._claim(code)
        self.problems.append(problem("code_qualified", INFO, sheet=self.sheet, line=rec.line,
                                     column=col, value=own, stored=code, other=holder or "—"))
        return code

    def _codes_taken(self, session: Session, chunk: Sequence[Record],
                     existing: dict[str, Any]) -> dict[str, str]:
        """Registration numbers the chunk may store that belong to delegates other than the
        matched ones, with the source of the holder (walk-ins: "")."""
        codes: list[str] = []
        for r in chunk:
            own = r.registration_code or generated_code(self.options.key_field, r.key)
            codes += [own, f"{self.prefix}-{own}"]
        mine = {r.id for r in existing.values()}
        return {c: src for i, c, src in session.execute(
            select(_D.c.id, _D.c.registration_code, _D.c.source)
            .where(_among(session, _D.c.registration_code, codes))) if i not in mine}

    def _identities(self, session: Session, chunk: Sequence[Record],
                    existing: dict[str, Any]) -> dict[int, set[tuple[str, str]]]:
        """The identity hashes stored for the matched people; people of other sources sharing one
        with a row are reported (SamePerson and a warning), never merged."""
        ids = [r.id for r in existing.values()]
        stored: dict[int, set[tuple[str, str]]] = {}
        for part in _parts(ids):
            for d, kind, h in session.execute(
                    select(ImportIdentity.delegate_id, ImportIdentity.kind, ImportIdentity.hash)
                    .where(ImportIdentity.delegate_id.in_(part))):
                stored.setdefault(d, set()).add((kind, h))
        hashes = list({h for r in chunk for _k, h in r.identity}) if self.others else []
        others: dict[str, list[Any]] = {}
        for part in _parts(hashes):
            for row in session.execute(
                    select(ImportIdentity.hash, ImportIdentity.kind, _D.c.id, _D.c.source,
                           _D.c.registration_code, _D.c.name_native, _D.c.name_latin)
                    .join(_D, _D.c.id == ImportIdentity.delegate_id)
                    .where(_among(session, ImportIdentity.hash, part), _D.c.source != self.source)):
                others.setdefault(row.hash, []).append(row)
        if others:
            for rec in chunk:
                found: dict[int, tuple[Any, list[str]]] = {}
                for kind, h in rec.identity:
                    for row in others.get(h, ()):
                        found.setdefault(row.id, (row, []))[1].append(kind)
                mine = existing.get(rec.key)
                for row, kinds in found.values():
                    if mine is not None and tuple(sorted((int(mine.id), int(row.id)))) in self.decided:
                        continue  # merged or kept apart by the organiser: asked once
                    name = str(rec.values.get("name_native", ""))
                    self.same_people.append(SamePerson(
                        rec.line, name, rec.registration_code, int(row.id), row.source,
                        row.registration_code, row.name_native or row.name_latin, tuple(kinds),
                        mine.registration_code if mine is not None else "",
                        int(mine.id) if mine is not None else 0))
                    self.problems.append(problem(
                        "same_person_other_source", WARNING, sheet=self.sheet, line=rec.line,
                        column=self._col("name"), value=name, other_code=row.registration_code,
                        other_source=row.source or "—",
                        by_zh=text("import.list_sep", "zh").join(IDENTITY_NAMES[k][0] for k in kinds),
                        by_en=text("import.list_sep", "en").join(IDENTITY_NAMES[k][1] for k in kinds)))
        return stored

    def _write_identities(self, session: Session, chunk: Sequence[Record], existing: dict[str, Any],
                          stored: dict[int, set[tuple[str, str]]],
                          inserts: list[tuple[Record, dict[str, Any]]], new_ids: list[int]) -> None:
        rows: list[tuple[int, str, str]] = []
        for (rec, _values), d in zip(inserts, new_ids, strict=True):
            rows += [(d, k, h) for k, h in set(rec.identity)]
        for rec in chunk:
            old = existing.get(rec.key)
            if old is None:
                continue
            want = set(rec.identity)
            if want != stored.get(old.id, set()):
                session.execute(delete(ImportIdentity).where(ImportIdentity.delegate_id == old.id))
                rows += [(old.id, k, h) for k, h in want]
        if not rows:
            return
        conn = session.connection()
        if self.bulk and not self.others and not self._hash_index_dropped:
            # A bulk import with no other source's identities never looks one up by its hash
            # (see _identities): building that index once at the end beats 300,000 inserts in
            # random hash order. DDL is transactional in SQLite: a rollback brings it back.
            _IDENTITY_HASH_INDEX.drop(conn)
            self._hash_index_dropped = True
        if conn.dialect.name == "sqlite":
            # Three plain columns, 100,000 people: straight through the driver (SQLAlchemy's
            # per-row parameter handling was most of this step).
            conn.exec_driver_sql(
                "INSERT INTO import_identities (delegate_id, kind, hash) VALUES (?, ?, ?)", rows)
        else:
            session.execute(insert(ImportIdentity),
                            [{"delegate_id": d, "kind": k, "hash": h} for d, k, h in rows])

    def finish(self, session: Session) -> None:
        """After the last chunk: build again what the bulk writes dropped."""
        if self._hash_index_dropped:
            _IDENTITY_HASH_INDEX.create(session.connection())
            self._hash_index_dropped = False

    def _photo(self, rec: Record, values: dict[str, Any]) -> None:
        if self.photos is None:
            return
        path = None
        if rec.photo_name:
            name = clean(Path(rec.photo_name.replace("\\", "/")).name).upper()
            path = self.photos.get(name) or self.photos.get(Path(name).stem)
            if path is None:
                self.problems.append(problem("photo_missing", WARNING, sheet=self.sheet, line=rec.line,
                                             column=self._col("photo"), value=rec.photo_name))
        code = values.get("registration_code") or ""
        if path is None and code:
            path = self.photos.get(code)
        if path is not None:
            values["photo_path"] = str(path)

    def _admission_changes(self, delegate_id: int, rec: Record, granted: dict[int, set[int]],
                           overrides: dict[tuple[int, int], bool]) -> tuple[set[int], set[int]]:
        """Individual admissions to add and to take back (only ones the import itself granted)."""
        if rec.extra_admissions is None:
            return set(), set()
        mine = granted.get(delegate_id, set())
        # A manager's own override (allow or deny) for that activity is never touched.
        add = {a for a in rec.extra_admissions - mine if (delegate_id, a) not in overrides}
        drop = mine - rec.extra_admissions
        return add, drop

    # -- writes ------------------------------------------------------------------------------
    def _update(self, session: Session, old: Any, diff: dict[str, tuple[Any, Any]],
                pdiff: dict[str, tuple[str | None, str]], add: set[int], drop: set[int],
                code: str) -> None:
        changes = {c: new for c, (_old, new) in diff.items()}
        if diff:
            changes["updated_at"] = self.now
            if BADGE_COLUMNS & diff.keys():
                changes["badge_outdated"] = True
            session.execute(update(_D).where(_D.c.id == old.id).values(**changes))
        for f, (_before, value) in pdiff.items():
            session.merge(DelegatePrivate(delegate_id=old.id, field=f, value=value[:300]))
        for a in add:
            session.execute(insert(m.DelegateAdmission).values(delegate_id=old.id, activity_id=a,
                                                               allow=True))
            session.execute(insert(ImportAdmission).values(delegate_id=old.id, activity_id=a,
                                                           run_id=self.run_id))
        if drop:
            session.execute(delete(m.DelegateAdmission).where(
                m.DelegateAdmission.delegate_id == old.id, m.DelegateAdmission.activity_id.in_(drop),
                m.DelegateAdmission.allow.is_(True)))
            session.execute(delete(ImportAdmission).where(
                ImportAdmission.delegate_id == old.id, ImportAdmission.activity_id.in_(drop)))
        before: dict[str, Any] = {c: _masked(c, o) for c, (o, _n) in diff.items()}
        after: dict[str, Any] = {c: _masked(c, n) for c, (_o, n) in diff.items()}
        for f in pdiff:
            before[f], after[f] = "***", "***"  # personal data stays out of the audit log
        if add or drop:
            before["admissions"] = sorted(self.catalog_codes(drop))
            after["admissions"] = sorted(self.catalog_codes(add))
        cancelling = diff.get("status", ("", ""))[1] == "cancelled"
        audit.record(session, at=self.now, desk=self.desk, operator=self.operator,
                     action="import.cancel" if cancelling else "import.update", subject=code,
                     before=before, after=after)
        self.touched.append(old.id)

    def catalog_codes(self, ids: set[int]) -> list[str]:
        """Activity codes of activity ids."""
        by_id = {a.id: a.code for a in self.catalog.activities.values()}
        return [by_id.get(i, str(i)) for i in ids]

    def _insert(self, session: Session, inserts: list[tuple[Record, dict[str, Any]]]) -> list[int]:
        rows = []
        for (_rec, values), uid in zip(inserts, _uuids(len(inserts)), strict=True):
            row: dict[str, Any] = {
                "uid": uid, "family_name": "", "given_name": "", "name_native": "",
                "name_latin": "", "name_order": "western", "honorific": "", "organisation_zh": "",
                "organisation_en": "", "position_zh": "", "position_en": "", "country": "",
                "status": "approved", "team": "", "track": "", "attention_note": "",
                "badge_serial": 1, "badge_outdated": False, "walk_in": False,
                "registered_by_desk": "", "photo_path": None, "updated_at": self.now,
                "source": self.source,
            }
            row.update(values)
            rows.append(row)
        # The ids SQLite would give (the next rowids: the table has no AUTOINCREMENT, and this
        # transaction holds the write lock), set here: an INSERT ... RETURNING in parameter
        # order runs row by row on SQLite, a plain executemany several times faster. Walk-ins
        # (synced from desks) sit above WALKIN_BASE; registrations stay below it.
        below = literal(WALKIN_BASE, BigInteger())  # 64-bit: PostgreSQL ids are 32-bit
        first = (session.scalar(select(func.max(_D.c.id)).where(_D.c.id < below)) or 0) + 1
        ids = list(range(first, first + len(rows)))
        for row, d in zip(rows, ids, strict=True):
            row["id"] = d
        _insert_rows(session, _D, rows)
        admissions, granted, privates, keys = [], [], [], []
        kf = self.options.key_field
        for (rec, _values), d in zip(inserts, ids, strict=True):
            for a in sorted(rec.extra_admissions or ()):
                admissions.append({"delegate_id": d, "activity_id": a, "allow": True})
                granted.append({"delegate_id": d, "activity_id": a, "run_id": self.run_id})
            for f, v in rec.private.items():
                privates.append({"delegate_id": d, "field": f, "value": v[:300]})
            if kf != "registration_code":
                keys.append({"key_field": kf, "key_hash": source_key_hash(self.source, kf, rec.key),
                             "delegate_id": d})
        for model, params in ((m.DelegateAdmission, admissions), (ImportAdmission, granted),
                              (DelegatePrivate, privates), (ImportKey, keys)):
            if params:
                _insert_rows(session, cast(Table, model.__table__), params)
        self.touched.extend(ids)
        self.unindexed.extend(ids)
        return ids

    def missing(self, session: Session, report: ReportLines) -> None:
        """People registered before (not walk-ins, not cancelled) whom a full import did not
        list, to `report`; the delegates seen and the rejected rows' keys are looked up in the
        import's row store 500 at a time."""
        by_code = self.options.key_field == "registration_code"
        rows = session.execute(
            select(_D.c.id, _D.c.registration_code, _D.c.name_native, _D.c.name_latin)
            .where(_D.c.walk_in.is_(False), _D.c.status != "cancelled", _D.c.source == self.source)
            .order_by(_D.c.id)
        )
        for part in iter(lambda: rows.fetchmany(500), []):
            seen = self.rows.having("seen", [r[0] for r in part])
            rejected = self.rows.having("rejected", [r[1] for r in part]) if by_code else set()
            for d, code, native, latin in part:
                if d in seen or code in rejected:
                    continue
                report.append(problem("missing_from_file", INFO, sheet="", line=0,
                                      column=BY_KEY["registration_code"].name_en,
                                      value=f"{code} {native or latin}".strip()))
