"""The verdict sounds: admit, attention and refused, with volume, mute and a repeating refusal, remembered.

`Sounds` plays the three bundled files through QtMultimedia (QSoundEffect: loaded once at start, played
asynchronously, so a sound never holds up a scan). `SoundDesk` is the window's part: the Desk ▸ Sound
menu, the mute button in the toolbar, and the verdicts it plays for.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QSettings, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect, QtAudio
from PySide6.QtWidgets import QMenu

from checkin_app.domain.messages import both, msg
from checkin_app.domain.types import ScanResult
from checkin_app.domain.verdicts import Severity
from checkin_app.paths import resource
from checkin_app.ui.result_view import IDLE_TIMEOUT_MS
from checkin_app.ui.shell import Shell

SOUND_FILES = {Severity.GREEN: "good.wav", Severity.AMBER: "attention.wav", Severity.RED: "bad.wav"}
VOLUME_STEPS = (25, 50, 75, 100)
# Full level by default: the desk's sounds compete with a hall full of people.
DEFAULT_VOLUME = 100
# A repeating refusal plays again this often, until the next scan or for as long as the red panel
# stays (the result panel goes back to idle after IDLE_TIMEOUT_MS).
REPEAT_EVERY_MS = 1500
REPEAT_FOR_MS = IDLE_TIMEOUT_MS
# Kept with the window geometry (ui/app.py): a machine's preference, not the event's data.
SETTINGS_ORG, SETTINGS_APP = "checkin-desk", "desk-window"
KEY_VOLUME, KEY_MUTED, KEY_REPEAT = "sound/volume", "sound/muted", "sound/repeat_refused"


def desk_settings() -> QSettings:
    """Where the desk remembers its sound settings (the user's settings, beside the window's)."""
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


def _flag(value: object, default: bool) -> bool:
    # An INI file gives "true"/"false" back as text; the registry and plist give booleans.
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return default if value is None else bool(value)


def _level(value: object) -> int:
    try:
        return max(0, min(100, int(str(value))))
    except ValueError:
        return DEFAULT_VOLUME


class Sounds(QObject):
    """Plays a verdict family's sound at the chosen volume unless muted; remembers the settings.

    Signals:
        played(str): a sound started, by its family ("green", "amber", "red").
        availableChanged(bool): an audio output appeared or went away.
        settingsChanged(): volume, mute or repeat changed.
    """

    played = Signal(str)
    availableChanged = Signal(bool)
    settingsChanged = Signal()

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else desk_settings()
        self.volume = _level(self.settings.value(KEY_VOLUME, DEFAULT_VOLUME))
        self.muted = _flag(self.settings.value(KEY_MUTED), False)
        self.repeat_refused = _flag(self.settings.value(KEY_REPEAT), False)
        self.repeat_every_ms = REPEAT_EVERY_MS
        self.repeat_for_ms = REPEAT_FOR_MS
        self._repeat_until = 0.0
        self._repeat = QTimer(self)
        self._repeat.timeout.connect(self._on_repeat)
        self._effects: dict[Severity, QSoundEffect] = {}
        self._devices = QMediaDevices(self)
        # A USB speaker or headset plugged in (or out): the sounds go to the new default output.
        self._devices.audioOutputsChanged.connect(self._load)
        self._load()

    def _load(self) -> None:
        was = self.available
        for effect in self._effects.values():
            effect.stop()
            effect.deleteLater()
        self._effects = {}
        # With no output at all QSoundEffect only warns on every play: stay silent and say so.
        if QMediaDevices.audioOutputs():
            device = QMediaDevices.defaultAudioOutput()
            for severity, name in SOUND_FILES.items():
                effect = QSoundEffect(device, self)
                # Loaded now, once: play() then only starts what is already in memory.
                effect.setSource(QUrl.fromLocalFile(str(resource("sounds", name))))
                self._effects[severity] = effect
            self._apply_volume()
        if self.available != was:
            self.availableChanged.emit(self.available)

    @property
    def available(self) -> bool:
        """Whether this machine has an audio output to play on."""
        return bool(self._effects)

    def effect(self, severity: Severity) -> QSoundEffect | None:
        """The loaded sound of a family (None without an audio output)."""
        return self._effects.get(severity)

    def play(self, severity: Severity, *, repeat: bool = False) -> None:
        """Start a family's sound and return at once; `repeat`: a refusal may repeat (setting)."""
        self._repeat.stop()
        effect = self._effects.get(severity)
        if effect is None or self.muted:
            return
        # A new verdict cuts the last one short: two scans in a second must not sound as one.
        for other in self._effects.values():
            if other.isPlaying():
                other.stop()
        effect.play()
        self.played.emit(severity.value)
        if repeat and severity is Severity.RED and self.repeat_refused:
            self._repeat_until = time.monotonic() + self.repeat_for_ms / 1000
            self._repeat.start(self.repeat_every_ms)

    @property
    def repeating(self) -> bool:
        """Whether a refusal is repeating now."""
        return self._repeat.isActive()

    def stop_repeat(self) -> None:
        """The next scan came: a repeating refusal ends (the sound playing now plays out)."""
        self._repeat.stop()

    def _on_repeat(self) -> None:
        effect = self._effects.get(Severity.RED)
        if effect is None or self.muted or time.monotonic() >= self._repeat_until:
            self._repeat.stop()
            return
        effect.stop()
        effect.play()
        self.played.emit(Severity.RED.value)

    # -- settings --------------------------------------------------------------------------
    def set_volume(self, volume: int) -> None:
        """0-100, on a loudness scale (each step down sounds about as much quieter)."""
        self.volume = _level(volume)
        self._apply_volume()
        self._save(KEY_VOLUME, self.volume)

    def _apply_volume(self) -> None:
        linear = QtAudio.convertVolume(self.volume / 100, QtAudio.VolumeScale.LogarithmicVolumeScale,
                                       QtAudio.VolumeScale.LinearVolumeScale)
        for effect in self._effects.values():
            effect.setVolume(linear)

    def set_muted(self, muted: bool) -> None:
        """Silence every sound (a repeating refusal too) until unmuted."""
        self.muted = muted
        if muted:
            self._repeat.stop()
            for effect in self._effects.values():
                effect.stop()
        self._save(KEY_MUTED, muted)

    def set_repeat_refused(self, on: bool) -> None:
        """Whether a refused verdict repeats its sound until the next scan."""
        self.repeat_refused = on
        if not on:
            self._repeat.stop()
        self._save(KEY_REPEAT, on)

    def _save(self, key: str, value: object) -> None:
        self.settings.setValue(key, value)
        self.settings.sync()
        self.settingsChanged.emit()


