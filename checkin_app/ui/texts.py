"""Words the desk's parts share: a bilingual message for any failure."""

from __future__ import annotations


def error_text(exc: BaseException) -> str:
    """A bilingual message for any failure (service errors already carry both languages)."""
    text = str(exc).strip()
    if "\n" in text:
        return text
    return f"操作失败：{text or type(exc).__name__}\nOperation failed: {text or type(exc).__name__}"
