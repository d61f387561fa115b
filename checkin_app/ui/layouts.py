"""Find the box layout that holds a widget, so a window part can put its own widget beside it."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QLayout, QWidget


def holding_layout(widget: QWidget) -> tuple[QBoxLayout, int] | None:
    """The box layout (searched through nested layouts of its parent) holding `widget`, and its index."""
    parent = widget.parentWidget()
    top = parent.layout() if parent is not None else None
    stack: list[QLayout] = [top] if top is not None else []
    while stack:
        lay = stack.pop()
        if isinstance(lay, QBoxLayout):
            idx = lay.indexOf(widget)
            if idx >= 0:
                return lay, idx
        for i in range(lay.count()):
            item = lay.itemAt(i)
            child = item.layout() if item is not None else None
            if child is not None:
                stack.append(child)
    return None
