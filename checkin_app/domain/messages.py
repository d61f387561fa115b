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

Lang = Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class Message:
    """What happened, as a catalogue code and the data its words need."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)


def msg(code: str, **params: object) -> Message:
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


Refusal = DeskError


# code -> (zh, en). Add a code here with both languages and the same named fields in each
# (tests/domain/test_messages.py checks); never reuse a code for a different meaning.
CATALOGUE: dict[str, tuple[str, str]] = {
    # -- verdicts (DESIGN §6): a title and the next step for each code -----------------------
    "verdict.ADMIT.title": ("准许入场", "Admit"),
    "verdict.ADMIT.next": ("请放行，并递交证件。", "Let them in and hand over the badge."),
    "verdict.ADMIT_WITH_ATTENTION.title": ("准许入场·请注意", "Admit — attention"),
    "verdict.ADMIT_WITH_ATTENTION.next": ("请放行，并按所示提示处理。",
                                          "Let them in and follow the note shown."),
    "verdict.ALREADY_IN.title": ("已签到", "Already checked in"),
    "verdict.ALREADY_IN.next": ("此人已签到，见所示时间和签到台。",
                                "This person has already checked in; see the time and desk shown."),
    "verdict.SIGNATURE_ONLY.title": ("证件有效（本机无资料）", "Valid code (not yet synced here)"),
    "verdict.SIGNATURE_ONLY.next": ("请按证件显示的信息放行。", "Admit according to what the code says."),
    "verdict.NOT_ADMITTED_HERE.title": ("本场不可入场", "Not admitted here"),
    "verdict.NOT_ADMITTED_HERE.next": (
        "该类别不能进入本场活动，请引导至咨询台。",
        "This category may not enter this activity; direct them to the help desk."),
    "verdict.NOT_OPEN_YET.title": ("尚未开始入场", "Not open yet"),
    "verdict.NOT_OPEN_YET.next": (
        "入场尚未开始，请在开放时间后再来。",
        "Entry has not opened yet; ask them to come back at the opening time."),
    "verdict.CLOSED.title": ("入场已结束", "Closed"),
    "verdict.CLOSED.next": ("本场入场已结束，请引导至咨询台。",
                            "Entry has closed; direct them to the help desk."),
    "verdict.FULL.title": ("场地已满", "Full"),
    "verdict.FULL.next": ("会场已满，请等待有人离场或联系现场负责人。",
                          "The hall is full; wait for someone to leave or call the desk lead."),
    "verdict.CANCELLED.title": ("报名已取消", "Registration cancelled"),
    "verdict.CANCELLED.next": ("请勿放行，请引导至注册咨询台。",
                               "Do not admit; send them to the registration help desk."),
    "verdict.REVOKED.title": ("证件已作废", "Badge revoked"),
    "verdict.REVOKED.next": ("此证件已被替换，请收回并引导至咨询台。",
                             "This badge was replaced; keep it and send them to the help desk."),
    "verdict.FORGED.title": ("伪造或无效证件", "Forged or invalid code"),
    "verdict.FORGED.next": ("请勿放行，请联系安保或现场负责人。",
                            "Do not admit; call security or the desk lead."),
    "verdict.INCOMPLETE_CODE.title": ("扫描不完整，请重新扫描", "Incomplete scan: scan again"),
    "verdict.INCOMPLETE_CODE.next": (
        "代码读取不完整，请重新扫描；多次失败请按姓名查找。",
        "The code was cut short or misread; scan it again. If it keeps failing, search by name."),
    "verdict.UNKNOWN_CODE.title": ("无法识别的代码", "Unknown code"),
    "verdict.UNKNOWN_CODE.next": ("请重新扫描，或按姓名查找。", "Scan again, or search by name."),
    "verdict.WRONG_EVENT.title": ("非本次活动证件", "Code for another event"),
    "verdict.WRONG_EVENT.next": ("这不是本次大会的证件，请按姓名查找。",
                                 "This code is for another event; search by name."),
    "verdict.EXIT.title": ("已离场", "Exit recorded"),
    "verdict.EXIT.next": ("请放行离场。", "Let them out."),
}

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
    values = {k: text(v, lang) if isinstance(v, Message) else v
              for k, v in message.params.items()}
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
        return (f"[{message.code}] {template}（消息缺少参数 {exc}）" if zh
                else f"[{message.code}] {template} (message parameter missing: {exc})")


def both(message: Message | str, first_lang: str = "zh", sep: str = "\n") -> str:
    """Both languages, `first_lang` first, joined by `sep` (the desk shows both to everyone)."""
    first, second = ("en", "zh") if first_lang == "en" else ("zh", "en")
    return f"{text(message, first)}{sep}{text(message, second)}"


def pair(message: Message | str) -> tuple[str, str]:
    """(zh, en) of a message, for the `message_zh` / `message_en` fields that stay as they are."""
    return text(message, "zh"), text(message, "en")
