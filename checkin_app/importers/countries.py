"""Country or region from whatever a registration form holds: ISO codes, Chinese or English names, aliases."""

from __future__ import annotations

from functools import lru_cache

from checkin_app.domain.countries import COUNTRIES
from checkin_app.importers.text import fold

# ISO2 | ISO3 | Chinese name(s) | English name(s) — alternatives separated by "/".
# Names follow Chinese official usage; older or colloquial forms people type are aliases.
_TABLE = """
AD|AND|安道尔|Andorra
AE|ARE|阿联酋/阿拉伯联合酋长国|United Arab Emirates/UAE/U.A.E.
AF|AFG|阿富汗|Afghanistan
AG|ATG|安提瓜和巴布达|Antigua and Barbuda
AL|ALB|阿尔巴尼亚|Albania
AM|ARM|亚美尼亚|Armenia
AO|AGO|安哥拉|Angola
AR|ARG|阿根廷|Argentina
AT|AUT|奥地利|Austria
AU|AUS|澳大利亚/澳洲|Australia
AZ|AZE|阿塞拜疆|Azerbaijan
BA|BIH|波黑/波斯尼亚和黑塞哥维那|Bosnia and Herzegovina/Bosnia
BB|BRB|巴巴多斯|Barbados
BD|BGD|孟加拉国/孟加拉|Bangladesh
BE|BEL|比利时|Belgium
BF|BFA|布基纳法索|Burkina Faso
BG|BGR|保加利亚|Bulgaria
BH|BHR|巴林|Bahrain
BI|BDI|布隆迪|Burundi
BJ|BEN|贝宁|Benin
BN|BRN|文莱|Brunei/Brunei Darussalam
BO|BOL|玻利维亚|Bolivia
BR|BRA|巴西|Brazil/Brasil
BS|BHS|巴哈马|Bahamas
BT|BTN|不丹|Bhutan
BW|BWA|博茨瓦纳|Botswana
BY|BLR|白俄罗斯|Belarus
BZ|BLZ|伯利兹|Belize
CA|CAN|加拿大|Canada
CD|COD|刚果（金）/刚果民主共和国|DR Congo/Democratic Republic of the Congo/Congo-Kinshasa
CF|CAF|中非|Central African Republic
CG|COG|刚果（布）/刚果共和国|Republic of the Congo/Congo-Brazzaville/Congo
CH|CHE|瑞士|Switzerland
CI|CIV|科特迪瓦|Côte d'Ivoire/Cote d'Ivoire/Ivory Coast
CL|CHL|智利|Chile
CM|CMR|喀麦隆|Cameroon
CN|CHN|中国/中华人民共和国/中国大陆/大陆|China/PRC/P.R. China/People's Republic of China/Mainland China
CO|COL|哥伦比亚|Colombia
CR|CRI|哥斯达黎加|Costa Rica
CU|CUB|古巴|Cuba
CV|CPV|佛得角|Cabo Verde/Cape Verde
CY|CYP|塞浦路斯|Cyprus
CZ|CZE|捷克|Czechia/Czech Republic
DE|DEU|德国|Germany/Deutschland
DJ|DJI|吉布提|Djibouti
DK|DNK|丹麦|Denmark
DM|DMA|多米尼克|Dominica
DO|DOM|多米尼加|Dominican Republic
DZ|DZA|阿尔及利亚|Algeria
EC|ECU|厄瓜多尔|Ecuador
EE|EST|爱沙尼亚|Estonia
EG|EGY|埃及|Egypt
ER|ERI|厄立特里亚|Eritrea
ES|ESP|西班牙|Spain/España
ET|ETH|埃塞俄比亚|Ethiopia
FI|FIN|芬兰|Finland
FJ|FJI|斐济|Fiji
FR|FRA|法国|France
GA|GAB|加蓬|Gabon
GB|GBR|英国/大不列颠|United Kingdom/UK/U.K./Great Britain/Britain/England/Scotland/Wales
GE|GEO|格鲁吉亚|Georgia
GH|GHA|加纳|Ghana
GM|GMB|冈比亚|Gambia
GN|GIN|几内亚|Guinea
GQ|GNQ|赤道几内亚|Equatorial Guinea
GR|GRC|希腊|Greece
GT|GTM|危地马拉|Guatemala
GW|GNB|几内亚比绍|Guinea-Bissau
GY|GUY|圭亚那|Guyana
HK|HKG|中国香港/香港/香港特别行政区|Hong Kong/Hong Kong, China/Hong Kong SAR/Hongkong
HN|HND|洪都拉斯|Honduras
HR|HRV|克罗地亚|Croatia
HT|HTI|海地|Haiti
HU|HUN|匈牙利|Hungary
ID|IDN|印度尼西亚/印尼|Indonesia
IE|IRL|爱尔兰|Ireland
IL|ISR|以色列|Israel
IN|IND|印度|India
IQ|IRQ|伊拉克|Iraq
IR|IRN|伊朗|Iran
IS|ISL|冰岛|Iceland
IT|ITA|意大利|Italy/Italia
JM|JAM|牙买加|Jamaica
JO|JOR|约旦|Jordan
JP|JPN|日本|Japan
KE|KEN|肯尼亚|Kenya
KG|KGZ|吉尔吉斯斯坦|Kyrgyzstan
KH|KHM|柬埔寨|Cambodia
KM|COM|科摩罗|Comoros
KP|PRK|朝鲜|DPRK/North Korea/Democratic People's Republic of Korea
KR|KOR|韩国|Republic of Korea/South Korea/Korea
KW|KWT|科威特|Kuwait
KZ|KAZ|哈萨克斯坦|Kazakhstan
LA|LAO|老挝|Laos/Lao PDR
LB|LBN|黎巴嫩|Lebanon
LK|LKA|斯里兰卡|Sri Lanka
LR|LBR|利比里亚|Liberia
LS|LSO|莱索托|Lesotho
LT|LTU|立陶宛|Lithuania
LU|LUX|卢森堡|Luxembourg
LV|LVA|拉脱维亚|Latvia
LY|LBY|利比亚|Libya
MA|MAR|摩洛哥|Morocco
MC|MCO|摩纳哥|Monaco
MD|MDA|摩尔多瓦|Moldova
ME|MNE|黑山|Montenegro
MG|MDG|马达加斯加|Madagascar
MK|MKD|北马其顿/马其顿|North Macedonia/Macedonia
ML|MLI|马里|Mali
MM|MMR|缅甸|Myanmar/Burma
MN|MNG|蒙古国/蒙古|Mongolia
MO|MAC|中国澳门/澳门/澳门特别行政区|Macao/Macau/Macao, China/Macao SAR
MR|MRT|毛里塔尼亚|Mauritania
MT|MLT|马耳他|Malta
MU|MUS|毛里求斯|Mauritius
MV|MDV|马尔代夫|Maldives
MW|MWI|马拉维|Malawi
MX|MEX|墨西哥|Mexico
MY|MYS|马来西亚|Malaysia
MZ|MOZ|莫桑比克|Mozambique
NA|NAM|纳米比亚|Namibia
NE|NER|尼日尔|Niger
NG|NGA|尼日利亚|Nigeria
NI|NIC|尼加拉瓜|Nicaragua
NL|NLD|荷兰|Netherlands/Holland/The Netherlands
NO|NOR|挪威|Norway
NP|NPL|尼泊尔|Nepal
NZ|NZL|新西兰|New Zealand
OM|OMN|阿曼|Oman
PA|PAN|巴拿马|Panama
PE|PER|秘鲁|Peru
PG|PNG|巴布亚新几内亚|Papua New Guinea
PH|PHL|菲律宾|Philippines
PK|PAK|巴基斯坦|Pakistan
PL|POL|波兰|Poland
PS|PSE|巴勒斯坦|Palestine
PT|PRT|葡萄牙|Portugal
PY|PRY|巴拉圭|Paraguay
QA|QAT|卡塔尔|Qatar
RO|ROU|罗马尼亚|Romania
RS|SRB|塞尔维亚|Serbia/Srbija
RU|RUS|俄罗斯/俄罗斯联邦|Russia/Russian Federation
RW|RWA|卢旺达|Rwanda
SA|SAU|沙特阿拉伯/沙特|Saudi Arabia
SC|SYC|塞舌尔|Seychelles
SD|SDN|苏丹|Sudan
SE|SWE|瑞典|Sweden
SG|SGP|新加坡|Singapore
SI|SVN|斯洛文尼亚|Slovenia
SK|SVK|斯洛伐克|Slovakia
SL|SLE|塞拉利昂|Sierra Leone
SN|SEN|塞内加尔|Senegal
SO|SOM|索马里|Somalia
SR|SUR|苏里南|Suriname
SS|SSD|南苏丹|South Sudan
SV|SLV|萨尔瓦多|El Salvador
SY|SYR|叙利亚|Syria
TD|TCD|乍得|Chad
TG|TGO|多哥|Togo
TH|THA|泰国|Thailand
TJ|TJK|塔吉克斯坦|Tajikistan
TL|TLS|东帝汶|Timor-Leste/East Timor
TM|TKM|土库曼斯坦|Turkmenistan
TN|TUN|突尼斯|Tunisia
TR|TUR|土耳其|Türkiye/Turkey/Turkiye
TT|TTO|特立尼达和多巴哥|Trinidad and Tobago
TW|TWN|中国台湾/台湾/台湾地区|Taiwan/Taiwan, China/Chinese Taipei
TZ|TZA|坦桑尼亚|Tanzania
UA|UKR|乌克兰|Ukraine
UG|UGA|乌干达|Uganda
US|USA|美国/美利坚合众国|United States/USA/U.S.A./U.S./US/United States of America/America
UY|URY|乌拉圭|Uruguay
UZ|UZB|乌兹别克斯坦|Uzbekistan
VE|VEN|委内瑞拉|Venezuela
VN|VNM|越南|Viet Nam/Vietnam
YE|YEM|也门|Yemen
ZA|ZAF|南非|South Africa
ZM|ZMB|赞比亚|Zambia
ZW|ZWE|津巴布韦|Zimbabwe
"""


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Folded name, alias or code → ISO 3166-1 alpha-2."""
    table: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        iso2, iso3, zh, en = line.split("|")
        for name in (iso2, iso3, *zh.split("/"), *en.split("/")):
            table.setdefault(fold(name), iso2)
    # The desk's own names win: what the desk shows must also be read back.
    for iso2, (zh, en) in COUNTRIES.items():
        table[fold(zh)] = table[fold(en)] = table[fold(iso2)] = iso2
    return table


def country_code(text: str) -> str | None:
    """ISO alpha-2 code for a code, name or alias in Chinese or English; None when unknown."""
    key = fold(text)
    if not key:
        return None
    found = _lookup().get(key)
    if found is None and key.startswith("中国") and len(key) > 2:
        found = _lookup().get(key[2:])  # 中国香港 is known; 中国澳门特别行政区 → 澳门特别行政区
    return found


def known_codes() -> frozenset[str]:
    """Every ISO code this lookup can produce."""
    return frozenset(_lookup().values())
