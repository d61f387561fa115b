"""Registration import end to end on the demo event: each fixture file, re-import, cancel, failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from checkin_app.domain.clock import FixedClock
from checkin_app.importers.report import write_report
from checkin_app.services.importing import (
    ImportCancelled,
    ImportFailed,
    ImportOptions,
    ImportService,
)
from checkin_app.services.search import SearchService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database
from checkin_app.storage.models_import import DelegatePrivate, ImportAdmission, ImportRun

DATA = Path(__file__).resolve().parents[1] / "importers" / "data"


def _delegate(db: Database, code: str) -> m.Delegate:
    with db.read() as s:
        d = s.scalar(select(m.Delegate).where(m.Delegate.registration_code == code))
        assert d is not None, code
        s.expunge(d)
        return d


def _category(db: Database, cat_id: int) -> str:
    with db.read() as s:
        return str(s.scalar(select(m.Category.code).where(m.Category.id == cat_id)))


def _activity_overrides(db: Database, code: str) -> dict[str, bool]:
    with db.read() as s:
        rows = s.execute(
            select(m.Activity.code, m.DelegateAdmission.allow)
            .join(m.DelegateAdmission, m.DelegateAdmission.activity_id == m.Activity.id)
            .join(m.Delegate, m.Delegate.id == m.DelegateAdmission.delegate_id)
            .where(m.Delegate.registration_code == code)
        ).all()
    return {a: bool(allow) for a, allow in rows}


def _snapshot(db: Database) -> tuple[int, int, int, str]:
    with db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(m.Delegate)) or 0,
            s.scalar(select(func.count()).select_from(m.AuditEntry)) or 0,
            s.scalar(select(func.count()).select_from(m.DelegateAdmission)) or 0,
            str(s.scalar(select(func.max(m.Delegate.updated_at)))),
        )


@pytest.fixture
def svc(demo_db: Database, clock: FixedClock) -> ImportService:
    return ImportService(demo_db, clock)


# -- each fixture file ---------------------------------------------------------------------------

def test_platform_xlsx_with_title_row_merged_cells_and_lost_zeros(svc: ImportService) -> None:
    path = DATA / "platform_export.xlsx"
    ins = svc.inspect(path)
    assert (ins.kind, ins.sheet, ins.header_line, ins.code_width) == ("xlsx", "报名信息", 3, 6)
    assert ins.mapping[:3] == (None, "registration_code", "name")
    r = svc.apply(path, ImportOptions(photos_dir=DATA / "photos"))
    c = r.counts
    assert (c.new, c.rejected, c.skipped) == (6, 0, 1)
    lines = {(p.line, p.code) for p in r.problems}
    assert lines == {(5, "code_padded"), (10, "code_padded"), (9, "photo_missing"), (11, "total_row")}
    db = svc.db
    zhang = _delegate(db, "000101")
    assert (zhang.name_native, zhang.name_latin, zhang.family_name, zhang.name_order) == (
        "张伟", "ZHANG Wei", "张", "eastern")
    assert (zhang.organisation_zh, zhang.position_zh, zhang.country) == ("重庆大学", "教授", "CN")
    assert _category(db, zhang.category_id) == "GUEST"
    assert zhang.photo_path and zhang.photo_path.endswith("000101.png")
    assert _delegate(db, "000102").name_latin == "OUYANG Nana"
    petrovic = _delegate(db, "000103")
    assert (petrovic.name_latin, petrovic.country, petrovic.organisation_en) == (
        "Đorđe PETROVIĆ", "RS", "Embassy of Serbia in China")
    assert petrovic.attention_note == "请通知礼宾官"
    # Merged cells: the team's organisation and category reached the members.
    for code in ("000104", "000105", "000106"):
        d = _delegate(db, code)
        assert d.organisation_zh == "新加坡国立大学" and _category(db, d.category_id) == "COMPETITOR"
        assert d.country == "SG"
    assert _delegate(db, "000104").photo_path.endswith("team-li-ming.png")  # type: ignore[union-attr]
    assert _delegate(db, "000105").name_latin == "Tan Wei JIE"
    # Phones and dates are personal data: not kept unless configured.
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(DelegatePrivate)) == 0


def test_kept_personal_data_is_stored_apart_from_what_desks_show(svc: ImportService) -> None:
    path = DATA / "platform_export.xlsx"
    svc.apply(path, ImportOptions(keep=frozenset({"phone", "arrival_date"})))
    with svc.db.read() as s:
        rows = dict(((c, f), v) for c, f, v in s.execute(
            select(m.Delegate.registration_code, DelegatePrivate.field, DelegatePrivate.value)
            .join(m.Delegate, m.Delegate.id == DelegatePrivate.delegate_id)))
    assert rows[("000101", "phone")] == "13800138000"  # a float cell, digits intact
    assert rows[("000101", "arrival_date")] == "2024-11-22"  # Excel serial 45618
    assert rows[("000102", "arrival_date")] == "2024-11-23"
    assert rows[("000103", "arrival_date")] == "2024-11-22"  # a real date cell
    view = SearchService(svc.db).search("张伟")
    assert view and "13800138000" not in repr(view)


def test_gb18030_csv_with_chinese_headers(svc: ImportService) -> None:
    r = svc.apply(DATA / "chinese_excel_gb18030.csv")
    assert r.inspection.encoding == "gb18030"
    assert (r.counts.new, r.counts.cancelled, r.counts.rejected) == (2, 1, 0)
    wang = _delegate(svc.db, "CQ-0001")
    assert (wang.name_native, wang.name_latin) == ("王芳", "WANG Fang")  # full-width spaces gone
    assert wang.organisation_zh == "重庆长安汽车股份有限公司"
    assert _category(svc.db, wang.category_id) == "ENTERPRISE"
    zhao = _delegate(svc.db, "CQ-0002")  # full-width ＣＱ－０００２
    assert zhao.name_native == "赵磊" and _category(svc.db, zhao.category_id) == "TALENT"
    chen = _delegate(svc.db, "CQ-0003")
    assert chen.status == "cancelled"
    assert _activity_overrides(svc.db, "CQ-0003") == {"SIGNING": True}
    assert [(p.line, p.code, p.value) for p in r.problems] == [
        (3, "phone_digits_lost", "1.38001E+10"),
        (4, "bad_email", "c***@xinhua"),
        (4, "activity_extra", "合作项目签约仪式"),
    ]
    assert r.problems[0].column == "手机"


def test_utf16_tab_separated_english_headers(svc: ImportService) -> None:
    r = svc.apply(DATA / "unicode_text_utf16.txt")
    assert (r.inspection.encoding, r.inspection.delimiter) == ("utf-16", "\t")
    assert (r.counts.new, r.counts.cancelled, r.problems) == (2, 1, ())
    maria = _delegate(svc.db, "EN-001")
    assert (maria.name_latin, maria.country, maria.organisation_en) == (
        "Maria SCHMIDT", "DE", "Technische Universität München")
    assert _category(svc.db, maria.category_id) == "ACADEMICIAN"
    john = _delegate(svc.db, "EN-002")
    assert (john.family_name, john.name_latin, john.country) == ("SMITH", "John SMITH", "US")
    assert _category(svc.db, john.category_id) == "INTL_ORG"
    assert _delegate(svc.db, "EN-003").status == "cancelled"


def test_utf8_bom_with_title_line_and_several_scripts(svc: ImportService) -> None:
    r = svc.apply(DATA / "media_utf8_bom.csv")
    assert (r.inspection.encoding, r.inspection.header_line, r.counts.new) == ("utf-8-sig", 2, 3)
    ivan = _delegate(svc.db, "M-01")
    assert (ivan.name_native, ivan.name_latin, ivan.country) == ("Иван Петров", "Ivan PETROV", "RU")
    assert _delegate(svc.db, "M-02").name_latin == "Ngozi OKAFOR"
    kim = _delegate(svc.db, "M-03")
    assert (kim.name_native, kim.name_latin, kim.name_order, kim.country) == (
        "金敏俊", "KIM Min-jun", "eastern", "KR")


def test_problem_file_report_lines(svc: ImportService, tmp_path: Path) -> None:
    r = svc.dry_run(DATA / "problems_utf8.csv")
    got = [(p.line, p.column, p.value, p.severity, p.code) for p in r.problems]
    assert got == [
        (2, "Name", "", "error", "missing_name"),
        (3, "Category", "Speaker", "error", "unknown_category"),
        (4, "Activities", "Gala dinner", "error", "unknown_activity"),
        (5, "Country", "Atlantis", "warning", "unknown_country"),
        (7, "Registration No.", "P-005", "error", "duplicate_key"),
        (8, "Name", "孙丽", "warning", "duplicate_person"),
        (9, "Email", "h***@", "warning", "bad_email"),
        (9, "Mobile", "12345", "warning", "bad_phone"),
        (10, "Status", "待审核", "error", "pending_status"),
        (11, "Activities", "合作项目签约仪式", "warning", "activity_extra"),
        (13, "", "Total", "info", "total_row"),
    ]
    assert (r.counts.new, r.counts.rejected, r.counts.skipped, r.counts.warnings) == (5, 5, 1, 5)
    assert all(p.message_zh and p.message_en for p in r.problems)
    assert "第 6 行" in r.problems[4].message_zh and "line 6" in r.problems[4].message_en
    out = tmp_path / "report.csv"
    assert write_report(out, r.problems) == 11
    text_ = out.read_bytes().decode("utf-8-sig")
    assert "未知类别：Speaker" in text_ and "Unknown category: Speaker" in text_


def test_no_event_says_so_in_both_languages(tmp_path: Path) -> None:
    db = Database(tmp_path / "empty.sqlite3")
    try:
        with pytest.raises(ImportFailed, match="must exist") as e:
            ImportService(db).dry_run(DATA / "media_utf8_bom.csv")
        assert "类别和活动" in str(e.value)
    finally:
        db.close()


# -- re-import, changes, cancellation, missing -----------------------------------------------------

def test_dry_run_writes_nothing(svc: ImportService) -> None:
    before = _snapshot(svc.db)
    r = svc.dry_run(DATA / "platform_export.xlsx")
    assert r.counts.new == 6 and not r.applied
    assert _snapshot(svc.db) == before


def test_reimport_is_a_no_op(svc: ImportService) -> None:
    for name in ("platform_export.xlsx", "chinese_excel_gb18030.csv", "unicode_text_utf16.txt",
                 "media_utf8_bom.csv", "problems_utf8.csv"):
        first = svc.apply(DATA / name)
        before = _snapshot(svc.db)
        again = svc.apply(DATA / name)
        c = again.counts
        assert (c.new, c.changed, c.cancelled) == (0, 0, 0), name
        assert c.unchanged == first.counts.new + first.counts.changed + first.counts.cancelled
        assert _snapshot(svc.db) == before, name  # not even an audit entry


def test_changed_row_is_updated_audited_and_badge_marked(svc: ImportService, tmp_path: Path) -> None:
    src = (DATA / "media_utf8_bom.csv").read_text(encoding="utf-8-sig")
    first = tmp_path / "media.csv"
    first.write_text(src, encoding="utf-8-sig")
    svc.apply(first)
    assert not _delegate(svc.db, "M-01").badge_outdated
    first.write_text(src.replace("ТАСС", "РИА Новости").replace("M-03,金敏俊,KIM Min-jun,KBS,韩国,MEDIA,",
                                                                "M-03,金敏俊,KIM Min-jun,KBS,韩国,MEDIA,SIGNING"),  # noqa: E501
                     encoding="utf-8-sig")
    r = svc.apply(first)
    assert (r.counts.changed, r.counts.unchanged) == (2, 1)
    ivan = _delegate(svc.db, "M-01")
    assert ivan.organisation_zh == "" and ivan.organisation_en == "РИА Новости" and ivan.badge_outdated
    assert _activity_overrides(svc.db, "M-03") == {"SIGNING": True}
    with svc.db.read() as s:
        entries = s.execute(select(m.AuditEntry.action, m.AuditEntry.subject, m.AuditEntry.after_json)
                            .order_by(m.AuditEntry.id)).all()
    updates = [e for e in entries if e.action == "import.update"]
    assert {e.subject for e in updates} == {"M-01", "M-03"}
    assert "РИА Новости" in next(e.after_json for e in updates if e.subject == "M-01")
    assert entries[-1].action == "import"
    # Dropping the activity again takes back only the admission the import granted.
    first.write_text(src, encoding="utf-8-sig")
    svc.apply(first)
    assert _activity_overrides(svc.db, "M-03") == {}
    with svc.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ImportAdmission)) == 0


def test_manager_override_is_never_touched(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("报名编号,姓名,类别,参加活动\nK-1,郑爽,媒体,\n", encoding="utf-8")
    svc.apply(p)
    with svc.db.write() as s:
        d = s.scalar(select(m.Delegate.id).where(m.Delegate.registration_code == "K-1"))
        a = s.scalar(select(m.Activity.id).where(m.Activity.code == "SIGNING"))
        s.add(m.DelegateAdmission(delegate_id=d, activity_id=a, allow=False))
    p.write_text("报名编号,姓名,类别,参加活动\nK-1,郑爽,媒体,合作项目签约仪式\n", encoding="utf-8")
    r = svc.apply(p)
    assert r.counts.unchanged == 1
    assert _activity_overrides(svc.db, "K-1") == {"SIGNING": False}


def test_cancel_then_reinstate(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("Registration No.,Name,Category,Status\nC-1,Anna Berg,ATTENDEE,approved\n")
    svc.apply(p)
    p.write_text("Registration No.,Name,Category,Status\nC-1,Anna Berg,ATTENDEE,已取消\n")
    r = svc.apply(p)
    assert (r.counts.cancelled, r.counts.changed) == (1, 0)
    assert _delegate(svc.db, "C-1").status == "cancelled"
    with svc.db.read() as s:
        assert s.scalar(select(m.AuditEntry.action).order_by(m.AuditEntry.id.desc()).offset(1)
                        .limit(1)) == "import.cancel"
    p.write_text("Registration No.,Name,Category,Status\nC-1,Anna Berg,ATTENDEE,\n")
    assert svc.apply(p).counts.changed == 1
    assert _delegate(svc.db, "C-1").status == "approved"


def test_full_reimport_reports_missing_people_and_deletes_nobody(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("Registration No.,Name,Category\nF-1,Anna Berg,ATTENDEE\nF-2,Bo Lund,ATTENDEE\n")
    svc.apply(p)
    p.write_text("Registration No.,Name,Category\nF-1,Anna Berg,ATTENDEE\n")
    before = _snapshot(svc.db)
    r = svc.apply(p, ImportOptions(full=True))
    # F-2 only: the file is the complete list of its own source, not of everyone (the demo's
    # people came from elsewhere).
    assert r.counts.missing == 1
    missing = [p for p in r.problems if p.code == "missing_from_file"]
    assert any(p.value.startswith("F-2 ") for p in missing)
    assert _snapshot(svc.db)[0] == before[0]
    assert _delegate(svc.db, "F-2").status == "approved"


def test_matching_by_id_number_stores_only_a_hash(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("身份证号,姓名,类别,单位\n11010519491231002X,张伟,参会者,重庆大学\n", encoding="utf-8")
    r = svc.apply(p, ImportOptions(key_field="id_number"))
    assert r.counts.new == 1 and not r.problems
    p.write_text("身份证号,姓名,类别,单位\n11010519491231002X,张伟,参会者,西南大学\n", encoding="utf-8")
    r = svc.apply(p, ImportOptions(key_field="id_number"))
    assert r.counts.changed == 1
    with svc.db.read() as s:
        dump = "\n".join(str(row) for t in ("delegates", "import_keys", "audit_log", "delegate_private")
                         for row in s.execute(text(f"SELECT * FROM {t}")))
    assert "11010519491231002X" not in dump


# -- presets -------------------------------------------------------------------------------------------

def test_preset_keeps_a_changed_mapping_by_header(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("Code,Person,Type,Seat\nS-1,Anna Berg,ATTENDEE,12\n")
    ins = svc.inspect(p)
    assert ins.mapping == ("registration_code", None, "category", None)
    with pytest.raises(ImportFailed, match="No column"):
        svc.dry_run(p, ImportOptions(key_field="email"))
    svc.save_preset("partner-export", ins, mapping=("registration_code", "name", "category", None))
    assert [x.name for x in svc.presets()] == ["partner-export"]
    # Columns reordered in the next export: the preset follows the header text.
    p.write_text("Seat,Person,Code,Type\n12,Anna Berg,S-1,ATTENDEE\n")
    r = svc.apply(p, ImportOptions(preset="partner-export"))
    assert r.counts.new == 1
    assert _delegate(svc.db, "S-1").name_latin == "Anna BERG"
    with pytest.raises(ImportFailed, match="partner-export"):
        svc.preset("nope")
    assert svc.delete_preset("partner-export") and not svc.presets()


# -- cancel and fatal errors: nothing written ----------------------------------------------------------

def test_cancel_during_apply_writes_nothing(svc: ImportService) -> None:
    before = _snapshot(svc.db)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(ImportCancelled):
        svc.apply(DATA / "platform_export.xlsx", cancelled=cancelled)
    assert _snapshot(svc.db) == before


def test_failing_write_mid_transaction_writes_nothing(svc: ImportService) -> None:
    # A real SQLite failure on the fifth row, as a full disk would raise it mid-import.
    with svc.db.write() as s:
        s.execute(text("CREATE TRIGGER fail_import BEFORE INSERT ON delegates "
                       "WHEN NEW.registration_code = '000105' "
                       "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"))
    before = _snapshot(svc.db)
    with pytest.raises(Exception, match="disk I/O error"):
        svc.apply(DATA / "platform_export.xlsx")
    assert _snapshot(svc.db) == before
    with svc.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_file_vanishing_mid_read_writes_nothing(svc: ImportService, tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    rows = "".join(f"V-{i},Person {i},ATTENDEE\n" for i in range(5000))
    p.write_text("Registration No.,Name,Category\n" + rows)
    before = _snapshot(svc.db)

    def vanish(stage: str, done: int, total: int) -> None:
        if stage == "read" and p.exists():
            # Truncate and remove under the reader, as a USB stick pulled out would.
            with p.open("r+b") as f:
                f.truncate(10)
            p.unlink()

    with pytest.raises(ImportFailed, match="disappeared"):
        svc.apply(p, progress=vanish)
    assert _snapshot(svc.db) == before


# -- hypothesis: random rows never crash the importer --------------------------------------------------

_cell = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(
        ["VIP", "贵宾", "Media", "开幕式、SUMMIT", "中国", "USA", "已取消", "1.38E+10", "45619",
         "\u3000", "合计", "ＣＱ－１", "a@b", "报名编号"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cell, min_size=0, max_size=9), max_size=12),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_random_rows_never_crash(svc: ImportService, tmp_path_factory: pytest.TempPathFactory,
                                 rows: list[list[object]], encoding: str) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["报名编号", "姓名", "类别", "参加活动", "国家/地区", "手机", "邮箱", "状态", "出生日期"])
    for r in rows:
        w.writerow(["" if c is None else c for c in r])
    data = buf.getvalue()
    try:
        raw = data.encode(encoding)
    except UnicodeEncodeError:
        raw = data.encode("utf-8")
    p = tmp_path_factory.mktemp("h") / "random.csv"
    p.write_bytes(raw)
    r = svc.dry_run(p)
    assert r.rows + r.counts.skipped <= len(rows)
    applied = svc.apply(p)
    again = svc.apply(p)
    assert (again.counts.new, again.counts.changed, again.counts.cancelled) == (0, 0, 0)
    # Hypothesis reuses the fixture's database across examples, so a row may already be there
    # from an earlier example: it was then "unchanged" the first time too.
    c = applied.counts
    assert again.counts.unchanged == c.new + c.changed + c.cancelled + c.unchanged


def test_committed_fixtures_match_their_generator() -> None:
    from tests.importers import make_fixtures

    assert (DATA / "chinese_excel_gb18030.csv").read_bytes() == make_fixtures.GB_CSV.encode("gb18030")
    assert (DATA / "unicode_text_utf16.txt").read_bytes() == make_fixtures.UTF16_TXT.encode("utf-16")
    assert (DATA / "media_utf8_bom.csv").read_bytes() == make_fixtures.UTF8_BOM_CSV.encode("utf-8-sig")
    assert (DATA / "problems_utf8.csv").read_bytes() == make_fixtures.PROBLEMS_CSV.encode("utf-8")
    platforms = DATA / "platforms"
    assert (platforms / "eventbrite_attendees.csv").read_bytes() == make_fixtures.eventbrite_csv().encode()
    assert (platforms / "报名_gb18030.csv").read_bytes() == make_fixtures.gb18030_csv().encode("gb18030")
    assert (platforms / "外宾_unicode.txt").read_bytes() == make_fixtures.utf16_txt().encode("utf-16")


def _key_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(m.SearchKey)) or 0)


def _key_index_exists(db: Database) -> bool:
    with db.read() as s:
        return bool(s.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'ix_search_keys_key'")))


def test_bulk_indexing_path_finds_imported_people(svc: ImportService,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # What a 100,000-row import does (key index rebuilt, keys built in a spawned worker), on a
    # small file.
    import checkin_app.services.search as search_module

    monkeypatch.setattr(search_module, "BULK_INDEX", 2)
    monkeypatch.setattr(search_module, "BULK_WORKERS", 1)
    svc.apply(DATA / "platform_export.xlsx")
    assert _key_index_exists(svc.db)
    assert "000101" in [v.registration_code for v in SearchService(svc.db).search("张伟")]


def test_cancel_after_bulk_indexing_writes_nothing(svc: ImportService,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import checkin_app.services.search as search_module

    monkeypatch.setattr(search_module, "BULK_INDEX", 2)
    monkeypatch.setattr(search_module, "BULK_WORKERS", 0)
    indexed: list[int] = []
    real = search_module.index_delegates

    def index_then_note(session: Session, ids: list[int]) -> int:
        written = real(session, ids)
        indexed.append(written)
        return written

    monkeypatch.setattr(search_module, "index_delegates", index_then_note)
    before = _snapshot(svc.db), _key_count(svc.db)
    with pytest.raises(ImportCancelled):
        svc.apply(DATA / "platform_export.xlsx", cancelled=lambda: bool(indexed))
    assert indexed and (_snapshot(svc.db), _key_count(svc.db)) == before
    assert _key_index_exists(svc.db)


# -- a big workbook, parsed in a reader process while rows are checked and written ----------------------

@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every workbook goes through a reader process (as from 1 MB on); the streams opened."""
    import checkin_app.importers.readers as readers_module
    import checkin_app.services.importing as importing_module

    opened: list[object] = []

    class Recorded(readers_module.XlsxStream):
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(self)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importing_module, "STREAM_XLSX", True)
    monkeypatch.setattr(importing_module, "STREAM_XLSX_BYTES", 0)
    monkeypatch.setattr(readers_module, "XlsxStream", Recorded)
    return opened


