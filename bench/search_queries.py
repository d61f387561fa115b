"""Forgiving-search queries drawn from the demo: exact, typo, traditional/simplified, Cyrillic, initials.

Used by bench_search (recall at 100,000 delegates) and by tests/services/test_search.py (on a small
demo), so both measure the same query kinds. Each query keeps the id of the delegate it was drawn
from; a query counts as found when that delegate is among the results (see hit).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

KINDS = ("exact", "typo", "trad_simp", "cyrillic_for_latin", "initials")
# Countries whose people write Cyrillic, with the cyrtranslit language to write a Latin name in it.
_CYRILLIC_WRITERS = {"RS": "sr", "ME": "sr", "BA": "sr", "MK": "mk", "BG": "bg", "RU": "ru", "BY": "ru",
                     "KZ": "ru", "UA": "ru"}  # fmt: skip
ROW_SQL = (
    "SELECT id, name_native, name_latin, family_name, given_name, country FROM delegates ORDER BY id"
)


def _han(text: str) -> bool:
    return bool(text) and all(0x3400 <= ord(c) <= 0x9FFF for c in text)


def _latin_script(text: str) -> bool:
    return bool(text) and all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in text if c.isalpha())


def _one_edit(rng: random.Random, word: str) -> str:
    """The word with one letter changed, added, dropped, or two neighbours swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    while True:
        op = rng.randrange(4)
        i = rng.randrange(1, len(word))  # the first letter is the one people get right
        if op == 0:
            out = word[:i] + rng.choice(letters) + word[i + 1 :]
        elif op == 1:
            out = word[:i] + rng.choice(letters) + word[i:]
        elif op == 2:
            out = word[:i] + word[i + 1 :]
        else:
            i = min(i, len(word) - 2)
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if out != word:
            return out


def draw(rows: Sequence[Sequence[Any]], per_kind: int, seed: int = 14) -> list[tuple[str, str, int]]:
    """(kind, query, source id) for up to per_kind queries of each kind, from ROW_SQL rows."""
    import cyrtranslit
    import opencc
    from anyascii import anyascii
    from pypinyin import lazy_pinyin

    rng = random.Random(seed)
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    chinese = [r for r in rows if _han(r[1]) and _han(r[3])]
    # The whole Latin name as a volunteer types it (a family name alone names hundreds at 100k).
    latin_words = [
        (r, w) for r in rows if r[2] and not _han(r[1])
        for w in ["".join(c for c in anyascii(r[2]).lower() if c.isalpha())]
        if len(w) >= 5
    ]  # fmt: skip
    cyrillic_for_latin = [r for r in rows if r[5] in _CYRILLIC_WRITERS and _latin_script(r[1])]
    out: list[tuple[str, str, int]] = []

    def pick(pool: Sequence[Any], n: int) -> list[Any]:
        return rng.sample(list(pool), min(n, len(pool)))

    for r in pick(rows, per_kind):
        out.append(("exact", r[1] or r[2], r[0]))
    for i in range(per_kind):
        if i % 2 and chinese:
            r = rng.choice(chinese)
            out.append(("typo", _one_edit(rng, "".join(lazy_pinyin(r[1]))), r[0]))
        elif latin_words:
            r, word = rng.choice(latin_words)
            out.append(("typo", _one_edit(rng, word), r[0]))
    trad_simp = []
    for r in chinese:
        other = t2s.convert(r[1]) if r[5] in ("HK", "MO", "TW") else s2t.convert(r[1])
        if other != r[1]:
            trad_simp.append((other, r[0]))
    for text, source in pick(trad_simp, per_kind):
        out.append(("trad_simp", text, source))
    for r in pick(cyrillic_for_latin, per_kind):
        out.append(("cyrillic_for_latin", str(cyrtranslit.to_cyrillic(r[1], _CYRILLIC_WRITERS[r[5]])), r[0]))
    for r in pick(chinese, per_kind):
        out.append(("initials", "".join(p[0] for p in lazy_pinyin(r[1])), r[0]))
    return out


def namesakes(rows: Sequence[Sequence[Any]]) -> dict[int, tuple[str, str]]:
    """Id -> (folded native name, folded Latin line): the same either way makes namesakes.

    Folded, 陳俊傑 is 陈俊杰; and 刘艳 and 刘燕 are both LIU Yan.
    """
    from checkin_app.domain.search_keys import fold

    return {r[0]: (fold(r[1]), fold(r[2])) for r in rows}


def hit(source: int, found_ids: Sequence[int], names: dict[int, tuple[str, str]]) -> bool:
    """Found: the source is among the results, or the results are a full page of its namesakes.

    A query drawn from one of forty people called 张伟 cannot put that one on top; a full page
    of people with the same name (namesakes) is the right answer (the volunteer then types more).
    """
    if source in found_ids:
        return True
    native, latin = names.get(source, ("", ""))
    return len(found_ids) >= 20 and all(
        (n := names.get(i)) is not None and ((native and n[0] == native) or (latin and n[1] == latin))
        for i in found_ids
    )


def recall(results: dict[str, list[bool]]) -> dict[str, float]:
    """Share of found queries per kind."""
    return {k: round(sum(v) / len(v), 3) for k, v in results.items() if v}
