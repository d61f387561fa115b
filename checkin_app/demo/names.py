"""Data behind the demo crowd: shares, name pools, organisations and featured people (the event is a file)."""

from __future__ import annotations

from dataclasses import dataclass

# (text in its native script, Latin form)
Pair = tuple[str, str]
# (Chinese, English)
ZhEn = tuple[str, str]


def _latin(*names: str) -> tuple[Pair, ...]:
    """Pairs for names already written in Latin script."""
    return tuple((n, n) for n in names)


# -- the crowd --------------------------------------------------------------------------------
# The event itself (programme, categories, rules) is resources/events/chongqing-2024.yaml, applied
# like any organiser's event file; this module only holds what the generated people are made of.

# Share of each category in the generated crowd; ATTENDEE takes whatever is left.
CATEGORY_SHARE: dict[str, float] = {
    "VIP": 0.005,
    "GUEST": 0.02,
    "INTL_ORG": 0.003,
    "ACADEMICIAN": 0.005,
    "TALENT": 0.22,
    "COMPETITOR": 0.16,
    "PROJECT": 0.09,
    "ENTERPRISE": 0.12,
    "MEDIA": 0.03,
    "STAFF": 0.03,
    "VOLUNTEER": 0.03,
}

# Share of mainland-Chinese people per category (the rest come from abroad or HK/MO/TW);
# tuned so the whole crowd is about 62% mainland Chinese, as at the real event.
CN_SHARE: dict[str, float] = {
    "VIP": 0.8,
    "GUEST": 0.5,
    "INTL_ORG": 0.2,
    "ACADEMICIAN": 0.7,
    "TALENT": 0.5,
    "COMPETITOR": 0.45,
    "PROJECT": 0.65,
    "ENTERPRISE": 0.8,
    "MEDIA": 0.85,
    "STAFF": 1.0,
    "VOLUNTEER": 0.9,
    "ATTENDEE": 0.68,
}

# Which activity a team's track competes in; `team` prefixes number the teams per track.
GEEC_TRACKS: dict[str, tuple[str, str]] = {
    "main": ("GEEC_MAIN", "GEEC-M"),
    "special": ("GEEC_SPECIAL", "GEEC-S"),
}
XINGYU_TRACKS: dict[str, tuple[str, str]] = {
    "A": ("XY_A", "XY-A"),
    "B": ("XY_B", "XY-B"),
    "C": ("XY_C", "XY-C"),
    "D": ("XY_D", "XY-D"),
}

# -- countries --------------------------------------------------------------------------------

# The 31 countries and regions of the engineers competition.
COMPETITION_COUNTRIES: tuple[str, ...] = (
    "CN", "HK", "MO", "TW", "RS", "RU", "BY", "KZ", "UZ", "PK", "TH", "VN", "MY", "SG", "ID", "KR",
    "JP", "MN", "AE", "EG", "KE", "NG", "ZA", "GB", "FR", "DE", "IT", "ES", "US", "BR", "AU",
)
# The 24 countries and regions of the Xingyu Cup.
XINGYU_COUNTRIES: tuple[str, ...] = (
    "CN", "HK", "MO", "TW", "RS", "RU", "BY", "KZ", "PK", "TH", "VN", "MY", "SG", "ID", "KR", "JP",
    "AE", "EG", "KE", "NG", "GB", "DE", "US", "AU",
)

# Relative weight of each place among people who are not from the mainland.
FOREIGN_WEIGHTS: dict[str, float] = {
    "HK": 2.5, "MO": 1.0, "TW": 1.5, "RS": 4.0, "RU": 4.0, "BY": 2.0, "KZ": 2.0, "UZ": 1.5,
    "PK": 3.0, "IN": 1.5, "TH": 2.5, "VN": 3.0, "MY": 3.0, "SG": 2.5, "ID": 2.5, "KR": 3.0,
    "JP": 2.5, "MN": 1.5, "AE": 1.5, "SA": 0.5, "EG": 2.0, "TR": 0.5, "ET": 0.5, "KE": 1.5,
    "NG": 2.0, "ZA": 1.5, "GB": 3.0, "FR": 2.0, "DE": 2.5, "IT": 1.5, "ES": 1.5, "PT": 0.5,
    "US": 3.0, "CA": 1.0, "BR": 1.5, "AU": 1.5,
}

# -- names ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Culture:
    """How people of one naming tradition are called, with pools of (native, Latin) parts."""

    order: str  # 'eastern' (family first) or 'western' (given first)
    family: tuple[Pair, ...]
    male: tuple[Pair, ...]
    female: tuple[Pair, ...]
    # Separator between family and given name in the native form of eastern names.
    joiner: str = " "
    # Slavic surnames take -a for women (Ivanov → Ivanova).
    feminine_surname: bool = False
    # Share of people known by one name only (common in Indonesia).
    mononym_rate: float = 0.0
    # Share written in Cyrillic although the pools are Latin (Serbian is digraphic).
    cyrillic_rate: float = 0.0
    # Vietnamese middle names, male and female, between family and given name.
    middle_male: tuple[Pair, ...] = ()
    middle_female: tuple[Pair, ...] = ()


