"""Words of verdict reasons: the admission rules and badge tokens."""

WORDS: dict[str, tuple[str, str]] = {
    # -- admission rules (domain/admission.py): why a verdict, under its title -------------------
    "admission.cancelled": ("报名名单中此人的状态为“已取消”",
                            "The registration list marks this person as cancelled"),
    # Chinese says "this activity" / "this session" where English names it ({activity} is Words).
    "admission.this_activity": ("此活动", "this activity"),
    "admission.this_session": ("本场", "this session"),
    "admission.withdrawn": ("{activity}已从日程中撤下", "{activity} was withdrawn from the programme"),
    "admission.category_not_admitted": ("类别 {category} 不在{activity}准入范围",
                                        "Category {category} is not admitted to {activity}"),
    "admission.not_open": ("{opens} 开始入场（活动 {starts} 开始）", "Doors open {opens} (starts {starts})"),
    "admission.ended": ("活动已于 {ended} 结束", "Ended at {ended}"),
    "admission.first_in": ("首次签到 {at}，签到台 {desk}", "First checked in {at} at desk {desk}"),
    "admission.first_in_today": ("今日首次签到 {at}，签到台 {desk}",
                                 "First checked in today {at} at desk {desk}"),
    "admission.single_entry": ("{first}（不可重复入场）", "{first} (single entry)"),
    "admission.full": ("已达容量 {capacity} 人", "Capacity of {capacity} reached"),
    # The person's attention note: one text (event data) shown to both languages.
    "admission.note": ("{note}", "{note}"),
    # -- badge tokens (domain/tokens.py) --------------------------------------------------------
    "token.no_keys": ("本签到台尚未导入活动公钥，无法核验证件（请联系现场负责人登记本台）",
                      "This desk holds no event keys yet and cannot check badges "
                      "(ask the desk lead to enrol it)"),
    "token.wrong_event": ("证件属于其他活动", "The code belongs to another event"),
    "token.malformed": ("代码长度或结构不对，像是扫描中断或读错",
                        "The code's length or structure is wrong, as after a cut-short or misread scan"),
    "token.unknown_key": ("签发密钥未知", "Signed by an unknown key"),
    "token.bad_signature": ("签名无效", "The signature does not match"),
    "token.because": ("，原因：{reason}", "; reason: {reason}"),
    "token.desk_key_revoked": ("签发签到台「{desk}」的密钥已于 {at} 作废{because}",
                               "The key of issuing desk “{desk}” was revoked on {at}{because}"),
    "token.key_retired": ("签发密钥已于 {at} 停用{because}（需换发新证）",
                          "The signing key was retired on {at}{because} (a new badge is needed)"),
    "token.not_yet_valid": ("证件自 {first} 起有效", "The badge is valid from {first}"),
    "token.expired": ("证件有效期至 {last}，已过期", "The badge expired (valid until {last})"),
    # A replaced badge: its parts joined one by one with token.serial.and.
    "token.serial.replaced": ("第 {serial} 号证件已作废", "Badge no. {serial} was replaced"),
    "token.serial.current": ("现有效证件为第 {current} 号", "the valid badge is no. {current}"),
    "token.serial.when": ("作废时间 {at}{where}", "on {at}{where}"),
    "token.serial.at_desk": ("，签到台 {desk}", " at desk {desk}"),
    "token.serial.reason": ("原因：{reason}", "reason: {reason}"),
    "token.serial.and": ("{first}；{then}", "{first}; {then}"),
}
