"""Templates are validated on load; a broken one gives a clear bilingual error naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkin_app.badges.templates import (
    PRESETS,
    SHEETS,
    TemplateError,
    load_template,
    load_templates,
)

ROOT = Path(__file__).resolve().parents[2]


def _good() -> dict[str, object]:
    return json.loads((ROOT / "resources/badge_templates/delegate.json").read_text("utf-8"))


def _write(tmp_path: Path, doc: object) -> Path:
    p = tmp_path / "t.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return p


def test_bundled_templates_all_load_and_cover_the_category_families() -> None:
    ts = load_templates()
    assert ts.errors == ()
    assert {"vip", "guest", "delegate", "competitor", "media", "staff"} <= set(ts.templates)
    assert ts.for_category("VIP").name == "vip"
    assert ts.for_category("MEDIA").name == "media"
    assert ts.for_category("VOLUNTEER").name == "staff"
    assert ts.for_category("SOMETHING_NEW").name == "delegate"


def test_presets_have_the_usual_sizes() -> None:
    assert PRESETS["A6"] == (105.0, 148.0) and PRESETS["CR80"] == (85.6, 53.98)
    assert PRESETS["4x6in"] == pytest.approx((101.6, 152.4))
    assert SHEETS["a4-4up"].per_page == 4 and SHEETS["a4-10up"].per_page == 10


@pytest.mark.parametrize(("mutate", "field", "words"), [
    (lambda d: d["elements"][5].update(size=-3), "elements[5].size", "greater than 0"),
    (lambda d: d["elements"][5].update(field="nmae"), "elements[5].field", "unknown field"),
    (lambda d: d["elements"][5].update(align="middle"), "elements[5].align", "choose one of"),
    (lambda d: d["elements"][0].update(fill="red"), "elements[0].fill", "#RRGGBB"),
    (lambda d: d["elements"][5].update(w=500), "elements[5]", "outside the page"),
    (lambda d: d.update(page={"preset": "A5"}), "page.preset", "not allowed"),
    (lambda d: d.pop("elements"), "elements", "non-empty list"),
    (lambda d: d["elements"].append({"type": "text", "x": 1, "y": 1, "w": 5, "h": 5, "size": 5,
                                     "text": "{unknown}"}), "elements[", "unknown field"),
    (lambda d: d["elements"].append({"type": "image", "x": 1, "y": 1, "w": 5, "h": 5,
                                     "src": "nope.png"}), ".src", "not found"),
])
def test_broken_template_names_the_field(tmp_path: Path, mutate: object, field: str,
                                         words: str) -> None:
    doc = _good()
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(TemplateError) as info:
        load_template(_write(tmp_path, doc))
    msg = str(info.value)
    zh, en = msg.split("\n")
    assert field in zh and field in en and words in en
    assert "徽章模板" in zh and "Badge template" in en


def test_invalid_json_is_reported_with_its_position(tmp_path: Path) -> None:
    p = tmp_path / "t.json"
    p.write_text('{"name": "x",\n "page": }', "utf-8")
    with pytest.raises(TemplateError, match="line 2"):
        load_template(p)


def test_a_broken_file_in_the_folder_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(_good()), "utf-8")
    (tmp_path / "bad.json").write_text("[1, 2", "utf-8")
    ts = load_templates(tmp_path)
    assert list(ts.templates) == ["delegate"]
    assert len(ts.errors) == 1 and "bad.json" in str(ts.errors[0])


def test_cli_with_a_broken_template_prints_the_message_not_a_traceback(tmp_path: Path,
                                                                       demo_db: object) -> None:
    doc = _good()
    doc["elements"][5]["size"] = "big"  # type: ignore[index]
    bad = _write(tmp_path, doc)
    from checkin_app.storage.db import Database

    assert isinstance(demo_db, Database)
    proc = subprocess.run(
        [sys.executable, "-m", "checkin_app", "badges", "--db", str(demo_db.path), "--all",
         "--template", str(bad), "-o", str(tmp_path / "out.pdf")],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "elements[5].size" in proc.stderr and "must be a number" in proc.stderr
    assert not (tmp_path / "out.pdf").exists()
