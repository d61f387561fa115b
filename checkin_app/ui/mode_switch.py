"""Entry / exit mode at the desk: two large toggles; exit mode colours the scan card."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QPushButton, QWidget

from checkin_app.ui.texts import say

EXIT_COLOUR = "#E65100"


class ModeSwitch(QFrame):
    """Entry or exit for every following scan (exits never fail for rules).

    Signals:
        directionChosen(str): "in" or "out", when the volunteer switches.
    """

    directionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modeSwitch")
        self.direction = "in"
        self.entry = QPushButton()
        self.exit = QPushButton()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        for i, b in enumerate((self.entry, self.exit)):
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scanner keeps the keyboard
            self.group.addButton(b, i)
            lay.addWidget(b)
        self.entry.setChecked(True)
        self.group.idClicked.connect(self._on_clicked)
        self.set_language("zh")
        self._restyle()

    def set_language(self, lang: str) -> None:
        """Both words on each button, `lang` first (someone new at the door must read it)."""
        self.entry.setText(say("mode.entry", lang))
        self.exit.setText(say("mode.exit", lang))

    def set_direction(self, direction: str) -> None:
        """Show the stored mode (no signal)."""
        self.direction = "out" if direction == "out" else "in"
        (self.exit if self.direction == "out" else self.entry).setChecked(True)
        self._restyle()

    def _on_clicked(self, button_id: int) -> None:
        direction = "out" if button_id == 1 else "in"
        if direction != self.direction:
            self.set_direction(direction)
            self.directionChosen.emit(direction)

    def _restyle(self) -> None:
        on = f"background: {EXIT_COLOUR if self.direction == 'out' else '#1565C0'}; color: white;"
        base = "font-size: 15px; font-weight: bold; padding: 6px 14px; border: 1px solid #90A4AE;"
        self.entry.setStyleSheet(base + "border-radius: 0; border-top-left-radius: 8px;"
                                 " border-bottom-left-radius: 8px;"
                                 + (on if self.direction == "in" else "background: white;"))
        self.exit.setStyleSheet(base + "border-radius: 0; border-top-right-radius: 8px;"
                                " border-bottom-right-radius: 8px;"
                                + (on if self.direction == "out" else "background: white;"))
