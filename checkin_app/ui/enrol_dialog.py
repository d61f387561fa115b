"""Enrol this desk with a hub: paste or scan the enrolment code the hub shows."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from checkin_app.domain.messages import both, msg
from checkin_app.ui.sync_bridge import SyncBridge


class EnrolDialog(QDialog):
    """One field for the code (a scanner types into it like a keyboard), OK and Cancel.

    The enrolment runs in the background; the dialog closes on success and shows the bilingual
    reason on failure (used code, revoked desk, certificate that does not match the pin…).

    `manager` is who opened it with a PIN: a desk that already belongs to a hub (`hub_url`) is
    moved, or enrolled anew, only by a manager, and the move is audited in that name. Without
    one the enrolment is refused with the reason (nothing changes, the code stays unused).
    """

    def __init__(self, bridge: SyncBridge, *, lang: str = "zh", manager: str = "",
                 hub_url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.manager = manager
        self.setWindowTitle(both("ui.enrol.title", sep=" / "))
        self.setMinimumWidth(560)
        intro = QLabel(both("ui.enrol.intro"))
        intro.setWordWrap(True)
        # Said before the code is scanned: this replaces the hub the desk trusts now.
        self.current = QLabel(again_text(hub_url, manager) if hub_url else "")
        self.current.setObjectName("hint")
        self.current.setWordWrap(True)
        self.current.setVisible(bool(hub_url))
        self.field = QLineEdit()
        self.field.setObjectName("enrolCode")
        self.field.setPlaceholderText("checkin-enrol:v1?u=…")
        self.message = QLabel()
        self.message.setObjectName("statusError")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.current)
        lay.addWidget(self.field)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.field.returnPressed.connect(self._on_ok)
        bridge.enrolled.connect(self._on_enrolled)
        bridge.enrolFailed.connect(self._on_failed)
        self.field.setFocus()

    def _on_ok(self) -> None:
        code = self.field.text().strip()
        if not code:
            return
        self.message.setText(both("ui.enrol.connecting", sep=" / "))
        self.buttons.setEnabled(False)
        self.bridge.enrol(code, self.manager)

    def _on_enrolled(self, desk: str) -> None:
        self.message.setText(both(msg("ui.enrol.enrolled", desk=desk), sep=" / "))
        self.accept()

    def _on_failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(message)
        self.field.selectAll()
        self.field.setFocus()


def again_text(hub_url: str, manager: str) -> str:
    """What enrolling again means, for a desk that belongs to `hub_url` now (zh and en)."""
    return both(msg("ui.enrol.again", hub=hub_url, who=manager or msg("ui.enrol.a_manager")))
