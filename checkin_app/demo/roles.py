"""Demo data the builder writes into delegates' records (data, not words): missions, titles, a role.

Like demo/names.py these are the made-up people's data, in both languages; the builder fills the
{zh}/{en} of a country's names into the mission patterns.
"""

from __future__ import annotations

# A foreign guest's mission, by the guest's rank: (Chinese, English) patterns.
CONSULATE = ("{zh}驻重庆总领事馆", "Consulate General of {the}{en} in Chongqing")
GOVERNMENT_DELEGATION = ("{zh}政府代表团", "Government Delegation of {the}{en}")
EMBASSY = ("{zh}驻华大使馆", "Embassy of {the}{en} in China")
# Honorifics written before a Chinese-script name.
PROFESSOR_ZH = "教授"
ACADEMICIAN_ZH = "院士"
DOCTOR_ZH = "博士"
# The position of a volunteer who studies in Chongqing from abroad.
INTL_STUDENT_VOLUNTEER = ("国际学生志愿者", "International student volunteer")