# Mainland Chinese surnames with their official romanisation and rough frequency (percent).
# Romanisation comes from this table, not pypinyin, because surnames have their own readings
# (曾 Zeng, not ceng) and passports write 吕 as Lyu.
CN_SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "Wang", 7.1), ("李", "Li", 7.0), ("张", "Zhang", 6.7), ("刘", "Liu", 5.4),
    ("陈", "Chen", 4.6), ("杨", "Yang", 3.1), ("黄", "Huang", 2.2), ("赵", "Zhao", 2.0),
    ("吴", "Wu", 2.0), ("周", "Zhou", 1.9), ("徐", "Xu", 1.5), ("孙", "Sun", 1.5),
    ("马", "Ma", 1.3), ("朱", "Zhu", 1.3), ("胡", "Hu", 1.2), ("郭", "Guo", 1.1),
    ("何", "He", 1.1), ("高", "Gao", 1.0), ("林", "Lin", 1.0), ("罗", "Luo", 0.9),
    ("郑", "Zheng", 0.9), ("梁", "Liang", 0.8), ("谢", "Xie", 0.8), ("宋", "Song", 0.7),
    ("唐", "Tang", 0.7), ("许", "Xu", 0.7), ("韩", "Han", 0.7), ("冯", "Feng", 0.6),
    ("邓", "Deng", 0.6), ("曹", "Cao", 0.6), ("彭", "Peng", 0.6), ("曾", "Zeng", 0.5),
    ("肖", "Xiao", 0.5), ("田", "Tian", 0.5), ("董", "Dong", 0.5), ("袁", "Yuan", 0.4),
    ("潘", "Pan", 0.4), ("于", "Yu", 0.4), ("蒋", "Jiang", 0.4), ("蔡", "Cai", 0.4),
    ("余", "Yu", 0.4), ("杜", "Du", 0.4), ("叶", "Ye", 0.4), ("程", "Cheng", 0.4),
    ("苏", "Su", 0.3), ("魏", "Wei", 0.3), ("吕", "Lyu", 0.3), ("丁", "Ding", 0.3),
    ("任", "Ren", 0.3), ("沈", "Shen", 0.3), ("姚", "Yao", 0.3), ("卢", "Lu", 0.3),
    ("姜", "Jiang", 0.3), ("崔", "Cui", 0.3), ("钟", "Zhong", 0.3), ("谭", "Tan", 0.3),
    ("陆", "Lu", 0.3), ("汪", "Wang", 0.3), ("范", "Fan", 0.3), ("廖", "Liao", 0.3),
    ("冉", "Ran", 0.15), ("向", "Xiang", 0.15), ("秦", "Qin", 0.2), ("熊", "Xiong", 0.2),
    ("欧阳", "Ouyang", 0.05), ("司马", "Sima", 0.02), ("诸葛", "Zhuge", 0.01), ("上官", "Shangguan", 0.01),
)
# The most frequent given names, so that 张伟, 王芳 and 李娜 turn up many times as in real life.
CN_GIVEN_COMMON: tuple[str, ...] = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "霞", "平", "刚", "燕", "秀英", "秀兰", "桂英", "玉兰",
    "建华", "建国", "志强", "晓明", "海燕", "丹", "婷", "鹏", "飞", "斌", "宇", "浩",
    "鑫", "波", "琳", "颖", "欣", "雪", "慧", "亮", "凯", "红", "玲", "华", "俊",
    "辉",
)
CN_GIVEN_MODERN: tuple[str, ...] = (
    "子涵", "浩然", "欣怡", "梓轩", "雨桐", "宇轩", "思远", "俊杰", "嘉怡", "佳琪", "晨曦",
    "一诺", "博文", "天佑", "文博", "家豪", "梦瑶", "诗涵", "明轩", "逸飞", "若曦", "雅婷",
    "志远", "俊熙", "泽宇", "昊天", "紫萱", "欣然", "心怡", "宇航", "子墨", "思彤", "婉清",
    "静怡", "皓轩", "锦程", "奕辰", "沐阳", "芷若", "晓东", "立平", "丽华",
)
CN_GIVEN_FIRST = "志建晓海丽春文国永德家明金玉红小立新少学振嘉思雨子俊宏彦佳雅晨梓诗浩天美秋冬云"
CN_GIVEN_SECOND = "华明伟强军平红芳英霞燕东林峰杰涛波辉勇琴颖宇轩涵琪怡然婷博远诚瑞阳鑫昊萱彤洁兰梅蓉川渝"

