"""Hypothesis: whatever a scanner (or a cat on the keyboard) types, scan() answers and never raises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.verdicts import Verdict
from checkin_app.services.checkin import CheckInService
from checkin_app.storage.db import Database
from tests.factories import MiniEvent, local, make_event


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CheckInService, MiniEvent]]:
    db = Database(Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.sqlite3")
    codes = make_event(db)
    yield CheckInService(db, FixedClock(local(23, 9, 30))), codes
    db.close()


noise = st.text(alphabet=st.sampled_from(" \t\r\n\x00\x02\x03\x1b\u3000\u200b"), max_size=4)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(raw=st.text(max_size=700))
def test_random_input_never_raises(world: tuple[CheckInService, MiniEvent], raw: str) -> None:
    svc, _ = world
    r = svc.scan(raw, desk="FUZZ")
    assert isinstance(r.verdict, Verdict)
    assert r.message_en and r.message_zh


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(before=noise, after=noise, lower=st.booleans())
def test_real_code_wrapped_in_noise_is_found(
    world: tuple[CheckInService, MiniEvent], before: str, after: str, lower: bool
) -> None:
    svc, codes = world
    code = codes.media.lower() if lower else codes.media
    r = svc.scan(before + code + after, desk="FUZZ")
    assert r.delegate is not None and r.delegate.registration_code == codes.media


def test_lone_surrogates_and_other_unwritable_text_never_raise(tmp_path: Path) -> None:
    # Fuzzing found 7,970 of 100,004 inputs with a lone surrogate raising UnicodeEncodeError
    # (in the audit record of the refusal).
    db = Database(tmp_path / "s.sqlite3")
    make_event(db)
    svc = CheckInService(db, FixedClock(local(23, 9, 30)))
    for text in ("\\udcff", "CQ24-\\ud800AB", "CK-\\udfff" * 3, "\\ud83d", "abc\\udc80\\udc81def"):
        r = svc.scan(text.encode().decode("unicode_escape"), desk="Desk 1")
        assert r.verdict.value in ("UNKNOWN_CODE", "INCOMPLETE_CODE")
        r.code.encode("utf-8")  # what is shown and stored is writable text
    db.close()
