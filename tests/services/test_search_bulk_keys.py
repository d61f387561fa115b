"""The bulk key path (key_params, used by an import's key workers) gives exactly the keys of
build_keys, stored as stored_key writes them, in the same order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from checkin_app.domain.search_keys import (
    DelegateText,
    TextRow,
    build_keys,
    key_params,
    stored_key,
)

_ROWS: list[TextRow] = [
    (1, "张伟", "Zhang Wei", "张", "伟", "eastern", "B0000001", "重庆大学", "Chongqing University"),
    (2, "欧阳娜娜", "", "", "", "eastern", "", "重庆长安汽车股份有限公司", ""),
    (3, "Đorđe PETROVIĆ", "", "PETROVIĆ", "Đorđe", "western", "RS-7", "", "University of Belgrade"),
    (4, "정지민", "JEONG Jimin", "정", "지민", "eastern", "K1", "", "Seoul National University"),
    (5, "", "Smith John", "Smith", "John", "western", "", "", "The University of Cambridge"),
    (6, "单雄信", "", "单", "雄信", "eastern", "zhangwei", "张伟科技有限公司", "zhangwei ltd"),
    (7, "", "", "", "", "western", "", "", ""),
]


def _expected(rows: list[TextRow]) -> list[tuple[int, str, int]]:
    return [(row[0], stored_key(kind, text), kind) for row in rows
            for kind, text in build_keys(DelegateText(*row[1:]))]


def test_bulk_keys_are_build_keys() -> None:
    assert key_params(_ROWS) == _expected(_ROWS)
    assert key_params(_ROWS + _ROWS) == _expected(_ROWS + _ROWS)  # the cached names again


_LETTERS = "张王李伟娜 ABCzhangwei-·'欧阳重庆大学有限公司Đć정지민"
_text = st.text(alphabet=st.sampled_from(_LETTERS), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_text, _text, _text, _text, st.sampled_from(["eastern", "western"]),
                          _text, _text, _text), min_size=1, max_size=5))
def test_bulk_keys_are_build_keys_for_any_text(fields: list[tuple[str, ...]]) -> None:
    rows: list[TextRow] = [(i + 1, *f) for i, f in enumerate(fields)]  # type: ignore[misc]
    assert key_params(rows) == _expected(rows)