CULTURES: dict[str, Culture] = {
    # Cantonese romanisation, as on Hong Kong and Macao identity cards.
    "yue": Culture(
        "eastern",
        (("陳", "Chan"), ("黃", "Wong"), ("李", "Lee"), ("張", "Cheung"), ("梁", "Leung"),
         ("劉", "Lau"), ("林", "Lam"), ("何", "Ho"), ("吳", "Ng"), ("鄭", "Cheng"),
         ("郭", "Kwok"), ("馮", "Fung"), ("周", "Chow"), ("謝", "Tse"), ("麥", "Mak")),
        (("家明", "Ka Ming"), ("志強", "Chi Keung"), ("偉文", "Wai Man"), ("俊傑", "Chun Kit"),
         ("國榮", "Kwok Wing"), ("子軒", "Tsz Hin"), ("浩然", "Ho Yin"), ("嘉豪", "Ka Ho")),
        (("嘉欣", "Ka Yan"), ("詠琪", "Wing Ki"), ("美玲", "Mei Ling"), ("淑儀", "Suk Yee"),
         ("凱琳", "Hoi Lam"), ("綺雯", "Yee Man"), ("曉彤", "Hiu Tung"), ("慧敏", "Wai Man")),
        joiner="",
    ),
    # Wade–Giles with hyphenated given names, as in Taiwan passports.
    "tw": Culture(
        "eastern",
        (("陳", "Chen"), ("林", "Lin"), ("黃", "Huang"), ("張", "Chang"), ("李", "Lee"),
         ("王", "Wang"), ("吳", "Wu"), ("劉", "Liu"), ("蔡", "Tsai"), ("楊", "Yang"),
         ("許", "Hsu"), ("鄭", "Cheng"), ("謝", "Hsieh"), ("郭", "Kuo"), ("洪", "Hung")),
        (("志明", "Chih-Ming"), ("家豪", "Chia-Hao"), ("冠宇", "Kuan-Yu"), ("建宏", "Chien-Hung"),
         ("俊傑", "Chun-Chieh"), ("承恩", "Cheng-En")),
        (("淑芬", "Shu-Fen"), ("怡君", "Yi-Chun"), ("雅婷", "Ya-Ting"), ("佳穎", "Chia-Ying"),
         ("欣怡", "Hsin-Yi"), ("美玲", "Mei-Ling")),
        joiner="",
    ),
    # Singapore and Malaysian Chinese: simplified characters, dialect surnames.
    "sg_zh": Culture(
        "eastern",
        (("陈", "Tan"), ("林", "Lim"), ("李", "Lee"), ("黄", "Ng"), ("王", "Ong"), ("吴", "Goh"),
         ("张", "Teo"), ("刘", "Lau"), ("郑", "Tay"), ("杨", "Yeo"), ("蔡", "Chua"), ("许", "Koh"),
         ("郭", "Kwek"), ("梁", "Leong"), ("何", "Ho")),
        (("伟明", "Wei Ming"), ("志强", "Zhi Qiang"), ("俊杰", "Jun Jie"), ("家乐", "Jia Le"),
         ("文杰", "Wen Jie"), ("国强", "Kok Keong")),
        (("嘉慧", "Jia Hui"), ("美玲", "Mei Ling"), ("丽华", "Li Hua"), ("慧敏", "Hui Min"),
         ("诗琪", "Shi Qi"), ("雪梅", "Xue Mei")),
        joiner="",
    ),
    "ko": Culture(
        "eastern",
        (("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"),
         ("강", "Kang"), ("조", "Cho"), ("윤", "Yoon"), ("장", "Jang"), ("임", "Lim")),
        (("민준", "Min-jun"), ("지훈", "Ji-hoon"), ("서준", "Seo-jun"), ("도윤", "Do-yoon"),
         ("현우", "Hyun-woo"), ("성민", "Sung-min")),
        (("서연", "Seo-yeon"), ("지우", "Ji-woo"), ("하은", "Ha-eun"), ("수빈", "Su-bin"),
         ("예린", "Ye-rin"), ("지민", "Ji-min")),
        joiner="",
    ),
    "ja": Culture(
        "eastern",
        (("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"),
         ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"),
         ("小林", "Kobayashi"), ("加藤", "Kato")),
        (("健", "Ken"), ("翔太", "Shota"), ("大輔", "Daisuke"), ("拓也", "Takuya"), ("誠", "Makoto"),
         ("蓮", "Ren")),
        (("陽菜", "Hina"), ("美咲", "Misaki"), ("由美", "Yumi"), ("愛", "Ai"), ("直子", "Naoko"),
         ("さくら", "Sakura")),
        joiner="",
    ),
    "vi": Culture(
        "eastern",
        _latin("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
               "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"),
        _latin("Tuấn", "Hùng", "Dũng", "Hải", "Nam", "Long", "Khoa", "Quân", "Huy"),
        _latin("Hương", "Linh", "Trang", "Phương", "Thảo", "Lan", "Mai", "Hà", "Ngân"),
        middle_male=_latin("Văn", "Đức", "Minh", "Quang", "Hữu", "Công"),
        middle_female=_latin("Thị", "Ngọc", "Thu", "Thanh", "Bảo", "Thùy"),
    ),
    "sr": Culture(
        "western",
        _latin("Petrović", "Jovanović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić",
               "Šarić", "Pavlović", "Popović", "Živković", "Todorović", "Kovačević", "Stanković",
               "Lukić", "Radovanović", "Džajić", "Ljubić", "Njegovan"),
        _latin("Đorđe", "Marko", "Nikola", "Stefan", "Luka", "Miloš", "Dušan", "Aleksandar",
               "Nemanja", "Vuk", "Dragan"),
        _latin("Jelena", "Milica", "Ana", "Jovana", "Marija", "Tijana", "Dragana", "Snežana",
               "Ivana", "Ljiljana", "Nevena"),
        cyrillic_rate=0.5,
    ),
    "ru": Culture(
        "western",
        (("Иванов", "Ivanov"), ("Смирнов", "Smirnov"), ("Кузнецов", "Kuznetsov"),
         ("Попов", "Popov"), ("Соколов", "Sokolov"), ("Лебедев", "Lebedev"), ("Козлов", "Kozlov"),
         ("Новиков", "Novikov"), ("Морозов", "Morozov"), ("Волков", "Volkov"),
         ("Фёдоров", "Fedorov"), ("Васильев", "Vasilev"), ("Зайцев", "Zaitsev")),
        (("Алексей", "Aleksei"), ("Дмитрий", "Dmitrii"), ("Сергей", "Sergei"), ("Михаил", "Mikhail"),
         ("Андрей", "Andrei"), ("Иван", "Ivan"), ("Николай", "Nikolai"), ("Артём", "Artem")),
        (("Анна", "Anna"), ("Екатерина", "Ekaterina"), ("Ольга", "Olga"), ("Наталья", "Natalia"),
         ("Татьяна", "Tatiana"), ("Мария", "Mariia"), ("Юлия", "Iuliia"), ("Ксения", "Kseniia")),
        feminine_surname=True,
    ),
    "be": Culture(
        "western",
        (("Каваленка", "Kavalenka"), ("Новік", "Novik"), ("Карповіч", "Karpovich"), ("Жук", "Zhuk"),
         ("Лукашэвіч", "Lukashevich"), ("Бандарэнка", "Bandarenka"), ("Шаўчук", "Shauchuk")),
        (("Аляксандр", "Aliaksandr"), ("Сяргей", "Siarhei"), ("Павел", "Pavel"), ("Дзмітрый", "Dzmitry")),
        (("Вольга", "Volha"), ("Наталля", "Natallia"), ("Алена", "Alena"), ("Кацярына", "Katsiaryna")),
    ),
    "kk": Culture(
        "western",
        (("Ахметов", "Akhmetov"), ("Касымов", "Kassymov"), ("Жумабаев", "Zhumabayev"),
         ("Сулейменов", "Suleimenov"), ("Нұрланов", "Nurlanov"), ("Әбенов", "Abenov")),
        (("Нұрлан", "Nurlan"), ("Ерлан", "Yerlan"), ("Асхат", "Askhat"), ("Данияр", "Daniyar"),
         ("Серік", "Serik"), ("Арман", "Arman")),
        (("Айгерім", "Aigerim"), ("Әсел", "Assel"), ("Жанар", "Zhanar"), ("Динара", "Dinara"),
         ("Гүлнар", "Gulnar")),
        feminine_surname=True,
    ),
    "uz": Culture(
        "western",
        _latin("Karimov", "Rahimov", "Yusupov", "Abdullayev", "Ismoilov", "Nazarov", "Sultonov",
               "Gʻofurov"),
        _latin("Aziz", "Jasur", "Sardor", "Bobur", "Otabek"),
        _latin("Dilnoza", "Madina", "Nilufar", "Gulnora", "Shahzoda"),
        feminine_surname=True,
    ),
    "mn": Culture(
        "western",
        (("Ганбаатар", "Ganbaatar"), ("Батсүх", "Batsukh"), ("Дорж", "Dorj"), ("Цэрэн", "Tseren"),
         ("Мөнх-Эрдэнэ", "Munkh-Erdene")),
        (("Батбаяр", "Batbayar"), ("Ганзориг", "Ganzorig"), ("Тэмүүлэн", "Temuulen"),
         ("Энхбаяр", "Enkhbayar")),
        (("Сарангэрэл", "Sarangerel"), ("Оюунчимэг", "Oyunchimeg"), ("Номин", "Nomin"),
         ("Солонго", "Solongo")),
    ),
    "ar_gulf": Culture(
        "western",
        (("المنصوري", "Al Mansouri"), ("الهاشمي", "Al Hashemi"), ("النعيمي", "Al Nuaimi"),
         ("الكتبي", "Al Ketbi"), ("الظاهري", "Al Dhaheri"), ("الشامسي", "Al Shamsi"),
         ("القحطاني", "Al Qahtani"), ("العتيبي", "Al Otaibi"), ("الغامدي", "Al Ghamdi")),
        (("محمد", "Mohammed"), ("أحمد", "Ahmed"), ("خالد", "Khaled"), ("عمر", "Omar"),
         ("يوسف", "Youssef"), ("سعيد", "Saeed"), ("راشد", "Rashid")),
        (("فاطمة", "Fatima"), ("مريم", "Mariam"), ("نور", "Noor"), ("سارة", "Sara"),
         ("ليلى", "Layla"), ("هدى", "Huda"), ("آمنة", "Amna")),
    ),
    "ar_eg": Culture(
        "western",
        (("حسن", "Hassan"), ("إبراهيم", "Ibrahim"), ("محمود", "Mahmoud"), ("السيد", "El Sayed"),
         ("عبد الرحمن", "Abdelrahman"), ("منصور", "Mansour"), ("فاروق", "Farouk")),
        (("محمد", "Mohamed"), ("أحمد", "Ahmed"), ("طارق", "Tarek"), ("عمرو", "Amr"),
         ("كريم", "Karim"), ("مصطفى", "Mostafa")),
        (("فاطمة", "Fatma"), ("مريم", "Mariam"), ("نورهان", "Nourhan"), ("سلمى", "Salma"),
         ("ياسمين", "Yasmin"), ("هبة", "Heba")),
    ),
    # Thai people register with the romanised form; the badge fonts do not cover Thai script.
    "th": Culture(
        "western",
        _latin("Jaidee", "Srisuk", "Wongsawat", "Boonma", "Saengthong", "Thongdee", "Chaiyaporn",
               "Sukprasert"),
        _latin("Somchai", "Nattapon", "Kittipong", "Thanakorn", "Wichai", "Anan"),
        _latin("Sudarat", "Pimchanok", "Arunee", "Siriporn", "Kanokwan", "Ratchanee"),
    ),
    "ms": Culture(
        "western",
        _latin("Hassan", "Ismail", "Abdullah", "Rahman", "Yusof", "Osman", "Ibrahim"),
        _latin("Ahmad Faizal", "Muhammad Hafiz", "Mohd Azlan", "Amirul", "Syafiq"),
        _latin("Nur Aisyah", "Siti Aminah", "Nurul Huda", "Farah Nadia", "Aina"),
    ),
    "id": Culture(
        "western",
        _latin("Santoso", "Rahayu", "Setiawan", "Pratama", "Wulandari", "Hidayat", "Saputra",
               "Kusuma"),
        _latin("Budi", "Agus", "Rizky", "Eko", "Bambang", "Joko"),
        _latin("Dewi", "Siti", "Putri", "Ayu", "Indah", "Ratna"),
        mononym_rate=0.12,
    ),
    "hi": Culture(
        "western",
        _latin("Sharma", "Gupta", "Iyer", "Reddy", "Nair", "Singh", "Patel", "Kumar", "Rao", "Menon"),
        _latin("Rahul", "Arjun", "Vikram", "Aditya", "Karthik", "Rohan"),
        _latin("Priya", "Ananya", "Kavya", "Deepika", "Lakshmi", "Meera"),
    ),
    "pk": Culture(
        "western",
        _latin("Khan", "Siddiqui", "Qureshi", "Malik", "Butt", "Chaudhry", "Raza", "Shah"),
        _latin("Muhammad Usman", "Ali", "Hamza", "Bilal", "Imran", "Ahmed"),
        _latin("Ayesha", "Fatima", "Sana", "Hira", "Maryam", "Zainab"),
    ),
    "tr": Culture(
        "western",
        _latin("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan"),
        _latin("Mehmet", "Mustafa", "Emre", "Burak", "Can"),
        _latin("Ayşe", "Zeynep", "Elif", "Büşra", "İrem"),
    ),
    "ke": Culture(
        "western",
        _latin("Otieno", "Kamau", "Mwangi", "Kiprono", "Ochieng", "Njoroge", "Kiptoo", "Mutua",
               "Odhiambo", "Wambui"),
        _latin("Brian", "Kevin", "Daniel", "Peter", "Collins", "Dennis"),
        _latin("Faith", "Mercy", "Grace", "Esther", "Wanjiru", "Achieng"),
    ),
    "ng": Culture(
        "western",
        _latin("Okafor", "Adeyemi", "Eze", "Bello", "Okonkwo", "Abubakar", "Nwosu", "Adewale",
               "Ogunleye"),
        _latin("Chukwuemeka", "Oluwaseun", "Adebayo", "Ibrahim", "Emeka", "Tunde"),
        _latin("Ngozi", "Funmilayo", "Aisha", "Chiamaka", "Adaeze", "Folake"),
    ),
    "za": Culture(
        "western",
        _latin("Nkosi", "Dlamini", "van der Merwe", "Botha", "Mokoena", "Naidoo", "Khumalo",
               "Pretorius", "du Plessis"),
        _latin("Thabo", "Sipho", "Pieter", "Johan", "Mandla", "Themba"),
        _latin("Lerato", "Nomvula", "Anika", "Zanele", "Palesa", "Thandiwe"),
    ),
    "et": Culture(
        "western",
        _latin("Bekele", "Tadesse", "Haile", "Girma", "Alemu", "Tesfaye"),
        _latin("Abebe", "Dawit", "Yonas", "Samuel"),
        _latin("Meseret", "Hiwot", "Selam", "Tigist"),
    ),
    "en_gb": Culture(
        "western",
        _latin("Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "O'Connor",
               "MacDonald", "Wright", "Hughes", "Thompson"),
        _latin("Oliver", "George", "James", "Harry", "Rhys", "Thomas", "Callum"),
        _latin("Amelia", "Charlotte", "Emily", "Siobhan", "Sophie", "Eleanor", "Hannah"),
    ),
    "en_us": Culture(
        "western",
        _latin("Johnson", "Davis", "Miller", "Wilson", "Anderson", "Nguyen", "Kim", "Hernández",
               "O'Brien", "Patel", "Garcia", "Lee"),
        _latin("Michael", "David", "James", "Carlos", "Kevin", "Ryan", "Daniel"),
        _latin("Emily", "Sarah", "Jennifer", "Jessica", "Ashley", "Olivia", "María"),
    ),
    "en_au": Culture(
        "western",
        _latin("Wilson", "Taylor", "Thompson", "Anderson", "Walker", "White", "Martin", "Kelly",
               "Ryan"),
        _latin("Jack", "Liam", "Noah", "Lachlan", "Hamish"),
        _latin("Chloe", "Mia", "Isla", "Matilda", "Zoe"),
    ),
    "fr": Culture(
        "western",
        _latin("Lefèvre", "Dubois", "Moreau", "Girard", "Rousseau", "Bernard", "Lefebvre",
               "Fontaine", "Mercier", "Faure", "Chevalier", "Bonnet"),
        _latin("Jean-Luc", "François", "Loïc", "Mathieu", "Julien", "Étienne", "Benoît"),
        _latin("Marie", "Élodie", "Hélène", "Anaïs", "Camille", "Chloé", "Manon"),
    ),
    "de": Culture(
        "western",
        _latin("Müller", "Schröder", "Weiß", "Schäfer", "Becker", "Groß", "Schmidt", "Fischer",
               "Wagner", "Hoffmann", "Köhler", "Krüger"),
        _latin("Jürgen", "Lukas", "Maximilian", "Jörg", "Felix", "Tobias", "Matthias"),
        _latin("Lena", "Katharina", "Anna", "Jana", "Sophie", "Brigitte", "Hannah"),
    ),
    "it": Culture(
        "western",
        _latin("Rossi", "Bianchi", "Ricci", "Esposito", "Romano", "Colombo", "Bruno", "De Luca",
               "Marino", "Galli"),
        _latin("Marco", "Niccolò", "Luca", "Giuseppe", "Alessandro", "Matteo"),
        _latin("Giulia", "Francesca", "Chiara", "Sofia", "Martina", "Federica"),
    ),
    "es": Culture(
        "western",
        _latin("García", "Fernández", "Martínez", "Rodríguez", "López", "Sánchez", "Pérez",
               "Gómez", "Muñoz", "Fernández López", "Martín Ruiz"),
        _latin("José", "Álvaro", "Íñigo", "Javier", "Pablo", "Sergio"),
        _latin("María", "Lucía", "Núria", "Carmen", "Elena", "Paula"),
    ),
    "pt": Culture(
        "western",
        _latin("Silva", "Souza", "Gonçalves", "Araújo", "Ferreira", "Oliveira", "Pereira", "Costa",
               "Rodrigues", "dos Santos"),
        _latin("João", "Luís", "Gonçalo", "Rafael", "Thiago", "Lucas", "Sebastião"),
        _latin("Ana", "Beatriz", "Mariana", "Conceição", "Larissa", "Júlia"),
    ),
}

