"""Words and patterns the import reads in registration exports (data, not messages): status words,
junk and section rows, placeholder names, track words, separators and date forms."""

from __future__ import annotations

# -- importers/text.py: separators, survey answer letters, dates, the Han range ------------------
# Separators between several values in one cell (activities): 、，,;；／/| and line breaks.
LIST_SEPARATORS = r"[、，,;；／/|｜┋¦\r\n]+"
# A survey answer's letter: "A.嘉宾", "B、媒体", "C) Guest".
ANSWER_LETTER = r"^[A-Za-z]\s*[.、．:：)）]\s*(?=\S)"
# 2024年11月23日
CHINESE_DATE = r"^(\d{4})年(\d{1,2})月(\d{1,2})日?.*$"
# The first and last character of CJK Extension A and the Unified Ideographs (has_han).
HAN_FIRST = "\u3400"
HAN_LAST = "\u9fff"

# -- importers/rows.py -------------------------------------------------------------------------
# Words in an activity's name that make it a competition track's.
TRACK_ACTIVITY_WORDS = ("赛道", "赛", "track", "competition", "contest", "cup", "final")
# Words a track cell adds around the track's own name ("星渝杯·数字经济赛道").
TRACK_NOISE_WORDS = ("星渝杯", "xingyucup", "赛道", "track", "组")
# What splits a category cell into names of one category ("贵宾 VIP", "贵宾（VIP）").
CATEGORY_PARTS = r"[\s/()（）]+"

# Statuses exports write for a cancelled and for an approved registration (also what a value
# of an unknown status is suggested from).
CANCELLED_WORDS = (
    "取消", "已取消", "作废", "已作废", "退出", "已退出", "不参加", "撤销", "已撤销", "审核不通过", "未通过",
    "拒绝", "已拒绝", "cancelled", "canceled", "cancel", "withdrawn", "void", "rejected", "declined",
    "refunded", "已退款", "审核未通过", "未通过审核", "审核失败", "不通过", "已失效", "无效",
    "not attending", "deleted", "transferred")
APPROVED_WORDS = (
    "通过", "已通过", "审核通过", "已审核", "已确认", "确认", "正常", "有效", "报名成功", "已报名", "已签到",
    "已缴费", "approved", "confirmed", "registered", "active", "valid", "ok", "paid", "accepted",
    "attending", "yes", "已报到", "已入场",
    # Checked in on the ticket platform (Eventbrite): registered and approved here; our own
    # check-in happens at our desks (the platform's scan is not copied as one).
    "checked in", "checked-in", "check in")
PENDING_WORDS = (
    "待审核", "审核中", "未审核", "待确认", "未确认", "pending", "waiting", "submitted", "in review",
    "under review", "waitlist", "waitlisted")
# A total row's first cell (case aside).
TOTAL_ROW = r"^(合计|总计|小计|共计|总数|累计|total|subtotal|grand total|sum|count)\b"

# Rows that are no person: test rows, form placeholders, lost characters.
PLACEHOLDER_NAMES = (
    "请填写真实姓名", "请填写姓名", "请输入姓名", "填写姓名", "真实姓名", "姓名", "name", "your name",
    "xxx", "某某", "无", "暂无", "待定", "n/a", "na", "none", "null", "tbd", "tba",
    "示例", "样例", "example", "sample")
PLACEHOLDER_PREFIXES = ("请填写", "请输入")
# Whole words only: Testa, Tester and Contestant are people or words, "test user" is not.
TEST_NAME = r"(测试|\btest(?:ing|\d+)?\b|^demo$|^dummy$)"
# The full-width question mark an export writes for a character it lost (刘？).
FULL_WIDTH_QUESTION = "？"
# Section rows of a hand-made sheet: "一、院士专家", "二. 企业代表", "第三部分 媒体", "(一) 嘉宾".
SECTION_ROW = (r"^(?:[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十]+[)）]|"
               r"第[一二三四五六七八九十\d]+(?:部分|类|组)|[IVX]+\.\s)")
