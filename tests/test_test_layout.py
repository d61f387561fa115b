"""A module's tests sit beside it by name (issue 16): tests/ui/test_scan_field.py for ui/scan_field.py.

Every module of checkin_app with behaviour of its own has tests/<package>/test_<module>.py (or
test_<module>_<aspect>.py), or is in ELSEWHERE with the files that test it and why they are not named
for it, or is in NO_BEHAVIOUR (data, table definitions, re-exports) with the reason. A new module in
none of them fails here, so its tests are put where the next reader looks for them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "checkin_app"
TESTS = ROOT / "tests"

# Folders whose modules are not looked at one by one: the catalogue's parts are data the catalogue's
# tests (tests/domain/test_messages.py) check as a whole; migrations are checked by tests/storage.
SKIPPED = ("domain/words/", "storage/migrations/")

# Modules tested in files named for something else: module -> (test files under tests/, why).
ELSEWHERE: dict[str, tuple[tuple[str, ...], str]] = {
    "cli/__init__.py": (
        ("test_cli_structure.py",),
        "the entry point and its dispatch, with the package's shape",
    ),
    "cli/badges.py": (("badges/test_batch_kill.py", "badges/test_render.py"), "run with the batch it prints"),
    "cli/common.py": (("test_cli_structure.py", "cli/test_desk.py"), "what every command shares"),
    "cli/demo.py": (("cli/test_desk.py", "badges/test_batch_kill.py"), "the demo the desk commands run on"),
    "cli/hub.py": (
        ("hub/test_adversarial.py", "sync/test_bundle.py", "sync/test_event_apply_at_hub.py"),
        "hub commands, tested against the hub they run",
    ),
    "cli/sync.py": (
        ("sync/test_bundle.py", "sync/test_enrol_again.py"),
        "desk sync commands, with a real hub",
    ),
    "services/serialise.py": (
        ("cli/test_desk.py",),
        "the --json shapes, pinned by the commands that print them",
    ),
    "services/views.py": (
        ("services/test_checkin.py", "ui/test_search_view.py"),
        "rows into the frozen types every service answers with",
    ),
    "services/recovery.py": (("storage/test_damaged_db.py",), "named for the case: a damaged desk database"),
    "storage/recovery.py": (("storage/test_damaged_db.py",), "named for the case: a damaged desk database"),
    "importers/report.py": (
        ("importers/test_rows.py", "services/test_import_bounded.py"),
        "report lines, tested with the rows and the import that write them",
    ),
    "domain/verdicts.py": (
        ("services/test_checkin.py", "ui/test_words_and_exits.py", "domain/test_messages.py"),
        "verdict codes and words, tested with the scans that give them and with the catalogue",
    ),
    "domain/countries.py": (
        ("importers/test_countries.py",),
        "country names, with the importer that reads them",
    ),
    "domain/spreadsheet.py": (
        ("services/test_audit.py", "services/test_event_files.py"),
        "formula-safe cells, in the CSV files that are written with them",
    ),
    "domain/badge_data.py": (
        ("badges/test_walk_in_mark.py", "badges/test_layout.py"),
        "with the badges drawn from it",
    ),
    "printing/runner.py": (
        ("printing/test_backends.py", "sync/test_badge_sync.py"),
        "runs a job on a backend",
    ),
    "demo/hub.py": (("hub/test_dashboard.py", "hub/test_ingest_badges.py"), "the demo hubs those tests run"),
    "partfiles.py": (("badges/test_batch_kill.py",), "a killed batch leaves no half-written file"),
    "paths.py": (("test_packaging.py",), "resources found from a checkout and from the installed wheel"),
    "hub/app.py": (
        ("hub/test_adversarial.py", "hub/test_dashboard.py", "sync/test_client.py"),
        "the routes, tested against a real hub process",
    ),
    "hub/server.py": (
        ("hub/test_adversarial.py", "sync/test_registry.py"),
        "runs the hub: every real-hub test starts it (tests/hub/support.py)",
    ),
    "hub/vetting.py": (
        ("hub/test_ingest.py", "hub/test_adversarial.py"),
        "what a push may claim, tested by pushing",
    ),
    "hub/bodies.py": (("hub/test_adversarial.py",), "request limits, tested with hostile bodies"),
    "hub/db.py": (
        ("hub/test_changelog.py", "hub/test_settings.py", "hub/test_ingest.py"),
        "the hub tests run on both of its databases",
    ),
    "hub/pushes.py": (("hub/test_feed.py",), "the push writer, with the change feed it feeds"),
    "hub/enrolment.py": (
        ("sync/test_enrolment_keys.py", "hub/test_adversarial.py"),
        "desk keys end to end, certified at enrolment",
    ),
    "hub/bundles.py": (("sync/test_bundle.py",), "the hub's side of an offline bundle, with the desk's"),
    "hub/tls.py": (("sync/test_client.py", "sync/test_bundle.py"), "the certificate desks pin"),
    "hub/conflicts.py": (
        ("hub/test_dashboard.py",),
        "the dashboard's conflicts, checked against the database",
    ),
    "hub/dashboard_activities.py": (("hub/test_dashboard.py",), "a page of the dashboard"),
    "sync/outbox.py": (("sync/test_registry.py", "sync/test_client.py"), "what a registered table pushes"),
    "sync/protocol.py": (
        ("sync/test_client.py", "hub/test_adversarial.py"),
        "the wire, from both of its ends",
    ),
    "sync/transport.py": (("sync/test_client.py",), "the pinned connection the client talks through"),
    "ui/main_window.py": (
        ("ui/test_window_fits.py", "ui/test_language_and_setup.py", "ui/test_app_start.py"),
        "every tests/ui file drives the window; these test its own layout and status bar",
    ),
    "ui/controller.py": (("ui/test_scan.py", "ui/test_shell.py"), "the window's use cases, run by scanning"),
    "ui/result_view.py": (
        ("ui/test_scan.py", "ui/test_words_and_exits.py"),
        "the verdict panel, scanned into",
    ),
    "ui/scan_field.py": (
        ("ui/test_scan.py", "ui/test_search_view.py"),
        "how a code ends, scanned into the window",
    ),
    "ui/print_view.py": (
        ("ui/test_print_controller.py", "ui/test_badge_ui.py"),
        "the print controller's panel",
    ),
    "ui/badge_dialogs.py": (("ui/test_badge_ui.py",), "opened from the badge side of the window"),
    "ui/conflicts_view.py": (
        ("ui/test_conflicts_ui.py", "ui/test_window_fits.py"),
        "the tab conflicts_ui fills",
    ),
    "ui/counts_view.py": (("ui/test_recent_view.py",), "shown and refreshed beside the recent list"),
    "ui/import_values.py": (("ui/test_import_wizard.py",), "a step of the import wizard"),
    "ui/pin_dialog.py": (("ui/test_manager.py", "ui/test_words_and_exits.py"), "the gate of manager mode"),
    "ui/walkin_view.py": (("ui/test_manager.py",), "behind the manager's PIN"),
    "ui/override_view.py": (("ui/test_manager.py",), "behind the manager's PIN"),
    "ui/setup_dialog.py": (
        ("ui/test_language_and_setup.py", "ui/test_app_start.py", "ui/test_words_and_exits.py"),
        "shown at first start and from the menu",
    ),
    "ui/scanners.py": (("ui/test_serial_scanner.py",), "puts the serial and evdev scanners at the window"),
    "ui/hid_scanner.py": (("scanning/test_evdev.py", "ui/test_serial_scanner.py"), "with the evdev reader"),
    "ui/sync_bridge.py": (("ui/test_sync_status.py", "ui/test_enrol_dialog.py"), "sync at the window"),
    "ui/trace.py": (
        ("ui/test_scan.py", "realwindow/test_trace_bench.py"),
        "what the window writes as it scans",
    ),
    "ui/mode_switch.py": (
        ("ui/test_words_and_exits.py", "realwindow/test_exit_mode.py"),
        "the look of exit mode",
    ),
    "ui/i18n.py": (("ui/test_language_and_setup.py",), "runtime language switching"),
    "ui/texts.py": (("domain/test_messages.py",), "the catalogue's words, checked with the catalogue"),
    "ui/style.py": (
        ("ui/test_widgets.py", "ui/test_scan.py"),
        "fonts with the widgets, colours with each verdict",
    ),
    "ui/icons.py": (("ui/test_widgets.py",), "small widgets share one file"),
    "ui/fit_label.py": (("ui/test_widgets.py",), "small widgets share one file"),
    "ui/elided_label.py": (("ui/test_window_fits.py",), "gives way where the status bar is short of room"),
    "ui/layouts.py": (
        ("ui/test_sync_status.py", "ui/test_camera.py"),
        "its callers put their widgets with it",
    ),
}

# Modules with no behaviour of their own: module -> why.
NO_BEHAVIOUR: dict[str, str] = {
    "__init__.py": "the package's version",
    "__main__.py": "runs cli.main, nothing else",
    "demo/names.py": "data: the demo crowd's name pools and organisations",
    "demo/roles.py": "data: missions, titles and a role the demo writes",
    "importers/vocab.py": "data: the words and patterns the import reads",
    "domain/event_sheets.py": "data: sheet and column names event files are read back by",
    "badges/punctuation.py": "data: punctuation tables the badge layout reads",
    "domain/types.py": "frozen value types",
    "sync/state.py": "data: the names of the desk's sync bookkeeping keys",
    "hub/state.py": "a dataclass of what the hub's routes share",
    "storage/base.py": "the declarative base and column types the models share",
    "storage/models.py": "table definitions (tests/storage/test_db.py migrates them)",
    "storage/models_badges.py": "table definitions",
    "storage/models_hub.py": "table definitions",
    "storage/models_import.py": "table definitions",
    "storage/models_security.py": "table definitions",
}


def _has_code(path: Path) -> bool:
    """Whether a module holds more than its docstring (an __init__.py that only names its package)."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)