# Naming traditions per place, with their shares there. CN is handled by its own generator.
COUNTRY_CULTURES: dict[str, tuple[tuple[str, float], ...]] = {
    "HK": (("yue", 1.0),),
    "MO": (("yue", 1.0),),
    "TW": (("tw", 1.0),),
    "SG": (("sg_zh", 0.75), ("ms", 0.15), ("hi", 0.10)),
    "MY": (("ms", 0.6), ("sg_zh", 0.3), ("hi", 0.1)),
    "KR": (("ko", 1.0),),
    "JP": (("ja", 1.0),),
    "VN": (("vi", 1.0),),
    "RS": (("sr", 1.0),),
    "RU": (("ru", 1.0),),
    "BY": (("be", 0.5), ("ru", 0.5)),
    "KZ": (("kk", 0.8), ("ru", 0.2)),
    "UZ": (("uz", 1.0),),
    "MN": (("mn", 1.0),),
    "AE": (("ar_gulf", 1.0),),
    "SA": (("ar_gulf", 1.0),),
    "EG": (("ar_eg", 1.0),),
    "TH": (("th", 1.0),),
    "ID": (("id", 1.0),),
    "IN": (("hi", 1.0),),
    "PK": (("pk", 1.0),),
    "TR": (("tr", 1.0),),
    "KE": (("ke", 1.0),),
    "NG": (("ng", 1.0),),
    "ZA": (("za", 1.0),),
    "ET": (("et", 1.0),),
    "GB": (("en_gb", 1.0),),
    "US": (("en_us", 1.0),),
    "CA": (("en_us", 0.7), ("fr", 0.3)),
    "AU": (("en_au", 1.0),),
    "FR": (("fr", 1.0),),
    "DE": (("de", 1.0),),
    "IT": (("it", 1.0),),
    "ES": (("es", 1.0),),
    "PT": (("pt", 1.0),),
    "BR": (("pt", 1.0),),
}

