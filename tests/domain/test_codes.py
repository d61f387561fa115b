"""Scanner input normalisation: messy input is cleaned, hopeless input is None, nothing raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checkin_app.domain.codes import MAX_SCAN_LENGTH, normalise_scan


def test_cleans_what_scanners_add() -> None:
    assert normalise_scan("  cq24-abc123\r\n") == "CQ24-ABC123"
    assert normalise_scan("\x02CQ24-ABC123\x03\t") == "CQ24-ABC123"
    assert normalise_scan("CQ24-\u200bABC123") == "CQ24-ABC123"  # zero-width space from copy/paste
    assert normalise_scan("ｃｑ２４－ａｂｃ１２３") == "CQ24-ABC123"  # full-width from an IME


def test_rejects_hopeless_input() -> None:
    assert normalise_scan("") is None
    assert normalise_scan(" \r\n\t") is None
    assert normalise_scan("张伟") is None
    assert normalise_scan("A" * (MAX_SCAN_LENGTH + 1)) is None
    assert normalise_scan("A" * MAX_SCAN_LENGTH) == "A" * MAX_SCAN_LENGTH


@given(st.text(max_size=2000))
def test_never_raises_and_output_is_canonical(raw: str) -> None:
    out = normalise_scan(raw)
    if out is not None:
        assert out == out.upper().strip()
        assert 0 < len(out) <= MAX_SCAN_LENGTH
        assert out.isascii()
        assert normalise_scan(out) == out  # idempotent
