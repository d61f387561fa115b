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
    "verdict.other.title": ("{code}", "{code}"),
    # -- check-in (services/checkin.py) -----------------------------------------------------
    "activity.unknown": ("没有代码为 {code} 的活动", "No activity with code {code}"),
    "delegate.unknown": ("没有编号为 {id} 的人员", "No delegate with id {id}"),
    "scan.code": ("代码：{code}", "Code: {code}"),
    "scan.title_reason": ("{title}：{reason}", "{title}: {reason}"),
    "scan.code_says": (
        "证件显示：{category}，编号 {number}{walk_in}，第 {serial} 号证件，签发签到台 {desk}，"
        "有效期至 {last}。本台尚无此人资料。",
        "The code says: {category}, no. {number}{walk_in}, badge {serial}, issued by desk {desk}, "
        "valid until {last}. This desk has no record of the person yet."),
    "scan.walk_in_mark": ("（现场登记）", " (walk-in)"),
    "category.unknown_lower": ("未知类别", "unknown category"),
    "attention.and_note": ("{attention}；{note}", "{attention}；{note}"),
    "override.reason_needed": ("特许放行必须填写原因", "An override needs a reason"),
    "override.by": ("负责人 {operator} 特许放行（原结果：{was}）：{reason}",
                    "Manager override by {operator} (was: {was}): {reason}"),
    "undo.not_found": ("找不到签到记录 {uuid}", "No check-in {uuid}"),
    "undo.of_undo": ("撤销记录本身不能再撤销", "An undo cannot itself be undone"),
    "undo.already": ("该签到已撤销（{uuid}）", "This check-in was already undone ({uuid})"),
    "undo.other_desk": ("撤销签到台 {desk} 的签到", "undo of a check-in at desk {desk}"),
    # -- walk-ins (services/walkin.py) -------------------------------------------------------
    "list.sep": ("；", "; "),
    "walkin.problems": ("{problems}", "{problems}"),
    "walkin.name_needed": ("请填写姓名（本国文字或拉丁字母）", "Enter a name (native script or Latin)"),
    "walkin.unknown_country": ("未知国家或地区代码 {country}", "Unknown country/region code {country}"),
    "walkin.category_needed": ("请选择类别", "Choose a category"),
    "walkin.no_signing_key": (
        "本签到台没有经认证的签名密钥，不能现场登记（请先执行 checkin-app keys certify-desk）",
        "This desk has no certified signing key, so it cannot register walk-ins "
        "(run `checkin-app keys certify-desk` first)"),
    "category.unknown": ("没有类别 {code}", "No category {code}"),
    "activities.unknown": ("没有活动 {codes}", "No activity {codes}"),
    "walkin.numbers_used_up": ("本台密钥的现场登记编号已用完，请重新认证本台",
                               "This desk key has used all its walk-in numbers; re-certify the desk"),
    # -- manager PINs (services/pins.py) -----------------------------------------------------
    "pin.locked": ("PIN 错误次数过多，已锁定，请 {secs} 秒后再试",
                   "Too many wrong PINs: locked, try again in {secs} s"),
    "pin.name_needed": ("请填写管理员姓名（最多 100 字）",
                        "Enter the manager's name (up to 100 characters)"),
    "pin.problem": ("{problem}", "{problem}"),
    "pin.exists": ("已设置管理员 PIN，请由管理员操作", "A manager PIN already exists; ask a manager"),
    "pin.no_manager": ("没有管理员 {name}", "No manager named {name}"),
    "pin.last_manager": ("不能删除最后一位管理员", "The last manager cannot be removed"),
    "pin.none_set": ("尚未设置管理员 PIN", "No manager PIN is set yet"),
    "pin.key_missing": ("找不到 PIN 密钥文件 {path}，无法核对 PIN",
                        "The PIN key file {path} is missing: PINs cannot be checked"),
    "pin.wrong": ("PIN 错误，还可再试 {left} 次", "Wrong PIN; {left} tries left before a lock-out"),
    # -- badges and printing (services/badges.py) --------------------------------------------
    "print.reason.first": ("首次打印", "first badge"),
    "print.reason.lost": ("证件丢失", "lost"),
    "print.reason.damaged": ("证件损坏", "damaged"),
    "print.reason.data_changed": ("信息变更", "data changed"),
    "print.reason.manual": ("手动打印", "printed by hand"),
    "print.reason.batch": ("批量打印", "batch"),
    "print.state.queued": ("排队中", "queued"),
    "print.state.printing": ("打印中", "printing"),
    "print.state.done": ("已打印", "done"),
    "print.state.failed": ("打印失败", "failed"),
    "print.state.cancelled": ("已取消", "cancelled"),
    "print.state.other": ("{state}", "{state}"),
    "delegate.not_found": ("找不到编号为 {id} 的人员", "No delegate with id {id}"),
    "print.superseded": (
        "证件已补发为第 {serial} 号，旧任务（第 {job_serial} 号）不再打印；如需再打，请补打。",
        "The badge was reissued as serial {serial}; this job for serial {job_serial} will not "
        "print. Use Reprint if another copy is needed."),
    "print.unknown_reason": ("未知打印原因 {reason}", "Unknown print reason {reason}"),
    "print.no_job": ("找不到打印任务 {uuid}", "No print job {uuid}"),
    "print.interrupted": ("打印中断（程序曾关闭）", "Printing was interrupted (the program was closed)"),
    "print.still_queued": ("该任务仍在队列中", "This job is still in the queue"),
    "print.printing_no_move": ("该任务正在打印，无法改投", "This job is printing now and cannot be moved"),
    "print.no_cancel": ("任务状态为“{state}”，不能取消", "The job is {state} and cannot be cancelled"),
    "print.reprint_reason": ("补打原因必须是：{allowed}", "A reprint reason must be one of: {allowed}"),
    # -- desk settings (services/catalog.py) -------------------------------------------------
    "settings.unknown": ("未知设置 {keys}", "Unknown settings {keys}"),
    # -- the desk window (ui/) ---------------------------------------------------------------
    "error.failed": ("操作失败：{detail}", "Operation failed: {detail}"),
    "recent.exit": ("离场", "Exit"),
    "recent.undo": ("已撤销", "Undo"),
    "recent.override": ("特许放行", "Override"),
    "recent.keep": ("保留", "Keep"),
    "recent.confirm_undo_who": ("再点一次确认撤销：{who}", "Click again to undo: {who}"),
    "recent.confirm_undo": ("再点一次确认撤销", "Click again to undo"),
    "recent.undo_selected": ("撤销所选签到", "Undo selected check-in"),
    "recent.conflict": ("冲突", "conflict"),
    "recent.conflict_tip": ("冲突：另一签到台先已准许此人进入（见“冲突”页）",
                            "Conflict: another desk admitted this person first (see Conflicts)"),
    "mode.entry": ("入场", "Entry"),
    "mode.exit": ("离场", "Exit"),
    "manager.word": ("负责人", "manager"),
    "button.ok": ("确定", "OK"),
    "button.cancel": ("取消", "Cancel"),
    "pin.dialog_title": ("负责人验证", "Manager PIN"),
    "pin.needed_for": ("需要负责人 PIN：{action}", "Manager PIN needed: {action}"),
    "pin.first_title": ("设置负责人 PIN", "Set the manager PIN"),
    "pin.first_intro": (
        "本签到台还没有负责人 PIN。请现场负责人填写姓名并设置 PIN（4–12 位数字）；"
        "之后撤销、特许放行、现场登记和设置都需要此 PIN。",
        "This desk has no manager yet. The desk lead sets a name and a PIN (4–12 digits); "
        "undo, overrides, walk-ins and settings will ask for it."),
    "pin.name_label": ("姓名", "Name"),
    "pin.again_label": ("再输一次", "Again"),
    "pin.differ": ("两次输入的 PIN 不一致", "The two PINs differ"),
    "setup.title": ("签到台设置", "Desk set-up"),
    "setup.intro": ("请为本签到台命名，并选择它负责的入口或活动。之后可在“签到台”菜单中更改。",
                    "Name this desk and choose where it admits people. You can change this later "
                    "from the Desk menu."),
    "setup.desk": ("签到台名称", "Desk name"),
    "setup.desk_hint": ("例如：A 厅 3 号台", "e.g. Hall A desk 3"),
    "setup.activity": ("入口或活动", "Entrance or activity"),
    "setup.no_data": (
        "本签到台还没有大会数据。请连接中心服务器，或从U盘导入中心服务器的数据包（需负责人 PIN）。",
        "This desk has no event data yet. Connect it to the hub, or import the hub's data "
        "from a USB stick (manager PIN)."),
    "setup.connect": ("连接中心服务器…", "Connect to hub…"),
    "setup.bundles": ("U盘数据包…", "USB stick bundles…"),
    "result.checking": ("正在核验…", "Checking…"),
    "result.error": ("出错了，未能核验", "Error: not checked"),
    "result.error_next": ("请重新扫描；如仍失败请联系现场负责人。",
                          "Scan again; if it keeps failing, call the desk lead."),
    "result.undone": ("签到已撤销", "Check-in undone"),
    "result.undone_next": ("该次签到不再计入；如需入场请重新扫描。",
                           "That check-in no longer counts; scan again to admit."),
    "result.scan": ("请扫描", "Please scan"),
    "result.scan_next": ("扫描二维码，或按 Ctrl+F 按姓名查找。",
                         "Scan the QR code, or press Ctrl+F to search by name."),
    "result.walk_in": ("现场登记", "Walk-in"),
    "result.first_check_in": ("首次签到 {hm} · 签到台 {desk}", "First check-in {hm} at desk {desk}"),
    "override.by_no_reason": ("负责人 {operator} 特许放行（原结果：{was}）",
                              "Manager override by {operator} (was: {was})"),
    # What ends override.by's verdict and starts its reason (a recorded line is read back).
    "override.reason_mark": ("）：", "): "),
}

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