# -- organisations and positions --------------------------------------------------------------

CN_UNIVERSITIES: tuple[ZhEn, ...] = (
    ("重庆大学", "Chongqing University"),
    ("西南大学", "Southwest University"),
    ("重庆邮电大学", "Chongqing University of Posts and Telecommunications"),
    ("重庆医科大学", "Chongqing Medical University"),
    ("重庆交通大学", "Chongqing Jiaotong University"),
    ("重庆理工大学", "Chongqing University of Technology"),
    ("重庆师范大学", "Chongqing Normal University"),
    ("四川大学", "Sichuan University"),
    ("电子科技大学", "University of Electronic Science and Technology of China"),
    ("清华大学", "Tsinghua University"),
    ("北京大学", "Peking University"),
    ("浙江大学", "Zhejiang University"),
    ("上海交通大学", "Shanghai Jiao Tong University"),
    ("哈尔滨工业大学", "Harbin Institute of Technology"),
    ("西安交通大学", "Xi'an Jiaotong University"),
)
CN_COMPANIES: tuple[ZhEn, ...] = (
    ("重庆长安汽车股份有限公司", "Chongqing Changan Automobile Co., Ltd."),
    ("赛力斯集团股份有限公司", "Seres Group Co., Ltd."),
    ("重庆京东方光电科技有限公司", "Chongqing BOE Optoelectronics Technology Co., Ltd."),
    ("联合微电子中心有限责任公司", "United Microelectronics Center Co., Ltd."),
    ("华润微电子（重庆）有限公司", "CR Micro (Chongqing) Co., Ltd."),
    ("长安福特汽车有限公司", "Changan Ford Automobile Co., Ltd."),
    ("重庆智飞生物制品股份有限公司", "Chongqing Zhifei Biological Products Co., Ltd."),
    ("重庆建工集团股份有限公司", "Chongqing Construction Engineering Group Co., Ltd."),
    ("重庆机电控股（集团）公司", "Chongqing Machinery & Electronics Holding (Group) Co., Ltd."),
    ("重庆化医控股（集团）公司", "Chongqing Chemical & Pharmaceutical Holding (Group) Co."),
    ("华为技术有限公司", "Huawei Technologies Co., Ltd."),
    ("宁德时代新能源科技股份有限公司", "Contemporary Amperex Technology Co., Ltd. (CATL)"),
    ("比亚迪股份有限公司", "BYD Company Ltd."),
    ("重庆西永微电子产业园区", "Chongqing Xiyong Microelectronics Industrial Park"),
)
CN_INSTITUTES: tuple[ZhEn, ...] = (
    ("中国科学院重庆绿色智能技术研究院", "Chongqing Institute of Green and Intelligent Technology, CAS"),
    ("中国汽车工程研究院股份有限公司", "China Automotive Engineering Research Institute"),
    ("重庆市科学技术研究院", "Chongqing Academy of Science and Technology"),
    ("北京理工大学重庆创新中心", "Beijing Institute of Technology Chongqing Innovation Center"),
    ("重庆市农业科学院", "Chongqing Academy of Agricultural Sciences"),
)
CN_GOVERNMENT: tuple[ZhEn, ...] = (
    ("重庆市人民政府", "Chongqing Municipal People's Government"),
    ("重庆市人力资源和社会保障局", "Chongqing Municipal Human Resources and Social Security Bureau"),
    ("重庆市科学技术局", "Chongqing Municipal Science and Technology Bureau"),
    ("重庆市经济和信息化委员会", "Chongqing Municipal Commission of Economy and Information Technology"),
    ("重庆两江新区管理委员会", "Chongqing Liangjiang New Area Administrative Committee"),
    ("重庆市渝北区人民政府", "People's Government of Yubei District, Chongqing"),
)
ORGANISING_COMMITTEE: ZhEn = ("大会组委会", "Conference Organising Committee")

