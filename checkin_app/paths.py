"""Where resources and the default database live, from a source checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

from checkin_app.domain.messages import both, msg

APP_NAME = "checkin-desk"


def resources_dir() -> Path:
    """The resources/ folder: next to the package in a checkout, inside it in a wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if (candidate / "fonts").is_dir():
            return candidate
    raise FileNotFoundError(both(msg("paths.no_resources")))


def resource(*parts: str) -> Path:
    """Path of one resource file."""
    return resources_dir().joinpath(*parts)


def fonts_dir() -> Path:
    """Bundled fonts."""
    return resources_dir() / "fonts"


def default_db_path() -> Path:
    """The per-user database used when --db is not given."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "checkin.sqlite3"
