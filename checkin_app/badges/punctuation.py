"""Punctuation tables the badge layout reads (data, not words): mirrored pairs and line-break rules."""

from __future__ import annotations

# Brackets in pairs (opening, closing), so right-to-left text can show each one turned around.
PAIRS = "()[]{}<>«»‹›（）［］｛｝＜＞「」『』【】〔〕〈〉《》"
# No line may start with closing punctuation or end with opening punctuation (Chinese rules).
NO_START = frozenset("，。、；：？！）》」』】〕,.;:?!)]}%·")
NO_END = frozenset("（《「『【〔([{")