FOREIGN_ORGS: dict[str, tuple[ZhEn, ...]] = {
    "HK": (("香港科技大学", "The Hong Kong University of Science and Technology"),
           ("香港大学", "The University of Hong Kong"),
           ("香港理工大学", "The Hong Kong Polytechnic University")),
    "MO": (("澳门大学", "University of Macau"),
           ("澳门科技大学", "Macau University of Science and Technology")),
    "TW": (("台湾成功大学", "National Cheng Kung University"),
           ("台湾清华大学", "National Tsing Hua University")),
    "RS": (("贝尔格莱德大学", "University of Belgrade"), ("诺维萨德大学", "University of Novi Sad"),
           ("尼什大学", "University of Niš"), ("米哈伊洛·普平研究所", "Mihajlo Pupin Institute")),
    "RU": (("莫斯科国立大学", "Lomonosov Moscow State University"),
           ("圣彼得堡国立大学", "Saint Petersburg State University"),
           ("莫斯科鲍曼国立技术大学", "Bauman Moscow State Technical University"),
           ("托木斯克理工大学", "Tomsk Polytechnic University")),
    "BY": (("白俄罗斯国立大学", "Belarusian State University"),
           ("白俄罗斯国立技术大学", "Belarusian National Technical University")),
    "KZ": (("纳扎尔巴耶夫大学", "Nazarbayev University"),
           ("哈萨克斯坦国立大学", "Al-Farabi Kazakh National University")),
    "UZ": (("塔什干国立技术大学", "Tashkent State Technical University"),
           ("撒马尔罕国立大学", "Samarkand State University")),
    "PK": (("巴基斯坦国立科技大学", "National University of Sciences and Technology"),
           ("拉合尔工程技术大学", "University of Engineering and Technology, Lahore")),
    "IN": (("印度理工学院孟买分校", "Indian Institute of Technology Bombay"),
           ("印度科学理工学院", "Indian Institute of Science")),
    "TH": (("朱拉隆功大学", "Chulalongkorn University"), ("玛希隆大学", "Mahidol University"),
           ("亚洲理工学院", "Asian Institute of Technology")),
    "VN": (("越南河内国家大学", "Vietnam National University, Hanoi"),
           ("河内百科大学", "Hanoi University of Science and Technology"),
           ("胡志明市国家大学", "Vietnam National University, Ho Chi Minh City")),
    "MY": (("马来亚大学", "Universiti Malaya"), ("马来西亚理科大学", "Universiti Sains Malaysia"),
           ("马来西亚博特拉大学", "Universiti Putra Malaysia")),
    "SG": (("新加坡国立大学", "National University of Singapore"),
           ("南洋理工大学", "Nanyang Technological University"),
           ("新加坡科技设计大学", "Singapore University of Technology and Design")),
    "ID": (("印度尼西亚大学", "Universitas Indonesia"), ("万隆理工学院", "Institut Teknologi Bandung"),
           ("加查马达大学", "Universitas Gadjah Mada")),
    "KR": (("首尔大学", "Seoul National University"), ("韩国科学技术院", "KAIST"),
           ("三星电子", "Samsung Electronics")),
    "JP": (("东京大学", "The University of Tokyo"), ("京都大学", "Kyoto University"),
           ("东京工业大学", "Tokyo Institute of Technology"), ("松下控股", "Panasonic Holdings")),
    "MN": (("蒙古国立大学", "National University of Mongolia"),
           ("蒙古科技大学", "Mongolian University of Science and Technology")),
    "AE": (("哈利法大学", "Khalifa University"), ("阿联酋大学", "United Arab Emirates University"),
           ("马斯达尔公司", "Masdar")),
    "SA": (("阿卜杜拉国王科技大学", "King Abdullah University of Science and Technology"),
           ("沙特国王大学", "King Saud University")),
    "EG": (("开罗大学", "Cairo University"), ("艾因夏姆斯大学", "Ain Shams University"),
           ("亚历山大大学", "Alexandria University")),
    "TR": (("中东技术大学", "Middle East Technical University"),
           ("伊斯坦布尔技术大学", "Istanbul Technical University")),
    "ET": (("亚的斯亚贝巴大学", "Addis Ababa University"),),
    "KE": (("内罗毕大学", "University of Nairobi"),
           ("乔莫·肯雅塔农业技术大学", "Jomo Kenyatta University of Agriculture and Technology")),
    "NG": (("拉各斯大学", "University of Lagos"), ("伊巴丹大学", "University of Ibadan"),
           ("尼日利亚大学", "University of Nigeria, Nsukka")),
    "ZA": (("开普敦大学", "University of Cape Town"), ("金山大学", "University of the Witwatersrand"),
           ("斯泰伦博斯大学", "Stellenbosch University")),
    "GB": (("帝国理工学院", "Imperial College London"), ("剑桥大学", "University of Cambridge"),
           ("曼彻斯特大学", "The University of Manchester"), ("伦敦大学学院", "University College London")),
    "FR": (("巴黎萨克雷大学", "Université Paris-Saclay"), ("巴黎综合理工学院", "École polytechnique"),
           ("施耐德电气", "Schneider Electric")),
    "DE": (("慕尼黑工业大学", "Technical University of Munich"), ("亚琛工业大学", "RWTH Aachen University"),
           ("西门子股份公司", "Siemens AG"), ("罗伯特·博世有限公司", "Robert Bosch GmbH")),
    "IT": (("米兰理工大学", "Politecnico di Milano"), ("都灵理工大学", "Politecnico di Torino")),
    "ES": (("马德里理工大学", "Universidad Politécnica de Madrid"),
           ("加泰罗尼亚理工大学", "Universitat Politècnica de Catalunya")),
    "PT": (("里斯本大学", "Universidade de Lisboa"), ("波尔图大学", "Universidade do Porto")),
    "US": (("麻省理工学院", "Massachusetts Institute of Technology"), ("斯坦福大学", "Stanford University"),
           ("加州大学伯克利分校", "University of California, Berkeley"),
           ("佐治亚理工学院", "Georgia Institute of Technology")),
    "CA": (("多伦多大学", "University of Toronto"), ("麦吉尔大学", "McGill University"),
           ("滑铁卢大学", "University of Waterloo")),
    "BR": (("圣保罗大学", "Universidade de São Paulo"),
           ("坎皮纳斯州立大学", "Universidade Estadual de Campinas")),
    "AU": (("墨尔本大学", "The University of Melbourne"), ("新南威尔士大学", "UNSW Sydney"),
           ("澳大利亚国立大学", "Australian National University")),
}

INTL_ORGS: tuple[ZhEn, ...] = (
    ("联合国教科文组织", "UNESCO"),
    ("联合国教科文组织驻华代表处", "UNESCO Beijing Office"),
    (
        "联合国教科文组织国际工程教育中心",
        "International Centre for Engineering Education under the auspices of UNESCO",
    ),
    ("世界工程组织联合会", "World Federation of Engineering Organizations"),
    ("国际劳工组织", "International Labour Organization"),
    ("联合国开发计划署", "United Nations Development Programme"),
)
CN_MEDIA: tuple[ZhEn, ...] = (
    ("新华社", "Xinhua News Agency"),
    ("人民日报", "People's Daily"),
    ("中央广播电视总台", "China Media Group"),
    ("中国国际电视台", "CGTN"),
    ("中国日报", "China Daily"),
    ("重庆日报", "Chongqing Daily"),
    ("重庆广播电视集团（总台）", "Chongqing Broadcasting Group"),
    ("华龙网", "cqnews.net"),
    ("上游新闻", "Shangyou News"),
    ("iChongqing", "iChongqing"),
)
FOREIGN_MEDIA: dict[str, tuple[ZhEn, ...]] = {
    "RU": (("塔斯社", "TASS"),),
    "RS": (("塞尔维亚广播电视台", "Radio Television of Serbia"), ("塔尼尤格通讯社", "Tanjug")),
    "VN": (("越南通讯社", "Vietnam News Agency"),),
    "GB": (("路透社", "Reuters"), ("英国广播公司", "BBC")),
    "US": (("美联社", "Associated Press"),),
    "FR": (("法新社", "Agence France-Presse"),),
    "SG": (("联合早报", "Lianhe Zaobao"),),
    "KR": (("韩联社", "Yonhap News Agency"),),
    "JP": (("共同社", "Kyodo News"),),
    "AE": (("阿联酋通讯社", "Emirates News Agency (WAM)"),),
    "EG": (("中东通讯社", "Middle East News Agency"),),
    "PK": (("巴基斯坦联合通讯社", "Associated Press of Pakistan"),),
}

