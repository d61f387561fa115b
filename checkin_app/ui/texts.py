"""Words the desk's parts share: catalogue messages in the views' order, a bilingual text for any failure."""

from __future__ import annotations

from checkin_app.domain.messages import DeskError, Message, both, msg, text


def other(lang: str) -> str:
    """The language that is not `lang` (the desk shows the second one after the first)."""
    return "en" if lang == "zh" else "zh"


def word(message: Message | str, lang: str) -> str:
    """A catalogue message (or code) in one language, for a place with room for one."""
    return text(message, lang)


def say(message: Message | str, lang: str, sep: str = " ") -> str:
    """A catalogue message (or code) in both languages, the UI's first ("入场 Entry" / "Entry 入场").

    Someone new at the desk may read only one of them, so the views show both.
    """
    return both(message, first_lang=lang, sep=sep)


def error_text(exc: BaseException) -> str:
    """A bilingual message for any failure (a service error's Message, else its own text)."""
    if isinstance(exc, DeskError) and exc.message is not None:
        return both(exc.message)
    raw = str(exc).strip()
    if "\n" in raw:  # a module not converted yet: its text already has both languages
        return raw
    return both(msg("error.failed", detail=raw or type(exc).__name__))
