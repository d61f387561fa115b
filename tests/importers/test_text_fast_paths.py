"""The fast paths of the cell cleaning (plain text first, digits as they are, lists split once per
distinct cell, keys with nothing to drop) give what the general code gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from checkin_app.importers import text as t

_CELLS = st.text(alphabet=st.sampled_from(
    "abcXYZ019 \u3000\u00a0\t\n、，,;；/|┋½①ﬁＡ１ß张伟Đć정?-_.\u200b\ufeff"), max_size=16)


def _clean_reference(value: str) -> str:
    value = value.translate(t._INVISIBLE)
    return t._SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()


@settings(max_examples=400, deadline=None)
@given(_CELLS)
def test_clean_fold_split_and_digits_match_the_general_code(cell: str) -> None:
    assert t.clean(cell) == _clean_reference(cell)
    folded = t.clean(cell).casefold()
    assert t.fold(cell) == "".join(ch for ch in folded if ch.isalnum())
    parts = [p.strip() for p in t._LIST_SEPARATORS.split(t.clean_multiline(cell)) if p.strip()]
    assert t.split_list(cell) == parts
    if cell.isascii() and cell.isdigit():
        assert t.digits_from_number(cell) == (cell, False)


def test_a_split_list_is_the_callers_own() -> None:
    first = t.split_list("开幕式、SUMMIT")
    first.append("x")
    assert t.split_list("开幕式、SUMMIT") == ["开幕式", "SUMMIT"]
    assert re.fullmatch(r"\d+", t.digits_from_number("13800138000")[0])
