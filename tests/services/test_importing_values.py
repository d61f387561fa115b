"""Import of a real export's words: category aliases from the event, unknown values grouped, value maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from checkin_app.services.importing import ImportFailed, ImportOptions, ImportService
from checkin_app.storage import models as m
from checkin_app.storage.db import Database

HEADER = "报名编号,姓名,工作单位,国家/地区,参会身份,参加活动,状态\n"


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_bytes((HEADER + "\n".join(rows) + "\n").encode("gb18030"))
    return path


def _category(db: Database, code: str) -> str:
    with db.read() as s:
        row = s.execute(select(m.Category.code).join(m.Delegate, m.Delegate.category_id == m.Category.id)
                        .where(m.Delegate.registration_code == code)).scalar()
    return str(row)


def test_a_gb18030_export_saying_jiabin_maps_to_guest_by_its_alias(demo_db: Database, tmp_path: Path) -> None:
    f = _csv(tmp_path / "export.csv", ["R-1,王芳,重庆大学,中国,嘉宾,,审核通过",
                                       "R-2,赵磊,重庆大学,中国,VIP嘉宾,开幕式,审核通过"])
    svc = ImportService(demo_db)
    r = svc.apply(f)
    assert r.inspection.encoding == "gb18030"
    assert (r.counts.new, r.counts.rejected) == (2, 0), r.problems
    assert _category(demo_db, "R-1") == "GUEST" and _category(demo_db, "R-2") == "GUEST"


def test_unknown_values_are_grouped_with_their_counts(demo_db: Database, tmp_path: Path) -> None:
    rows = [f"S-{i},人{i},单位,{'火星' if i % 2 else '中国'},讲者,{'晚宴' if i < 3 else ''},"
            f"{'候补' if i == 0 else '审核通过'}" for i in range(412)]
    r = ImportService(demo_db).dry_run(_csv(tmp_path / "s.csv", rows))
    got = {(u.kind, u.value): u.count for u in r.unknown_values}
    assert got == {("category", "讲者"): 412, ("activity", "晚宴"): 3, ("status", "候补"): 1,
                   ("country", "火星"): 206}
    speaker = r.unknown_values[0]
    assert speaker.label == "讲者 ×412" and speaker.lines == (2, 3, 4, 5, 6) and speaker.column == "参会身份"


def test_value_maps_apply_and_are_saved_with_the_preset(demo_db: Database, tmp_path: Path) -> None:
    rows = ["T-1,甲,单位,火星,讲者,晚宴,候补", "T-2,乙,单位,中国,测试,,审核通过",
            "T-3,丙,单位,中国,讲者,,审核通过"]
    f = _csv(tmp_path / "t.csv", rows)
    svc = ImportService(demo_db)
    maps = {"category": {"讲者": "guest", "测试": "reject"}, "activity": {"晚宴": "-"},
            "status": {"候补": "approved"}, "country": {"火星": "-"}}
    options = ImportOptions(value_map=maps)
    dry = svc.dry_run(f, options)
    assert dry.unknown_values == ()
    assert [p.code for p in dry.problems if p.severity == "error"] == ["mapped_reject"]
    svc.save_preset("platform", svc.inspect(f, options))
    assert svc.preset("platform").values["category"] == {"讲者": "GUEST", "测试": "reject"}
    r = svc.apply(f, ImportOptions(preset="platform"))  # the preset alone carries the mappings
    assert (r.counts.new, r.counts.rejected) == (2, 1)
    assert _category(demo_db, "T-1") == "GUEST"


def test_a_mapping_to_nothing_is_refused(demo_db: Database, tmp_path: Path) -> None:
    f = _csv(tmp_path / "u.csv", ["U-1,甲,单位,中国,讲者,,审核通过"])
    with pytest.raises(ImportFailed, match="there is no NOBODY"):
        ImportService(demo_db).dry_run(f, ImportOptions(value_map={"category": {"讲者": "NOBODY"}}))
    with pytest.raises(ImportFailed, match="Unknown mapping kind"):
        ImportService(demo_db).dry_run(f, ImportOptions(value_map={"shoe": {"x": "y"}}))