def modules() -> list[str]:
    """Every module of checkin_app, as its path under checkin_app/, bare package markers left out."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(SKIPPED) or (path.name == "__init__.py" and not _has_code(path)):
            continue
        found.append(rel)
    return found


def named_tests(rel: str) -> list[Path]:
    """tests/<package>/test_<module>.py and test_<module>_<aspect>.py, for <package>/<module>.py."""
    folder = TESTS / Path(rel).parent
    stem = Path(rel).stem
    return sorted(
        p
        for p in folder.glob(f"test_{stem}*.py")
        if p.stem == f"test_{stem}" or p.stem.startswith(f"test_{stem}_")
    )


def test_every_module_has_tests_by_name_or_says_where_they_are() -> None:
    unplaced = [
        rel for rel in modules() if not named_tests(rel) and rel not in ELSEWHERE and rel not in NO_BEHAVIOUR
    ]
    assert unplaced == [], (
        "add tests/<package>/test_<module>.py, or list the module in ELSEWHERE (with the files that "
        f"test it) or in NO_BEHAVIOUR (with why) in {Path(__file__).name}: {unplaced}"
    )


def test_the_tables_name_existing_modules_and_files() -> None:
    present = set(modules())
    gone = sorted(rel for rel in [*ELSEWHERE, *NO_BEHAVIOUR] if rel not in present)
    assert gone == [], f"no such module of checkin_app: {gone}"
    missing = sorted(
        f"{rel}: {name}"
        for rel, (files, _) in ELSEWHERE.items()
        for name in files
        if not (TESTS / name).is_file()
    )
    assert missing == [], f"no such test file: {missing}"
    assert all(files and why for files, why in ELSEWHERE.values())
    assert all(NO_BEHAVIOUR.values())


def test_a_module_is_in_one_place_only() -> None:
    # A module that now has tests by name leaves the tables: their reason would no longer be true.
    twice = sorted(set(ELSEWHERE) & set(NO_BEHAVIOUR))
    assert twice == [], f"in both tables: {twice}"
    named = sorted(rel for rel in [*ELSEWHERE, *NO_BEHAVIOUR] if named_tests(rel))
    assert named == [], f"has tests by name now, take it out of the table: {named}"


def test_the_check_sees_a_new_module_and_its_tests() -> None:
    assert "ui/scan_field.py" in modules() and "cli/__init__.py" in modules()
    assert "ui/__init__.py" not in modules() and not any(rel.startswith("domain/words/") for rel in modules())
    assert named_tests("hub/ingest.py") == [TESTS / "hub/test_ingest.py", TESTS / "hub/test_ingest_badges.py"]
    # A longer name that merely starts the same does not count: test_scan.py is not ui/sca.py's.
    assert named_tests("ui/sca.py") == []
    assert named_tests("desk.py") == [TESTS / "test_desk.py"]
