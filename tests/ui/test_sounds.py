"""The desk's sounds through the real QtMultimedia objects to a PulseAudio null sink (tests/audio.py):
each verdict family plays its own sound and it reaches the audio device; volume and mute hold and are
remembered; a refusal repeats until the next scan; a sound never delays a scan."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect, QtAudio

from checkin_app.domain.verdicts import Severity
from checkin_app.paths import resource
from checkin_app.ui.sounds import SOUND_FILES, SoundDesk, Sounds, desk_settings
from tests.audio import SINK, AudioServer, Recorder, bursts, dominant_hz, read_wav
from tests.ui.conftest import Desk

FILE_PEAK = 29204  # -1 dBFS, as make_sounds.py writes every file


@pytest.fixture(autouse=True)
def fresh_sound_settings() -> Iterator[None]:
    """Every window starts with the default sound settings, and leaves them so for the next test."""
    desk_settings().remove("sound")
    yield
    desk_settings().remove("sound")


def part(desk: Desk) -> SoundDesk:
    return desk.window.sounds


def ready(desk: Desk) -> Sounds:
    """The window's sounds, loaded, on the private null sink (or a clear failure why not)."""
    sounds = part(desk).sounds
    outputs = [(d.description(), bytes(d.id().data()).decode()) for d in QMediaDevices.audioOutputs()]
    assert sounds.available, f"no audio output for the desk's sounds; Qt sees {outputs}"
    assert bytes(QMediaDevices.defaultAudioOutput().id().data()).decode() == SINK, outputs
    desk.qtbot.waitUntil(lambda: all(
        (e := sounds.effect(s)) is not None and e.status() == QSoundEffect.Status.Ready
        for s in Severity), timeout=5000)
    return sounds


def record(desk: Desk, audio: AudioServer, path: Path) -> Recorder:
    recorder = Recorder(audio, path)
    desk.qtbot.wait(100)  # the sink settles before the sound starts
    return recorder


CASES = [("attendee", Severity.GREEN), ("VIP", Severity.AMBER), ("cancelled", Severity.RED)]


@pytest.mark.parametrize(("sample", "severity"), CASES)
def test_each_verdict_family_plays_its_own_sound_to_the_audio_device(
        desk: Desk, audio: AudioServer, tmp_path: Path, sample: str, severity: Severity) -> None:
    sounds = ready(desk)
    recorder = record(desk, audio, tmp_path / "heard.raw")
    with desk.qtbot.waitSignal(sounds.played, timeout=5000) as played:
        result = desk.scan(desk.samples[sample])
    assert result.severity is severity
    assert played.args == [severity.value]
    effect = sounds.effect(severity)
    assert effect is not None and effect.isPlaying()
    assert Path(effect.source().toLocalFile()).name == SOUND_FILES[severity]
    assert [s for s in Severity if s is not severity and sounds.effect(s).isPlaying()] == []  # type: ignore[union-attr]
    desk.qtbot.wait(700)
    heard = sounding(recorder.stop())
    # What reached the device is that file: its pitch, its level (volume 100 %), most of its length.
    # (Not its exact rhythm: on a loaded machine the null sink's stream can underrun for a few ms.)
    wanted = sounding(read_wav(resource("sounds", SOUND_FILES[severity]))[0])
    assert len(heard) >= 0.8 * len(wanted), (len(heard), len(wanted))
    # The red sound falls in pitch (314 Hz to 264 Hz over its first 100 ms), so where the recording
    # finds the burst's start moves the first 50 ms' pitch: compare the pitch tracks at 0, 5 and
    # 10 ms (the families are hundreds of Hz apart, so this still tells them apart).
    steps = (0, 221, 441)
    heard_hz = [dominant_hz(heard[o:o + 2205]) for o in steps]
    wanted_hz = [dominant_hz(wanted[o:o + 2205]) for o in steps]
    assert any(abs(h - w) <= 0.03 * w for h in heard_hz for w in wanted_hz), (
        heard_hz, wanted_hz, [(b.start_ms, b.length_ms) for b in bursts(heard)])
    assert abs(max(map(abs, heard)) - FILE_PEAK) < 0.03 * FILE_PEAK


