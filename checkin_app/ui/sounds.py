"""Optional verdict tones; silent when QtMultimedia is not installed (PySide6-Essentials)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QUrl

from checkin_app.domain.verdicts import Severity
from checkin_app.paths import resource

try:  # QtMultimedia ships in PySide6-Addons, which a desk may not have.
    from PySide6.QtMultimedia import QSoundEffect
except ImportError:  # pragma: no cover - depends on the installed wheels
    QSoundEffect = None

_FILES = {Severity.GREEN: "good.wav", Severity.AMBER: "attention.wav", Severity.RED: "bad.wav"}


class Sounds(QObject):
    """Plays the good, attention or bad tone unless muted. Signals: none."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.muted = False
        self._effects: dict[Severity, Any] = {}
        if QSoundEffect is None:
            return
        for sev, name in _FILES.items():
            try:
                path = resource("sounds", name)
            except FileNotFoundError:
                continue
            if path.is_file():
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(0.8)
                self._effects[sev] = effect

    @property
    def available(self) -> bool:
        """Whether any tone can be played on this machine."""
        return bool(self._effects)

    def play(self, severity: Severity) -> None:
        """Play the tone for a verdict colour."""
        effect = self._effects.get(severity)
        if effect is not None and not self.muted:
            effect.play()
