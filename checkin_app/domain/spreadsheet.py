"""Cells for CSV files that people open in a spreadsheet: text stays text, never a formula."""

from __future__ import annotations

from typing import Any

# What makes Excel, LibreOffice and WPS read a cell as a formula (or a DDE command).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A value for a CSV cell that a spreadsheet opens as text, never as a formula.

    A scanned or imported `=HYPERLINK(...)` is stored as it came; only the exported cell is made
    inert, by a leading apostrophe (the spreadsheets' own "this is text" mark). Non-text passes.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
