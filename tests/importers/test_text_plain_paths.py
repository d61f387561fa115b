"""The paths that return a cell or key as it is (printable ASCII, text with nothing to fold,
letters and digits only) and the pattern behind has_han give what the general steps give."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from checkin_app.importers import text as t

# Spaces of every kind, invisible marks, wide and compatibility forms, combining marks, Han
# characters at the edges of their ranges, letters whose case folding grows (ß, İ).
_ALPHABET = ("abcXYZ019 .@-_\t\n\x0b\x1f\x7f\u00a0\u3000\u2009\u200b\ufeff\u00ad\u0301ÅÅﬁ½²Ａ１（）ß"
             "İ张伟\u3400\u4dbf\u9fff\ua000\U00020000\U0002ffff\U00030000\uf900정Đ?")
_CELLS = st.text(alphabet=st.sampled_from(_ALPHABET), max_size=12)


def _clean_reference(value: str) -> str:
    value = value.translate(t._INVISIBLE)
    return t._SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def _fold_reference(value: str) -> str:
    return "".join(ch for ch in _clean_reference(value).casefold() if ch.isalnum())


@settings(max_examples=500, deadline=None)
@given(_CELLS)
def test_plain_paths_match_the_general_steps(cell: str) -> None:
    assert t.clean(cell) == _clean_reference(cell)
    assert t.fold(cell) == _fold_reference(cell)
    assert t.has_han(cell) == any(
        "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0002ffff" for ch in cell)


def test_the_fold_pattern_covers_every_space_strip_removes() -> None:
    """What str.strip and str.split take for a space is in _FOLDED, so text _FOLDED finds nothing
    in has nothing for cleaning to fold or trim."""
    spaces = [chr(cp) for cp in range(0x110000) if chr(cp).isspace()]
    assert spaces and all(t._FOLDED.match(ch) for ch in spaces)
    assert all(t._FOLDED.match(chr(cp)) for cp in t._INVISIBLE)