def sounding(samples: list[int]) -> list[int]:
    """The samples of the sounding stretches, silence between them left out."""
    return [s for b in bursts(samples) for s in b.samples]


def test_sound_menu_volume_and_mute_hold_and_are_remembered(
        desk: Desk, audio: AudioServer, tmp_path: Path) -> None:
    sounds, sound = ready(desk), part(desk)
    w = desk.window
    assert sound.menu.menuAction() in w.desk_menu.actions()
    assert sound.act_mute in w.toolbar.actions()
    # Defaults after a plain install: on, full volume, a refusal sounds once.
    assert (sounds.muted, sounds.volume, sounds.repeat_refused) == (False, 100, False)

    sound.act_volume[50].trigger()
    half = QtAudio.convertVolume(0.5, QtAudio.VolumeScale.LogarithmicVolumeScale,
                                 QtAudio.VolumeScale.LinearVolumeScale)
    assert all(abs(sounds.effect(s).volume() - half) < 1e-3 for s in Severity)  # type: ignore[union-attr]
    desk.qtbot.wait(1500)  # the level's sample (an admit chime) plays out
    recorder = record(desk, audio, tmp_path / "half.raw")
    desk.scan("GARBAGE-000001")
    desk.qtbot.wait(700)
    peak = max(b.peak for b in bursts(recorder.stop()))
    assert abs(peak - half * FILE_PEAK) < 0.1 * half * FILE_PEAK, (peak, half * FILE_PEAK)

    sound.act_mute.trigger()
    assert sounds.muted and sound.act_mute.isChecked()
    recorder = record(desk, audio, tmp_path / "muted.raw")
    with desk.qtbot.assertNotEmitted(sounds.played, wait=500):
        desk.scan("GARBAGE-000002")
    assert max((abs(s) for s in recorder.stop()), default=0) < 100
    assert not any(sounds.effect(s).isPlaying() for s in Severity)  # type: ignore[union-attr]
    assert w.scan_field.hasFocus()

    # Remembered: the next start (a new Sounds on the same settings) is muted at 50 %.
    again = Sounds(desk_settings())
    assert (again.muted, again.volume) == (True, 50)
    again.deleteLater()
    # From an INI file too, where every value comes back as text.
    ini = QSettings(str(tmp_path / "sound.ini"), QSettings.Format.IniFormat)
    Sounds(ini).set_volume(75)
    Sounds(ini).set_repeat_refused(True)
    back = Sounds(QSettings(str(tmp_path / "sound.ini"), QSettings.Format.IniFormat))
    assert (back.volume, back.repeat_refused, back.muted) == (75, True, False)


def test_repeat_refused_repeats_until_the_next_scan_or_its_time(desk: Desk) -> None:
    sounds, sound = ready(desk), part(desk)
    heard: list[str] = []
    sounds.played.connect(heard.append)
    desk.scan("GARBAGE-000011")
    desk.qtbot.wait(600)
    assert heard == ["red"] and not sounds.repeating  # off by default: once

    sound.act_repeat.trigger()
    assert sounds.repeat_refused
    sounds.repeat_every_ms = 250
    heard.clear()
    desk.scan("GARBAGE-000012")
    desk.qtbot.waitUntil(lambda: heard.count("red") >= 3, timeout=3000)
    assert sounds.repeating
    # The next scan ends it (even before its verdict), and its own sound plays.
    desk.scan(desk.samples["attendee"])
    assert not sounds.repeating
    reds = heard.count("red")
    desk.qtbot.wait(800)
    assert heard.count("red") == reds and heard[-1] == "green"

    # With no next scan it ends on its own, when the red panel would.
    sounds.repeat_for_ms = 600
    heard.clear()
    desk.scan("GARBAGE-000013")
    desk.qtbot.waitUntil(lambda: not sounds.repeating, timeout=3000)
    assert 2 <= heard.count("red") <= 4, heard
    # An admit never repeats.
    heard.clear()
    desk.scan(desk.samples["VIP"])
    desk.qtbot.wait(700)
    assert heard == ["amber"] and not sounds.repeating


