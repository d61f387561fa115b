"""The serial scanner's framer: codes end on CR, LF, CRLF or a pause, however the bytes arrive."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checkin_app.scanning.framer import MAX_CODE_BYTES, PAUSE_S, CodeFramer, Framed

# What scanners send: registration codes, base32 tokens, Chinese text in UTF-8.
code_text = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x9FFF,
                           blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Zs", "Co", "Cn")),
    min_size=1, max_size=200)
ending = st.sampled_from([b"\r", b"\n", b"\r\n"])


def feed_split(framer: CodeFramer, data: bytes, cuts: list[int], now: float = 0.0) -> list[Framed]:
    """Feed `data` in pieces cut at `cuts`, all at the same instant (no pause between)."""
    out: list[Framed] = []
    points = sorted({c % (len(data) + 1) for c in cuts}) if data else []
    start = 0
    for p in [*points, len(data)]:
        out.extend(framer.feed(data[start:p], now))
        start = p
    return out


def test_each_terminator_ends_a_code() -> None:
    f = CodeFramer()
    assert f.feed(b"CQ24-ABC\rCQ24-DEF\nCQ24-GHI\r\n", 0.0) == [
        Framed("CQ24-ABC"), Framed("CQ24-DEF"), Framed("CQ24-GHI")]
    assert f.pending == 0 and f.deadline is None


def test_a_pause_ends_a_code_without_terminator() -> None:
    f = CodeFramer()
    assert f.feed(b"CQ24-", 10.0) == []
    assert f.feed(b"ABC", 10.05) == []
    assert f.deadline == 10.05 + PAUSE_S
    assert f.expire(10.05 + PAUSE_S / 2) == []
    assert f.expire(10.05 + PAUSE_S) == [Framed("CQ24-ABC")]
    assert f.expire(20.0) == []


def test_bytes_after_a_pause_start_a_new_code_even_if_the_timer_was_late() -> None:
    f = CodeFramer()
    f.feed(b"FIRST", 0.0)
    assert f.feed(b"SECOND\r", 1.0) == [Framed("FIRST"), Framed("SECOND")]


def test_over_long_input_is_dropped_once_bounded_and_the_next_code_reads() -> None:
    f = CodeFramer()
    out: list[Framed] = []
    for _ in range(100):  # 100 KiB without a terminator: a scanner in the wrong mode
        out += f.feed(b"A" * 1024, 0.0)
        assert f.pending <= MAX_CODE_BYTES
    out += f.feed(b"\rCQ24-OK\r", 0.0)
    assert out == [Framed("", "too_long"), Framed("CQ24-OK")]


def test_not_utf8_is_reported_and_control_characters_are_dropped() -> None:
    f = CodeFramer()
    assert f.feed(b"\xff\xfe\x80\r", 0.0) == [Framed("", "not_text")]
    assert f.feed(b"\x02CQ24-ABC\x03\x00\r", 0.0) == [Framed("CQ24-ABC")]
    assert f.feed("张伟\r".encode(), 0.0) == [Framed("张伟")]
    assert f.feed(b"  \x1b \r\r\n", 0.0) == []


@given(st.lists(st.tuples(code_text, ending), min_size=1, max_size=8),
       st.lists(st.integers(min_value=0, max_value=10_000), max_size=20))
def test_any_split_of_the_stream_gives_the_same_codes(codes: list[tuple[str, bytes]],
                                                      cuts: list[int]) -> None:
    data = b"".join(c.encode() + end for c, end in codes)
    got = feed_split(CodeFramer(), data, cuts)
    assert got == [Framed(c) for c, _end in codes]


@given(st.lists(code_text, min_size=1, max_size=6),
       st.lists(st.integers(min_value=0, max_value=10_000), max_size=10))
def test_codes_ended_by_pauses_alone(codes: list[str], cuts: list[int]) -> None:
    f = CodeFramer()
    got: list[Framed] = []
    now = 0.0
    for code in codes:
        got += feed_split(f, code.encode(), cuts, now)
        now += PAUSE_S * 3  # the scanner's next code comes well after the pause
    got += f.expire(now)
    assert got == [Framed(c) for c in codes]


@given(st.binary(max_size=5000), st.lists(st.integers(min_value=0, max_value=10_000), max_size=20))
def test_garbage_never_raises_stays_bounded_and_yields_clean_codes(
        data: bytes, cuts: list[int]) -> None:
    f = CodeFramer()
    out = feed_split(f, data, cuts)
    assert f.pending <= MAX_CODE_BYTES
    out += f.expire(1e9)
    assert f.pending == 0 and f.deadline is None
    for item in out:
        assert (item.code == "") != (item.problem == "")
        assert item.code == item.code.strip()
        assert all(ch.isprintable() or ch == " " for ch in item.code)
        assert len(item.code.encode()) <= MAX_CODE_BYTES
