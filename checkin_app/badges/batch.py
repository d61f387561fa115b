"""Batch badges for the CLI and the desk: pick templates, stream into one PDF atomically, report progress."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from checkin_app.badges.data import BadgeData
from checkin_app.badges.render import write_batch
from checkin_app.badges.templates import Sheet, Template, TemplateSet


def with_templates(items: Iterable[BadgeData], templates: TemplateSet,
                   template: Template | None = None) -> Iterator[tuple[BadgeData, Template]]:
    """Pair each badge with the given template, or with its category's template."""
    for d in items:
        yield d, template or templates.for_category(d.category_code)


def write_batch_file(items: Iterable[tuple[BadgeData, Template]], path: Path, *,
                     sheet: Sheet | None, progress: Callable[[int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> int:
    """Write the PDF under a temporary name and move it into place only when complete.

    A cancelled or failed batch leaves no half-written file behind; returns the badge count
    (0 when cancelled).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("wb") as f:
            n = write_batch(items, f, sheet=sheet, progress=progress, cancelled=cancelled,
                            title=path.stem)
        if cancelled is not None and cancelled():
            tmp.unlink(missing_ok=True)
            return 0
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n
