"""Batch badges for the CLI and the desk: pick templates, stream into one PDF atomically, report progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from checkin_app import partfiles
from checkin_app.badges.render import write_batch
from checkin_app.badges.templates import Sheet, Template, TemplateSet
from checkin_app.domain.badge_data import BadgeData


def with_templates(items: Iterable[BadgeData], templates: TemplateSet,
                   template: Template | None = None) -> Iterator[tuple[BadgeData, Template]]:
    """Pair each badge with the given template, or with its category's template."""
    for d in items:
        yield d, template or templates.for_category(d.category_code)


def write_batch_file(items: Iterable[tuple[BadgeData, Template]], path: Path, *,
                     sheet: Sheet | None, progress: Callable[[int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> int:
    """Write the PDF under a hidden part name beside `path` and rename it into place when complete.

    A cancelled or failed batch leaves no half-written file behind, and a killed one only a
    part file that the next batch into the folder removes; returns the badge count (0 when
    cancelled).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partfiles.remove_stale(path.parent, legacy_targets=(path.name,))
    with partfiles.PartFile(path) as part:
        n = write_batch(items, part.file, sheet=sheet, progress=progress, cancelled=cancelled,
                        title=path.stem)
        if cancelled is not None and cancelled():
            return 0
        part.commit()
    return n
