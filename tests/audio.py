"""A private PulseAudio server with a null sink for the tests, a recorder of what reaches it, and the
analysis both the sound-file and the desk tests use (sounding bursts, their pitch)."""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import time
import wave
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SINK = "desk_null"
RATE = 44_100
# A 5 ms frame is sounding when its peak is above this fraction of full scale (-40 dBFS).
SOUNDING = 0.01


@dataclass(frozen=True)
class AudioServer:
    """A running PulseAudio server: its address (PULSE_SERVER) and its null sink's name."""

    address: str
    sink: str
    process: subprocess.Popen[bytes]

    def pactl(self, *args: str) -> str:
        """Run pactl against this server; its output."""
        done = subprocess.run(["pactl", "--server", self.address, *args], capture_output=True,
                              text=True, timeout=10, check=True)
        return done.stdout


def _end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def private_pulse(folder: Path) -> Iterator[AudioServer]:
    """Start a PulseAudio server of our own with one null sink (no sound card needed, nothing heard).

    Sets PULSE_SERVER for this process and its children: it must run before Qt first looks for audio
    (Qt asks PulseAudio once per process and never again). Fails, never skips, without pulseaudio.
    """
    for tool in ("pulseaudio", "pactl", "parec", "pacat"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} not found: the desk's sound tests need an audio sink "
                               "(apt-get install pulseaudio pulseaudio-utils)")
    socket = folder / "native"
    env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder),
           "PULSE_RUNTIME_PATH": str(folder)}
    # setpriv --pdeathsig: the server goes with this process even if pytest is killed.
    cmd = (["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []) + [
        "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
        "--log-target=stderr", "--log-level=error",
        "-L", f"module-null-sink sink_name={SINK} rate={RATE}",
        "-L", f"module-native-protocol-unix socket={socket} auth-anonymous=1"]
    with (folder / "pulseaudio.log").open("wb") as log, Path("/dev/zero").open("rb") as zero:
        process = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
        server = AudioServer(f"unix:{socket}", SINK, process)
        keep_alive: subprocess.Popen[bytes] | None = None
        previous = os.environ.get("PULSE_SERVER")
        try:
            deadline = time.monotonic() + 10
            while not socket.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("PulseAudio did not start: "
                                       + (folder / "pulseaudio.log").read_text(errors="replace")[-800:])
                time.sleep(0.05)
            # A silent stream keeps the sink running, so its monitor records in real time from the
            # first sample of a sound (a sink waking from idle loses the start of what wakes it).
            keep_alive = subprocess.Popen(
                ["pacat", "--server", server.address, "--playback", "--raw", "--format=s16le",
                 "--channels=1", f"--rate={RATE}", "--stream-name=keep-alive"],
                stdin=zero, stdout=log, stderr=log)
            os.environ["PULSE_SERVER"] = server.address
            yield server
        finally:
            if previous is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = previous
            if keep_alive is not None:
                _end(keep_alive)
            _end(process)


class Recorder:
    """Records what the null sink plays (its monitor source) while it runs, as mono 16-bit samples."""

    def __init__(self, server: AudioServer, path: Path, sink: str = SINK) -> None:
        self.path = path
        self._out = path.open("wb")
        self._process = subprocess.Popen(
            ["parec", "--server", server.address, "-d", f"{sink}.monitor", "--raw",
             "--format=s16le", "--channels=1", f"--rate={RATE}", "--latency-msec=20"],
            stdout=self._out)
        # Recording only once parec is connected to the monitor: a sound before that is not heard.
        deadline = time.monotonic() + 10
        mine = f'application.process.id = "{self._process.pid}"'
        while mine not in server.pactl("list", "source-outputs"):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("parec did not connect to the null sink's monitor")
            time.sleep(0.02)
        # ... and once samples flow (the keep-alive stream keeps them flowing, silent or not).
        while self._out.tell() == 0 and path.stat().st_size == 0:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("parec records nothing from the null sink's monitor")
            time.sleep(0.02)

    def stop(self) -> list[int]:
        """Stop recording; the samples heard (a suspended sink records nothing: silence is left out)."""
        self._process.terminate()
        self._process.wait(10)
        self._out.close()
        data = self.path.read_bytes()
        n = len(data) // 2
        return list(struct.unpack(f"<{n}h", data[:2 * n]))


def read_wav(path: Path) -> tuple[list[int], int, int, int]:
    """(samples of the first channel, sample rate, channels, bytes per sample) of a 16-bit WAV."""
    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    assert width == 2, f"{path.name}: {8 * width}-bit, expected 16-bit PCM"
    samples = list(struct.unpack(f"<{len(raw) // 2}h", raw))[::channels]
    return samples, rate, channels, width


@dataclass(frozen=True)
class Burst:
    """A sounding stretch: where it starts and how long it is (ms), its peak and its samples."""

    start_ms: float
    length_ms: float
    peak: int
    samples: tuple[int, ...] = field(repr=False)


def bursts(samples: Sequence[int], rate: int = RATE, frame_ms: float = 5.0,
           min_gap_ms: float = 10.0) -> list[Burst]:
    """The stretches that sound, split where at least `min_gap_ms` is below SOUNDING."""
    size = max(1, round(rate * frame_ms / 1000))
    loud = [max((abs(s) for s in samples[i:i + size]), default=0) > SOUNDING * 32767
            for i in range(0, len(samples), size)]
    spans: list[list[int]] = []
    quiet = 0
    for i, on in enumerate(loud):
        if on:
            if spans and quiet * frame_ms < min_gap_ms:
                spans[-1][1] = i + 1
            else:
                spans.append([i, i + 1])
            quiet = 0
        else:
            quiet += 1
    out = []
    for a, b in spans:
        part = tuple(samples[a * size:b * size])
        out.append(Burst(a * frame_ms, (b - a) * frame_ms, max(abs(s) for s in part), part))
    return out


def dominant_hz(samples: Sequence[int], rate: int = RATE, low: float = 100.0,
                high: float = 2500.0) -> float:
    """The frequency with the most energy between `low` and `high`: Goertzel on a 25 Hz grid, then
    on a 1 Hz grid around the best (pure Python, so keep `samples` to some 50 ms)."""
    n = len(samples)
    # Hann window: a burst's edges do not smear the peak into its neighbours.
    window = [s * (0.5 - 0.5 * math.cos(2 * math.pi * i / max(1, n - 1))) for i, s in enumerate(samples)]

    def power(f: float) -> float:
        coeff = 2 * math.cos(2 * math.pi * f / rate)
        s1 = s2 = 0.0
        for x in window:
            s1, s2 = x + coeff * s1 - s2, s1
        return s1 * s1 + s2 * s2 - coeff * s1 * s2

    coarse = max((low + 25 * i for i in range(int((high - low) / 25) + 1)), key=power)
    return max((coarse + d for d in range(-25, 26)), key=power)