def test_streamed_workbook_gives_the_same_result(svc: ImportService, streamed: list[object],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import checkin_app.services.importing as importing_module

    path = DATA / "platform_export.xlsx"
    opts = ImportOptions(photos_dir=DATA / "photos")
    monkeypatch.setattr(importing_module, "STREAM_XLSX", False)
    here = svc.dry_run(path, opts)
    monkeypatch.setattr(importing_module, "STREAM_XLSX", True)
    there = svc.dry_run(path, opts)
    assert len(streamed) == 1
    assert (there.counts, there.problems, there.inspection) == (here.counts, here.problems, here.inspection)
    applied = svc.apply(path, opts)
    assert len(streamed) == 2
    assert (applied.counts, applied.problems) == (here.counts, here.problems)
    assert _delegate(svc.db, "000105").organisation_zh == "新加坡国立大学"  # a merged cell
    assert svc.apply(path, opts).counts.unchanged == here.counts.new


def test_cancel_while_streaming_writes_nothing_and_stops_the_reader(
        svc: ImportService, streamed: list[object]) -> None:
    import multiprocessing

    before = _snapshot(svc.db)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(ImportCancelled):
        svc.apply(DATA / "platform_export.xlsx", cancelled=cancelled)
    assert streamed and _snapshot(svc.db) == before
    assert multiprocessing.active_children() == []


def test_missing_sheet_of_a_streamed_workbook(svc: ImportService, streamed: list[object]) -> None:
    with pytest.raises(Exception, match="报名信息") as exc:
        svc.dry_run(DATA / "platform_export.xlsx", ImportOptions(sheet="nope"))
    assert "No sheet named nope" in str(exc.value)
