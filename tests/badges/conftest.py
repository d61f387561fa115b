"""Badge fixtures: a BadgeData factory and the hard names every template must print."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from checkin_app.domain.badge_data import BadgeData

TOKEN = "CQ1" + ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 4)[:122]  # 125 upper-case base32 characters


def badge(**kw: Any) -> BadgeData:
    """A badge with sensible defaults (Chinese attendee)."""
    base = BadgeData(
        delegate_id=1, registration_code="CQ24-AB23CD", badge_serial=1, code="CQ24-AB23CD",
        family_name="张", given_name="伟", name_native="张伟", name_latin="ZHANG Wei",
        name_order="eastern", honorific="", organisation_zh="重庆大学",
        organisation_en="Chongqing University", position_zh="教授", position_en="Professor",
        country="CN", country_zh="中国", country_en="China", category_code="ATTENDEE",
        category_zh="参会者", category_en="Attendee", category_colour="#78909C",
        event_zh="2024中国重庆国际人才交流大会",
        event_en="2024 China Chongqing International Talent Exchange Conference",
    )
    return replace(base, **kw)


LONG_ORG_ZH = "中国科学院重庆绿色智能技术研究院先进制造与智能装备研究中心暨国家级重点实验室（筹）"
LONG_ORG_EN = ("Chongqing Institute of Green and Intelligent Technology, Chinese Academy of Sciences, "
               "Centre for Advanced Manufacturing and Intelligent Equipment")

HARD: dict[str, BadgeData] = {
    "chinese_vip": badge(name_native="欧阳建国", family_name="欧阳", given_name="建国",
                         name_latin="OUYANG Jianguo", organisation_zh=LONG_ORG_ZH,
                         organisation_en=LONG_ORG_EN, category_code="VIP", category_zh="贵宾",
                         category_en="VIP", category_colour="#C62828", honorific="院士"),
    "traditional": badge(name_native="黃詠琪", family_name="黃", given_name="詠琪",
                         name_latin="WONG Wing Ki", country="HK", country_zh="中国香港",
                         country_en="Hong Kong, China"),
    "serbian_latin": badge(name_native="Đorđe Petrović", family_name="Petrović", given_name="Đorđe",
                           name_latin="Đorđe PETROVIĆ", name_order="western", honorific="H.E.",
                           country="RS", country_zh="塞尔维亚", country_en="Serbia"),
    "serbian_cyrillic": badge(name_native="Ђорђе Петровић", family_name="Петровић",
                              given_name="Ђорђе", name_latin="Đorđe PETROVIĆ",
                              name_order="western"),
    "vietnamese": badge(name_native="Nguyễn Thị Ánh Tuyết", family_name="Nguyễn",
                        given_name="Thị Ánh Tuyết", name_latin="NGUYỄN Thị Ánh Tuyết",
                        name_order="western"),
    "korean": badge(name_native="김민준", family_name="김", given_name="민준",
                    name_latin="KIM Min-jun", name_order="eastern"),
    "japanese": badge(name_native="渡辺さくら", family_name="渡辺", given_name="さくら",
                      name_latin="WATANABE Sakura", name_order="eastern"),
    "katakana": badge(name_native="ジョン・スミス", family_name="", given_name="",
                      name_latin="John SMITH", name_order="eastern"),
    "arabic": badge(name_native="محمد عبد الرحمن المنصوري", family_name="المنصوري",
                    given_name="محمد عبد الرحمن", name_latin="Mohammed Abdelrahman AL MANSOURI",
                    name_order="western", country="AE", country_zh="阿联酋",
                    country_en="United Arab Emirates"),
    "russian": badge(name_native="Александра Константиновна Веселовская",
                     family_name="Веселовская", given_name="Александра Константиновна",
                     name_latin="Aleksandra VESELOVSKAYA", name_order="western"),
    "kazakh": badge(name_native="Әсел Нұрланқызы", family_name="Нұрланқызы", given_name="Әсел",
                    name_latin="Assel NURLANKYZY", name_order="western"),
    "turkish": badge(name_native="İrem Şahin", family_name="Şahin", given_name="İrem",
                     name_latin="İrem ŞAHİN", name_order="western", country="TR"),
    "very_long_western": badge(
        name_native="Maximilian Alexander Friedrich Wolfeschlegelsteinhausenbergerdorff",
        family_name="Wolfeschlegelsteinhausenbergerdorff",
        given_name="Maximilian Alexander Friedrich", name_latin="", name_order="western",
        organisation_zh="", organisation_en=LONG_ORG_EN * 2, country="DE", country_zh="德国",
        country_en="Germany", team="GEEC-M0042 Autonomous Drone Swarm Mapping for Mountain Cities "
        "and Bridges in the Three Gorges Reservoir Area", code=TOKEN),
    "combining": badge(name_native="Zoë Ångström-n\u0303", family_name="Ångström-n\u0303",
                       given_name="Zoë", name_latin="", name_order="western"),
    # Issue 14: every script delegates have, each in its culture's order.
    "hindi": badge(name_native="स्वाति शर्मा", family_name="शर्मा", given_name="स्वाति",
                   name_latin="Swati SHARMA", name_order="western", country="IN",
                   organisation_zh="", organisation_en="क्षत्रिय प्रौद्योगिकी संस्थान"),
    "tamil": badge(name_native="லக்ஷ்மி ஸ்ரீநிவாசன்", name_latin="Lakshmi SRINIVASAN",
                   family_name="", given_name="", name_order="western", country="IN"),
    "thai": badge(name_native="สมชาย ใจดี", family_name="ใจดี", given_name="สมชาย",
                  name_latin="Somchai JAIDEE", name_order="western", country="TH",
                  organisation_zh="", organisation_en="การไฟฟ้าฝ่ายผลิตแห่งประเทศไทย น้ำ"),
    "khmer": badge(name_native="ហ៊ុន ស្រីពេជ្រ", family_name="ហ៊ុន", given_name="ស្រីពេជ្រ",
                   name_latin="HUN Sreypich", name_order="eastern", country="KH"),
    "myanmar": badge(name_native="အောင်ဆန်းစုကြည်", family_name="", given_name="",
                     name_latin="Aung San Suu Kyi", name_order="western", country="MM",
                     organisation_zh="", organisation_en="မြန်မာနိုင်ငံ"),
    "hebrew": badge(name_native="דוד כהן", family_name="כהן", given_name="דוד",
                    name_latin="David COHEN", name_order="western", country="IL",
                    organisation_zh="", organisation_en="אוניברסיטת תל אביב Tel Aviv University"),
    "ethiopic": badge(name_native="አበበ ቢቂላ", family_name="ቢቂላ", given_name="አበበ",
                      name_latin="Abebe BIKILA", name_order="western", country="ET"),
    "mongolian": badge(name_native="ᠪᠠᠲᠣ", family_name="", given_name="ᠪᠠᠲᠣ",
                       name_latin="Batu", name_order="western", country="CN"),
    "ext_b": badge(name_native="𠮷野𪚥子", family_name="𠮷野", given_name="𪚥子",
                   name_latin="YOSHINO Teteko", name_order="eastern", country="JP"),
    "emoji": badge(name_native="Anna 😀 Lee", family_name="Lee", given_name="Anna 😀",
                   name_latin="", name_order="western", country="US"),
    "vietnamese_vn": badge(name_native="Nguyễn Thị Minh Khai", family_name="Nguyễn",
                           given_name="Thị Minh Khai", name_latin="NGUYỄN Thị Minh Khai",
                           name_order="eastern", country="VN"),
    "hungarian": badge(name_native="Nagy István", family_name="Nagy", given_name="István",
                       name_latin="", name_order="western", country="HU"),
    "spanish": badge(name_native="José Luis Rodríguez Zapatero", family_name="Rodríguez Zapatero",
                     given_name="José Luis", name_latin="", name_order="western", country="ES"),
    "full_width": badge(name_native="", family_name="ＳＭＩＴＨ", given_name="Ｊｏｈｎ",
                        name_latin="", name_order="western", country="GB",
                        organisation_zh="ＩＢＭ（中国）有限公司", organisation_en="IBM China"),
}


@pytest.fixture(params=sorted(HARD))
def hard(request: pytest.FixtureRequest) -> BadgeData:
    """Each hard name in turn."""
    return HARD[request.param]
