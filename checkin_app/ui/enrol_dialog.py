"""Enrol this desk with a hub: paste or scan the enrolment code the hub shows."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

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
        self.setWindowTitle("连接中心服务器 / Connect to hub")
        self.setMinimumWidth(560)
        intro = QLabel(
            "在中心服务器上运行 checkin-app hub enrol-desk 名称（或打开看板的“注册签到台”页面），"
            "然后在此扫描二维码或粘贴注册码。\n"
            "At the hub run `checkin-app hub enrol-desk NAME` (or open “Enrol a desk” on the "
            "dashboard), then scan the QR code or paste the code here.")
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
        self.message.setText("正在连接… / Connecting…")
        self.buttons.setEnabled(False)
        self.bridge.enrol(code, self.manager)

    def _on_enrolled(self, desk: str) -> None:
        self.message.setText(f"已连接，签到台名称：{desk} / Enrolled as desk “{desk}”")
        self.accept()

    def _on_failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(message)
        self.field.selectAll()
        self.field.setFocus()


def again_text(hub_url: str, manager: str) -> str:
    """What enrolling again means, for a desk that belongs to `hub_url` now (zh and en)."""
    who = manager or "负责人"
    who_en = manager or "a manager"
    return (f"本签到台已连接中心服务器 {hub_url}。用新的注册码注册后，本台改属该中心服务器"
            f"（由 {who} 操作，记入审计日志）。\n"
            f"This desk is connected to the hub {hub_url}. Enrolling with a new code moves it to "
            f"that hub (by {who_en}; audited).")