# Positions are (Chinese, English) per category.
POSITIONS: dict[str, tuple[ZhEn, ...]] = {
    "VIP": (("主任", "Director-General"), ("副主任", "Deputy Director-General"),
            ("局长", "Director"), ("副局长", "Deputy Director")),
    "GUEST": (("特邀嘉宾", "Invited guest"), ("主旨演讲嘉宾", "Keynote speaker"),
              ("圆桌对话嘉宾", "Panellist"), ("特邀专家", "Invited expert")),
    "INTL_ORG": (("代表", "Representative"), ("项目专家", "Programme Specialist"),
                 ("主任", "Director"), ("高级顾问", "Senior Adviser")),
    "TALENT": (("博士后研究员", "Postdoctoral Researcher"), ("博士研究生", "PhD candidate"),
               ("研究员", "Research Fellow"), ("高级工程师", "Senior Engineer"),
               ("助理教授", "Assistant Professor"), ("副教授", "Associate Professor"),
               ("首席科学家", "Chief Scientist")),
    "ENTERPRISE": (("董事长", "Chairman"), ("总经理", "General Manager"),
                   ("人力资源总监", "HR Director"), ("首席技术官", "Chief Technology Officer"),
                   ("招聘经理", "Recruitment Manager"), ("投资总监", "Investment Director")),
    "MEDIA": (("记者", "Reporter"), ("摄影记者", "Photojournalist"), ("摄像", "Camera operator"),
              ("编辑", "Editor")),
    "STAFF": (("注册组", "Registration team"), ("会务组", "Conference services"),
              ("礼宾组", "Protocol team"), ("安保组", "Security"), ("技术保障组", "Technical support")),
    "VOLUNTEER": (("志愿者", "Volunteer"),),
    "ATTENDEE": (("工程师", "Engineer"), ("研究人员", "Researcher"), ("经理", "Manager"),
                 ("项目主管", "Project manager"), ("技术专家", "Technical expert"), ("", "")),
}
GOVERNMENT_POSITIONS: tuple[ZhEn, ...] = (("科员", "Officer"), ("处长", "Division Director"))
# The head of a university, a company and an institute, in that order (see _home_org).
HEADS: tuple[ZhEn, ...] = (("校长", "President"), ("董事长", "Chairman"), ("院长", "Director"))
HEAD_OF_DELEGATION: ZhEn = ("代表团团长", "Head of Delegation")
TEAM_LEADER: ZhEn = ("队长", "Team leader")
TEAM_MEMBER: ZhEn = ("队员", "Team member")
PROJECT_LEAD: ZhEn = ("项目负责人", "Project lead")
PROJECT_MEMBER: ZhEn = ("项目成员", "Project member")

# (position, honorific) of academicians by the academy that elected them.
CN_ACADEMIES: tuple[ZhEn, ...] = (
    ("中国科学院院士", "Academician of the Chinese Academy of Sciences"),
    ("中国工程院院士", "Academician of the Chinese Academy of Engineering"),
)
FOREIGN_ACADEMIES: dict[str, ZhEn] = {
    "GB": ("英国皇家工程院院士", "Fellow of the Royal Academy of Engineering"),
    "RS": ("塞尔维亚科学与艺术学院院士", "Member of the Serbian Academy of Sciences and Arts"),
    "RU": ("俄罗斯科学院院士", "Academician of the Russian Academy of Sciences"),
    "US": ("美国国家工程院院士", "Member of the US National Academy of Engineering"),
    "DE": ("德国国家科学与工程院院士", "Member of acatech – National Academy of Science and Engineering"),
    "FR": ("法国国家技术科学院院士", "Member of the National Academy of Technologies of France"),
}
# Royal Academy of Engineering fellows are the largest foreign group, as at the real event.
FOREIGN_ACADEMY_WEIGHTS: dict[str, float] = {"GB": 6, "RS": 1, "RU": 1, "US": 1, "DE": 1, "FR": 1}

# Diplomatic ranks of foreign VIPs and guests; the mission is built from the country's name.
DIPLOMATS: tuple[ZhEn, ...] = (
    ("大使", "Ambassador"), ("总领事", "Consul General"), ("公使衔参赞", "Minister-Counsellor"),
    ("副部长", "Vice Minister"),
)

# Project titles of competition teams and Xingyu Cup startups.
PROJECT_TITLES: tuple[ZhEn, ...] = (
    ("山地城市桥梁智能巡检机器人", "Bridge-Inspection Robot for Mountain Cities"),
    ("氢燃料电池重卡热管理系统", "Thermal Management for Hydrogen Fuel-Cell Trucks"),
    ("基于数字孪生的智能产线", "Digital-Twin Smart Production Line"),
    ("低碳水泥基材料", "Low-Carbon Cementitious Materials"),
    ("车规级功率半导体封装", "Automotive-Grade Power Semiconductor Packaging"),
    ("智能电网故障预测", "Fault Prediction for Smart Grids"),
    ("无人机隧道检测系统", "Drone-Based Tunnel Inspection"),
    ("柔性显示驱动芯片", "Driver Chips for Flexible Displays"),
    ("工业视觉缺陷检测平台", "Industrial Vision Defect Detection"),
    ("长江流域水质在线监测", "Online Water-Quality Monitoring for the Yangtze Basin"),
    ("固态电池电解质", "Solid-State Battery Electrolytes"),
    ("自动驾驶高精地图", "HD Maps for Autonomous Driving"),
    ("山区光伏微电网", "Photovoltaic Microgrids for Mountain Areas"),
    ("智能网联汽车信息安全", "Cybersecurity for Connected Vehicles"),
    ("医用可降解镁合金", "Biodegradable Magnesium Alloys for Implants"),
    ("农业物联网传感器", "IoT Sensors for Smart Agriculture"),
    ("轨道交通减振降噪", "Vibration and Noise Reduction for Rail Transit"),
    ("工业机器人精密减速器", "Precision Reducers for Industrial Robots"),
    ("碳纤维复合材料回收", "Recycling Carbon-Fibre Composites"),
    ("边缘计算智能网关", "Edge-Computing Smart Gateway"),
    ("城市内涝预警系统", "Urban Flood Early Warning"),
    ("锂电池梯次利用", "Second-Life Use of Lithium Batteries"),
    ("手术机器人力反馈", "Force Feedback for Surgical Robots"),
    ("智慧养老健康监测", "Health Monitoring for Elderly Care"),
)

# Short bilingual notes the desk shows in amber. Some only make sense for foreign visitors.
ATTENTION_NOTES: tuple[str, ...] = (
    "轮椅通道 / Wheelchair access",
    "行动不便，请协助 / Limited mobility, please assist",
    "视障，请引导 / Visually impaired, please guide",
    "清真餐 / Halal meals",
    "素食 / Vegetarian meals",
    "坚果过敏 / Nut allergy",
    "发言嘉宾，请引导至后台 / Speaker: escort backstage",
)
FOREIGN_ATTENTION_NOTES: tuple[str, ...] = (
    "需翻译陪同 / Needs interpreter",
    "请联系外事组 / Contact the foreign affairs team",
)


# -- featured people --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Featured:
    """A hand-written delegate every demo contains, so samples exist whatever the seed."""

    label: str  # key in DemoSummary.samples; "" for people who are not a sample
    category: str
    country: str
    family: str
    given: str
    native: str
    latin: str
    order: str
    org: ZhEn
    position: ZhEn
    honorific: str = ""
    team: str = ""
    track: str = ""
    status: str = "approved"
    note: str = ""


_SERBIAN_TEAM = "GEEC-M0001 Smart Grid Fault Prediction"
_CHONGQING_TEAM = "GEEC-S0001 山地城市桥梁智能巡检机器人"
_XINGYU_TEAM = "XY-A0001 工业视觉缺陷检测平台"
_CQU: ZhEn = ("重庆大学", "Chongqing University")
_BELGRADE: ZhEn = ("贝尔格莱德大学", "University of Belgrade")