def test_a_sound_never_delays_the_scan(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    sounds, sound = ready(desk), part(desk)
    calls = []
    for i in range(30):
        t = time.perf_counter()
        sounds.play(Severity.RED if i % 2 else Severity.GREEN)
        calls.append((time.perf_counter() - t) * 1000)
    desk.qtbot.wait(300)
    # Playing starts what is already loaded and returns: far below a frame.
    assert statistics.median(calls) < 2.0, calls
    assert max(calls) < 20.0, calls

    sound.act_repeat.trigger()
    sounds.repeat_every_ms = 100  # a refusal sounding again and again while the next codes come
    timings: dict[bool, list[float]] = {True: [], False: []}
    for i in range(16):
        muted = i % 2 == 0
        sounds.set_muted(muted)
        t = time.perf_counter()
        desk.scan(f"GARBAGE-{100 + i:06d}")  # typed, ended, verdict back: the whole scan path
        timings[muted].append((time.perf_counter() - t) * 1000)
        desk.qtbot.wait(50)
    floor, with_sound = statistics.median(timings[True]), statistics.median(timings[False])
    with capsys.disabled():
        print(f"\nscan with sound {with_sound:.1f} ms (median of 8), muted {floor:.1f} ms, "
              f"ratio {with_sound / floor:.2f}; play() median {statistics.median(calls):.3f} ms")
    # A play() that waited for its sound would add its 200-270 ms to every scan.
    assert with_sound - floor < 50, timings



def test_sounds_follow_a_speaker_plugged_in(desk: Desk, audio: AudioServer, tmp_path: Path) -> None:
    """A USB speaker becomes the default output: the next verdict sounds there, not on the old one."""
    sounds = ready(desk)
    module = audio.pactl("load-module", "module-null-sink", "sink_name=desk_usb").strip()

    def on(sink: str) -> bool:
        effect = sounds.effect(Severity.RED)
        return effect is not None and bytes(effect.audioDevice().id().data()).decode() == sink

    try:
        audio.pactl("set-default-sink", "desk_usb")
        desk.qtbot.waitUntil(lambda: on("desk_usb"), timeout=5000)
        desk.qtbot.waitUntil(lambda: sounds.effect(Severity.RED).status()  # type: ignore[union-attr]
                             == QSoundEffect.Status.Ready, timeout=5000)
        recorder = Recorder(audio, tmp_path / "usb.raw", sink="desk_usb")
        desk.scan("GARBAGE-000021")
        desk.qtbot.wait(700)
        heard = sounding(recorder.stop())
        # (A sink waking from idle may lose the first few ms, so only most of it is asked for.)
        assert len(heard) >= 0.5 * len(sounding(read_wav(resource("sounds", "bad.wav"))[0]))
        assert max(map(abs, heard)) > 0.9 * FILE_PEAK
    finally:
        audio.pactl("set-default-sink", SINK)
        audio.pactl("unload-module", module)
    desk.qtbot.waitUntil(lambda: on(SINK), timeout=5000)


NO_DEVICE = """
from PySide6.QtWidgets import QApplication
from checkin_app.domain.verdicts import Severity
from checkin_app.ui.sounds import Sounds
app = QApplication([])
sounds = Sounds()
sounds.play(Severity.RED)
print("available", sounds.available, "effects", [sounds.effect(s) for s in Severity])
"""


def test_a_desk_without_audio_output_stays_silent_without_warnings(tmp_path: Path) -> None:
    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/no-server", "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", NO_DEVICE], capture_output=True, text=True, env=env,
                          timeout=60, check=True)
    assert "available False effects [None, None, None]" in done.stdout
    # Qt says once that it found no PulseAudio; no QSoundEffect complains on every verdict.
    assert "QSoundEffect" not in done.stderr, done.stderr
