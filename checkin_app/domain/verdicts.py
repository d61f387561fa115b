"""Verdict codes (DESIGN §6), their severity and the bilingual words shown to the volunteer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """What a scan means for the person in front of the desk."""

    ADMIT = "ADMIT"
    ADMIT_WITH_ATTENTION = "ADMIT_WITH_ATTENTION"
    ALREADY_IN = "ALREADY_IN"
    SIGNATURE_ONLY = "SIGNATURE_ONLY"
    NOT_ADMITTED_HERE = "NOT_ADMITTED_HERE"
    NOT_OPEN_YET = "NOT_OPEN_YET"
    CLOSED = "CLOSED"
    FULL = "FULL"
    CANCELLED = "CANCELLED"
    REVOKED = "REVOKED"
    FORGED = "FORGED"
    INCOMPLETE_CODE = "INCOMPLETE_CODE"  # a signed code cut short or misread: scan it again
    UNKNOWN_CODE = "UNKNOWN_CODE"
    WRONG_EVENT = "WRONG_EVENT"


class Severity(StrEnum):
    """Colour family of a verdict: green admit, amber admit-but-look, red stop."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, slots=True)
class Wording:
    """Headline and next step for the volunteer, in both languages."""

    title_zh: str
    title_en: str
    next_zh: str
    next_en: str


# Each text names the next action, because a student volunteer must not have to think. The
# next step is not always at the bottom of what the volunteer sees, so no text points "below"
# or "above": it says "shown".
WORDING: dict[Verdict, Wording] = {
    Verdict.ADMIT: Wording(
        "准许入场", "Admit", "请放行，并递交证件。", "Let them in and hand over the badge."
    ),
    Verdict.ADMIT_WITH_ATTENTION: Wording(
        "准许入场·请注意",
        "Admit — attention",
        "请放行，并按所示提示处理。",
        "Let them in and follow the note shown.",
    ),
    Verdict.ALREADY_IN: Wording(
        "已签到",
        "Already checked in",
        "此人已签到，见所示时间和签到台。",
        "This person has already checked in; see the time and desk shown.",
    ),
    Verdict.SIGNATURE_ONLY: Wording(
        "证件有效（本机无资料）",
        "Valid code (not yet synced here)",
        "请按证件显示的信息放行。",
        "Admit according to what the code says.",
    ),
    Verdict.NOT_ADMITTED_HERE: Wording(
        "本场不可入场",
        "Not admitted here",
        "该类别不能进入本场活动，请引导至咨询台。",
        "This category may not enter this activity; direct them to the help desk.",
    ),
    Verdict.NOT_OPEN_YET: Wording(
        "尚未开始入场",
        "Not open yet",
        "入场尚未开始，请在开放时间后再来。",
        "Entry has not opened yet; ask them to come back at the opening time.",
    ),
    Verdict.CLOSED: Wording(
        "入场已结束",
        "Closed",
        "本场入场已结束，请引导至咨询台。",
        "Entry has closed; direct them to the help desk.",
    ),
    Verdict.FULL: Wording(
        "场地已满",
        "Full",
        "会场已满，请等待有人离场或联系现场负责人。",
        "The hall is full; wait for someone to leave or call the desk lead.",
    ),
    Verdict.CANCELLED: Wording(
        "报名已取消",
        "Registration cancelled",
        "请勿放行，请引导至注册咨询台。",
        "Do not admit; send them to the registration help desk.",
    ),
    Verdict.REVOKED: Wording(
        "证件已作废",
        "Badge revoked",
        "此证件已被替换，请收回并引导至咨询台。",
        "This badge was replaced; keep it and send them to the help desk.",
    ),
    Verdict.FORGED: Wording(
        "伪造或无效证件",
        "Forged or invalid code",
        "请勿放行，请联系安保或现场负责人。",
        "Do not admit; call security or the desk lead.",
    ),
    Verdict.INCOMPLETE_CODE: Wording(
        "扫描不完整，请重新扫描",
        "Incomplete scan: scan again",
        "代码读取不完整，请重新扫描；多次失败请按姓名查找。",
        "The code was cut short or misread; scan it again. If it keeps failing, search by name.",
    ),
    Verdict.UNKNOWN_CODE: Wording(
        "无法识别的代码",
        "Unknown code",
        "请重新扫描，或按姓名查找。",
        "Scan again, or search by name.",
    ),
    Verdict.WRONG_EVENT: Wording(
        "非本次活动证件",
        "Code for another event",
        "这不是本次大会的证件，请按姓名查找。",
        "This code is for another event; search by name.",
    ),
}

EXIT_WORDING = Wording("已离场", "Exit recorded", "请放行离场。", "Let them out.")
"""The words of a recorded exit (direction "out"): an exit is never shown as "admit"."""


def wording(verdict: Verdict | str, direction: str = "in") -> Wording:
    """The words for a recorded or shown verdict; exits (direction "out") have their own.

    An unknown code (a newer desk's verdict in a synced event) gets its code as its words.
    """
    if direction == "out" and verdict != "UNDO":
        return EXIT_WORDING
    try:
        return WORDING[Verdict(verdict)]
    except ValueError:
        text = str(verdict)
        return Wording(text, text, "", "")


_GREEN = {Verdict.ADMIT}
_AMBER = {Verdict.ADMIT_WITH_ATTENTION, Verdict.SIGNATURE_ONLY}


def verdict_title(code: str) -> tuple[str, str]:
    """A recorded verdict code in words (zh, en); an unknown code stays as it is."""
    w = wording(code)
    return w.title_zh, w.title_en


def severity(verdict: Verdict, admitted: bool) -> Severity:
    """Colour for a verdict; ALREADY_IN is amber when re-entry lets them in, red otherwise."""
    if verdict in _GREEN:
        return Severity.GREEN
    if verdict in _AMBER:
        return Severity.AMBER
    if verdict is Verdict.ALREADY_IN:
        return Severity.AMBER if admitted else Severity.RED
    return Severity.RED


ADMITTING = frozenset({Verdict.ADMIT, Verdict.ADMIT_WITH_ATTENTION, Verdict.SIGNATURE_ONLY})