class SoundDesk(QObject):
    """The sound part of the desk window: the Desk ▸ Sound menu, the toolbar's mute button, and a
    sound for every verdict (repeating a refusal when set) that ends its repeat at the next scan.

    Signals: none (see `sounds`).
    """

    def __init__(self, shell: Shell, sounds: Sounds | None = None) -> None:
        window = shell.window()
        super().__init__(window)
        self.shell = shell
        self.sounds = sounds if sounds is not None else Sounds(parent=self)
        self._build_actions()
        self._connect_callbacks()
        self._refresh()

    def _build_actions(self) -> None:
        w = self.shell.window()
        # Fixed bilingual texts, like the other parts' menus: whoever stands at the desk finds them.
        self.menu = QMenu(both("ui.sound.menu", sep=" / "), w)
        self.menu.setObjectName("soundMenu")
        self.act_none = QAction(both("ui.sound.no_output", sep=" / "), w)
        self.act_none.setEnabled(False)
        self.act_mute = QAction(both("ui.sound.mute", sep=" / "), w)
        self.act_mute.setCheckable(True)
        self.act_mute.setShortcut(QKeySequence("Ctrl+M"))
        self.volume_group = QActionGroup(w)
        self.act_volume: dict[int, QAction] = {}
        for level in VOLUME_STEPS:
            act = QAction(both(msg("ui.sound.volume", level=level), sep=" / "), w)
            act.setCheckable(True)
            act.setData(level)
            self.volume_group.addAction(act)
            self.act_volume[level] = act
        self.act_repeat = QAction(both("ui.sound.repeat", sep=" / "), w)
        self.act_repeat.setCheckable(True)
        self.act_hear = QAction(both("ui.sound.hear", sep=" / "), w)
        self.menu.addAction(self.act_none)
        self.menu.addAction(self.act_mute)
        self.menu.addSeparator()
        for act in self.act_volume.values():
            self.menu.addAction(act)
        self.menu.addSeparator()
        self.menu.addAction(self.act_repeat)
        self.menu.addAction(self.act_hear)
        self.shell.add_desk_actions([self.menu.menuAction()], "bottom")
        self.shell.toolbar.addAction(self.act_mute)

    def _connect_callbacks(self) -> None:
        c, s = self.shell.controller, self.sounds
        c.scanQueued.connect(lambda _code: s.stop_repeat())
        c.scanFinished.connect(self._on_scan_finished)
        # The code was not checked (the database failed): the volunteer must look, like a refusal.
        c.scanFailed.connect(lambda _code, _message: s.play(Severity.RED))
        self.act_mute.toggled.connect(self._on_mute)
        self.volume_group.triggered.connect(self._on_volume)
        self.act_repeat.toggled.connect(s.set_repeat_refused)
        self.act_hear.triggered.connect(self.hear_all)
        s.availableChanged.connect(lambda _a: self._refresh())
        s.settingsChanged.connect(self._refresh)

    def _on_scan_finished(self, result: ScanResult) -> None:
        self.sounds.play(result.severity, repeat=True)

    def play(self, severity: Severity) -> None:
        """A sound for something the window itself shows (an input method took a scan: red)."""
        self.sounds.play(severity)

    def _on_mute(self, muted: bool) -> None:
        self.sounds.set_muted(muted)
        self.shell.focus_scanner()

    def _on_volume(self, action: QAction) -> None:
        self.sounds.set_volume(int(action.data()))
        # Heard at once at the new level, so the volunteer can judge it in the hall's noise.
        self.sounds.play(Severity.GREEN)
        self.shell.focus_scanner()

    def hear_all(self) -> None:
        """Admit, attention and refused, one after the other (training, or checking the speaker)."""
        for i, severity in enumerate(SOUND_FILES):
            QTimer.singleShot(700 * i, self, lambda sev=severity: self.sounds.play(sev))
        self.shell.focus_scanner()

    def _refresh(self) -> None:
        s = self.sounds
        self.act_none.setVisible(not s.available)
        for act in (self.act_mute, self.act_repeat, self.act_hear, *self.act_volume.values()):
            act.setEnabled(s.available)
        self.act_mute.setChecked(s.muted)
        self.act_repeat.setChecked(s.repeat_refused)
        chosen = self.act_volume.get(s.volume)
        if chosen is not None:
            chosen.setChecked(True)
        self.act_mute.setToolTip(both("ui.sound.muted" if s.muted else "ui.sound.on" if s.available
                                      else "ui.sound.no_output", sep=" / "))
