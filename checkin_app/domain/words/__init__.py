"""The catalogue's words, one part per area (code -> (zh, en)), merged into one table."""

from __future__ import annotations

from collections.abc import Mapping

from checkin_app.domain.words import (
    admission,
    desk,
    event,
    hub,
    import_rows,
    importing,
    system,
    ui,
)

Table = Mapping[str, tuple[str, str]]

PARTS: dict[str, Table] = {
    "desk": desk.WORDS,
    "admission": admission.WORDS,
    "event": event.WORDS,
    "importing": importing.WORDS,
    "import_rows": import_rows.WORDS,
    "hub": hub.WORDS,
    "system": system.WORDS,
    "ui": ui.WORDS,
}


def merged(parts: Mapping[str, Table]) -> dict[str, tuple[str, str]]:
    """One table from the parts; a code written in two parts is a mistake and stops the import."""
    out: dict[str, tuple[str, str]] = {}
    where: dict[str, str] = {}
    for name, table in parts.items():
        for code, words in table.items():
            if code in out:
                raise ValueError(f"message code {code!r} is in both words/{where[code]}.py "
                                 f"and words/{name}.py")
            out[code] = words
            where[code] = name
    return out


CATALOGUE: dict[str, tuple[str, str]] = merged(PARTS)
