"""Normalising what a keyboard-wedge scanner types into a code we can look up."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

MAX_SCAN_LENGTH = 512
# Registration code of a person known here only from a verified badge token (a stub row, made
# by the check-in service, claimed by the hub's row at the next sync, kept by recovery).
# '#' never survives normalise_scan, so no scanned or typed code can ever match one.
STUB_PREFIX = "#SIG-"
# Stub rows are older than anything the hub sends, so the first real sync overwrites them.
STUB_UPDATED_AT = datetime(2000, 1, 1, tzinfo=UTC)

# Scanners append CR/LF/Tab and sometimes emit prefixes like STX/ETX or GS separators;
# an IME may turn ASCII into full-width forms. None of that is part of the code.
_DROP_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs", "Cn"}


def normalise_scan(raw: str) -> str | None:
    """Return the canonical (upper-case, ASCII-folded, whitespace-free) code, or None if hopeless.

    None means the input can never match any code: empty after cleaning, too long, or
    containing characters no code uses. Callers turn None into UNKNOWN_CODE.
    """
    if len(raw) > MAX_SCAN_LENGTH:
        return None
    folded = unicodedata.normalize("NFKC", raw)
    kept = [ch for ch in folded if unicodedata.category(ch) not in _DROP_CATEGORIES]
    code = "".join(kept).strip().upper()
    if not code or len(code) > MAX_SCAN_LENGTH:
        return None
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_.:/+=") for ch in code):
        return None
    return code
