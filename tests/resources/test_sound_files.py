"""The bundled verdict sounds: short, at the stated level, unclipped, click-free, told apart by pitch and
rhythm, and exactly what their recipes in resources/sounds/make_sounds.py write."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkin_app.paths import resource
from tests.audio import bursts, dominant_hz, read_wav

NAMES = ("good.wav", "attention.wav", "bad.wav")
MAX_MS = 300  # the limit
PEAK_DBFS = (-1.5, -0.5)  # normalised to -1 dBFS
RMS_DBFS = (-14.0, -3.0)  # loud enough for a hall, not a square wave
# A sound starts and ends at silence and fades over a few ms, so it never clicks (nor when it is cut).
EDGE_MS = 0.5


def _sox(*args: str) -> str:
    if shutil.which("sox") is None:
        pytest.fail("sox not found: the sound-file checks need it (apt-get install sox)")
    done = subprocess.run(["sox", *args], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout + done.stderr


def _stat(path: Path) -> dict[str, float]:
    out = _sox(str(path), "-n", "stat")
    return {m[1].strip(): float(m[2]) for m in re.finditer(r"^([A-Za-z ()]+):\s+(-?[\d.]+)\s*$", out, re.M)}


def _dbfs(x: float) -> float:
    return 20 * math.log10(x)


@pytest.mark.parametrize("name", NAMES)
def test_each_file_is_short_at_the_stated_level_and_unclipped(name: str) -> None:
    path = resource("sounds", name)
    seconds = float(_sox("--i", "-D", str(path)))
    assert 0.15 < seconds < MAX_MS / 1000, f"{name}: {seconds * 1000:.0f} ms"
    stat = _stat(path)
    peak = max(stat["Maximum amplitude"], -stat["Minimum amplitude"])
    rms = stat["RMS     amplitude"] if "RMS     amplitude" in stat else stat["RMS amplitude"]
    assert PEAK_DBFS[0] <= _dbfs(peak) <= PEAK_DBFS[1], f"{name}: peak {_dbfs(peak):.2f} dBFS"
    assert RMS_DBFS[0] <= _dbfs(rms) <= RMS_DBFS[1], f"{name}: RMS {_dbfs(rms):.2f} dBFS"
    samples, rate, channels, _width = read_wav(path)
    # 16-bit mono 44.1 kHz: what every QtMultimedia backend plays without a surprise.
    assert (rate, channels) == (44_100, 1)
    assert not [s for s in samples if abs(s) >= 32767], f"{name}: clipped samples"
    edge = round(rate * EDGE_MS / 1000)
    assert abs(samples[0]) < 0.01 * 32767 and abs(samples[-1]) < 0.01 * 32767, f"{name}: click"
    assert max(abs(s) for s in samples[:edge] + samples[-edge:]) < 0.1 * 32767, f"{name}: no fade"


def test_the_three_differ_in_rhythm_and_pitch() -> None:
    shapes = {}
    for name in NAMES:
        samples, rate, _c, _w = read_wav(resource("sounds", name))
        shapes[name] = (bursts(samples, rate), rate)

    good, rate = shapes["good.wav"]
    # Admit: two notes, short then long, the second higher (a rising chime).
    assert len(good) == 2, [b.length_ms for b in good]
    assert good[0].length_ms < 0.75 * good[1].length_ms
    good_hz = [dominant_hz(b.samples[:2205], rate) for b in good]
    assert good_hz[1] > 1.3 * good_hz[0], good_hz

    attention, rate = shapes["attention.wav"]
    # Attention: two equal beeps at one pitch.
    assert len(attention) == 2, [b.length_ms for b in attention]
    assert abs(attention[0].length_ms - attention[1].length_ms) <= 10
    att_hz = [dominant_hz(b.samples[:2205], rate) for b in attention]
    assert abs(att_hz[0] - att_hz[1]) <= 10, att_hz

    bad, rate = shapes["bad.wav"]
    # Refused: one long sound, lower than the others and falling.
    assert len(bad) == 1, [b.length_ms for b in bad]
    assert bad[0].length_ms > max(b.length_ms for b in good + attention)
    first, last = dominant_hz(bad[0].samples[:2205], rate), dominant_hz(bad[0].samples[-3000:-795], rate)
    assert last < 0.8 * first, (first, last)
    assert first < 0.6 * min(att_hz) and min(att_hz) < 0.8 * min(good_hz), (first, att_hz, good_hz)


def test_files_are_what_the_recipes_write(tmp_path: Path) -> None:
    script = resource("sounds", "make_sounds.py")
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True,
                   timeout=60)
    for name in NAMES:
        made, _r, _c, _w = read_wav(tmp_path / name)
        bundled, _r, _c, _w = read_wav(resource("sounds", name))
        assert len(made) == len(bundled), name
        # One step of rounding apart at most: another machine's maths library may differ in the last bit.
        assert max(abs(a - b) for a, b in zip(made, bundled, strict=True)) <= 1, name
