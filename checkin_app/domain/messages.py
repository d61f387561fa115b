"""One catalogue of what the desk says: message codes with parameters, their Chinese and English words.

Services raise and return a Message (a code and its parameters), never a sentence; the UI, the
CLI and `--json` turn it into words here. A template is `str.format` style with named fields; a
parameter that is itself a Message is put into words in the same language first.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from checkin_app.domain import words

Lang = Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class Message:
    """What happened, as a catalogue code and the data its words need."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Words:
    """A parameter that is data in both languages already (a category's names from the event)."""

    zh: str
    en: str


def msg(code: str, /, **params: object) -> Message:
    """A Message, written the short way: msg("pin.wrong", left=2)."""
    return Message(code, params)


class DeskError(Exception):
    """A request a desk service refuses; carries a Message, and `str()` is both languages.

    A plain string is still taken (modules not converted yet raise their own bilingual text).
    """

    def __init__(self, message: Message | str) -> None:
        self.message: Message | None = message if isinstance(message, Message) else None
        super().__init__(both(message) if isinstance(message, Message) else message)

    def text(self, lang: str) -> str:
        """The refusal in one language (the raw text when it came as a string)."""
        return text(self.message, lang) if self.message is not None else str(self)



# code -> (zh, en), merged from the parts in checkin_app/domain/words/ (one per area, so two
# people adding words do not edit one file). tests/domain/test_messages.py checks both languages
# and the same named fields; never reuse a code for a different meaning.
CATALOGUE: dict[str, tuple[str, str]] = words.CATALOGUE

FULL_STOPS = " .。"
"""Full stops (and spaces) of both languages, for comparing texts without their ending."""

_FORMATTER = string.Formatter()


def fields(template: str) -> frozenset[str]:
    """The named fields a template uses ("{left} s" -> {"left"})."""
    return frozenset(name.split(".")[0].split("[")[0]
                     for _lit, name, _spec, _conv in _FORMATTER.parse(template) if name)


def has(code: str) -> bool:
    """Whether the catalogue knows a code."""
    return code in CATALOGUE


def text(message: Message | str, lang: str) -> str:
    """A message in one language ("zh" or "en"; anything else is English).

    Never raises: an unknown code, or a template missing a parameter, shows the code and says so.
    """
    if isinstance(message, str):
        message = Message(message)
    zh = lang == "zh"
    pair = CATALOGUE.get(message.code)
    if pair is None:
        return (f"[{message.code}]（目录中没有此消息代码）" if zh
                else f"[{message.code}] (message code not in the catalogue)")
    template = pair[0] if zh else pair[1]
    values = {k: _value(v, lang) for k, v in message.params.items()}
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
        return (f"[{message.code}] {template}（消息缺少参数 {exc}）" if zh
                else f"[{message.code}] {template} (message parameter missing: {exc})")


def _value(value: object, lang: str) -> object:
    if isinstance(value, Message):
        return text(value, lang)
    if isinstance(value, Words):
        return value.zh if lang == "zh" else value.en
    return value


def both(message: Message | str, first_lang: str = "zh", sep: str = "\n") -> str:
    """Both languages, `first_lang` first, joined by `sep` (the desk shows both to everyone)."""
    first, second = ("en", "zh") if first_lang == "en" else ("zh", "en")
    return f"{text(message, first)}{sep}{text(message, second)}"


def pair(message: Message | str) -> tuple[str, str]:
    """(zh, en) of a message, for the `message_zh` / `message_en` fields that stay as they are."""
    return text(message, "zh"), text(message, "en")
