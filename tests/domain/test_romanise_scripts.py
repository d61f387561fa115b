"""A name's script decided from each character's script kept once per character is the script
decided character by character from Unicode."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from checkin_app.domain import romanise


def _reference(text: str) -> str:
    seen: set[str] = set()
    for ch in text:
        cp = ord(ch)
        if not unicodedata.category(ch).startswith("L"):
            continue
        if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF:
            return "kana"
        if 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or cp >= 0x20000:
            seen.add("han")
        elif 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
            seen.add("hangul")
        elif 0x0400 <= cp <= 0x052F:
            seen.add("cyrillic")
        elif 0x0370 <= cp <= 0x03FF or 0x1F00 <= cp <= 0x1FFF:
            seen.add("greek")
        elif cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF or 0xFF21 <= cp <= 0xFF5A:
            seen.add("latin")
        else:
            seen.add("other")
    for name in ("other", "hangul", "han", "cyrillic", "greek", "latin"):
        if name in seen:
            return name
    return ""


# Characters at the edges of each range, and anything else.
_EDGES = [0x41, 0xE9, 0x24F, 0x250, 0x370, 0x3FF, 0x400, 0x52F, 0x530, 0x1100, 0x11FF, 0x1E00,
          0x1EFF, 0x1F00, 0x1FFF, 0x3040, 0x30FF, 0x3130, 0x318F, 0x31F0, 0x3400, 0x4DBF, 0x4E00,
          0x9FFF, 0xAC00, 0xD7AF, 0xF900, 0xFAFF, 0xFF21, 0xFF5A, 0x20000, 0x31, 0x20, 0x600]
_CHARS = st.one_of(st.sampled_from([chr(c) for c in _EDGES]), st.characters())


@settings(max_examples=500, deadline=None)
@given(st.lists(_CHARS, max_size=6).map("".join))
def test_script_is_decided_as_by_each_character(text: str) -> None:
    assert romanise.script(text) == _reference(text)
    assert romanise.script(text) == _reference(text)  # the second time from the kept characters


def test_the_kept_characters_are_bounded() -> None:
    for cp in range(0x4E00, 0x4E00 + romanise._CHAR_SCRIPTS_MAX + 10):
        romanise.script(chr(cp))
    assert len(romanise._CHAR_SCRIPTS) <= romanise._CHAR_SCRIPTS_MAX
    late = chr(0x4E00 + romanise._CHAR_SCRIPTS_MAX + 5)  # not kept: decided each time, the same
    assert romanise.script(late) == _reference(late) and late not in romanise._CHAR_SCRIPTS
