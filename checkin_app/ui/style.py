"""Colours, sizes and the stylesheet of the desk: high contrast, readable from two metres."""

from __future__ import annotations

from dataclasses import dataclass

from checkin_app.domain.verdicts import Severity

LATIN_FAMILY = "Noto Sans"
CJK_FAMILY = "WenQuanYi Micro Hei"
FAMILIES = [LATIN_FAMILY, CJK_FAMILY]


@dataclass(frozen=True, slots=True)
class Palette:
    """Background and text colour of one panel state."""

    background: str
    text: str
    accent: str


GREEN = Palette("#1B7F3A", "#FFFFFF", "#0F5A27")
AMBER = Palette("#F5B301", "#1A1A1A", "#B37F00")
RED = Palette("#C62828", "#FFFFFF", "#8E1414")
IDLE = Palette("#ECEFF1", "#263238", "#90A4AE")
PENDING = Palette("#455A64", "#FFFFFF", "#263238")
ERROR = Palette("#4E342E", "#FFFFFF", "#BF360C")
UNDONE = Palette("#37474F", "#FFFFFF", "#1C262B")

BY_SEVERITY = {Severity.GREEN: GREEN, Severity.AMBER: AMBER, Severity.RED: RED}

STYLESHEET = """
QMainWindow, QDialog { background: #F7F9FA; }
QWidget { color: #1F2A30; }
QLineEdit {
    font-size: 20px; padding: 8px 12px; border: 2px solid #B0BEC5; border-radius: 8px;
    background: #FFFFFF;
}
QLineEdit:focus { border-color: #1565C0; }
QLineEdit#scanField { font-size: 24px; font-weight: bold; letter-spacing: 1px; }
QLineEdit#scanField:focus { border: 3px solid #1565C0; background: #F1F8FF; }
QPushButton {
    font-size: 16px; padding: 8px 16px; border-radius: 8px; border: 1px solid #90A4AE;
    background: #FFFFFF;
}
QPushButton:hover { background: #E3F2FD; }
QPushButton:disabled { color: #9AA5AB; background: #F0F2F3; }
QPushButton#primary { background: #1565C0; color: #FFFFFF; border: none; font-weight: bold; }
QPushButton#primary:hover { background: #0D47A1; }
QPushButton#primary:disabled { background: #90A4AE; }
QPushButton#danger { background: #C62828; color: #FFFFFF; border: none; font-weight: bold; }
QLabel#sectionTitle { font-size: 15px; font-weight: bold; color: #546E7A; }
QLabel#hint { font-size: 13px; color: #607D8B; }
QFrame#card { background: #FFFFFF; border: 1px solid #DDE3E6; border-radius: 12px; }
QTableWidget, QListWidget {
    font-size: 16px; background: #FFFFFF; border: none; gridline-color: #ECEFF1;
    selection-background-color: #BBDEFB; selection-color: #0D1B2A;
}
QHeaderView::section {
    font-size: 13px; color: #607D8B; background: #FFFFFF; border: none;
    border-bottom: 1px solid #DDE3E6; padding: 4px 6px;
}
QStatusBar { font-size: 14px; background: #263238; color: #ECEFF1; }
QStatusBar QLabel { color: #ECEFF1; padding: 0 8px; }
QStatusBar QLabel#rehearsal {
    background: #F5B301; color: #1A1A1A; font-weight: bold; border-radius: 4px;
}
QStatusBar QLabel#statusError { color: #FFAB91; font-weight: bold; }
QDialog QLabel#statusError { color: #C62828; font-weight: bold; }
QToolBar { spacing: 8px; padding: 4px; background: #FFFFFF; border-bottom: 1px solid #DDE3E6; }
QToolBar QToolButton { font-size: 15px; padding: 6px 12px; border-radius: 6px; }
QToolBar QToolButton:hover { background: #E3F2FD; }
QToolBar QLabel#eventTitle { font-size: 17px; font-weight: bold; padding-left: 8px; }
QTabWidget#lowerTabs::pane { border: 1px solid #DDE3E6; border-radius: 12px; background: #FFFFFF; top: -1px; }
QTabWidget#lowerTabs QTabBar::tab {
    font-size: 15px; font-weight: bold; color: #546E7A; background: #ECEFF1; padding: 6px 14px;
    border: 1px solid #DDE3E6; border-bottom: none; border-top-left-radius: 8px; border-top-right-radius: 8px;
    margin-right: 4px;
}
QTabWidget#lowerTabs QTabBar::tab:selected { background: #FFFFFF; color: #1565C0; }
"""