FEATURED: tuple[Featured, ...] = (
    Featured("VIP", "VIP", "CN", "周", "志远", "周志远", "ZHOU Zhiyuan", "eastern",
             CN_GOVERNMENT[0], ("大会组委会主任", "Chair of the Organising Committee")),
    Featured("guest", "GUEST", "RS", "Stojanović", "Dragan", "Dragan Stojanović",
             "Dragan STOJANOVIĆ", "western",
             ("塞尔维亚共和国驻华大使馆", "Embassy of the Republic of Serbia in China"),
             ("大使", "Ambassador"), honorific="H.E."),
    Featured("intl_org", "INTL_ORG", "FR", "Dubois", "Claire", "Claire Dubois", "Claire DUBOIS",
             "western", INTL_ORGS[1], ("项目专家", "Programme Specialist"), honorific="Ms."),
    Featured("academician", "ACADEMICIAN", "CN", "陈", "立平", "陈立平", "CHEN Liping", "eastern",
             _CQU, CN_ACADEMIES[1], honorific="院士"),
    Featured("raeng_fellow", "ACADEMICIAN", "GB", "Hughes", "Eleanor", "Eleanor Hughes",
             "Eleanor HUGHES", "western", ("帝国理工学院", "Imperial College London"),
             FOREIGN_ACADEMIES["GB"], honorific="Prof."),
    Featured("serbian_latin", "COMPETITOR", "RS", "Petrović", "Đorđe", "Đorđe Petrović",
             "Đorđe PETROVIĆ", "western", _BELGRADE, TEAM_LEADER, team=_SERBIAN_TEAM, track="main"),
    Featured("", "COMPETITOR", "RS", "Šarić", "Jelena", "Jelena Šarić", "Jelena ŠARIĆ", "western",
             _BELGRADE, TEAM_MEMBER, team=_SERBIAN_TEAM, track="main"),
    Featured("serbian_cyrillic", "COMPETITOR", "RS", "Јовановић", "Милица", "Милица Јовановић",
             "Milica JOVANOVIĆ", "western", _BELGRADE, TEAM_MEMBER, team=_SERBIAN_TEAM,
             track="main"),
    Featured("", "COMPETITOR", "RS", "Ђорђевић", "Никола", "Никола Ђорђевић", "Nikola ĐORĐEVIĆ",
             "western", _BELGRADE, TEAM_MEMBER, team=_SERBIAN_TEAM, track="main"),
    Featured("competitor", "COMPETITOR", "CN", "刘", "洋", "刘洋", "LIU Yang", "eastern", _CQU,
             TEAM_LEADER, team=_CHONGQING_TEAM, track="special"),
    Featured("", "COMPETITOR", "CN", "陈", "思远", "陈思远", "CHEN Siyuan", "eastern", _CQU,
             TEAM_MEMBER, team=_CHONGQING_TEAM, track="special"),
    Featured("", "COMPETITOR", "CN", "冉", "晓东", "冉晓东", "RAN Xiaodong", "eastern", _CQU,
             TEAM_MEMBER, team=_CHONGQING_TEAM, track="special"),
    Featured("project", "PROJECT", "CN", "林", "嘉怡", "林嘉怡", "LIN Jiayi", "eastern",
             ("重庆邮电大学", "Chongqing University of Posts and Telecommunications"), PROJECT_LEAD,
             team=_XINGYU_TEAM, track="A"),
    Featured("", "PROJECT", "CN", "罗", "浩然", "罗浩然", "LUO Haoran", "eastern",
             ("重庆邮电大学", "Chongqing University of Posts and Telecommunications"),
             PROJECT_MEMBER, team=_XINGYU_TEAM, track="A"),
    Featured("talent", "TALENT", "CN", "李", "娜", "李娜", "LI Na", "eastern",
             ("帝国理工学院", "Imperial College London"),
             ("博士后研究员", "Postdoctoral Researcher"), honorific="博士"),
    Featured("enterprise", "ENTERPRISE", "CN", "何", "家豪", "何家豪", "HE Jiahao", "eastern",
             CN_COMPANIES[0], ("人力资源总监", "HR Director")),
    Featured("media", "MEDIA", "CN", "黄", "静", "黄静", "HUANG Jing", "eastern",
             ("重庆日报", "Chongqing Daily"), ("记者", "Reporter")),
    Featured("staff", "STAFF", "CN", "冉", "丽", "冉丽", "RAN Li", "eastern", ORGANISING_COMMITTEE,
             ("注册组", "Registration team")),
    Featured("volunteer", "VOLUNTEER", "CN", "何", "雨桐", "何雨桐", "HE Yutong", "eastern", _CQU,
             ("志愿者", "Volunteer")),
    Featured("attendee", "ATTENDEE", "CN", "张", "伟", "张伟", "ZHANG Wei", "eastern",
             ("重庆理工大学", "Chongqing University of Technology"), ("工程师", "Engineer")),
    Featured("cancelled", "TALENT", "CN", "王", "芳", "王芳", "WANG Fang", "eastern",
             ("新加坡国立大学", "National University of Singapore"),
             ("研究员", "Research Fellow"), status="cancelled"),
    Featured("attention_note", "ENTERPRISE", "AE", "المنصوري", "فاطمة", "فاطمة المنصوري",
             "Fatima AL MANSOURI", "western", ("马斯达尔公司", "Masdar"),
             ("投资总监", "Investment Director"), honorific="Ms.",
             note="轮椅通道 / Wheelchair access"),
    Featured("korean", "TALENT", "KR", "김", "민준", "김민준", "KIM Min-jun", "eastern",
             ("韩国科学技术院", "KAIST"), ("研究员", "Research Fellow"), honorific="Dr."),
    Featured("japanese", "ENTERPRISE", "JP", "佐藤", "健", "佐藤健", "SATO Ken", "eastern",
             ("松下控股", "Panasonic Holdings"), ("首席技术官", "Chief Technology Officer"),
             honorific="Mr."),
    Featured("vietnamese", "TALENT", "VN", "Nguyễn", "Thị Hương", "Nguyễn Thị Hương",
             "NGUYỄN Thị Hương", "eastern", ("越南河内国家大学", "Vietnam National University, Hanoi"),
             ("副教授", "Associate Professor"), honorific="Dr."),
    Featured("russian", "TALENT", "RU", "Смирнова", "Екатерина", "Екатерина Смирнова",
             "Ekaterina SMIRNOVA", "western",
             ("莫斯科鲍曼国立技术大学", "Bauman Moscow State Technical University"),
             ("研究员", "Research Fellow"), honorific="Dr."),
    Featured("french", "ATTENDEE", "FR", "Lefèvre", "Marie", "Marie Lefèvre", "Marie LEFÈVRE",
             "western", ("施耐德电气", "Schneider Electric"), ("工程师", "Engineer")),
)


def __getattr__(name: str) -> object:
    """CATEGORIES: the event file's categories (read once, on first use)."""
    if name == "CATEGORIES":
        from checkin_app.services.event_files import chongqing

        return chongqing().categories
    raise AttributeError(name)
