"""Words event files hold that the program reads back: sheet and column names, yes/no, modes, aliases.

Data, not messages: a workbook written with these names must be found again by them (and by
the older spellings an organiser may type), so they stay literal here rather than in the catalogue.
"""

from __future__ import annotations

# Sheet titles (Excel does not allow "/" in a sheet name) and the words that find them again.
SHEETS = {"event": "大会 Event", "activities": "活动 Activities", "categories": "类别 Categories"}
SHEET_WORDS = {"event": ("大会", "event"), "activities": ("活动", "activit"),
               "categories": ("类别", "categor")}

# Each field's column (or row) name, Chinese and English: key -> (zh, en), in file order.
EVENT_NAMES: dict[str, tuple[str, str]] = {
    "code": ("大会代码", "Event code"),
    "name_zh": ("中文名称", "Chinese name"),
    "name_en": ("英文名称", "English name"),
    "venue_zh": ("会场（中文）", "Venue (Chinese)"),
    "venue_en": ("会场（英文）", "Venue (English)"),
    "timezone": ("时区", "Time zone"),
    "starts_on": ("开始日期", "First day"),
    "ends_on": ("结束日期", "Last day"),
}
ACTIVITIES_NAMES: dict[str, tuple[str, str]] = {
    "code": ("代码", "Code"),
    "name_zh": ("中文名称", "Chinese name"),
    "name_en": ("英文名称", "English name"),
    "hall_zh": ("场地（中文）", "Hall (Chinese)"),
    "hall_en": ("场地（英文）", "Hall (English)"),
    "day": ("日期", "Day"),
    "start": ("开始时间", "Start"),
    "end": ("结束时间", "End"),
    "end_day": ("结束日期", "End day"),
    "doors_before": ("提前入场（分钟）", "Doors open before (min)"),
    "doors_after": ("延后入场（分钟）", "Doors open after (min)"),
    "capacity": ("容量", "Capacity"),
    "admits": ("准入类别", "Admitted categories"),
    "except": ("排除类别", "Excepted categories"),
    "mode": ("入场方式", "Entry mode"),
    "exits_scanned": ("扫描离场", "Exits scanned"),
    "main": ("主入口", "Main entrance"),
    "archived": ("已归档", "Archived"),
}
CATEGORIES_NAMES: dict[str, tuple[str, str]] = {
    "code": ("代码", "Code"),
    "name_zh": ("中文名称", "Chinese name"),
    "name_en": ("英文名称", "English name"),
    "colour": ("颜色", "Colour"),
    "badge_template": ("证件模板", "Badge template"),
    "attention": ("需关注", "Attention"),
    "attention_zh": ("提示（中文）", "Attention text (Chinese)"),
    "attention_en": ("提示（英文）", "Attention text (English)"),
    "default_activities": ("默认活动", "Default activities"),
    "aliases": ("别名", "Aliases"),
}

# Words organisers write for a mode in a spreadsheet cell, beside the codes themselves.
MODE_WORDS = {
    "single": "single", "单次": "single", "单次入场": "single", "once": "single",
    "reentry": "reentry", "re-entry": "reentry", "可重复": "reentry", "可重复入场": "reentry",
    "once_per_day": "once_per_day", "once-per-day": "once_per_day", "每天一次": "once_per_day",
    "每日一次": "once_per_day",
}
# yes / no as a cell may say it; a workbook the program writes says YES or NO.
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "对", "√", "✓", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "不", ""})
YES, NO = "是", "否"
# A list item meaning every category.
ALL_WORDS = frozenset({"*", "全部", "ALL", "all"})
# Characters that separate items (aliases, codes) in a spreadsheet cell.
ALIAS_SEPARATORS = r"[,;，；、\n\r\t]"
# A time typed with a full-width colon ("09：30") is still a time.
FULL_WIDTH_COLON = "："
# The blank starter's category aliases: what registration exports may call them.
BLANK_ALIASES = {"VIP": ("嘉宾", "Guest"), "ATTENDEE": ("普通参会", "参会代表")}
