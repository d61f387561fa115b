"""Countries and regions (ISO 3166-1 alpha-2) with Chinese and English names: every territory of
CLDR (through Babel), with the names Chinese government event material uses where they differ."""

from __future__ import annotations

from functools import lru_cache

# Names follow the usage of Chinese government event material; regions are listed as regions.
# They win over CLDR's (中国香港 / Hong Kong, China rather than 香港 / Hong Kong SAR China).
PREFERRED: dict[str, tuple[str, str]] = {
    "CN": ("中国", "China"),
    "HK": ("中国香港", "Hong Kong, China"),
    "MO": ("中国澳门", "Macao, China"),
    "TW": ("中国台湾", "Taiwan, China"),
    "RS": ("塞尔维亚", "Serbia"),
    "RU": ("俄罗斯", "Russia"),
    "BY": ("白俄罗斯", "Belarus"),
    "KZ": ("哈萨克斯坦", "Kazakhstan"),
    "UZ": ("乌兹别克斯坦", "Uzbekistan"),
    "PK": ("巴基斯坦", "Pakistan"),
    "IN": ("印度", "India"),
    "BD": ("孟加拉国", "Bangladesh"),
    "LK": ("斯里兰卡", "Sri Lanka"),
    "NP": ("尼泊尔", "Nepal"),
    "TH": ("泰国", "Thailand"),
    "VN": ("越南", "Viet Nam"),
    "LA": ("老挝", "Laos"),
    "KH": ("柬埔寨", "Cambodia"),
    "MY": ("马来西亚", "Malaysia"),
    "SG": ("新加坡", "Singapore"),
    "ID": ("印度尼西亚", "Indonesia"),
    "PH": ("菲律宾", "Philippines"),
    "KR": ("韩国", "Republic of Korea"),
    "JP": ("日本", "Japan"),
    "MN": ("蒙古国", "Mongolia"),
    "AE": ("阿联酋", "United Arab Emirates"),
    "SA": ("沙特阿拉伯", "Saudi Arabia"),
    "EG": ("埃及", "Egypt"),
    "TR": ("土耳其", "Türkiye"),
    "IR": ("伊朗", "Iran"),
    "ET": ("埃塞俄比亚", "Ethiopia"),
    "KE": ("肯尼亚", "Kenya"),
    "NG": ("尼日利亚", "Nigeria"),
    "ZA": ("南非", "South Africa"),
    "GB": ("英国", "United Kingdom"),
    "FR": ("法国", "France"),
    "DE": ("德国", "Germany"),
    "IT": ("意大利", "Italy"),
    "ES": ("西班牙", "Spain"),
    "PT": ("葡萄牙", "Portugal"),
    "NL": ("荷兰", "Netherlands"),
    "BE": ("比利时", "Belgium"),
    "CH": ("瑞士", "Switzerland"),
    "AT": ("奥地利", "Austria"),
    "SE": ("瑞典", "Sweden"),
    "NO": ("挪威", "Norway"),
    "DK": ("丹麦", "Denmark"),
    "FI": ("芬兰", "Finland"),
    "PL": ("波兰", "Poland"),
    "CZ": ("捷克", "Czechia"),
    "HU": ("匈牙利", "Hungary"),
    "GR": ("希腊", "Greece"),
    "HR": ("克罗地亚", "Croatia"),
    "IE": ("爱尔兰", "Ireland"),
    "US": ("美国", "United States"),
    "CA": ("加拿大", "Canada"),
    "MX": ("墨西哥", "Mexico"),
    "BR": ("巴西", "Brazil"),
    "AR": ("阿根廷", "Argentina"),
    "CL": ("智利", "Chile"),
    "AU": ("澳大利亚", "Australia"),
    "NZ": ("新西兰", "New Zealand"),
    "KP": ("朝鲜", "DPRK"),
    "PS": ("巴勒斯坦", "Palestine"),
    "CD": ("刚果（金）", "DR Congo"),
    "CG": ("刚果（布）", "Republic of the Congo"),
    "MK": ("北马其顿", "North Macedonia"),
    "CI": ("科特迪瓦", "Côte d'Ivoire"),
    "BA": ("波黑", "Bosnia and Herzegovina"),
}


# Codes CLDR names that are not countries or regions people come from.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "AQ", "BV", "HM", "UM", "CP",
                            "DG", "EA", "IC", "TA", "AC"})


def _plain(name: str) -> str:
    """CLDR's English name without its aside: 'Myanmar (Burma)' → 'Myanmar'."""
    return name.split(" (")[0] if name.endswith(")") and " (" in name else name


@lru_cache(maxsize=1)
def _all() -> dict[str, tuple[str, str]]:
    from babel import Locale

    en = {str(k): str(v) for k, v in Locale("en").territories.items()}
    zh = {str(k): str(v) for k, v in Locale.parse("zh_Hans").territories.items()}
    out = {code: (zh.get(code, name), _plain(name)) for code, name in en.items()
           if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}
    out.update(PREFERRED)
    return dict(sorted(out.items()))


COUNTRIES: dict[str, tuple[str, str]] = _all()


def country_names(code: str) -> tuple[str, str]:
    """Chinese and English name for an ISO code; the code itself when unknown."""
    return COUNTRIES.get(code.upper(), (code, code))
