"""The wheel carries resources and migrations, and an installed copy finds them like a checkout does."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_resources_and_finds_them_when_installed(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)],
        check=True, cwd=tmp_path, capture_output=True,
    )
    wheel = next(out.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "checkin_app/resources/fonts/wqy-microhei.ttc",
        "checkin_app/resources/fonts/NotoSans-Regular.ttf",
        "checkin_app/resources/fonts/LICENSE-wqy-microhei.txt",
        "checkin_app/resources/fonts/LICENSE-NotoSans-OFL.txt",
        "checkin_app/storage/migrations/env.py",
        "checkin_app/storage/migrations/versions/0001_initial_schema.py",
    ):
        assert required in names, required
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
         str(wheel)],
        check=True, cwd=tmp_path, capture_output=True,
    )
    probe = (
        "import checkin_app, checkin_app.paths as p, checkin_app.storage.db as d;"
        "print(checkin_app.__file__); print(p.fonts_dir()); print(d.head_revision())"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    res = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True)
    pkg_file, fonts, head = res.stdout.split()
    assert pkg_file.startswith(str(site))
    assert fonts.startswith(str(site)) and (Path(fonts) / "wqy-microhei.ttc").is_file()
    from checkin_app.storage.db import head_revision

    assert head == head_revision()


def test_every_package_folder_is_listed_in_pyproject() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "checkin_app").rglob("__init__.py")
    }
    assert on_disk <= listed, sorted(on_disk - listed)
