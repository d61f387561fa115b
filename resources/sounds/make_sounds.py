"""Writes the desk's three verdict sounds (good, attention, bad .wav) from their recipes below.

Run `python resources/sounds/make_sounds.py [folder]` (default: this folder). Pure Python (wave and math),
no randomness: the same recipe gives the same samples, so the committed files can be checked against it
(tests/resources/test_sound_files.py does).

The three differ in pitch AND rhythm, so they are told apart in a noisy hall and by someone who cannot
tell pitches apart well:
- admit (good.wav): a rising two-note chime, short then long, C6 → G6 (1047 → 1568 Hz), 240 ms;
- attention (attention.wav): two equal beeps at one mid pitch (740 Hz), a gap between them, 205 ms;
- refused (bad.wav): one long low buzz falling from 330 to 196 Hz, rich in harmonics, 270 ms.
Each is normalised to a peak of PEAK_DBFS (-1 dBFS), starts and ends at silence (no click) and is
16-bit PCM mono at 44.1 kHz, a format every QtMultimedia backend plays.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

RATE = 44_100
PEAK_DBFS = -1.0
FULL_SCALE = 32767

# (harmonic number, amplitude) pairs: a chime's bright partials, a beep's odd ones, a buzz's many.
CHIME = ((1, 1.0), (2, 0.35), (3, 0.12))
BEEP = ((1, 1.0), (3, 0.25), (5, 0.08))
BUZZ = tuple((k, 1.0 / k) for k in range(1, 13))  # band-limited sawtooth, up to ~4 kHz


def _ms(ms: float) -> int:
    return round(RATE * ms / 1000)


def note(freq: Callable[[float], float], duration_ms: float, partials: Sequence[tuple[int, float]],
         envelope: Callable[[float, float], float]) -> list[float]:
    """One sounding stretch: `freq(t)` in Hz (a glide when it changes), shaped by `envelope(t, length)`."""
    n = _ms(duration_ms)
    length = n / RATE
    out: list[float] = []
    phase = 0.0  # integrated, so a glide has no jumps
    for i in range(n):
        t = i / RATE
        value = sum(a * math.sin(k * phase) for k, a in partials if k * freq(t) < RATE / 2)
        out.append(value * envelope(t, length))
        phase += 2 * math.pi * freq(t) / RATE
    return out


def struck(decay_ms: float, attack_ms: float = 4.0,
           release_ms: float = 12.0) -> Callable[[float, float], float]:
    """A chime's shape: a quick attack, an exponential decay, a short fade to zero at the end."""
    def shape(t: float, length: float) -> float:
        attack = min(1.0, t / (attack_ms / 1000))
        release = min(1.0, (length - t) / (release_ms / 1000))
        return attack * math.exp(-t / (decay_ms / 1000)) * max(0.0, release)
    return shape


def held(attack_ms: float = 5.0, release_ms: float = 15.0) -> Callable[[float, float], float]:
    """A beep's or buzz's shape: level while it sounds, with fades that keep it click-free."""
    def shape(t: float, length: float) -> float:
        attack = min(1.0, t / (attack_ms / 1000))
        release = min(1.0, (length - t) / (release_ms / 1000))
        return attack * max(0.0, release)
    return shape


def silence(ms: float) -> list[float]:
    """A gap between notes."""
    return [0.0] * _ms(ms)


def constant(hz: float) -> Callable[[float], float]:
    """A steady pitch."""
    return lambda _t: hz


def glide(start_hz: float, end_hz: float, duration_ms: float) -> Callable[[float], float]:
    """A pitch falling (or rising) evenly on a musical (logarithmic) scale."""
    seconds = duration_ms / 1000
    return lambda t: start_hz * (end_hz / start_hz) ** min(1.0, t / seconds)


def admit() -> list[float]:
    """Rising chime: short C6, long G6."""
    return (note(constant(1046.5), 80, CHIME, struck(45))
            + silence(15)
            + note(constant(1568.0), 145, CHIME, struck(80)))


def attention() -> list[float]:
    """Two equal beeps at 740 Hz."""
    beep = note(constant(740.0), 75, BEEP, held())
    return beep + silence(55) + beep


def refused() -> list[float]:
    """One low buzz falling from 330 Hz to 196 Hz."""
    return note(glide(330.0, 196.0, 270), 270, BUZZ, held(release_ms=25))


SOUNDS: dict[str, Callable[[], list[float]]] = {
    "good.wav": admit,
    "attention.wav": attention,
    "bad.wav": refused,
}


def to_pcm(samples: Sequence[float], peak_dbfs: float = PEAK_DBFS) -> list[int]:
    """Scale to the stated peak and round to 16-bit integers."""
    peak = max(abs(s) for s in samples)
    gain = FULL_SCALE * 10 ** (peak_dbfs / 20) / peak
    return [round(s * gain) for s in samples]


def write(path: Path, pcm: Sequence[int]) -> None:
    """A mono 16-bit PCM WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(pcm)}h", *pcm))


def main(argv: list[str]) -> int:
    """Write the three files into the folder named by argv[0] (default: this script's)."""
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    for name, recipe in SOUNDS.items():
        pcm = to_pcm(recipe())
        write(folder / name, pcm)
        print(f"{name}: {1000 * len(pcm) / RATE:.0f} ms, peak {max(abs(s) for s in pcm)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
